"""Zeros of equations SymPy's solveset leaves unsolved (a ConditionSet), such as x + exp(x) + 1.

Three steps:

1. `solve` (within a short limit) proposes candidates; each is kept only if it is real, in the
   window, and g vanishes there to 60 digits (LambertW and log values come from here).
2. A scan for sign changes over a fine grid locates the zeros; each is matched with a
   candidate, else with a short exact number (1/2, pi/3), else kept as an `ImplicitRoot`
   (the equation and a rational enclosure), never as a float.
3. On an unbounded window the scan runs over [-R, R] for growing R, and an answer is given
   only once each infinite tail is *proved* free of zeros: g(R) != 0 and g is monotone on the
   tail (g' keeps one sign there, proved the same way a few levels deep, or by SymPy's sign
   assumptions on g(R + t), t >= 0); g then moves away from 0, or towards a limit of its own
   sign (or 0) that it cannot get past.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from ._numeric import PRECISION, sign_of, sort_key
from .budget import checkpoint, soft_limit
from .implicit_root import ImplicitRoot

SCAN_POINTS = 801
SOLVE_SHARE = 0.2  # shares of the call's budget (see budget.soft_limit)
LIMIT_SHARE = 0.2
WINDOWS = (8, 64, 512)
_TAIL_DEPTH = 3


def verified_root(g: sp.Expr, x: sp.Symbol, value: sp.Expr, window: sp.Interval) -> bool:
    """Whether value is a real number in the window where g vanishes (to 60 digits)."""
    try:
        approx = sp.N(value, PRECISION)
        if not approx.is_number or abs(sp.im(approx)) > 1e-40:
            return False
        if window.contains(sp.re(approx)) != sp.true:
            return False
        return sign_of(g.subs(x, value)) == 0
    except (ValueError, TypeError, ZeroDivisionError):
        return False


def solve_candidates(g: sp.Expr, x: sp.Symbol, window: sp.Interval) -> list[sp.Expr]:
    """Verified exact roots that SymPy's `solve` finds (not necessarily all of them)."""
    found: list[sp.Expr] = []
    with soft_limit(SOLVE_SHARE):
        try:
            found = list(sp.solve(g, x))
        except (NotImplementedError, ValueError, TypeError, AttributeError):
            found = []
    return [r for r in found if verified_root(g, x, r, window)]


def _values(g: sp.Expr, x: sp.Symbol, points: list[sp.Rational]) -> list[float]:
    """g at the points: in floating point at once (NumPy), and again with mpmath at 30 digits
    where that is not finite or too close to 0 to trust its sign."""
    fast = sp.lambdify(x, g, modules="numpy")
    grid = np.array([float(p) for p in points])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            raw = np.asarray(fast(grid), dtype=complex) * np.ones_like(grid)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, AttributeError):
            raw = np.full(grid.shape, np.nan, dtype=complex)
    values = np.where(np.abs(raw.imag) < 1e-12, raw.real, np.nan)
    scale = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0
    unsure = ~np.isfinite(values) | (np.abs(values) < 1e-8 * max(scale, 1.0))
    if unsure.any():
        slow = sp.lambdify(x, g, modules="mpmath")
        with mpmath.workdps(30):
            for k in np.flatnonzero(unsure):
                checkpoint()
                try:
                    value = complex(slow(mpmath.mpf(points[k].p) / points[k].q))
                    values[k] = value.real if abs(value.imag) < 1e-20 else math.nan
                except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                    values[k] = math.nan
    return [float(v) for v in values]


def _grid(lo: sp.Expr, hi: sp.Expr, count: int) -> list[sp.Rational]:
    """count + 1 rational points from lo to hi (ends included)."""
    a = sp.Rational(str(sp.N(lo, 30))) if not lo.is_Rational else lo
    b = sp.Rational(str(sp.N(hi, 30))) if not hi.is_Rational else hi
    return [a + (b - a) * sp.Rational(k, count) for k in range(count + 1)]


def _exact_near(g: sp.Expr, x: sp.Symbol, approx: float, candidates: list[sp.Expr]):
    """A candidate or a short exact number equal to the root near `approx`, if there is one."""
    for c in candidates:
        if abs(sort_key(c) - approx) <= 1e-8 * max(1.0, abs(approx)):
            return c
    for unit in (sp.Integer(1), sp.pi):  # short rationals and rational multiples of pi
        ratio = Fraction(approx / float(unit)).limit_denominator(12)
        guess = sp.Rational(ratio.numerator, ratio.denominator) * unit
        if abs(float(guess) - approx) > 1e-9 * max(1.0, abs(approx)):
            continue
        try:
            if sign_of(g.subs(x, guess)) == 0:
                return guess
        except (ValueError, TypeError):
            pass
    return None


def scan(
    g: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr, candidates: list[sp.Expr]
) -> list[sp.Expr]:
    """Zeros of g strictly between lo and hi, located by sign changes on a grid.

    A root on a grid point is found exactly; a double root (no sign change) is found only
    if it is one of the candidates.
    """
    points = _grid(lo, hi, SCAN_POINTS)
    values = _values(g, x, points)
    roots: list[sp.Expr] = []
    inner = list(zip(points, values, strict=True))
    for k, (a, fa) in enumerate(inner):
        if not (0 < k < len(inner) - 1 and fa == 0):
            continue
        if verified_root(g, x, a, sp.Interval(lo, hi)):
            roots.append(a)  # the grid point itself is a root (to 60 digits)
            continue
        (before, f_before), (after, f_after) = inner[k - 1], inner[k + 1]
        if f_before * f_after < 0:  # 0 only in floating point: the root is near, not at, a
            root = ImplicitRoot(g, x, before, after)
            exact = _exact_near(g, x, float(root), candidates)
            roots.append(exact if exact is not None else root)
    for (a, fa), (b, fb) in zip(inner, inner[1:], strict=False):
        if math.isnan(fa) or math.isnan(fb) or fa == 0 or fb == 0 or fa * fb > 0:
            continue
        root = ImplicitRoot(g, x, a, b)
        exact = _exact_near(g, x, float(root), candidates)
        roots.append(exact if exact is not None else root)
    for c in candidates:  # double roots: no sign change on the grid
        inside = sort_key(lo) < sort_key(c) < sort_key(hi)
        if inside and not any(c == r for r in roots):
            roots.append(c)
    return roots


def _tail_sign(g: sp.Expr, x: sp.Symbol, start: sp.Integer) -> int | None:
    """Sign that g keeps on [start, oo), proved, or None if no proof was found."""
    return _tail(g, x, start, _TAIL_DEPTH)


def _limit_at_oo(g: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    value = None
    with soft_limit(LIMIT_SHARE):
        try:
            value = sp.limit(g, x, sp.oo)
        except (NotImplementedError, ValueError, TypeError):
            value = None
    if value is None or isinstance(value, sp.AccumBounds) or value.has(sp.nan, sp.zoo):
        return None
    return value if not value.free_symbols else None


def _tail(g: sp.Expr, x: sp.Symbol, start: sp.Integer, depth: int) -> int | None:
    checkpoint()
    try:
        s = sign_of(g.subs(x, start))
    except (ValueError, TypeError):
        return None
    if s == 0:
        return None
    t = sp.Dummy("t", nonnegative=True)
    shifted = g.subs(x, start + t)
    if shifted.is_positive:
        return 1
    if shifted.is_negative:
        return -1
    if depth == 0:
        return None
    slope = _tail(sp.diff(g, x), x, start, depth - 1)
    if slope is None:
        return None
    # g' keeps the sign `slope` on the tail: g is monotone there.
    if slope == s:
        return s  # moving away from 0 from g(start) != 0: g never vanishes
    limit = _limit_at_oo(g, x)  # moving towards 0: it must not get past it
    if limit is None:
        return None
    s_limit = 1 if limit == sp.oo else -1 if limit == -sp.oo else sign_of(limit)
    return s if s_limit in (0, s) else None


def tails_free(g: sp.Expr, x: sp.Symbol, window: sp.Interval, radius: int) -> bool:
    """Whether g has no zero in the parts of the window beyond [-radius, radius] (proved)."""
    if window.end == sp.oo and _tail_sign(g, x, sp.Integer(radius)) is None:
        return False
    if window.start == -sp.oo:
        mirrored = g.subs(x, -x)
        if _tail_sign(mirrored, x, sp.Integer(radius)) is None:
            return False
    return True


def unbounded_zeros(
    g: sp.Expr, x: sp.Symbol, window: sp.Interval, candidates: list[sp.Expr]
) -> list[sp.Expr] | None:
    """Zeros on an unbounded window: scan [-R, R] once the tails beyond it are proved free.

    None if no window of the sizes tried has tails proved free of zeros.
    """
    for radius in WINDOWS:
        lo = window.start if window.start.is_finite else sp.Integer(-radius)
        hi = window.end if window.end.is_finite else sp.Integer(radius)
        if sort_key(lo) >= sort_key(hi):
            continue
        if not tails_free(g, x, window, radius):
            continue
        roots = scan(g, x, lo, hi, candidates)
        for end in (lo, hi):
            if (end in (-radius, radius)) and verified_root(g, x, end, window):
                roots.append(end)
        return roots
    return None
