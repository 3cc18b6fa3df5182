"""The batched gradebook writer writes what nbgrader's own steps write, submission by submission.

200 synthetic submissions of the demo course (tests/hostile/course.py), each with a
synthetic execution result (tests/writer_support.py: right, wrong, partial, unreached,
dead kernels, timeouts, another student's identity, edited, deleted and duplicated cells,
malformed notebooks, late work, grades a person had settled), are graded twice on two copies
of one course:

* the reference: for each submission on its own, nbgrader's ``Autograde.init_assignment``,
  its sanitize preprocessors, the synthetic execution, then the course's save preprocessors
  (KeepManualGrades, SaveAutoGrades, RecordVerdicts, AssignLatePenalties, CheckCellMetadata),
  each opening the gradebook and committing as nbgrader does - what the writer did before
  it batched;
* the batched writer (``GradebookWriter.prepare`` / ``submit`` / ``flush``).

Every gradebook row (students, submissions and their timestamps, late penalties, every
grade's automatic and manual score and manual-grading mark, every comment) and every file in
``autograded/`` must be equal. A writer killed with SIGKILL between two commits journals only
what it committed, and a rerun of what is missing gives the same gradebook.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import course as demo
from shared import build_once
from writer_support import UNREACHED, Plan, synthetic_result

N = 200
DUE = "2030-01-01 12:00:00 UTC"
ON_TIME = "2030-01-01 10:00:00.000000 UTC"
LATE = "2030-01-02 09:30:00.000000 UTC"
#: a penalty that shows: late work loses its whole score (nbgrader's "zero" method)
LATE_CONFIG = '\nc.LateSubmissionPlugin.penalty_method = "zero"\n'
KINDS = ("right", "wrong", "partial", "unreached", "kernel_died", "timeout", "not_a_number",
         "other_identity", "broken", "blank")
BROKEN = ("bad_json", "edited_test", "deleted_test", "duplicate_cell")


def student(i: int) -> str:
    """The i-th synthetic student."""
    return f"w{i:03d}"


def plan_for(i: int) -> Plan:
    """What the synthetic execution of student ``i`` gives (the same for both writers)."""
    kind = KINDS[i % len(KINDS)]
    right = {"q1": 6, "q2": [6.0, 3.0, 5.0]}
    if kind == "wrong":
        return Plan({"q1": 9, "q2": [1.0, 2.0, 3.0]})
    if kind == "partial":
        return Plan({"q1": 6.0, "q2": [6.0, 3.0, 4.0]})
    if kind == "unreached":
        return Plan({"q1": 6, "q2": UNREACHED}, status="graded")
    if kind == "kernel_died":
        return Plan(status="kernel_died", detail="the kernel could not start")
    if kind == "timeout":
        return Plan({"q1": 6, "q2": UNREACHED}, status="timeout", flags=("cell_timeout",),
                    detail="the notebook ran past its time limit")
    if kind == "not_a_number":
        return Plan({"q1": "six", "q2": [6.0, 3.0, 5.0]})
    if kind == "blank":
        return Plan({"q1": None, "q2": None})
    return Plan(right)


def _notebook(pristine: Path, i: int):
    kind = KINDS[i % len(KINDS)]
    nb = demo.honest(pristine)["h_blank" if kind == "blank" else "h_right"]
    if kind != "broken":
        return nb
    broken = BROKEN[(i // len(KINDS)) % len(BROKEN)]
    if broken == "bad_json":
        return '{"cells": [ not json'
    if broken == "edited_test":
        demo.set_solution(nb, "q1_test", "print('all tests pass')")
    elif broken == "deleted_test":
        nb.cells = [c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") != "q2_test"]
    else:
        answer = next(c for c in nb.cells
                      if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_answer")
        copy = demo.nbformat.from_dict(json.loads(json.dumps(answer)))
        copy["id"] = f"dup{i:03d}"  # a new cell id: nbformat would give it a random one
        nb.cells.append(copy)
    return nb


def make_submissions(pristine: Path, root: Path) -> None:
    """The 200 submissions, and grades a person settled in an earlier grading of some."""
    from nbgrader.api import Gradebook

    from autograder import variants

    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write(LATE_CONFIG)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "demo-course") as gb:
        gb.update_or_create_assignment(demo.ASSIGNMENT, duedate=DUE)
    for i in range(N):
        name = student(i)
        stamp = LATE if i % 7 == 3 else ON_TIME
        files: dict[str, object] = {"notes.txt": f"notes of {name}"} if i % 11 == 0 else {}
        if i == N - 3:
            files["leak.txt"] = ("link", str(root / "source"))
        if i == N - 2:  # a submission without its notebook
            folder = root / "submitted" / name / demo.ASSIGNMENT
            folder.mkdir(parents=True)
            (folder / "timestamp.txt").write_text(stamp)
            continue
        demo.submit(root, name, _notebook(pristine, i), timestamp=stamp, files=files)
        if KINDS[i % len(KINDS)] == "other_identity":
            folder = root / "submitted" / name / demo.ASSIGNMENT
            variants.record_identity(folder, demo.ASSIGNMENT,
                                     variants.Identity(student(i + 1), "jupyterhub"))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "demo-course") as gb:
        for i in range(4, N, 9):  # graded before; a person then graded by hand
            gb.update_or_create_student(student(i))
            gb.update_or_create_submission(demo.ASSIGNMENT, student(i))
            for gid, points in (("q3_explain", 1.0), ("q1_test", 1.5))[: 2 - (i % 2)]:
                grade = gb.find_grade(gid, demo.NOTEBOOK, demo.ASSIGNMENT, student(i))
                grade.manual_score = points
                grade.needs_manual_grade = False
            gb.db.commit()


# -- the reference: nbgrader's own steps, one submission at a time -----------------------------


def _zero(course, name: str, notebooks: list[str]) -> None:
    """What the writer did when a submission could not be graded: 0, for a human."""
    from nbgrader.api import MissingEntry

    with _gradebook(course) as gb:
        gb.update_or_create_submission(demo.ASSIGNMENT, name)
        for nb_name in notebooks:
            try:
                sub = gb.find_submission_notebook(nb_name, demo.ASSIGNMENT, name)
            except MissingEntry:
                continue
            for grade in sub.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = True
        gb.db.commit()


def _gradebook(course):
    from nbgrader.api import Gradebook

    return Gradebook(course.db_url, course.course_id)


def _resources(course, name: str, notebook: str, dest: Path) -> dict:
    from autograder.judging.extraction import RECORD_FILE, read_regular, specs_from_gradebook

    specs = specs_from_gradebook(course.db_url, demo.ASSIGNMENT, notebook, course.course_id)
    submitted = course.path("submitted", name, demo.ASSIGNMENT)
    return {"dfml": {"specs": [s.to_json() for s in specs],
                     "record": read_regular(submitted / RECORD_FILE)},
            "unique_key": notebook, "output_files_dir": f"{notebook}_files",
            "metadata": {"name": notebook, "path": str(dest)},
            "nbgrader": {"student": name, "assignment": demo.ASSIGNMENT, "notebook": notebook,
                         "db_url": course.db_url}}


def reference_grade(course, i: int, steps: tuple[list, list, list], safe_root: Path) -> None:
    """Student ``i`` graded by nbgrader's converter and preprocessors, each committing."""
    import nbformat
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException

    from autograder.grading.gradebook_writer import NotebookJob, read_notebook, remove_duplicates
    from autograder.grading.submission_files import safe_copy, unsafe_entries
    from autograder.nbgrader_support import fail_closed

    sanitize, execute, save = steps
    name = student(i)
    dest = course.path("autograded", name, demo.ASSIGNMENT)
    submitted = course.path("submitted", name, demo.ASSIGNMENT)

    class _Autograde(Autograde):
        """As the writer always did: nbgrader reads a copy without the submitted links."""

        input_override: str | None = None

        @property
        def _input_directory(self) -> str:
            return self.input_override or super()._input_directory

    converter = _Autograde(coursedir=course.coursedir, config=course.config)
    if unsafe_entries(submitted):
        submitted = safe_copy(submitted, safe_root / name / demo.ASSIGNMENT)
        converter.input_override = str(safe_root)
    converter.notebooks = sorted(str(p) for p in submitted.glob("*.ipynb"))
    try:
        converter.init_assignment(demo.ASSIGNMENT, name)
    except NbGraderException:
        _zero(course, name, [demo.NOTEBOOK])
        return
    jobs = []
    for path in map(Path, converter.notebooks):
        try:
            nb = read_notebook(path)
        except (OSError, ValueError):
            _zero(course, name, [path.stem])
            continue
        remove_duplicates(nb)
        resources = _resources(course, name, path.stem, dest)
        try:
            for step in sanitize:
                nb, resources = step(config=course.config)(nb, resources)
        except Exception:  # noqa: BLE001 - nbgrader could not restore it: malformed
            _zero(course, name, [path.stem])
            continue
        text = nbformat.writes(nb)
        (dest / f"{path.stem}.ipynb").write_text(text, encoding="utf-8")
        jobs.append(NotebookJob(path.stem, nbformat.reads(text, as_version=4), resources))
    for job in jobs:
        result = synthetic_result(job, plan_for(i), course.config, execute)
        nb, resources = result.nb, result.resources
        fail_closed(nb, resources)
        for step in save:
            nb, resources = step(config=course.config)(nb, resources)
        (dest / f"{job.notebook}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")


# -- what to compare ---------------------------------------------------------------------------


def gradebook_rows(root: Path) -> dict[str, object]:
    """Every row the grading writes, by natural keys (nbgrader's ids are random)."""
    with sqlite3.connect(root / "gradebook.db") as con:
        q = con.execute
        return {
            "courses": sorted(q("SELECT id FROM course").fetchall()),
            "students": sorted(q("SELECT id, first_name, last_name, email, lms_user_id "
                                 "FROM student").fetchall()),
            "submissions": sorted(q(
                "SELECT s.student_id, a.name, s.timestamp, s.extension FROM submitted_assignment s "
                "JOIN assignment a ON a.id = s.assignment_id").fetchall()),
            "notebooks": sorted(q(
                "SELECT s.student_id, n.name, sn.flagged, sn.late_submission_penalty "
                "FROM submitted_notebook sn JOIN submitted_assignment s ON s.id = sn.assignment_id "
                "JOIN notebook n ON n.id = sn.notebook_id").fetchall()),
            "grades": sorted(q(
                "SELECT s.student_id, n.name, c.name, c.type, g.auto_score, g.manual_score, "
                "g.extra_credit, g.needs_manual_grade FROM grade g "
                "JOIN submitted_notebook sn ON sn.id = g.notebook_id "
                "JOIN submitted_assignment s ON s.id = sn.assignment_id "
                "JOIN notebook n ON n.id = sn.notebook_id "
                "JOIN base_cell c ON c.id = g.cell_id").fetchall()),
            "comments": sorted(q(
                "SELECT s.student_id, n.name, c.name, c.type, m.auto_comment, m.manual_comment "
                "FROM comment m JOIN submitted_notebook sn ON sn.id = m.notebook_id "
                "JOIN submitted_assignment s ON s.id = sn.assignment_id "
                "JOIN notebook n ON n.id = sn.notebook_id "
                "JOIN base_cell c ON c.id = m.cell_id").fetchall(),
                key=repr),
        }


def autograded_files(root: Path) -> dict[str, str]:
    """Every file the grading wrote for the students, by path, with its text.

    A cell nbgrader put back gets a random cell id when written (nbformat's validation):
    such ids (not in any submitted notebook) are shown as ``<new id>``.
    """
    base = root / "autograded"
    known = {cell.get("id") for p in (root / "submitted").rglob("*.ipynb")
             for cell in _cells(p)}
    out = {}
    for path in sorted(base.rglob("*")):
        if not path.is_file() or ".autograder" in path.relative_to(base).parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            for cell in _cells(path):
                if cell.get("id") not in known:
                    text = text.replace(f'"id": "{cell["id"]}"', '"id": "<new id>"')
        out[str(path.relative_to(base))] = text
    return out


def _cells(path: Path) -> list[dict]:
    try:
        return list(json.loads(path.read_text(encoding="utf-8")).get("cells", []))
    except (ValueError, AttributeError):
        return []


def journal(root: Path) -> dict[str, dict]:
    """The outcomes journal, by student."""
    folder = root / "autograded" / ".autograder" / demo.ASSIGNMENT / "outcomes"
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}


# -- the two gradings, once per session -------------------------------------------------------


@pytest.fixture(scope="module")
def submitted(pristine, tmp_path_factory) -> Path:
    """The course with the 200 submissions, before any grading."""

    def build(folder: Path) -> dict:
        root = shutil.copytree(pristine, folder / "course")
        make_submissions(pristine, root)
        return {"root": str(root)}

    return Path(build_once(tmp_path_factory, "writer-submitted", build)["root"])


def _grade_reference(submitted: Path, folder: Path) -> dict:
    from autograder.grading.course import Course
    from autograder.grading.gradebook_writer import GradebookWriter
    from autograder.grading.outcomes import Journal

    root = shutil.copytree(submitted, folder / "course", symlinks=True)
    course = Course.open(root)
    probe = GradebookWriter(course, demo.ASSIGNMENT, Journal(folder / "unused"))
    steps = (probe.sanitize_steps, probe.execute_steps, probe.save_steps)
    probe.close()
    for i in range(N):
        reference_grade(course, i, steps, folder / "safe")
    return {"root": str(root)}


def grade_batched(root: Path, indices: list[int], batch_size: int = 32) -> list:
    """Students ``indices`` through the batched writer; the outcomes it journaled."""
    from autograder.grading.course import Course
    from autograder.grading.gradebook_writer import GradebookWriter
    from autograder.grading.outcomes import Journal

    course = Course.open(root)
    writer = GradebookWriter(course, demo.ASSIGNMENT, Journal(course.state_dir(demo.ASSIGNMENT)),
                             batch_size=batch_size)
    outcomes = []
    try:
        for i in indices:
            prep = writer.prepare(student(i))
            results = {job.notebook: synthetic_result(job, plan_for(i), course.config,
                                                      writer.execute_steps)
                       for job in prep.jobs}
            outcomes += writer.submit(prep, results)
        outcomes += writer.flush()
    finally:
        writer.close()
    return outcomes


@pytest.fixture(scope="module")
def reference(submitted, tmp_path_factory) -> Path:
    """The course graded by nbgrader's steps, one submission at a time."""
    data = build_once(tmp_path_factory, "writer-reference",
                      lambda folder: _grade_reference(submitted, folder))
    return Path(data["root"])


@pytest.fixture(scope="module")
def batched(submitted, tmp_path_factory) -> Path:
    """The course graded by the batched writer."""

    def build(folder: Path) -> dict:
        root = shutil.copytree(submitted, folder / "course", symlinks=True)
        grade_batched(root, list(range(N)))
        return {"root": str(root)}

    return Path(build_once(tmp_path_factory, "writer-batched", build)["root"])


# -- the tests --------------------------------------------------------------------------------


def test_the_corpus_exercises_every_rule(reference):
    """The reference itself has every kind of row the comparison must cover."""
    rows = gradebook_rows(reference)
    assert len(rows["submissions"]) == N
    assert ("default_course",) in rows["courses"]
    grades = rows["grades"]
    scores = {g[4] for g in grades if g[2] == "q2_test"}
    assert {0.0, 2.0, 3.0} <= scores  # wrong, partial credit, right
    assert any(g[2] == "q1_test" and g[4] == 0 and g[7] for g in grades)  # zeroed, for a human
    assert any(g[5] is not None and not g[7] for g in grades)  # a settled manual grade kept
    assert any(g[5] is not None and g[7] for g in grades)  # a manual grade sent back
    penalties = {n[3] for n in rows["notebooks"]}
    assert None in penalties and any(p is not None and p > 0 for p in penalties)
    comments = [c[4] for c in rows["comments"]]
    assert "No response." in comments and any(c and "IDENTITY MISMATCH" in c for c in comments)


def test_batched_gradebook_equals_nbgraders_own_steps(reference, batched):
    ref, new = gradebook_rows(reference), gradebook_rows(batched)
    for table in ref:
        assert new[table] == ref[table], table


def test_batched_files_equal_nbgraders_own_steps(reference, batched):
    ref, new = autograded_files(reference), autograded_files(batched)
    assert sorted(new) == sorted(ref)
    assert len([p for p in ref if p.endswith(".ipynb")]) >= N - 20
    for path, text in ref.items():
        assert new[path] == text, path


def test_every_outcome_journaled_with_the_committed_scores(batched):
    records = journal(batched)
    assert sorted(records) == [student(i) for i in range(N)]
    rows = gradebook_rows(batched)
    totals: dict[str, float] = {}
    for sid, _nb, _cell, _type, auto, manual, extra, _needs in rows["grades"]:
        score = manual if manual is not None else auto
        totals[sid] = totals.get(sid, 0.0) + (score or 0.0) + (extra or 0.0)
    for sid, record in records.items():
        assert record["score"] == pytest.approx(totals[sid]), sid
    statuses = {r["status"] for r in records.values()}
    assert {"graded", "malformed", "kernel_died", "timeout", "variant_mismatch"} <= statuses
    assert "not_judged" in records[student(KINDS.index("kernel_died"))]["flags"]
    assert "unsafe_files_removed" in records[student(N - 3)]["flags"]


_KILLED = """
import os, signal, sys
sys.path[:0] = {paths!r}
from pathlib import Path
import test_gradebook_writer as t
from autograder.grading.course import Course
from autograder.grading.gradebook_writer import GradebookWriter
from autograder.grading.outcomes import Journal
from writer_support import synthetic_result

root = Path({root!r})
course = Course.open(root)
writer = GradebookWriter(course, "demo", Journal(course.state_dir("demo")), batch_size=8)
for n, i in enumerate(range(20)):
    prep = writer.prepare(t.student(i))
    results = {{job.notebook: synthetic_result(job, t.plan_for(i), course.config,
                                              writer.execute_steps) for job in prep.jobs}}
    writer.submit(prep, results)
    if n == 19:  # 16 committed in two batches; 4 saved, never committed
        os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_between_commits_then_rerun_gives_the_same_gradebook(submitted, reference,
                                                                    tmp_path):
    root = shutil.copytree(submitted, tmp_path / "course", symlinks=True)
    here = str(Path(__file__).parent)
    code = _KILLED.format(paths=[here, str(Path(here).parent)], root=str(root))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, cwd=root)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    done = journal(root)
    assert sorted(done) == [student(i) for i in range(16)]
    rows = gradebook_rows(root)
    assert sorted({s[0] for s in rows["submissions"]} - {student(i) for i in range(4, N, 9)}) == [
        student(i) for i in range(16) if i not in range(4, N, 9)]  # nothing of the last four
    # the rerun grades what has no record (as Batch.plan does), nothing else
    from autograder.grading.outcomes import Journal

    state = root / "autograded" / ".autograder" / demo.ASSIGNMENT
    missing = [i for i in range(N) if student(i) not in Journal(state).load()]
    assert missing == list(range(16, N))
    outcomes = grade_batched(root, missing)
    assert sorted(o.student for o in outcomes) == [student(i) for i in missing]
    ref, new = gradebook_rows(reference), gradebook_rows(root)
    for table in ref:
        assert new[table] == ref[table], table
    assert sorted(journal(root)) == [student(i) for i in range(N)]


def test_a_refused_commit_journals_nothing(submitted, tmp_path):
    """The database refuses the batch (locked by someone else): no outcome is recorded."""
    from sqlalchemy.exc import OperationalError

    from autograder.grading.course import Course
    from autograder.grading.gradebook_writer import GradebookWriter
    from autograder.grading.outcomes import Journal

    root = shutil.copytree(submitted, tmp_path / "course", symlinks=True)
    course = Course.open(root)
    journal_ = Journal(course.state_dir(demo.ASSIGNMENT))
    writer = GradebookWriter(course, demo.ASSIGNMENT, journal_, batch_size=100)
    holder = sqlite3.connect(root / "gradebook.db", isolation_level=None)
    try:
        for i in (0, 1, 2):
            prep = writer.prepare(student(i))
            results = {job.notebook: synthetic_result(job, plan_for(i), course.config,
                                                      writer.execute_steps)
                       for job in prep.jobs}
            assert writer.submit(prep, results) == []
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(OperationalError):
            writer.flush()
        assert journal_.load() == {}
        holder.execute("ROLLBACK")
        assert gradebook_rows(root)["submissions"] == sorted(
            (student(i), demo.ASSIGNMENT, None, None) for i in range(4, N, 9))
    finally:
        holder.close()
        writer.close()


def test_cell_ids_are_repaired_as_nbformat_repairs_them():
    """Reading and writing give missing and duplicate cell ids new ones, as nbformat does."""
    import nbformat

    from autograder.grading.sanitizing import as_read_back, as_text, read_notebook_text

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"),
                                         nbformat.v4.new_code_cell("2")])
    nb.cells[1]["id"] = nb.cells[0]["id"]
    text = json.dumps(nb)
    ours, theirs = read_notebook_text(text), nbformat.reads(text, as_version=4)
    for got in (ours, theirs):
        assert len({c["id"] for c in got.cells}) == 2
    del ours.cells[0]["id"]
    ours.cells[1]["id"] = "x"
    ours.metadata["orig_nbformat"] = 3
    as_text(ours)  # gives the cell without an id one, as nbformat.writes does
    assert all(c.get("id") for c in ours.cells)
    expected = nbformat.writes(ours)
    assert as_text(ours) == expected
    assert as_read_back(ours) == nbformat.reads(expected, as_version=4)
