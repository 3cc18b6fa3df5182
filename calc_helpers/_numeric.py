"""Signs and equality of exact SymPy numbers, with high-precision evaluation as fallback."""

from __future__ import annotations

import sympy as sp

from .budget import Undecidable
from .implicit_root import ImplicitRoot

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
    try:
        approx = sp.N(value, PRECISION)
    except (OverflowError, RecursionError, MemoryError):
        raise Undecidable("cannot evaluate a value of f: it is too large for numbers") from None
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


def _long_rational(point: sp.Expr) -> bool:
    """A rational with a long denominator (a point just beside another): exact powers of it,
    such as (10**12 - 1)/10**12 to its own power, are too slow to compute, so such values stay
    unevaluated (they are only signed and evaluated numerically)."""
    return point.is_Rational and point.q > 10**6


def substituted(expr: sp.Expr, x: sp.Symbol, point: sp.Expr) -> sp.Expr:
    """expr at the point; powers and exponentials stay unevaluated where evaluating them
    exactly would be slow (see above), everything else (|u|, Heaviside, piecewise) evaluates."""
    if point.has(sp.CRootOf, ImplicitRoot):  # algebraic and implicit roots: stay unevaluated
        with sp.evaluate(False):
            return expr.subs(x, point)
    if not _long_rational(point):
        return expr.subs(x, point)
    return _rebuilt(expr, x, point)


def _rebuilt(expr: sp.Expr, x: sp.Symbol, point: sp.Expr) -> sp.Expr:
    if expr == x:
        return point
    if expr.is_Atom or x not in expr.free_symbols:
        return expr
    args = [_rebuilt(arg, x, point) for arg in expr.args]
    lazy = isinstance(expr, sp.exp) or (isinstance(expr, sp.Pow) and not expr.exp.is_Integer)
    if lazy:
        with sp.evaluate(False):
            return expr.func(*args)
    return expr.func(*args)


def value_at(expr: sp.Expr, x: sp.Symbol, point: sp.Expr) -> sp.Expr | None:
    """f(point) as an exact value, or None where f is undefined or not real there."""
    point = sp.sympify(point)
    try:
        value = substituted(expr, x, point)
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.free_symbols:
        return None  # (no is_infinite query: on values that vanish it costs a deep evalf)
    try:
        sign_of(value)
    except Undecidable:
        raise
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
