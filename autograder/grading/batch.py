"""Grade every submission of an assignment: parallel, sandboxed, resumable.

The main thread is the only gradebook writer (:mod:`.gradebook_writer`); ``workers`` threads
each drive one warm kernel pool (:mod:`.pool`) and run notebooks (:mod:`.runner`). At most
``2 * workers`` submissions are in flight, so a batch of any size uses bounded memory. The
writer commits finished submissions in batches (when its queue is full or has waited a
second) and journals each outcome only after its commit.
"""

from __future__ import annotations

import compileall
import fcntl
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..judging.extraction import RECORD_FILE
from ..judging.judge import DEFAULT_CHECKER
from . import preflight
from .course import Course
from .gradebook_writer import GradebookWriter, Prepared
from .judge_pool import JudgePool
from .outcomes import Journal, Outcome
from .pool import BASE_ENV, KernelPool
from .runner import ExecutionResult, execute, execution_config
from .sandbox import Sandbox, place_files
from .zygote import Zygote

if TYPE_CHECKING:
    from .regrade import Regrade

log = logging.getLogger("autograder.grading")

#: Modules imported into each warm kernel while it waits (missing ones are skipped).
DEFAULT_PRELOAD = ("numpy", "sympy", "calc_helpers", "autograder", "autograder.variants",
                   "autograder.nbgrader_support")


@dataclass
class BatchResult:
    """What a batch did."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    graded_now: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    kernels_started: int = 0

    def counts(self) -> dict[str, int]:
        """Outcomes per status."""
        return dict(Counter(o.status for o in self.outcomes.values()))


def _student_env(student: str, resources: dict[str, Any]) -> dict[str, str]:
    """Variables telling the notebook's visible checks which student is graded.

    Only the feedback shown in the notebook uses them: the judge takes the student (and the
    variant an instructor's decision chose) from the grader, never from the kernel.
    """
    from ..nbgrader_support import GRADED_ENV

    variant = (resources.get("dfml") or {}).get("variant_of") or student
    return {"NBGRADER_STUDENT": student, GRADED_ENV: variant}


def course_code_dirs(modules: tuple[str, ...]) -> list[str]:
    """The folders of the course's own packages among ``modules`` (not the venv's: pip
    byte-compiled those when it installed them)."""
    from .sandbox import module_dirs

    return [d for d in module_dirs(modules)
            if Path(d).is_dir() and ".venv" not in Path(d).parts
            and "site-packages" not in Path(d).parts]


def precompile(modules: tuple[str, ...]) -> None:
    """Byte-compile the course's own packages into their ``__pycache__`` folders.

    Kernels never write byte code (PYTHONDONTWRITEBYTECODE) and see the packages read-only;
    compiling them once here spares every kernel (and every fresh re-import in a hidden test)
    a compile. The cache is the usual one next to the sources, written by the grader's user:
    a private cache folder (PYTHONPYCACHEPREFIX) would make every kernel and the zygote
    compile all of SymPy and NumPy from source instead (16 s against 7 s to start). A
    folder the grader cannot write is left as it is.
    """
    for directory in course_code_dirs(modules):
        compileall.compile_dir(directory, quiet=2, workers=1)


def _remove_stale(tmp: Path) -> None:
    """Scratch folders of graders that were killed (their pid is gone)."""
    for folder in tmp.glob("agr-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists() and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def make_root(tmp_root: str | None = None) -> Path:
    """The batch's private scratch folder (the kernels' slots); removed at the end."""
    _remove_stale(Path(tmp_root or tempfile.gettempdir()))
    root = Path(tempfile.mkdtemp(prefix=f"agr-{os.getpid()}-", dir=tmp_root))
    os.chmod(root, 0o711)
    return root


def start_zygote(preload: tuple[str, ...], root: Path, log_dir: Path) -> Zygote | None:
    """Start the kernel fork server early (it byte-compiles and imports while we go on).

    Returns None if it cannot start: each kernel then starts its own Python (slower).
    """
    env = dict(BASE_ENV)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PATH"] = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    env["HOME"] = str(root / "zygote-home")
    env["AUTOGRADER_PRELOAD"] = ",".join(preload)
    env["AUTOGRADER_PRECOMPILE"] = os.pathsep.join(course_code_dirs(preload))
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        return Zygote(env, str(log_dir / "zygote.log"))
    except Exception:  # noqa: BLE001 - slower, but grading still works
        log.exception("the kernel zygote failed to start; starting each kernel afresh")
        return None


class Backend(Protocol):
    """Where submissions execute instead of this machine's kernel pools (e.g. Dask)."""

    def open(self, batch: Batch, writer: GradebookWriter) -> None:
        """Take the batch's execution settings, once, before the first submission."""

    def execute(self, prep: Prepared) -> dict[str, ExecutionResult]:
        """Run one prepared submission; its results, judged (called from worker threads)."""

    def stop(self) -> None:
        """The batch was interrupted: give up what is still running."""

    def close(self) -> None:
        """The batch is over."""


class AlreadyRunning(RuntimeError):
    """Another grader holds this assignment's lock."""


class Batch:
    """One grading run of one assignment."""

    def __init__(self, course: Course, assignment: str, sandbox: Sandbox, *, workers: int,
                 students: str = "*", force: bool = False,
                 preload: tuple[str, ...] = DEFAULT_PRELOAD, ahead: int = 1,
                 progress: bool = True, tmp_root: str | None = None,
                 fork: bool = True, root: Path | None = None,
                 zygote: Zygote | None = None, preflight: bool = True,
                 preflight_only: bool = False, regrade: Regrade | None = None,
                 backend: Backend | None = None) -> None:
        if backend is None and workers * (ahead + 1) > 256:
            raise ValueError("at most 256 kernel slots: lower --workers")
        self.course = course
        self.fork = fork and sandbox.mechanism == "bwrap"
        self.zygote = zygote if self.fork else None
        self.root = root
        self.assignment = assignment
        self.sandbox = sandbox
        self.workers = max(1, workers)
        self.pattern = students
        self.force = force
        self.preload = preload
        self.ahead = ahead
        self.progress = progress
        self.tmp_root = tmp_root
        self.journal = Journal(course.state_dir(assignment))
        self._local = threading.local()
        self._pools: list[KernelPool] = []
        self._pools_lock = threading.Lock()
        self.judges: JudgePool | None = None
        self.preflight = preflight or preflight_only
        self.preflight_only = preflight_only
        #: the instructor's regrade decisions (--questions, --variant-from-worked-by)
        self.regrade = regrade
        self.preflight_summary = ""
        self.kernels_started = 0
        #: executes the submissions elsewhere (None: this machine's kernel pools); the
        #: preflight canaries always run here, so the solution never leaves this machine
        self.backend = backend

    # -- what to grade ---------------------------------------------------------------------

    def plan(self) -> tuple[list[str], dict[str, Outcome]]:
        """Students to grade now, and finished outcomes that stay as they are."""
        done = self.journal.load()
        todo, keep = [], {}
        for student in self.course.students(self.assignment, self.pattern):
            old = done.get(student)
            if (old is not None and not self.force and old.status != "error"
                    and old.fingerprint == self.course.fingerprint(student, self.assignment)):
                keep[student] = old
            else:
                todo.append(student)
        return todo, keep

    # -- the run ---------------------------------------------------------------------------

    def run(self, on_outcome: Callable[[Outcome], None] | None = None) -> BatchResult:
        """Grade what :meth:`plan` says; every student ends with a journaled outcome."""
        start = time.monotonic()
        lock = self._lock()
        try:
            return self._run(start, on_outcome)
        finally:
            lock.close()

    def _lock(self):  # -> an open file holding an exclusive flock
        """One grading run per assignment at a time (a killed run releases it)."""
        self.journal.directory.mkdir(parents=True, exist_ok=True)
        fh = open(self.journal.directory / ".lock", "w")  # noqa: SIM115 - returned
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise AlreadyRunning(
                f"another grading run of {self.assignment} is in progress") from None
        return fh

    def _run(self, start: float, on_outcome: Callable[[Outcome], None] | None) -> BatchResult:
        owns_root, owns_zygote = self.root is None, self.zygote is None
        if self.root is None:
            self.root = make_root(self.tmp_root)
        root = self.root
        self._root = root
        writer: GradebookWriter | None = None
        executor: ThreadPoolExecutor | None = None
        bar: Any = _NoBar()
        in_flight: dict[Future, Prepared] = {}
        try:
            if self.fork and self.zygote is None:
                self.zygote = start_zygote(self.preload, root, self.journal.directory)
            if self.zygote is None:
                precompile(self.preload)
            writer = GradebookWriter(self.course, self.assignment, self.journal,
                                     sandbox=self.sandbox.mechanism, shadowed=self.preload,
                                     scratch=root)
            if self.regrade is not None:
                writer.before_journal = self.regrade.after
            self._steps = writer.execute_steps
            self._exec_config = execution_config(self.course.config, self.sandbox.limits)
            self._protected = writer.source_files()
            self._source_dir = self.course.path("source", ".", self.assignment)
            judge_config = self.course.config.JudgeAnswers
            self.judges = JudgePool(min(self.workers, os.cpu_count() or 1),
                                    str(judge_config.get("checker", DEFAULT_CHECKER)),
                                    str(judge_config.get("course_root", "")) or None)
            if self.backend is not None:
                self.backend.open(self, writer)
            todo, keep = self.plan() if not self.preflight_only else ([], {})
            result = BatchResult(outcomes=dict(keep), skipped=sorted(keep))
            executor = ThreadPoolExecutor(self.workers, thread_name_prefix="grader")
            if self.preflight:
                run = executor
                canaries = preflight.check(
                    self, writer, root / "preflight",
                    lambda prep: run.submit(self._execute_here, prep))
                self.preflight_summary = preflight.summary(canaries)
                log.info(self.preflight_summary)
            bar = _progress(len(todo) + len(keep), len(keep), self.progress)
            queue = iter(todo)

            def record(outcomes: list[Outcome]) -> None:
                for outcome in outcomes:
                    self._record(outcome, result, bar, on_outcome)

            while True:
                while len(in_flight) < 2 * self.workers:
                    student = next(queue, None)
                    if student is None:
                        break
                    prep = self._prepare(writer, student)
                    if prep.jobs:
                        in_flight[executor.submit(self._execute, prep)] = prep
                    else:  # nothing to run (malformed): finished right away
                        record(writer.submit(prep, {}))
                if not in_flight:
                    break
                # the writer commits (and journals) its queue when it is full or has waited
                # long enough: wake up for that even if no submission finishes meanwhile
                finished, _ = wait(list(in_flight), timeout=writer.due(),
                                   return_when=FIRST_COMPLETED)
                for future in finished:
                    prep = in_flight.pop(future)
                    try:
                        results = future.result()
                    except Exception as exc:  # the worker itself failed: record, go on
                        log.exception("worker failed on %s", prep.student)
                        results = {job.notebook: ExecutionResult(
                            nb=job.nb, resources=job.resources, status="error",
                            detail=f"{type(exc).__name__}: {exc}"[:300]) for job in prep.jobs}
                    t0 = time.monotonic()
                    record(writer.submit(prep, results))
                    log.info("%s: saved in %.3f s", prep.student, time.monotonic() - t0)
                if writer.due() == 0.0:
                    record(self._flush(writer))
            record(self._flush(writer))
        finally:
            for future in in_flight:
                future.cancel()
            if in_flight:  # interrupted: stop the running notebooks now (not journaled)
                if self.backend is not None:
                    self.backend.stop()
                with self._pools_lock:
                    for pool in self._pools:
                        pool.kill_all()
            if writer is not None and writer.pending:  # interrupted: keep what is finished
                try:
                    self._flush(writer)
                except Exception:  # noqa: BLE001 - not journaled: graded again next run
                    log.exception("committing the last finished submissions failed")
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
            with self._pools_lock:
                for pool in self._pools:
                    self.kernels_started += pool.started
                    pool.close()
                self._pools = []
            bar.close()
            if self.backend is not None:
                self.backend.close()
            if self.judges is not None:
                self.judges.close()
                self.judges = None
            if self.zygote is not None and owns_zygote:
                self.zygote.close()
                self.zygote = None
            if writer is not None:
                writer.close()
            if owns_root:
                shutil.rmtree(root, ignore_errors=True)
                self.root = None
        result.kernels_started = self.kernels_started
        result.seconds = time.monotonic() - start
        return result

    def _record(self, outcome: Outcome, result: BatchResult, bar: Any,
                on_outcome: Callable[[Outcome], None] | None) -> None:
        result.outcomes[outcome.student] = outcome
        result.graded_now.append(outcome.student)
        bar.update(1)
        counts = Counter(o.status for o in result.outcomes.values())
        bar.set_postfix_str(", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
                            refresh=False)
        if on_outcome is not None:
            on_outcome(outcome)

    @staticmethod
    def _flush(writer: GradebookWriter) -> list[Outcome]:
        """Commit and journal the writer's queue (the only place outcomes become final)."""
        t0 = time.monotonic()
        outcomes = writer.flush()
        if outcomes:
            log.info("committed %d submissions in %.3f s", len(outcomes),
                     time.monotonic() - t0)
        return outcomes

    def _prepare(self, writer: GradebookWriter, student: str) -> Prepared:
        self.journal.forget(student)
        try:
            t0 = time.monotonic()
            if self.regrade is not None:
                self.regrade.before(student)
            prep = writer.prepare(student)
            if self.regrade is not None:
                self.regrade.prepared(prep)
            log.info("%s: prepared in %.2f s", student, time.monotonic() - t0)
            return prep
        except Exception as exc:  # an unexpected failure preparing one student
            log.exception("preparing %s failed", student)
            prep = Prepared(student=student, outcome=Outcome(
                student=student, assignment=self.assignment, sandbox=self.sandbox.mechanism,
                fingerprint=self.course.fingerprint(student, self.assignment)),
                dest=self.course.path("autograded", student, self.assignment))
            prep.outcome.set_status("error")
            prep.outcome.detail = f"{type(exc).__name__}: {exc}"[:300]
            return prep

    # -- worker side -----------------------------------------------------------------------

    def _pool(self) -> KernelPool:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            with self._pools_lock:
                index = len(self._pools)
                pool = KernelPool(self.sandbox, self._root, index, ahead=self.ahead,
                                  preload=self.preload, workdir_name=self.assignment,
                                  zygote=self.zygote)
                self._pools.append(pool)
            self._local.pool = pool
        return pool

    def _execute(self, prep: Prepared) -> dict[str, ExecutionResult]:
        """Run each notebook of one submission: on the backend if there is one, else here."""
        if self.backend is not None:
            return self.backend.execute(prep)
        return self._execute_here(prep)

    def _execute_here(self, prep: Prepared) -> dict[str, ExecutionResult]:
        """Run each notebook of one submission, each in its own fresh kernel."""
        pool = self._pool()
        results = {}
        for job in prep.jobs:
            t0 = time.monotonic()
            kernel = pool.take()
            age = t0 - kernel.started
            try:
                _copy_files(self._source_dir, kernel.slot.work, kernel.slot.uid,
                            self._protected)
                _give_record(job.resources, kernel.slot.work)
                client = kernel.prepare(_student_env(prep.student, job.resources))
                t1 = time.monotonic()
                result = execute(
                    kernel,
                    job.nb,
                    job.resources,
                    config=self._exec_config,
                    limits=self.sandbox.limits,
                    preprocessors=self._steps,
                    client=client,
                    judge_pool=self.judges,
                )
                log.info(
                    "%s/%s: kernel age %.2f s, waited %.2f s for it, ran in %.2f s (kernel "
                    "%.2f s, judge %.2f s): %s", prep.student, job.notebook, age, t1 - t0,
                    time.monotonic() - t1, result.timings.get("kernel", 0.0),
                    result.timings.get("after", 0.0), result.status,
                )
            except Exception as exc:
                log.exception("executing %s/%s failed", prep.student, job.notebook)
                result = ExecutionResult(
                    nb=job.nb,
                    resources=job.resources,
                    status="error",
                    detail=f"{type(exc).__name__}: {exc}"[:300],
                )
            finally:
                t2 = time.monotonic()
                pool.give_back(kernel)
                log.info("%s: kernel disposed in %.2f s", prep.student, time.monotonic() - t2)
            results[job.notebook] = result
        return results


def _copy_files(src: Path, dst: Path, uid: int, provided: frozenset[str]) -> None:
    """Copy the assignment's own files (``provided``, relative to ``source/``) into a kernel.

    Only these, from the instructor's ``source/`` folder, and read-only for the kernel:
    nothing a student submitted besides the notebook itself is ever copied into a sandbox,
    and no link is followed.
    """
    files = {}
    for rel in sorted(provided):
        path = src / rel
        if path.is_symlink() or not path.is_file():
            continue
        files[rel] = path.read_bytes()
    place_files(files, dst, uid)


def _give_record(resources: dict[str, Any], work: Path) -> None:
    """The submitted identity record, read-only in the kernel's folder (for its notice)."""
    record = (resources.get("dfml") or {}).get("record")
    if not isinstance(record, str):
        return
    target = work / RECORD_FILE
    target.write_text(record, encoding="utf-8")
    if os.geteuid() == 0:
        os.chown(target, 0, 0)
    os.chmod(target, 0o444)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str, refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, initial: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="submission", dynamic_ncols=True,
                smoothing=0.1)
