"""The course's checker for the judge: a student's variant, the reference, the check.

Loaded by the grader (never in a student's kernel, for grading). The student id always
comes from the grader; the identity record the notebook carried only adds a notice.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from autograder import variants


@lru_cache(maxsize=64)
def _problems(assignment: str, student: str) -> variants.ProblemSet:
    return variants.problem_set(assignment, student)


def judge_answer(assignment: str, student: str, question: str, value: Any) -> Any:
    """The Feedback for ``value`` as the answer to ``question`` of ``student``'s variant."""
    problems = _problems(assignment, student)
    return variants.check_question(problems.question(question), value)


def record_note(record: str | None, assignment: str, student: str) -> str | None:
    """The "worked under another identity" notice, from the record's text (None: nothing)."""
    if not record:
        return None
    try:
        data = json.loads(record)
    except ValueError:
        return None
    entries = data.get(assignment) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return None
    entries = [e for e in entries if isinstance(e, dict) and isinstance(e.get("student"), str)]
    return variants.identity_note(entries, student)
