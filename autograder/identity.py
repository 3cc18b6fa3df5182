"""Who a notebook is run for and graded as: the identity, its variant seed, and its record.

Every assignment draws its functions from a seeded family (`autograder.problem_sets`); the
seed is the student's identity, so a student always sees, and is graded on, the same variant.
The identity is, in this order:

* while nbgrader autogrades (``NBGRADER_EXECUTION=autograde``) the student id nbgrader grades:
  ``DFML_GRADED_STUDENT`` in the environment the grading kernel was started with (the course's
  nbgrader config sets it; code in the notebook cannot change a process's initial
  environment), else the working folder ``autograded/<student>/<assignment>``;
* otherwise ``DFML_STUDENT_ID`` when it is set (an instructor previewing a student's variant,
  or a shared machine without JupyterHub), then the JupyterHub user (``JUPYTERHUB_USER``);
* otherwise the self-study default ``"self-study"``: everyone working alone shares one variant.

The setup cell of an assignment (`autograder.variants.setup`) records the identity it ran
under in a small file beside the notebook (`RECORD_FILE`); ``nbgrader submit`` carries it
along, and at grading the setup cell, the hidden tests and the gradebook comments say plainly
when the notebook was worked under another identity than the one it is graded under.

This module imports only the standard library (no SymPy): the grader and nbgrader's own
process use it and never need the problem sets.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

COURSE_ID = "derivatives-for-ml"
DEFAULT_STUDENT = "self-study"
STUDENT_ENV = "DFML_STUDENT_ID"
GRADED_ENV = "DFML_GRADED_STUDENT"  # set in the grading kernel's environment at launch
GRADED_FOLDER_ENV = "DFML_GRADED_FOLDER"  # the graded notebook's folder, likewise
RECORD_FILE = ".worked_by.json"
#: What an identity may look like: an id nbgrader and a unix login both accept (the roster's
#: syntax), which includes the self-study default. Bounded, no slashes, spaces or newlines.
IDENTITY_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,127}")

SOURCES = {
    "nbgrader": "the student id nbgrader is grading",
    "env": f"the {STUDENT_ENV} environment variable",
    "jupyterhub": "your JupyterHub user name",
    "default": f"the self-study default: no JupyterHub user and no {STUDENT_ENV} set",
}

# ---------------------------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who a notebook is run for: the `student` name and where it came from (`source`)."""

    student: str
    source: str  # a key of SOURCES

    @property
    def grading(self) -> bool:
        """Whether this is nbgrader grading the notebook."""
        return self.source == "nbgrader"

    def describe(self) -> str:
        """'alice' (your JupyterHub user name)."""
        return f"'{self.student}' ({SOURCES[self.source]})"


def valid_identity(name: object) -> bool:
    """Whether `name` is a plain identity string of the allowed syntax.

    >>> valid_identity("self-study"), valid_identity("../alice"), valid_identity("a\\nb")
    (True, False, False)
    """
    return isinstance(name, str) and IDENTITY_PATTERN.fullmatch(name) is not None


def student_from_autograde_folder(folder: str | os.PathLike) -> str | None:
    """The student id in nbgrader's grading folder ``.../<student>/<assignment>``."""
    parts = Path(folder).resolve().parts
    return parts[-2] if len(parts) >= 3 and parts[-2] else None


def initial_environ() -> dict[str, str]:
    """The environment this process started with (Linux: /proc/self/environ), else {}.

    Code running in the process can change ``os.environ`` but not this: grading decisions
    read it, so a notebook cannot make itself graded as someone else.
    """
    try:
        raw = Path("/proc/self/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.decode("utf-8", "replace").partition("=") for item in raw.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def _launch_setting(name: str, environ: Mapping[str, str] | None) -> str:
    """A variable as the process was launched with it, else as it is now ("" if unset)."""
    if environ is not None:
        return (environ.get(name) or "").strip()
    return (initial_environ().get(name) or os.environ.get(name) or "").strip()


def grading_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the notebook being graded (as nbgrader launched it), else the cwd."""
    return Path(_launch_setting(GRADED_FOLDER_ENV, environ) or Path.cwd())


def current_identity(
    folder: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None
) -> Identity:
    """The identity a notebook runs under now (see the module docstring for the order).

    `environ` replaces both the live and the initial environment (for tests). While grading,
    the graded student comes from the environment the kernel started with (the course's
    nbgrader config puts it there), else from ``os.environ`` (a grader that forks kernels
    sets it there), and only then from the folder name.

    >>> current_identity(".", {"JUPYTERHUB_USER": "alice"})
    Identity(student='alice', source='jupyterhub')
    >>> current_identity(".", {}).describe()
    "'self-study' (the self-study default: no JupyterHub user and no DFML_STUDENT_ID set)"
    """
    live = os.environ if environ is None else environ
    initial = initial_environ() if environ is None else environ
    modes = (initial.get("NBGRADER_EXECUTION"), live.get("NBGRADER_EXECUTION"))
    if "autograde" in modes:
        student = _launch_setting(GRADED_ENV, environ) or student_from_autograde_folder(
            Path.cwd() if folder is None else folder
        )
        if student:
            return Identity(student, "nbgrader")
    for variable, source in ((STUDENT_ENV, "env"), ("JUPYTERHUB_USER", "jupyterhub")):
        value = (live.get(variable) or "").strip()
        if value:
            return Identity(value, source)
    return Identity(DEFAULT_STUDENT, "default")


def variant_seed(assignment: str, student: str) -> int:
    """The seed of a student's variant of an assignment (stable across machines and runs)."""
    digest = hashlib.sha256(f"{COURSE_ID}|{assignment}|{student}".encode()).hexdigest()
    return int(digest[:16], 16)


def variant_code(assignment: str, student: str) -> str:
    """A short code naming the variant, shown to the student and kept in the record.

    >>> variant_code("ps1_limits_and_derivatives", "zoe")
    'a921ce'
    """
    return f"{variant_seed(assignment, student):016x}"[:6]


# ---------------------------------------------------------------------------------------------
# The record of who worked a notebook
# ---------------------------------------------------------------------------------------------


def read_record(folder: str | os.PathLike, assignment: str) -> list[dict[str, Any]] | None:
    """The identities a notebook of `assignment` in `folder` was run under (None: no record)."""
    path = Path(folder) / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entries = data.get(assignment) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return None
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("student"), str)]


def record_identity(
    folder: str | os.PathLike, assignment: str, identity: Identity, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Add `identity` to the record beside the notebook (or refresh its last-seen time)."""
    path = Path(folder) / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    entries = [e for e in data.get(assignment, []) if isinstance(e, dict)]
    for entry in entries:
        if entry.get("student") == identity.student:
            entry["last_seen"] = stamp
            break
    else:
        entries.append(
            {
                "student": identity.student,
                "source": identity.source,
                "variant": variant_code(assignment, identity.student),
                "first_seen": stamp,
                "last_seen": stamp,
            }
        )
    data[assignment] = entries
    try:
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only folder: the notebook still works, only the record is missing
    return entries


def identity_note(entries: list[dict[str, Any]] | None, student: str) -> str | None:
    """A plain warning when a notebook was worked under another identity than `student`.

    None when every recorded identity is `student`, or when there is no record at all (a
    notebook whose setup cell never ran carries none; that is said by `record_status`).
    """
    if not entries:
        return None
    others = [e["student"] for e in entries if e["student"] != student]
    if not others:
        return None
    names = ", ".join(f"'{name}'" for name in dict.fromkeys(others))
    if len(others) < len(entries):
        worked = f"was opened as {names} as well as '{student}'"
    else:
        worked = f"was worked as {names}"
    return (
        f"IDENTITY MISMATCH: this notebook {worked} and is graded as student '{student}'. "
        "Each student has their own functions, so answers written while the notebook showed "
        f"another student's functions are marked against the functions of '{student}' and "
        "are likely to be wrong. If this is a mistake (for example the notebook was started "
        "without logging in), ask the instructor to look at it."
    )


def record_status(folder: str | os.PathLike, assignment: str, student: str) -> str:
    """One plain sentence about the record beside a notebook being graded as `student`."""
    entries = read_record(folder, assignment)
    note = identity_note(entries, student)
    if note:
        return note
    if entries is None:
        return (
            f"This notebook carries no record of who worked it (its setup cell was never run, "
            f"or {RECORD_FILE} was not submitted); it is graded as student '{student}'."
        )
    return f"Worked and graded as student '{student}'."


def is_master_copy(folder: str | os.PathLike) -> bool:
    """Whether `folder` is the course's own source/ or release/ copy of an assignment."""
    folder = Path(folder).resolve()
    return (
        folder.parent.name in ("source", "release")
        and (folder.parent.parent / "nbgrader_config.py").exists()
    )
