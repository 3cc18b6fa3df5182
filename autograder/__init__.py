"""autograder: the checking layer that lessons (self-checks) and assignments (nbgrader tests)
call, on top of calc_helpers.

Every check takes the student's answer first, then the instructor's side as SymPy objects,
and returns a `Feedback` (correct, score, message, tags, interpreted, state). A check never
raises on a student's answer: placeholders read as *not attempted*, non-plain objects are
refused, strings are read only by `calc_helpers.parse*`, and wrong answers get a message
naming the likely misconception (see `autograder.misconceptions.MESSAGES`) without giving
the answer away. With ``AUTOGRADER_LOG`` set, each check appends one JSON line to that file.
"""

from .answers import NOT_ATTEMPTED, answer_of, attempt
from .checks_expressions import (
    check_derivative,
    check_expression,
    check_gradient,
    check_hessian,
    check_number,
)
from .checks_points import check_classification, check_critical_points, check_inflection_points
from .checks_properties import check_convexity, check_differentiability
from .checks_sets import check_intervals, check_subdifferential
from .exercise import Exercise
from .feedback import STATES, Feedback
from .misconceptions import MESSAGES, TAGS
from .testing import assert_correct, partial_credit

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
    "partial_credit",
]
