"""Checks for lesson 2's self-checks: a limit (a number, or "does not exist") and the kind of
behaviour at a point (continuous, removable, jump, infinite), each wrong answer compared with
what a misconception would give.

The autograder's misconception tags cover the differentiation rules, not limits; the tags
below are lesson 2's own (LIMIT_MESSAGES), built on the autograder's reading of answers and
its Feedback, so the notebook shows them like every other check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from autograder.answers import Unreadable, read_label, read_number, show
from autograder.checks_core import run_check
from autograder.equivalence import CLOSE_FACTOR, REL_TOL, same_number
from autograder.feedback import Feedback, almost, correct, not_yet

LIMIT_MESSAGES: dict[str, str] = {
    "limit_needs_value": (
        "The limit does not look at f(a): it asks which number f(x) approaches as x gets close "
        "to a, with x never equal to a. A formula that gives 0/0 at a says nothing yet: "
        "simplify it for x different from a (cancel the common factor), then let x approach a."
    ),
    "indeterminate_evaluated": (
        "0/0 is not a number (not 0, not 1): it only says that this form of the formula cannot "
        "be evaluated at a. Simplify for x different from a first."
    ),
    "limit_is_value": (
        "A one-sided limit uses only the values on that side of a: from the left, only x < a. "
        "The value f(a) and the formula for the other side do not count."
    ),
    "one_side_only": (
        "The (two-sided) limit exists only when the limits from the left and from the right "
        "are the same number; compare both sides before answering."
    ),
    "averaged_sides": (
        "The limit is not the average of the two one-sided limits: when they differ, there is "
        "no single number that f(x) approaches, and the limit does not exist."
    ),
    "hole_called_jump": (
        "A hole (a removable discontinuity) has a limit: both sides approach the same number, "
        "only f(a) is missing or different. A jump has one-sided limits that differ."
    ),
    "jump_called_hole": (
        "A removable discontinuity (a hole) needs both one-sided limits to be the same number; "
        "here compare the limit from the left with the limit from the right."
    ),
    "continuity_needs_three": (
        "Continuous at a needs all three conditions: f(a) is defined, the limit at a exists, "
        "and the two are equal. Check each one at this point."
    ),
}

_DOES_NOT_EXIST = {
    "dne", "does_not_exist", "doesnt_exist", "doesn't_exist", "no_limit", "none",
    "not_exist", "nonexistent", "no", "it_does_not_exist", "undefined", "not_defined",
}
_KINDS = {
    **dict.fromkeys(["continuous", "continuity", "is_continuous"], "continuous"),
    **dict.fromkeys(["removable", "removable_discontinuity", "hole", "a_hole"], "removable"),
    **dict.fromkeys(["jump", "jump_discontinuity", "a_jump", "step"], "jump"),
    **dict.fromkeys(["infinite", "infinite_discontinuity", "vertical_asymptote", "asymptote",
                     "pole"], "infinite"),
    **dict.fromkeys(["no_limit", "oscillating", "oscillation", "oscillates"], "no_limit"),
}
_KIND_HELP = "one of 'continuous', 'removable', 'jump', 'infinite' or 'no_limit'"


def _explain(tag: str) -> tuple[str, tuple[str, ...]]:
    return LIMIT_MESSAGES[tag], (tag,)


def _says_does_not_exist(data: Any) -> bool:
    if data is None:
        return True
    if type(data) is str:
        words = "_".join(data.lower().replace("-", " ").replace(".", " ").split())
        return words in _DOES_NOT_EXIST
    return False


def _judge_limit(
    data: Any, expected: sp.Expr | None, mistakes: Sequence[tuple[Any, str]], rel_tol: float
) -> Feedback:
    if _says_does_not_exist(data):
        if expected is None:
            return correct("does not exist")
        for value, tag in mistakes:
            if value is None:
                return not_yet(*_explain(tag), "does not exist")
        return not_yet("This limit exists: look at both sides of the point again.", (),
                       "does not exist")
    value = read_number(data)
    shown = show(value)
    if expected is not None:
        exact, within = same_number(value, expected, rel_tol)
        if within:
            return correct(shown, "" if exact else "(accepted within the tolerance)")
    for wrong, tag in mistakes:
        if wrong is not None and same_number(value, sp.sympify(wrong), rel_tol)[1]:
            return not_yet(*_explain(tag), shown)
    if expected is not None and same_number(value, expected, CLOSE_FACTOR * rel_tol)[1]:
        return almost(0.0, "close, but not accurate enough: give an exact value.", (), shown)
    if expected is None:
        return not_yet("Compare the limits from the left and from the right first.", (), shown)
    return not_yet("That is not the limit. Check your working.", (), shown)


def check_limit(
    answer: Any,
    expected: Any,
    mistakes: Sequence[tuple[Any, str]] = (),
    rel_tol: float = REL_TOL,
    *,
    question: str | None = None,
) -> Feedback:
    """Whether the answer is the limit `expected` (None: the limit does not exist, answered
    with "DNE", "does not exist" or None). `mistakes` pairs the answer a misconception gives
    (a number, or None for "does not exist") with its tag in LIMIT_MESSAGES."""
    target = None if expected is None else sp.sympify(expected)

    def judge(data: Any) -> Feedback:
        try:
            return _judge_limit(data, target, mistakes, rel_tol)
        except Unreadable as problem:
            raise Unreadable(
                problem.message.rstrip(".") + ', or "DNE" if the limit does not exist.',
                problem.interpreted,
            ) from None

    return run_check("check_limit", question, answer, judge)


def check_kind(
    answer: Any,
    expected: str,
    mistakes: dict[str, str] | None = None,
    *,
    question: str | None = None,
) -> Feedback:
    """Whether the answer names the behaviour at the point (`expected`, one of
    "continuous", "removable", "jump", "infinite", "no_limit"); `mistakes` maps a wrong kind
    to its tag in LIMIT_MESSAGES."""

    def judge(data: Any) -> Feedback:
        said = read_label(data, _KINDS, _KIND_HELP)
        shown = said.replace("_", " ")
        if said == expected:
            return correct(shown)
        tag = (mistakes or {}).get(said)
        if tag is not None:
            return not_yet(*_explain(tag), shown)
        return not_yet(
            "Work through the three conditions: is f(a) defined, do the one-sided limits exist "
            "and agree, and does the limit equal f(a)?", (), shown)

    return run_check("check_kind", question, answer, judge)
