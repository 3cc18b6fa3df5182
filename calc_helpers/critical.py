"""Critical points, their classification, inflection points and absolute extrema."""

from __future__ import annotations

import sympy as sp

from ._inputs import ExprLike, as_number
from ._numeric import equal, sign_of, sort_key, substituted, value_at
from ._pieces import segments, side_piece, side_sample
from ._solve import InfinitelyManyError, zeros
from .budget import Undecidable, budgeted, checkpoint, soft_limit
from .derivatives import _side_limit as side_limit
from .derivatives import differentiability, prepare
from .sign_charts import resolve_domain, sign_chart

_MAX_ORDER = 12


def _interior(expr: sp.Expr, var: sp.Symbol, point: sp.Expr, domain: sp.Set = sp.S.Reals) -> bool:
    """Whether f is defined at the point and on both sides of it, within the domain."""
    return all(
        value_at(expr, var, p) is not None and domain.contains(p) == sp.true
        for p in (point, side_sample(point, "-"), side_sample(point, "+"))
    )


@budgeted("the critical points")
def critical_points(
    f: ExprLike, x: sp.Symbol | str | None = None, domain: sp.Set | None = None
) -> list[sp.Expr]:
    """Sorted interior points of the domain where f' = 0 or f' does not exist (f defined there).

    |x| at 0, cusps and vertical tangents count. Raises ValueError where there are infinitely
    many (a periodic f on an unbounded domain, or f constant on an interval).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3 - 3x"``.
    x
        Its variable (omitted: the one free symbol of `f`).
    domain
        A SymPy set to look in (omitted: all reals); f's natural domain is applied too.

    Returns
    -------
    list
        Exact points, sorted.

    Raises
    ------
    InfinitelyManyError
        Where there are infinitely many critical points (a ValueError).
    UnsolvableError
        Where f' = 0 can be solved neither exactly nor numerically on the domain.

    Examples
    --------
    >>> import sympy as sp
    >>> from calc_helpers import critical_points
    >>> critical_points("x^3 - 3x")
    [-1, 1]
    >>> critical_points("abs(x)")
    [0]
    >>> critical_points("sin(x)", domain=sp.Interval(0, 7))
    [pi/2, 3*pi/2]
    """
    expr, var = prepare(f, x)
    dom = resolve_domain(expr, var, domain)
    pieces, cuts = segments(expr, var, dom)
    found: list[sp.Expr] = []
    for segment in pieces:
        checkpoint()
        try:
            found.extend(zeros(sp.diff(segment.piece, var), var, segment.interval, what="f'"))
        except InfinitelyManyError as error:
            if "zero on the whole interval" in str(error):
                raise InfinitelyManyError(
                    f"f is constant on {segment.interval}, so every point there is a critical "
                    "point; pass a domain that leaves that interval out"
                ) from None
            raise
    for point in cuts:
        if not _interior(expr, var, point, dom):
            continue
        report = differentiability(expr, point, var)
        if report.kind != "differentiable" or equal(report.right, 0):
            found.append(point)
    return sorted(set(found), key=sort_key)


def _slope_sign(piece: sp.Expr, var: sp.Symbol, point: sp.Expr, side: str) -> int:
    """Sign of f' just beside a point, from the first non-zero derivative of the side's formula."""
    for order in range(1, _MAX_ORDER + 1):
        checkpoint()
        derivative = sp.diff(piece, var, order)
        value = side_limit(derivative, var, point, side)
        if value is None:
            break
        s = sign_of(value)
        if s != 0:
            return s if side == "+" else s * (-1) ** (order - 1)
    return sign_of(substituted(sp.diff(piece, var), var, side_sample(point, side)))


@budgeted("the classification of the critical point", "a simpler expression")
def classify_critical_point(f: ExprLike, c: ExprLike, x: sp.Symbol | str | None = None) -> str:
    """ "local_min", "local_max" or "neither" at an interior point c.

    Uses the sign of f' on each side (first-derivative test, through higher derivatives where
    needed), so it is right where the second-derivative test is silent (f''(c) = 0, or f'
    undefined) and at jumps (by comparing f(c) with the one-sided limits).

    Parameters
    ----------
    f
        The function (expression, number or text).
    c
        The point, inside the domain of f.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    str
        ``"local_min"``, ``"local_max"`` or ``"neither"``.

    Raises
    ------
    ValueError
        Where c is not an interior point of f's domain.
    Undecidable
        Where f has no limit at c from one side.

    Examples
    --------
    >>> from calc_helpers import classify_critical_point
    >>> classify_critical_point("x^3 - 3x", 1)
    'local_min'
    >>> classify_critical_point("x^3", 0)
    'neither'
    >>> classify_critical_point("abs(x)", 0)
    'local_min'
    """
    expr, var = prepare(f, x)
    c = as_number(c)
    if not _interior(expr, var, c):
        raise ValueError(f"{c} is not an interior point of the domain of f = {expr}")
    fc = value_at(expr, var, c)
    is_min = is_max = True
    for side, outward in (("-", -1), ("+", 1)):
        piece = side_piece(expr, var, c, side)
        limit_value = side_limit(piece, var, c, side)
        if limit_value is None:
            raise Undecidable(f"f has no limit at {c} from the {side} side: cannot classify")
        gap = sign_of(limit_value - fc) if limit_value.is_finite else sign_of(limit_value)
        if gap == 0:
            gap = _slope_sign(piece, var, c, side) * outward
        is_min = is_min and gap >= 0
        is_max = is_max and gap <= 0
    if is_min and not is_max:
        return "local_min"
    if is_max and not is_min:
        return "local_max"
    return "neither"


@budgeted("the inflection points")
def inflection_points(
    f: ExprLike, x: sp.Symbol | str | None = None, domain: sp.Set | None = None
) -> list[sp.Expr]:
    """Points of the domain where f is continuous and f'' really changes sign.

    Includes points where f'' is undefined (the cube root at 0); excludes zeros of f'' without
    a sign change (x**4 at 0) and points outside the domain (1/x at 0).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3 - 3x"``.
    x
        Its variable (omitted: the one free symbol of `f`).
    domain
        A SymPy set to look in (omitted: all reals).

    Returns
    -------
    list
        Exact points, sorted.

    Examples
    --------
    >>> from calc_helpers import inflection_points
    >>> inflection_points("x^3"), inflection_points("x^4"), inflection_points("cbrt(x)")
    ([0], [], [0])
    """
    expr, var = prepare(f, x)
    chart = sign_chart(expr, var, domain, order=2)
    found = []
    for (left, s_left), (right, s_right) in zip(chart.rows, chart.rows[1:], strict=False):
        point = left.end
        if point != right.start or s_left == 0 or s_right == 0 or s_left == s_right:
            continue
        if chart.smooth_at(point) or (
            _interior(expr, var, point, chart.domain)
            and differentiability(expr, point, var).continuous
        ):
            found.append(point)  # inside a smooth piece f is continuous: nothing to check
    return found


def _tidy(value: sp.Expr) -> sp.Expr:
    """simplify(value) within a tenth of the budget (simplify can take seconds), else value."""
    with soft_limit(0.1):
        return sp.simplify(value)
    return value


@budgeted("the absolute extrema", "a shorter interval [a, b]")
def absolute_extrema(
    f: ExprLike, a: ExprLike, b: ExprLike, x: sp.Symbol | str | None = None
) -> dict[str, tuple[sp.Expr, list[sp.Expr]]]:
    """{"min": (value, points), "max": (value, points)} of a continuous f on [a, b].

    Parameters
    ----------
    f
        The function (expression, number or text), continuous on [a, b].
    a, b
        The ends of the closed interval, a < b.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    dict
        For "min" and "max": the exact value and the sorted points where f attains it.

    Raises
    ------
    ValueError
        Where a >= b, or f is undefined somewhere on [a, b] or not continuous there.

    Examples
    --------
    >>> from calc_helpers import absolute_extrema
    >>> absolute_extrema("x^3 - 3x", -2, 3)
    {'min': (-2, [-2, 1]), 'max': (18, [3])}
    """
    expr, var = prepare(f, x)
    a, b = as_number(a), as_number(b)
    if sort_key(a) >= sort_key(b):
        raise ValueError(f"need a < b for the interval [a, b], got [{a}, {b}]")
    interval = sp.Interval(a, b)
    dom = resolve_domain(expr, var, interval)
    if dom != interval:
        raise ValueError(f"f = {expr} is not defined on all of [{a}, {b}]")
    pieces, cuts = segments(expr, var, dom)
    candidates = set(cuts) | {a, b}
    for segment in pieces:
        checkpoint()
        try:
            candidates.update(zeros(sp.diff(segment.piece, var), var, segment.interval))
        except InfinitelyManyError:
            candidates.update((segment.interval.start, segment.interval.end))
    for point in cuts:
        if sort_key(a) < sort_key(point) < sort_key(b):
            if not differentiability(expr, point, var).continuous:
                raise ValueError(
                    f"f is not continuous at {point}, so it need not have extreme values on "
                    f"[{a}, {b}]"
                )
    values = [(p, value_at(expr, var, p)) for p in sorted(candidates, key=sort_key)]
    result = {}
    for name, pick in (("min", min), ("max", max)):
        best = pick(values, key=lambda pv: sort_key(pv[1]))[1]
        result[name] = (_tidy(best), [p for p, v in values if equal(v, best)])
    return result
