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


def build(course: Path, assignment: str, n: int, support: Any) -> dict[str, str]:
    """Generate the assignment and N submissions; return {student: kind}."""
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
    """Mean serial seconds per submission of the single writer (prepare + finish)."""
    log = course / "autograded" / ".autograder" / assignment / "grading.log"
    if not log.exists():
        return None
    text = log.read_text(errors="replace")
    prepared = [float(x) for x in re.findall(r": prepared in ([0-9.]+) s", text)]
    finished = [float(x) for x in re.findall(r": finished in ([0-9.]+) s", text)]
    if not prepared or not finished:
        return None
    return sum(prepared) / len(prepared) + sum(finished) / len(finished)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 if a grade differs or a command fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=60, help="submissions (default: 60)")
    parser.add_argument("--assignment", default="ps1_limits_and_derivatives")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    parser.add_argument("--dask", default=None, metavar="ADDRESS",
                        help="also grade with --dask ADDRESS (e.g. local:2)")
    args = parser.parse_args(argv)
    support = _support()
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        t0 = time.monotonic()
        kinds = build(tmp / "plain", args.assignment, args.n, support)
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
