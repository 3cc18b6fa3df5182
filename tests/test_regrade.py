"""Regrading with ``python -m autograder grade``: chosen questions only (``--questions``), and
against the variant a notebook was worked under (``--variant-from-worked-by``).

Real nbgrader, real sandboxed kernels and the test courses of tests/hostile/course.py, each
built and graded once per session for every pytest-xdist worker (``shared.build_once``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from hostile import course as demo
from hostile.corpus import WORKED_BY_ATTACKS, self_study_work
from shared import build_once
from test_grading import GRADE_TIMEOUT, _env, grade_cmd, needs_sandbox, outcomes

from autograder.identity import Identity, record_identity

pytestmark = [pytest.mark.slow, needs_sandbox]


def _grade(root: Path, *extra: str) -> dict:
    res = subprocess.run(grade_cmd("--no-progress", *extra), cwd=root, env=_env(),
                         capture_output=True, text=True, timeout=GRADE_TIMEOUT)
    return {"returncode": res.returncode, "stderr": res.stderr}


def _state(root: Path) -> dict:
    """Every grade and comment of every submission, as the gradebook holds them."""
    from nbgrader.api import Gradebook

    out: dict = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "demo-course") as gb:
        for sub in gb.find_assignment(demo.ASSIGNMENT).submissions:
            cells = {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    cells[g.name] = {"auto": g.auto_score, "manual": g.manual_score,
                                     "extra": g.extra_credit, "needs": g.needs_manual_grade,
                                     "score": float(g.score)}
                for c in nb.comments:
                    cells[f"comment:{c.name}"] = {"auto": c.auto_comment,
                                                  "manual": c.manual_comment}
            cells["total"] = float(sub.score)
            out[sub.student.id] = cells
    return out


def _outputs(root: Path) -> dict:
    """Per student, per grade id, the outputs of the graded notebook's cells."""
    out = {}
    for path in (root / "autograded").glob(f"*/{demo.ASSIGNMENT}/{demo.NOTEBOOK}.ipynb"):
        nb = json.loads(path.read_text())
        out[path.parent.parent.name] = {
            c["metadata"]["nbgrader"]["grade_id"]: c.get("outputs", [])
            for c in nb["cells"] if "grade_id" in c.get("metadata", {}).get("nbgrader", {})}
    return out


def _set(root: Path, student: str, cell: str, **values: object) -> None:
    """What an instructor does in the formgrader: a manual grade or comment."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "demo-course") as gb:
        find = gb.find_comment if "manual_comment" in values else gb.find_grade
        row = find(cell, demo.NOTEBOOK, demo.ASSIGNMENT, student)
        for key, value in values.items():
            setattr(row, key, value)
        gb.db.commit()


#: The instructor's fix of the checker after grading: 9 is also accepted for q1, and q2 gives
#: full credit to the forward difference. A regrade of q1 only must change q1 and nothing else.
FIXED_Q1 = ("right = abs(got - 6.0) < 1e-9", "right = abs(got - 6.0) < 1e-9 or got == 9")
FIXED_Q2 = ('tags.append("first-order-error")', "points += 1")


def _question_regrade(pristine: Path, base: Path) -> dict:
    root = shutil.copytree(pristine, base / "course")
    config = root / "nbgrader_config.py"  # the copy's own checker, which the test edits
    config.write_text(config.read_text().replace(repr(str(pristine.resolve())),
                                                 repr(str(root.resolve()))))
    honest = demo.honest(pristine)
    for student in ("h_right", "h_wrong", "h_partial"):
        demo.submit(root, student, honest[student])
    first = _grade(root)
    # the instructor grades by hand: the written answer, an override of h_partial's q2 and a
    # comment on its answer
    _set(root, "h_partial", "q3_explain", manual_score=0.5, needs_manual_grade=False)
    _set(root, "h_right", "q3_explain", manual_score=1.0, needs_manual_grade=False)
    _set(root, "h_partial", "q2_test", manual_score=2.5, needs_manual_grade=False)
    _set(root, "h_partial", "q2_answer", manual_comment="see me about h")
    before = {"state": _state(root), "outputs": _outputs(root), "outcomes": outcomes(root)}
    judge = root / "demojudge.py"
    text = judge.read_text()
    for old, new in (FIXED_Q1, FIXED_Q2):
        assert old in text
        text = text.replace(old, new)
    judge.write_text(text)
    # refused before grading starts: unknown ids, a manually graded cell, a student never graded
    unknown = _grade(root, "--questions", "q1,q9,q3_explain", "--no-fork")
    demo.submit(root, "h_late", honest["h_right"])
    late = _grade(root, "--questions", "q1", "--students", "h_late", "--no-fork")
    shutil.rmtree(root / "submitted" / "h_late")
    unchanged = _state(root) == before["state"] and _outputs(root) == before["outputs"]
    again = _grade(root, "--questions", "q1", "--force")
    return {"root": str(root), "first": first, "before": before, "unknown": unknown,
            "late": late, "unchanged_by_refusals": unchanged,
            "again": again, "after": {"state": _state(root), "outputs": _outputs(root),
                                      "outcomes": outcomes(root)}}


@pytest.fixture(scope="module")
def questions(pristine, tmp_path_factory):
    """Three students graded, graded by hand, the check fixed, then only q1 regraded."""
    data = build_once(tmp_path_factory, "regrade_questions",
                      lambda folder: _question_regrade(pristine, folder))
    return SimpleNamespace(**data)


def test_regrade_one_question_changes_only_that_question(questions):
    assert questions.first["returncode"] == 0, questions.first["stderr"][-3000:]
    assert questions.again["returncode"] == 0, questions.again["stderr"][-3000:]
    before, after = questions.before["state"], questions.after["state"]
    # the fixed check reached q1: h_wrong's 9 is now right
    assert before["h_wrong"]["q1_test"]["auto"] == 0
    assert after["h_wrong"]["q1_test"]["auto"] == 2
    # every other cell is exactly as it was: q2 would earn 3 under the fixed check if it had
    # been regraded; manual grades, their status and comments are kept
    for student in ("h_right", "h_wrong", "h_partial"):
        for cell, values in before[student].items():
            if cell not in ("q1_test", "total"):
                assert after[student][cell] == values, (student, cell)
    assert after["h_partial"]["q2_test"]["auto"] == 1
    assert after["h_partial"]["q2_test"]["manual"] == 2.5
    assert not after["h_partial"]["q2_test"]["needs"]
    assert after["h_partial"]["q3_explain"]["manual"] == 0.5
    assert after["h_partial"]["comment:q2_answer"]["manual"] == "see me about h"
    assert after["h_partial"]["total"] == 2 + 2.5 + 0.5
    assert after["h_wrong"]["total"] == 2 + 1  # q2: only the linear slope is right


def test_regrade_one_question_keeps_the_other_outputs_and_records(questions):
    old, new = questions.before["outputs"], questions.after["outputs"]
    for student in ("h_right", "h_wrong", "h_partial"):
        for cell in old[student]:
            if cell != "q1_test":
                assert new[student][cell] == old[student][cell], (student, cell)
    assert new["h_wrong"]["q1_test"] != old["h_wrong"]["q1_test"]
    assert "Correct!" in json.dumps(new["h_wrong"]["q1_test"])
    records = questions.after["outcomes"]
    for student in ("h_right", "h_wrong", "h_partial"):
        assert "regraded q1_test only" in records[student]["detail"]
        state = questions.after["state"][student]
        assert {q: v["score"] for q, v in records[student]["questions"].items()} == {
            q: state[q]["score"] for q in ("q1_test", "q2_test", "q3_explain")}
        old_checks = [c for c in questions.before["outcomes"][student]["checks"]
                      if c["cell"] == "q2_test"]
        assert [c for c in records[student]["checks"] if c["cell"] == "q2_test"] == old_checks
    pending = Path(questions.root) / "autograded" / ".autograder" / demo.ASSIGNMENT
    assert not list((pending / "regrade-pending").glob("*.json"))  # every snapshot used


def test_unknown_question_refuses_before_grading(questions):
    for run in (questions.unknown, questions.late):
        assert run["returncode"] == 2, run["stderr"][-2000:]
        assert "Refusing to grade" in run["stderr"]
        assert "Grading demo" not in run["stderr"]  # nothing started
    assert "unknown question id(s): q9" in questions.unknown["stderr"]
    for valid in ("q1 (q1_test)", "q2 (q2_test)"):
        assert valid in questions.unknown["stderr"]
    assert "q3_explain is graded by hand" in questions.unknown["stderr"]
    assert "h_late was never graded" in questions.late["stderr"]
    assert questions.unchanged_by_refusals


# -- against the variant the notebook was worked under -------------------------------------

def _genuine_record(folder: Path, identity: Identity) -> str:
    """The record the setup cell writes (the course's own code writes it)."""
    folder.mkdir(parents=True, exist_ok=True)
    record_identity(folder, demo.ASSIGNMENT, identity)
    return (folder / ".worked_by.json").read_text()


def _variant_regrade(base: Path) -> dict:
    root = demo.make_course(base / "course", cell_timeout=5, variants=True)
    own = demo.released(root)
    demo.set_solution(own, "q1_answer", f"answer = {demo.variant_answer('v_honest')}")
    demo.set_solution(own, "q2_answer", demo.RIGHT_Q2)
    demo.submit(root, "v_honest", own, files={".worked_by.json": _genuine_record(
        base / "rec-honest", Identity("v_honest", "jupyterhub"))})
    worked = self_study_work(root, {})
    demo.set_solution(worked, "q3_explain", demo.RIGHT_Q3)
    demo.submit(root, "v_selfstudy", worked, files={".worked_by.json": _genuine_record(
        base / "rec-self", Identity("self-study", "default"))})
    ctx = {"course": root, "port": 0}

    def submit(case: object) -> None:
        files = case.files(root, ctx) if case.files else None
        demo.submit(root, case.student, case.build(root, ctx), files=files)

    # one attack is graded by default first (its grades must survive the refusal); the others
    # are refused before anything runs, so grading them by default first would only cost time
    garbled = next(c for c in WORKED_BY_ATTACKS if c.student == "w_garbled")
    submit(garbled)
    default = _grade(root)
    default_state = _state(root)
    default_outcomes = outcomes(root)
    for case in WORKED_BY_ATTACKS:
        if case is not garbled:
            submit(case)
    _set(root, "v_selfstudy", "q3_explain", manual_score=1.0, needs_manual_grade=False)
    no_students = _grade(root, "--variant-from-worked-by", "--no-fork")
    on_dask = _grade(root, "--students", "*", "--variant-from-worked-by", "--dask", "local:1")
    decided = _grade(root, "--students", "*", "--variant-from-worked-by")
    return {"root": str(root), "default": default, "default_state": default_state,
            "default_outcomes": default_outcomes, "no_students": no_students,
            "on_dask": on_dask,
            "decided": decided, "state": _state(root), "outcomes": outcomes(root),
            "outputs": _outputs(root)}


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """The variant course graded by default, then with the instructor's decision."""
    data = build_once(tmp_path_factory, "regrade_variants", _variant_regrade)
    return SimpleNamespace(**data)


def test_variant_from_worked_by_grades_the_variant_the_student_saw(variants):
    assert variants.default["returncode"] == 0, variants.default["stderr"][-3000:]
    # by default: graded against the student's own variant, and held for a human
    first = variants.default_outcomes["v_selfstudy"]
    assert first["status"] == "variant_mismatch" and first["needs_human"]
    assert variants.default_state["v_selfstudy"]["q1_test"]["auto"] == 0
    # the instructor's decision: the self-study variant, full marks, manual grade kept
    record = variants.outcomes["v_selfstudy"]
    assert record["status"] == "graded", record["detail"]
    assert "variant_from_worked_by" in record["flags"]
    assert "INSTRUCTOR'S DECISION" in record["detail"]
    state = variants.state["v_selfstudy"]
    assert state["q1_test"]["auto"] == 2 and state["q2_test"]["auto"] == 3
    assert state["q3_explain"]["manual"] == 1.0 and not state["q3_explain"]["needs"]
    assert state["total"] == 6
    for answer in ("q1_answer", "q2_answer", "q3_explain"):
        assert "variant of 'self-study'" in state[f"comment:{answer}"]["auto"]
    assert "variant of 'self-study'" in json.dumps(variants.outputs["v_selfstudy"]["q1_test"])
    # a student who worked as themselves: the decision changes nothing
    assert variants.outcomes["v_honest"]["status"] == "graded"
    assert variants.state["v_honest"]["q1_test"]["auto"] == 2


def test_variant_decision_names_its_students(variants):
    run = variants.no_students
    assert run["returncode"] == 2 and "--students GLOB" in run["stderr"]


def test_variant_decision_is_not_sent_to_a_cluster(variants):
    run = variants.on_dask  # the kernel's environment is set on this machine only
    assert run["returncode"] == 2 and "run it without --dask" in run["stderr"]
    assert "Grading demo" not in run["stderr"]  # refused before anything started


@pytest.mark.parametrize("case", WORKED_BY_ATTACKS, ids=[c.student for c in WORKED_BY_ATTACKS])
def test_bad_record_refuses_the_decision(variants, case):
    assert variants.decided["returncode"] == 1, variants.decided["stderr"][-3000:]
    record = variants.outcomes[case.student]
    assert record["status"] == "error", (case.what, record)
    assert "--variant-from-worked-by refused" in record["detail"], record["detail"]
    assert case.detail in record["detail"], (case.what, record["detail"])
    assert "variant_from_worked_by" not in record["flags"]
    # the grades the student had (if any) are left exactly as they were
    assert "w_garbled" in variants.default_state  # one had grades
    assert variants.state.get(case.student) == variants.default_state.get(case.student)


def test_a_regrade_without_the_decision_says_it_drops_it(variants):
    """A later --force run without the option grades against the student's own variant:
    the command says so for the students last graded with the decision."""
    from autograder.grading import cli
    from autograder.grading.batch import Batch
    from autograder.grading.course import Course
    from autograder.grading.sandbox import Limits, Sandbox

    batch = Batch(Course.open(variants.root), demo.ASSIGNMENT, Sandbox("none", Limits()),
                  workers=1, students="v_*", force=True)
    todo, _ = batch.plan()
    note = cli._decisions_dropped(batch, todo)
    assert "v_selfstudy" in note and "--variant-from-worked-by" in note
    assert cli._decisions_dropped(batch, ["w_garbled"]) == ""  # never graded with it
