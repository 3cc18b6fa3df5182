"""End-to-end tests of ``python -m autograder grade|report`` with real nbgrader and processes.

A small course (tests/hostile/course.py) is graded twice: its honest submissions by plain
``nbgrader autograde``, and honest + hostile submissions (tests/hostile/corpus.py) by the
sandboxed parallel grader with short limits. Then: honest grades are identical, every
hostile submission has its expected outcome, nothing secret reaches any output, the
gradebook is intact, nothing escaped (network, processes, files). A second course is killed
with SIGKILL mid-batch and resumed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hostile import course as demo
from hostile.corpus import CASES, FORGERIES

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]

# Generous time limits (the tests check outcomes, not speed: an honest cell must never time
# out on a busy machine); tight resource limits, so the resource attacks hit them.
LIMITS = ["--cell-timeout", "20", "--notebook-timeout", "90", "--memory", "512",
          "--nproc", "48", "--file-size", "32", "--output-limit", "1", "--disk", "128"]
ENV_SECRET = "ENV-SECRET-5be0d2"
GRADE_TIMEOUT = 420

bwrap_missing = shutil.which("bwrap") is None or os.geteuid() != 0
needs_sandbox = pytest.mark.skipif(bwrap_missing, reason="needs root and bubblewrap")


def _env() -> dict[str, str]:
    env = demo.venv_env()
    env["AUTOGRADER_TEST_SECRET"] = ENV_SECRET
    env.pop("AUTOGRADER_LOG", None)
    return env


def grade_cmd(*extra: str) -> list[str]:
    """The grading command line."""
    return [sys.executable, "-m", "autograder", "grade", demo.ASSIGNMENT, "--workers", "2",
            *LIMITS, *extra]


def outcomes(root: Path) -> dict[str, dict]:
    """The journal records, by student."""
    folder = root / "autograded" / ".autograder" / demo.ASSIGNMENT / "outcomes"
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}


def gradebook_scores(root: Path) -> dict[str, dict[str, float]]:
    """Per student, per grade cell, the score nbgrader's gradebook holds."""
    from nbgrader.api import Gradebook

    out: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "demo-course") as gb:
        for sub in gb.find_assignment(demo.ASSIGNMENT).submissions:
            cells = {g.name: float(g.score) for nb in sub.notebooks for g in nb.grades}
            cells["total"] = float(sub.score)
            out[sub.student.id] = cells
    return out


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def grade_corpus(pristine: Path, base: Path) -> dict:
    """Submit the honest and hostile corpus and grade it both ways (see `graded`)."""
    listener = Listener()
    root = shutil.copytree(pristine, base / "course")
    plain = shutil.copytree(pristine, base / "plain")
    honest = demo.honest(pristine)
    for student, nb in honest.items():
        demo.submit(root, student, nb)
        demo.submit(plain, student, nb)
    ctx = {"course": root, "port": listener.port}
    for case in CASES:
        files = case.files(pristine, ctx) if case.files else None
        demo.submit(root, case.student, case.build(pristine, ctx), files=files)
        if case.plain:
            demo.submit(plain, case.student, case.build(pristine, ctx), files=files)
    nbgrader = subprocess.run([str(demo.venv_bin() / "nbgrader"), "autograde", demo.ASSIGNMENT],
                              cwd=plain, env=demo.venv_env(), capture_output=True, text=True,
                              timeout=GRADE_TIMEOUT)
    start = time.monotonic()
    proc = subprocess.Popen(grade_cmd(), cwd=root, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=GRADE_TIMEOUT)
    seconds = time.monotonic() - start
    listener.close()
    return {"root": str(root), "plain": str(plain), "honest": sorted(honest),
            "returncode": proc.returncode, "stdout": out, "stderr": err, "pid": proc.pid,
            "nbgrader_returncode": nbgrader.returncode, "nbgrader_stderr": nbgrader.stderr,
            "connections": listener.accepted, "seconds": seconds}


@needs_sandbox
def test_batch_completes_with_an_outcome_for_everyone(graded):
    assert graded.returncode == 0, graded.stderr[-3000:]
    records = outcomes(graded.root)
    expected = set(graded.honest) | {c.student for c in CASES}
    assert set(records) == expected
    assert "sandbox: bubblewrap" in graded.stderr
    assert "submission" in graded.stderr  # the tqdm progress bar


@pytest.mark.parametrize("case", FORGERIES, ids=[c.student for c in FORGERIES])
def test_forgery_earns_nothing_under_plain_nbgrader(graded, case):
    """Plain ``nbgrader autograde`` with the course's config: the judge decides, not outputs."""
    assert graded.nbgrader_returncode == 0, graded.nbgrader_stderr[-3000:]
    scores = gradebook_scores(graded.plain)[case.student]
    for question, points in case.scores.items():
        assert scores[question] == points, (case.what, question, scores)


@needs_sandbox
def test_honest_grades_equal_plain_nbgrader(graded):
    assert graded.nbgrader_returncode == 0, graded.nbgrader_stderr[-3000:]
    plain = gradebook_scores(graded.plain)
    ours = gradebook_scores(graded.root)
    for student in graded.honest:
        assert ours[student] == plain[student], student
    # the honest set really has different grades (right, wrong, blank, partial)
    assert len({plain[s]["total"] for s in graded.honest}) == 4
    records = outcomes(graded.root)
    for student in graded.honest:
        assert records[student]["status"] == "graded"
        assert records[student]["score"] == plain[student]["total"]


@needs_sandbox
@pytest.mark.parametrize("case", CASES, ids=[c.student for c in CASES])
def test_hostile_outcome(graded, case):
    record = outcomes(graded.root)[case.student]
    assert record["status"] == case.status, (case.what, record["detail"])
    assert set(case.flags) <= set(record["flags"]), (case.what, record["flags"])
    got = {q: v["score"] for q, v in record["questions"].items()}
    for question, points in case.scores.items():
        assert got[question] == points, (case.what, question, got)
    if case.status != "graded":
        assert record["needs_human"]


def _output_text(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text())
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            parts.append(json.dumps(out))
    return "\n".join(parts)


@needs_sandbox
def test_no_secret_reaches_any_output(graded):
    texts = {p: _output_text(p) for p in (graded.root / "autograded").glob("*/demo/*.ipynb")}
    assert len(texts) >= len(graded.honest) + len(CASES) - 2  # the two malformed ones
    journal = "\n".join(json.dumps(r) for r in outcomes(graded.root).values())
    for text in [*texts.values(), journal, graded.stdout, graded.stderr]:
        assert demo.SECRET not in text
        assert "SQLite format 3" not in text
        assert ENV_SECRET not in text
    spy = texts[graded.root / "autograded" / "x_read_secrets" / "demo" / "demo.ipynb"]
    assert "blocked" in spy and " READ " not in spy
    assert "FOUND" not in spy  # no notebook and no database anywhere in the sandbox
    links = texts[graded.root / "autograded" / "x_symlinks" / "demo" / "demo.ipynb"]
    assert " READ " not in links and "blocked" in links
    shadow = texts[graded.root / "autograded" / "x_shadow_module" / "demo" / "demo.ipynb"]
    import autograder

    assert f"autograder from {autograder.__file__}" in shadow
    assert "autograder.py" not in shadow and "calc_helpers" not in shadow


@needs_sandbox
def test_gradebook_intact_and_nothing_written_outside(graded):
    db = graded.root / "gradebook.db"
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        bad = con.execute("SELECT COUNT(*) FROM grade g JOIN grade_cells c ON g.cell_id = c.id "
                          "WHERE g.auto_score > c.max_score").fetchone()[0]
        assert bad == 0
    spy = _output_text(graded.root / "autograded" / "x_write_gradebook" / "demo" / "demo.ipynb")
    assert "WRITTEN" not in spy
    assert not list(graded.root.rglob("pwned.txt"))
    assert not Path("/usr/pwned.txt").exists()


@needs_sandbox
def test_no_byte_code_planted_in_the_course_packages(graded):
    """Kernels load the packages' own __pycache__ (compiled by the grader): read-only to them."""
    import autograder
    import calc_helpers

    spy = _output_text(graded.root / "autograded" / "x_poison_bytecode" / "demo" / "demo.ipynb")
    assert "WRITTEN" not in spy and spy.count("blocked") == 3
    for package in (autograder, calc_helpers):
        for pyc in Path(package.__file__).parent.rglob("*.pyc"):
            assert b"POISONED-PYC" not in pyc.read_bytes(), pyc


@needs_sandbox
def test_no_network_no_leftover_processes_or_scratch(graded):
    assert graded.connections == 0
    spy = _output_text(graded.root / "autograded" / "x_network" / "demo" / "demo.ipynb")
    assert "CONNECTED" not in spy and "blocked" in spy
    from autograder.grading.pool import processes_of, uid_base

    base = uid_base(graded.pid)
    assert not [p for uid in range(base, base + 16) for p in processes_of(uid)]
    assert not list(Path("/tmp").glob(f"agr-{graded.pid}-*"))
    flood = _output_text(graded.root / "autograded" / "x_print_flood" / "demo" / "demo.ipynb")
    assert len(flood) < 2_000_000


@needs_sandbox
def test_report_csv_and_html(graded):
    res = subprocess.run([sys.executable, "-m", "autograder", "report", demo.ASSIGNMENT],
                         cwd=graded.root, env=_env(), capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    out = graded.root / "reports" / demo.ASSIGNMENT
    rows = (out / "scores.csv").read_text().splitlines()
    assert rows[0].startswith("student,q1_test,q2_test,q3_explain,total,max_score,status")
    assert len(rows) == 1 + len(graded.honest) + len(CASES)
    assert any(r.startswith("h_right,2,3,0,5,") for r in rows)
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    for tag in ("first-order-error", "wrong-slope"):
        assert tag in page
    for student in ("x_os_exit", "x_swallow_interrupt", "x_bad_json", "x_edited_test"):
        assert student in page.split("need a human")[1]


def _resume_course(pristine: Path, where: Path) -> tuple[Path, dict[str, str]]:
    root = shutil.copytree(pristine, where)
    kinds = {}
    honest = demo.honest(pristine)
    for i in range(6):
        kind = sorted(honest)[i % 4]
        nb = json.loads(json.dumps(honest[kind]))
        nb = demo.nbformat.from_dict(nb)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_answer":
                cell.source = "import time\ntime.sleep(1.0)\n" + cell.source
        demo.submit(root, f"k{i}", nb)
        kinds[f"k{i}"] = kind
    return root, kinds


def _finished(journal: Path) -> list[Path]:
    """Outcome records, without the temporary file of a write the kill interrupted."""
    return [p for p in journal.glob("*.json") if not p.name.startswith(".")]


@needs_sandbox
def test_kill_9_then_resume_gives_the_clean_grades(graded, pristine, tmp_path):
    root, kinds = _resume_course(pristine, tmp_path / "resume")
    journal = root / "autograded" / ".autograder" / demo.ASSIGNMENT / "outcomes"
    # the killed run starts each kernel as a new Python (--no-fork), the resumed one forks
    # them: both ways must give the same grades
    proc = subprocess.Popen(grade_cmd("--no-progress", "--no-fork"), cwd=root, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + GRADE_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_finished(journal)) >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(_finished(journal))
    assert 2 <= done_before < len(kinds), "the kill came too late to test resuming"
    from autograder.grading.pool import processes_of, uid_base

    base = uid_base(proc.pid)

    def left() -> list[int]:
        return [p for uid in range(base, base + 16) for p in processes_of(uid)]

    # the sandboxes die with their parent (bwrap --die-with-parent): wait for that state,
    # with a generous guard for a busy machine
    guard = time.monotonic() + 60
    while left() and time.monotonic() < guard:
        time.sleep(0.1)
    assert not left()
    shutil.rmtree(next(Path("/tmp").glob(f"agr-{proc.pid}-*"), tmp_path / "none"),
                  ignore_errors=True)  # a SIGKILLed grader cannot clean its scratch

    again = subprocess.run(grade_cmd("--no-progress"), cwd=root, env=_env(),
                           capture_output=True, text=True, timeout=GRADE_TIMEOUT)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{len(kinds) - done_before} to grade, {done_before} already done" in again.stderr
    records = outcomes(root)
    assert set(records) == set(kinds)
    clean = gradebook_scores(graded.root)
    resumed = gradebook_scores(root)
    for student, kind in kinds.items():
        assert resumed[student] == clean[kind], student
        assert records[student]["status"] == "graded"
    with sqlite3.connect(root / "gradebook.db") as con:
        subs = con.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0]
        grades = con.execute("SELECT COUNT(*) FROM grade").fetchone()[0]
    assert subs == len(kinds)
    assert grades == 3 * len(kinds)

    from autograder.grading.batch import Batch
    from autograder.grading.course import Course
    from autograder.grading.sandbox import Limits, Sandbox

    todo, keep = Batch(Course.open(root), demo.ASSIGNMENT, Sandbox("none", Limits()),
                       workers=1).plan()
    assert todo == [] and sorted(keep) == sorted(kinds)  # a third run has nothing to do


def test_setpriv_fallback_needs_private_course_files():
    import tempfile

    from autograder.grading.sandbox import readable_by_others

    with tempfile.TemporaryDirectory() as tmp:  # in /tmp: pytest's own folders are private
        _check_exposure(Path(tmp), readable_by_others)


def _check_exposure(tmp_path: Path, readable_by_others) -> None:
    tmp_path.chmod(0o755)
    (tmp_path / "source").mkdir(mode=0o755)
    (tmp_path / "gradebook.db").write_text("x")
    (tmp_path / "gradebook.db").chmod(0o644)
    paths = [tmp_path / "source", tmp_path / "gradebook.db", tmp_path / "missing"]
    assert readable_by_others(paths) == [p.resolve() for p in paths[:2]]
    (tmp_path / "gradebook.db").chmod(0o640)
    (tmp_path / "source").chmod(0o750)
    assert readable_by_others(paths) == []
    (tmp_path / "gradebook.db").chmod(0o644)
    tmp_path.chmod(0o750)  # a private course folder protects everything in it
    assert readable_by_others(paths) == []
    tmp_path.chmod(0o755)


def test_journal_is_atomic_and_skips_torn_writes(tmp_path):
    from autograder.grading.outcomes import Journal, Outcome

    journal = Journal(tmp_path)
    outcome = Outcome("alice", "demo", score=3.0)
    outcome.flag("cell_timeout")
    outcome.set_status("timeout")
    outcome.set_status("graded")  # the most severe status stays
    journal.write(outcome)
    (journal.records / ".tmp-x.json").write_text('{"student": "bob"')  # a torn write
    (journal.records / "carol.json").write_text("{not json")
    loaded = journal.load()
    assert list(loaded) == ["alice"]
    assert loaded["alice"].status == "timeout" and loaded["alice"].needs_human
    assert not (journal.records / ".tmp-x.json").exists()
    journal.forget("alice")
    assert journal.load() == {}


def test_refuses_without_a_sandbox(pristine, tmp_path, monkeypatch, capsys):
    from autograder.grading import cli, sandbox

    root = shutil.copytree(pristine, tmp_path / "course")
    assert cli.main(["grade", demo.ASSIGNMENT, "--course", str(root), "--sandbox",
                     "none"]) == cli.EXIT_REFUSED
    assert "--unsafe" in capsys.readouterr().err
    monkeypatch.setattr(sandbox, "_bwrap_works", lambda: (False, "bwrap is not installed"))
    monkeypatch.setattr(sandbox, "_setpriv_works", lambda: (False, "setpriv is not usable"))
    monkeypatch.setattr(cli, "detect", sandbox.detect)
    assert cli.main(["grade", demo.ASSIGNMENT, "--course", str(root)]) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "No sandbox is available" in err and "bwrap is not installed" in err
    assert not (root / "autograded").exists() or not list((root / "autograded").glob("*/demo"))


@needs_sandbox
def test_one_run_per_assignment_at_a_time(pristine, tmp_path, capsys):
    import fcntl

    from autograder.grading import cli

    root = shutil.copytree(pristine, tmp_path / "course")
    demo.submit(root, "h_blank", demo.released(pristine))
    state = root / "autograded" / ".autograder" / demo.ASSIGNMENT
    state.mkdir(parents=True)
    with open(state / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code = cli.main(["grade", demo.ASSIGNMENT, "--course", str(root), "--no-fork",
                         "--no-progress"])
    assert code == cli.EXIT_REFUSED
    assert "another grading run of demo is in progress" in capsys.readouterr().err
    assert not (state / "outcomes").exists()


def test_a_notebook_that_never_ran_earns_nothing(pristine, tmp_path):
    """A kernel that could not start (or a grader failure) must not hand out marks.

    nbgrader scores a test cell without output as passed; the writer's fail-closed net
    zeroes every graded cell the judge did not decide, and sends them to a human.
    """
    from autograder.grading.course import Course
    from autograder.grading.gradebook_writer import GradebookWriter
    from autograder.grading.outcomes import Journal
    from autograder.grading.runner import ExecutionResult

    root = shutil.copytree(pristine, tmp_path / "course")
    demo.submit(root, "h_right", demo.honest(pristine)["h_right"])
    course = Course.open(root)
    writer = GradebookWriter(course, demo.ASSIGNMENT, Journal(course.state_dir(demo.ASSIGNMENT)))
    try:
        prep = writer.prepare("h_right")
        results = {job.notebook: ExecutionResult(nb=job.nb, resources=job.resources,
                                                 status="kernel_died",
                                                 detail="the kernel could not start")
                   for job in prep.jobs}
        outcome = writer.finish(prep, results)
    finally:
        writer.close()
    assert outcome.status == "kernel_died" and outcome.needs_human
    assert "not_judged" in outcome.flags
    scores = gradebook_scores(root)["h_right"]
    assert scores["q1_test"] == 0 and scores["q2_test"] == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "demo-course") as gb:
        for gid in ("q1_test", "q2_test"):
            assert gb.find_grade(gid, demo.NOTEBOOK, demo.ASSIGNMENT, "h_right").needs_manual_grade


@needs_sandbox
def test_collect_refuses_links_and_fifos_in_the_exchange(pristine, tmp_path):
    """A student's links (to the solutions) and FIFOs in the exchange are never followed."""
    root = shutil.copytree(pristine, tmp_path / "course")
    exchange = tmp_path / "exchange"
    inbound = exchange / "demo-course" / "inbound"
    inbound.mkdir(parents=True)
    sub = inbound / f"x_linker+{demo.ASSIGNMENT}+2030-01-01 10:00:00.000000 UTC+abc"
    sub.mkdir()
    nbformat_path = demo.submit(tmp_path / "scratch", "x_linker", demo.honest(pristine)["h_right"])
    shutil.copy(nbformat_path, sub / f"{demo.NOTEBOOK}.ipynb")
    (sub / "timestamp.txt").write_text("2030-01-01 10:00:00.000000 UTC")
    os.symlink(root / "source" / demo.ASSIGNMENT / f"{demo.NOTEBOOK}.ipynb", sub / "leak.ipynb")
    os.symlink(root / "gradebook.db", sub / "grades.db")
    os.mkfifo(sub / "fifo")
    env = demo.venv_env()
    collect = subprocess.run(
        [str(demo.venv_bin() / "nbgrader"), "collect", demo.ASSIGNMENT,
         f"--Exchange.root={exchange}", "--CollectApp.check_owner=False"],
        cwd=root, env=env, capture_output=True, text=True, timeout=GRADE_TIMEOUT)
    assert collect.returncode == 0, collect.stderr[-3000:]
    got = root / "submitted" / "x_linker" / demo.ASSIGNMENT
    names = sorted(p.name for p in got.iterdir())
    assert names == sorted([f"{demo.NOTEBOOK}.ipynb", "timestamp.txt", ".collect_refused.json"])
    assert demo.SECRET not in "".join(p.read_text(errors="replace") for p in got.iterdir())
    assert "leak.ipynb (a link)" in collect.stderr and "fifo (not a regular file)" in collect.stderr
    # nothing to collect is said loudly, with the folder that was searched and what to set
    for where in ("elsewhere", "empty"):
        (tmp_path / "empty" / "demo-course" / "inbound").mkdir(parents=True, exist_ok=True)
        empty = subprocess.run(
            [str(demo.venv_bin() / "nbgrader"), "collect", demo.ASSIGNMENT,
             f"--Exchange.root={tmp_path / where}"], cwd=root, env=env,
            capture_output=True, text=True, timeout=GRADE_TIMEOUT)
        assert empty.returncode != 0 and "DFML_EXCHANGE_ROOT" in empty.stderr, where
    graded = subprocess.run(grade_cmd("--no-progress"), cwd=root, env=_env(),
                            capture_output=True, text=True, timeout=GRADE_TIMEOUT)
    assert graded.returncode == 0, graded.stderr[-3000:]
    record = outcomes(root)["x_linker"]
    assert "unsafe_files_removed" in record["flags"] and "leak.ipynb" in record["detail"]
    assert record["score"] == 5.0


@needs_sandbox
def test_regrading_keeps_manual_grades_and_files_stay_the_instructors(pristine, tmp_path):
    """Graded with sudo: the instructor still owns what was written; a regrade keeps the
    written answer's manual grade settled, and the report follows the gradebook."""
    from nbgrader.api import Gradebook

    root = shutil.copytree(pristine, tmp_path / "course")
    demo.submit(root, "h_right", demo.honest(pristine)["h_right"])
    owner = 65534  # the instructor: not root
    for path in [root, *root.rglob("*")]:
        os.lchown(path, owner, owner)
    first = subprocess.run(grade_cmd("--no-progress"), cwd=root, env=_env(),
                           capture_output=True, text=True, timeout=GRADE_TIMEOUT)
    assert first.returncode == 0, first.stderr[-3000:]
    for path in [root / "gradebook.db", *(root / "autograded").rglob("*")]:
        assert path.lstat().st_uid == owner, path

    def report_lists_h_right() -> bool:
        res = subprocess.run([sys.executable, "-m", "autograder", "report", demo.ASSIGNMENT],
                             cwd=root, env=_env(), capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        page = (root / "reports" / demo.ASSIGNMENT / "report.html").read_text()
        return "h_right" in page.split("need a human")[1]

    assert report_lists_h_right()  # the written answer waits for a person
    db = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db, "demo-course") as gb:  # the instructor grades it, as the formgrader does
        grade = gb.find_grade("q3_explain", demo.NOTEBOOK, demo.ASSIGNMENT, "h_right")
        grade.manual_score = 1.0
        grade.needs_manual_grade = False
        gb.db.commit()
    assert not report_lists_h_right()
    again = subprocess.run(grade_cmd("--no-progress", "--force"), cwd=root, env=_env(),
                           capture_output=True, text=True, timeout=GRADE_TIMEOUT)
    assert again.returncode == 0, again.stderr[-3000:]
    with Gradebook(db, "demo-course") as gb:
        grade = gb.find_grade("q3_explain", demo.NOTEBOOK, demo.ASSIGNMENT, "h_right")
        assert grade.manual_score == 1.0 and not grade.needs_manual_grade
        assert gb.find_submission(demo.ASSIGNMENT, "h_right").score == 6.0
    assert not report_lists_h_right()
    assert (root / "reports").lstat().st_uid == owner
