"""``python -m autograder export ASSIGNMENT|--all --format canvas -o FILE.csv``.

Writes the gradebook as a Canvas-style gradebook CSV, read entirely through nbgrader's
gradebook API (so manual grades from the formgrader and nbgrader's late penalties count):

* a header row: ``Student`` ("Last, First"), ``ID`` (the roster's ``lms_user_id``),
  ``SIS User ID`` and ``SIS Login ID`` (the nbgrader student id, i.e. the hub login),
  ``Section``, then per assignment one column per graded cell (``ASSIGNMENT: CELL``, the
  cell's score, manual grade if there is one), the assignment's total (``ASSIGNMENT``: the
  score after nbgrader's late penalty, never below 0, exactly as ``nbgrader export``
  computes it), and three information columns: ``ASSIGNMENT: due date`` (the student's due
  date in UTC, extension included, as nbgrader stores it), ``ASSIGNMENT: submitted`` and
  ``ASSIGNMENT: late penalty`` (points taken off by the penalty nbgrader's
  ``LateSubmissionPlugin`` assigned when the submission was autograded);
* a ``Points Possible`` row: the maximum of each graded column, ``(read only)`` for the
  information columns, as in Canvas's own gradebook export (Canvas ignores read-only columns
  on import);
* one row per student of the gradebook (add them with ``roster import``). A student
  without a submission scores 0 in the total and has empty per-cell columns, as nbgrader's
  own export counts it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = ("canvas",)
IDENTITY_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
READ_ONLY = "(read only)"


def _natural(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _number(value: float | None) -> str:
    """A score as Canvas reads it: no trailing zeros, empty for None."""
    if value is None:
        return ""
    value = round(float(value), 4)
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def _when(value: dt.datetime | None) -> str:
    """A gradebook timestamp (naive UTC) as ISO 8601 with its zone, empty for None."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Column:
    """One column of the export: its header and its Points Possible cell."""

    header: str
    possible: str


def assignment_columns(gb: Any, assignment: str) -> tuple[list[Column], list[tuple[str, str]]]:
    """The columns of one assignment and the (notebook, cell) of each graded-cell column."""
    record = gb.find_assignment(assignment)
    cells = sorted(((nb.name, cell.name, cell.max_score) for nb in record.notebooks
                    for cell in nb.grade_cells),
                   key=lambda item: (_natural(item[0]), _natural(item[1])))
    several = len({nb for nb, _, _ in cells}) > 1
    columns = [Column(f"{assignment}: {f'{nb}/' if several else ''}{cell}", _number(points))
               for nb, cell, points in cells]
    columns.append(Column(assignment, _number(record.max_score)))
    columns += [Column(f"{assignment}: {what}", READ_ONLY)
                for what in ("due date", "submitted", "late penalty")]
    return columns, [(nb, cell) for nb, cell, _ in cells]


def assignment_values(gb: Any, assignment: str, cells: Sequence[tuple[str, str]],
                      student: str) -> list[str]:
    """One student's cells for one assignment, in `assignment_columns` order."""
    from nbgrader.api import MissingEntry

    record = gb.find_assignment(assignment)
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        due = _when(record.duedate)
        return [""] * len(cells) + ["0", due, "", ""]
    scores = {(nb.name, grade.name): grade.score
              for nb in submission.notebooks for grade in nb.grades}
    penalty = float(submission.late_submission_penalty or 0.0)
    total = max(0.0, float(submission.score) - penalty)
    return ([_number(scores.get(cell)) for cell in cells]
            + [_number(total), _when(submission.duedate), _when(submission.timestamp),
               _number(penalty)])


def _student_name(student: Any) -> str:
    last, first = (student.last_name or "").strip(), (student.first_name or "").strip()
    if last and first:
        return f"{last}, {first}"
    return last or first or student.id


def canvas_rows(db_url: str, course_id: str, assignments: Iterable[str] | None) -> list[list[str]]:
    """The Canvas gradebook CSV as rows (header, Points Possible, one row per student).

    `assignments`: names, or None for every assignment of the gradebook (by due date, then
    name, as nbgrader orders them). Raises KeyError for an assignment not in the gradebook.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        names = [a.name for a in gb.assignments] if assignments is None else list(assignments)
        plans = []
        for name in names:
            try:
                plans.append((name, *assignment_columns(gb, name)))
            except MissingEntry:
                known = ", ".join(a.name for a in gb.assignments) or "none"
                raise KeyError(f"no assignment {name!r} in the gradebook (known: {known})") \
                    from None
        header = list(IDENTITY_COLUMNS)
        possible = ["Points Possible", "", "", "", ""]
        for _, columns, _ in plans:
            header += [c.header for c in columns]
            possible += [c.possible for c in columns]
        rows = [header, possible]
        for student in sorted(gb.students, key=lambda s: (_student_name(s).lower(), s.id)):
            row = [_student_name(student), student.lms_user_id or "", student.id, student.id, ""]
            for name, _, cells in plans:
                row += assignment_values(gb, name, cells, student.id)
            rows.append(row)
    return rows


def export(db_url: str, course_id: str, assignments: Iterable[str] | None, out: Path | str,
           fmt: str = "canvas") -> int:
    """Write the export to `out`; return the number of student rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    rows = canvas_rows(db_url, course_id, assignments)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return len(rows) - 2
