"""Zeros of one-variable expressions on an interval: exact where possible, else numeric."""

from __future__ import annotations

import math

import sympy as sp

from ._numeric import PRECISION, sign_of, sort_key
from ._transcendental import scan, solve_candidates, unbounded_zeros, verified_root
from .budget import EngineError, checkpoint, soft_limit

SOLVE_SHARE = 0.2  # of the budget: then solveset gives way to solve and a numeric search


class InfinitelyManyError(EngineError):
    """Raised where an answer would be an infinite set of points (periodic f, flat pieces).

    Examples
    --------
    >>> from calc_helpers import InfinitelyManyError, critical_points
    >>> try:
    ...     critical_points("cos(x)")
    ... except InfinitelyManyError as error:
    ...     print(error)
    f' = 0 has infinitely many solutions on Interval(-oo, oo); pass a bounded domain,
    e.g. domain=Interval(-2*pi, 2*pi)
    """


class UnsolvableError(EngineError):
    """Raised where an equation can be solved neither exactly nor numerically on the domain.

    Examples
    --------
    >>> from calc_helpers import EngineError, UnsolvableError
    >>> issubclass(UnsolvableError, EngineError)
    True
    """


def bounded(window: sp.Interval) -> bool:
    """Whether an interval has finite ends."""
    return window.start.is_finite and window.end.is_finite


def identically_zero(expr: sp.Expr, x: sp.Symbol, window: sp.Interval) -> bool:
    """Whether expr vanishes on the whole window (checked at sample points, then simplified)."""
    if expr.is_zero:
        return True
    if x not in expr.free_symbols:
        try:
            return sign_of(expr) == 0
        except ValueError:
            return False
    for point in sample_points(window, 3):
        try:
            if sign_of(expr.subs(x, point)) != 0:
                return False
        except ValueError:
            return False
    return sp.simplify(expr) == 0


def sample_points(window: sp.Interval, count: int) -> list[sp.Expr]:
    """Exact points strictly inside an interval, spread over it (near 0 if unbounded)."""
    lo, hi = window.start, window.end
    if lo == -sp.oo and hi == sp.oo:
        lo, hi = sp.Integer(-7), sp.Integer(9)
    elif lo == -sp.oo:
        lo = hi - 10
    elif hi == sp.oo:
        hi = lo + 10
    width = hi - lo
    return [lo + width * sp.Rational(2 * k + 1, 2 * count + 1) for k in range(count)]


def _image_set_members(image: sp.ImageSet, window: sp.Interval) -> list[sp.Expr]:
    """The members of an ImageSet over the integers that lie in a bounded window."""
    lam = image.lamda
    (n,) = lam.variables
    body = lam.expr
    slope = sp.diff(body, n)
    if slope.free_symbols or sp.diff(slope, n) != 0 or slope == 0:
        raise UnsolvableError(f"cannot list the solutions {image} on {window}")
    offset = body.subs(n, 0)
    bounds = sorted([(window.start - offset) / slope, (window.end - offset) / slope], key=sort_key)
    first, last = math.floor(sort_key(bounds[0])) - 1, math.ceil(sort_key(bounds[1])) + 1
    members = [body.subs(n, k) for k in range(first, last + 1)]
    return [m for m in members if window.contains(m) == sp.true]


def _in_window(value: sp.Expr, window: sp.Interval) -> bool:
    """Whether a number is real and lies in the window (decided numerically if need be)."""
    inside = window.contains(value)
    if inside in (sp.true, sp.false):
        return bool(inside)
    approx = sp.N(value, PRECISION)
    if abs(sp.im(approx)) > 1e-30:
        return False
    return bool(window.contains(sp.re(approx)))


def _polynomial_roots(expr: sp.Expr, x: sp.Symbol, window: sp.Interval) -> list[sp.Expr] | None:
    """Exact real roots of a polynomial or rational function (CRootOf for casus irreducibilis)."""
    numerator, denominator = sp.fraction(sp.together(expr))
    if not numerator.is_polynomial(x):
        return None
    poly = sp.Poly(numerator, x)
    if poly.degree() < 1 or not all(c.is_Rational for c in poly.coeffs()):
        return None
    roots = [r for r in set(poly.real_roots()) if _in_window(r, window)]
    return [r for r in roots if _defined_nonzero(denominator, x, r)]


def _defined_nonzero(expr: sp.Expr, x: sp.Symbol, point: sp.Expr) -> bool:
    """Whether a denominator is defined and not zero at the point."""
    from ._numeric import value_at

    value = value_at(expr, x, point)
    return value is not None and sign_of(value) != 0


def _listed(solutions: sp.Set, window: sp.Interval) -> list[sp.Expr] | None:
    """A finite list of the solutions in the window, or None if SymPy's answer is not explicit."""
    if solutions is sp.S.EmptySet:
        return []
    if isinstance(solutions, sp.FiniteSet):
        return [s for s in solutions if s.is_real is not False and _in_window(s, window)]
    if isinstance(solutions, sp.ImageSet):
        if not bounded(window):
            raise InfinitelyManyError("infinitely many")
        return _image_set_members(solutions, window)
    if isinstance(solutions, (sp.Union, sp.Intersection)):
        parts = []
        for part in solutions.args:
            if isinstance(part, sp.Interval) and isinstance(solutions, sp.Intersection):
                continue
            listed = _listed(part, window)
            if listed is None:
                return None
            parts.extend(listed)
        return parts
    if isinstance(solutions, sp.Complement):
        listed = _listed(solutions.args[0], window)
        if listed is None:
            return None
        return [s for s in listed if solutions.args[1].contains(s) != sp.true]
    return None


def _solveset(expr: sp.Expr, x: sp.Symbol, window: sp.Interval) -> sp.Set | None:
    """SymPy's solveset within a short limit (None if it ran out of time)."""
    with soft_limit(SOLVE_SHARE):
        return sp.solveset(expr, x, window)
    return None


def _never_zero(factor: sp.Expr, x: sp.Symbol) -> bool:
    """exp(u), a**u (a > 0) and u**v with v depending on x (= exp(v log u), defined for u > 0)
    never vanish; nor does a denominator u**(-k) where it is defined."""
    if isinstance(factor, sp.exp):
        return True
    if isinstance(factor, sp.Pow):
        base, exponent = factor.args
        if exponent.is_negative:
            return True
        if x in exponent.free_symbols:
            return base.is_positive is True or x in base.free_symbols
    return False


def _factor_zeros(expr: sp.Expr, x: sp.Symbol, window: sp.Interval, what: str) -> list | None:
    """Zeros of a product, factor by factor (exp(...) never vanishes); None if not a product."""
    if not isinstance(expr, sp.Mul):
        return None
    from ._numeric import value_at

    found: list[sp.Expr] = []
    varying = [factor for factor in expr.args if x in factor.free_symbols]
    for k, factor in enumerate(varying):
        if _never_zero(factor, x):
            continue
        others = sp.Mul(*varying[:k], *varying[k + 1 :])
        for point in zeros(factor, x, window, what):
            # the product vanishes there if the other factors are defined there (checking
            # them alone avoids evaluating a product that is 0 to ever more digits)
            if value_at(others, x, point) is not None:
                found.append(point)
    return found


def zeros(expr: sp.Expr, x: sp.Symbol, window: sp.Interval, what: str = "f") -> list[sp.Expr]:
    """Sorted zeros of a smooth expression inside an open or closed interval.

    Raises InfinitelyManyError for infinitely many zeros on an unbounded interval and
    UnsolvableError when neither SymPy nor a numeric search on a bounded interval can list them.
    """
    while isinstance(expr, sp.Abs) or (isinstance(expr, sp.Pow) and expr.exp.is_positive):
        expr = expr.args[0]  # |u| = 0 and u**p = 0 (p > 0) exactly where u = 0
    if identically_zero(expr, x, window):
        raise InfinitelyManyError(f"{what} is zero on the whole interval {window}")
    listed = _polynomial_roots(expr, x, window)
    if listed is None:
        listed = _factor_zeros(sp.factor_terms(expr), x, window, what)
    if listed is None:
        listed = _transcendental_zeros(expr, x, window, what)
    unique: list[sp.Expr] = []
    for value in sorted(listed, key=sort_key):
        if not unique or sign_of(value - unique[-1]) != 0:
            unique.append(value)
    return unique


def _transcendental_zeros(
    expr: sp.Expr, x: sp.Symbol, window: sp.Interval, what: str
) -> list[sp.Expr]:
    """Zeros from solveset when it lists them; else from solve's verified candidates and a
    sign-change scan (with proved-empty tails on an unbounded window)."""
    checkpoint()
    solutions = _solveset(expr, x, window)
    equation = expr
    if solutions is not None:
        try:
            listed = _listed(solutions, window)
        except InfinitelyManyError:
            raise InfinitelyManyError(
                f"{what} = 0 has infinitely many solutions on {window}; "
                "pass a bounded domain, e.g. domain=Interval(-2*pi, 2*pi)"
            ) from None
        if listed is not None:
            return listed
        if isinstance(solutions, sp.ConditionSet) and isinstance(solutions.condition, sp.Eq):
            condition = solutions.condition
            equation = condition.lhs - condition.rhs  # often simpler: x + exp(x) + 1
    candidates = solve_candidates(equation, x, window)
    closed_ends = [
        end
        for end in (window.start, window.end)
        if end.is_finite and window.contains(end) == sp.true and verified_root(expr, x, end, window)
    ]
    if bounded(window):
        return scan(equation, x, window.start, window.end, candidates) + closed_ends
    found = unbounded_zeros(equation, x, window, candidates)
    if found is None:
        raise UnsolvableError(
            f"cannot solve {expr} = 0 on {window}: no exact solution, and no proof that a "
            "numeric search finds them all; pass a bounded domain, e.g. "
            "domain=Interval(-10, 10), and the zeros there are located exactly"
        )
    return found + closed_ends
