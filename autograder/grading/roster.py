"""``python -m autograder roster import FILE.csv``: put a class list into nbgrader's gradebook.

The CSV has a header row. Recognised columns (case, spaces and dashes do not matter):

* ``id`` (also ``student_id``, ``username``, ``login``): the student's id, which on the course's
  JupyterHub is their unix login: required;
* ``first_name`` (``first``, ``given_name``), ``last_name`` (``last``, ``family_name``,
  ``surname``), ``email`` (``e_mail``, ``mail``): optional;
* ``lms_user_id`` (``canvas_id``, ``lms_id``): the student's id in the LMS, optional; the
  Canvas export writes it in the ``ID`` column.

Students are created or updated through nbgrader's own gradebook API; an empty cell leaves
what the gradebook already holds unchanged. The whole file is checked before anything is
written: a missing id column, an empty or badly formed id or a repeated id refuses the file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Ids nbgrader and a unix login both accept: no slashes, spaces, '+' (the exchange's
#: separator in submission folder names) or leading dot/dash.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,127}$")

_ALIASES = {
    "id": ("id", "student_id", "studentid", "username", "user_name", "login", "user"),
    "first_name": ("first_name", "firstname", "first", "given_name", "givenname"),
    "last_name": ("last_name", "lastname", "last", "family_name", "familyname", "surname"),
    "email": ("email", "e_mail", "mail", "email_address"),
    "lms_user_id": ("lms_user_id", "lms_id", "canvas_id", "canvas_user_id"),
}
FIELDS = tuple(_ALIASES)


class RosterError(ValueError):
    """The roster file cannot be imported (the message says which line and why)."""


@dataclass
class RosterResult:
    """What an import did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: students in the gradebook that the roster does not list (kept: nothing is deleted)
    not_in_roster: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal."""
        text = (f"{len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged")
        if self.not_in_roster:
            names = ", ".join(self.not_in_roster[:10])
            more = " ..." if len(self.not_in_roster) > 10 else ""
            text += (f"; {len(self.not_in_roster)} in the gradebook but not in this roster "
                     f"(kept): {names}{more}")
        return text


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower().lstrip("\ufeff"))


def read_roster(path: Path | str) -> list[dict[str, str]]:
    """The students of a roster CSV, each ``{field: value}`` with FIELDS as keys.

    Raises RosterError for a file without an id column, an empty, malformed or repeated id.
    """
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise RosterError(f"{path}: the file is empty") from None
        columns: dict[str, int] = {}
        for index, name in enumerate(header):
            for fieldname, aliases in _ALIASES.items():
                if _key(name) in aliases and fieldname not in columns:
                    columns[fieldname] = index
        if "id" not in columns:
            raise RosterError(f"{path}: no id column in the header {header!r} (expected one of "
                              f"{', '.join(_ALIASES['id'])})")
        students: list[dict[str, str]] = []
        seen: dict[str, int] = {}
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            record = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
            sid = record["id"]
            if not sid:
                raise RosterError(f"{path}, line {line}: empty id")
            if not ID_PATTERN.match(sid):
                raise RosterError(f"{path}, line {line}: id {sid!r} is not a valid login "
                                  "(letters, digits, '_', '.', '@', '-'; no spaces or '+')")
            if sid in seen:
                raise RosterError(f"{path}, line {line}: id {sid!r} already on line {seen[sid]}")
            seen[sid] = line
            students.append({f: record.get(f, "") for f in FIELDS})
    return students


def import_roster(db_url: str, course_id: str, path: Path | str) -> RosterResult:
    """Create or update the roster's students in the gradebook at `db_url`."""
    from nbgrader.api import Gradebook, MissingEntry

    students = read_roster(path)
    result = RosterResult()
    listed = {s["id"] for s in students}
    with Gradebook(db_url, course_id) as gb:
        for record in students:
            sid = record["id"]
            values = {f: record[f] for f in FIELDS if f != "id" and record[f]}
            try:
                current = gb.find_student(sid)
            except MissingEntry:
                gb.add_student(sid, **values)
                result.added.append(sid)
                continue
            if all(getattr(current, f) == v for f, v in values.items()):
                result.unchanged.append(sid)
            else:
                gb.update_or_create_student(sid, **values)
                result.updated.append(sid)
        result.not_in_roster = sorted(s.id for s in gb.students if s.id not in listed)
    return result
