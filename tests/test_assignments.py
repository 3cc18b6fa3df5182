"""The graded assignments: their nbgrader structure, the variants, identity and the hidden tests.

Fast tests read the notebooks and call the course's modules in-process; the one slow test
regenerates release/ with the real ``nbgrader`` executable and compares it cell by cell.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbgrader_support import (
    ASSIGNMENTS,
    REPO,
    cells_by_id,
    grade_id,
    make_course,
    nbgrader_cli,
    nbgrader_env,
    nbgrader_meta,
    problem_set,
    questions,
    right_answers,
    source_notebook,
    typical_mistakes,
    written_answer_id,
)

from autograder import nbgrader_support, variants
from autograder.judging import course_checks
from autograder.judging.spec import Spec, hidden_region
from autograder.judging.spec import parse as spec_of

PS1 = ASSIGNMENTS[0]


def load(assignment: str):
    return nbformat.read(source_notebook(assignment), as_version=4)


# ---------------------------------------------------------------------------------------------
# The source notebooks
# ---------------------------------------------------------------------------------------------


def test_one_folder_and_notebook_per_assignment():
    assert sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir()) == sorted(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        assert [p.name for p in (REPO / "source" / assignment).iterdir()] == [f"{assignment}.ipynb"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_is_clean(assignment):
    nb = load(assignment)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_autograded_answer_has_a_test_with_hidden_tests(assignment):
    nb = load(assignment)
    cells = cells_by_id(nb)
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    qids = questions(nb)
    assert len(qids) >= 5
    assert qids == list(problem_set(assignment, "anyone").questions)
    order = [grade_id(c) for c in nb.cells]
    for qid in qids:
        answer, test = cells[f"answer_{qid}"], cells.get(f"test_{qid}")
        assert nbgrader_meta(answer) | {"grade": False, "solution": True} == nbgrader_meta(answer)
        assert answer.source.startswith(f"answer_{qid} = ...\n### BEGIN SOLUTION\n")
        assert answer.source.rstrip().endswith("### END SOLUTION")
        assert test is not None, f"question {qid} has no test cell"
        assert order.index(f"test_{qid}") == order.index(f"answer_{qid}") + 1
        meta = nbgrader_meta(test)
        assert meta["grade"] and meta["locked"] and not meta["solution"]
        visible, hidden = nbgrader_support.split_hidden(test.source)
        assert f'ps.check("{qid}", lambda: answer_{qid})' in visible
        # the hidden part is exactly the judge's spec for this question (nothing else runs)
        region = hidden_region(qid, f"answer_{qid}")
        assert test.source == f"{visible}\n{region}"
        found = spec_of(f"test_{qid}", test.source)
        assert found == Spec(f"test_{qid}", qid, f"answer_{qid}")
        assert cells[f"show_{qid}"].source == f'ps.show("{qid}")'


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_setup_and_the_written_answer(assignment):
    nb = load(assignment)
    cells = cells_by_id(nb)
    setup = cells["setup"]
    assert nbgrader_meta(setup)["locked"] and f'variants.setup("{assignment}")' in setup.source
    assert nb.cells.index(setup) == 1
    written = cells[written_answer_id(nb)]
    meta = nbgrader_meta(written)
    assert written.cell_type == "markdown" and meta["grade"] and meta["solution"]
    assert meta["points"] > 0
    assert "### BEGIN SOLUTION" in written.source and "### END SOLUTION" in written.source
    for cell in nb.cells:  # nothing else graded by hand, every locked cell known
        if cell.cell_type == "markdown" and cell is not written:
            assert not nbgrader_meta(cell)


@pytest.mark.slow
@pytest.mark.xdist_group("nbgrader")
def test_release_is_a_fresh_generate_assignment(tmp_path):
    course = make_course(tmp_path / "course")
    done = nbgrader_cli(
        ["generate_assignment", "*", "--force"], course, nbgrader_env(tmp_path / "exchange")
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.name for p in (REPO / "release").iterdir()) == sorted(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        files = sorted(p.name for p in (REPO / "release" / assignment).iterdir())
        assert files == [f"{assignment}.ipynb"], "release/ holds only generated notebooks"
        name = f"{assignment}/{assignment}.ipynb"
        committed = nbformat.read(REPO / "release" / name, as_version=4)
        fresh = nbformat.read(course / "release" / name, as_version=4)
        assert committed.metadata == fresh.metadata
        assert len(committed.cells) == len(fresh.cells), assignment
        for old, new in zip(committed.cells, fresh.cells, strict=True):
            assert old == new, f"{name}: cell {new.get('id')} differs; regenerate release/"
        for cell in fresh.cells:
            assert "HIDDEN TESTS" not in cell.source and "BEGIN SOLUTION" not in cell.source


# ---------------------------------------------------------------------------------------------
# Variants
# ---------------------------------------------------------------------------------------------


def shown(assignment: str, student: str) -> dict[str, str]:
    ps = problem_set(assignment, student)
    return {qid: repr(q.shown) for qid, q in ps.questions.items()}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_student_always_gets_the_same_variant(assignment):
    assert shown(assignment, "zoe") == shown(assignment, "zoe")
    assert variants.variant_code(assignment, "zoe") == variants.variant_code(assignment, "zoe")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_students_get_different_numbers(assignment):
    students = [f"student{i}" for i in range(8)]
    per_student = [shown(assignment, s) for s in students]
    for qid in per_student[0]:
        distinct = {variant[qid] for variant in per_student}
        assert len(distinct) >= 5, f"{assignment} {qid}: only {len(distinct)} variants in 8"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solutions_are_right_for_every_variant(assignment):
    for student in ("self-study", "zoe", "yusuf"):
        ps = problem_set(assignment, student)
        for qid, answer in right_answers(assignment, student).items():
            feedback = ps.check(qid, answer)
            assert feedback.correct, (student, qid, answer, feedback.message)


def test_under_autograde_the_kernel_checks_nothing_and_never_says_correct(monkeypatch):
    """The judge checks the answer outside the kernel and writes the cell's outputs; the
    kernel's own check is skipped, and what it returns can never pass for a right answer."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ps = problem_set(PS1, "zoe")
    evaluated = []
    for qid, answer in right_answers(PS1, "zoe").items():
        feedback = ps.check(qid, lambda answer=answer: evaluated.append(answer) or answer)
        assert not feedback.correct and feedback.score == 0.0
        assert feedback.state == "not_attempted" and "judge" in feedback.message
    assert evaluated == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_typical_mistakes_are_diagnosed(assignment):
    for student in ("carol", "zoe"):
        ps = problem_set(assignment, student)
        for qid, mistake in typical_mistakes(assignment, student).items():
            feedback = ps.check(qid, mistake.answer)
            assert feedback.score == pytest.approx(mistake.fraction), (student, qid, feedback)
            assert set(mistake.tags) <= set(feedback.tags), (student, qid, feedback)


@pytest.mark.parametrize("student", ["self-study", "zoe", "yusuf", "carol"])
def test_optimisation_references_come_from_the_engine(student):
    """5e is the saddle's critical point and 5f the learning rate where descent stops converging."""
    import calc_helpers as ch

    ps = problem_set("ps5_optimisation_for_ml", student)
    point = [part.args[0] for part in ps.question("5e").parts]
    assert ch.classify_critical_point_2d(ps.f("5e"), point, ["x", "y"]) == "saddle"
    (rate,) = ps.question("5f").parts[0].args
    below = ch.gradient_descent(ps.f("5f"), 1, float(rate) * 0.9, 400, x="w")
    above = ch.gradient_descent(ps.f("5f"), 1, float(rate) * 1.1, 400, x="w")
    assert abs(below[-1] - below[-2]) < 1e-9 and abs(above[-1]) > 1e6


def test_multi_part_answers_are_checked_part_by_part():
    ps = problem_set("ps2_differentiability", "zoe")
    assert ps.check("2a", ...).state == "not_attempted"
    assert ps.check("2a", "3").state == "cannot_read"  # a tuple of two is needed
    left, right = right_answers("ps2_differentiability", "zoe")["2a"]
    assert ps.check("2a", (left, right)).correct
    assert ps.check("2a", [left, None]).score == pytest.approx(0.5)


# ---------------------------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------------------------


def test_identity_order(tmp_path):
    graded = tmp_path / "autograded" / "zoe" / PS1
    ident = variants.current_identity
    env = {"NBGRADER_EXECUTION": "autograde", "JUPYTERHUB_USER": "hubuser"}
    assert ident(graded, env) == variants.Identity("zoe", "nbgrader")
    assert ident(graded, env | {variants.GRADED_ENV: "yusuf"}).student == "yusuf"
    assert ident(tmp_path, {"JUPYTERHUB_USER": "hubuser"}) == variants.Identity(
        "hubuser", "jupyterhub"
    )
    both = {"JUPYTERHUB_USER": "hubuser", variants.STUDENT_ENV: "preview"}
    assert ident(tmp_path, both) == variants.Identity("preview", "env")
    assert ident(tmp_path, {}) == variants.Identity(variants.DEFAULT_STUDENT, "default")
    assert ident(tmp_path, {"NBGRADER_EXECUTION": "validate"}).source == "default"


def test_the_record_and_the_mismatch_note(tmp_path):
    assert variants.read_record(tmp_path, PS1) is None
    assert variants.identity_note(None, "zoe") is None
    variants.record_identity(tmp_path, PS1, variants.Identity("zoe", "jupyterhub"))
    variants.record_identity(tmp_path, PS1, variants.Identity("zoe", "jupyterhub"))
    entries = variants.read_record(tmp_path, PS1)
    assert [e["student"] for e in entries] == ["zoe"]
    assert entries[0]["variant"] == variants.variant_code(PS1, "zoe")
    assert variants.identity_note(entries, "zoe") is None
    assert variants.record_status(tmp_path, PS1, "zoe") == "Worked and graded as student 'zoe'."
    note = variants.identity_note(entries, "yusuf")
    assert note.startswith("IDENTITY MISMATCH") and "'zoe'" in note and "'yusuf'" in note
    assert "carries no record" in variants.record_status(tmp_path / "elsewhere", PS1, "zoe")
    (tmp_path / variants.RECORD_FILE).write_text("not json")
    assert variants.read_record(tmp_path, PS1) is None


def test_setup_records_the_identity_but_not_in_the_course_copies(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv(variants.STUDENT_ENV, raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "zoe")
    home = tmp_path / "home" / PS1
    home.mkdir(parents=True)
    ps = variants.setup(PS1, home)
    assert ps.student == "zoe"
    assert [e["student"] for e in variants.read_record(home, PS1)] == ["zoe"]
    assert "for 'zoe'" in capsys.readouterr().out

    monkeypatch.setenv("JUPYTERHUB_USER", "yusuf")  # the same folder, another identity
    variants.setup(PS1, home)
    assert "WARNING" in capsys.readouterr().out

    (tmp_path / "course" / "source" / PS1).mkdir(parents=True)
    (tmp_path / "course" / "nbgrader_config.py").write_text("")
    master = tmp_path / "course" / "source" / PS1
    variants.setup(PS1, master)
    assert not (master / variants.RECORD_FILE).exists()


def test_setup_under_grading_compares_and_writes_nothing(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "autograded" / "yusuf" / PS1
    folder.mkdir(parents=True)
    variants.record_identity(folder, PS1, variants.Identity("zoe", "jupyterhub"))
    before = (folder / variants.RECORD_FILE).read_text()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ps = variants.setup(PS1, folder)
    assert ps.student == "yusuf"
    assert "IDENTITY MISMATCH" in capsys.readouterr().out
    assert (folder / variants.RECORD_FILE).read_text() == before


# ---------------------------------------------------------------------------------------------
# Hidden tests and the nbgrader preprocessors
# ---------------------------------------------------------------------------------------------


def test_the_course_checker_judges_the_graded_students_variant():
    own = right_answers(PS1, "yusuf")
    other = right_answers(PS1, "zoe")
    assert course_checks.judge_answer(PS1, "yusuf", "1c", own["1c"]).score == 1.0
    assert course_checks.judge_answer(PS1, "yusuf", "1c", other["1c"]).score == 0.0
    from autograder.answers import NOT_ATTEMPTED

    assert course_checks.judge_answer(PS1, "yusuf", "1c", NOT_ATTEMPTED).state == "not_attempted"
    record = json.dumps({PS1: [{"student": "zoe", "source": "jupyterhub"}]})
    assert "IDENTITY MISMATCH" in course_checks.record_note(record, PS1, "yusuf")
    assert course_checks.record_note(record, PS1, "zoe") is None
    assert course_checks.record_note("{not json", PS1, "zoe") is None


def test_split_hidden():
    source = "a = 1\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\nb = 2"
    assert nbgrader_support.split_hidden(source) == ("a = 1\nb = 2", ["secret()"])
    for broken in (
        "### BEGIN HIDDEN TESTS\nx",
        "### END HIDDEN TESTS",
        "### BEGIN HIDDEN TESTS\n" * 2,
    ):
        with pytest.raises(ValueError):
            nbgrader_support.split_hidden(broken)


def test_feedback_preprocessor_removes_hidden_tests_and_tracebacks():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cell = new_code_cell(
        "ps.check('1a', a)\n### BEGIN HIDDEN TESTS\nsecret(a)\n### END HIDDEN TESTS"
    )
    cell.outputs = [
        new_output("stream", name="stdout", text="Graded question 1a: 0 / 2 points."),
        new_output(
            "error",
            ename="NameError",
            evalue="name 'a' is not defined",
            traceback=["\x1b[0;31m----> 2 secret(a)\x1b[0m", "NameError: ..."],
        ),
    ]
    nb = new_notebook(cells=[cell, new_code_cell("secret(1)")])
    strip = nbgrader_support.StripHiddenTests()
    nb, _ = strip.preprocess(nb, {})
    shown = nb.cells[0]
    assert "secret" not in shown.source and "ps.check('1a', a)" in shown.source
    assert shown.outputs[1]["traceback"] == ["NameError: name 'a' is not defined"]
    assert shown.outputs[0]["text"].startswith("Graded question 1a")
    assert nb.cells[1].source == "secret(1)"  # cells without hidden tests are left alone


def test_the_config_wires_the_course_preprocessors(monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader

    def load():
        return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()

    monkeypatch.delenv("DFML_EXCHANGE_ROOT", raising=False)
    c = load()
    assert c.CourseDirectory.course_id == variants.COURSE_ID
    assert Path(c.CourseDirectory.root) == REPO
    assert Path(c.Exchange.root) == REPO / "exchange"
    assert c.OverwriteCells.add_missing_cells is True
    assert c.Execute.timeout >= 30
    names = [cls.__name__ for cls in c.Autograde.sanitize_preprocessors]
    assert "RestoreCells" in names and "OverwriteCells" not in names
    steps = [cls.__name__ for cls in c.Autograde.autograde_preprocessors]
    assert "Execute" not in steps and "GradedExecute" in steps
    at = steps.index("SaveAutoGrades")
    assert steps[at - 2 : at + 2] == ["JudgeAnswers", "KeepManualGrades", "SaveAutoGrades",
                                     "RecordVerdicts"]
    assert c.ExchangeFactory.collect == "autograder.exchange.SafeCollect"
    assert "StripHiddenTests" in [cls.__name__ for cls in c.GenerateFeedback.preprocessors]
    monkeypatch.setenv("DFML_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
    assert load().Exchange.root == "/srv/nbgrader/exchange"


def test_gitignore_keeps_release_and_ignores_the_generated_folders():
    ignored = (REPO / ".gitignore").read_text().split()
    for folder in ("submitted/", "autograded/", "feedback/", "exchange/", "gradebook.db"):
        assert folder in ignored
    assert "release/" not in ignored
