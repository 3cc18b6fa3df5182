"""Deciding whether two answers are equal: exact SymPy work where it is cheap, evaluation at
many points of the domain where simplification would be slow.

Expressions are evaluated by a small interpreter over NumPy arrays (no code generation, no
`eval`), with the course's real-valued conventions: a value that is not a real number is
undefined (NaN), and ``x**(p/q)`` with odd ``q`` is the real root. Sample points are random
but reproducible (a fixed seed), spread over the domain, with extra points on both sides of
every kink, pole and domain boundary, so that |x|, piecewise and root formulas are told apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

REL_EXACT = 1e-8  # agreement expected from two exact formulas evaluated in floating point
REL_TOL = 1e-3  # a decimal answer within 0.1% counts as right (WeBWorK's default)
CLOSE_FACTOR = 10  # within CLOSE_FACTOR * REL_TOL: "close, give exact values"
MIN_POINTS = 6  # fewer defined points than this: numeric comparison is not conclusive
_SEED = 20240601
_FINE = 801  # grid used to find where the reference is defined and where kinks are
_OFFSETS = (1e-4, 1e-2, 0.15)  # distances (relative) beside a kink where points are placed
_MAX_KINKS = 24
_WINDOW = 10.0  # how far an unbounded domain is explored around the origin
_FAR = (30.0, 120.0)  # extra far points on unbounded sides


class Unsupported(Exception):
    """An expression node the numeric evaluator does not know.

    Examples
    --------
    >>> import numpy as np
    >>> import sympy as sp
    >>> from autograder.equivalence import Samples, Unsupported, evaluate
    >>> try:
    ...     evaluate(sp.Symbol("y"), Samples(("x",), (np.array([1.0]),)))
    ... except Unsupported as error:
    ...     error
    Unsupported('unknown variable y')
    """


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------

_UNARY: dict[type, Callable[[np.ndarray], np.ndarray]] = {
    sp.exp: np.exp,
    sp.log: np.log,
    sp.sin: np.sin,
    sp.cos: np.cos,
    sp.tan: np.tan,
    sp.cot: lambda v: np.cos(v) / np.sin(v),
    sp.sec: lambda v: 1.0 / np.cos(v),
    sp.csc: lambda v: 1.0 / np.sin(v),
    sp.asin: np.arcsin,
    sp.acos: np.arccos,
    sp.atan: np.arctan,
    sp.acot: lambda v: np.arctan(1.0 / v),
    sp.sinh: np.sinh,
    sp.cosh: np.cosh,
    sp.tanh: np.tanh,
    sp.asinh: np.arcsinh,
    sp.acosh: np.arccosh,
    sp.atanh: np.arctanh,
    sp.Abs: np.abs,
    sp.sign: np.sign,
    sp.floor: np.floor,
    sp.ceiling: np.ceil,
    sp.DiracDelta: lambda v: np.where(v == 0, np.nan, 0.0),
}

_COMPARE: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    sp.StrictLessThan: np.less,
    sp.LessThan: np.less_equal,
    sp.StrictGreaterThan: np.greater,
    sp.GreaterThan: np.greater_equal,
    sp.Equality: np.equal,
    sp.Unequality: np.not_equal,
}


def constant_value(value: sp.Expr) -> float:
    """A real number as a float: inf for oo, NaN when it is not a real number.

    Parameters
    ----------
    value : SymPy expression
        A number without variables.

    Returns
    -------
    float

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import constant_value
    >>> constant_value(sp.sqrt(2))
    1.4142135623730951
    >>> constant_value(sp.oo), constant_value(sp.sqrt(-1))
    (inf, nan)
    """
    if value is sp.oo:
        return float("inf")
    if value is sp.S.NegativeInfinity:
        return float("-inf")
    try:
        approx = complex(sp.N(value, 17))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError, AttributeError):
        return float("nan")
    if abs(approx.imag) > 1e-12 * max(1.0, abs(approx.real)):
        return float("nan")
    return approx.real


def _power(node: sp.Pow, env: dict[str, np.ndarray], size: int) -> np.ndarray:
    base = _eval(node.base, env, size)
    exponent = node.exp
    if exponent.is_Rational and not exponent.is_Integer and exponent.q % 2 == 1:
        p, q = int(exponent.p), int(exponent.q)
        return np.sign(base) ** (p % 2) * np.abs(base) ** (p / q)
    return np.power(base, _eval(exponent, env, size))


def _truth(condition: sp.Basic, env: dict[str, np.ndarray], size: int) -> np.ndarray:
    if condition is sp.true:
        return np.ones(size, dtype=bool)
    if condition is sp.false:
        return np.zeros(size, dtype=bool)
    compare = _COMPARE.get(type(condition))
    if compare is not None:
        return compare(_eval(condition.lhs, env, size), _eval(condition.rhs, env, size))
    parts = [_truth(arg, env, size) for arg in condition.args]
    if isinstance(condition, sp.And):
        return np.logical_and.reduce(parts)
    if isinstance(condition, sp.Or):
        return np.logical_or.reduce(parts)
    if isinstance(condition, sp.Not):
        return ~parts[0]
    raise Unsupported(type(condition).__name__)


def _piecewise(node: sp.Piecewise, env: dict[str, np.ndarray], size: int) -> np.ndarray:
    out = np.full(size, np.nan)
    pending = np.ones(size, dtype=bool)
    for value, condition in node.args:
        chosen = pending & _truth(condition, env, size)
        if chosen.any():
            out[chosen] = _eval(value, env, size)[chosen]
        pending &= ~chosen
    return out


def _pointwise(node: sp.Expr, env: dict[str, np.ndarray], size: int) -> np.ndarray:
    """Slow path for functions the interpreter does not know: SymPy at each point."""
    symbols = sorted(node.free_symbols, key=lambda s: s.name)
    if not symbols:
        return np.full(size, constant_value(node))
    out = np.empty(size)
    for i in range(size):
        at = {s: sp.Float(float(env[s.name][i])) for s in symbols}
        out[i] = constant_value(node.xreplace(at))
    return out


def _eval(node: sp.Basic, env: dict[str, np.ndarray], size: int) -> np.ndarray:
    if isinstance(node, sp.Symbol):
        if node.name not in env:
            raise Unsupported(f"unknown variable {node.name}")
        return env[node.name]
    if isinstance(node, (sp.Number, sp.NumberSymbol)) or not node.args:
        return np.full(size, constant_value(node))
    if isinstance(node, sp.Add):
        return sum((_eval(a, env, size) for a in node.args[1:]), _eval(node.args[0], env, size))
    if isinstance(node, sp.Mul):
        out = _eval(node.args[0], env, size)
        for arg in node.args[1:]:
            out = out * _eval(arg, env, size)
        return out
    if isinstance(node, sp.Pow):
        return _power(node, env, size)
    unary = _UNARY.get(type(node))
    if unary is not None and len(node.args) == 1:
        return unary(_eval(node.args[0], env, size))
    if isinstance(node, sp.Heaviside):
        at_zero = 0.5 if len(node.args) < 2 else constant_value(node.args[1])
        return np.heaviside(_eval(node.args[0], env, size), at_zero)
    if isinstance(node, (sp.Max, sp.Min)):
        parts = [_eval(a, env, size) for a in node.args]
        pick = np.fmax if isinstance(node, sp.Max) else np.fmin
        out = pick.reduce(parts)
        return np.where(np.any(np.isnan(parts), axis=0), np.nan, out)
    if isinstance(node, sp.Piecewise):
        return _piecewise(node, env, size)
    if isinstance(node, sp.Expr):
        return _pointwise(node, env, size)
    raise Unsupported(type(node).__name__)


@dataclass(frozen=True)
class Samples:
    """Points at which to compare expressions: one column of values per variable name.

    Attributes
    ----------
    names : tuple of str
        The variables' names.
    columns : tuple of numpy.ndarray
        One array of values per variable, all of the same length.

    Examples
    --------
    >>> import numpy as np
    >>> from autograder.equivalence import Samples
    >>> points = Samples(("x", "y"), (np.array([1.0, 2.0]), np.array([0.0, -1.0])))
    >>> len(points)
    2
    """

    names: tuple[str, ...]
    columns: tuple[np.ndarray, ...]

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def env(self) -> dict[str, np.ndarray]:
        """Variable name -> values.

        Returns
        -------
        dict of str to numpy.ndarray

        Examples
        --------
        >>> import numpy as np
        >>> from autograder.equivalence import Samples
        >>> Samples(("x",), (np.array([-1.0, 0.0, 4.0]),)).env()
        {'x': array([-1.,  0.,  4.])}
        """
        return dict(zip(self.names, self.columns, strict=True))

    def joined(self, other: Samples) -> Samples:
        """These points followed by the other's.

        Parameters
        ----------
        other : Samples
            Points in the same variables.

        Returns
        -------
        Samples

        Examples
        --------
        >>> import numpy as np
        >>> from autograder.equivalence import Samples
        >>> a = Samples(("x",), (np.array([1.0, 2.0]),))
        >>> a.joined(Samples(("x",), (np.array([3.0]),))).columns
        (array([1., 2., 3.]),)
        """
        columns = tuple(
            np.concatenate(pair) for pair in zip(self.columns, other.columns, strict=True)
        )
        return Samples(self.names, columns)


def evaluate(expr: sp.Basic, samples: Samples) -> np.ndarray:
    """Real values of expr at the sample points; NaN where undefined (or not real).

    Odd roots of negative numbers are real (``x**(1/3)`` at -8 is -2).

    Parameters
    ----------
    expr : SymPy expression
        The expression, in the variables of `samples`.
    samples : Samples
        The points.

    Returns
    -------
    numpy.ndarray
        One float per point.

    Raises
    ------
    Unsupported
        If the expression has a variable or a node the evaluator does not know.

    Examples
    --------
    >>> import numpy as np
    >>> import sympy as sp
    >>> from autograder.equivalence import Samples, evaluate
    >>> x = sp.Symbol("x", real=True)
    >>> points = Samples(("x",), (np.array([-8.0, 0.0, 4.0]),))
    >>> evaluate(sp.sqrt(x), points)
    array([nan,  0.,  2.])
    >>> evaluate(x ** sp.Rational(1, 3), points)
    array([-2.        ,  0.        ,  1.58740105])
    """
    with np.errstate(all="ignore"):
        values = np.asarray(_eval(expr, samples.env(), len(samples)), dtype=float)
    values = np.broadcast_to(values, (len(samples),)).copy()
    values[~np.isfinite(values)] = np.nan
    return values


# ---------------------------------------------------------------------------------------------
# Where to sample
# ---------------------------------------------------------------------------------------------


def intervals(domain: sp.Set | None) -> list[tuple[float, float]]:
    """The set's intervals as (lo, hi) floats (infinite ends allowed, points dropped).

    Parameters
    ----------
    domain : SymPy Set or None
        The set (None: all reals).

    Returns
    -------
    list of (float, float) pairs

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import intervals
    >>> intervals(sp.Interval(0, 1))
    [(0.0, 1.0)]
    >>> intervals(sp.Union(sp.Interval.open(-sp.oo, 0), sp.Interval.open(0, sp.oo)))
    [(-inf, 0.0), (0.0, inf)]
    """
    if domain is None or domain == sp.S.Reals:
        return [(-np.inf, np.inf)]
    if isinstance(domain, sp.Interval):
        return [(constant_value(domain.start), constant_value(domain.end))]
    if isinstance(domain, sp.Union):
        return [part for arg in domain.args for part in intervals(arg)]
    if isinstance(domain, sp.Complement):
        return intervals(domain.args[0])
    if isinstance(domain, sp.FiniteSet) or domain is sp.S.EmptySet:
        return []
    return [(-np.inf, np.inf)]


def windows(domain: sp.Set | None) -> list[tuple[float, float, bool, bool]]:
    """Finite windows to sample in: (lo, hi, unbounded_left, unbounded_right).

    Unbounded sides are cut at 10 units from the origin (or from the finite end).

    Parameters
    ----------
    domain : SymPy Set or None
        The set (None: all reals).

    Returns
    -------
    list of (float, float, bool, bool)

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import windows
    >>> windows(None)
    [(-10.0, 10.0, True, True)]
    >>> windows(sp.Interval(0, sp.oo))
    [(0.0, 10.0, False, True)]
    """
    out = []
    for lo, hi in intervals(domain):
        if np.isnan(lo) or np.isnan(hi):
            continue
        left, right = np.isinf(lo), np.isinf(hi)
        if left and right:
            lo, hi = -_WINDOW, _WINDOW
        elif left:
            lo = min(-_WINDOW, hi - _WINDOW)
        elif right:
            hi = max(_WINDOW, lo + _WINDOW)
        if hi - lo > 1e-9:
            out.append((float(lo), float(hi), bool(left), bool(right)))
    return out


def _kink_arguments(exprs: Iterable[sp.Expr]) -> list[sp.Expr]:
    """Expressions whose zeros are kinks, jumps, poles or domain edges of the given ones."""
    found: list[sp.Expr] = []
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside, sp.floor, sp.ceiling, sp.log)):
                found.append(node.args[0])
            elif isinstance(node, (sp.Max, sp.Min)):
                found.extend(a - b for i, a in enumerate(node.args) for b in node.args[i + 1 :])
            elif isinstance(node, sp.Piecewise):
                for _, condition in node.args:
                    found.extend(r.lhs - r.rhs for r in condition.atoms(sp.Rel))
            elif isinstance(node, sp.Pow) and not node.exp.is_Integer:
                found.append(node.base)
            elif isinstance(node, sp.Pow) and node.exp.is_negative:
                found.append(node.base)
            elif isinstance(node, (sp.tan, sp.sec)):
                found.append(sp.cos(node.args[0]))
            elif isinstance(node, (sp.cot, sp.csc)):
                found.append(sp.sin(node.args[0]))
    unique = list(dict.fromkeys(u for u in found if u.free_symbols))
    return unique[:_MAX_KINKS]


def _zeros(u: sp.Expr, name: str, grid: np.ndarray) -> list[float]:
    """Sign changes of u along a sorted grid, refined by bisection."""
    try:
        values = evaluate(u, Samples((name,), (grid,)))
    except Unsupported:
        return []
    a, b = grid[:-1], grid[1:]
    fa, fb = values[:-1], values[1:]
    change = np.isfinite(fa) & np.isfinite(fb) & (np.sign(fa) * np.sign(fb) < 0)
    exact = list(grid[values == 0])
    lo, hi, flo = a[change], b[change], fa[change]
    for _ in range(45):
        if not len(lo):
            break
        mid = (lo + hi) / 2
        fmid = evaluate(u, Samples((name,), (mid,)))
        left = np.sign(fmid) == np.sign(flo)
        lo, flo = np.where(left, mid, lo), np.where(left, fmid, flo)
        hi = np.where(left, hi, mid)
    return exact + list((lo + hi) / 2)


def _inside(points: np.ndarray, spans: list[tuple[float, float, bool, bool]]) -> np.ndarray:
    keep = np.zeros(len(points), dtype=bool)
    for lo, hi, left, right in spans:
        keep |= ((points > lo) | left) & ((points < hi) | right)
    return keep


def kink_points(exprs: Sequence[sp.Expr], name: str, domain: sp.Set | None) -> np.ndarray:
    """Points just left and right of every kink, pole or domain edge of the expressions.

    Parameters
    ----------
    exprs : sequence of SymPy expressions
        The expressions, in one variable.
    name : str
        The variable's name.
    domain : SymPy Set or None
        Where to look (None: all reals).

    Returns
    -------
    numpy.ndarray
        The points, at relative distances 1e-4, 1e-2 and 0.15 on each side.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import kink_points
    >>> x = sp.Symbol("x", real=True)
    >>> kink_points([abs(x)], "x", None)
    array([-1.0e-04,  1.0e-04, -1.0e-02,  1.0e-02, -1.5e-01,  1.5e-01])
    >>> kink_points([abs(x)], "x", sp.Interval(1, 2))
    array([], dtype=float64)
    """
    spans = windows(domain)
    if not spans:
        return np.empty(0)
    grid = np.concatenate([np.linspace(lo, hi, _FINE) for lo, hi, _, _ in spans])
    grid.sort()
    near = []
    for u in _kink_arguments(exprs):
        for k in _zeros(u, name, grid):
            scale = max(1.0, abs(k))
            near.extend(k + sign * d * scale for d in _OFFSETS for sign in (-1, 1))
    points = np.asarray(near, dtype=float)
    return points[_inside(points, spans)] if len(points) else points


def line_samples(
    exprs: Sequence[sp.Expr], name: str, domain: sp.Set | None = None, count: int = 40
) -> Samples:
    """Reproducible sample points in one variable where all `exprs` are defined.

    Random points spread over the domain (within [-10, 10] where it is unbounded, plus a few
    far points), and points on both sides of each kink, pole or domain edge.

    Parameters
    ----------
    exprs : sequence of SymPy expressions
        The expressions that must be defined at the points.
    name : str
        The variable's name.
    domain : SymPy Set, optional
        Where to sample (default: all reals).
    count : int, optional
        How many random points (default 40), before the kink and far points.

    Returns
    -------
    Samples
        Sorted, distinct points; the same for the same arguments.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import line_samples
    >>> x = sp.Symbol("x", real=True)
    >>> points = line_samples([sp.log(x)], "x", sp.Interval.open(0, sp.oo))
    >>> len(points), bool((points.columns[0] > 0).all())
    (45, True)
    """
    spans = windows(domain)
    rng = np.random.default_rng(_SEED)
    if not spans:
        return Samples((name,), (np.empty(0),))
    grids = [np.linspace(lo, hi, _FINE)[1:-1] for lo, hi, _, _ in spans]
    fine = np.concatenate(grids)
    spacing = np.concatenate([np.full(len(g), g[1] - g[0]) for g in grids])
    defined = np.ones(len(fine), dtype=bool)
    for expr in exprs:
        defined &= np.isfinite(evaluate(expr, Samples((name,), (fine,))))
    cells = np.flatnonzero(defined)
    if len(cells) == 0:
        cells = np.arange(len(fine))
    chosen = rng.choice(cells, size=min(count, len(cells)), replace=False)
    jitter = rng.uniform(-0.45, 0.45, size=len(chosen)) * spacing[chosen]
    far = [lo - d for lo, _, left, _ in spans if left for d in _FAR]
    far += [hi + d for _, hi, _, right in spans if right for d in _FAR]
    points = np.concatenate([fine[chosen] + jitter, kink_points(exprs, name, domain), far])
    points = np.unique(points[_inside(points, spans)])
    return Samples((name,), (points,))


def box_samples(exprs: Sequence[sp.Expr], names: Sequence[str], count: int = 48) -> Samples:
    """Reproducible random points in [-3, 3]^k where all `exprs` are defined.

    Parameters
    ----------
    exprs : sequence of SymPy expressions
        The expressions that must be defined at the points.
    names : sequence of str
        The variables' names.
    count : int, optional
        How many points (default 48).

    Returns
    -------
    Samples

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import box_samples
    >>> x, y = sp.symbols("x y", real=True)
    >>> points = box_samples([x * y], ("x", "y"))
    >>> len(points), points.names
    (48, ('x', 'y'))
    """
    rng = np.random.default_rng(_SEED)
    names = tuple(names)
    candidates = Samples(names, tuple(rng.uniform(-3, 3, size=6 * count) for _ in names))
    defined = np.ones(len(candidates), dtype=bool)
    for expr in exprs:
        defined &= np.isfinite(evaluate(expr, candidates))
    keep = np.flatnonzero(defined)[:count]
    if len(keep) < MIN_POINTS:
        keep = np.arange(count)
    return Samples(names, tuple(column[keep] for column in candidates.columns))


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------


def agree(
    student: np.ndarray, reference: np.ndarray, rel: float = REL_EXACT, slack: float = 1e-10
) -> bool | None:
    """Whether two value arrays agree wherever the reference is defined.

    Each point must agree within `rel` relative to the two values, plus `slack` times the
    reference's typical size (its median magnitude, at least 1), which absorbs rounding near
    zeros of the function and in tails where it decays (1 - tanh(x)^2 against 1/cosh(x)^2).
    None when the reference is defined at too few points for a verdict; the student's values
    must be defined wherever the reference is.

    Parameters
    ----------
    student, reference : numpy.ndarray
        Values at the same points (NaN where undefined).
    rel : float, optional
        Relative tolerance (default ``REL_EXACT``, 1e-8).
    slack : float, optional
        Absolute tolerance, in units of the reference's typical size (default 1e-10).

    Returns
    -------
    bool or None

    Examples
    --------
    >>> import numpy as np
    >>> from autograder.equivalence import agree
    >>> values = np.linspace(1.0, 2.0, 10)
    >>> agree(values + 1e-12, values), agree(1.01 * values, values)
    (True, False)
    >>> agree(1.0001 * values, values, rel=1e-3)
    True
    >>> agree(values[:3], values[:3]) is None  # too few points
    True
    """
    defined = np.isfinite(reference)
    if defined.sum() < MIN_POINTS:
        return None
    s, r = student[defined], reference[defined]
    if not np.all(np.isfinite(s)):
        return False
    scale = max(float(np.median(np.abs(r))), 1.0)
    tolerance = rel * np.maximum(np.abs(s), np.abs(r)) + slack * scale + 1e-300
    return bool(np.all(np.abs(s - r) <= tolerance))


def tolerance_for(expr: sp.Basic) -> tuple[float, float]:
    """(rel, slack) for comparing an answer: exact formulas tightly, decimals within 0.1%.

    Parameters
    ----------
    expr : SymPy expression
        The student's answer.

    Returns
    -------
    (float, float)
        Arguments `rel` and `slack` for `agree`.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import tolerance_for
    >>> x = sp.Symbol("x", real=True)
    >>> tolerance_for(x / 2), tolerance_for(0.5 * x)
    ((1e-08, 1e-10), (0.001, 0.0001))
    """
    return (REL_TOL, REL_TOL / 10) if has_float(expr) else (REL_EXACT, 1e-10)


def close(a: float, b: float, rel: float = REL_TOL) -> bool:
    """Whether the float `a` equals `b` within `rel` relative to `b` (or 1e-12 absolute).

    Infinite values are close only to themselves; NaN to nothing. This is the one rule for
    decimals in every check: `close(a, b)` counts as right, `roughly(a, b)` as rounded.

    Parameters
    ----------
    a, b : float
        The value given and the value expected.
    rel : float, optional
        Relative tolerance (default ``REL_TOL``, 0.1%).

    Returns
    -------
    bool

    Examples
    --------
    >>> from autograder.equivalence import close
    >>> close(0.7071, 2**-0.5), close(0.71, 2**-0.5)
    (True, False)
    >>> close(float("inf"), float("inf")), close(float("nan"), 1.0)
    (True, False)
    """
    if not (np.isfinite(a) and np.isfinite(b)):
        return bool(a == b)
    return abs(a - b) <= rel * abs(b) or abs(a - b) <= 1e-12


def roughly(a: float, b: float, rel: float = REL_TOL) -> bool:
    """Whether `a` is `b` rounded too much: within CLOSE_FACTOR times the tolerance `rel`.

    Parameters
    ----------
    a, b : float
        The value given and the value expected.
    rel : float, optional
        The tolerance for right answers (default ``REL_TOL``, 0.1%).

    Returns
    -------
    bool

    Examples
    --------
    >>> from autograder.equivalence import roughly
    >>> roughly(0.71, 2**-0.5), roughly(0.8, 2**-0.5)
    (True, False)
    """
    return close(a, b, CLOSE_FACTOR * rel)


def has_float(expr: sp.Basic) -> bool:
    """Whether an expression contains a decimal number (so a tolerance applies).

    Parameters
    ----------
    expr : SymPy expression

    Returns
    -------
    bool

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import has_float
    >>> x = sp.Symbol("x", real=True)
    >>> has_float(0.5 * x), has_float(x / 2)
    (True, False)
    """
    return bool(expr.atoms(sp.Float))


def _small_polynomial(expr: sp.Expr) -> bool:
    """Cheap to expand: few nodes and only small whole-number powers."""
    count = 0
    for node in sp.preorder_traversal(expr):
        count += 1
        if count > 80:
            return False
        if isinstance(node, sp.Pow) and not (node.exp.is_Integer and abs(node.exp) <= 12):
            return False
        if isinstance(node, sp.Float):
            return False
    return True


def exactly_equal(a: sp.Expr, b: sp.Expr) -> bool:
    """A cheap exact proof that a == b (False means 'not proved', not 'different').

    Small polynomials are expanded; anything else is only compared structurally.

    Parameters
    ----------
    a, b : SymPy expressions

    Returns
    -------
    bool

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import exactly_equal
    >>> x = sp.Symbol("x", real=True)
    >>> exactly_equal((x + 1) ** 2, x**2 + 2 * x + 1)
    True
    >>> exactly_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1))  # true, not proved
    False
    """
    if a == b:
        return True
    if _small_polynomial(a) and _small_polynomial(b):
        return sp.expand(a - b) == 0
    return False


def same_number(value: sp.Expr, expected: sp.Expr, rel_tol: float) -> tuple[bool, bool]:
    """(exactly equal, equal within the relative tolerance) for two real numbers.

    Parameters
    ----------
    value, expected : SymPy expressions
        The numbers (the tolerance is relative to `expected`).
    rel_tol : float
        The relative tolerance.

    Returns
    -------
    (bool, bool)

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.equivalence import same_number
    >>> same_number(sp.sqrt(2) / 2, 1 / sp.sqrt(2), 1e-3)
    (True, True)
    >>> same_number(sp.Float(0.7071), 1 / sp.sqrt(2), 1e-3)
    (False, True)
    >>> same_number(sp.Float(0.71), 1 / sp.sqrt(2), 1e-3)
    (False, False)
    """
    if value == expected:
        return True, True
    try:
        difference = complex(sp.N(value - expected, 30))
        size = abs(complex(sp.N(expected, 30)))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError, AttributeError):
        return False, False
    gap = abs(difference)
    if not np.isfinite(gap):
        return False, False
    exact = gap <= 1e-25 * max(1.0, size)
    return exact, exact or gap <= rel_tol * size or gap <= 1e-12
