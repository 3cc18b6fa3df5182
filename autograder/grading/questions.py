"""Regrading chosen questions only: which cells they are, and every other cell kept.

``grade ASSIGNMENT --questions 1a,test_2b`` re-executes each selected submission (an answer
may need the cells before it) but only the chosen questions' grades, comments and outputs
change. Before a student is regraded, :func:`snapshot` takes what the gradebook and the graded
notebook hold; after the regrade, :func:`restore` puts back every cell that was not chosen:
auto and manual scores, extra credit, the "needs manual grade" status, comments and, in the
graded notebook, the outputs. A question is named by the judge's question id (``1a``), its
test cell's grade id (``test_1a``, as the report's columns show it) or
``notebook:grade_id``; only automatically judged cells can be chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbgrader import utils

from ..judging.extraction import grade_id, specs_from_gradebook
from .course import Course


class UnknownQuestions(ValueError):
    """A chosen question does not exist or is not graded automatically."""


@dataclass(frozen=True)
class Chosen:
    """The cells a question regrade changes, per notebook."""

    #: notebook -> grade ids of the chosen test cells
    tests: dict[str, frozenset[str]]
    #: notebook -> the chosen test cells and their answer cells (their outputs and comments)
    cells: dict[str, frozenset[str]]

    def describe(self) -> str:
        """'test_1a, test_2b' (with the notebook when there are several)."""
        many = len(self.tests) > 1
        return ", ".join(f"{nb}:{gid}" if many else gid
                         for nb, gids in sorted(self.tests.items()) for gid in sorted(gids))


def _layout(course: Course, assignment: str, notebook: str) -> dict[str, list[str]]:
    """Per grade cell of the source notebook: the answer cells since the previous grade cell."""
    path = course.path("source", ".", assignment) / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    answers: dict[str, list[str]] = {}
    pending: list[str] = []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid is None:
            continue
        if utils.is_grade(cell):
            answers[gid] = pending
            pending = []
        elif utils.is_solution(cell):
            pending.append(gid)
    return answers


def resolve(course: Course, assignment: str, notebooks: list[str], wanted: list[str]) -> Chosen:
    """The cells of the questions named in ``wanted``; raises UnknownQuestions listing the valid
    ids when any name is unknown, ambiguous or graded by hand."""
    from nbgrader.api import Gradebook

    names: dict[str, set[tuple[str, str]]] = {}
    listed: list[str] = []
    manual: set[str] = set()
    answers: dict[str, dict[str, list[str]]] = {}
    with Gradebook(course.db_url, course.course_id) as gb:
        for notebook in notebooks:
            found = gb.find_notebook(notebook, assignment)
            judged = {s.grade_id: s.question for s in specs_from_gradebook(
                course.db_url, assignment, notebook, course.course_id)}
            for cell in found.grade_cells:
                if cell.name not in judged:
                    manual.update({cell.name, f"{notebook}:{cell.name}"})
            for gid, question in sorted(judged.items()):
                for name in (question, gid, f"{notebook}:{gid}"):
                    names.setdefault(name, set()).add((notebook, gid))
                listed.append(f"{question} ({gid})" if len(notebooks) == 1
                              else f"{question} ({notebook}:{gid})")
            try:
                answers[notebook] = _layout(course, assignment, notebook)
            except (OSError, ValueError):  # no source copy: the answers' comments are kept
                answers[notebook] = {}
    valid = ", ".join(listed) or "none"
    bad = [w for w in wanted if w not in names]
    if not wanted or bad:
        hand = [w for w in bad if w in manual]
        why = (f"{', '.join(hand)} is graded by hand (use the formgrader); " if hand else "")
        unknown = [w for w in bad if w not in manual]
        what = f"unknown question id(s): {', '.join(unknown)}; " if unknown else ""
        raise UnknownQuestions(f"{what}{why}the questions of {assignment} that can be "
                               f"regraded are: {valid}")
    ambiguous = [w for w in wanted if len(names[w]) > 1]
    if ambiguous:
        raise UnknownQuestions(f"{', '.join(ambiguous)} names questions of several notebooks: "
                               f"use notebook:grade_id; the questions are: {valid}")
    tests: dict[str, set[str]] = {}
    cells: dict[str, set[str]] = {}
    for w in wanted:
        (notebook, gid), = names[w]
        tests.setdefault(notebook, set()).add(gid)
        cells.setdefault(notebook, set()).update({gid, *answers[notebook].get(gid, [])})
    return Chosen({k: frozenset(v) for k, v in tests.items()},
                  {k: frozenset(v) for k, v in cells.items()})


class NotRegradable(RuntimeError):
    """A submission has no earlier grading to keep the other questions of."""


def snapshot(course: Course, assignment: str, student: str,
             notebooks: list[str]) -> dict[str, Any]:
    """What the gradebook and the graded notebooks hold now for ``student`` (plain data)."""
    from nbgrader.api import Gradebook, MissingEntry

    kept: dict[str, Any] = {}
    dest = course.path("autograded", student, assignment)
    with Gradebook(course.db_url, course.course_id) as gb:
        for notebook in notebooks:
            try:
                sub = gb.find_submission_notebook(notebook, assignment, student)
            except MissingEntry:
                raise NotRegradable(f"{student} has no grades for {notebook}") from None
            graded = dest / f"{notebook}.ipynb"
            if graded.is_symlink() or not graded.is_file():
                raise NotRegradable(f"{student} has no graded notebook {graded}")
            kept[notebook] = {
                "grades": {g.name: {"auto_score": g.auto_score, "manual_score": g.manual_score,
                                    "extra_credit": g.extra_credit,
                                    "needs_manual_grade": g.needs_manual_grade}
                           for g in sub.grades},
                "comments": {c.name: {"auto_comment": c.auto_comment,
                                      "manual_comment": c.manual_comment}
                             for c in sub.comments},
                "graded": graded.read_text(encoding="utf-8"),
            }
    return kept


def restore(course: Course, assignment: str, student: str, chosen: Chosen,
            kept: dict[str, Any]) -> None:
    """Put back, from ``kept``, every grade, comment and output the regrade did not choose."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course.course_id) as gb:
        for notebook, old in kept.items():
            sub = gb.find_submission_notebook(notebook, assignment, student)
            tests = chosen.tests.get(notebook, frozenset())
            cells = chosen.cells.get(notebook, frozenset())
            for grade in sub.grades:
                if grade.name not in tests and grade.name in old["grades"]:
                    for key, value in old["grades"][grade.name].items():
                        setattr(grade, key, value)
            for comment in sub.comments:
                if comment.name not in cells and comment.name in old["comments"]:
                    for key, value in old["comments"][comment.name].items():
                        setattr(comment, key, value)
        gb.db.commit()
    dest = course.path("autograded", student, assignment)
    for notebook, old in kept.items():
        path = dest / f"{notebook}.ipynb"
        merged = _merge(old["graded"], path, chosen.cells.get(notebook, frozenset()))
        dest.mkdir(parents=True, exist_ok=True)
        path.write_text(merged, encoding="utf-8")


def _merge(old_text: str, new_path: Path, cells: frozenset[str]) -> str:
    """The earlier graded notebook with the chosen cells' outputs of the new one."""
    old = nbformat.reads(old_text, as_version=4)
    fresh = {}
    if new_path.is_file() and not new_path.is_symlink():
        new = nbformat.read(new_path, as_version=4)
        fresh = {grade_id(c): c for c in new.cells if grade_id(c) in cells}
    for cell in old.cells:
        new_cell = fresh.get(grade_id(cell))
        if new_cell is not None and cell.cell_type == "code" == new_cell.cell_type:
            cell.outputs = new_cell.outputs
            cell.execution_count = new_cell.execution_count
    return nbformat.writes(old)


def kept_checks(previous: list[dict[str, Any]], current: list[dict[str, Any]],
                chosen: Chosen) -> list[dict[str, Any]]:
    """The report's check lines: the earlier ones for kept cells, the new ones for chosen."""
    def is_chosen(line: dict[str, Any]) -> bool:
        return line.get("cell") in chosen.tests.get(str(line.get("notebook")), frozenset())

    return [line for line in previous if not is_chosen(line)] + [
        line for line in current if is_chosen(line)]
