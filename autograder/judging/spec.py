"""What a graded test cell asks the judge: its question and the variable holding the answer.

Each autograded test cell of an assignment ends with a hidden region of exactly this form::

    ### BEGIN HIDDEN TESTS
    # judged: question=1a answer=answer_1a
    raise RuntimeError("question 1a is graded by the course's judge, outside this notebook")
    ### END HIDDEN TESTS

The comment line is the judge's spec; the grader reads it from the gradebook's copy of the
cell (what the instructor wrote), never from the submitted notebook. The ``raise`` makes the
grade fail closed: if the judge were not configured, nbgrader would score the cell 0 (an
error), never full marks for a silent cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(
    r"^# judged: question=(?P<question>[A-Za-z0-9_.-]{1,40}) "
    r"answer=(?P<variable>[A-Za-z_][A-Za-z0-9_]{0,60})\s*$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Spec:
    """One judged test cell: its grade id, the question and the answer's variable name."""

    grade_id: str
    question: str
    variable: str

    def to_json(self) -> dict[str, str]:
        """Plain data (travels with a notebook's resources)."""
        return {"grade_id": self.grade_id, "question": self.question, "variable": self.variable}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Spec:
        """The inverse of :meth:`to_json`."""
        return cls(data["grade_id"], data["question"], data["variable"])


def hidden_region(question: str, variable: str) -> str:
    """The hidden part of a test cell for ``question`` answered in ``variable``."""
    return (
        "### BEGIN HIDDEN TESTS\n"
        f"# judged: question={question} answer={variable}\n"
        f'raise RuntimeError("question {question} is graded by the course\'s judge, '
        'outside this notebook")\n'
        "### END HIDDEN TESTS"
    )


def parse(grade_id: str, source: str) -> Spec | None:
    """The spec in a test cell's source, or None when it has none (or more than one)."""
    found = list(_SPEC.finditer(source))
    if len(found) != 1:
        return None
    match = found[0]
    return Spec(grade_id, match["question"], match["variable"])
