"""Benchmark: plain serial ``nbgrader autograde`` against ``python -m autograder grade``.

Builds N synthetic submissions of a real assignment (right, wrong with the usual
misconceptions, blank, in turn), grades identical copies of the course both ways in the
same run, checks that every grade matches, and prints seconds, seconds per submission and
the speed-up. Results also go to ``bench/results/grading.json``.

    .venv/bin/python bench/bench_grading.py            # 60 submissions of ps1
    .venv/bin/python bench/bench_grading.py -n 12 --workers 2
    .venv/bin/python bench/bench_grading.py --dask local:2   # also on a Dask LocalCluster

With ``--dask ADDRESS`` a third copy is graded with ``--dask ADDRESS`` (``local:2``: two
worker processes here): its seconds, submissions per second, the grader's own serial time
per submission (prepare + finish, from the grading log) and the grades, checked like the rest.

``--writer-only`` measures the gradebook writer alone (no kernel): each submission is
prepared, given a synthetic execution result (tests/writer_support.py: the answers the
benchmark's students typed, extracted as a kernel would), saved and committed, and the
writer's milliseconds per submission are reported, preparing and finishing apart, as wall
time and as the writer thread's CPU time (steadier on a busy machine). With
``--code DIR`` the ``autograder`` package is imported from another checkout, e.g. main's
per-submission writer for a before/after comparison:

    .venv/bin/python bench/bench_grading.py --writer-only -n 200
    .venv/bin/python bench/bench_grading.py --writer-only -n 200 --code /work/main
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KINDS = ("right", "wrong", "blank")


def _support() -> Any:
    """tests/nbgrader_support.py: the course's helpers for making student notebooks."""
    spec = importlib.util.spec_from_file_location("nbgrader_support",
                                                  REPO / "tests" / "nbgrader_support.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["nbgrader_support"] = module
    spec.loader.exec_module(module)
    return module


def build(course: Path, assignment: str, n: int, support: Any,
          distinct: int | None = None) -> dict[str, str]:
    """Generate the assignment and N submissions; return {student: kind}.

    ``distinct``: only that many submissions are made (answers are worked out per student,
    which is slow); the others copy them under their own names (see :func:`origin`).
    """
    support.make_course(course, [assignment])
    env = support.nbgrader_env(course / "exchange")
    subprocess.run([str(support.BIN / "nbgrader"), "generate_assignment", assignment,
                    "--force"], cwd=course, env=env, check=True, capture_output=True)
    released = course / "release" / assignment / f"{assignment}.ipynb"
    kinds = {}
    for i in range(n):
        student = f"s{i:03d}"
        kind = KINDS[i % len(KINDS)]
        folder = course / "submitted" / student / assignment
        if distinct and i >= distinct:
            shutil.copytree(course / "submitted" / origin(student, distinct) / assignment, folder)
            (folder / ".worked_by.json").unlink(missing_ok=True)
            if kind != "blank":
                support.record_worked_as(folder, assignment, student)
            kinds[student] = KINDS[int(origin(student, distinct)[1:]) % len(KINDS)]
            continue
        folder.mkdir(parents=True)
        path = folder / f"{assignment}.ipynb"
        shutil.copy(released, path)
        (folder / "timestamp.txt").write_text("2030-01-01 10:00:00.000000 UTC")
        if kind == "right":
            support.fill_notebook(path, support.right_answers(assignment, student, course),
                                  written="The slope of the secant tends to the tangent's.")
        elif kind == "wrong":
            mistakes = support.typical_mistakes(assignment, student)
            support.fill_notebook(path, {q: m.answer for q, m in mistakes.items()})
        if kind != "blank":
            support.record_worked_as(folder, assignment, student)
        kinds[student] = kind
    return kinds


def origin(student: str, distinct: int | None) -> str:
    """The student whose submission ``student``'s copies (itself if all are distinct)."""
    return f"s{int(student[1:]) % distinct:03d}" if distinct else student


def scores(course: Path, assignment: str) -> dict[str, dict[str, float]]:
    """{student: {grade id: score, 'total': score}} from the gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.find_assignment(assignment).submissions:
            cells = {g.name: float(g.score) for nb in sub.notebooks for g in nb.grades}
            cells["total"] = float(sub.score)
            out[sub.student.id] = cells
    return out


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, Any]:
    """Run a command, return (seconds, result)."""
    start = time.monotonic()
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.monotonic() - start, res


def batch_seconds(stderr: str) -> float | None:
    """The grader's own "Done in X s" (the batch, without process and cluster start-up)."""
    found = re.search(r"Done in ([0-9.]+) s", stderr)
    return float(found.group(1)) if found else None


def writer_seconds(course: Path, assignment: str) -> float | None:
    """Mean serial seconds per submission of the single writer, from the grading log:
    preparing, saving, and its share of the batched commits."""
    log = course / "autograded" / ".autograder" / assignment / "grading.log"
    if not log.exists():
        return None
    text = log.read_text(errors="replace")
    prepared = [float(x) for x in re.findall(r": prepared in ([0-9.]+) s", text)]
    saved = [float(x) for x in re.findall(r": saved in ([0-9.]+) s", text)]
    commits = [(int(n), float(s)) for n, s in
               re.findall(r"committed ([0-9]+) submissions in ([0-9.]+) s", text)]
    committed = sum(n for n, _ in commits)
    if not prepared or not saved or not committed:
        return None
    return (sum(prepared) / len(prepared) + sum(saved) / len(saved)
            + sum(s for _, s in commits) / committed)
def _answers(support: Any, assignment: str, student: str, kind: str,
             course: Path) -> dict[str, Any]:
    """What the benchmark's student typed, as the values a kernel would extract."""
    if kind == "right":
        return support.right_answers(assignment, student, course)
    if kind == "wrong":
        return {q: m.answer for q, m in support.typical_mistakes(assignment, student).items()}
    return {}


def writer_only(course: Path, assignment: str, kinds: dict[str, str], support: Any,
                batch: int | None, distinct: int | None = None) -> dict[str, Any]:
    """Prepare, synthetically execute, save and commit every submission; the writer's time.

    Works with the batched writer (``submit``/``flush``) and with the per-submission one
    that came before it (``finish``). Only the writer's calls are timed.
    """
    import logging

    from autograder.grading.course import Course
    from autograder.grading.gradebook_writer import GradebookWriter
    from autograder.grading.outcomes import Journal

    sys.path.insert(0, str(REPO / "tests"))
    from writer_support import Plan, synthetic_result

    logging.getLogger("autograder").setLevel(logging.ERROR)
    opened = Course.open(course)
    extra = {"batch_size": batch} if batch else {}
    writer = GradebookWriter(opened, assignment, Journal(opened.state_dir(assignment)), **extra)
    batched = hasattr(writer, "submit")
    prepare = finish = prepare_cpu = finish_cpu = 0.0
    statuses: dict[str, int] = {}
    answers: dict[str, dict[str, Any]] = {}
    try:
        for student, kind in kinds.items():
            first = origin(student, distinct)
            if first not in answers:
                answers[first] = _answers(support, assignment, first, kind, course)
            plan = Plan(answers[first])
            t0, c0 = time.perf_counter(), time.thread_time()
            prep = writer.prepare(student)
            prepare += time.perf_counter() - t0
            prepare_cpu += time.thread_time() - c0
            results = {job.notebook: synthetic_result(job, plan, opened.config,
                                                      writer.execute_steps)
                       for job in prep.jobs}
            t0, c0 = time.perf_counter(), time.thread_time()
            done = writer.submit(prep, results) if batched else [writer.finish(prep, results)]
            finish += time.perf_counter() - t0
            finish_cpu += time.thread_time() - c0
            for outcome in done:
                statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        t0, c0 = time.perf_counter(), time.thread_time()
        for outcome in writer.flush() if batched else []:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        finish += time.perf_counter() - t0
        finish_cpu += time.thread_time() - c0
    finally:
        writer.close()
    n = len(kinds)
    return {"writer": "batched" if batched else "per-submission",
            "code": str(Path(sys.modules["autograder"].__file__).parents[1]),
            "submissions": n, "prepare_ms": round(1000 * prepare / n, 1),
            "finish_ms": round(1000 * finish / n, 1),
            "total_ms": round(1000 * (prepare + finish) / n, 1),
            "prepare_cpu_ms": round(1000 * prepare_cpu / n, 1),
            "finish_cpu_ms": round(1000 * finish_cpu / n, 1),
            "total_cpu_ms": round(1000 * (prepare_cpu + finish_cpu) / n, 1), "statuses": statuses,
            "scores": scores(course, assignment)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 if a grade differs or a command fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--n", type=int, default=60, help="submissions (default: 60)")
    parser.add_argument("--assignment", default="ps1_limits_and_derivatives")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    parser.add_argument("--dask", default=None, metavar="ADDRESS",
                        help="also grade with --dask ADDRESS (e.g. local:2)")
    parser.add_argument("--writer-only", action="store_true",
                        help="time the gradebook writer alone (synthetic execution results)")
    parser.add_argument("--code", type=Path, default=None,
                        help="with --writer-only: import autograder from this checkout")
    parser.add_argument("--batch", type=int, default=None,
                        help="with --writer-only: the writer's batch size (default: its own)")
    parser.add_argument("--distinct", type=int, default=12,
                        help="with --writer-only: submissions worked out one by one (the "
                             "others copy them under their own names; default: 12)")
    args = parser.parse_args(argv)
    if args.code is not None:
        sys.path.insert(0, str(args.code.resolve()))
    support = _support()
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        t0 = time.monotonic()
        distinct = min(args.n, args.distinct) if args.writer_only else None
        kinds = build(tmp / "plain", args.assignment, args.n, support, distinct)
        if args.writer_only:
            print(f"built {args.n} submissions of {args.assignment} in "
                  f"{time.monotonic() - t0:.1f} s", flush=True)
            found = writer_only(tmp / "plain", args.assignment, kinds, support, args.batch,
                                distinct)
            found |= {"assignment": args.assignment, "load_average": os.getloadavg()}
            print(f"writer ({found['writer']}, {found['code']}), ms per submission over "
                  f"{args.n}: wall prepare {found['prepare_ms']} + finish "
                  f"{found['finish_ms']} = {found['total_ms']}; CPU (the writer thread's) "
                  f"prepare {found['prepare_cpu_ms']} + finish {found['finish_cpu_ms']} = "
                  f"{found['total_cpu_ms']}; outcomes {found['statuses']}; "
                  f"load average {os.getloadavg()}")
            out = REPO / "bench" / "results"
            out.mkdir(parents=True, exist_ok=True)
            name = "writer-main.json" if args.code else "writer.json"
            (out / name).write_text(json.dumps(found, indent=1) + "\n")
            return 0
        shutil.copytree(tmp / "plain", tmp / "ours")
        if args.dask:
            shutil.copytree(tmp / "plain", tmp / "dask")
        print(f"built {args.n} submissions of {args.assignment} in "
              f"{time.monotonic() - t0:.1f} s", flush=True)
        env = support.nbgrader_env(tmp / "exchange")
        plain_s, plain = timed([str(support.BIN / "nbgrader"), "autograde", args.assignment],
                               tmp / "plain", env)
        print(f"nbgrader autograde (serial): {plain_s:.1f} s", flush=True)
        ours_s, ours = timed([sys.executable, "-m", "autograder", "grade", args.assignment,
                              "--workers", str(args.workers), "--no-progress"],
                             tmp / "ours", env)
        print(f"python -m autograder grade --workers {args.workers}: {ours_s:.1f} s", flush=True)
        runs = {"nbgrader": plain, "autograder": ours}
        if args.dask:
            dask_s, runs["dask"] = timed([sys.executable, "-m", "autograder", "grade",
                                          args.assignment, "--dask", args.dask,
                                          "--no-progress"], tmp / "dask", env)
            print(f"python -m autograder grade --dask {args.dask}: {dask_s:.1f} s", flush=True)
        failed = [name for name, res in runs.items() if res.returncode != 0]
        for name in failed:
            print(f"{name} exited {runs[name].returncode}:\n{runs[name].stderr[-3000:]}",
                  file=sys.stderr)
        a, b = scores(tmp / "plain", args.assignment), scores(tmp / "ours", args.assignment)
        differ = sorted(s for s in kinds if a.get(s) != b.get(s))
        if args.dask:
            c = scores(tmp / "dask", args.assignment)
            differ = sorted(set(differ) | {s for s in kinds if a.get(s) != c.get(s)})
        by_kind = {k: sorted({a[s]["total"] for s in kinds if kinds[s] == k and s in a})
                   for k in KINDS}
        result = {
            "assignment": args.assignment, "submissions": args.n, "workers": args.workers,
            "cores": os.cpu_count(), "nbgrader_seconds": round(plain_s, 2),
            "autograder_seconds": round(ours_s, 2),
            "nbgrader_s_per_submission": round(plain_s / args.n, 3),
            "autograder_s_per_submission": round(ours_s / args.n, 3),
            "speedup": round(plain_s / ours_s, 2), "grades_identical": not differ,
            "differing_students": differ[:20], "totals_by_kind": by_kind,
            "load_average": os.getloadavg(),
            "autograder_submissions_per_second": round(args.n / ours_s, 3),
            "autograder_batch_seconds": batch_seconds(ours.stderr),
            "autograder_writer_s_per_submission": writer_seconds(tmp / "ours", args.assignment),
        }
        if args.dask:
            result.update({
                "dask": args.dask, "dask_seconds": round(dask_s, 2),
                "dask_batch_seconds": batch_seconds(runs["dask"].stderr),
                "dask_s_per_submission": round(dask_s / args.n, 3),
                "dask_submissions_per_second": round(args.n / dask_s, 3),
                "dask_speedup": round(plain_s / dask_s, 2),
                "dask_writer_s_per_submission": writer_seconds(tmp / "dask", args.assignment),
            })
        out = REPO / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "grading.json").write_text(json.dumps(result, indent=1) + "\n")
        print(f"\n{args.n} submissions: nbgrader {plain_s:.1f} s "
              f"({plain_s / args.n:.2f} s/submission), autograder {ours_s:.1f} s "
              f"({ours_s / args.n:.2f} s/submission): {plain_s / ours_s:.2f}x faster")
        print(f"submissions per second: nbgrader {args.n / plain_s:.2f}, "
              f"autograder {args.n / ours_s:.2f}")
        if args.dask:
            print(f"--dask {args.dask}: {dask_s:.1f} s ({args.n / dask_s:.2f} submissions/s, "
                  f"batch {result['dask_batch_seconds']} s): {plain_s / dask_s:.2f}x faster "
                  f"than nbgrader; the grader's serial time "
                  f"{result['dask_writer_s_per_submission']} s per submission")
        print(f"grades identical: {not differ}; totals by kind: {by_kind}")
        print(f"load average during the run: {os.getloadavg()}")
        if differ:
            for s in differ[:5]:
                print(f"  {s} ({kinds[s]}): nbgrader {a.get(s)} vs autograder {b.get(s)}")
        return 1 if failed or differ else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
