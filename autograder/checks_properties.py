"""Checks whose answer is a word or a yes/no: how differentiability fails at a point, and
whether a function is convex."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp

import calc_helpers as ch
from calc_helpers.vocabulary import DIFFERENTIABILITY_WORDS

from .answers import Unreadable, read_label, show
from .checks_core import function_of, instructor_number, quietly, run_check
from .feedback import Feedback, correct, not_yet
from .misconceptions import explain

_KINDS = {
    **dict.fromkeys(["differentiable", "diff", "smooth", "is_differentiable"], "differentiable"),
    **dict.fromkeys(
        [
            "discontinuity",
            "discontinuous",
            "jump",
            "jump_discontinuity",
            "not_continuous",
            "removable_discontinuity",
            "infinite_discontinuity",
            "hole",
            "removable",
            "jump_point",
        ],
        "discontinuity",
    ),
    **dict.fromkeys(["corner", "kink", "corner_point", "sharp_corner"], "corner"),
    **dict.fromkeys(["cusp", "cusp_point"], "cusp"),
    **dict.fromkeys(
        [
            "vertical_tangent",
            "vertical",
            "vertical_tangent_line",
            "vertical_slope",
            "infinite_slope",
            "verticaltangent",
        ],
        "vertical_tangent",
    ),
}
_KIND_HELP = (
    "one of 'differentiable', 'discontinuity', 'corner', 'cusp' or 'vertical_tangent' "
    "(if f is not differentiable, say how it fails)"
)
_NOT_SMOOTH = {"corner", "cusp", "vertical_tangent"}


@lru_cache(maxsize=256)
@quietly
def _kind(f: Any, a: Any, x: Any) -> str:
    expr, var = function_of(f, x)
    return ch.differentiability(expr, instructor_number(a), var).kind


def _judge_kind(data: Any, truth: str) -> Feedback:
    said = read_label(data, _KINDS, _KIND_HELP)
    shown = DIFFERENTIABILITY_WORDS[said]
    if said == truth:
        return correct(shown)
    if truth in _NOT_SMOOTH and said == "differentiable":
        tags = ("continuous_not_differentiable",)
        return not_yet(explain(tags), tags, shown)
    generic = (
        "Check continuity first (compare the one-sided limits with f(a)), then compare the "
        "slopes from the left and from the right: finite and different, infinite with "
        "opposite signs, or infinite with the same sign."
    )
    return not_yet(generic, (), shown)


def check_differentiability(
    answer: Any, f: Any, a: Any, x: sp.Symbol | str | None = None, *, question: str | None = None
) -> Feedback:
    """Whether the answer names how f behaves at a: "differentiable", "discontinuity",
    "corner", "cusp" or "vertical_tangent" (light variants such as "Corner", "vertical
    tangent", "kink" accepted).

    Parameters
    ----------
    answer : str
        One of the words above.
    f : str or SymPy expression
        The function.
    a : number, str or SymPy expression
        The point.
    x : Symbol or str, optional
        The variable (default: the one free symbol of `f`).
    question : str, optional
        A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

    Returns
    -------
    Feedback
        ``correct``, ``score`` (0 to 1), ``message``, misconception ``tags`` and ``state``.
        Never raises on the student's answer.

    Examples
    --------
    >>> from autograder import check_differentiability
    >>> check_differentiability("corner", "abs(x)", 0).correct
    True
    >>> check_differentiability("differentiable", "abs(x)", 0).tags
    ('continuous_not_differentiable',)
    >>> check_differentiability("Vertical tangent", "x^(1/3)", 0).correct
    True
    """
    truth = _kind(f, a, x)
    return run_check(
        "check_differentiability", question, answer, lambda data: _judge_kind(data, truth)
    )


_YES_NO = {
    **dict.fromkeys(["true", "yes", "y", "convex", "is_convex", "it_is_convex"], True),
    **dict.fromkeys(
        [
            "false",
            "no",
            "n",
            "not_convex",
            "nonconvex",
            "non_convex",
            "is_not_convex",
            "it_is_not_convex",
        ],
        False,
    ),
}


@lru_cache(maxsize=256)
@quietly
def _convex(f: Any, x: Any, domain: sp.Set | None) -> bool:
    expr, var = function_of(f, x)
    return bool(ch.is_convex(expr, var, domain))


def _read_yes_no(data: Any) -> bool:
    if type(data) is bool:
        return data
    if isinstance(data, sp.logic.boolalg.BooleanAtom):
        return bool(data)
    if type(data) is str:
        key = "_".join(data.lower().replace("-", " ").replace("_", " ").split())
        if key in _YES_NO:
            return _YES_NO[key]
    raise Unreadable("expected True or False (or 'yes' / 'no').", show(data)[:60])


def _judge_convexity(data: Any, truth: bool) -> Feedback:
    said = _read_yes_no(data)
    shown = "convex" if said else "not convex"
    if said == truth:
        return correct(shown)
    generic = (
        "Check the sign of f'' on every piece of the domain, and at each kink whether the "
        "slope jumps up or down (convex functions only bend upwards)."
    )
    return not_yet(generic, (), shown)


def check_convexity(
    answer: Any,
    f: Any,
    x: sp.Symbol | str | None = None,
    domain: sp.Set | None = None,
    *,
    question: str | None = None,
) -> Feedback:
    """Whether the answer (True/False, "yes"/"no", "convex"/"not convex") says correctly if f
    is convex on its domain (within `domain`).

    Parameters
    ----------
    answer : bool or str
        True/False, or a word such as "yes", "no", "convex", "not convex".
    f : str or SymPy expression
        The function.
    x : Symbol or str, optional
        The variable (default: the one free symbol of `f`).
    domain : SymPy Set, optional
        Where to judge (default: f's natural domain).
    question : str, optional
        A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

    Returns
    -------
    Feedback
        ``correct``, ``score`` (0 to 1), ``message``, misconception ``tags`` and ``state``.
        Never raises on the student's answer.

    Examples
    --------
    >>> from autograder import check_convexity
    >>> check_convexity(True, "x^2").correct
    True
    >>> check_convexity("yes", "x^3").state
    'not_yet'
    >>> check_convexity("maybe", "x^2").state
    'cannot_read'
    """
    truth = _convex(f, x, domain)
    return run_check(
        "check_convexity", question, answer, lambda data: _judge_convexity(data, truth)
    )
