"""Checks for lesson 2's self-checks: a limit (a number, or "does not exist") and the kind of
behaviour at a point (continuous, removable, jump, infinite), each wrong answer compared with
what a misconception would give.

The misconception tags (limit_needs_value, one_side_only, hole_called_jump, ...) and their
messages live with every other tag in `autograder.misconceptions.MESSAGES`; the checks are
built on the autograder's reading of answers and its Feedback, so the notebook shows them like
every other check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from autograder.answers import Unreadable, read_label, read_number, show
from autograder.checks_core import run_check
from autograder.equivalence import CLOSE_FACTOR, REL_TOL, same_number
from autograder.feedback import Feedback, almost, correct, not_yet
from autograder.misconceptions import MESSAGES

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
    return MESSAGES[tag], (tag,)


def _known_tags(tags) -> None:
    """Refuse a misconception tag the registry does not define (as `check_number` does)."""
    unknown = [tag for tag in tags if tag not in MESSAGES]
    if unknown:
        raise ValueError(f"unknown misconception tags {unknown}; see autograder.TAGS")


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
    (a number, or None for "does not exist") with its tag in `autograder.TAGS`."""
    _known_tags(tag for _, tag in mistakes)
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
    to its tag in `autograder.TAGS`."""
    _known_tags((mistakes or {}).values())

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
