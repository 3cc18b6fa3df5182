"""Class analytics: one JSON line per check, appended to the file named by AUTOGRADER_LOG.

An instructor sets ``AUTOGRADER_LOG=/path/to/checks.jsonl`` (for example while autograding a
batch) and later counts misconception tags across the class. Logging never makes a check
fail: any problem writing the file is ignored.
"""

from __future__ import annotations

import json
import os
import time

from .feedback import Feedback

ENVIRONMENT_VARIABLE = "AUTOGRADER_LOG"


def record(question: str | None, check: str, feedback: Feedback) -> None:
    """Append {question, check, correct, score, state, tags, time} to the log, if one is set."""
    path = os.environ.get(ENVIRONMENT_VARIABLE)
    if not path:
        return
    try:
        line = json.dumps(
            {
                "question": question if isinstance(question, str) else None,
                "check": check,
                "correct": bool(feedback.correct),
                "score": float(feedback.score),
                "state": feedback.state,
                "tags": list(feedback.tags),
                "time": round(time.time(), 3),
            }
        )
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    except Exception:  # noqa: BLE001 - analytics must never break a check
        return


def read_log(path: str) -> list[dict]:
    """The records of a log file (lines that are not valid JSON are skipped)."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
    return records
