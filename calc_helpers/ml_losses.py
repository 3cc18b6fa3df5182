"""The machine-learning losses the lessons study, as exact SymPy expressions (lessons 7 and 10).

Every property the lessons state about them (convex or not, where the minimum is, what the
gradient and Hessian are, the chain rule behind backpropagation) is computed here by the
engine, never typed in by hand.

- `mse_linear`: mean squared error of the linear model y = w*x on a tiny data set;
- `logistic_loss`: log(1 + exp(-w)), the loss of a correctly signed margin w;
- `hinge_loss`: max(0, 1 - w), the support-vector-machine loss of a margin w;
- `two_layer_loss`: (w1*w2 - 1)**2, a "deep" network with two layers of one unit each
  (x -> w2*(w1*x)) fitted to the point (1, 1); `deep_slice` is its slice w1 = w2 = w.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import (
    classify_critical_point,
    classify_critical_point_2d,
    critical_points,
    derivative,
    gradient,
    hessian,
    is_convex,
    real_symbol,
    sign_chart,
)
from .derivatives import prepare

W = real_symbol("w")
B = real_symbol("b")
W1 = real_symbol("w1")
W2 = real_symbol("w2")

# A tiny data set (x_i, y_i) for the linear model y = w*x (+ b).
DATA: tuple[tuple[int, int], ...] = ((1, 1), (2, 3), (3, 2))


def mse_linear(w: sp.Symbol = W, data: Sequence[tuple[float, float]] = DATA) -> sp.Expr:
    """Mean squared error of the model y = w*x: (1/n) * sum of (w*x_i - y_i)**2.

    Parameters
    ----------
    w
        The parameter's symbol.
    data
        The points (x_i, y_i); decimals are made exact.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> mse_linear()
    (w - 1)**2/3 + (2*w - 3)**2/3 + (3*w - 2)**2/3
    >>> mse_linear(data=[(1, 2)])
    (w - 2)**2
    """
    terms = [(w * sp.nsimplify(xi) - sp.nsimplify(yi)) ** 2 for xi, yi in data]
    return sp.Add(*terms) / len(terms)


def mse_linear_2d(
    w: sp.Symbol = W, b: sp.Symbol = B, data: Sequence[tuple[float, float]] = DATA
) -> sp.Expr:
    """Mean squared error of the model y = w*x + b, a function of both parameters (w, b).

    Parameters
    ----------
    w, b
        The parameters' symbols.
    data
        The points (x_i, y_i); decimals are made exact.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> import sympy as sp
    >>> sp.expand(mse_linear_2d())
    b**2 + 4*b*w - 4*b + 14*w**2/3 - 26*w/3 + 14/3
    """
    terms = [(w * sp.nsimplify(xi) + b - sp.nsimplify(yi)) ** 2 for xi, yi in data]
    return sp.Add(*terms) / len(terms)


def logistic_loss(w: sp.Symbol = W) -> sp.Expr:
    """log(1 + exp(-w)): the logistic (cross-entropy) loss of a margin w = label * score.

    Parameters
    ----------
    w
        The margin's symbol.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> logistic_loss()
    log(1 + exp(-w))
    """
    return sp.log(1 + sp.exp(-w))


def hinge_loss(w: sp.Symbol = W) -> sp.Expr:
    """max(0, 1 - w): the hinge loss of a margin w (support vector machines).

    Parameters
    ----------
    w
        The margin's symbol.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> hinge_loss()
    Max(0, 1 - w)
    """
    return sp.Max(0, 1 - w)


def two_layer_loss(w1: sp.Symbol = W1, w2: sp.Symbol = W2) -> sp.Expr:
    """(w1*w2 - 1)**2: squared error of the network x -> w2*(w1*x) on the point (1, 1).

    Parameters
    ----------
    w1, w2
        The two weights' symbols.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> two_layer_loss()
    (w1*w2 - 1)**2
    """
    return (w1 * w2 - 1) ** 2


def deep_slice(w: sp.Symbol = W) -> sp.Expr:
    """The two-layer loss along the line w1 = w2 = w: (w**2 - 1)**2, a double well.

    Parameters
    ----------
    w
        The symbol of the common weight.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> deep_slice()
    (w**2 - 1)**2
    """
    return two_layer_loss(w, w)


@dataclass(frozen=True)
class Loss:
    """A named one-variable loss, its formula in w and a one-line description.

    Examples
    --------
    >>> hinge = losses()[2]
    >>> hinge.name, hinge.expr, hinge.convex
    ('hinge loss', Max(0, 1 - w), True)
    """

    name: str
    expr: sp.Expr
    description: str
    window: tuple[float, float] = (-2.5, 2.5)

    @property
    def convex(self) -> bool:
        """Whether the loss is convex in w (computed by `is_convex`)."""
        return is_convex(self.expr, W)


def losses() -> list[Loss]:
    """The four losses of lesson 7, in the order the lesson shows them.

    Returns
    -------
    list of Loss

    Examples
    --------
    >>> [loss.name for loss in losses()]
    ['MSE, linear model', 'logistic loss', 'hinge loss', 'two-layer network']
    """
    return [
        Loss("MSE, linear model", mse_linear(), "mean squared error of y = w*x on 3 points",
             (-1.0, 3.0)),
        Loss("logistic loss", logistic_loss(), "log(1 + exp(-w)), w = label * score",
             (-4.0, 4.0)),
        Loss("hinge loss", hinge_loss(), "max(0, 1 - w), w = label * score", (-2.0, 3.0)),
        Loss("two-layer network", deep_slice(), "(w1*w2 - 1)^2 along w1 = w2 = w",
             (-1.6, 1.6)),
    ]


def convexity() -> dict[str, bool]:
    """{loss name: is it convex in w}, every verdict from `is_convex`.

    Returns
    -------
    dict

    Examples
    --------
    >>> convexity()  # doctest: +NORMALIZE_WHITESPACE
    {'MSE, linear model': True, 'logistic loss': True, 'hinge loss': True,
     'two-layer network': False}
    """
    return {loss.name: loss.convex for loss in losses()}


def _minimum_text(loss: Loss) -> str:
    """Where the loss attains its smallest values, in words, every number from the engine."""
    try:
        points = critical_points(loss.expr, W)
    except ValueError:
        # critical_points refuses a flat piece: report where L' = 0 on a whole interval
        flat = [iv for iv, s in sign_chart(loss.expr, W).rows if s == 0]
        value = loss.expr.subs(W, flat[0].start + 1 if flat[0].start.is_finite else flat[0].end - 1)
        return f"$L = {sp.latex(value)}$ on all of ${sp.latex(flat[0].closure)}$ (flat)"
    minima = [c for c in points if classify_critical_point(loss.expr, c, W) == "local_min"]
    if not minima:
        return "none: $L' \\neq 0$ everywhere, the loss only approaches its infimum"
    return "at $w = " + "$ and $w = ".join(sp.latex(c) for c in minima) + "$"


def convexity_table() -> str:
    r"""A Markdown table: each loss, its formula, convex or not (`is_convex`) and its minima.

    Returns
    -------
    str

    Examples
    --------
    >>> print(convexity_table())  # doctest: +ELLIPSIS
    | loss | formula $L(w)$ | convex? | minimum |
    |---|---|---|---|
    | MSE, linear model | ... | **yes** | at $w = \frac{13}{14}$ |
    | logistic loss | ... | **yes** | none: $L' \neq 0$ everywhere, the loss only approaches ...
    | hinge loss | $\max\left(0, 1 - w\right)$ | **yes** | $L = 0$ on all of ... (flat) |
    | two-layer network | $\left(w^{2} - 1\right)^{2}$ | **no** | at $w = -1$ and $w = 1$ |
    """
    lines = [
        "| loss | formula $L(w)$ | convex? | minimum |",
        "|---|---|---|---|",
    ]
    for loss in losses():
        verdict = "**yes**" if loss.convex else "**no**"
        lines.append(
            f"| {loss.name} | ${table_tex(loss.expr)}$ | {verdict} | {_minimum_text(loss)} |"
        )
    return "\n".join(lines)


def show_convexity_table():
    """The convexity table rendered in a notebook.

    Returns
    -------
    IPython.display.Markdown
        `convexity_table` as a notebook display.

    Examples
    --------
    >>> shown = show_convexity_table()
    >>> type(shown).__name__, shown.data == convexity_table()
    ('Markdown', True)
    """
    from IPython.display import Markdown

    return Markdown(convexity_table())


def table_tex(expr) -> str:
    r"""LaTeX for a Markdown table cell: a bare | would end the cell, so |u| becomes \lvert.

    Parameters
    ----------
    expr
        A SymPy object.

    Returns
    -------
    str

    Examples
    --------
    >>> print(table_tex(abs(W) + 1))
    \left\lvert {w}\right\rvert  + 1
    """
    text = sp.latex(expr)
    return text.replace(r"\left|", r"\left\lvert ").replace(r"\right|", r"\right\rvert ").replace(
        "|", r"\vert "
    )


def numeric(expr: sp.Expr, var: sp.Symbol):
    """A NumPy function of one array argument, returning floats of the same shape (nan where
    the expression is undefined).

    Parameters
    ----------
    expr
        The function, a SymPy expression.
    var
        Its variable.

    Returns
    -------
    callable
        Takes an array (or a number), returns a float array of the same shape.

    Examples
    --------
    >>> import sympy as sp
    >>> numeric(sp.sqrt(W), W)([-1.0, 0.0, 4.0])
    array([nan,  0.,  2.])
    """
    prepared, var = prepare(expr, var)
    func = sp.lambdify(var, prepared, "numpy")

    def evaluate(values):
        values = np.asarray(values, dtype=float)
        with np.errstate(all="ignore"):
            result = np.asarray(func(values), dtype=complex)
        real = np.where(np.abs(result.imag) < 1e-12, result.real, np.nan)
        return np.broadcast_to(real, values.shape).astype(float)

    return evaluate


def plot_losses():
    r"""Small multiples of the four losses, each titled with its convexity verdict.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_losses()
    >>> [ax.get_title() for ax in fig.axes]
    ['MSE, linear model\nconvex', 'logistic loss\nconvex', 'hinge loss\nconvex',
     'two-layer network\nnot convex']
    """
    from ._figures import new_figure

    fig, axes = new_figure(figsize=(9.0, 2.6), ncols=4)
    for ax, loss in zip(axes, losses(), strict=True):
        grid = np.linspace(loss.window[0], loss.window[1], 401)
        ax.plot(grid, numeric(loss.expr, W)(grid), color="C0" if loss.convex else "C3")
        ax.set_title(f"{loss.name}\n{'convex' if loss.convex else 'not convex'}", fontsize=10)
        ax.set_xlabel("w")
        ax.set_ylabel("loss L(w)" if ax is axes[0] else "")
        ax.grid(alpha=0.3)
    return fig


@dataclass(frozen=True)
class SaddleReport:
    r"""The two-layer loss at some of its critical points: loss, Hessian and the 2-D test.

    Examples
    --------
    >>> report = two_layer_report()
    >>> report.values
    {(0, 0): 1, (1, 1): 0, (-1, -1): 0}
    >>> print(report.markdown().splitlines()[4])
    | $(0, 0)$ | $1$ | $\left[\begin{matrix}0 & -2\\-2 & 0\end{matrix}\right]$ | $-4$ | saddle |
    """

    gradient: list[sp.Expr]
    hessian: sp.Matrix
    values: dict[tuple[int, int], sp.Expr]
    verdicts: dict[tuple[int, int], str]

    def markdown(self) -> str:
        r"""The report as Markdown: the gradient, then one table row per point.

    Examples
    --------
    >>> print(two_layer_report().markdown().splitlines()[0])
    $\nabla L = \left(2 w_{2} \left(w_{1} w_{2} - 1\right), 2 w_{1} ...\right)$
    """
        grad = ", ".join(sp.latex(g) for g in self.gradient)
        lines = [
            f"$\\nabla L = \\left({grad}\\right)$",
            "",
            "| $(w_1, w_2)$ | $L$ | Hessian $H$ | $\\det H$ | second-derivative test |",
            "|---|---|---|---|---|",
        ]
        for point, verdict in self.verdicts.items():
            h = self.hessian.subs(dict(zip((W1, W2), point, strict=True)))
            lines.append(
                f"| $({point[0]}, {point[1]})$ | ${sp.latex(self.values[point])}$ "
                f"| ${sp.latex(h)}$ | ${sp.latex(h.det())}$ | {verdict} |"
            )
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.markdown()


def two_layer_report(points: Sequence[tuple[int, int]] = ((0, 0), (1, 1), (-1, -1))):
    """Gradient, Hessian, loss and the 2-D test's verdict at critical points of (w1*w2 - 1)**2.

    Parameters
    ----------
    points
        Critical points (w1, w2) of the two-layer loss.

    Returns
    -------
    SaddleReport

    Examples
    --------
    >>> report = two_layer_report()
    >>> report.gradient
    [2*w2*(w1*w2 - 1), 2*w1*(w1*w2 - 1)]
    >>> report.verdicts
    {(0, 0): 'saddle', (1, 1): 'inconclusive', (-1, -1): 'inconclusive'}
    """
    loss = two_layer_loss()
    return SaddleReport(
        gradient(loss, (W1, W2)),
        hessian(loss, (W1, W2)),
        {p: loss.subs({W1: p[0], W2: p[1]}) for p in points},
        {p: classify_critical_point_2d(loss, p, (W1, W2)) for p in points},
    )


@dataclass(frozen=True)
class ChainRuleDemo:
    """Backpropagation through one neuron, L(w) = (sigmoid(w*x) - y)**2, at one weight w.

    `local` lists each link of the chain (name, formula, derivative, its value there);
    `product` is the product of those values and `direct` is dL/dw computed in one go.

    Examples
    --------
    >>> demo = chain_rule_example()
    >>> [value for _, _, _, value in demo.local][0], demo.agree
    (2, True)
    >>> print(demo.markdown().splitlines()[-1])  # doctest: +ELLIPSIS
    Product of the local derivatives: $-0.211508$; ...: $-0.211508$ (exactly equal: **True**).
    """

    loss: sp.Expr
    w_value: sp.Expr
    local: list[tuple[str, sp.Expr, sp.Expr, sp.Expr]]
    product: sp.Expr
    direct: sp.Expr

    @property
    def agree(self) -> bool:
        """Whether the product of the local derivatives equals the direct derivative."""
        return sp.simplify(self.product - self.direct) == 0

    def markdown(self) -> str:
        """The chain as a Markdown table plus the comparison with the direct derivative."""
        rows = [
            "| link | local function | local derivative | value at this $w$ |",
            "|---|---|---|---|",
        ]
        for name, formula, slope, value in self.local:
            rows.append(
                f"| {name} | ${sp.latex(formula)}$ | ${sp.latex(slope)}$ "
                f"| ${float(value):.6f}$ |"
            )
        rows.append("")
        rows.append(
            f"Product of the local derivatives: ${float(self.product):.6f}$; "
            f"$\\frac{{dL}}{{dw}}$ computed directly at $w = {sp.latex(self.w_value)}$: "
            f"${float(self.direct):.6f}$ (exactly equal: **{self.agree}**)."
        )
        return "\n".join(rows)

    def _repr_markdown_(self) -> str:
        return self.markdown()


def chain_rule_example(
    w_value: float | int = sp.Rational(1, 2), x_value: int = 2, y_value: int = 1
) -> ChainRuleDemo:
    """The chain rule on one neuron z = w*x, p = sigmoid(z), L = (p - y)**2, at w = w_value.

    Parameters
    ----------
    w_value
        The weight (made exact).
    x_value, y_value
        The training point (x, y).

    Returns
    -------
    ChainRuleDemo

    Examples
    --------
    >>> demo = chain_rule_example()
    >>> demo.direct
    4*(-1 + 1/(exp(-1) + 1))*exp(-1)/(exp(-1) + 1)**2
    >>> round(float(demo.product), 6), demo.agree
    (-0.211508, True)
    """
    z, p = real_symbol("z"), real_symbol("p")
    w0 = sp.nsimplify(w_value)
    sigmoid = 1 / (1 + sp.exp(-z))
    links = [
        ("$z = w x$", W * x_value, W),
        ("$p = \\sigma(z)$", sigmoid, z),
        ("$L = (p - y)^2$", (p - y_value) ** 2, p),
    ]
    z0 = w0 * x_value
    p0 = sigmoid.subs(z, z0)
    at = {W: w0, z: z0, p: p0}
    local = []
    product = sp.Integer(1)
    for name, formula, var in links:
        slope = derivative(formula, var)
        value = slope.subs(var, at[var])
        local.append((name, formula, slope, value))
        product *= value
    loss = (sigmoid.subs(z, W * x_value) - y_value) ** 2
    direct = derivative(loss, W).subs(W, w0)
    return ChainRuleDemo(loss, w0, local, product, direct)
