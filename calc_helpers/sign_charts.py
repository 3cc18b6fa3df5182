"""Sign charts of f' and f'' and the sets where f increases, decreases, bends up or down."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._inputs import ExprLike
from ._numeric import sign_of, sort_key, substituted, value_at
from ._pieces import natural_domain, sample_point, segments, split
from ._solve import InfinitelyManyError, zeros
from .budget import budgeted, checkpoint
from .derivatives import prepare


@dataclass(frozen=True)
class SignChart:
    """The sign (-1, 0, 1) of the n-th derivative on consecutive open intervals of the domain.

    `points` are the places where the sign may change: zeros of the derivative, break points
    of f, and holes and ends of the domain; `breaks` are those of them where f may not be
    smooth (break points, holes, ends): at the others f is smooth.

    Examples
    --------
    >>> from calc_helpers import sign_chart
    >>> chart = sign_chart("x^3 - 3x")
    >>> chart.rows
    ((Interval.open(-oo, -1), 1), (Interval.open(-1, 1), -1), (Interval.open(1, oo), 1))
    >>> chart.points, chart.smooth_at(1), chart.where(-1)
    ((-1, 1), True, Interval.open(-1, 1))
    """

    order: int
    rows: tuple[tuple[sp.Interval, int], ...]
    points: tuple[sp.Expr, ...]
    domain: sp.Set
    breaks: tuple[sp.Expr, ...] = ()

    def smooth_at(self, point: sp.Expr) -> bool:
        """Whether the point lies inside one smooth piece of f (a zero of the derivative)."""
        return point in self.points and point not in self.breaks

    def where(self, sign: int) -> sp.Set:
        """The union of the chart's intervals with the given sign."""
        return sp.Union(*[interval for interval, s in self.rows if s == sign])


def resolve_domain(expr: sp.Expr, var: sp.Symbol, domain: sp.Set | None) -> sp.Set:
    """The natural domain of f within the requested domain (all reals if None)."""
    window = sp.S.Reals if domain is None else domain
    if not isinstance(window, sp.Set):
        raise TypeError(f"domain must be a SymPy set such as Interval(0, 5), got {domain!r}")
    return natural_domain(expr, var, window)


@budgeted("the sign chart")
def sign_chart(
    f: ExprLike, x: sp.Symbol | str | None = None, domain: sp.Set | None = None, order: int = 1
) -> SignChart:
    """The sign chart of f' (order=1) or f'' (order=2) over f's domain.

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3 - 3x"``.
    x
        Its variable (omitted: the one free symbol of `f`).
    domain
        A SymPy set (omitted: all reals); f's natural domain is applied too.
    order
        Which derivative: 1 for f', 2 for f''.

    Returns
    -------
    SignChart

    Examples
    --------
    >>> from calc_helpers import sign_chart
    >>> sign_chart("x^2").rows
    ((Interval.open(-oo, 0), -1), (Interval.open(0, oo), 1))
    >>> sign_chart("x^3", order=2).where(1)
    Interval.open(0, oo)
    """
    expr, var = prepare(f, x)
    dom = resolve_domain(expr, var, domain)
    pieces, cuts = segments(expr, var, dom)
    rows: list[tuple[sp.Interval, int]] = []
    points = set(cuts)
    for segment in pieces:
        checkpoint()
        slope = sp.diff(segment.piece, var, order)
        try:
            inner = zeros(slope, var, segment.interval, what=f"the derivative of order {order}")
        except InfinitelyManyError as error:
            if "zero on the whole interval" not in str(error):
                raise
            rows.append((segment.interval, 0))
            continue
        points.update(inner)
        for interval in split(segment.interval, inner):
            rows.append((interval, sign_of(substituted(slope, var, sample_point(interval)))))
    rows.sort(key=lambda row: sort_key(row[0].start))
    ordered = tuple(sorted(points, key=sort_key))
    return SignChart(order, tuple(rows), ordered, dom, tuple(sorted(cuts, key=sort_key)))


def _merged(chart: SignChart, sign: int, joins: callable) -> sp.Set:
    """Intervals of one sign, joined across single points where `joins(point)` holds."""
    merged: list[list[sp.Expr]] = []
    for interval, s in chart.rows:
        if s != sign:
            continue
        if merged and merged[-1][1] == interval.start and joins(interval.start):
            merged[-1][1] = interval.end
        else:
            merged.append([interval.start, interval.end])
    return sp.Union(*[sp.Interval.open(lo, hi) for lo, hi in merged])


def _continuous_at(expr: sp.Expr, var: sp.Symbol):
    from .derivatives import differentiability

    def joins(point: sp.Expr) -> bool:
        return (
            value_at(expr, var, point) is not None
            and differentiability(expr, point, var).continuous
        )

    return joins


def _differentiable_at(expr: sp.Expr, var: sp.Symbol):
    from .derivatives import differentiability

    def joins(point: sp.Expr) -> bool:
        if value_at(expr, var, point) is None:
            return False
        return differentiability(expr, point, var).kind == "differentiable"

    return joins


def _or_smooth(chart: SignChart, joins):
    """`joins`, answered at once (True) inside a smooth piece of f, where it always holds."""
    return lambda point: chart.smooth_at(point) or joins(point)


@budgeted("where f increases and decreases")
def monotonicity(
    f: ExprLike, x: sp.Symbol | str | None = None, domain: sp.Set | None = None
) -> dict[str, sp.Set]:
    """{"increasing": set, "decreasing": set}: maximal open intervals where f rises or falls.

    Intervals are joined across an isolated stationary point where f is continuous
    (x**3 is increasing on the whole line).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3 - 3x"``.
    x
        Its variable (omitted: the one free symbol of `f`).
    domain
        A SymPy set (omitted: all reals).

    Returns
    -------
    dict
        ``{"increasing": set, "decreasing": set}``.

    Examples
    --------
    >>> from calc_helpers import monotonicity
    >>> monotonicity("x^3 - 3x")
    {'increasing': Union(Interval.open(-oo, -1), Interval.open(1, oo)),
     'decreasing': Interval.open(-1, 1)}
    >>> monotonicity("x^3")
    {'increasing': Interval(-oo, oo), 'decreasing': EmptySet}
    """
    expr, var = prepare(f, x)
    chart = sign_chart(expr, var, domain, order=1)
    joins = _or_smooth(chart, _continuous_at(expr, var))
    return {"increasing": _merged(chart, 1, joins), "decreasing": _merged(chart, -1, joins)}


@budgeted("where f is concave up and down")
def concavity(
    f: ExprLike, x: sp.Symbol | str | None = None, domain: sp.Set | None = None
) -> dict[str, sp.Set]:
    """{"up": set, "down": set}: maximal open intervals where f'' > 0 or f'' < 0.

    Intervals are joined across an isolated zero of f'' where f is differentiable
    (x**4 is concave up on the whole line).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3 - 3x"``.
    x
        Its variable (omitted: the one free symbol of `f`).
    domain
        A SymPy set (omitted: all reals).

    Returns
    -------
    dict
        ``{"up": set, "down": set}``.

    Examples
    --------
    >>> from calc_helpers import concavity
    >>> concavity("x^3")
    {'up': Interval.open(0, oo), 'down': Interval.open(-oo, 0)}
    >>> concavity("x^4")
    {'up': Interval(-oo, oo), 'down': EmptySet}
    """
    expr, var = prepare(f, x)
    chart = sign_chart(expr, var, domain, order=2)
    joins = _or_smooth(chart, _differentiable_at(expr, var))
    return {"up": _merged(chart, 1, joins), "down": _merged(chart, -1, joins)}
