"""Derivatives, difference quotients, one-sided derivatives and how differentiability fails."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._inputs import ExprLike, as_number, function_and_variable
from ._numeric import PRECISION, equal, sign_of, substituted, value_at
from ._pieces import real_powers, side_piece, side_sample, variable_powers
from .budget import Undecidable, budgeted
from .vocabulary import DIFFERENTIABILITY_WORDS

KINDS = ("differentiable", "discontinuity", "corner", "cusp", "vertical_tangent")


def prepare(f: ExprLike, x: sp.Symbol | str | None = None) -> tuple[sp.Expr, sp.Symbol]:
    """The function as a real SymPy expression and its variable: odd roots are real roots and
    powers with a variable exponent are exp/log forms (x**x = exp(x*log(x)), for x > 0)."""
    expr, var = function_and_variable(f, x)
    return variable_powers(real_powers(expr)), var


def _step_slope(e: sp.Expr) -> bool:
    """SymPy's unevaluated d/dx of floor(u), ceiling(u) or frac(u) (plain or under Subs)."""
    inner = e.expr if isinstance(e, sp.Subs) else e
    return isinstance(inner, sp.Derivative) and isinstance(inner.expr, (sp.floor, sp.ceiling))


def _clean(expr: sp.Expr) -> sp.Expr:
    """Drop SymPy's distributional terms: DiracDelta lives only at break points, and so do the
    jumps of floor and ceiling (their slope is 0 everywhere else)."""
    expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    expr = expr.replace(_step_slope, lambda e: sp.Integer(0))
    expr = expr.replace(lambda e: isinstance(e, sp.Subs) and e.expr == 0, lambda e: sp.Integer(0))
    even_sign = lambda e: (  # noqa: E731
        isinstance(e, sp.Pow)
        and isinstance(e.base, sp.sign)
        and e.exp.is_Integer
        and e.exp % 2 == 0
    )
    return expr.replace(even_sign, lambda e: sp.Integer(1))


@budgeted("the derivative", "a simpler expression")
def derivative(f: ExprLike, x: sp.Symbol | str | None = None, n: int = 1) -> sp.Expr:
    """The n-th derivative of f as an exact formula.

    The formula is right wherever f is differentiable. At a break point (|x| at 0, ReLU at 0)
    SymPy's conventions (sign(0) = 0, Heaviside(0) = 1/2) would give a number there that is not
    a derivative: use `derivative_at` or `differentiability` for values at such points.

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3"``.
    x
        Its variable (omitted: the one free symbol of `f`).
    n
        The order of the derivative (0 gives f itself).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        Where `n` is not a whole number >= 0.

    Examples
    --------
    >>> from calc_helpers import derivative
    >>> derivative("x^3")
    3*x**2
    >>> derivative("x^3", n=2)
    6*x
    >>> derivative("sin(t)^2", "t")
    2*sin(t)*cos(t)
    """
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"the order n must be a whole number >= 0, got {n!r}")
    expr, var = function_and_variable(f, x)
    result = real_powers(expr)  # x**x stays x**x here: only values need the exp/log form
    result = result.replace(
        lambda e: isinstance(e, sp.frac), lambda e: e.args[0] - sp.floor(e.args[0])
    )
    for _ in range(n):
        result = _clean(sp.diff(result, var))
    return result


@budgeted("the difference quotient", "a simpler expression")
def difference_quotient(
    f: ExprLike, a: ExprLike, h: ExprLike, x: sp.Symbol | str | None = None
) -> sp.Expr:
    """(f(a + h) - f(a)) / h, exactly; h may be a number or a symbol.

    Parameters
    ----------
    f
        The function (expression, number or text).
    a
        The point.
    h
        The step: a non-zero number, or a SymPy symbol (the result is then simplified).
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        Where h is 0.

    Examples
    --------
    >>> import sympy as sp
    >>> from calc_helpers import difference_quotient
    >>> difference_quotient("x^2", 1, sp.Rational(1, 10))
    21/10
    >>> difference_quotient("x^2", 1, sp.Symbol("h"))
    h + 2
    """
    expr, var = prepare(f, x)
    a = as_number(a)
    h = h if isinstance(h, sp.Symbol) else as_number(h)
    if h == 0:
        raise ValueError("h must not be 0: the difference quotient divides by h")
    quotient = (expr.subs(var, a + h) - expr.subs(var, a)) / h
    return sp.simplify(quotient) if quotient.free_symbols else sp.radsimp(quotient)


def _side_defined(expr: sp.Expr, var: sp.Symbol, a: sp.Expr, side: str) -> bool:
    return value_at(expr, var, side_sample(a, side)) is not None


def _finite_value(expr: sp.Expr, var: sp.Symbol, a: sp.Expr) -> sp.Expr | None:
    """expr at a when that is a finite real number (no limit needed), else None."""
    try:
        value = substituted(expr, var, a)
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.AccumBounds) or value.free_symbols:
        return None
    for power in expr.atoms(sp.Pow):
        if power.exp.is_negative and x_in(power.base, var) and _vanishes(power.base.subs(var, a)):
            return None  # 0 to a negative or fractional power: needs a limit, not a value
    return value if value_at(expr, var, a) is not None else None


def x_in(expr: sp.Expr, var: sp.Symbol) -> bool:
    """Whether the expression depends on the variable."""
    return var in expr.free_symbols


def _vanishes(value: sp.Expr) -> bool:
    try:
        return sign_of(value) == 0
    except ValueError:
        return False


def _side_limit(expr: sp.Expr, var: sp.Symbol, a: sp.Expr, side: str) -> sp.Expr | None:
    """The one-sided limit of a smooth piece at a: exact, oo/-oo, or None if there is none."""
    value = _finite_value(expr, var, a)
    if value is not None:
        return value
    value = _limit(expr, var, a, side)
    if value is not None:
        return value
    sample = sp.N(substituted(expr, var, side_sample(a, side)), PRECISION)
    if sample.is_real and abs(sample) > 1e6:
        return sp.oo * sign_of(sample)
    return None


def _one_side(expr: sp.Expr, var: sp.Symbol, a: sp.Expr, fa: sp.Expr, side: str) -> sp.Expr | None:
    """The derivative from one side: a number, oo, -oo, or None outside the domain/oscillating."""
    if not _side_defined(expr, var, a, side):
        return None
    piece = side_piece(expr, var, a, side)
    limit_value = _side_limit(piece, var, a, side)
    if limit_value is None:
        return None
    if not equal(limit_value, fa):
        jump = sign_of(limit_value - fa) if limit_value.is_finite else sign_of(limit_value)
        return sp.oo * jump * (1 if side == "+" else -1)
    slope = _finite_value(sp.diff(piece, var), var, a)
    if slope is not None:
        return slope
    slope = _limit((piece - fa) / (var - a), var, a, side)
    return slope if slope is not None else _side_limit(sp.diff(piece, var), var, a, side)


def _limit(expr: sp.Expr, var: sp.Symbol, a: sp.Expr, side: str) -> sp.Expr | None:
    """SymPy's one-sided limit when it is a real number or oo/-oo, else None.

    Only at rational points: at algebraic points (CRootOf) SymPy's limit is slow and may
    return values that are not real, and the numeric fallback of the callers is reliable there.
    """
    if not a.is_Rational:
        return None
    try:
        value = sp.limit(expr, var, a, side)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if value in (sp.oo, -sp.oo):
        return value
    if isinstance(value, sp.AccumBounds) or value.has(sp.nan, sp.zoo) or value.free_symbols:
        return None
    return value if value_at(value, var, 0) is not None else None


@budgeted("the one-sided derivatives", "a simpler expression")
def one_sided_derivatives(
    f: ExprLike, a: ExprLike, x: sp.Symbol | str | None = None
) -> tuple[sp.Expr | None, sp.Expr | None]:
    """(left, right) derivatives of f at a: limits of the difference quotient from each side.

    Each is an exact number, oo or -oo (a vertical tangent or a jump), or None where f is not
    defined on that side (an end of the domain) or the quotient oscillates without a limit.

    Parameters
    ----------
    f
        The function (expression, number or text).
    a
        The point (f must be defined there).
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    tuple
        ``(left, right)``.

    Raises
    ------
    ValueError
        Where f is not defined at a.

    Examples
    --------
    >>> from calc_helpers import one_sided_derivatives
    >>> one_sided_derivatives("abs(x)", 0)
    (-1, 1)
    >>> one_sided_derivatives("sqrt(x)", 0)
    (None, oo)
    """
    expr, var = prepare(f, x)
    a = as_number(a)
    fa = value_at(expr, var, a)
    if fa is None:
        raise ValueError(f"f = {expr} is not defined at {a}, so it has no derivative there")
    return _one_side(expr, var, a, fa, "-"), _one_side(expr, var, a, fa, "+")


@budgeted("the derivative at the point", "a simpler expression")
def derivative_at(f: ExprLike, a: ExprLike, x: sp.Symbol | str | None = None) -> sp.Expr:
    """f'(a) exactly; raises ValueError (naming how it fails) where f is not differentiable.

    Parameters
    ----------
    f
        The function (expression, number or text).
    a
        The point.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    sympy.Expr
        The exact slope at a.

    Raises
    ------
    ValueError
        Where f is not differentiable at a (the message says why: corner, cusp, ...).

    Examples
    --------
    >>> from calc_helpers import derivative_at
    >>> derivative_at("x^3", 2)
    12
    >>> derivative_at("abs(x)", 0)
    Traceback (most recent call last):
    ...
    ValueError: f is not differentiable at 0: corner
    """
    report = differentiability(f, a, x)
    if report.kind != "differentiable":
        raise ValueError(f"f is not differentiable at {a}: {DIFFERENTIABILITY_WORDS[report.kind]}")
    return report.right if report.right is not None else report.left


@dataclass(frozen=True)
class Differentiability:
    """How f behaves at a point: `kind` (one of KINDS), continuity and the one-sided derivatives.

    Returned by `differentiability`; `left` and `right` are as in `one_sided_derivatives`.

    Examples
    --------
    >>> from calc_helpers import differentiability
    >>> report = differentiability("abs(x)", 0)
    >>> report
    Differentiability(kind='corner', continuous=True, left=-1, right=1)
    >>> report.differentiable
    False
    """

    kind: str
    continuous: bool
    left: sp.Expr | None
    right: sp.Expr | None

    @property
    def differentiable(self) -> bool:
        """Whether f is differentiable at the point."""
        return self.kind == "differentiable"


def _continuous(expr: sp.Expr, var: sp.Symbol, a: sp.Expr, fa: sp.Expr | None) -> bool:
    if fa is None:
        return False
    for side in "-+":
        if _side_defined(expr, var, a, side):
            limit_value = _side_limit(side_piece(expr, var, a, side), var, a, side)
            if limit_value is None or not equal(limit_value, fa):
                return False
    return True


def _kind(left: sp.Expr | None, right: sp.Expr | None) -> str:
    sides = [d for d in (left, right) if d is not None]
    if not sides:
        raise Undecidable("the difference quotient has no limit from either side (it oscillates)")
    infinite = [d for d in sides if d.is_infinite]
    if len(sides) == 1:
        return "vertical_tangent" if infinite else "differentiable"
    if len(infinite) == 2:
        return "vertical_tangent" if left == right else "cusp"
    if infinite:
        return "corner"
    return "differentiable" if equal(left, right) else "corner"


@budgeted("the differentiability at the point", "a simpler expression")
def differentiability(
    f: ExprLike, a: ExprLike, x: sp.Symbol | str | None = None
) -> Differentiability:
    """Classify f at a: differentiable, discontinuity, corner, cusp or vertical tangent.

    A corner has finite one-sided derivatives that differ; a cusp infinite ones of opposite
    signs; a vertical tangent infinite ones of the same sign. At an end of the domain only
    the one side that exists counts. A point where f is undefined is a discontinuity.

    Parameters
    ----------
    f
        The function (expression, number or text).
    a
        The point.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    Differentiability

    Raises
    ------
    Undecidable
        Where the difference quotient has a limit from neither side (it oscillates).

    Examples
    --------
    >>> from calc_helpers import differentiability
    >>> differentiability("x^2", 1)
    Differentiability(kind='differentiable', continuous=True, left=2, right=2)
    >>> differentiability("x^(2/3)", 0)
    Differentiability(kind='cusp', continuous=True, left=-oo, right=oo)
    >>> differentiability("cbrt(x)", 0).kind
    'vertical_tangent'
    >>> differentiability("1/x", 0).kind
    'discontinuity'
    """
    expr, var = prepare(f, x)
    a = as_number(a)
    fa = value_at(expr, var, a)
    if fa is None:
        return Differentiability("discontinuity", False, None, None)
    continuous = _continuous(expr, var, a, fa)  # continuity first, slopes only then
    left, right = _one_side(expr, var, a, fa, "-"), _one_side(expr, var, a, fa, "+")
    if not continuous:
        return Differentiability("discontinuity", False, left, right)
    return Differentiability(_kind(left, right), True, left, right)


@budgeted("the subdifferential", "a simpler expression")
def subdifferential(f: ExprLike, a: ExprLike, x: sp.Symbol | str | None = None) -> sp.Set:
    """The subdifferential [f'_-(a), f'_+(a)] of a convex function at an interior point a.

    ReLU at 0 gives Interval(0, 1); where f is differentiable it is the single slope {f'(a)}.

    Parameters
    ----------
    f
        The function (expression, number or text).
    a
        The point.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    sympy.Set
        ``Interval(left slope, right slope)`` (a one-point set where they are equal).

    Raises
    ------
    ValueError
        Where f is not continuous at a, a one-sided slope is infinite or missing, or the left
        slope is the larger (f is not convex there).

    Examples
    --------
    >>> from calc_helpers import subdifferential
    >>> subdifferential("max(0, x)", 0)
    Interval(0, 1)
    >>> subdifferential("x^2", 1)
    {2}
    """
    report = differentiability(f, a, x)
    left, right = report.left, report.right
    if not report.continuous or left is None or right is None:
        raise ValueError(f"f must be continuous on both sides of {a} to have a subdifferential")
    if left.is_infinite or right.is_infinite:
        raise ValueError(f"f has an infinite one-sided slope at {a}: no subgradient exists")
    if sign_of(right - left) < 0:
        raise ValueError(
            f"f is not convex at {a} (left slope {left} > right slope {right}): "
            "subgradients are defined for convex functions"
        )
    return sp.Interval(left, right)
