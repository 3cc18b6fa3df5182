"""autograder: the checking layer that lessons (self-checks) and assignments (nbgrader tests)
call, on top of calc_helpers.

Every check takes the student's answer first, then the instructor's side as SymPy objects,
and returns a `Feedback` (correct, score, message, tags, interpreted, state). A check never
raises on a student's answer: placeholders read as *not attempted*, non-plain objects are
refused, strings are read only by `calc_helpers.parse*`, and wrong answers get a message
naming the likely misconception (see `autograder.misconceptions.MESSAGES`) without giving
the answer away. With ``AUTOGRADER_LOG`` set, each check appends one JSON line to that file.
"""

from importlib import import_module
from typing import Any

# Where each public name lives. Imported on first use (PEP 562), so that importing a
# submodule that needs no SymPy (the grader, the nbgrader preprocessors) stays light.
_HOME = {
    "NOT_ATTEMPTED": "answers",
    "answer_of": "answers",
    "attempt": "answers",
    "check_derivative": "checks_expressions",
    "check_expression": "checks_expressions",
    "check_gradient": "checks_expressions",
    "check_hessian": "checks_expressions",
    "check_number": "checks_expressions",
    "check_classification": "checks_points",
    "check_critical_points": "checks_points",
    "check_inflection_points": "checks_points",
    "check_convexity": "checks_properties",
    "check_differentiability": "checks_properties",
    "check_intervals": "checks_sets",
    "check_subdifferential": "checks_sets",
    "Exercise": "exercise",
    "STATES": "feedback",
    "Feedback": "feedback",
    "MESSAGES": "misconceptions",
    "TAGS": "misconceptions",
    "newton_mistakes": "misconceptions",
    "assert_correct": "testing",
    "partial_credit": "testing",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


__all__ = [
    "MESSAGES",
    "NOT_ATTEMPTED",
    "STATES",
    "TAGS",
    "Exercise",
    "Feedback",
    "answer_of",
    "assert_correct",
    "attempt",
    "check_classification",
    "check_convexity",
    "check_critical_points",
    "check_derivative",
    "check_differentiability",
    "check_expression",
    "check_gradient",
    "check_hessian",
    "check_inflection_points",
    "check_intervals",
    "check_number",
    "check_subdifferential",
    "newton_mistakes",
    "partial_credit",
]
