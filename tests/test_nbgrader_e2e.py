"""The graded side of the course end to end, with the real nbgrader.

One temporary course and exchange; every assignment is generated, released, fetched by the
students, filled in, submitted, collected, autograded, fed back and exported. The students:

* alice writes her own variant's right answers (literal values, as a student types them);
* bob leaves everything blank (and never ran the setup cell);
* carol makes the typical mistakes (`typical_mistakes`): partial credit, misconception messages;
* a copier pastes alice's answers into their own notebook: 0 on every part whose answer is not
  a pick from a few labels;
* erin (ps1 only) worked the notebook before logging in, so as the self-study variant: graded
  as herself, and told so in the feedback and the gradebook;
* mallory (ps1 only) copies alice's answers and tampers: redefines the checks, ``ps`` and
  calc_helpers, writes a fake ``autograder`` package into her folder, claims alice's identity
  in ``os.environ`` and changes folder; she also edits one test cell and deletes another and
  the setup cell. She gets nothing for it;
* ``solutions`` is the instructor's source notebooks submitted as they are: full marks.

Grades are decided by the course's judge outside the kernels (``nbgrader_config.py``), so the
tampering cannot reach them. Last, the sandboxed grader's preflight passes on this course and
refuses (grading no one) when its kernels cannot import the course's packages.

Repeated commands run through nbgrader's CLI application in a few batches (`run_nbgrader`);
autograding and feedback are one command each over all assignments.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbgrader_support import (
    ASSIGNMENTS,
    cells_by_id,
    feedback_text,
    fill_notebook,
    grade_id,
    hidden_test_lines,
    make_course,
    nbgrader_env,
    problem_set,
    record_worked_as,
    right_answers,
    run_nbgrader,
    source_notebook,
    student_flags,
    typical_mistakes,
    written_answer_id,
)
from shared import build_once

from autograder import MESSAGES, variants

# One xdist worker runs this whole file: the other would only wait for its course to be
# graded (the lock in `shared.build_once`) instead of running other tests meanwhile.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader-e2e")]

PS1 = ASSIGNMENTS[0]
EVERYONE = ("alice", "bob", "carol")  # plus the copier
COPIER_CANDIDATES = ("dina", "dave", "drew", "dana", "deb", "dev", "dora")
ALICE_WRITES = "The secant slope tends to the tangent slope as h shrinks (written answer)."

TAMPER = """
# tampering: every check says "correct", and so does a fake `ps`
import importlib
import os
import sys

import autograder
import calc_helpers
from autograder import feedback as _fb


def _always(*args, **kwargs):
    return _fb.correct("trust me")


for _name in [n for n in dir(autograder) if n.startswith("check_")]:
    setattr(autograder, _name, _always)
autograder.partial_credit = lambda feedback, points: float(points)
calc_helpers.derivative = lambda *args, **kwargs: 0
import autograder.nbgrader_support as _support

_support.hidden_grader = lambda *a, **k: type("G", (), {"partial_credit": lambda s, q, a, p: p})()


class _Fake:
    def check(self, qid, answer):
        return _fb.correct("trust me")

    def show(self, qid):
        return None


ps = _Fake()

# a fake autograder package where a fresh import would look first: the notebook's folder
_FAKE = "class G:\\n    def partial_credit(self, qid, answer, points):\\n        return points\\n"
_FAKE += "def hidden_grader(*args, **kwargs):\\n    return G()\\n"
for _folder in (".", os.path.abspath(os.path.join("elsewhere", "autograded", "alice", "PS1"))):
    os.makedirs(os.path.join(_folder, "autograder"), exist_ok=True)
    open(os.path.join(_folder, "autograder", "__init__.py"), "w").write("")
    open(os.path.join(_folder, "autograder", "nbgrader_support.py"), "w").write(_FAKE)
sys.path.insert(0, os.path.abspath("."))
importlib.invalidate_caches()
# and claim to be alice, whose answers these are
os.environ["DFML_GRADED_STUDENT"] = "alice"
os.environ["NBGRADER_EXECUTION"] = "validate"
os.chdir(_folder)
""".replace("PS1", ASSIGNMENTS[0])


def copier_name(rights: dict[str, dict]) -> str:
    """The first candidate whose variant shares no non-choice answer with alice's (`rights`)."""
    for name in COPIER_CANDIDATES:
        overlap = False
        for assignment in ASSIGNMENTS:
            ps = problem_set(assignment, name)
            for qid, value in rights[assignment].items():
                if not ps.question(qid).choice and ps.check(qid, value).score > 0:
                    overlap = True
        if not overlap:
            return name
    raise AssertionError(f"every copier candidate shares an answer with alice: {COPIER_CANDIDATES}")


@dataclass
class Course:
    """What the end-to-end run left behind."""

    root: Path
    course: Path
    copier: str
    logs: list[str] = field(default_factory=list)  # the nbgrader runs' combined logs
    expected: dict[tuple[str, str, str], float] = field(default_factory=dict)  # points

    def to_json(self) -> dict:
        """The run as JSON, for the xdist workers that did not build it."""
        return {"root": str(self.root), "course": str(self.course), "copier": self.copier,
                "logs": self.logs, "expected": [[*key, v] for key, v in self.expected.items()]}

    @classmethod
    def from_json(cls, data: dict) -> Course:
        """The run `to_json` wrote."""
        expected = {(s, a, q): v for s, a, q, v in data["expected"]}
        return cls(Path(data["root"]), Path(data["course"]), data["copier"], data["logs"],
                   expected)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.course / 'gradebook.db'}"

    def submissions(self) -> list[tuple[str, str]]:
        pairs = [(s, a) for s in (*EVERYONE, self.copier, "solutions") for a in ASSIGNMENTS]
        return pairs + [("erin", PS1), ("mallory", PS1)]

    def feedback(self, student: str, assignment: str) -> Path:
        return self.course / "feedback" / student / assignment / f"{assignment}.html"

    def autograded(self, student: str, assignment: str):
        path = self.course / "autograded" / student / assignment / f"{assignment}.ipynb"
        return nbformat.read(path, as_version=4)


def points_of(assignment: str) -> dict[str, float]:
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    return {
        grade_id(c).removeprefix("test_"): float(c.metadata["nbgrader"]["points"])
        for c in nb.cells
        if (grade_id(c) or "").startswith("test_")
    }


def _tamper(path: Path, answers: dict) -> None:
    """mallory's notebook: alice's answers, tampering code, an edited and two deleted cells."""
    fill_notebook(path, answers)
    nb = nbformat.read(path, as_version=4)
    cells = cells_by_id(nb)
    cells["answer_1a"].source += TAMPER
    cells["test_1c"].source = "# Check your answer (run this cell).\n3.0\n"
    nb.cells = [c for c in nb.cells if grade_id(c) not in ("test_1d", "setup")]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Course:
    """The whole course run once per session, whichever xdist worker asks first."""
    return Course.from_json(build_once(tmp_path_factory, "e2e", lambda root: _run(root).to_json()))


def _run(root: Path) -> Course:
    """Release, fetch, work, submit, collect, autograde, grade by hand, feed back, export."""
    course = make_course(root / "course")
    exchange = root / "exchange"
    env = nbgrader_env(exchange, AUTOGRADER_LOG=str(root / "checks.jsonl"))
    alice = {a: right_answers(a, "alice") for a in ASSIGNMENTS}
    run = Course(root, course, copier_name(alice))
    work = {s: list(ASSIGNMENTS) for s in (*EVERYONE, run.copier)}
    work.update({"erin": [PS1], "mallory": [PS1]})
    homes = {s: root / "home" / s for s in work}
    for home in homes.values():
        home.mkdir(parents=True)

    # the instructor generates and releases; the students fetch
    commands = [(["generate_assignment", "*", "--force"], course)]
    commands += [(["release_assignment", a, "--force"], course) for a in ASSIGNMENTS]
    commands += [
        (["fetch_assignment", *work[s], *student_flags(exchange, homes[s])], homes[s]) for s in work
    ]
    run.logs.append(run_nbgrader(commands, env).check().log)

    # the students work
    points = {a: points_of(a) for a in ASSIGNMENTS}
    for student, assignments in work.items():
        for assignment in assignments:
            folder = homes[student] / assignment
            notebook = folder / f"{assignment}.ipynb"
            ps = problem_set(assignment, student)
            expected = {}
            if student == "alice":
                fill_notebook(notebook, alice[assignment], ALICE_WRITES)
                expected = dict(points[assignment])
            elif student == "bob":
                expected = {q: 0.0 for q in points[assignment]}
            elif student == "carol":
                mistakes = typical_mistakes(assignment, student)
                fill_notebook(notebook, {q: m.answer for q, m in mistakes.items()}, "I think so.")
                expected = {q: m.fraction * points[assignment][q] for q, m in mistakes.items()}
            elif student == run.copier:
                fill_notebook(notebook, alice[assignment], ALICE_WRITES)
                expected = {
                    q: round(ps.check(q, v).score * points[assignment][q], 4)
                    for q, v in alice[assignment].items()
                }
            elif student == "erin":
                fill_notebook(notebook, right_answers(assignment, variants.DEFAULT_STUDENT))
                expected = {q: 0.0 for q in points[assignment]}
            elif student == "mallory":
                _tamper(notebook, alice[assignment])
                expected = {q: 0.0 for q in points[assignment]}
            if student == "erin":
                record_worked_as(folder, assignment, variants.DEFAULT_STUDENT, "default")
            elif student != "bob":
                record_worked_as(folder, assignment, student)
            for qid, value in expected.items():
                run.expected[(student, assignment, qid)] = value
    for assignment in ASSIGNMENTS:
        submitted = course / "submitted" / "solutions" / assignment
        submitted.mkdir(parents=True)
        shutil.copy(source_notebook(assignment), submitted)
        for qid, value in points[assignment].items():
            run.expected[("solutions", assignment, qid)] = value

    # submit, collect, autograde (one command for all assignments and students)
    commands = [
        (["submit", a, f"--student={s}", *student_flags(exchange, homes[s])], homes[s])
        for s, assignments in work.items()
        for a in assignments
    ]
    commands += [(["collect", a], course) for a in ASSIGNMENTS]
    commands += [(["autograde", "*", "--force"], course)]
    run.logs.append(run_nbgrader(commands, env).check().log)

    # the instructor grades the written answers: full marks for alice, 1 point for carol
    from nbgrader.api import Gradebook

    with Gradebook(run.db_url) as gradebook:
        for assignment in ASSIGNMENTS:
            written = written_answer_id(nbformat.read(source_notebook(assignment), as_version=4))
            for student, score in (("alice", None), ("carol", 1.0)):
                grade = gradebook.find_grade(written, assignment, assignment, student)
                grade.manual_score = grade.max_score if score is None else score
            gradebook.db.commit()

    commands = [
        (["generate_feedback", "*", "--force"], course),
        (["export", f"--to={root / 'grades.csv'}"], course),
    ]
    run.logs.append(run_nbgrader(commands, env).check().log)
    for log in run.logs:  # the timings, shown with pytest -s
        print("\n".join(line for line in log.splitlines() if line.startswith("### ")))
    return run


def gradebook_scores(run: Course) -> dict[tuple[str, str, str], float]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(run.db_url) as gradebook:
        for student, assignment in run.submissions():
            for qid in points_of(assignment):
                grade = gradebook.find_grade(f"test_{qid}", assignment, assignment, student)
                scores[(student, assignment, qid)] = grade.score
    return scores


def test_every_submission_is_graded_and_fed_back(graded):
    for student, assignment in graded.submissions():
        assert graded.feedback(student, assignment).exists(), (student, assignment)


def test_scores_are_exact(graded):
    scores = gradebook_scores(graded)
    wrong = {
        key: (scores[key], expected)
        for key, expected in graded.expected.items()
        if abs(scores[key] - expected) > 1e-6
    }
    assert not wrong, f"(got, expected) per (student, assignment, question): {wrong}"


def test_right_variant_full_marks_blank_zero(graded):
    scores = gradebook_scores(graded)
    for assignment in ASSIGNMENTS:
        for qid, points in points_of(assignment).items():
            assert scores[("alice", assignment, qid)] == points
            assert scores[("solutions", assignment, qid)] == points
            assert scores[("bob", assignment, qid)] == 0


def test_copied_answers_score_nothing_on_varied_parts(graded):
    scores = gradebook_scores(graded)
    for assignment in ASSIGNMENTS:
        ps = problem_set(assignment, graded.copier)
        for qid in points_of(assignment):
            if not ps.question(qid).choice:
                assert scores[(graded.copier, assignment, qid)] == 0, (assignment, qid)
    assert all(scores[("erin", PS1, q)] == 0 for q in points_of(PS1))


def test_typical_mistakes_get_partial_credit_and_their_messages(graded):
    scores = gradebook_scores(graded)
    for assignment in ASSIGNMENTS:
        total = sum(scores[("carol", assignment, q)] for q in points_of(assignment))
        assert 0 < total < sum(points_of(assignment).values()), assignment
        text = feedback_text(graded.feedback("carol", assignment))
        for qid, mistake in typical_mistakes(assignment, "carol").items():
            for tag in mistake.tags:
                assert MESSAGES[tag] in text, (assignment, qid, tag)


def test_feedback_never_shows_hidden_tests(graded):
    for student, assignment in graded.submissions():
        hidden = hidden_test_lines(nbformat.read(source_notebook(assignment), as_version=4))
        submitted = graded.course / "submitted" / student / assignment / f"{assignment}.ipynb"
        own = nbformat.read(submitted, as_version=4)
        typed = {line.strip() for c in own.cells for line in c.source.splitlines()}
        raw = graded.feedback(student, assignment).read_text(encoding="utf-8")
        text = feedback_text(graded.feedback(student, assignment))
        assert "HIDDEN TESTS" not in raw, (student, assignment)
        for line in hidden:
            if line not in typed:  # a line the student wrote themselves may appear
                assert line not in text, (student, assignment, line)
        assert "Graded question" in text  # the hidden tests' messages are shown instead


def test_identity_mismatch_is_said_plainly(graded):
    from nbgrader.api import Gradebook

    text = feedback_text(graded.feedback("erin", PS1))
    assert "IDENTITY MISMATCH" in text and "'self-study'" in text and "'erin'" in text
    with Gradebook(graded.db_url) as gradebook:
        comment = gradebook.find_comment("answer_1a", PS1, PS1, "erin").auto_comment
        assert comment and "IDENTITY MISMATCH" in comment
        assert not gradebook.find_comment("answer_1a", PS1, PS1, "alice").auto_comment
    assert "IDENTITY MISMATCH" not in feedback_text(graded.feedback("alice", PS1))
    assert "carries no record" in feedback_text(graded.feedback("bob", PS1))


def test_tampering_gains_nothing(graded):
    scores = gradebook_scores(graded)
    assert all(scores[("mallory", PS1, q)] == 0 for q in points_of(PS1))
    cells = cells_by_id(graded.autograded("mallory", PS1))
    assert {"setup", "test_1c", "test_1d"} <= set(cells)  # put back before grading
    assert "BEGIN HIDDEN TESTS" in cells["test_1c"].source
    assert "BEGIN HIDDEN TESTS" in cells["test_1d"].source


def test_untouched_notebooks_log_no_checksum_warnings(graded):
    changed = [line for log in graded.logs for line in log.splitlines()
               if "has changed!" in line]
    # only mallory's edited test cell; the released test cells of everyone else are quiet
    assert changed and all("cell test_1c " in line for line in changed), changed


def test_export_has_every_student_and_the_manual_grades(graded):
    with open(graded.root / "grades.csv", newline="") as handle:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(handle)}
    assert set(graded.submissions()) <= set(rows)
    for assignment in ASSIGNMENTS:
        alice = rows[("alice", assignment)]
        assert float(alice["score"]) == float(alice["max_score"])
        assert float(rows[("bob", assignment)]["score"]) == 0


def test_checks_were_logged(graded):
    log = (graded.root / "checks.jsonl").read_text(encoding="utf-8")
    assert '"missing_chain_factor"' in log and '"question": "1a"' in log


needs_sandbox = pytest.mark.skipif(shutil.which("bwrap") is None or os.geteuid() != 0,
                                   reason="the sandboxed grader needs root and bubblewrap")


@needs_sandbox
def test_preflight_passes_and_refuses_a_sandbox_without_the_course_packages(graded):
    command = [sys.executable, "-m", "autograder"]
    common = ["--no-progress", "--workers", "1"]
    ok = subprocess.run([*command, "preflight", PS1, *common], cwd=graded.course,
                        capture_output=True, text=True, timeout=900)
    total = sum(points_of(PS1).values())
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert f"Preflight passed: solution {total:g}/{total:g}, blank 0/{total:g}" in ok.stderr
    # the kernels see only NumPy and SymPy: the course's own packages are missing
    broken = subprocess.run([*command, "grade", PS1, *common, "--force", "--preload",
                             "numpy,sympy"], cwd=graded.course, capture_output=True, text=True,
                            timeout=900)
    assert broken.returncode == 2, broken.stderr[-3000:]
    assert "Preflight failed" in broken.stderr and "autograder" in broken.stderr
    assert "no submission was graded" in broken.stderr
    journal = graded.course / "autograded" / ".autograder" / PS1 / "outcomes"
    assert not list(journal.glob("*.json"))  # nobody was graded
