"""The graded problem sets: the model, and one module of content per assignment.

Every assignment draws its functions from a seeded family: the same kind of function and the
same difficulty for everyone, different numbers for each student. The family of the assignment
in ``source/<assignment>/`` is `family` in the module of the same name here
(``ps1_limits_and_derivatives.py``, ...); `problem_set` seeds it with the student's identity
(`autograder.identity.variant_seed`), so a student always sees, and is graded on, the same
variant.

::

    problem_sets/
      model.py        Part, Question, ProblemSet, check_question, LaTeX rendering
      _draws.py       symbols and random draws the families share
      ps1_...py       one module per assignment: its family(rng) and helpers
      ...
      ps5_...py

The assignments' modules (and SymPy with them) are imported on first use, so importing this
package stays cheap.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable

from autograder.identity import variant_seed

from .model import Part, ProblemSet, Question, check_question

__all__ = [
    "ASSIGNMENTS",
    "Part",
    "ProblemSet",
    "Question",
    "check_question",
    "family",
    "problem_set",
]

#: The graded assignments, in course order; each names its source/ folder and its module here.
ASSIGNMENTS = (
    "ps1_limits_and_derivatives",
    "ps2_differentiability",
    "ps3_shape_of_a_function",
    "ps4_convexity_and_critical_points",
    "ps5_optimisation_for_ml",
)

Family = Callable[[random.Random], list[Question]]


def family(assignment: str) -> Family:
    """The function drawing a student's questions of `assignment` from a seeded generator.

    >>> family("ps1_limits_and_derivatives").__module__
    'autograder.problem_sets.ps1_limits_and_derivatives'
    """
    if assignment not in ASSIGNMENTS:
        known = ", ".join(ASSIGNMENTS)
        raise KeyError(f"unknown assignment {assignment!r}; known: {known}")
    return importlib.import_module(f"{__name__}.{assignment}").family


def problem_set(assignment: str, student: str) -> ProblemSet:
    """`student`'s variant of `assignment`: always the same for the same two names.

    >>> ps = problem_set("ps1_limits_and_derivatives", "zoe")
    >>> ps.code == problem_set("ps1_limits_and_derivatives", "zoe").code
    True
    >>> list(ps.questions)
    ['1a', '1b', '1c', '1d', '1e', '1f']
    """
    draw = family(assignment)
    return ProblemSet(assignment, student, draw(random.Random(variant_seed(assignment, student))))
