"""Whether a function is convex, for smooth and non-smooth functions alike."""

from __future__ import annotations

import sympy as sp

from ._inputs import ExprLike
from ._numeric import sign_of, value_at
from ._pieces import components, segments
from ._solve import sample_points
from .budget import Undecidable, budgeted, checkpoint
from .derivatives import differentiability, prepare
from .sign_charts import resolve_domain, sign_chart

_WITNESSES = 9


def _bends_down_somewhere(piece: sp.Expr, var: sp.Symbol, interval: sp.Interval) -> bool:
    """Whether f'' < 0 at one of a few exact sample points of a smooth piece."""
    curvature = sp.diff(piece, var, 2)
    for point in sample_points(interval, _WITNESSES):
        checkpoint()
        try:
            value = value_at(curvature, var, point)
            if value is not None and sign_of(value) < 0:
                return True
        except Undecidable:
            continue  # too large to evaluate here: another point may still witness
    return False


@budgeted("whether f is convex")
def is_convex(f: ExprLike, x: sp.Symbol | str | None = None, domain: sp.Set | None = None) -> bool:
    """Whether f is convex on its domain (within `domain`).

    The domain must be one interval. One sample point where f'' < 0 answers False at once
    (SiLU: f''(3) < 0); otherwise f'' must never be negative on a smooth piece, and at each
    break point f must be continuous with the slope jumping up, never down (|x|, ReLU and the
    hinge loss are convex; -|x| is not).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3 - 3x"``.
    x
        Its variable (omitted: the one free symbol of `f`).
    domain
        A SymPy set (omitted: all reals); within it, f's domain must be one interval.

    Returns
    -------
    bool

    Examples
    --------
    >>> import sympy as sp
    >>> from calc_helpers import is_convex
    >>> is_convex("x^2"), is_convex("max(0, x)"), is_convex("-abs(x)")
    (True, True, False)
    >>> is_convex("x^3"), is_convex("x^3", domain=sp.Interval(0, 5))
    (False, True)
    """
    expr, var = prepare(f, x)
    dom = resolve_domain(expr, var, domain)
    if len(components(dom)) != 1:
        return False
    pieces, _ = segments(expr, var, dom)
    if any(_bends_down_somewhere(p.piece, var, p.interval) for p in pieces):
        return False  # one witness is enough: no equation to solve
    chart = sign_chart(expr, var, dom, order=2)
    if any(s < 0 for _, s in chart.rows):
        return False
    for point in chart.points:
        if chart.smooth_at(point) or dom.contains(point) != sp.true or point in (dom.inf, dom.sup):
            continue  # (inside a smooth piece f'' alone decides, and it was checked above)
        report = differentiability(expr, point, var)
        if not report.continuous:
            return False
        if report.left is None or report.right is None:
            continue
        if report.left.is_infinite or report.right.is_infinite:
            if report.left == sp.oo or report.right == -sp.oo or report.kind == "cusp":
                return False
            continue
        if sign_of(report.right - report.left) < 0:
            return False
    return True
