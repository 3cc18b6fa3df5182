"""The course's nbgrader preprocessors: grades decided outside the student's kernel.

``nbgrader_config.py`` imports this module by name and calls :func:`configure`. It is loaded
only by nbgrader's own process and by the class grader, never in a student's kernel, and it
imports no SymPy until the judge runs.

Autograde, in nbgrader's order with the course's steps:

1. sanitize: :class:`RestoreCells` (nbgrader's OverwriteCells that also puts back deleted
   answer and read-only cells);
2. :class:`GradedExecute`: nbgrader's Execute; after each judged test cell, the value of its
   answer variable is taken out of the kernel as plain data (:mod:`autograder.judging`);
3. :class:`JudgeAnswers`: the judge, in this process (which never runs student code), scores
   each extracted answer against the graded student's variant and writes the test cell's
   outputs itself: the graded message and the points earned. Whatever the kernel printed in
   a test cell is discarded; a graded cell without a judge spec earns 0 (fail closed);
4. nbgrader's SaveAutoGrades records those points;
5. :class:`RecordVerdicts`: cells that did not run or could not be checked are marked for
   manual grading, and a notebook worked under another identity gets a gradebook comment.

Feedback: :class:`StripHiddenTests` removes the hidden regions from what students see.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells
from traitlets import Any as AnyTrait
from traitlets import Unicode

from .judging.extraction import (
    RECORD_FILE,
    AnswerExtraction,
    dfml_state,
    grade_id,
    read_regular,
)
from .judging.judge import DEFAULT_CHECKER, FAILED, Verdict, judge_notebook

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"
HIDDEN_NOTE = "# (hidden tests ran here; their messages are in the output below)"

#: The variables telling the visible checks in a grading kernel whom they check. Only the
#: visible feedback uses them; the judge takes the student from nbgrader.
GRADED_ENV = "DFML_GRADED_STUDENT"
GRADED_FOLDER_ENV = "DFML_GRADED_FOLDER"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def split_hidden(source: str) -> tuple[str, list[str]]:
    """(source without hidden-test regions, the hidden regions' lines).

    Raises ValueError for an unclosed or nested region, as nbgrader's ClearHiddenTests does.
    """
    kept: list[str] = []
    hidden: list[str] = []
    inside = False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line:
            if inside:
                raise ValueError("nested BEGIN HIDDEN TESTS")
            inside = True
        elif HIDDEN_END in line:
            if not inside:
                raise ValueError("END HIDDEN TESTS without BEGIN")
            inside = False
        elif inside:
            hidden.append(line)
        else:
            kept.append(line)
    if inside:
        raise ValueError("BEGIN HIDDEN TESTS without END")
    return "\n".join(kept), hidden


@lru_cache(maxsize=1024)
def released_source(source: str) -> str:
    """A cell's source as ``generate_assignment`` releases it (hidden regions removed)."""
    from nbformat.v4 import new_code_cell
    from nbgrader.preprocessors import ClearHiddenTests

    cell = new_code_cell(source)
    try:
        ClearHiddenTests()._remove_hidden_test_region(cell)
    except RuntimeError:
        return source
    return cell.source


class RestoreCells(OverwriteCells):
    """OverwriteCells that also puts back deleted answer and read-only cells.

    With ``OverwriteCells.add_missing_cells = True`` nbgrader restores deleted test cells,
    but only after the answer cell before them, and it fails on a notebook where that cell
    is gone too. This restores every cell of the source notebook that nbgrader knows (test
    cells, answer cells as their unanswered stubs, read-only cells such as the setup cell),
    each placed after the nearest earlier cell that is still there.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, cell_index: int) -> tuple:
        """OverwriteCells' checks, quiet for a locked cell exactly as it was released.

        A released test cell lacks its hidden region, so its checksum differs from the
        source's for every student: nbgrader would warn about each one and hide a real
        change. Such a cell gets its full source back silently; an edited one still warns.
        """
        gid = grade_id(cell)
        if gid is not None:
            try:
                source_cell = self.gradebook.find_source_cell(gid, self.notebook_id,
                                                              self.assignment_id)
            except MissingEntry:
                source_cell = None
            if (source_cell is not None and source_cell.locked
                    and cell.source != source_cell.source
                    and cell.source == released_source(source_cell.source)):
                cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)

    def add_missing_grade_cells(self, nb: NotebookNode, resources: dict) -> tuple:
        """Put back every known cell that is missing from ``nb``."""
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        grade_cells = {cell.name: cell for cell in source_nb.grade_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        source_cells = list(source_nb.source_cells)

        def position(wanted: str) -> int | None:
            for index, cell in enumerate(nb.cells):
                if grade_id(cell) == wanted:
                    return index
            return None

        for order, source_cell in enumerate(source_cells):
            if position(source_cell.name) is not None:
                continue
            self.log.warning("Cell %s is missing: putting it back", source_cell.name)
            cell = self._restored(
                source_cell, grade_cells.get(source_cell.name), source_cell.name in solution_ids
            )
            anchor = None
            for earlier in reversed(source_cells[:order]):
                anchor = position(earlier.name)
                if anchor is not None:
                    break
            nb.cells.insert(0 if anchor is None else anchor + 1, cell)
        return nb, resources

    def _restored(self, source_cell: Any, grade_cell: Any, is_solution: bool) -> NotebookNode:
        meta = {
            "grade": grade_cell is not None,
            "grade_id": source_cell.name,
            "locked": source_cell.locked,
            "schema_version": 3,
            "solution": is_solution,
            "checksum": source_cell.checksum,
        }
        if grade_cell is not None:
            meta["points"] = grade_cell.max_score
        source = source_cell.source
        if not is_solution:  # an answer stub stays exactly as released ("No response.")
            note = self.missing_cell_notification.format(cell_id=source_cell.name)
            if source_cell.cell_type == "code":
                note = "".join(f"# {line}\n" for line in note.strip().splitlines())
            source = note + source
        cell: dict[str, Any] = {"cell_type": source_cell.cell_type,
                                "metadata": {"nbgrader": meta}, "source": source}
        if source_cell.locked:
            cell["metadata"].update({"deletable": False, "editable": False})
        if source_cell.cell_type == "code":
            cell.update({"execution_count": None, "outputs": []})
        return MetadataValidator().upgrade_cell_metadata(NotebookNode(cell))


def graded_environment(resources: dict[str, Any]) -> dict[str, str]:
    """Variables for the grading kernel: whom the visible checks show feedback for (the
    variant an instructor's decision chose, else the graded student)."""
    folder = resources.get("metadata", {}).get("path") or "."
    variant = dfml_state(resources).get("variant_of") or resources["nbgrader"]["student"]
    return {GRADED_ENV: variant,
            GRADED_FOLDER_ENV: str(Path(folder).resolve())}


class GradedExecute(AnswerExtraction, Execute):
    """nbgrader's Execute, extracting each judged answer as data after its test cell.

    The kernel starts with the graded student in its environment, so the notebook's own
    visible checks show the right variant; the grade never depends on it.
    """

    def preprocess(self, nb: NotebookNode, resources: Any = None,
                   km: Any = None) -> tuple[NotebookNode, dict[str, Any]]:
        """Execute ``nb`` with the graded student in the kernel's environment."""
        settings = graded_environment(resources)
        saved = {name: os.environ.get(name) for name in settings}
        os.environ.update(settings)
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _judge_outputs(verdict: Verdict, execution_count: Any) -> list[NotebookNode]:
    return [
        from_dict({"output_type": "stream", "name": "stdout", "text": verdict.text() + "\n"}),
        from_dict({"output_type": "execute_result", "execution_count": execution_count,
                   "metadata": {}, "data": {"text/plain": f"{verdict.earned:g}"}}),
    ]


_NOT_JUDGED = ("this test was not judged (the notebook did not run to it, or the cell has no "
               "judge spec), so it earns nothing; the instructor will look at it")


def _not_judged(execution_count: Any) -> list[NotebookNode]:
    return [from_dict({"output_type": "error", "ename": "NotJudged", "evalue": _NOT_JUDGED,
                       "traceback": [f"NotJudged: {_NOT_JUDGED}"]})]


def submitted_record(config: Any, student: str, assignment: str) -> str | None:
    """The identity record in ``submitted/<student>/<assignment>/``, read safely (or None).

    Information only (the "worked under another identity" notice). It is read from the
    submission as collected, by this process, never from the grading kernel's folder.
    """
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    return read_regular(folder / RECORD_FILE)


class JudgeAnswers(NbGraderPreprocessor):
    """Score each judged test cell from its extracted answer, outside the kernel.

    Runs after execution and before SaveAutoGrades. The outputs of every graded code cell
    are replaced: a judged cell shows the judge's message and ends with the points earned
    (nbgrader's partial credit); a graded cell with no spec shows an error (0 points).

    The answers are checked against the graded student's variant, unless the class grader
    put an instructor's decision in the resources (``variant_of``, from a validated identity
    record, and its ``decision`` sentence, added to every message): then against that
    identity's variant, and the record's mismatch notice no longer applies.
    """

    checker = Unicode(
        DEFAULT_CHECKER,
        help="The checker: a module name, or a .py file relative to the course folder, "
             "with judge_answer(assignment, student, question, value).",
    ).tag(config=True)
    course_root = Unicode("", help="The course folder (for a checker given as a file).").tag(
        config=True)
    #: Something with ``judge(**kwargs) -> verdicts`` (the class grader's judge processes);
    #: None: judge in this process.
    pool = AnyTrait(None, allow_none=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple:
        """Judge every extracted answer and write the graded cells' outputs."""
        state = dfml_state(resources)
        specs = state.get("specs") or []
        extracted = state.get("extracted") or {}
        points = {grade_id(c): float(c.metadata["nbgrader"].get("points", 0))
                  for c in nb.cells if utils.is_grade(c)}
        info = resources["nbgrader"]
        if "record" not in state:
            state["record"] = submitted_record(self.config, info["student"], info["assignment"])
        variant_of = state.get("variant_of")
        kwargs = dict(checker=self.checker, course_root=self.course_root or None,
                      assignment=info["assignment"], student=variant_of or info["student"],
                      specs=specs, points=points, extracted=extracted,
                      record=None if variant_of else state["record"])
        try:
            verdicts = (self.pool.judge(**kwargs) if self.pool is not None
                        else judge_notebook(**kwargs))
        except Exception as error:  # noqa: BLE001 - no verdict is ever a score: fail closed
            self.log.error("judging %s failed: %s", info["student"], error)
            verdicts = {
                s["grade_id"]: Verdict(
                    s["grade_id"], s["question"], points.get(s["grade_id"], 0.0), status=FAILED,
                    message="The answer could not be checked; the instructor will grade it.",
                ).to_json()
                for s in specs
            }
        decision = state.get("decision") if variant_of else None
        for found in verdicts.values() if decision else ():
            found["message"] = f"{found.get('message') or ''}\n{decision}".strip()
        state["verdicts"] = verdicts
        unjudged = []
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell):
                continue
            found = verdicts.get(grade_id(cell))
            count = cell.get("execution_count")
            if found is None:
                cell.outputs = _not_judged(count)
                unjudged.append(grade_id(cell))
            else:
                cell.outputs = _judge_outputs(Verdict.from_json(found), count)
        state["unjudged"] = unjudged
        return nb, resources


def fail_closed(nb: NotebookNode, resources: dict[str, Any]) -> list[str]:
    """Give every graded code cell the judge did not decide an error output (0 points).

    The safety net before SaveAutoGrades: a notebook that was never executed or judged (its
    kernel could not start, the grader failed) must not be scored by nbgrader's "no output =
    full marks" rule. Returns the grade ids it marked (they also go to a human).
    """
    state = dfml_state(resources)
    verdicts = state.get("verdicts") or {}
    marked = []
    for cell in nb.cells:
        if cell.cell_type == "code" and utils.is_grade(cell) and grade_id(cell) not in verdicts:
            cell.outputs = _not_judged(cell.get("execution_count"))
            marked.append(grade_id(cell))
    unjudged = list(state.get("unjudged") or [])
    state["unjudged"] = unjudged + [gid for gid in marked if gid not in unjudged]
    return marked


def cells_for_a_human(resources: dict[str, Any]) -> list[str]:
    """Grade ids the judge could not decide (did not run, check failed, no spec)."""
    state = dfml_state(resources)
    out = [gid for gid, v in (state.get("verdicts") or {}).items()
           if Verdict.from_json(v).needs_human]
    return out + list(state.get("unjudged") or [])


def identity_notice(resources: dict[str, Any]) -> str | None:
    """The "worked under another identity" notice the judge found, if any."""
    for verdict in (dfml_state(resources).get("verdicts") or {}).values():
        if verdict.get("note"):
            return str(verdict["note"])
    return None


class KeepManualGrades(NbGraderPreprocessor):
    """Right before SaveAutoGrades: remember which cells a person has already graded.

    nbgrader marks every cell with a manual score "needs manual grade" again when it
    regrades; :class:`RecordVerdicts` clears that mark again for a cell a person had graded
    and left settled, unless the judge itself sends the cell to a human.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple:
        """Read the submission's manual grades (none for a first grading)."""
        info = resources["nbgrader"]
        settled = []
        with Gradebook(info["db_url"]) as gradebook:
            try:
                found = gradebook.find_submission_notebook(info["notebook"], info["assignment"],
                                                           info["student"])
            except MissingEntry:
                found = None
            for grade in found.grades if found is not None else []:
                if grade.manual_score is not None and not grade.needs_manual_grade:
                    settled.append(grade.name)
        dfml_state(resources)["settled"] = settled
        return nb, resources


class RecordVerdicts(NbGraderPreprocessor):
    """After SaveAutoGrades: what the judge could not decide goes to a human.

    Cells that did not run or could not be checked (and graded cells without a spec) are
    marked "needs manual grade"; cells a person had already graded stay settled (see
    :class:`KeepManualGrades`); a notebook worked under another identity gets the notice
    as the automatic comment of each answer cell (shown in the formgrader and the feedback),
    and so does an instructor's decision to grade against the variant it was worked under.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple:
        """Update the gradebook for this notebook."""
        info = resources["nbgrader"]
        human = cells_for_a_human(resources)
        note = identity_notice(resources) or dfml_state(resources).get("decision")
        settled = [gid for gid in dfml_state(resources).get("settled") or []
                   if gid not in human]
        if not human and not note and not settled:
            return nb, resources
        if note:
            self.log.warning("%s/%s: %s", info["student"], info["assignment"], note)
        with Gradebook(info["db_url"]) as gradebook:
            for gid in human:
                grade = gradebook.find_grade(gid, info["notebook"], info["assignment"],
                                             info["student"])
                grade.needs_manual_grade = True
            for gid in settled:  # a person's grade stays settled through a regrade
                grade = gradebook.find_grade(gid, info["notebook"], info["assignment"],
                                             info["student"])
                grade.needs_manual_grade = False
            if note:
                for cell in nb.cells:
                    if not utils.is_solution(cell):
                        continue
                    comment = gradebook.find_comment(grade_id(cell), info["notebook"],
                                                     info["assignment"], info["student"])
                    old = comment.auto_comment
                    if not old or note not in old:
                        comment.auto_comment = note if not old else f"{note}\n\n{old}"
            gradebook.db.commit()
        return nb, resources


class StripHiddenTests(NbGraderPreprocessor):
    """For feedback: show test cells without their hidden tests.

    The graded notebook holds the hidden regions (nbgrader restored them to grade), and its
    HTML would show them. This removes each BEGIN/END HIDDEN TESTS region from the shown
    source, and shortens an error in such a cell to its last line. The judge's messages stay.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple:
        """Strip one cell."""
        if cell.cell_type != "code" or HIDDEN_BEGIN not in cell.source:
            return cell, resources
        try:
            kept, _ = split_hidden(cell.source)
        except ValueError:
            kept = cell.source.split(HIDDEN_BEGIN)[0].rsplit("\n", 1)[0]
        cell.source = kept.rstrip("\n") + "\n" + HIDDEN_NOTE
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                last = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                output["traceback"] = [_ANSI.sub("", last)]
        return cell, resources


def configure(c: Any, *, checker: str = DEFAULT_CHECKER, course_root: str | None = None) -> None:
    """Put the course's preprocessors into an nbgrader config object ``c``.

    Autograde: RestoreCells replaces OverwriteCells; GradedExecute replaces Execute; JudgeAnswers
    runs right before SaveAutoGrades and RecordVerdicts right after it. GenerateFeedback:
    StripHiddenTests runs before the HTML export. Collect: links and special files in the
    exchange are never followed (:class:`autograder.exchange.SafeCollect`).
    """
    from nbgrader.converters import Autograde, GenerateFeedback
    from nbgrader.preprocessors import GetGrades, SaveAutoGrades

    def default(cls: type, name: str) -> list:
        return list(cls.class_traits()[name].default())

    c.Autograde.sanitize_preprocessors = [
        RestoreCells if pp is OverwriteCells else pp
        for pp in default(Autograde, "sanitize_preprocessors")
    ]
    steps: list[type] = []
    for pp in default(Autograde, "autograde_preprocessors"):
        if pp is SaveAutoGrades:
            steps += [JudgeAnswers, KeepManualGrades, SaveAutoGrades, RecordVerdicts]
        else:
            steps.append(GradedExecute if pp is Execute else pp)
    c.Autograde.autograde_preprocessors = steps
    c.JudgeAnswers.checker = checker
    if course_root:
        c.JudgeAnswers.course_root = str(course_root)
    feedback = default(GenerateFeedback, "preprocessors")
    at = feedback.index(GetGrades) + 1
    c.GenerateFeedback.preprocessors = [*feedback[:at], StripHiddenTests, *feedback[at:]]
    c.IgnorePattern.pattern = r"^(\S+:\d+: )?\w*Warning: "
    c.ExchangeFactory.collect = "autograder.exchange.SafeCollect"
