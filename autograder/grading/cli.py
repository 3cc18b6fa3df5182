"""``python -m autograder grade|report ASSIGNMENT``: the instructor's grading commands."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .sandbox import Limits, Sandbox, SandboxUnavailable, detect
from .zygote import Zygote

if TYPE_CHECKING:
    from .batch import Batch
    from .course import Course
    from .regrade import Regrade

EXIT_OK, EXIT_GRADER_ERRORS, EXIT_REFUSED = 0, 1, 2

REGRADE_EPILOG = """\
regrading (manual grades and their status are always kept):
  python -m autograder grade ASSIGNMENT --students alice --force
      regrade one student (a glob selects several), e.g. after fixing a check
  python -m autograder grade ASSIGNMENT --questions 1a,2b --force
      regrade only questions 1a and 2b of every graded student (add --students GLOB for
      some); every other cell's grades, comments and outputs stay as they were
  python -m autograder grade ASSIGNMENT --students alice --variant-from-worked-by --force
      grade alice against the variant of the identity her notebook was worked under (its
      .worked_by.json, e.g. self-study), not her own; a missing or malformed record refuses
      (outcome error, grades untouched)
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Grade nbgrader submissions in parallel, each in a sandbox, and report.")
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="autograde every submission of an assignment",
                           description="Autograde submitted/*/ASSIGNMENT with nbgrader's "
                           "rules: parallel, sandboxed, resumable (rerun after a crash).",
                           epilog=REGRADE_EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    check = sub.add_parser("preflight", help="check the grading pipeline on the solution "
                           "and the blank notebook, grading no one",
                           description="Grade source/ASSIGNMENT (must earn full marks) and "
                           "release/ASSIGNMENT (must earn nothing) exactly as submissions are "
                           "graded, without touching the gradebook; exit 2 with the cause if "
                           "either does not.")
    for parser_ in (grade, check):
        _grade_options(parser_)
    _regrade_options(grade)

    report = sub.add_parser("report", help="per-question CSV and HTML class report",
                            description="Write reports/ASSIGNMENT/scores.csv (student x "
                            "question) and report.html (figures, misconceptions, who needs "
                            "a human).")
    report.add_argument("assignment")
    report.add_argument("--course", default=".", metavar="DIR")
    report.add_argument("--out", default=None, metavar="DIR",
                        help="output folder (default: reports/ASSIGNMENT in the course)")
    from .admin_cli import add_commands  # roster import, export

    add_commands(sub)
    return parser


def _grade_options(grade: argparse.ArgumentParser) -> None:
    grade.add_argument("assignment")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="parallel kernels (default: one per core)")
    grade.add_argument("--students", default=None, metavar="GLOB",
                       help="only student ids matching this glob (default: all)")
    grade.add_argument("--unsafe", action="store_true",
                       help="run without a sandbox if none is available (student code can "
                       "then read solutions and write the gradebook)")
    grade.add_argument("--sandbox", default="auto",
                       choices=["auto", "bwrap", "setpriv", "none"],
                       help="sandbox mechanism (default: auto = bwrap, else setpriv); "
                       "'none' needs --unsafe")
    grade.add_argument("--force", action="store_true",
                       help="regrade students that already have an outcome")
    grade.add_argument("--cell-timeout", type=int, default=None, metavar="S",
                       help="seconds per cell (default: the course's Execute.timeout)")
    grade.add_argument("--notebook-timeout", type=int, default=Limits.notebook_timeout,
                       metavar="S", help="seconds per notebook (default: %(default)s)")
    grade.add_argument("--memory", type=int, default=Limits.memory_mb, metavar="MB",
                       help="memory of a whole sandbox, all its processes together "
                       "(default: %(default)s MB; also each process's address space)")
    grade.add_argument("--nproc", type=int, default=Limits.nproc, metavar="N",
                       help="processes/threads per kernel (default: %(default)s)")
    grade.add_argument("--file-size", type=int, default=Limits.fsize_mb, metavar="MB",
                       help="largest file a kernel may write (default: %(default)s MB)")
    grade.add_argument("--output-limit", type=float, default=Limits.output_mb, metavar="MB",
                       help="output kept per notebook (default: %(default)s MB)")
    grade.add_argument("--disk", type=int, default=Limits.disk_mb, metavar="MB",
                       help="bytes a sandbox may write to its scratch folders, all files "
                       "together (default: %(default)s MB)")
    grade.add_argument("--preload", default=None, metavar="MODULES",
                       help="comma-separated modules imported in each kernel while it "
                       "waits (default: numpy, sympy and the course's packages)")
    grade.add_argument("--no-fork", action="store_true",
                       help="start every kernel as a new Python instead of forking it from a "
                       "preloaded one (slower; same sandbox)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--course", default=".", metavar="DIR",
                       help="the course directory (default: the current one)")
    grade.add_argument("--dask", default=None, metavar="ADDRESS",
                       help="execute the submissions on a Dask cluster: a scheduler address "
                       "(tls://host:8786; tcp:// only on a private network) or local:N for N "
                       "worker processes here; the gradebook, grading and judging stay here "
                       "(needs pip install '.[scale]')")
    grade.add_argument("--tls-ca-file", default=None, metavar="PEM",
                       help="with --dask tls://...: the CA of the cluster's certificates")
    grade.add_argument("--tls-cert", default=None, metavar="PEM",
                       help="with --dask tls://...: this grader's certificate")
    grade.add_argument("--tls-key", default=None, metavar="PEM",
                       help="with --dask tls://...: this grader's private key")


def _regrade_options(grade: argparse.ArgumentParser) -> None:
    grade.add_argument("--questions", default=None, metavar="IDS",
                       help="comma-separated questions (the judge's ids such as 1a, or grade "
                       "ids such as test_1a): regrade only these, for students already "
                       "graded; every other cell is kept as it was (implies --force)")
    grade.add_argument("--variant-from-worked-by", action="store_true",
                       help="the instructor's decision for the students --students selects "
                       "(required with this option): grade each against the variant of the "
                       "one identity its submitted .worked_by.json names (implies --force)")


def _setup_logging(logfile: Path) -> None:
    logfile.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(logfile, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("autograder", "traitlets", "nbgrader", "NbGrader", "py.warnings"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
    from traitlets import log as tlog

    tlog.get_logger().handlers = [handler]


def cmd_grade(args: argparse.Namespace) -> int:
    """The ``grade`` command."""
    from .batch import DEFAULT_PRELOAD, make_root, start_zygote

    limits = Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                    memory_mb=args.memory, nproc=args.nproc, fsize_mb=args.file_size,
                    output_mb=args.output_limit, disk_mb=args.disk)
    preload = (tuple(m.strip() for m in args.preload.split(",") if m.strip())
               if args.preload is not None else DEFAULT_PRELOAD)
    if args.sandbox == "none" and not args.unsafe:
        print("--sandbox none runs student code as you, with access to the solutions and "
              "the gradebook: add --unsafe to really do that.", file=sys.stderr)
        return EXIT_REFUSED
    here = Path(args.course).resolve()
    protect = [here / name for name in ("source", "gradebook.db", "submitted", "autograded")]
    try:
        sandbox = detect(args.sandbox, limits=limits, modules=preload,
                         protect=[*protect, Path.home()])
    except SandboxUnavailable as exc:
        # only the instructor's own two notebooks run here (--dask: submissions run in the
        # workers' sandboxes)
        if args.command == "preflight" or args.dask:
            sandbox = detect("none", limits=limits, modules=preload)
            print(f"No sandbox ({exc}): checking the pipeline without one.", file=sys.stderr)
            args.unsafe = True
        elif not args.unsafe:
            if os.geteuid() != 0:
                hint = ("run it as root (sudo .venv/bin/python -m autograder grade ...): the "
                        "sandbox gives each kernel its own unprivileged uid, which needs root; "
                        "the files it writes are given back to the course folder's owner")
            else:
                hint = "install bubblewrap (apt-get install bubblewrap)"
            print(f"No sandbox is available: {exc}.\nRefusing to run student code "
                  f"unsandboxed; {hint}, or pass --unsafe.", file=sys.stderr)
            return EXIT_REFUSED
        else:
            sandbox = detect("none", limits=limits, modules=preload)
            print(f"WARNING: no sandbox ({exc}); grading UNSAFELY as requested.",
                  file=sys.stderr)
    # SIGTERM (and SIGHUP) end the run like Ctrl-C: kernels killed, scratch removed
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupted)
    # the kernel fork server loads SymPy and the course while nbgrader's config loads here
    root = make_root()
    zygote = None
    if sandbox.mechanism == "bwrap" and not args.no_fork and not args.dask:
        zygote = start_zygote(preload, root, root)
    try:
        return _grade(args, sandbox, limits, preload, root, zygote)
    finally:
        if zygote is not None:
            zygote.close()
        shutil.rmtree(root, ignore_errors=True)
        _hand_back(here, args.assignment)


def _hand_back(course_root: Path, assignment: str) -> None:
    """Run as root: what grading wrote belongs to the course folder's owner again."""
    from .ownership import hand_back, owner_of

    try:
        owner = owner_of(course_root)
        hand_back([course_root / "autograded", course_root / "gradebook.db",
                   course_root / "reports"], owner)
    except OSError as exc:  # never hide the grading's own result behind this
        print(f"Could not give the graded files back to their owner: {exc}", file=sys.stderr)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _grade(args: argparse.Namespace, sandbox: Sandbox, limits: Limits,
           preload: tuple[str, ...], root: Path, zygote: Zygote | None) -> int:
    from nbgrader.api import Gradebook, MissingEntry

    from .batch import AlreadyRunning, Batch
    from .course import Course
    from .gradebook_writer import NotJudged
    from .preflight import PreflightFailed
    from .watchdog import MECHANISM as WATCHDOG

    course = Course.open(args.course)
    db_file = course.db_url.removeprefix("sqlite:///")
    if course.db_url.startswith("sqlite:///") and not Path(db_file).exists():
        print(f"No gradebook at {db_file}: run 'nbgrader generate_assignment "
              f"{args.assignment}' first.", file=sys.stderr)
        return EXIT_REFUSED
    state = course.state_dir(args.assignment)
    _setup_logging(state / "grading.log")
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            gb.find_assignment(args.assignment)
        except MissingEntry:
            print(f"No assignment '{args.assignment}' in the gradebook: run "
                  f"'nbgrader generate_assignment {args.assignment}' first.", file=sys.stderr)
            return EXIT_REFUSED
    only_check = args.command == "preflight"
    try:
        regrade = _regrade(args, course)
    except ValueError as exc:
        print(f"Refusing to grade: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    batch = Batch(course, args.assignment, sandbox, workers=args.workers,
                  students=args.students or "*", force=args.force or regrade is not None,
                  preload=preload, progress=not args.no_progress,
                  fork=not (args.no_fork or args.dask), root=root, zygote=zygote,
                  preflight_only=only_check, regrade=regrade)
    if only_check:
        try:
            batch.run()
        except (PreflightFailed, NotJudged) as exc:
            print(f"{exc}", file=sys.stderr)
            return EXIT_REFUSED
        print(batch.preflight_summary.capitalize() + ".", file=sys.stderr)
        return EXIT_OK
    todo, keep = batch.plan()
    refused = _regrade_refusals(args, batch, todo)
    if refused:
        print(refused, file=sys.stderr)
        return EXIT_REFUSED
    dropped = _decisions_dropped(batch, todo)
    if dropped:
        print(dropped, file=sys.stderr)
    print(f"Grading {args.assignment}: {len(todo)} to grade, {len(keep)} already done; "
          f"{batch.workers} workers; sandbox: {sandbox.detail}; limits: {limits.describe()}; "
          f"enforced by rlimits and a {WATCHDOG}", file=sys.stderr)
    if not todo:
        print("Nothing to grade (use --force to grade again).", file=sys.stderr)
        return EXIT_OK
    if args.dask:
        from .dask_backend import connect

        batch.backend = connect(args, limits, preload)
        if batch.backend is None:
            return EXIT_REFUSED
        batch.workers = batch.backend.slots
    try:
        result = batch.run()
    except AlreadyRunning as exc:
        print(f"{exc}: wait for it, or stop it first.", file=sys.stderr)
        return EXIT_REFUSED
    except (PreflightFailed, NotJudged) as exc:
        print(f"Refusing to grade: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        if batch.backend is not None:
            batch.backend.close()
        zlog = root / "zygote.log"
        if zlog.exists() and zlog.stat().st_size:
            shutil.copyfile(zlog, state / "zygote.log")
    n = len(result.graded_now)
    rate = f"{result.seconds / n:.2f} s per submission" if n else "nothing to do"
    if batch.preflight_summary:
        print(batch.preflight_summary.capitalize() + ".", file=sys.stderr)
    print(f"Done in {result.seconds:.1f} s ({rate}). Outcomes: "
          + ", ".join(f"{k} {v}" for k, v in sorted(result.counts().items())), file=sys.stderr)
    human = sorted(s for s, o in result.outcomes.items() if o.needs_human)
    if human:
        print(f"{len(human)} need a human (see 'python -m autograder report "
              f"{args.assignment}'): {', '.join(human[:20])}"
              + (" ..." if len(human) > 20 else ""), file=sys.stderr)
    print(f"Journal: {batch.journal.records}; log: {state / 'grading.log'}", file=sys.stderr)
    errors = [s for s, o in result.outcomes.items() if o.status == "error"]
    return EXIT_GRADER_ERRORS if errors else EXIT_OK


def _regrade(args: argparse.Namespace, course: Course) -> Regrade | None:
    """The run's regrade decisions (None: none); raises ValueError for a wrong request."""
    from nbgrader.api import Gradebook

    from .questions import resolve
    from .regrade import Regrade

    wanted = getattr(args, "questions", None)
    variant = getattr(args, "variant_from_worked_by", False)
    if wanted is None and not variant:
        return None
    if variant and getattr(args, "dask", None):
        raise ValueError("--variant-from-worked-by runs on this machine only (the decision "
                         "changes what the kernel is told): run it without --dask")
    if variant and args.students is None:
        raise ValueError("--variant-from-worked-by is a decision about particular students: "
                         "name them with --students GLOB (--students '*' for everyone)")
    with Gradebook(course.db_url, course.course_id) as gb:
        notebooks = [n.name for n in gb.find_assignment(args.assignment).notebooks]
    chosen = None
    if wanted is not None:
        ids = [w.strip() for w in wanted.split(",") if w.strip()]
        chosen = resolve(course, args.assignment, notebooks, ids)
    return Regrade(course, args.assignment, notebooks, chosen=chosen,
                   variant_from_worked_by=variant)


def _regrade_refusals(args: argparse.Namespace, batch: Batch, todo: list[str]) -> str:
    """Why this run must not start (empty: it may)."""
    from .regrade import PENDING, Regrade

    regrade = batch.regrade
    if regrade is None or regrade.chosen is None:
        waiting = sorted(set(todo) & set(Regrade(batch.course, args.assignment, []).pending()))
        if waiting:
            return (f"Refusing to grade: a regrade of chosen questions of {', '.join(waiting)} "
                    "was interrupted; run that --questions command again to finish it (or "
                    f"delete autograded/.autograder/{args.assignment}/{PENDING}/ to give up "
                    "on it).")
        return ""
    problems = regrade.refusals(todo, batch.journal)
    if not problems:
        return ""
    return ("Refusing to grade: --questions regrades questions of graded submissions only, "
            "keeping the rest: " + "; ".join(problems[:20])
            + ("; ..." if len(problems) > 20 else "")
            + ". Regrade their whole submission first (without --questions).")


def _decisions_dropped(batch: Batch, todo: list[str]) -> str:
    """A note when this run regrades, without the decision, students graded with it."""
    if batch.regrade is not None and batch.regrade.variant_from_worked_by:
        return ""
    done = batch.journal.load()
    names = [s for s in todo if s in done and "variant_from_worked_by" in done[s].flags]
    if not names:
        return ""
    return (f"Note: {', '.join(names[:20])} {'was' if len(names) == 1 else 'were'} last graded "
            "against the variant of their .worked_by.json by your decision; this run grades "
            "against their own variant (add --variant-from-worked-by to keep the decision).")


def cmd_report(args: argparse.Namespace) -> int:
    """The ``report`` command."""
    from .course import Course
    from .report import write_report

    course = Course.open(args.course)
    out = Path(args.out) if args.out else course.root / "reports" / args.assignment
    paths = write_report(course, args.assignment, out)
    _hand_back(Path(course.root), args.assignment)
    for path in paths:
        print(path)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    import warnings

    args = _parser().parse_args(argv)
    # nbgrader's own SQLAlchemy and nbformat warnings go to the log, not over the progress bar
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    try:
        if args.command in ("grade", "preflight"):
            return cmd_grade(args)
        if hasattr(args, "run"):  # roster, export (admin_cli)
            return args.run(args)
        return cmd_report(args)
    except KeyboardInterrupt:
        print("Interrupted: finished submissions are journaled; run the same command again "
              "to grade the rest.", file=sys.stderr)
        return 130
