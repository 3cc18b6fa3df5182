"""Attacks on ``--dask`` grading from the worker's side, each with the refusal it must meet.

A worker's reply is data the instructor's grader did not make: a worker running other code,
a mixed-up or replayed reply, or a reply bloated by what a kernel printed. Each attack
rewrites an honest reply (the decoded JSON of :func:`autograder.grading.dask_protocol.reply`)
given the task that was sent; ``refused`` is a piece of the reason the grader must give.
A refused reply makes the submission an ``error`` outcome (graded again by the next run):
never a score, never zeros recorded as graded.

The cluster-level attacks (a worker whose course code differs, a worker that lies about its
code and answers for another student) are run on real workers in tests/test_grading_dask.py:
:data:`ROGUE_WORKERS` says how their code is changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Reply = dict[str, Any]


@dataclass
class ReplyAttack:
    """One forged reply and the refusal it must meet."""

    name: str
    what: str
    forge: Callable[[Reply, dict[str, Any]], Any]
    refused: str
    #: the forged value is handed over as it is (else: the forged reply, JSON-encoded)
    raw: bool = False


def _first(reply: Reply) -> dict[str, Any]:
    return next(iter(reply["results"].values()))


def _nb(reply: Reply) -> dict[str, Any]:
    return json.loads(_first(reply)["nb"])


def _set_nb(reply: Reply, nb: dict[str, Any]) -> Reply:
    _first(reply)["nb"] = json.dumps(nb)
    return reply


def _grade_cell(nb: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade"))


def other_student(reply: Reply, task: dict) -> Reply:
    """Claims to be the result of another student's submission."""
    reply["student"] = "h_right" if task["student"] != "h_right" else "h_wrong"
    return reply


def other_task(reply: Reply, task: dict) -> Reply:
    """A reply to another task (a replay, or a mix-up): another token."""
    reply["token"] = "0" * 32
    return reply


def other_assignment(reply: Reply, task: dict) -> Reply:
    """The same student's result for another assignment."""
    reply["assignment"] = "ps1"
    return reply


def oversized(reply: Reply, task: dict) -> Reply:
    """A notebook bloated far past the output limit (a worker that did not cap it)."""
    nb = _nb(reply)
    nb["cells"][0].setdefault("outputs", [])
    nb["cells"][0]["metadata"]["junk"] = "x" * (40 * 1024 * 1024)
    return _set_nb(reply, nb)


def extra_notebook(reply: Reply, task: dict) -> Reply:
    """Results for a notebook that was never sent."""
    reply["results"]["bonus"] = dict(_first(reply))
    return reply


def missing_notebook(reply: Reply, task: dict) -> Reply:
    """No result for the notebook sent."""
    reply["results"] = {}
    return reply


def edited_test(reply: Reply, task: dict) -> Reply:
    """The test cell's source replaced (a test that can only pass)."""
    nb = _nb(reply)
    _grade_cell(nb)["source"] = "pass"
    return _set_nb(reply, nb)


def more_points(reply: Reply, task: dict) -> Reply:
    """The test cell worth 100 points."""
    nb = _nb(reply)
    _grade_cell(nb)["metadata"]["nbgrader"]["points"] = 100
    return _set_nb(reply, nb)


def dropped_cell(reply: Reply, task: dict) -> Reply:
    """A cell left out of the notebook."""
    nb = _nb(reply)
    nb["cells"].pop()
    return _set_nb(reply, nb)


def unjudged_extraction(reply: Reply, task: dict) -> Reply:
    """An "extracted answer" for a cell that has no judge spec."""
    _first(reply)["extracted"]["q3_explain"] = "6"
    return reply


def huge_extraction(reply: Reply, task: dict) -> Reply:
    """An extraction past the extraction cap."""
    gid = task["notebooks"][0]["specs"][0]["grade_id"]
    _first(reply)["extracted"][gid] = "1" * 3_000_000
    return reply


def unknown_status(reply: Reply, task: dict) -> Reply:
    """A status the worker may not report."""
    _first(reply)["status"] = "perfect"
    return reply


def decided_here_status(reply: Reply, task: dict) -> Reply:
    """``malformed`` is decided on the instructor's side only."""
    _first(reply)["status"] = "malformed"
    return reply


def unknown_flag(reply: Reply, task: dict) -> Reply:
    """A flag that does not exist."""
    _first(reply)["flags"] = ["full_marks"]
    return reply


def not_json(reply: Reply, task: dict) -> bytes:
    """Bytes that are not JSON at all."""
    return b"\x80\x04\x95 a pickle, perhaps"


def not_bytes(reply: Reply, task: dict) -> Any:
    """An object instead of the reply's bytes (Dask would hand it over unpickled)."""
    return {"student": task["student"], "score": 5}


def worker_refusal(reply: Reply, task: dict) -> Reply:
    """The worker itself refused (its course code differs): nothing ran."""
    reply["refused"] = "the worker's course code (abc) differs from the grader's (def)"
    reply["results"] = {}
    return reply


REPLY_ATTACKS = [
    ReplyAttack("other_student", "claims another student's id", other_student,
                "another submission"),
    ReplyAttack("other_task", "answers another task", other_task, "another task"),
    ReplyAttack("other_assignment", "claims another assignment", other_assignment,
                "another submission"),
    ReplyAttack("oversized", "40 MB past the output limit", oversized, "allowed"),
    ReplyAttack("extra_notebook", "a notebook never sent", extra_notebook,
                "not the notebooks sent"),
    ReplyAttack("missing_notebook", "no result for the notebook", missing_notebook,
                "not the notebooks sent"),
    ReplyAttack("edited_test", "rewrites the test cell", edited_test, "not the cells sent"),
    ReplyAttack("more_points", "raises the test's points", more_points, "not the cells sent"),
    ReplyAttack("dropped_cell", "drops a cell", dropped_cell, "not the cells sent"),
    ReplyAttack("unjudged_extraction", "extracts for an unjudged cell", unjudged_extraction,
                "not judged"),
    ReplyAttack("huge_extraction", "an extraction past the cap", huge_extraction, "cap"),
    ReplyAttack("unknown_status", "an unknown status", unknown_status, "unknown status"),
    ReplyAttack("decided_here_status", "a status only the grader decides",
                decided_here_status, "unknown status"),
    ReplyAttack("unknown_flag", "an unknown flag", unknown_flag, "unknown flags"),
    ReplyAttack("not_json", "not JSON", not_json, "not JSON", raw=True),
    ReplyAttack("not_bytes", "an object, not bytes", not_bytes, "not bytes", raw=True),
    ReplyAttack("worker_refusal", "the worker refused", worker_refusal, "worker refused"),
]

#: Workers of the cluster-level attacks: how a copy of the installed ``autograder`` package
#: is changed (file -> [(old text, new text)]) and the outcome detail the grader must give.
ROGUE_WORKERS = {
    # other course code, honest about it: refuses every task
    "different_code": ({"grading/dask_worker.py": [
        ('"""The Dask worker\'s side', '"""An older release. The Dask worker\'s side')]},
        "differs from the grader's"),
    # claims the grader's course code hash, runs nothing, answers for another student
    "liar": ({"grading/dask_protocol.py": [
        ("def course_code_hash() -> str:\n",
         "def course_code_hash() -> str:\n"
         "    import os\n"
         "    if os.environ.get('ROGUE_HASH'):\n"
         "        return os.environ['ROGUE_HASH']\n")],
        "grading/dask_worker.py": [
        ("        results = _execute(plugin, task)\n",
         "        results = {}\n        task = dict(task, student='h_right')\n")]},
        "another submission"),
}
