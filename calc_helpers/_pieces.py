"""Natural domains, break points and smooth pieces of functions built from elementary parts.

A course function may contain non-smooth parts (|u|, max, min, sign, Heaviside, floor,
ceiling, frac, piecewise definitions, real roots). Between consecutive *break points* each
of them is one smooth formula, its *piece*; all global analysis (sign charts, zeros) runs
piece by piece.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from ._numeric import TINY, sign_of, sort_key, substituted
from ._solve import InfinitelyManyError, zeros
from .budget import checkpoint

_KINKS = (sp.Abs, sp.sign, sp.Heaviside)
_STEPS = (sp.floor, sp.ceiling, sp.frac)  # jump where their argument crosses an integer
MAX_JUMPS = 200
_RANGE_SAMPLES = 2001


def real_powers(expr: sp.Expr) -> sp.Expr:
    """Read x**(p/q) with odd q as the real root (x**(1/3) of a negative x is negative)."""

    def rewrite(power: sp.Pow) -> sp.Expr:
        base, exponent = power.args
        p = exponent.p
        magnitude = sp.Abs(base) ** exponent
        return magnitude if p % 2 == 0 else sp.sign(base) * magnitude

    def odd_root(e: sp.Expr) -> bool:
        return (
            isinstance(e, sp.Pow)
            and e.exp.is_Rational
            and not e.exp.is_Integer
            and e.exp.q % 2 == 1
            and not e.base.is_nonnegative
        )

    return expr.replace(odd_root, rewrite)


def variable_powers(expr: sp.Expr) -> sp.Expr:
    """Rewrite u**v with a variable exponent as exp(v*log(u)): x**x, x**(1/x), 2**x.

    This is the same function on the domain where it is defined for real x (u > 0), and it
    keeps SymPy from computing exact powers such as (999/1000)**(999/1000) at sample points.
    """

    def variable(e: sp.Expr) -> bool:
        return isinstance(e, sp.Pow) and bool(e.exp.free_symbols) and e.base != sp.E

    return expr.replace(variable, lambda e: sp.exp(e.exp * sp.log(e.base)))


def _set_where(relation: sp.Basic, x: sp.Symbol, window: sp.Interval) -> sp.Set:
    """The points of the window where a condition holds."""
    if relation in (sp.true, True):
        return window
    if relation in (sp.false, False):
        return sp.S.EmptySet
    return relation.as_set().intersect(window)


def _positive_set(u: sp.Expr, x: sp.Symbol, window: sp.Set, strict: bool) -> sp.Set:
    """Where u > 0 (or u >= 0) within the window, by the sign of u between its zeros."""
    if x not in u.free_symbols:
        s = sign_of(u)
        return window if (s > 0 or (s == 0 and not strict)) else sp.S.EmptySet
    if u.is_polynomial(x) or u.is_rational_function(x):
        relation = sp.Gt(u, 0) if strict else sp.Ge(u, 0)
        return sp.solveset(relation, x, sp.S.Reals).intersect(window)
    result = sp.S.EmptySet
    for interval in components(window):
        cuts = zeros(u, x, interval, what=str(u))
        for segment in split(interval, cuts):
            if sign_of(substituted(u, x, sample_point(segment))) > 0:
                result = result.union(segment)
        if not strict:
            result = result.union(sp.FiniteSet(*cuts))
        for end in (interval.start, interval.end):
            if end.is_finite and interval.contains(end) == sp.true:
                s = sign_of(u.subs(x, end))
                if s > 0 or (s == 0 and not strict):
                    result = result.union(sp.FiniteSet(end))
    return result


def natural_domain(expr: sp.Expr, x: sp.Symbol, window: sp.Set = sp.S.Reals) -> sp.Set:
    """The set of points of the window where the expression is defined and real."""
    if x not in expr.free_symbols:
        return window
    if isinstance(expr, sp.Piecewise):
        covered: sp.Set = sp.S.EmptySet
        result: sp.Set = sp.S.EmptySet
        for value, condition in expr.args:
            where = _set_where(condition, x, window) - covered
            result = result.union(natural_domain(value, x, where))
            covered = covered.union(where)
        return result
    domain = window
    for arg in expr.args:
        domain = natural_domain(arg, x, domain)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if exponent.is_Integer and exponent.is_negative:
            domain = domain - sp.FiniteSet(*_points_where_zero(base, x, domain))
        elif not exponent.is_Integer and base != sp.E and x in base.free_symbols:
            domain = _positive_set(base, x, domain, strict=not bool(exponent.is_positive))
    elif isinstance(expr, sp.log):
        domain = _positive_set(expr.args[0], x, domain, strict=True)
    elif isinstance(expr, (sp.tan, sp.sec)):
        domain = domain - sp.FiniteSet(*_points_where_zero(sp.cos(expr.args[0]), x, domain))
    elif isinstance(expr, (sp.cot, sp.csc)):
        domain = domain - sp.FiniteSet(*_points_where_zero(sp.sin(expr.args[0]), x, domain))
    elif isinstance(expr, (sp.asin, sp.acos)):
        u = expr.args[0]
        domain = _positive_set(1 - u**2, x, domain, strict=False)
    return domain


def _points_where_zero(u: sp.Expr, x: sp.Symbol, within: sp.Set) -> list[sp.Expr]:
    points: list[sp.Expr] = []
    for interval in components(within):
        points.extend(zeros(u, x, sp.Interval(interval.start, interval.end), what=str(u)))
    return points


def components(domain: sp.Set) -> list[sp.Interval]:
    """The intervals a domain is made of (isolated points dropped)."""
    if isinstance(domain, sp.Interval):
        return [domain]
    if domain is sp.S.Reals:
        return [sp.Interval(-sp.oo, sp.oo)]
    if isinstance(domain, sp.Union):
        return [part for arg in domain.args for part in components(arg)]
    if isinstance(domain, (sp.FiniteSet,)) or domain is sp.S.EmptySet:
        return []
    raise ValueError(
        f"cannot work with the domain {domain}: pass a bounded domain such as Interval(-5, 5)"
    )


def break_points(expr: sp.Expr, x: sp.Symbol, window: sp.Interval) -> list[sp.Expr]:
    """Points of the window where a non-smooth part of the expression may switch formula."""
    equations: list[sp.Expr] = []
    for atom in expr.atoms(*_KINKS, sp.Max, sp.Min, sp.Piecewise, sp.Pow):
        if isinstance(atom, _KINKS):
            equations.append(atom.args[0])
        elif isinstance(atom, (sp.Max, sp.Min)):
            args = atom.args
            equations.extend(a - b for i, a in enumerate(args) for b in args[i + 1 :])
        elif isinstance(atom, sp.Piecewise):
            for _, condition in atom.args:
                for relation in condition.atoms(sp.Rel):
                    equations.append(relation.lhs - relation.rhs)
        elif not atom.exp.is_Integer and atom.base != sp.E:
            equations.append(atom.base)
    for atom in expr.atoms(*_STEPS):
        if x in atom.args[0].free_symbols:
            equations.extend(_integer_levels(atom.args[0], x, window, atom))
    points: set[sp.Expr] = set()
    for u in equations:
        checkpoint()
        if x in u.free_symbols:
            points.update(zeros(u, x, window, what=str(u)))
    return sorted(points, key=sort_key)


def _integer_levels(u: sp.Expr, x: sp.Symbol, window: sp.Interval, step: sp.Expr) -> list:
    """u - k for every integer k that u may reach on the window: floor(u), ceiling(u) and
    frac(u) can jump only where u crosses an integer. The range of u is read off a dense
    sample (with one level of margin each side); an unbounded window is refused."""
    if not (window.start.is_finite and window.end.is_finite):
        raise InfinitelyManyError(
            f"{step} jumps at infinitely many points on {window}; pass a bounded domain, "
            "e.g. domain=Interval(-3, 3)"
        )
    func = sp.lambdify(x, u, "math")
    lo, hi = sort_key(window.start), sort_key(window.end)
    values = []
    for k in range(_RANGE_SAMPLES + 1):
        try:
            value = float(func(lo + (hi - lo) * k / _RANGE_SAMPLES))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue
        if math.isfinite(value):
            values.append(value)
    if not values:
        return []
    low, high = math.floor(min(values)) - 1, math.ceil(max(values)) + 1
    if high - low > MAX_JUMPS:
        raise InfinitelyManyError(
            f"{step} jumps at more than {MAX_JUMPS} points on {window}; pass a shorter domain"
        )
    return [u - k for k in range(low, high + 1)]


def split(interval: sp.Interval, cuts: list[sp.Expr]) -> list[sp.Interval]:
    """The open intervals into which the cut points divide an interval."""
    ends = [interval.start] + [c for c in sorted(cuts, key=sort_key)] + [interval.end]
    pieces = []
    for lo, hi in zip(ends, ends[1:], strict=False):
        if sort_key(lo) < sort_key(hi):
            pieces.append(sp.Interval.open(lo, hi))
    return pieces


def sample_point(interval: sp.Interval) -> sp.Expr:
    """A simple exact point inside an open interval: the integer nearest its middle if there is
    one, else a short decimal, else the middle itself (where signs are read off).

    Parameters
    ----------
    interval
        An open interval (its ends may be infinite).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> import sympy as sp
    >>> sample_point(sp.Interval.open(-1, 1)), sample_point(sp.Interval.open(1, sp.oo))
    (0, 2)
    >>> sample_point(sp.Interval.open(0, sp.Rational(1, 2)))
    1/4
    """
    lo, hi = interval.start, interval.end
    if lo == -sp.oo and hi == sp.oo:
        return sp.Integer(0)
    if lo == -sp.oo:
        return sp.floor(hi) - 1
    if hi == sp.oo:
        return sp.ceiling(lo) + 1
    middle = (lo + hi) / 2
    low, high, centre = sort_key(lo), sort_key(hi), sort_key(middle)
    integers = [n for n in range(math.ceil(low), math.floor(high) + 1) if low < n < high]
    if integers:
        return sp.Integer(min(integers, key=lambda n: abs(n - centre)))
    if middle.is_Rational:
        return middle
    for digits in range(1, 8):
        guess = sp.Rational(round(centre * 10**digits), 10**digits)
        if low < guess < high and sort_key(lo) < sort_key(guess) < sort_key(hi):
            return guess
    return sp.nsimplify(sp.N(middle, 30), rational=True)


def resolve(expr: sp.Expr, x: sp.Symbol, sample: sp.Expr) -> sp.Expr:
    """The smooth formula that the expression follows around a sample point.

    Every |u|, sign, Heaviside, max/min and piecewise branch is replaced by what it is at the
    sample point (which must not be a break point).
    """
    if expr.is_Atom or x not in expr.free_symbols:
        return expr
    if isinstance(expr, sp.Piecewise):
        for value, condition in expr.args:
            if condition == sp.true or bool(condition.subs(x, sample)):
                return resolve(value, x, sample)
        return sp.nan
    args = [resolve(arg, x, sample) for arg in expr.args]
    if isinstance(expr, _KINKS):
        u = args[0]
        s = sign_of(substituted(u, x, sample))
        if isinstance(expr, sp.Abs):
            return -u if s < 0 else u
        if isinstance(expr, sp.sign):
            return sp.Integer(s)
        return sp.Integer(1 if s > 0 else 0) if s != 0 else sp.Rational(1, 2)
    if isinstance(expr, _STEPS):
        level = sp.floor(sp.Rational(str(sp.N(substituted(args[0], x, sample), 40))))
        if isinstance(expr, sp.floor):
            return level
        if isinstance(expr, sp.ceiling):
            return level + 1  # the sample is never on a jump, so u is not an integer there
        return args[0] - level
    if isinstance(expr, (sp.Max, sp.Min)):
        values = [sort_key(substituted(a, x, sample)) for a in args]
        pick = max if isinstance(expr, sp.Max) else min
        return args[values.index(pick(values))]
    return expr.func(*args)


def side_sample(point: sp.Expr, side: str) -> sp.Expr:
    """A rational point just left ('-') or right ('+') of the given point."""
    if not point.is_Rational:  # a 40-digit rational stand-in: TINY dwarfs its error
        point = sp.Rational(str(sp.N(point, 40)))
    return point - TINY if side == "-" else point + TINY


def side_piece(expr: sp.Expr, x: sp.Symbol, point: sp.Expr, side: str) -> sp.Expr:
    """The smooth formula the expression follows just left ('-') or right ('+') of a point."""
    return resolve(expr, x, side_sample(point, side))


@dataclass(frozen=True)
class Segment:
    """An open interval on which the function is one smooth formula, `piece`."""

    interval: sp.Interval
    piece: sp.Expr


def segments(expr: sp.Expr, x: sp.Symbol, domain: sp.Set) -> tuple[list[Segment], list[sp.Expr]]:
    """Split the interior of a domain into open intervals where expr is one smooth formula.

    Returns the segments and the cut points between them (break points and boundary points
    of the domain that lie inside its hull).
    """
    cuts: set[sp.Expr] = set()
    parts: list[Segment] = []
    for interval in components(domain):
        window = sp.Interval(interval.start, interval.end)
        inside = break_points(expr, x, window)
        for lo_hi in split(window, inside):
            checkpoint()
            parts.append(Segment(lo_hi, resolve(expr, x, sample_point(lo_hi))))
        cuts.update(p for p in (window.start, window.end) if p.is_finite)
        cuts.update(inside)
    return parts, sorted(cuts, key=sort_key)
