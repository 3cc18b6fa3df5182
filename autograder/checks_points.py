"""Checks whose answer is a set of points: critical points, inflection points, and the
classification of critical points."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

import calc_helpers as ch
from calc_helpers.sign_charts import resolve_domain

from .answers import Unreadable, read_label, read_mapping, read_points, show
from .checks_core import function_of, quietly, run_check
from .equivalence import close, constant_value, roughly
from .feedback import Feedback, almost, correct, not_yet
from .misconceptions import ROUNDED, classification_tags, explain

_LABELS = {
    **dict.fromkeys(
        [
            "local_min",
            "min",
            "minimum",
            "local_minimum",
            "relative_min",
            "relative_minimum",
            "rel_min",
            "loc_min",
            "minimum_point",
        ],
        "local_min",
    ),
    **dict.fromkeys(
        [
            "local_max",
            "max",
            "maximum",
            "local_maximum",
            "relative_max",
            "relative_maximum",
            "rel_max",
            "loc_max",
            "maximum_point",
        ],
        "local_max",
    ),
    **dict.fromkeys(
        [
            "neither",
            "none",
            "no_extremum",
            "not_an_extremum",
            "not_extremum",
            "saddle",
            "saddle_point",
            "neither_min_nor_max",
            "neither_max_nor_min",
            "no",
        ],
        "neither",
    ),
}
_LABEL_HELP = "each point's label as 'local_min', 'local_max' or 'neither'"


@dataclass(frozen=True)
class PointsReference:
    """The expected points (exact and as floats) and what is needed to diagnose mistakes.

    `special` marks expected points whose omission has its own tag (f' undefined there);
    `near_misses` are points a student would wrongly add for a known reason (f'' = 0 without
    a sign change); `domain` is f's domain within the requested one.

    Examples
    --------
    >>> from autograder.checks_points import critical_reference
    >>> critical_reference("x^3 - 3x", None, None)
    PointsReference(expected=(-1, 1), floats=array([-1.,  1.]), special=(False, False),
                    near_misses=array([], dtype=float64), domain=Reals)
    """

    expected: tuple[sp.Expr, ...]
    floats: np.ndarray
    special: tuple[bool, ...]
    near_misses: np.ndarray
    domain: sp.Set


def _floats(points: Any) -> np.ndarray:
    return np.array([constant_value(p) for p in points], dtype=float)


def _match(student: np.ndarray, expected: np.ndarray) -> tuple[list[int], list[int], list[int]]:
    """(expected points found, student points matching none, expected points rounded).

    Indices: of expected points found within the tolerance, of student points that match
    no expected point, and of expected points given only rounded too much.

    A student point only `roughly` equal to an expected point not found otherwise is counted
    as rounded: neither found nor extra.
    """
    found: list[int] = []
    extra: list[int] = []
    for i, value in enumerate(student):
        hits = [j for j, e in enumerate(expected) if close(value, e)]
        if hits:
            found.extend(j for j in hits[:1] if j not in found)
        else:
            extra.append(i)
    rounded: list[int] = []
    for i in list(extra):
        hits = [
            j
            for j, e in enumerate(expected)
            if j not in found and j not in rounded and roughly(student[i], e)
        ]
        if hits:
            rounded.append(hits[0])
            extra.remove(i)
    return found, extra, rounded


def _nearest(value: float, expected: np.ndarray) -> int:
    """Index of the expected point nearest to `value`."""
    return int(np.argmin(np.abs(expected - value)))


def _unique(points: list[sp.Expr]) -> list[sp.Expr]:
    kept: list[sp.Expr] = []
    values: list[float] = []
    for p in points:
        v = constant_value(p)
        if np.isnan(v):
            raise Unreadable("the points must be real numbers.", show(points))
        if not any(close(v, w) for w in values):
            kept.append(p)
            values.append(v)
    return kept


def _in_domain(point: sp.Expr, domain: sp.Set) -> bool:
    try:
        return domain.contains(point) is not sp.false
    except (TypeError, ValueError):
        return True


def _extra_tag(point: sp.Expr, ref: PointsReference) -> str:
    if not _in_domain(point, ref.domain):
        return "outside_domain"
    value = constant_value(point)
    if any(close(value, m) for m in ref.near_misses):
        return "inflection_without_sign_change"
    return "extra_point"


def _judge_points(data: Any, ref: PointsReference, missing_tag: str, what: str) -> Feedback:
    student = _unique(read_points(data))
    shown = show(sp.FiniteSet(*student)) if student else "{} (no points)"
    found, extra, rounded = _match(_floats(student), ref.floats)
    tags: list[str] = []
    for j, special in enumerate(ref.special):
        if j not in found and j not in rounded:
            tags.append("missing_nondifferentiable_point" if special else missing_tag)
    tags.extend(_extra_tag(student[i], ref) for i in extra)
    tags = list(dict.fromkeys(tags))
    total = len(ref.expected) + len(extra)
    if not tags and not rounded:
        return correct(shown)
    score = len(found) / total if total else 0.0
    if rounded:
        body = f"{ROUNDED['values']} {explain(tags)}"
        return almost(score, body, tuple(tags), shown)
    if found:
        return almost(score, f"part of your answer is right. {explain(tags)}", tuple(tags), shown)
    generic = f"none of your points are {what}. {explain(tags)}"
    return not_yet(generic, tuple(tags), shown)


def _points_reference(
    expected: list[sp.Expr], special: list[bool], near: list[sp.Expr], domain: sp.Set
) -> PointsReference:
    return PointsReference(
        tuple(expected), _floats(expected), tuple(special), _floats(near), domain
    )


@lru_cache(maxsize=256)
@quietly
def critical_reference(f: Any, x: Any, domain: sp.Set | None) -> PointsReference:
    """Critical points of f, marking those where f' is undefined (cached).

    Parameters
    ----------
    f : str or SymPy expression
        The function.
    x : Symbol, str or None
        The variable (None: the one free symbol of `f`).
    domain : SymPy Set or None
        Where to look (None: f's natural domain).

    Returns
    -------
    PointsReference

    Examples
    --------
    >>> from autograder.checks_points import critical_reference
    >>> critical_reference("x^3 - 3x", None, None).expected
    (-1, 1)
    >>> critical_reference("abs(x)", None, None).special  # f' undefined at 0
    (True,)
    """
    expr, var = function_of(f, x)
    expected = ch.critical_points(expr, var, domain)
    special = [ch.differentiability(expr, c, var).kind != "differentiable" for c in expected]
    return _points_reference(expected, special, [], resolve_domain(expr, var, domain))


@lru_cache(maxsize=256)
@quietly
def inflection_reference(f: Any, x: Any, domain: sp.Set | None) -> PointsReference:
    """Inflection points of f, and the zeros of f'' where it keeps its sign (cached).

    Parameters
    ----------
    f : str or SymPy expression
        The function.
    x : Symbol, str or None
        The variable (None: the one free symbol of `f`).
    domain : SymPy Set or None
        Where to look (None: f's natural domain).

    Returns
    -------
    PointsReference

    Examples
    --------
    >>> from autograder.checks_points import inflection_reference
    >>> ref = inflection_reference("x^4", None, None)
    >>> ref.expected, ref.near_misses
    ((), array([0.]))
    """
    expr, var = function_of(f, x)
    expected = ch.inflection_points(expr, var, domain)
    chart = ch.sign_chart(expr, var, domain, order=2)
    values = _floats(expected)
    near = [
        p
        for p in chart.points
        if not any(close(constant_value(p), v) for v in values) and _in_domain(p, chart.domain)
    ]
    return _points_reference(expected, [False] * len(expected), near, chart.domain)


def check_critical_points(
    answer: Any,
    f: Any,
    x: sp.Symbol | str | None = None,
    domain: sp.Set | None = None,
    *,
    question: str | None = None,
) -> Feedback:
    """Whether the answer is the set of critical points of f (interior points of the domain
    where f' = 0 or f' is undefined).

    Answers: a list/tuple/set of numbers or strings, a SymPy FiniteSet, or text such as
    ``"-1, 5/3"``, ``"[-1, 5/3]"``, ``"{ }"``. Decimals within 0.1% count; a point rounded
    further (within 1%) gets "close: give exact values", neither found nor extra. A pair typed
    as ``"(2, 4)"`` reads as one point's coordinates and is refused. Partial credit: points
    found / (expected points + extra points).

    Parameters
    ----------
    answer : list, tuple, set, SymPy FiniteSet or str
        The student's x-values, such as ``[-1, 1]`` or ``"-1, 1"``.
    f : str or SymPy expression
        The function.
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

    Examples
    --------
    >>> from autograder import check_critical_points
    >>> check_critical_points("-1, 1", "x^3 - 3x").correct
    True
    >>> feedback = check_critical_points([1], "x^3 - 3x")
    >>> feedback.state, feedback.score, feedback.tags
    ('almost', 0.5, ('missing_point',))
    >>> check_critical_points([], "abs(x)").tags
    ('missing_nondifferentiable_point',)
    """
    ref = critical_reference(f, x, domain)
    return run_check(
        "check_critical_points",
        question,
        answer,
        lambda data: _judge_points(data, ref, "missing_point", "critical points"),
    )


def check_inflection_points(
    answer: Any,
    f: Any,
    x: sp.Symbol | str | None = None,
    domain: sp.Set | None = None,
    *,
    question: str | None = None,
) -> Feedback:
    """Whether the answer is the set of inflection points of f (where f is continuous and
    f'' changes sign). Answers and partial credit as for `check_critical_points`.

    A zero of f'' where f'' keeps its sign, given as an inflection point, gets the
    ``inflection_without_sign_change`` tag.

    Parameters
    ----------
    answer : list, tuple, set, SymPy FiniteSet or str
        The student's x-values, such as ``[0]`` or ``"{ }"`` for none.
    f : str or SymPy expression
        The function.
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

    Examples
    --------
    >>> from autograder import check_inflection_points
    >>> check_inflection_points([0], "x^3 - 3x").correct
    True
    >>> check_inflection_points([0], "x^4").tags
    ('inflection_without_sign_change',)
    >>> check_inflection_points("{ }", "x^4").correct
    True
    """
    ref = inflection_reference(f, x, domain)
    return run_check(
        "check_inflection_points",
        question,
        answer,
        lambda data: _judge_points(data, ref, "missing_inflection", "inflection points"),
    )


# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------


def _is_zero(value: sp.Expr | None) -> bool:
    return value is not None and value.is_finite is not False and constant_value(value) == 0


@dataclass(frozen=True)
class ClassificationReference:
    """Critical points with their labels, whether f'(c) = 0 and whether f''(c) = 0.

    Examples
    --------
    >>> from autograder.checks_points import classification_reference
    >>> ref = classification_reference("x^3 - 3x", None, None)
    >>> ref.points.expected, ref.labels
    ((-1, 1), ('local_max', 'local_min'))
    """

    points: PointsReference
    labels: tuple[str, ...]
    stationary: tuple[bool, ...]
    flat: tuple[bool, ...]


@lru_cache(maxsize=256)
@quietly
def classification_reference(f: Any, x: Any, domain: sp.Set | None) -> ClassificationReference:
    """The classification of every critical point of f (cached).

    Parameters
    ----------
    f : str or SymPy expression
        The function.
    x : Symbol, str or None
        The variable (None: the one free symbol of `f`).
    domain : SymPy Set or None
        Where to look (None: f's natural domain).

    Returns
    -------
    ClassificationReference

    Examples
    --------
    >>> from autograder.checks_points import classification_reference
    >>> classification_reference("x^3 - 3x", None, None).labels
    ('local_max', 'local_min')
    >>> ref = classification_reference("x^3", None, None)
    >>> ref.labels, ref.stationary, ref.flat
    (('neither',), (True,), (True,))
    """
    expr, var = function_of(f, x)
    points = critical_reference(f, x, domain)
    slope = ch.derivative(expr, var)
    labels, stationary, flat = [], [], []
    for c in points.expected:
        labels.append(ch.classify_critical_point(expr, c, var))
        first = ch.differentiability(expr, c, var)
        value = first.right if first.right is not None else first.left
        is_stationary = first.kind == "differentiable" and _is_zero(value)
        second = ch.differentiability(slope, c, var) if is_stationary else None
        stationary.append(is_stationary)
        flat.append(
            second is not None
            and second.kind == "differentiable"
            and _is_zero(second.right if second.right is not None else second.left)
        )
    return ClassificationReference(points, tuple(labels), tuple(stationary), tuple(flat))


def _judge_classification(data: Any, ref: ClassificationReference) -> Feedback:
    pairs = read_mapping(data)
    said = [(point, read_label(label, _LABELS, _LABEL_HELP)) for point, label in pairs]
    shown = "{" + ", ".join(f"{show(p)}: '{label}'" for p, label in said) + "}"
    points = ref.points
    right = 0
    tags: list[str] = []
    student = _floats([point for point, _ in said])
    found, extra_at, rounded = _match(student, points.floats)
    matched = dict.fromkeys(found + rounded)
    extra = len(extra_at)
    for i in extra_at:
        tags.append(_extra_tag(said[i][0], points))
    judged: set[int] = set()
    for i, (_, label) in enumerate(said):
        j = _nearest(student[i], points.floats)
        if i in extra_at or j in judged:
            continue  # an extra point, or a second label for the same point
        judged.add(j)
        if label == ref.labels[j]:
            right += j in found
        else:
            tags.extend(classification_tags(ref.labels[j], label, ref.stationary[j], ref.flat[j]))
    for j, special in enumerate(points.special):
        if j not in matched:
            tags.append("missing_nondifferentiable_point" if special else "missing_point")
    tags = list(dict.fromkeys(tags))
    total = len(points.expected) + extra
    if right == total:
        return correct(shown)
    generic = "Some labels are not right: use the sign of f' on each side of each point."
    body = explain(tags) or ("" if rounded else generic)
    if rounded:
        return almost(right / total, f"{ROUNDED['values']} {body}", tuple(tags), shown)
    if right:
        return almost(right / total, f"part of your answer is right. {body}", tuple(tags), shown)
    return not_yet(body, tuple(tags), shown)


def check_classification(
    answer: Any,
    f: Any,
    x: sp.Symbol | str | None = None,
    domain: sp.Set | None = None,
    *,
    question: str | None = None,
) -> Feedback:
    """Whether the answer classifies every critical point of f correctly.

    The answer is a dict {point: "local_min" | "local_max" | "neither"} (light variants such
    as "min", "Local max", "saddle" are accepted). Partial credit: right labels / (critical
    points + extra points).

    Parameters
    ----------
    answer : dict or list of (point, label) pairs
        One label per critical point, such as ``{-1: "local_max", 1: "local_min"}``.
    f : str or SymPy expression
        The function.
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

    Examples
    --------
    >>> from autograder import check_classification
    >>> check_classification({-1: "local max", 1: "min"}, "x^3 - 3x").correct
    True
    >>> check_classification({-1: "local_min", 1: "local_max"}, "x^3 - 3x").tags
    ('min_max_swapped',)
    >>> check_classification({0: "local_min"}, "x^3").tags
    ('second_derivative_test_misused',)
    """
    ref = classification_reference(f, x, domain)
    return run_check(
        "check_classification", question, answer, lambda data: _judge_classification(data, ref)
    )
