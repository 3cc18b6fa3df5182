"""The instructor's decision to grade a notebook against the variant it was worked under.

The setup cell records who ran it in ``.worked_by.json`` beside the notebook
(:mod:`autograder.identity`), and ``nbgrader submit`` carries that file along. By default the
record is only a notice: a notebook worked under another identity (``self-study`` before
logging in, say) is graded against the graded student's variant and held for a human. With
``grade --variant-from-worked-by`` the instructor decides, for the students that command
grades, to grade against the variant of the identity the record names instead.

The record is data the student could write, so it is read without following links and
validated strictly: a JSON object whose entry for the assignment lists the identities the
notebook ran under, each a plain identity string of :data:`~autograder.identity.IDENTITY_PATTERN`
with the variant code that identity really has. One identity, and not another student of the
course, is accepted; anything else (no record, a link, too large, not JSON, duplicate keys,
several identities, a classmate's name, a wrong variant code) refuses with the reason, and
that student's grading ends as an ``error`` outcome with their grades untouched: it never
guesses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..identity import DEFAULT_STUDENT, RECORD_FILE, valid_identity, variant_code
from ..judging.extraction import MAX_RECORD, read_regular

#: Entries a genuine record has for one assignment: one per identity the notebook ran under.
MAX_ENTRIES = 16
REQUIRED = frozenset({"student", "source", "variant"})
OPTIONAL = frozenset({"first_seen", "last_seen"})
#: Where a student's identity came from when they worked (``nbgrader`` only ever grades).
SOURCES = frozenset({"env", "jupyterhub", "default"})
OPTION = "--variant-from-worked-by"


class RecordRefused(ValueError):
    """The identity record cannot decide the variant (the message says why)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise RecordRefused(f"{RECORD_FILE} repeats a key (a record can be read two ways)")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise RecordRefused(f"{RECORD_FILE} holds {name}, which is not JSON")


def _entry_identity(entry: Any, assignment: str) -> str:
    """The identity of one entry of a record, validated."""
    if not isinstance(entry, dict):
        raise RecordRefused(f"an entry of {RECORD_FILE} is not an object")
    keys = set(entry)
    if not REQUIRED <= keys or not keys <= REQUIRED | OPTIONAL:
        raise RecordRefused(f"an entry of {RECORD_FILE} has the keys {sorted(keys)[:8]}, not "
                            f"{sorted(REQUIRED)} (and the times)")
    student, source, variant = entry["student"], entry["source"], entry["variant"]
    if not valid_identity(student):
        raise RecordRefused(f"{RECORD_FILE} names an identity that is not a plain id "
                            f"({json.dumps(student)[:60]})")
    if source not in SOURCES or (source == "default") != (student == DEFAULT_STUDENT):
        raise RecordRefused(f"{RECORD_FILE} gives {student!r} an impossible source "
                            f"({json.dumps(source)[:40]})")
    if variant != variant_code(assignment, student):
        raise RecordRefused(f"{RECORD_FILE} gives {student!r} a variant code that is not "
                            "theirs (an edited record)")
    for name in OPTIONAL & keys:
        if not isinstance(entry[name], str) or len(entry[name]) > 64:
            raise RecordRefused(f"{RECORD_FILE} has a malformed {name}")
    return student


def recorded_identity(text: str | None, assignment: str) -> str:
    """The one identity a record says the notebook of ``assignment`` was worked under.

    Raises :class:`RecordRefused` unless the record is well formed and names exactly one.

    >>> from autograder.identity import variant_code
    >>> entry = {"student": "self-study", "source": "default",
    ...          "variant": variant_code("ps1", "self-study")}
    >>> recorded_identity(json.dumps({"ps1": [entry]}), "ps1")
    'self-study'
    >>> recorded_identity('{"ps1": [', "ps1")
    Traceback (most recent call last):
    ...
    autograder.grading.worked_by.RecordRefused: .worked_by.json is not JSON
    """
    if text is None:
        raise RecordRefused(f"no {RECORD_FILE} was submitted as a regular file, so the "
                            "variant the notebook was worked under is unknown")
    if len(text.encode("utf-8")) > MAX_RECORD:
        raise RecordRefused(f"{RECORD_FILE} is larger than {MAX_RECORD} bytes")
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecordRefused:
        raise
    except (ValueError, RecursionError):
        raise RecordRefused(f"{RECORD_FILE} is not JSON") from None
    entries = data.get(assignment) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise RecordRefused(f"{RECORD_FILE} has no entry for {assignment}")
    if len(entries) > MAX_ENTRIES:
        raise RecordRefused(f"{RECORD_FILE} has more than {MAX_ENTRIES} entries")
    names = list(dict.fromkeys(_entry_identity(entry, assignment) for entry in entries))
    if len(names) > 1:
        raise RecordRefused(f"the notebook was worked as {', '.join(map(repr, names[:4]))}: "
                            "which variant the answers were written for cannot be told")
    return names[0]


def decide(submitted: Path, assignment: str, student: str, classmates: set[str]) -> str:
    """The identity whose variant ``student``'s submission in ``submitted`` is graded against.

    ``classmates``: the course's student ids. A record naming another of them refuses:
    grading against a classmate's variant would reward copied answers.
    """
    text = read_regular(submitted / RECORD_FILE, limit=MAX_RECORD + 1)
    identity = recorded_identity(text, assignment)
    if identity != student and identity in classmates:
        raise RecordRefused(f"{RECORD_FILE} names {identity!r}, another student of this "
                            "course; grade this submission by hand")
    return identity


def decision_note(identity: str, student: str) -> str:
    """The sentence saying the decision was made (graded notebook, gradebook comments)."""
    if identity == student:
        return (f"Graded against the variant of '{student}', the identity this notebook was "
                f"worked under (its {RECORD_FILE}), by the instructor's decision ({OPTION}).")
    return (f"INSTRUCTOR'S DECISION: this notebook was worked as '{identity}' (its "
            f"{RECORD_FILE}) and is graded against the variant of '{identity}', the functions "
            f"it showed, instead of those of '{student}' ({OPTION}).")


def refusal(reason: str) -> str:
    """The outcome's detail when the record cannot decide (kept short for the journal)."""
    return f"{OPTION} refused: {reason}; grades left as they were"[:280]
