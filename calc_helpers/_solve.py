"""Zeros of one-variable expressions on an interval: exact where possible, else numeric."""

from __future__ import annotations

import math
import signal
import threading
from contextlib import contextmanager

import mpmath
import sympy as sp

from ._numeric import PRECISION, sign_of, sort_key

_NUMERIC_SAMPLES = 801
SOLVE_SECONDS = 2.0  # beyond this SymPy's solveset gives way to the numeric search


class InfinitelyManyError(ValueError):
    """Raised where an answer would be an infinite set of points (periodic f, flat pieces)."""


class UnsolvableError(ValueError):
    """Raised where an equation can be solved neither exactly nor numerically on the domain."""


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


def _numeric_zeros(expr: sp.Expr, x: sp.Symbol, window: sp.Interval) -> list[sp.Expr]:
    """Zeros found by sign changes on a fine grid, refined by bisection (simple roots only)."""
    func = sp.lambdify(x, expr, modules="mpmath")
    lo, hi = sort_key(window.start), sort_key(window.end)
    grid = [lo + (hi - lo) * (k + 0.5) / _NUMERIC_SAMPLES for k in range(_NUMERIC_SAMPLES)]
    values = []
    for point in grid:
        try:
            value = complex(func(mpmath.mpf(point)))
            values.append(value.real if abs(value.imag) < 1e-12 else math.nan)
        except (ZeroDivisionError, ValueError, OverflowError):
            values.append(math.nan)
    roots: list[sp.Expr] = []
    samples = list(zip(grid, values, strict=True))
    for (a, fa), (b, fb) in zip(samples, samples[1:], strict=False):
        if math.isnan(fa) or math.isnan(fb):
            continue
        if fa == 0:
            roots.append(_snapped(expr, x, a))
        elif fa * fb < 0:
            root = mpmath.findroot(lambda t: func(t), (a, b), solver="anderson")
            if abs(func(root)) < 1e-9:
                roots.append(_snapped(expr, x, float(root)))
    return roots


def _snapped(expr: sp.Expr, x: sp.Symbol, root: float) -> sp.Expr:
    """A numeric root replaced by a simple exact number (0, 1/2, pi/3, ...) when that is a root."""
    guess = sp.nsimplify(root, [sp.pi], tolerance=1e-9)
    if len(str(guess)) <= 12:
        try:
            if sign_of(expr.subs(x, guess)) == 0:
                return guess
        except ValueError:
            pass
    return sp.Float(root, 15)


@contextmanager
def _time_limit(seconds: float):
    """Raise TimeoutError after `seconds` (only in the main thread; elsewhere no limit)."""
    outer_timer_running = signal.getitimer(signal.ITIMER_REAL)[0] > 0
    if threading.current_thread() is not threading.main_thread() or outer_timer_running:
        yield  # never disturb a caller's own alarm (the autograder caps student work with one)
        return

    def expire(_signum, _frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _solveset_listed(expr: sp.Expr, x: sp.Symbol, window: sp.Interval) -> list[sp.Expr] | None:
    """SymPy's solveset within a time budget; None where it gives no explicit finite answer."""
    try:
        with _time_limit(SOLVE_SECONDS):
            return _listed(sp.solveset(expr, x, window), window)
    except TimeoutError:
        return None


def _factor_zeros(expr: sp.Expr, x: sp.Symbol, window: sp.Interval, what: str) -> list | None:
    """Zeros of a product, factor by factor (exp(...) never vanishes); None if not a product."""
    if not isinstance(expr, sp.Mul):
        return None
    found: list[sp.Expr] = []
    for factor in expr.args:
        if x not in factor.free_symbols or isinstance(factor, sp.exp):
            continue
        if isinstance(factor, sp.Pow) and factor.exp.is_negative:
            continue  # a denominator: never zero where defined
        found.extend(zeros(factor, x, window, what))
    from ._numeric import value_at

    return [p for p in found if value_at(expr, x, p) is not None]


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
    try:
        if listed is None:
            listed = _solveset_listed(expr, x, window)
    except InfinitelyManyError:
        raise InfinitelyManyError(
            f"{what} = 0 has infinitely many solutions on {window}; "
            "pass a bounded domain, e.g. domain=Interval(-2*pi, 2*pi)"
        ) from None
    if listed is None:
        if not bounded(window):
            raise UnsolvableError(
                f"cannot solve {expr} = 0 exactly on {window}; pass a bounded domain "
                "and the zeros are found numerically"
            )
        listed = _numeric_zeros(expr, x, window)
    unique: list[sp.Expr] = []
    for value in sorted(listed, key=sort_key):
        if not unique or sign_of(value - unique[-1]) != 0:
            unique.append(sp.nsimplify(value) if value.is_Float and value == int(value) else value)
    return unique
