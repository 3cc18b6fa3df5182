"""The writer's gradebook work for many submissions in one transaction.

``nbgrader autograde`` opens the gradebook about ten times per submission (each time
checking the schema and the course), looks every grade up with a seven-table join and
commits after every cell. This module does the same updates, with nbgrader's own models and
its own rules (:func:`nbgrader.utils.determine_grade` decides every score, the late-penalty
plugin every penalty), for a whole batch of submissions at once: the assignment's structure
is read once, each batch loads its students' rows in a few queries, applies every
submission's steps in nbgrader's order and commits once.

Per submission, in nbgrader's order:

1. :class:`Rows` - ``Autograde.init_assignment``: the student and submission rows (with the
   submission's timestamp), zeros for notebooks that were not submitted, or for a
   submission that could not be prepared (held for a human);
2. per executed notebook, the course's save steps: ``KeepManualGrades`` (which grades a
   person settled), ``SaveAutoGrades`` (scores and "No response." comments, computed before
   the batch from the graded notebook), ``RecordVerdicts`` (cells for a human, the identity
   notice), ``AssignLatePenalties``; zeros if the grader failed on the submission.

The tests compare every row with what nbgrader's own preprocessors write, submission by
submission (``tests/test_gradebook_writer.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("autograder.grading")


@dataclass(frozen=True)
class SourceCellInfo:
    """What nbgrader's OverwriteCells reads of a source cell (a plain copy)."""

    name: str
    cell_type: str
    locked: bool
    checksum: str | None
    source: str


@dataclass(frozen=True)
class ScoredCellInfo:
    """A grade or task cell: its name and its maximum score."""

    name: str
    max_score: float


@dataclass
class NotebookInfo:
    """One notebook of the assignment as the gradebook describes it (read once)."""

    id: str
    name: str
    grade_cells: list[ScoredCellInfo]
    solution_cells: list[ScoredCellInfo]
    task_cells: list[ScoredCellInfo]
    source_cells: list[SourceCellInfo]
    kernelspec: str | None = None
    #: cell name -> base cell id, for grade/task cells (grades) and solution/task (comments)
    grade_ids: dict[str, str] = field(default_factory=dict)
    comment_ids: dict[str, str] = field(default_factory=dict)


class SourceReader:
    """The read-only part of nbgrader's Gradebook that OverwriteCells uses, from memory.

    The sanitize steps look each submitted cell up in the gradebook; the answers never
    change during a batch, so they come from a copy read when the writer starts.
    """

    def __init__(self, notebooks: dict[str, NotebookInfo]) -> None:
        self._notebooks = notebooks
        self._source = {(nb, c.name): c for nb, info in notebooks.items()
                        for c in info.source_cells}
        self._graded = {(nb, c.name): c for nb, info in notebooks.items()
                        for c in [*info.grade_cells, *info.task_cells]}

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> SourceCellInfo:
        """nbgrader's ``Gradebook.find_source_cell``."""
        from nbgrader.api import MissingEntry

        try:
            return self._source[(notebook, name)]
        except KeyError:
            raise MissingEntry(f"No such source cell: {assignment}/{notebook}/{name}") from None

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> ScoredCellInfo:
        """nbgrader's ``Gradebook.find_graded_cell``."""
        from nbgrader.api import MissingEntry

        try:
            return self._graded[(notebook, name)]
        except KeyError:
            raise MissingEntry(f"No such graded cell: {assignment}/{notebook}/{name}") from None

    def find_notebook(self, name: str, assignment: str) -> NotebookInfo:
        """nbgrader's ``Gradebook.find_notebook``."""
        from nbgrader.api import MissingEntry

        try:
            return self._notebooks[name]
        except KeyError:
            raise MissingEntry(f"No such notebook: {assignment}/{name}") from None


def read_assignment(gb: Any, assignment: str) -> tuple[str, dict[str, NotebookInfo]]:
    """(the assignment's id, its notebooks by name) from an open nbgrader Gradebook."""
    found = gb.find_assignment(assignment)
    notebooks = {}
    for nb in found.notebooks:
        info = NotebookInfo(
            id=nb.id, name=nb.name,
            grade_cells=[ScoredCellInfo(c.name, float(c.max_score)) for c in nb.grade_cells],
            solution_cells=[ScoredCellInfo(c.name, 0.0) for c in nb.solution_cells],
            task_cells=[ScoredCellInfo(c.name, float(c.max_score)) for c in nb.task_cells],
            source_cells=[SourceCellInfo(c.name, c.cell_type, bool(c.locked), c.checksum,
                                         c.source) for c in nb.source_cells],
            kernelspec=nb.kernelspec,
        )
        for cell in nb._base_cells:  # nbgrader's find_grade / find_comment by cell class
            kind = type(cell).__name__
            if kind in ("GradeCell", "TaskCell"):
                info.grade_ids.setdefault(cell.name, cell.id)
            if kind in ("SolutionCell", "TaskCell"):
                info.comment_ids.setdefault(cell.name, cell.id)
        notebooks[nb.name] = info
    return found.id, notebooks


@dataclass
class Rows:
    """One submission's gradebook work, in nbgrader's order (applied by :class:`GradebookRows`).

    ``ops`` are tuples: ``("zero", notebooks, needs_manual)``, ``("keep", notebook)``,
    ``("save", notebook, scores, comments)``, ``("verdicts", notebook, human, note,
    solution_ids)``, ``("late", notebook)``.
    """

    student: str
    #: the submission's timestamp (None: no timestamp file)
    timestamp: Any = None
    ops: list[tuple] = field(default_factory=list)
    #: grade ids a person settled, per notebook (filled by the "keep" step)
    settled: dict[str, list[str]] = field(default_factory=dict)
    #: an error while applying (a row nbgrader would not find); the submission is zeroed
    error: str = ""


class GradebookRows:
    """Applies :class:`Rows` of many submissions to the gradebook in one transaction."""

    def __init__(self, db_url: str, course_id: str, assignment: str, config: Any) -> None:
        from nbgrader.api import Gradebook
        from nbgrader.preprocessors import AssignLatePenalties
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        self.db_url = db_url
        self.assignment = assignment
        with Gradebook(db_url, course_id) as gb:  # creates the schema and course if needed
            self.assignment_id, self.notebooks = read_assignment(gb, assignment)
            found = gb.find_assignment(assignment)
            self.duedate = found.duedate
            self.max_score = float(found.max_score)
        self.reader = SourceReader(self.notebooks)
        # a private engine and session: nbgrader's Gradebook disposes its (shared) engine
        self._engine = create_engine(db_url, future=True)
        self._session = Session(bind=self._engine, autoflush=False, expire_on_commit=False)
        self._late = AssignLatePenalties(config=config)
        self._late.init_plugin()
        self._default_course = False

    def close(self) -> None:
        """Close the session (the engine's pool is released as nbgrader does)."""
        self._session.close()
        self._engine.dispose()

    # -- one batch -----------------------------------------------------------------------

    def apply(self, batch: list[Rows], students: list[str]) -> dict[str, dict[str, dict]]:
        """Apply every submission's rows and commit once; ``students``' scores as committed.

        Returns :func:`read_scores` data per student. Raises (having rolled back) if the
        database refuses the transaction: then nothing of the batch is written.
        """
        if not self._default_course and any(op[0] == "save" for r in batch for op in r.ops):
            self._ensure_default_course()
        session = self._session
        try:
            loaded = self._load(batch)
            for rows in batch:
                self._apply_one(rows, loaded)
            session.flush()
            scores = read_scores(session, self.assignment_id, self.notebooks, students)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return scores

    def read(self, students: list[str]) -> dict[str, dict[str, dict]]:
        """``students``' scores as the gradebook has them now, after writes by other
        connections (a question regrade's restore): nothing cached in this session is trusted."""
        session = self._session
        session.expire_all()
        try:
            return read_scores(session, self.assignment_id, self.notebooks, students)
        finally:
            session.commit()  # ends the read transaction

    def _ensure_default_course(self) -> None:
        """nbgrader's preprocessors open ``Gradebook(db_url)``: its course row must exist."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url):
            pass
        self._default_course = True

    def _load(self, batch: list[Rows]) -> dict[str, Any]:
        """The batch's students, submissions, grades and comments, in four queries."""
        from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook

        session = self._session
        ids = sorted({r.student for r in batch})
        students = {s.id: s for s in session.query(Student).filter(Student.id.in_(ids))}
        subs = {s.student_id: s for s in session.query(SubmittedAssignment).filter(
            SubmittedAssignment.assignment_id == self.assignment_id,
            SubmittedAssignment.student_id.in_(ids))}
        sub_nbs: dict[tuple[str, str], Any] = {}
        grades: dict[tuple[str, str, str], Any] = {}
        comments: dict[tuple[str, str, str], Any] = {}
        if subs:
            by_sub = {s.id: s.student_id for s in subs.values()}
            for snb in session.query(SubmittedNotebook).filter(
                    SubmittedNotebook.assignment_id.in_(list(by_sub))):
                sub_nbs[(by_sub[snb.assignment_id], snb.notebook_id)] = snb
            owner = {snb.id: key for key, snb in sub_nbs.items()}
            for model, into in ((Grade, grades), (Comment, comments)):
                for row in session.query(model).filter(model.notebook_id.in_(list(owner))):
                    student, nb_id = owner[row.notebook_id]
                    into[(student, nb_id, row.cell_id)] = row
        return {"students": students, "subs": subs, "sub_nbs": sub_nbs, "grades": grades,
                "comments": comments}

    def _submission(self, rows: Rows, loaded: dict[str, Any]) -> Any:
        """nbgrader's update_or_create_student and update_or_create_submission."""
        from nbgrader.api import (
            Comment,
            Grade,
            Student,
            SubmittedAssignment,
            SubmittedNotebook,
            new_uuid,
        )

        session, student = self._session, rows.student
        if student not in loaded["students"]:
            loaded["students"][student] = Student(id=student)
            session.add(loaded["students"][student])
        sub = loaded["subs"].get(student)
        if sub is not None:
            if rows.timestamp is not None:
                sub.timestamp = rows.timestamp
            return sub
        sub = SubmittedAssignment(id=new_uuid(), assignment_id=self.assignment_id,
                                  student_id=student, timestamp=rows.timestamp)
        new: list[Any] = [sub]
        for info in self.notebooks.values():  # add_submission: every row of the assignment
            snb = SubmittedNotebook(id=new_uuid(), notebook_id=info.id, assignment_id=sub.id)
            new.append(snb)
            loaded["sub_nbs"][(student, info.id)] = snb
            for cell_id in info.grade_ids.values():
                grade = Grade(cell_id=cell_id, notebook_id=snb.id, needs_manual_grade=True)
                loaded["grades"][(student, info.id, cell_id)] = grade
                new.append(grade)
            for cell_id in info.comment_ids.values():
                comment = Comment(cell_id=cell_id, notebook_id=snb.id)
                loaded["comments"][(student, info.id, cell_id)] = comment
                new.append(comment)
        session.add_all(new)
        loaded["subs"][student] = sub
        return sub

    def _grades_of(self, student: str, notebook: str, loaded: dict[str, Any]) -> list[Any]:
        info = self.notebooks[notebook]
        return [g for (s, nb_id, _), g in loaded["grades"].items()
                if s == student and nb_id == info.id]

    def _grade(self, student: str, notebook: str, name: str, loaded: dict[str, Any]) -> Any:
        from nbgrader.api import MissingEntry

        info = self.notebooks.get(notebook)
        found = loaded["grades"].get((student, info.id, info.grade_ids.get(name))) if info else None
        if found is None:
            raise MissingEntry(f"No such grade: {self.assignment}/{notebook}/{name} for {student}")
        return found

    def _comment(self, student: str, notebook: str, name: str, loaded: dict[str, Any]) -> Any:
        from nbgrader.api import MissingEntry

        info = self.notebooks.get(notebook)
        found = (loaded["comments"].get((student, info.id, info.comment_ids.get(name)))
                 if info else None)
        if found is None:
            raise MissingEntry(
                f"No such comment: {self.assignment}/{notebook}/{name} for {student}")
        return found

    def _apply_one(self, rows: Rows, loaded: dict[str, Any]) -> None:
        """One submission's steps; a missing row zeroes the submission, as the writer did."""
        from nbgrader.api import MissingEntry

        sub = self._submission(rows, loaded)
        try:
            for op in rows.ops:
                self._op(rows, sub, op, loaded)
        except MissingEntry as exc:  # as the writer's failure path: what was done stays
            log.error("saving %s: %s", rows.student, exc)
            rows.error = f"MissingEntry: {exc}"[:300]
            self._zero(rows.student, sorted({op[1] for op in rows.ops if op[0] != "zero"}),
                       True, loaded)

    def _zero(self, student: str, notebooks: Iterable[str], needs_manual: bool,
              loaded: dict[str, Any]) -> None:
        for name in notebooks:
            if name not in self.notebooks:
                continue
            for grade in self._grades_of(student, name, loaded):
                grade.auto_score = 0
                grade.needs_manual_grade = needs_manual

    def _op(self, rows: Rows, sub: Any, op: tuple, loaded: dict[str, Any]) -> None:
        kind, student = op[0], rows.student
        if kind == "zero":
            self._zero(student, op[1], op[2], loaded)
        elif kind == "keep":  # KeepManualGrades: grades a person settled before this run
            rows.settled[op[1]] = [
                name for name, cell_id in self.notebooks[op[1]].grade_ids.items()
                if (g := loaded["grades"].get((student, self.notebooks[op[1]].id, cell_id)))
                is not None and g.manual_score is not None and not g.needs_manual_grade]
        elif kind == "save":  # SaveAutoGrades, cell by cell in the notebook's order
            _, notebook, cells = op
            for what, name, value in cells:
                if what == "grade":
                    grade = self._grade(student, notebook, name, loaded)
                    grade.auto_score = value
                    grade.needs_manual_grade = (grade.manual_score is not None
                                                or grade.auto_score is None)
                else:
                    self._comment(student, notebook, name, loaded).auto_comment = value
        elif kind == "verdicts":  # RecordVerdicts
            _, notebook, human, note, solutions = op
            settled = [g for g in rows.settled.get(notebook, []) if g not in human]
            for name in human:
                self._grade(student, notebook, name, loaded).needs_manual_grade = True
            for name in settled:
                self._grade(student, notebook, name, loaded).needs_manual_grade = False
            if note:
                for name in solutions:
                    comment = self._comment(student, notebook, name, loaded)
                    old = comment.auto_comment
                    if not old or note not in old:
                        comment.auto_comment = note if not old else f"{note}\n\n{old}"
        elif kind == "late":  # AssignLatePenalties
            self._late_penalty(student, sub, op[1], loaded)
        else:
            raise ValueError(f"unknown gradebook step {kind!r}")

    def _late_penalty(self, student: str, sub: Any, notebook: str,
                      loaded: dict[str, Any]) -> None:
        from nbgrader.api import SubmittedNotebook

        snb = loaded["sub_nbs"][(student, self.notebooks[notebook].id)]
        snb.late_submission_penalty = None
        # SubmittedAssignment.total_seconds_late, with the due date read once
        duedate = self.duedate
        if duedate is not None and sub.extension is not None:
            duedate = duedate + sub.extension
        if sub.timestamp is None or duedate is None:
            return
        seconds = max(0, (sub.timestamp - duedate).total_seconds())
        if seconds <= 0:
            return
        self._session.flush()
        score = self._session.query(SubmittedNotebook.score).filter(
            SubmittedNotebook.id == snb.id).scalar()
        plugin = self._late.plugin_inst
        penalty = plugin.late_submission_penalty(student, score, seconds)
        if penalty is not None:
            if penalty < 0:
                penalty = 0
            elif penalty > score:
                penalty = score
            snb.late_submission_penalty = penalty


def saved_cells(nb: Any, logger: Any) -> list[tuple[str, str, Any]]:
    """What SaveAutoGrades saves, cell by cell: ("grade", id, auto score), ("comment", id, text).

    nbgrader's own rules: ``determine_grade`` scores a grade cell; a solution cell left as
    released (its checksum unchanged) gets the "No response." comment.
    """
    from nbgrader import utils

    out: list[tuple[str, str, Any]] = []
    for cell in nb.cells:
        if utils.is_grade(cell):
            auto_score, _ = utils.determine_grade(cell, logger)
            out.append(("grade", cell.metadata["nbgrader"]["grade_id"], auto_score))
        for _ in range(int(utils.is_solution(cell)) + int(utils.is_task(cell))):
            unchanged = cell.metadata.nbgrader.get("checksum", None) == utils.compute_checksum(cell)
            text = "No response." if unchanged and not utils.is_task(cell) else None
            out.append(("comment", cell.metadata["nbgrader"]["grade_id"], text))
    return out


def read_scores(session: Any, assignment_id: str, notebooks: dict[str, NotebookInfo],
                students: list[str]) -> dict[str, dict[str, dict]]:
    """{student: {question: {score, max, auto, needs_manual, manual}}} in one query.

    As :func:`~autograder.grading.gradebook_writer.grades`: a question is the grade id,
    ``notebook:grade_id`` when the assignment has several notebooks; the score is nbgrader's
    (manual over automatic, plus extra credit).
    """
    from nbgrader.api import Grade, SubmittedAssignment, SubmittedNotebook

    many = len(notebooks) > 1
    cells = {}
    for info in notebooks.values():
        for cell in info.grade_cells:
            key = f"{info.name}:{cell.name}" if many else cell.name
            cells[info.grade_ids[cell.name]] = (key, cell.max_score)
    query = (
        session.query(SubmittedAssignment.student_id, Grade.cell_id, Grade.score,
                      Grade.auto_score, Grade.needs_manual_grade, Grade.manual_score)
        .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
        .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
        .filter(SubmittedAssignment.assignment_id == assignment_id,
                SubmittedAssignment.student_id.in_(sorted(set(students))))
    )
    return _scores_by_student(query, cells)


def _scores_by_student(rows: Any, cells: dict[str, tuple[str, float]]
                       ) -> dict[str, dict[str, dict]]:
    """Rows ``(student, cell id, score, auto, needs manual, manual)`` as
    {student: {question: {score, max, auto, needs_manual, manual}}}; other cells left out."""
    out: dict[str, dict[str, dict]] = {}
    for sid, cell_id, score, auto, manual, by_hand in rows:
        if cell_id not in cells:
            continue
        key, max_score = cells[cell_id]
        out.setdefault(sid, {})[key] = {"score": float(score or 0.0), "max": max_score,
                                        "auto": auto, "needs_manual": bool(manual),
                                        "manual": by_hand}
    return out


def grades(gb: Any, assignment: str, student: str | None = None) -> dict[str, dict[str, dict]]:
    """{student: {question: {score, max, auto, needs_manual}}} in one query per call.

    A question is the grade id, ``notebook:grade_id`` when the assignment has several
    notebooks; ``score`` is nbgrader's (manual over automatic, plus extra credit).
    """
    from nbgrader.api import Grade, Student, SubmittedAssignment, SubmittedNotebook

    found = gb.find_assignment(assignment)
    many = len(found.notebooks) > 1
    cells = {}
    for nb in found.notebooks:
        for cell in nb.grade_cells:
            key = f"{nb.name}:{cell.name}" if many else cell.name
            cells[cell.id] = (key, float(cell.max_score))
    query = (
        gb.db.query(Student.id, Grade.cell_id, Grade.score, Grade.auto_score,
                    Grade.needs_manual_grade, Grade.manual_score)
        .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
        .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
        .join(Student, SubmittedAssignment.student_id == Student.id)
        .filter(SubmittedAssignment.assignment_id == found.id)
    )
    if student is not None:
        query = query.filter(Student.id == student)
    return _scores_by_student(query, cells)
