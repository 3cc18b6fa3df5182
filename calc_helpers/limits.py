"""Limits and continuity at a point (lesson 2): one-sided limits, the two-sided limit, and which
of continuity's three conditions hold.

Every value is exact where the answer is (SymPy), `oo`/`-oo` for a side that grows without
bound, and ``None`` for a side with no limit (oscillation, or f not defined on that side).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._inputs import ExprLike, as_number
from ._numeric import equal, is_finite_real, value_at
from ._pieces import side_piece, side_sample
from .derivatives import _side_limit, prepare

DISCONTINUITY_KINDS = ("continuous", "removable", "jump", "infinite", "no_limit")


def one_sided_limit(
    f: ExprLike, a: ExprLike, side: str, x: sp.Symbol | str | None = None
) -> sp.Expr | None:
    """The limit of f(x) as x -> a from the left (`side="-"`) or the right (`side="+"`).

    An exact number, ``oo`` or ``-oo``; ``None`` when f is not defined just on that side of a
    or its values have no limit there (they oscillate).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"abs(x)/x"``.
    a
        The point.
    side
        ``"-"`` (from the left) or ``"+"`` (from the right).
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    sympy.Expr or None

    Raises
    ------
    ValueError
        Where `side` is neither ``"-"`` nor ``"+"``.

    Examples
    --------
    >>> one_sided_limit("1/x", 0, "+"), one_sided_limit("abs(x)/x", 0, "-")
    (oo, -1)
    >>> one_sided_limit("sqrt(x)", 0, "-") is None
    True
    """
    if side not in ("-", "+"):
        raise ValueError(f"side must be '-' (from the left) or '+' (from the right), got {side!r}")
    expr, var = prepare(f, x)
    a = as_number(a)
    if value_at(expr, var, side_sample(a, side)) is None:
        return None
    return _side_limit(side_piece(expr, var, a, side), var, a, side)


def one_sided_limits(
    f: ExprLike, a: ExprLike, x: sp.Symbol | str | None = None
) -> tuple[sp.Expr | None, sp.Expr | None]:
    """(left limit, right limit) of f at a; see `one_sided_limit`.

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"abs(x)/x"``.
    a
        The point.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    tuple
        ``(left, right)``, each a number, ``oo``, ``-oo`` or None.

    Examples
    --------
    >>> one_sided_limits("abs(x)/x", 0)
    (-1, 1)
    """
    return one_sided_limit(f, a, "-", x), one_sided_limit(f, a, "+", x)


def limit(f: ExprLike, a: ExprLike, x: sp.Symbol | str | None = None) -> sp.Expr | None:
    """The two-sided limit of f at a: the common value of both one-sided limits when they
    exist and agree (a number, or ``oo``/``-oo`` when both sides grow the same way), else
    ``None`` (the limit does not exist).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"abs(x)/x"``.
    a
        The point.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    sympy.Expr or None

    Examples
    --------
    >>> limit("sin(x)/x", 0), limit("1/x^2", 0), limit("abs(x)/x", 0)
    (1, oo, None)
    """
    left, right = one_sided_limits(f, a, x)
    if left is None or right is None or not equal(left, right):
        return None
    return left


@dataclass(frozen=True)
class Continuity:
    """What happens at a point: f(a) (None if undefined), both one-sided limits, the
    two-sided limit, continuity's three conditions and the kind of discontinuity.

    `kind` is one of DISCONTINUITY_KINDS: "continuous"; "removable" (the limit exists and is
    finite but f(a) is missing or different: a hole); "jump" (finite one-sided limits that
    differ); "infinite" (a side grows without bound); "no_limit" (a side has no limit at all).

    Examples
    --------
    >>> report = continuity("abs(x)/x", 0)
    >>> report.kind, report.left, report.right, report.continuous
    ('jump', -1, 1, False)
    """

    value: sp.Expr | None
    left: sp.Expr | None
    right: sp.Expr | None
    limit: sp.Expr | None
    defined: bool
    limit_exists: bool
    limit_equals_value: bool
    kind: str

    @property
    def continuous(self) -> bool:
        """All three conditions hold: f(a) defined, the limit exists, and they are equal."""
        return self.kind == "continuous"


def _kind(left, right, two_sided, value) -> str:
    if left is None or right is None:
        return "no_limit"
    if not (is_finite_real(left) and is_finite_real(right)):
        return "infinite"
    if two_sided is None:
        return "jump"
    if value is not None and equal(two_sided, value):
        return "continuous"
    return "removable"


def continuity(f: ExprLike, a: ExprLike, x: sp.Symbol | str | None = None) -> Continuity:
    """Continuity of f at a, condition by condition (see `Continuity`).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"abs(x)/x"``.
    a
        The point.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    Continuity

    Examples
    --------
    >>> continuity("abs(x)/x", 0)  # doctest: +NORMALIZE_WHITESPACE
    Continuity(value=None, left=-1, right=1, limit=None, defined=False, limit_exists=False,
               limit_equals_value=False, kind='jump')
    >>> continuity("x^2", 1).continuous, continuity("sin(x)/x", 0).kind
    (True, 'removable')
    """
    expr, var = prepare(f, x)
    a = as_number(a)
    value = value_at(expr, var, a)
    left, right = one_sided_limits(expr, a, var)
    two_sided = None
    if left is not None and right is not None and equal(left, right):
        two_sided = left
    finite_limit = two_sided is not None and is_finite_real(two_sided)
    return Continuity(
        value=value,
        left=left,
        right=right,
        limit=two_sided,
        defined=value is not None,
        limit_exists=finite_limit,
        limit_equals_value=finite_limit and value is not None and equal(two_sided, value),
        kind=_kind(left, right, two_sided, value),
    )


def _decimal(value: sp.Expr | None) -> str:
    if value is None:
        return "undefined"
    text = sp.sstr(sp.N(value, 12))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"${text}$"


@dataclass(frozen=True)
class ApproachTable:
    """Rows (d, f(a - d), f(a + d)), exact, with a Markdown view in decimals.

    Examples
    --------
    >>> approach_table("sin(x)/x", 0, steps=2)
    | distance $d$ | $f(0 - d)$, from the left | $f(0 + d)$, from the right |
    |---|---|---|
    | $0.1$ | $0.998334166468$ | $0.998334166468$ |
    | $0.01$ | $0.999983333417$ | $0.999983333417$ |
    """

    a: sp.Expr
    rows: tuple[tuple[sp.Expr, sp.Expr | None, sp.Expr | None], ...]
    name: str = "f"

    def _repr_markdown_(self) -> str:
        a, f = sp.latex(self.a), self.name
        lines = [f"| distance $d$ | ${f}({a} - d)$, from the left "
                 f"| ${f}({a} + d)$, from the right |", "|---|---|---|"]
        lines += [f"| {_decimal(d)} | {_decimal(lo)} | {_decimal(hi)} |"
                  for d, lo, hi in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._repr_markdown_()


def approach_table(
    f: ExprLike, a: ExprLike, x: sp.Symbol | str | None = None, steps: int = 4, name: str = "f"
) -> ApproachTable:
    """f closer and closer to a from each side: rows (d, f(a - d), f(a + d)) for
    d = 1/10, 1/100, ..., exact (None where f is undefined), shown as a table.

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"abs(x)/x"``.
    a
        The point.
    x
        The variable of `f` (omitted: its one free symbol).
    steps
        The number of rows.
    name
        The function's name in the column headings.

    Returns
    -------
    ApproachTable

    Examples
    --------
    >>> approach_table("sin(x)/x", 0, steps=2).rows
    ((1/10, 10*sin(1/10), 10*sin(1/10)), (1/100, 100*sin(1/100), 100*sin(1/100)))
    """
    expr, var = prepare(f, x)
    a = as_number(a)
    rows = []
    for k in range(1, steps + 1):
        d = sp.Rational(1, 10**k)
        rows.append((d, value_at(expr, var, a - d), value_at(expr, var, a + d)))
    return ApproachTable(a, tuple(rows), name)


KIND_WORDS = {
    "continuous": "continuous",
    "removable": "removable discontinuity (hole)",
    "jump": "jump discontinuity",
    "infinite": "infinite discontinuity",
    "no_limit": "no limit (oscillates or undefined on a side)",
}


def _tex(value: sp.Expr | None, missing: str) -> str:
    return f"${sp.latex(value)}$" if value is not None else missing


def _yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


@dataclass(frozen=True)
class ContinuityTable:
    """Continuity at points, one row per (function label, point): f(a), both one-sided
    limits, the limit, the three conditions and the verdict. Renders as Markdown.

    Examples
    --------
    >>> table = continuity_table({"$f$": "abs(x)/x"}, [0, 1])
    >>> [(label, a, report.kind) for label, a, report in table.rows]
    [('$f$', 0, 'jump'), ('$f$', 1, 'continuous')]
    """

    rows: tuple[tuple[str, sp.Expr, Continuity], ...]

    def _repr_markdown_(self) -> str:
        lines = [
            "| $f$ | $a$ | $f(a)$ | limit from the left | limit from the right | limit | "
            "1. $f(a)$ defined | 2. limit exists | 3. limit $= f(a)$ | verdict |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for label, a, c in self.rows:
            lines.append(
                f"| {label} | ${sp.latex(a)}$ | {_tex(c.value, 'undefined')} | "
                f"{_tex(c.left, 'none')} | {_tex(c.right, 'none')} | "
                f"{_tex(c.limit, 'does not exist')} | {_yes(c.defined)} | "
                f"{_yes(c.limit_exists)} | {_yes(c.limit_equals_value)} | {KIND_WORDS[c.kind]} |"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._repr_markdown_()


def continuity_table(functions, points, x: sp.Symbol | str | None = None) -> ContinuityTable:
    """Continuity of each function (a dict {label: f}, or one f) at each point (a list, or one
    point), as a table (see ContinuityTable).

    Parameters
    ----------
    functions
        ``{label: f}`` (labels are Markdown), or one f.
    points
        A list of points, or one point.
    x
        The functions' variable (omitted: each one's free symbol).

    Returns
    -------
    ContinuityTable

    Examples
    --------
    >>> table = continuity_table("1/x", 0)
    >>> table.rows[0][2].kind
    'infinite'
    >>> table.rows[0][2].left, table.rows[0][2].right
    (-oo, oo)
    >>> print(table._repr_markdown_().splitlines()[-1])  # doctest: +ELLIPSIS
    | $f$ | $0$ | undefined | ... | **no** | **no** | **no** | infinite discontinuity |
    """
    if not isinstance(functions, dict):
        functions = {"$f$": functions}
    if not isinstance(points, (list, tuple)):
        points = [points]
    rows = []
    for label, f in functions.items():
        for a in points:
            rows.append((label, as_number(a), continuity(f, a, x)))
    return ContinuityTable(tuple(rows))
