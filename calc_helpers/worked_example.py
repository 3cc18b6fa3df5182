"""A one-variable function analysed step by step, every number from the engine (lessons 8 and 9).

`analyse(f)` returns an `Analysis`: derivatives, critical points with both derivative tests,
the sign charts of f' and f'' as tables with test points, the intervals where f rises, falls
and bends, and the inflection points. `Analysis.step(n)` renders one step as Markdown for a
notebook; `plot_analysis(f)` draws the graph with those points marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import (
    classify_critical_point,
    concavity,
    critical_points,
    derivative,
    differentiability,
    inflection_points,
    monotonicity,
    sign_chart,
)
from ._pieces import sample_point
from .derivatives import prepare
from .ml_losses import table_tex
from .sign_charts import SignChart
from .vocabulary import BEND_WORDS, DIFFERENTIABILITY_WORDS, POINT_WORDS, SLOPE_WORDS

VERDICTS = {
    **POINT_WORDS,
    "neither": "neither (not an extremum)",
    "inconclusive": "inconclusive ($f''(c) = 0$)",
    "undefined": "silent ($f'(c)$ does not exist)",
}
STEP_TITLES = {
    1: "Step 1: the first and second derivatives",
    2: "Step 2: the critical points",
    3: "Step 3: classify each critical point",
    4: "Step 4: where f increases and decreases",
    5: "Step 5: concavity and inflection points",
}


def _expr_and_var(f, x) -> tuple[sp.Expr, sp.Symbol]:
    return prepare(f, x)


def _value(expr: sp.Expr, var: sp.Symbol, point: sp.Expr) -> sp.Expr | None:
    """expr at the point, simplified; None where it is undefined or infinite."""
    value = sp.simplify(expr.subs(var, point))
    if value.has(sp.nan, sp.zoo) or value.is_infinite or value.free_symbols:
        return None
    return value


def second_derivative_test(f, c, x=None) -> str:
    """What the second-derivative test says at a critical point c.

    "local_min" (f''(c) > 0), "local_max" (f''(c) < 0), "inconclusive" (f''(c) = 0: the test
    is silent, not a verdict of "neither"), or "undefined" where f is not differentiable at c
    (|x| and x**(2/3) at 0), so the test does not apply.

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3 - 3x"``.
    c
        The critical point.
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    str

    Examples
    --------
    >>> second_derivative_test("x^3 - 3x", 1), second_derivative_test("x^3 - 3x", -1)
    ('local_min', 'local_max')
    >>> second_derivative_test("x^4", 0), second_derivative_test("abs(x)", 0)
    ('inconclusive', 'undefined')
    """
    expr, var = _expr_and_var(f, x)
    c = sp.nsimplify(c)
    if differentiability(expr, c, var).kind != "differentiable":
        return "undefined"
    value = _value(derivative(expr, var, n=2), var, c)
    if value is None:
        return "undefined"
    if value.is_zero:
        return "inconclusive"
    return "local_min" if value > 0 else "local_max"


@dataclass(frozen=True)
class CriticalPoint:
    """One critical point: where it is, f there, f'' there and both tests' verdicts.

    Examples
    --------
    >>> analyse("x^3 - 3x").critical[0]  # doctest: +NORMALIZE_WHITESPACE
    CriticalPoint(x=-1, value=2, second=-6, second_test='local_max', kind='local_max')
    """

    x: sp.Expr
    value: sp.Expr
    second: sp.Expr | None
    second_test: str
    kind: str


@dataclass(frozen=True)
class Analysis:
    r"""The full analysis of f; every field computed by calc_helpers.

    Examples
    --------
    >>> result = analyse("x^3 - 3x")
    >>> result.critical_xs, result.classification, result.inflection_xs
    ([-1, 1], {-1: 'local_max', 1: 'local_min'}, [0])
    >>> result.increasing, result.decreasing
    (Union(Interval.open(-oo, -1), Interval.open(1, oo)), Interval.open(-1, 1))
    >>> print(result.step_markdown(1))
    **Step 1: the first and second derivatives**
    <BLANKLINE>
    $$f(x) = x^{3} - 3 x$$
    <BLANKLINE>
    $$f'(x) = 3 x^{2} - 3 = 3 \left(x - 1\right) \left(x + 1\right)$$
    <BLANKLINE>
    $$f''(x) = 6 x$$
    """

    expr: sp.Expr
    var: sp.Symbol
    first: sp.Expr
    second: sp.Expr
    critical: tuple[CriticalPoint, ...]
    slope_chart: SignChart
    bend_chart: SignChart
    increasing: sp.Set
    decreasing: sp.Set
    concave_up: sp.Set
    concave_down: sp.Set
    inflection: tuple[tuple[sp.Expr, sp.Expr], ...]

    @property
    def critical_xs(self) -> list[sp.Expr]:
        """The critical points' x-values, sorted."""
        return [c.x for c in self.critical]

    @property
    def classification(self) -> dict[sp.Expr, str]:
        """{critical point: "local_min" | "local_max" | "neither"} (first-derivative test)."""
        return {c.x: c.kind for c in self.critical}

    @property
    def inflection_xs(self) -> list[sp.Expr]:
        """The inflection points' x-values, sorted."""
        return [p for p, _ in self.inflection]

    # --- rendering -------------------------------------------------------------------------
    def _f(self, arg: str = "x") -> str:
        return f"f({arg})" if self.var.name == arg else f"f({self.var.name})"

    def _step1(self) -> str:
        v = self.var.name
        factored = sp.factor(self.first)
        lines = [
            f"$$f({v}) = {sp.latex(self.expr)}$$",
            f"$$f'({v}) = {sp.latex(self.first)}"
            + (f" = {sp.latex(factored)}" if factored != self.first else "")
            + "$$",
            f"$$f''({v}) = {sp.latex(self.second)}$$",
        ]
        return "\n\n".join(lines)

    def _step2(self) -> str:
        v = self.var.name
        if not self.critical:
            return f"$f'({v}) = 0$ has no solution and $f'$ exists everywhere: no critical points."
        points = ", ".join(f"${v} = {sp.latex(c.x)}$" for c in self.critical)
        values = ", ".join(f"$f({sp.latex(c.x)}) = {sp.latex(c.value)}$" for c in self.critical)
        return (
            f"Solve $f'({v}) = {sp.latex(sp.factor(self.first))} = 0$ (and look for points where "
            f"$f'$ does not exist): the critical points are {points}.\n\n"
            f"The function there: {values}."
        )

    def _step3(self) -> str:
        lines = [
            "| $c$ | $f(c)$ | $f''(c)$ | second-derivative test | sign change of $f'$ (engine) |",
            "|---|---|---|---|---|",
        ]
        for c in self.critical:
            second = "undefined" if c.second is None else f"${table_tex(c.second)}$"
            lines.append(
                f"| ${table_tex(c.x)}$ | ${table_tex(c.value)}$ | {second} "
                f"| {VERDICTS[c.second_test]} | **{VERDICTS[c.kind]}** |"
            )
        return "\n".join(lines)

    def _chart_table(self, chart: SignChart, formula: sp.Expr, name: str, words: dict) -> str:
        lines = [
            f"| interval | test point $t$ | ${name}(t)$ | sign | {words['title']} |",
            "|---|---|---|---|---|",
        ]
        for interval, sign in chart.rows:
            t = sample_point(interval)
            value = sp.simplify(formula.subs(self.var, t))
            mark = {1: "$+$", -1: "$-$", 0: "$0$"}[sign]
            lines.append(
                f"| ${table_tex(interval)}$ | ${table_tex(t)}$ | ${table_tex(value)}$ | {mark} "
                f"| {words[sign]} |"
            )
        return "\n".join(lines)

    def _step4(self) -> str:
        table = self._chart_table(
            self.slope_chart,
            self.first,
            "f'",
            {"title": "f is", **SLOPE_WORDS},
        )
        return (
            f"{table}\n\nSo $f$ is **increasing** on ${_set_tex(self.increasing)}$ and "
            f"**decreasing** on ${_set_tex(self.decreasing)}$."
        )

    def _step5(self) -> str:
        table = self._chart_table(
            self.bend_chart,
            self.second,
            "f''",
            {"title": "f is", **BEND_WORDS, 0: "straight ($f''=0$)"},
        )
        if self.inflection:
            points = ", ".join(
                f"$({sp.latex(p)}, {sp.latex(value)})$" for p, value in self.inflection
            )
            where = f"the inflection point{'s are' if len(self.inflection) > 1 else ' is'} {points}"
        else:
            where = "there is no inflection point"
        return (
            f"{table}\n\nSo $f$ is **concave up** on ${_set_tex(self.concave_up)}$, **concave "
            f"down** on ${_set_tex(self.concave_down)}$, and {where}."
        )

    def step_markdown(self, n: int) -> str:
        r"""Step n (1 to 5) as Markdown.

    Parameters
    ----------
    n
        The step: 1 to 5 (see `STEP_TITLES`).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Where n is not 1 to 5.

    Examples
    --------
    >>> print(analyse("x^3 - 3x").step_markdown(2))  # doctest: +NORMALIZE_WHITESPACE
    **Step 2: the critical points**
    <BLANKLINE>
    Solve $f'(x) = 3 \left(x - 1\right) \left(x + 1\right) = 0$ (and look for points where
    $f'$ does not exist): the critical points are $x = -1$, $x = 1$.
    <BLANKLINE>
    The function there: $f(-1) = 2$, $f(1) = -2$.
    """
        if n not in STEP_TITLES:
            raise ValueError(f"the steps are numbered 1 to 5, got {n!r}")
        body = getattr(self, f"_step{n}")()
        return f"**{STEP_TITLES[n]}**\n\n{body}"

    def step(self, n: int):
        """Step n rendered in a notebook.

    Parameters
    ----------
    n
        The step: 1 to 5.

    Returns
    -------
    IPython.display.Markdown

    Examples
    --------
    >>> result = analyse("x^2")
    >>> shown = result.step(1)
    >>> type(shown).__name__, shown.data == result.step_markdown(1)
    ('Markdown', True)
    """
        from IPython.display import Markdown

        return Markdown(self.step_markdown(n))

    def markdown(self) -> str:
        """All five steps as one Markdown text.

    Returns
    -------
    str

    Examples
    --------
    >>> text = analyse("x^2").markdown()
    >>> [line for line in text.splitlines() if line.startswith("**Step")]
    ['**Step 1: the first and second derivatives**', '**Step 2: the critical points**',
     '**Step 3: classify each critical point**', '**Step 4: where f increases and decreases**',
     '**Step 5: concavity and inflection points**']
    """
        return "\n\n".join(self.step_markdown(n) for n in STEP_TITLES)

    def _repr_markdown_(self) -> str:
        return self.markdown()


def _set_tex(s: sp.Set) -> str:
    return r"\varnothing" if s is sp.S.EmptySet else sp.latex(s)


def analyse(f, x=None, domain: sp.Set | None = None) -> Analysis:
    """Analyse f step by step (derivatives, critical points, tests, sign charts, inflection).

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text such as ``"x^3 - 3x"``.
    x
        Its variable (omitted: the one free symbol of `f`).
    domain
        A SymPy set (omitted: all reals).

    Returns
    -------
    Analysis

    Examples
    --------
    >>> result = analyse("x^3 - 3x")
    >>> result.first, result.second
    (3*x**2 - 3, 6*x)
    >>> [(c.x, c.value, c.kind) for c in result.critical]
    [(-1, 2, 'local_max'), (1, -2, 'local_min')]
    >>> result.concave_up, result.inflection
    (Interval.open(0, oo), ((0, 0),))
    """
    expr, var = _expr_and_var(f, x)
    first = sp.expand(derivative(expr, var))
    second = sp.expand(derivative(expr, var, n=2))
    found = []
    for c in critical_points(expr, var, domain):
        kind = classify_critical_point(expr, c, var)
        test = second_derivative_test(expr, c, var)
        second_value = None if test == "undefined" else _value(second, var, c)
        found.append(CriticalPoint(c, _value(expr, var, c), second_value, test, kind))
    rising = monotonicity(expr, var, domain)
    bending = concavity(expr, var, domain)
    inflection = tuple((p, _value(expr, var, p)) for p in inflection_points(expr, var, domain))
    return Analysis(
        expr,
        var,
        first,
        second,
        tuple(found),
        sign_chart(expr, var, domain, order=1),
        sign_chart(expr, var, domain, order=2),
        rising["increasing"],
        rising["decreasing"],
        bending["up"],
        bending["down"],
        inflection,
    )


def classification_markdown(functions: Sequence, x=None) -> str:
    r"""A table comparing the second-derivative test with the engine's verdict (lesson 8).

    One row per critical point of each function: f'(c) (or how it fails to exist), f''(c),
    what the second-derivative test says, and the true classification.

    Parameters
    ----------
    functions
        The functions (expressions or text).
    x
        Their variable (omitted: each one's free symbol).

    Returns
    -------
    str

    Examples
    --------
    >>> print(classification_markdown(["x^4", "abs(x)"]))  # doctest: +ELLIPSIS
    | $f(x)$ | critical point $c$ | $f'(c)$ | $f''(c)$ | second-derivative test | truth ... |
    |---|---|---|---|---|---|
    | $x^{4}$ | $0$ | $0$ | $0$ | inconclusive ($f''(c) = 0$) | **local minimum** |
    | $\left\lvert ... | $0$ | undefined (corner) | — | silent ... | **local minimum** |
    """
    lines = [
        "| $f(x)$ | critical point $c$ | $f'(c)$ | $f''(c)$ | second-derivative test "
        "| truth (sign change of $f'$) |",
        "|---|---|---|---|---|---|",
    ]
    for f in functions:
        expr, var = _expr_and_var(f, x)
        for c in critical_points(expr, var):
            report = differentiability(expr, c, var)
            if report.differentiable:
                slope = f"${sp.latex(report.right)}$"
            else:
                slope = f"undefined ({DIFFERENTIABILITY_WORDS[report.kind]})"
            test = second_derivative_test(expr, c, var)
            if test == "undefined":
                second = "—"
            else:
                second = f"${sp.latex(_value(derivative(expr, var, 2), var, c))}$"
            kind = classify_critical_point(expr, c, var)
            lines.append(
                f"| ${table_tex(f if isinstance(f, sp.Basic) else expr)}$ | ${table_tex(c)}$ "
                f"| {slope} | {second} | {VERDICTS[test]} | **{VERDICTS[kind]}** |"
            )
    return "\n".join(lines)


def classification_table(functions: Sequence, x=None):
    """`classification_markdown` rendered in a notebook.

    Parameters
    ----------
    functions
        The functions (expressions or text).
    x
        Their variable (omitted: each one's free symbol).

    Returns
    -------
    IPython.display.Markdown

    Examples
    --------
    >>> shown = classification_table(["x^4"])
    >>> type(shown).__name__, shown.data == classification_markdown(["x^4"])
    ('Markdown', True)
    """
    from IPython.display import Markdown

    return Markdown(classification_markdown(functions, x))


def plot_analysis(f, window: tuple[float, float] | None = None, x=None):
    """The graph of f with its local extrema and inflection points marked and labelled.

    Parameters
    ----------
    f
        The function (expression or text).
    window
        The x-range drawn (omitted: around the critical and inflection points).
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_analysis("x^3 - 3x")
    >>> [label.get_text() for label in fig.axes[0].texts]
    ['(-1, 2)', '(1, -2)', '(0, 0)']
    """
    from ._figures import new_figure
    from .ml_losses import numeric

    result = analyse(f, x)
    xs = [float(c) for c in result.critical_xs + result.inflection_xs]
    if window is None:
        lo, hi = (min(xs), max(xs)) if xs else (-2.0, 2.0)
        pad = max(1.5, 0.35 * (hi - lo))
        window = (lo - pad, hi + pad)
    grid = np.linspace(window[0], window[1], 600)
    fig, ax = new_figure(figsize=(6.4, 4.0))
    ax.plot(
        grid,
        numeric(result.expr, result.var)(grid),
        color="C0",
        label=f"$f({result.var.name}) = {sp.latex(result.expr)}$",
    )
    styles = {
        "local_max": ("o", "C3", "local max"),
        "local_min": ("o", "C2", "local min"),
        "neither": ("o", "C7", "critical, not an extremum"),
    }
    # labels where the curve is not: above a maximum, below a minimum, and at an inflection
    # point in the quadrant the tangent does not cross (lower left when f decreases there)
    placement = {"local_max": ((0, 9), "center", "bottom"),
                 "local_min": ((0, -10), "center", "top"),
                 "neither": ((9, -9), "left", "top")}
    box = {"facecolor": "white", "alpha": 0.8, "linewidth": 0, "pad": 1.0}
    for c in result.critical:
        marker, color, label = styles[c.kind]
        ax.plot([float(c.x)], [float(c.value)], marker, color=color, markersize=9, label=label)
        offset, ha, va = placement[c.kind]
        ax.annotate(
            f"({sp.latex(c.x) if c.x.is_Integer else f'{float(c.x):.3g}'}, {float(c.value):.4g})",
            (float(c.x), float(c.value)),
            textcoords="offset points",
            xytext=offset, ha=ha, va=va, bbox=box,
        )
    slope = sp.lambdify(result.var, sp.diff(result.expr, result.var))
    for p, value in result.inflection:
        ax.plot([float(p)], [float(value)], "D", color="C1", markersize=8, label="inflection")
        falling = float(slope(float(p))) < 0
        ax.annotate(
            f"({float(p):.4g}, {float(value):.4g})",
            (float(p), float(value)),
            textcoords="offset points",
            xytext=(-9, -9) if falling else (9, -9),
            ha="right" if falling else "left", va="top", bbox=box,
        )
    ax.margins(y=0.12)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel(result.var.name)
    ax.set_ylabel(f"f({result.var.name})")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=9)
    return fig
