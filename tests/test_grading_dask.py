"""``python -m autograder grade --dask``: real Dask clusters, real nbgrader, real sandboxes.

The demo course of tests/test_grading.py (its builders and its shared, once-per-session
fixtures) is graded with ``--dask local:2`` (a LocalCluster of two worker processes):

* honest work gets the grades of the local grader and of plain ``nbgrader autograde``, and a
  few hostile submissions the local grader's outcomes;
* a worker process killed with SIGKILL mid-batch changes no one's outcome; the client killed
  with SIGKILL, a rerun grades only what is missing, and the grades are the clean ones;
* workers running other code (tests/hostile/dask_attacks.py: one honest about its course
  code hash, one lying about it and answering for another student) give ``error`` outcomes,
  never scores;
* every forged reply of the hostile corpus is refused before anything in it is used.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hostile import course as demo
from hostile.corpus import CASES
from hostile.dask_attacks import REPLY_ATTACKS, ROGUE_WORKERS
from shared import build_once
from test_grading import (
    GRADE_TIMEOUT,
    _env,
    _finished,
    grade_cmd,
    gradebook_scores,
    needs_sandbox,
    outcomes,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-dask")]

#: Hostile submissions also graded on Dask: they must end as the local grader ended them.
ON_DASK = ("x_os_exit", "x_print_flood", "x_forged_extraction", "x_deleted_test")
DASK_BIN = Path(sys.executable).parent / "dask"
#: Seconds one ``grade --dask`` run may take: a cluster's workers load SymPy and the course
#: while the grader runs its preflight, which takes minutes on a busy 2-core machine.
DASK_TIMEOUT = 2 * GRADE_TIMEOUT


def _wait(condition, what: str, timeout: float = DASK_TIMEOUT, proc=None) -> None:
    """Poll ``condition`` until it holds (generous: the machine may be busy)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the grader ended (status {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _journal(root: Path) -> Path:
    return root / "autograded" / ".autograder" / demo.ASSIGNMENT / "outcomes"


def _worker_pids(root: Path) -> list[int]:
    """The Dask workers' pids, as the grader logs them when it connects."""
    log = root / "autograded" / ".autograder" / demo.ASSIGNMENT / "grading.log"
    if not log.exists():
        return []
    return [int(line.split(": pid ")[1].split()[0]) for line in log.read_text().splitlines()
            if "dask worker " in line and ": pid " in line]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _grade_on_dask(pristine: Path, base: Path) -> dict:
    root = shutil.copytree(pristine, base / "course")
    honest = demo.honest(pristine)
    for student, nb in honest.items():
        demo.submit(root, student, nb)
    ctx = {"course": root, "port": 9}
    for case in CASES:
        if case.student in ON_DASK:
            files = case.files(pristine, ctx) if case.files else None
            demo.submit(root, case.student, case.build(pristine, ctx), files=files)
    res = subprocess.run(grade_cmd("--dask", "local:2", "--no-progress"), cwd=root, env=_env(),
                         capture_output=True, text=True, timeout=DASK_TIMEOUT)
    return {"root": str(root), "honest": sorted(honest), "returncode": res.returncode,
            "stderr": res.stderr}


@pytest.fixture(scope="module")
def dask_graded(pristine, tmp_path_factory):
    """Honest work and a few hostile submissions graded with ``--dask local:2``."""
    data = build_once(tmp_path_factory, "dask_graded",
                      lambda folder: _grade_on_dask(pristine, folder))
    data["root"] = Path(data["root"])
    return SimpleNamespace(**data)


# -- the reply attacks (no cluster: the test plays the worker) ------------------------------

@pytest.fixture(scope="module")
def exchange(pristine, tmp_path_factory):
    """A real prepared submission, its task, and an honest reply to it."""
    from autograder.grading import dask_protocol as protocol
    from autograder.grading.course import Course
    from autograder.grading.gradebook_writer import GradebookWriter
    from autograder.grading.outcomes import Journal
    from autograder.grading.runner import ExecutionResult
    from autograder.grading.sandbox import Limits

    root = shutil.copytree(pristine, tmp_path_factory.mktemp("exchange") / "course")
    demo.submit(root, "h_partial", demo.honest(pristine)["h_partial"])
    course = Course.open(root)
    writer = GradebookWriter(course, demo.ASSIGNMENT,
                             Journal(course.state_dir(demo.ASSIGNMENT)))
    prep = writer.prepare("h_partial")
    data, sent = protocol.make_task(prep, limits=Limits(output_mb=1), settings={},
                                    provided={"demochecks.py": b"# provided\n"},
                                    code_hash="c0de")
    task = protocol.read_task(data)
    results = {job.notebook: ExecutionResult(
        nb=job.nb, resources={"dfml": {"extracted": {s["grade_id"]: "6" for s in
                                                     job.resources["dfml"]["specs"]}}})
        for job in prep.jobs}
    honest = protocol.reply(task, results, "c0de", "tcp://127.0.0.1:1")
    yield SimpleNamespace(course=course, writer=writer, prep=prep, sent=sent, task=task,
                          honest=honest)
    writer.close()


def test_an_honest_reply_is_read_back(exchange):
    from autograder.grading import dask_protocol as protocol

    assert protocol.provided_files(exchange.task) == {"demochecks.py": b"# provided\n"}
    assert "gradebook" not in json.dumps(exchange.task)  # no db_url, no instructor paths
    assert str(exchange.course.root) not in json.dumps(exchange.task)
    results = protocol.read_reply(exchange.honest, exchange.sent, exchange.prep.jobs)
    assert set(results) == {"demo"}
    assert results["demo"].status == "graded"
    assert results["demo"].resources["dfml"]["extracted"] == {"q1_test": "6", "q2_test": "6"}
    assert results["demo"].resources["nbgrader"]["student"] == "h_partial"


@pytest.mark.parametrize("attack", REPLY_ATTACKS, ids=[a.name for a in REPLY_ATTACKS])
def test_a_forged_reply_is_refused(exchange, attack):
    from autograder.grading import dask_protocol as protocol

    forged = attack.forge(json.loads(exchange.honest), exchange.task)
    if not attack.raw:
        forged = json.dumps(forged).encode()
    with pytest.raises(protocol.Refused) as caught:
        protocol.read_reply(forged, exchange.sent, exchange.prep.jobs)
    assert attack.refused in str(caught.value), (attack.what, str(caught.value))


def test_a_refused_reply_is_an_error_outcome_never_a_grade(exchange):
    from autograder.grading.dask_backend import _results

    outcome = exchange.writer.finish(exchange.prep, _results(
        exchange.prep, "error", "refused: a reply about another submission"))
    assert outcome.status == "error" and outcome.needs_human
    assert "another submission" in outcome.detail
    assert all(q["needs_manual"] for q in outcome.questions.values()
               if q["max"] and q["auto"] is not None)


# -- real clusters --------------------------------------------------------------------------

@needs_sandbox
def test_dask_batch_gives_everyone_the_local_outcome(dask_graded, graded):
    assert dask_graded.returncode == 0, dask_graded.stderr[-3000:]
    assert "2 ready for this course's code" in dask_graded.stderr
    ours, local = outcomes(dask_graded.root), outcomes(graded.root)
    assert set(ours) == set(dask_graded.honest) | set(ON_DASK)
    for student, record in ours.items():
        want = local[student]
        assert (record["status"], record["flags"], record["score"]) == (
            want["status"], want["flags"], want["score"]), student
        assert record["questions"] == want["questions"], student


@needs_sandbox
def test_dask_honest_grades_equal_plain_nbgrader(dask_graded, graded):
    assert graded.nbgrader_returncode == 0, graded.nbgrader_stderr[-3000:]
    plain, ours = gradebook_scores(graded.plain), gradebook_scores(dask_graded.root)
    for student in dask_graded.honest:
        assert ours[student] == plain[student], student
    assert len({plain[s]["total"] for s in dask_graded.honest}) == 4


def _slow_course(pristine: Path, where: Path, n: int) -> tuple[Path, dict[str, str]]:
    """``n`` honest submissions, each pausing a second (so a batch is long enough to kill)."""
    root = shutil.copytree(pristine, where)
    honest = demo.honest(pristine)
    kinds = {}
    for i in range(n):
        kind = sorted(honest)[i % 4]
        nb = demo.nbformat.from_dict(json.loads(json.dumps(honest[kind])))
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_answer":
                cell.source = "import time\ntime.sleep(1.0)\n" + cell.source
        demo.submit(root, f"k{i:02d}", nb)
        kinds[f"k{i:02d}"] = kind
    return root, kinds


@needs_sandbox
def test_killed_worker_then_killed_client_then_rerun(dask_graded, pristine, tmp_path):
    """SIGKILL a worker mid-batch, then the client; a rerun grades what is missing."""
    root, kinds = _slow_course(pristine, tmp_path / "course", 10)
    journal = _journal(root)
    cmd = grade_cmd("--dask", "local:2", "--no-progress")
    proc = subprocess.Popen(cmd, cwd=root, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait(lambda: len(_finished(journal)) >= 1, "a first outcome", proc=proc)
        victim = _worker_pids(root)[0]
        os.kill(victim, signal.SIGKILL)
        at_worker_kill = len(_finished(journal))
        _wait(lambda: len(_finished(journal)) >= at_worker_kill + 2,
              "outcomes after the worker was killed", proc=proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    done_before = len(_finished(journal))
    assert at_worker_kill < len(kinds), "the worker was killed after the batch"
    assert done_before < len(kinds), "the client was killed after the batch"
    workers = _worker_pids(root)
    _wait(lambda: not any(_alive(p) for p in workers), "the workers to die with the client",
          timeout=120)

    again = subprocess.run(cmd, cwd=root, env=_env(), capture_output=True, text=True,
                           timeout=DASK_TIMEOUT)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{len(kinds) - done_before} to grade, {done_before} already done" in again.stderr
    records = outcomes(root)
    assert set(records) == set(kinds)
    clean = gradebook_scores(dask_graded.root)
    resumed = gradebook_scores(root)
    for student, kind in kinds.items():
        assert records[student]["status"] == "graded", (student, records[student]["detail"])
        assert resumed[student] == clean[kind], student


def _rogue_copy(where: Path, changes: dict[str, list[tuple[str, str]]]) -> Path:
    """A copy of the installed autograder package with ``changes`` applied."""
    import autograder

    target = where / "autograder"
    shutil.copytree(Path(autograder.__file__).parent, target,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for rel, edits in changes.items():
        path = target / rel
        text = path.read_text()
        for old, new in edits:
            assert text.count(old) == 1, (rel, old)
            text = text.replace(old, new)
        path.write_text(text)
    return where


def _workers(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=60) as client:
        return len(client.scheduler_info(n_workers=-1)["workers"])


@needs_sandbox
def test_workers_running_other_code_give_errors_not_grades(pristine, tmp_path):
    from autograder.grading.batch import Batch
    from autograder.grading.course import Course
    from autograder.grading.dask_protocol import course_code_hash
    from autograder.grading.sandbox import Limits, Sandbox

    root = shutil.copytree(pristine, tmp_path / "course")
    honest = demo.honest(pristine)
    for student in ("r_one", "r_two"):
        demo.submit(root, student, honest["h_right"])
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [str(DASK_BIN), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)], env=_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    worker = None
    try:
        _wait(lambda: scheduler_file.exists() and scheduler_file.stat().st_size > 0,
              "the scheduler", timeout=120)
        address = json.loads(scheduler_file.read_text())["address"]
        for kind, (changes, detail) in ROGUE_WORKERS.items():
            env = _env()
            env["PYTHONPATH"] = str(_rogue_copy(tmp_path / kind, changes))
            env["ROGUE_HASH"] = course_code_hash()
            worker = subprocess.Popen(
                [str(DASK_BIN), "worker", address, "--nthreads", "1", "--no-nanny",
                 "--no-dashboard"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            _wait(lambda: _workers(address) == 1, f"the {kind} worker", timeout=180)
            res = subprocess.run(
                grade_cmd("--dask", address, "--no-progress", "--no-fork"), cwd=root,
                env=_env(), capture_output=True, text=True, timeout=DASK_TIMEOUT)
            assert res.returncode == 1, (kind, res.stderr[-3000:])  # grader errors
            records = outcomes(root)
            assert set(records) == {"r_one", "r_two"}
            for student, record in records.items():
                assert record["status"] == "error", (kind, student, record)
                assert detail in record["detail"], (kind, record["detail"])
                assert record["needs_human"]
            todo, keep = Batch(Course.open(root), demo.ASSIGNMENT, Sandbox("none", Limits()),
                               workers=1).plan()
            assert sorted(todo) == ["r_one", "r_two"] and not keep  # the next run regrades
            worker.terminate()
            worker.wait(timeout=60)
            _wait(lambda: _workers(address) == 0, "the worker to leave", timeout=120)
    finally:
        for proc in (worker, scheduler):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
