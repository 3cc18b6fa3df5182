"""Gradients, Hessians and the second-derivative test for functions of two variables."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ._inputs import ExprLike, as_expr, as_number, as_symbol
from ._numeric import sign_of
from .budget import budgeted


def _variables(f: sp.Expr, variables: Sequence[sp.Symbol | str] | None) -> list[sp.Symbol]:
    if variables is None:
        return sorted(f.free_symbols, key=lambda s: s.name)
    return [as_symbol(v) for v in variables]


def _prepare(f: ExprLike, variables: Sequence[sp.Symbol | str] | None):
    names = ("x", "y") if variables is None else tuple(as_symbol(v).name for v in variables)
    expr = as_expr(f, names)
    return expr, _variables(expr, variables)


@budgeted("the gradient", "a simpler expression")
def gradient(f: ExprLike, variables: Sequence[sp.Symbol | str] | None = None) -> list[sp.Expr]:
    """The vector of partial derivatives [df/dx, df/dy, ...], in the order of `variables`.

    Parameters
    ----------
    f
        The function: a SymPy expression or text such as ``"x^2*y + y^3"``.
    variables
        The variables, in order (symbols or names); omitted, the free symbols of `f` sorted by
        name (text may then use x and y).

    Returns
    -------
    list
        One exact partial derivative per variable.

    Examples
    --------
    >>> from calc_helpers import gradient
    >>> gradient("x^2*y + y^3")
    [2*x*y, x**2 + 3*y**2]
    >>> gradient("x*y", ["y", "x"])
    [x, y]
    """
    expr, names = _prepare(f, variables)
    return [sp.diff(expr, v) for v in names]


@budgeted("the Hessian", "a simpler expression")
def hessian(f: ExprLike, variables: Sequence[sp.Symbol | str] | None = None) -> sp.Matrix:
    """The matrix of second partial derivatives, in the order of `variables`.

    Parameters
    ----------
    f
        The function: a SymPy expression or text such as ``"x^2*y + y^3"``.
    variables
        The variables, in order (symbols or names); omitted, the free symbols of `f` sorted by
        name (text may then use x and y).

    Returns
    -------
    sympy.Matrix

    Examples
    --------
    >>> from calc_helpers import hessian
    >>> hessian("x^2*y + y^3")
    Matrix([
    [2*y, 2*x],
    [2*x, 6*y]])
    """
    expr, names = _prepare(f, variables)
    return sp.hessian(expr, names)


@budgeted("the second-derivative test", "a simpler expression")
def classify_critical_point_2d(
    f: ExprLike, point: Sequence[ExprLike], variables: Sequence[sp.Symbol | str] | None = None
) -> str:
    """The second-derivative test at a critical point of f(x, y).

    Returns "local_min", "local_max", "saddle" or "inconclusive" (determinant of the Hessian
    zero: x**4 + y**4 and x**4 - y**4 at the origin both land here).

    Parameters
    ----------
    f
        A function of two variables (expression or text).
    point
        The critical point (a, b).
    variables
        The two variables, in the order of `point` (omitted: x and y, or f's free symbols
        sorted by name).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Where f does not have two variables, or the gradient is not zero at the point.

    Examples
    --------
    >>> from calc_helpers import classify_critical_point_2d
    >>> classify_critical_point_2d("x^2 - y^2", (0, 0))
    'saddle'
    >>> classify_critical_point_2d("x^2 + y^2", (0, 0))
    'local_min'
    >>> classify_critical_point_2d("x^4 + y^4", (0, 0))
    'inconclusive'
    """
    expr, names = _prepare(f, variables)
    if len(names) != 2 or len(point) != 2:
        raise ValueError(
            "classify_critical_point_2d needs a function of two variables and a point (a, b)"
        )
    at = dict(zip(names, [as_number(p) for p in point], strict=True))
    slopes = [sp.simplify(g.subs(at)) for g in gradient(expr, names)]
    if any(sign_of(s) != 0 for s in slopes):
        raise ValueError(f"{tuple(point)} is not a critical point: the gradient there is {slopes}")
    h = hessian(expr, names).subs(at)
    det = sign_of(h.det())
    if det < 0:
        return "saddle"
    if det == 0:
        return "inconclusive"
    return "local_min" if sign_of(h[0, 0]) > 0 else "local_max"
