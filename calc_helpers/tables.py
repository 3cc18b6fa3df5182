"""Tables the lessons show: difference quotients, sign charts, differentiability, derivative tests.

Every value in a table is computed by the engine (exact SymPy values in `rows`); the HTML is
only a rendering of them. A table displays itself in a notebook (`_repr_html_`) and prints as
plain text elsewhere.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.printing.str import StrPrinter

from ._inputs import ExprLike, as_number, function_and_variable
from ._pieces import sample_point
from .critical import classify_critical_point, critical_points
from .derivatives import (
    derivative,
    difference_quotient,
    differentiability,
    one_sided_derivatives,
    prepare,
)
from .sign_charts import sign_chart
from .vocabulary import BEND_WORDS, POINT_WORDS, SLOPE_WORDS

DEFAULT_STEPS = tuple(sp.Rational(1, 10**k) for k in range(5))  # 1, 0.1, ..., 0.0001

MEANINGS = {
    1: {**SLOPE_WORDS},
    2: {**BEND_WORDS, 0: "straight (f'' = 0)"},
}

KIND_TEXT = {
    "differentiable": "differentiable",
    "discontinuity": "not differentiable: discontinuity (jump or hole)",
    "corner": "not differentiable: corner (the one-sided slopes differ)",
    "cusp": "not differentiable: cusp (one-sided slopes +∞ and −∞)",
    "vertical_tangent": "not differentiable: vertical tangent (infinite slope)",
}

PRIME = {1: "′", 2: "″"}


def _number(value: sp.Expr | None, digits: int = 10) -> str:
    """A number for a table cell: exact integers and simple fractions as they are, else decimals."""
    if value is None:
        return "undefined"
    value = sp.sympify(value)
    if value == sp.oo:
        return "+∞"
    if value == -sp.oo:
        return "−∞"
    if value.is_Integer:
        text = str(value)
    elif value.is_Rational and value.q <= 1000 and not _terminates(value):
        text = str(value)
    else:
        text = f"{float(sp.N(value, 20)):.{digits}g}"
    return text.replace("-", "−")


def _terminates(value: sp.Rational) -> bool:
    q = value.q
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


class _TablePrinter(StrPrinter):
    """Plain-text maths for table cells: |x|, √x, x^3, 3·x, max(x, 0)."""

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.args
        if exponent == sp.Rational(1, 2):
            inner = self._print(base)
            return f"√{inner}" if base.is_Atom else f"√({inner})"
        text = super()._print_Pow(expr, rational)
        return text.replace("**", "^")

    def _print_Mul(self, expr):
        return super()._print_Mul(expr).replace("*", "·")

    def _print_Piecewise(self, expr):
        parts = []
        for value, condition in expr.args:
            when = "otherwise" if condition == sp.true else f"if {self._print(condition)}"
            parts.append(f"{self._print(value)} {when}")
        return "{" + "; ".join(parts) + "}"

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return "−∞"

    def _print_Pi(self, expr):
        return "π"


def _exact(value: sp.Expr) -> str:
    """An exact value or formula written for a table: −∞, 5/3, √3, π/2, |x|."""
    return _TablePrinter().doprint(sp.sympify(value)).replace("**", "^").replace("-", "−")


def interval_text(interval: sp.Interval) -> str:
    """An open interval as students write it: (−∞, −1).

    Parameters
    ----------
    interval
        A SymPy interval (closed ends get square brackets).

    Returns
    -------
    str

    Examples
    --------
    >>> interval_text(sp.Interval.open(-sp.oo, -1)), interval_text(sp.Interval(0, sp.pi / 2))
    ('(−∞, −1)', '[0, π/2]')
    """
    left = "[" if not interval.left_open and interval.start.is_finite else "("
    right = "]" if not interval.right_open and interval.end.is_finite else ")"
    return f"{left}{_exact(interval.start)}, {_exact(interval.end)}{right}"


def _sign_text(sign: int) -> str:
    return {1: "+", -1: "−", 0: "0"}[sign]


@dataclass(frozen=True)
class Table:
    """A computed table: `columns`, exact `rows` and their text `cells`, with an HTML rendering.

    Examples
    --------
    >>> table = Table(columns=("x", "f(x)"), rows=((1, 2),), cells=(("1", "2"),))
    >>> print(table)
    x | f(x)
    --+-----
    1 | 2
    >>> print(table.to_html())  # doctest: +ELLIPSIS
    <table class="calc-table calc-table"><thead><tr><th>x</th><th>f(x)</th></tr>...</table>
    """

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    cells: tuple[tuple[str, ...], ...]
    caption: str = ""
    css_class: str = "calc-table"
    footer: tuple[str, ...] | None = field(default=None)
    left: tuple[int, ...] = ()  # columns of words, aligned left (numbers stay right-aligned)

    def to_html(self) -> str:
        """The table as an HTML string (cells escaped)."""
        esc = html.escape

        def cell(tag: str, i: int, text: str) -> str:
            style = ' style="text-align:left"' if i in self.left else ""
            return f"<{tag}{style}>{esc(text)}</{tag}>"

        head = "".join(cell("th", i, c) for i, c in enumerate(self.columns))
        body = "".join(
            "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
            for row in self.cells
        )
        foot = ""
        if self.footer is not None:
            foot = "<tfoot><tr>" + "".join(cell("th", i, c) for i, c in enumerate(self.footer))
            foot += "</tr></tfoot>"
        caption = f"<caption>{esc(self.caption)}</caption>" if self.caption else ""
        return (
            f'<table class="calc-table {esc(self.css_class)}">{caption}'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>"
        )

    @property
    def html(self) -> str:
        """Same as `to_html()`."""
        return self.to_html()

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        lines = [self.columns, *self.cells] + ([self.footer] if self.footer else [])
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.columns))]
        text = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
        text.insert(1, "-+-".join("-" * w for w in widths))
        return "\n".join(([self.caption] if self.caption else []) + text)

    def __repr__(self) -> str:
        return str(self)


def _quotient_or_none(expr: sp.Expr, var: sp.Symbol, a: sp.Expr, h: sp.Expr) -> sp.Expr | None:
    """The difference quotient, or None where f is not (really) defined at a + h."""
    value = expr.subs(var, a + h)
    if value.has(sp.nan, sp.zoo, sp.I) or not value.is_finite or value.is_real is False:
        return None
    return difference_quotient(expr, a, h, var)


def quotient_table(
    f: ExprLike,
    a: ExprLike,
    hs: Iterable[ExprLike] = DEFAULT_STEPS,
    x: sp.Symbol | str | None = None,
    digits: int = 10,
    label: str | None = None,
) -> Table:
    """Difference quotients (f(a + Δx) − f(a)) / Δx from the right (Δx > 0) and the left (Δx < 0).

    `rows` are (|Δx|, quotient at −|Δx|, quotient at +|Δx|), exact; the footer gives the limits
    (the one-sided derivatives), where the quotients are heading as Δx shrinks.

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text.
    a
        The point.
    hs
        The step sizes |Δx| (non-zero), one row each.
    x
        The variable of `f` (omitted: its one free symbol).
    digits
        Significant digits of the decimals in the cells.
    label
        How the caption names the function (omitted: f(x) = the formula).

    Returns
    -------
    Table

    Raises
    ------
    ValueError
        Where a step is 0.

    Examples
    --------
    >>> table = quotient_table("x^2", 1, hs=[1, sp.Rational(1, 10)])
    >>> table.rows
    ((1, 1, 3), (1/10, 19/10, 21/10))
    >>> print(table)  # doctest: +NORMALIZE_WHITESPACE
    (f(a + Δx) − f(a)) / Δx for f(x) = x^2 at a = 1
    |Δx|        | from the left: Δx = −|Δx| | from the right: Δx = +|Δx|
    ------------+---------------------------+---------------------------
    1           | 1                         | 3
    0.1         | 1.9                       | 2.1
    → 0 (limit) | 2                         | 2
    """
    expr, var = prepare(f, x)
    a = as_number(a)
    rows, cells = [], []
    for h in hs:
        h = abs(as_number(h))
        if h == 0:
            raise ValueError("Δx must not be 0: the difference quotient divides by Δx")
        left = _quotient_or_none(expr, var, a, -h)
        right = _quotient_or_none(expr, var, a, h)
        rows.append((h, left, right))
        cells.append((_number(h), _number(left, digits), _number(right, digits)))
    left_limit, right_limit = one_sided_derivatives(expr, a, var)
    footer = ("→ 0 (limit)", _exact_or_undefined(left_limit), _exact_or_undefined(right_limit))
    return Table(
        columns=("|Δx|", "from the left: Δx = −|Δx|", "from the right: Δx = +|Δx|"),
        rows=tuple(rows),
        cells=tuple(cells),
        caption=f"(f(a + Δx) − f(a)) / Δx for {_name(f, x, label)} at a = {_exact(a)}",
        css_class="calc-quotient-table",
        footer=footer,
    )


def _name(f: ExprLike, x: sp.Symbol | str | None, label: str | None) -> str:
    """How a caption names the function: the label, else f(x) = the formula as given."""
    if label is not None:
        return label
    expr, var = function_and_variable(f, x)
    return f"f({var.name}) = {_exact(expr)}"


def _exact_or_undefined(value: sp.Expr | None) -> str:
    if value is None:
        return "undefined"
    return {sp.oo: "+∞", -sp.oo: "−∞"}.get(value, _exact(value))


def sign_chart_table(
    f: ExprLike,
    order: int = 1,
    x: sp.Symbol | str | None = None,
    domain: sp.Set | None = None,
    label: str | None = None,
) -> Table:
    """The sign chart of f′ (order=1) or f″ (order=2) from `calc_helpers.sign_chart`, as a table.

    `rows` are (interval, test point, value of the derivative there, sign, meaning), with meaning
    "increasing"/"decreasing" for f′ and "concave up"/"concave down" for f″.

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text.
    order
        1 for f′, 2 for f″.
    x
        The variable of `f` (omitted: its one free symbol).
    domain
        A SymPy set (omitted: all reals).
    label
        How the caption names the function (omitted: f(x) = the formula).

    Returns
    -------
    Table

    Raises
    ------
    ValueError
        Where `order` is neither 1 nor 2.

    Examples
    --------
    >>> print(sign_chart_table("x^3 - 3x"))  # doctest: +NORMALIZE_WHITESPACE
    Sign chart of f′ for f(x) = x^3 − 3·x
    interval | test point t | f′(t) | sign of f′ | so f is
    ---------+--------------+-------+------------+-----------
    (−∞, −1) | −2           | 9     | +          | increasing
    (−1, 1)  | 0            | −3    | −          | decreasing
    (1, ∞)   | 2            | 9     | +          | increasing
    """
    if order not in MEANINGS:
        raise ValueError(f"order must be 1 (f′) or 2 (f″), got {order!r}")
    expr, var = prepare(f, x)
    chart = sign_chart(expr, var, domain, order=order)
    slope = derivative(expr, var, order)
    name = f"f{PRIME[order]}"
    rows, cells = [], []
    for interval, sign in chart.rows:
        point = sample_point(interval)
        value = slope.subs(var, point)
        meaning = MEANINGS[order][sign]
        rows.append((interval, point, value, sign, meaning))
        cells.append(
            (interval_text(interval), _exact(point), _number(value), _sign_text(sign), meaning)
        )
    return Table(
        columns=("interval", "test point t", f"{name}(t)", f"sign of {name}", "so f is"),
        rows=tuple(rows),
        cells=tuple(cells),
        caption=f"Sign chart of {name} for {_name(f, x, label)}",
        css_class=f"calc-sign-chart-{order}",
        left=(0, 4),
    )


def differentiability_table(
    functions: Mapping[str, ExprLike], a: ExprLike, x: sp.Symbol | str | None = None
) -> Table:
    """For each labelled function: f(a), the one-sided derivatives at a, continuity and the verdict.

    `rows` are (label, f(a), left derivative, right derivative, continuous, kind).

    Parameters
    ----------
    functions
        ``{label: f}``.
    a
        The point.
    x
        The functions' variable (omitted: each one's free symbol).

    Returns
    -------
    Table

    Examples
    --------
    >>> table = differentiability_table({"|x|": "abs(x)", "x^2": "x^2"}, 0)
    >>> table.rows
    (('|x|', 0, -1, 1, True, 'corner'), ('x^2', 0, 0, 0, True, 'differentiable'))
    >>> table.cells[0][-1]
    'not differentiable: corner (the one-sided slopes differ)'
    """
    a = as_number(a)
    rows, cells = [], []
    for label, f in functions.items():
        expr, var = prepare(f, x)
        report = differentiability(expr, a, var)
        value = expr.subs(var, a)
        fa = value if value.is_finite and not value.has(sp.nan, sp.zoo) else None
        rows.append((label, fa, report.left, report.right, report.continuous, report.kind))
        cells.append(
            (
                label,
                _exact_or_undefined(fa),
                _exact_or_undefined(report.left),
                _exact_or_undefined(report.right),
                "yes" if report.continuous else "no",
                KIND_TEXT[report.kind],
            )
        )
    return Table(
        columns=("f(x)", "f(a)", "left derivative", "right derivative", "continuous", "verdict"),
        rows=tuple(rows),
        cells=tuple(cells),
        caption=f"Differentiability at a = {_exact(a)} "
        "(one-sided limits of the difference quotient)",
        css_class="calc-differentiability-table",
        left=(0, 5),
    )


def _second_derivative_at(expr: sp.Expr, var: sp.Symbol, c: sp.Expr) -> sp.Expr | None:
    """f″(c), or None where f′ is not differentiable at c."""
    if differentiability(expr, c, var).kind != "differentiable":
        return None
    report = differentiability(derivative(expr, var), c, var)
    if report.kind != "differentiable":
        return None
    return report.right if report.right is not None else report.left


def _test_verdict(second: sp.Expr | None) -> str:
    if second is None:
        return "no conclusion (f″ undefined)"
    if second > 0:
        return POINT_WORDS["local_min"]
    if second < 0:
        return POINT_WORDS["local_max"]
    return "no conclusion (f″ = 0)"


def second_derivative_test_table(
    functions: Mapping[str, ExprLike] | ExprLike,
    x: sp.Symbol | str | None = None,
    domain: sp.Set | None = None,
) -> Table:
    """Each critical point with f′(c), f″(c), what the second-derivative test says and the truth.

    The truth column comes from `classify_critical_point` (the sign of f′ on each side), so the
    table shows where the second-derivative test is silent (x**3, x**4 at 0). `rows` are
    (label, c, f′(c) or None, f″(c) or None, test verdict, classification).

    Parameters
    ----------
    functions
        ``{label: f}``, or one f (labelled f(x) = the formula).
    x
        The functions' variable (omitted: each one's free symbol).
    domain
        A SymPy set to look for critical points in (omitted: all reals).

    Returns
    -------
    Table

    Examples
    --------
    >>> second_derivative_test_table({"x^4": "x^4", "|x|": "abs(x)"}).rows
    (('x^4', 0, 0, 0, 'no conclusion (f″ = 0)', 'local_min'),
     ('|x|', 0, None, None, 'no conclusion (f″ undefined)', 'local_min'))
    >>> second_derivative_test_table("x^3 - 3x").cells[0]
    ('f(x) = x^3 − 3·x', '−1', '0', '−6', 'local maximum', 'local maximum')
    """
    if not isinstance(functions, Mapping):
        functions = {_name(functions, x, None): functions}
    rows, cells = [], []
    for label, f in functions.items():
        expr, var = prepare(f, x)
        for c in critical_points(expr, var, domain):
            report = differentiability(expr, c, var)
            first = report.right if report.kind == "differentiable" else None
            second = _second_derivative_at(expr, var, c)
            verdict = _test_verdict(second)
            truth = classify_critical_point(expr, c, var)
            rows.append((label, c, first, second, verdict, truth))
            cells.append(
                (
                    label,
                    _exact(c),
                    _exact_or_undefined(first),
                    _exact_or_undefined(second),
                    verdict,
                    POINT_WORDS[truth],
                )
            )
    return Table(
        columns=(
            "function",
            "critical point c",
            "f′(c)",
            "f″(c)",
            "second-derivative test",
            "actually (sign of f′ around c)",
        ),
        rows=tuple(rows),
        cells=tuple(cells),
        caption="Second-derivative test against the first-derivative test (computed)",
        css_class="calc-second-derivative-test",
        left=(0, 4, 5),
    )


__all__ = [
    "DEFAULT_STEPS",
    "Table",
    "differentiability_table",
    "interval_text",
    "quotient_table",
    "second_derivative_test_table",
    "sign_chart_table",
    "sample_point",
]
