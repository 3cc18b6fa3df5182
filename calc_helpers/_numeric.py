"""Signs and equality of exact SymPy numbers, with high-precision evaluation as fallback."""

from __future__ import annotations

import sympy as sp

PRECISION = 60  # digits used when SymPy cannot decide a sign symbolically
TINY = sp.Rational(1, 10**12)  # distance used to look "just beside" a point
_ZERO_TOLERANCE = sp.Float(10) ** -40


def is_finite_real(value: sp.Expr) -> bool:
    """True for a finite real number (not oo, zoo, nan or complex)."""
    value = sp.sympify(value)
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.free_symbols:
        return False
    approx = value.evalf(PRECISION)
    return bool(approx.is_real and approx.is_finite) if approx.is_number else False


def sign_of(value: sp.Expr) -> int:
    """The sign (-1, 0 or 1) of a real number; raises ValueError if it is not real."""
    value = sp.sympify(value)
    if value == sp.oo:
        return 1
    if value == -sp.oo:
        return -1
    if value.is_Number:
        return int(sp.sign(value))
    # Numbers first: SymPy's assumption queries on algebraic numbers (CRootOf) are slow.
    approx = sp.N(value, PRECISION)
    if not approx.is_number or approx.has(sp.nan, sp.zoo):
        raise ValueError(f"{value} is not a real number")
    re, im = approx.as_real_imag()
    if abs(im) > _ZERO_TOLERANCE:
        raise ValueError(f"{value} is not a real number")
    if abs(re) < _ZERO_TOLERANCE:
        return 0
    return 1 if re > 0 else -1


def equal(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two real numbers (possibly infinite) are equal."""
    a, b = sp.sympify(a), sp.sympify(b)
    if a.is_infinite or b.is_infinite:
        return a == b
    return sign_of(a - b) == 0


def value_at(expr: sp.Expr, x: sp.Symbol, point: sp.Expr) -> sp.Expr | None:
    """f(point) as an exact value, or None where f is undefined or not real there."""
    point = sp.sympify(point)
    try:
        if point.has(sp.CRootOf):
            with sp.evaluate(False):  # exact but unevaluated: evaluating CRootOf powers is slow
                value = expr.subs(x, point)
        else:
            value = expr.subs(x, point)
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    if value.has(sp.nan, sp.zoo) or value.free_symbols:
        return None
    if value.is_infinite:
        return None
    try:
        sign_of(value)
    except (ValueError, TypeError):
        return None
    return sp.nsimplify(value) if isinstance(value, sp.Float) and value == int(value) else value


def to_float(value: sp.Expr) -> float:
    """A Python float of an exact real value (a vanishing imaginary part is dropped)."""
    approx = sp.N(value, 30)
    re, im = approx.as_real_imag()
    if abs(im) > 1e-20:
        raise ValueError(f"{value} is not a real number")
    return float(re)


def sort_key(value: sp.Expr) -> float:
    """Key sorting exact real numbers (including infinities)."""
    value = sp.sympify(value)
    if value == sp.oo:
        return float("inf")
    if value == -sp.oo:
        return float("-inf")
    return to_float(value)
