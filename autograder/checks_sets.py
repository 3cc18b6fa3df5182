"""Checks whose answer is a set of reals: intervals of monotonicity and concavity, and
subdifferentials."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy as sp

import calc_helpers as ch
from calc_helpers.sign_charts import resolve_domain

from .answers import Unreadable, read_number, read_set, show
from .checks_core import function_of, quietly, run_check
from .equivalence import CLOSE_FACTOR, REL_TOL, close, constant_value, intervals, same_number
from .feedback import Feedback, almost, correct, not_yet
from .misconceptions import ROUNDED, explain

WHICH = ("increasing", "decreasing", "concave_up", "concave_down")
_OPPOSITE = {
    "increasing": ("decreasing", "increasing_decreasing_swapped"),
    "decreasing": ("increasing", "increasing_decreasing_swapped"),
    "concave_up": ("concave_down", "concavity_swapped"),
    "concave_down": ("concave_up", "concavity_swapped"),
}
_GENERIC = {
    "increasing": "Check the sign of f' on each interval between the points where f' is zero "
    "or undefined.",
    "concave_up": "Check the sign of f'' on each interval between the points where f'' is "
    "zero or undefined.",
}

Pieces = tuple[tuple[float, float], ...]


def pieces(value: sp.Set, holes: tuple[float, ...] = ()) -> Pieces:
    """The set as sorted, merged (lo, hi) intervals, ignoring ends and isolated points.

    Intervals that overlap or touch are merged, except across a hole of f's domain. Two sets
    with the same pieces differ in at most finitely many points, so open or closed ends do
    not matter.

    Parameters
    ----------
    value : SymPy Set
        The set.
    holes : tuple of float, optional
        Points where f is undefined: intervals touching there stay apart.

    Returns
    -------
    tuple of (float, float) pairs

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.checks_sets import pieces
    >>> pieces(sp.Union(sp.Interval(0, 1), sp.Interval(1, 2), sp.Interval(3, 4)))
    ((0.0, 2.0), (3.0, 4.0))
    >>> pieces(sp.Union(sp.Interval.open(0, 1), sp.Interval.open(1, 2)), holes=(1.0,))
    ((0.0, 1.0), (1.0, 2.0))
    """
    spans = sorted((lo, hi) for lo, hi in intervals(value) if hi > lo)
    merged: list[list[float]] = []
    for lo, hi in spans:
        touching = merged and close(lo, merged[-1][1])
        if merged and (lo < merged[-1][1] and not touching):
            merged[-1][1] = max(merged[-1][1], hi)
        elif touching and not any(close(lo, h) for h in holes):
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def _same_piece(
    a: tuple[float, float], b: tuple[float, float], rel: float = REL_TOL
) -> bool:
    return close(a[0], b[0], rel) and close(a[1], b[1], rel)


def _same(a: Pieces, b: Pieces, rel: float = REL_TOL) -> bool:
    return len(a) == len(b) and all(_same_piece(p, q, rel) for p, q in zip(a, b, strict=True))


@dataclass(frozen=True)
class IntervalsReference:
    """Expected and opposite pieces, and the domain's pieces (for crossings of holes).

    Examples
    --------
    >>> from autograder.checks_sets import intervals_reference
    >>> ref = intervals_reference("1/x", "decreasing", None, None)
    >>> ref.expected, ref.holes
    (((-inf, 0.0), (0.0, inf)), (0.0, 0.0))
    """

    expected: Pieces
    opposite: Pieces
    swap_tag: str
    domain: Pieces
    holes: tuple[float, ...]
    generic: str


@lru_cache(maxsize=256)
@quietly
def intervals_reference(f: Any, which: str, x: Any, domain: sp.Set | None) -> IntervalsReference:
    """Where f increases/decreases/is concave up/down, from calc_helpers (cached).

    Parameters
    ----------
    f : str or SymPy expression
        The function.
    which : {"increasing", "decreasing", "concave_up", "concave_down"}
        Which set.
    x : Symbol, str or None
        The variable (None: the one free symbol of `f`).
    domain : SymPy Set or None
        Where to look (None: f's natural domain).

    Returns
    -------
    IntervalsReference

    Raises
    ------
    ValueError
        If `which` is not one of the four names.

    Examples
    --------
    >>> from autograder.checks_sets import intervals_reference
    >>> ref = intervals_reference("x^3 - 3x", "increasing", None, None)
    >>> ref.expected, ref.opposite, ref.swap_tag
    (((-inf, -1.0), (1.0, inf)), ((-1.0, 1.0),), 'increasing_decreasing_swapped')
    """
    if which not in WHICH:
        raise ValueError(f"which must be one of {WHICH}, got {which!r}")
    expr, var = function_of(f, x)
    if which in ("increasing", "decreasing"):
        table = ch.monotonicity(expr, var, domain)
        generic = _GENERIC["increasing"]
    else:
        found = ch.concavity(expr, var, domain)
        table = {"concave_up": found["up"], "concave_down": found["down"]}
        generic = _GENERIC["concave_up"]
    other, tag = _OPPOSITE[which]
    parts = tuple(intervals(resolve_domain(expr, var, domain)))
    holes = tuple(end for part in parts for end in part if math.isfinite(end))
    return IntervalsReference(
        pieces(table[which], holes), pieces(table[other], holes), tag, parts, holes, generic
    )


def _within_domain(piece: tuple[float, float], domain: Pieces) -> bool:
    lo, hi = piece
    return any((lo >= a or close(lo, a)) and (hi <= b or close(hi, b)) for a, b in domain)


def _judge_intervals(data: Any, ref: IntervalsReference, variable: str) -> Feedback:
    answer = read_set(data, variable)
    shown = show(answer)
    student = pieces(answer, ref.holes)
    raw = [(lo, hi) for lo, hi in intervals(answer) if hi > lo]
    outside = any(not _within_domain(p, ref.domain) for p in raw)
    if _same(student, ref.expected) and not outside:
        return correct(shown)
    loose = CLOSE_FACTOR * REL_TOL
    tags: list[str] = []
    if outside:
        tags.append("outside_domain")
    if student and _same(student, ref.opposite, loose) and not _same(ref.opposite, ref.expected):
        tags.append(ref.swap_tag)
    matched = [p for p in student if any(_same_piece(p, q) for q in ref.expected)]
    rounded = [
        p
        for p in student
        if p not in matched and any(_same_piece(p, q, loose) for q in ref.expected)
    ]
    extra = len(student) - len(matched) - len(rounded)
    total = len(ref.expected) + extra
    score = len(matched) / total if total else 0.0
    if rounded and not tags:
        body = ROUNDED["values"]
        if extra or len(matched) + len(rounded) < len(ref.expected):
            body += f" {ref.generic}"
        return almost(score, body, (), shown)
    body = explain(tags) or ref.generic
    if matched and not outside and total:
        return almost(score, f"part of your answer is right. {body}", tuple(tags), shown)
    return not_yet(body, tuple(tags), shown)


def check_intervals(
    answer: Any,
    f: Any,
    which: str,
    x: sp.Symbol | str | None = None,
    domain: sp.Set | None = None,
    *,
    question: str | None = None,
) -> Feedback:
    """Whether the answer is the set where f is `which` ("increasing", "decreasing",
    "concave_up" or "concave_down").

    Answers: a SymPy set, interval notation such as ``"(-oo, -1) U (3, oo)"`` (also ``∪``,
    ``inf``, ``∞``, ``[a, b]``), or a list of (lo, hi) pairs. Sets are compared up to finitely
    many points, so open or closed ends at a critical point do not matter; an interval that
    runs across a point where f is undefined does. Ends rounded within 0.1% count; rounded
    further (within 1%) they get "close: give exact values". Partial credit per interval.

    Parameters
    ----------
    answer : str, SymPy Set or list of (lo, hi) pairs
        The student's set, such as ``"(-oo, -1) U (1, oo)"``.
    f : str or SymPy expression
        The function.
    which : {"increasing", "decreasing", "concave_up", "concave_down"}
        Which set is asked for.
    x : Symbol or str, optional
        The variable (default: the one free symbol of `f`).
    domain : SymPy Set, optional
        Where to look (default: f's natural domain).
    question : str, optional
        A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

    Returns
    -------
    Feedback
        ``correct``, ``score`` (0 to 1), ``message``, misconception ``tags`` and ``state``.
        Never raises on the student's answer.

    Raises
    ------
    ValueError
        If `which` is not one of the four names.

    Examples
    --------
    >>> from autograder import check_intervals
    >>> check_intervals("(-oo, -1) U (1, oo)", "x^3 - 3x", "increasing").correct
    True
    >>> check_intervals("(-1, 1)", "x^3 - 3x", "increasing").tags
    ('increasing_decreasing_swapped',)
    >>> check_intervals("(-oo, 0)", "x^3 - 3x", "concave_up").tags
    ('concavity_swapped',)
    """
    ref = intervals_reference(f, which, x, domain)
    variable = function_of(f, x)[1].name
    return run_check(
        "check_intervals", question, answer, lambda data: _judge_intervals(data, ref, variable)
    )


# ---------------------------------------------------------------------------------------------
# Subdifferential
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
@quietly
def _subdifferential(f: Any, a: Any, x: Any) -> tuple[sp.Expr, sp.Expr]:
    expr, var = function_of(f, x)
    result = ch.subdifferential(expr, a, var)
    if isinstance(result, sp.FiniteSet):
        (value,) = result.args
        return value, value
    return result.start, result.end


def _ends(answer: sp.Set) -> tuple[sp.Expr, sp.Expr]:
    if isinstance(answer, sp.FiniteSet) and len(answer.args) == 1:
        return answer.args[0], answer.args[0]
    if isinstance(answer, sp.Interval):
        return answer.start, answer.end
    raise Unreadable("expected one closed interval such as [0, 1] (or one number).", show(answer))


_CLOSED = (
    "A subdifferential is a closed interval: it contains both one-sided derivatives, so "
    "write it with square brackets, as in [a, b]."
)


def _read_subdifferential(data: Any) -> sp.Set:
    """The answer as a set: interval notation, a pair (closed), or one number."""
    try:
        return read_set(data, pairs_closed=True)
    except Unreadable as set_error:
        if type(data) is not str:
            raise
        try:
            return sp.FiniteSet(read_number(data))
        except Unreadable:
            if data.strip()[:1] in "([{":
                raise set_error from None  # written as an interval: its own message
            raise


def _judge_subdifferential(data: Any, low: sp.Expr, high: sp.Expr) -> Feedback:
    answer = _read_subdifferential(data)
    shown = show(answer)
    s_low, s_high = _ends(answer)
    not_closed = isinstance(answer, sp.Interval) and (answer.left_open or answer.right_open)
    good = [same_number(s, e, REL_TOL)[1] for s, e in ((s_low, low), (s_high, high))]
    if all(good):
        return not_yet(_CLOSED, (), shown) if not_closed else correct(shown)
    closed_note = f" {_CLOSED}" if not_closed else ""
    loose = CLOSE_FACTOR * REL_TOL
    near = [same_number(s, e, loose)[1] for s, e in ((s_low, low), (s_high, high))]
    if all(near):
        score = 0.5 if any(good) and constant_value(low) != constant_value(high) else 0.0
        score = 0.0 if not_closed else score
        return almost(score, ROUNDED["values"] + closed_note, (), shown)
    kink = "At a kink the subdifferential is every slope between the left and the right "
    kink += "derivative: find both one-sided derivatives." + closed_note
    if constant_value(low) != constant_value(high) and constant_value(s_low) == constant_value(
        s_high
    ):
        return not_yet(f"one number is not enough here. {kink}", (), shown)
    if any(good) and not not_closed:
        return almost(0.5, f"one end is right. {kink}", (), shown)
    return not_yet(kink, (), shown)


def check_subdifferential(
    answer: Any, f: Any, a: Any, x: sp.Symbol | str | None = None, *, question: str | None = None
) -> Feedback:
    """Whether the answer is the subdifferential of the convex function f at a.

    Answers: text such as ``"[0, 1]"`` (or ``"{1}"``/``"1"`` where f is differentiable), a
    SymPy Interval, or a pair (0, 1) read as the closed interval [0, 1]. Open or half-open
    intervals are refused (a subdifferential is closed), with a message saying so.

    Parameters
    ----------
    answer : str, SymPy Set, number or (lo, hi) pair
        The student's subdifferential, such as ``"[-1, 1]"``.
    f : str or SymPy expression
        A convex function.
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
    >>> from autograder import check_subdifferential
    >>> check_subdifferential("[-1, 1]", "abs(x)", 0).correct
    True
    >>> check_subdifferential((-1, 1), "abs(x)", 0).correct
    True
    >>> check_subdifferential("(-1, 1)", "abs(x)", 0).message
    'Not yet: A subdifferential is a closed interval: ... Your answer was read as (-1, 1).'
    >>> check_subdifferential("1", "abs(x)", 2).correct
    True
    """
    low, high = _subdifferential(f, a, x)
    return run_check(
        "check_subdifferential",
        question,
        answer,
        lambda data: _judge_subdifferential(data, low, high),
    )
