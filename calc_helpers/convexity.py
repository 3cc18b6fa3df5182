"""Whether a function is convex, for smooth and non-smooth functions alike."""

from __future__ import annotations

import sympy as sp

from ._inputs import ExprLike
from ._numeric import sign_of
from ._pieces import components
from .derivatives import differentiability, prepare
from .sign_charts import resolve_domain, sign_chart


def is_convex(f: ExprLike, x: sp.Symbol | str | None = None, domain: sp.Set | None = None) -> bool:
    """Whether f is convex on its domain (within `domain`).

    The domain must be one interval. f'' must never be negative on a smooth piece, and at each
    break point f must be continuous with the slope jumping up, never down (|x|, ReLU and the
    hinge loss are convex; -|x| is not).
    """
    expr, var = prepare(f, x)
    dom = resolve_domain(expr, var, domain)
    if len(components(dom)) != 1:
        return False
    chart = sign_chart(expr, var, dom, order=2)
    if any(s < 0 for _, s in chart.rows):
        return False
    for point in chart.points:
        if dom.contains(point) != sp.true or point in (dom.inf, dom.sup):
            continue
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
