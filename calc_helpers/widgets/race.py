"""Lesson 10: gradient descent and Newton's method racing on the same function."""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp
from matplotlib.ticker import MaxNLocator

from .. import derivative, gradient_descent, newton_method
from ..derivatives import prepare
from ..ml_losses import numeric
from ..optimize import compiled_derivative, descent_steps, newton_steps
from ._base import (
    PALETTE,
    Explorer,
    StaticCache,
    freeze_layout,
    new_figure,
    pin_axis_labels,
    swatch,
)


def race(f, x0: float, learning_rate: float, steps: int, x=None) -> dict[str, list[float]]:
    """Both methods' iterates from x0: {"gradient descent": [...], "Newton": [...]}."""
    return {
        "gradient descent": gradient_descent(f, x0, learning_rate, steps, x),
        "Newton": newton_method(f, x0, steps, x),
    }


FLAT = 1e-6  # |f'| below this at the last iterate: the run has arrived at a stationary point


def heading(method: str, slope: float, bend: float) -> str:
    """Where a run is going, read from f' (`slope`) and f'' (`bend`) at its last iterate.

    At a stationary point (|f'| < FLAT) the sign of f'' classifies it. Elsewhere the method's
    next step decides: gradient descent steps by -f', always downhill, so nothing is claimed
    about the point it will reach; Newton steps by -f'/f'', downhill where f'' > 0 and uphill,
    towards a local maximum, where f'' < 0. Returns "" when the signs say nothing.
    """
    if not (math.isfinite(slope) and math.isfinite(bend)):
        return ""
    if abs(slope) < FLAT:
        if bend > 0:
            return "at a local minimum (f' = 0, f'' &gt; 0)"
        if bend < 0:
            return "at a <b>local maximum</b> (f' = 0, f'' &lt; 0)"
        return ""
    if method == "Newton":
        if bend < 0:
            return "heading uphill, for a <b>local maximum</b> (f'' &lt; 0: Newton steps up)"
        if bend > 0:
            return "heading downhill (f'' &gt; 0)"
        return ""
    return "still heading downhill (f' &ne; 0)"


def _ending(xs: list[float], steps: int, f1, f2, method: str) -> str:
    """Why a run ended where it did, in words (`f1`, `f2`: f' and f'' as float functions)."""
    last = xs[-1]
    if not math.isfinite(last) or abs(last) > 1e6:
        return "diverged"
    if len(xs) - 1 < steps:
        return "stopped early (f'' = 0: no Newton step)" if f2(last) == 0 else "stopped early"
    return heading(method, f1(last), f2(last))


def race_markdown(f, x0: float, learning_rate: float, steps: int, x=None) -> str:
    """A Markdown table of the race: each method's last iterate, f and f' there."""
    expr, var = prepare(f, x)
    runs = race(expr, x0, learning_rate, steps, var)
    values = numeric(expr, var)
    slope = numeric(derivative(expr, var), var)
    bend = numeric(derivative(expr, var, n=2), var)
    lines = [
        f"| method | steps run | final ${var.name}$ | $f$ there | $f'$ there | $f''$ there |",
        "|---|---|---|---|---|---|",
    ]
    for name, xs in runs.items():
        last = xs[-1]
        lines.append(
            f"| {name} | {len(xs) - 1} | {last:.6g} | {float(values([last])[0]):.6g} "
            f"| {float(slope([last])[0]):.3g} | {float(bend([last])[0]):.3g} |"
        )
    return "\n".join(lines)


def race_table(f, x0: float, learning_rate: float, steps: int, x=None):
    """`race_markdown` rendered in a notebook."""
    from IPython.display import Markdown

    return Markdown(race_markdown(f, x0, learning_rate, steps, x))


def steps_to_converge(xs: list[float], target: float, tolerance: float = 1e-6) -> int | None:
    """The first k with |x_k - target| < tolerance, or None."""
    for k, value in enumerate(xs):
        if math.isfinite(value) and abs(value - target) < tolerance:
            return k
    return None


def convergence_markdown(
    f,
    x0: float,
    target,
    learning_rates=(0.01, 0.05, 0.1, 0.2, 0.25),
    max_steps: int = 200,
    tolerance: float = 1e-6,
    x=None,
) -> str:
    """Markdown: how many steps each method needs to get within `tolerance` of `target`
    (gradient descent at several learning rates, and Newton's method)."""
    expr, var = prepare(f, x)
    goal = float(target)
    mantissa, exponent = f"{tolerance:.0e}".split("e")
    small = (f"{mantissa} \\cdot " if mantissa != "1" else "") + f"10^{{{int(exponent)}}}"
    lines = [
        f"| method | steps until $\\lvert x_k - {sp.latex(target)} \\rvert < {small}$ |",
        "|---|---|",
    ]
    runs = [
        (
            f"gradient descent, learning rate {rate:g}",
            gradient_descent(expr, x0, rate, max_steps, var),
        )
        for rate in learning_rates
    ]
    runs.append(("Newton", newton_method(expr, x0, max_steps, var)))
    for name, xs in runs:
        k = steps_to_converge(xs, goal, tolerance)
        lines.append(f"| {name} | {k if k is not None else f'not within {max_steps} steps'} |")
    return "\n".join(lines)


def convergence_table(
    f,
    x0: float,
    target,
    learning_rates=(0.01, 0.05, 0.1, 0.2, 0.25),
    max_steps: int = 200,
    tolerance: float = 1e-6,
    x=None,
):
    """`convergence_markdown` rendered in a notebook."""
    from IPython.display import Markdown

    return Markdown(convergence_markdown(f, x0, target, learning_rates, max_steps, tolerance, x))


class OptimizerRace(Explorer):
    """The curve with both methods' iterates on it (left) and f(x_k) against k (right).

    After each update `runs` holds both lists of iterates, exactly as `gradient_descent` and
    `newton_method` return them.
    """

    def __init__(self, f, x0, learning_rate, steps, x, x_range, max_steps) -> None:
        self.expr, self.var = prepare(f, x)
        self.f = numeric(self.expr, self.var)
        self.f1 = numeric(derivative(self.expr, self.var), self.var)
        self.f2 = numeric(derivative(self.expr, self.var, n=2), self.var)
        # f' and f'' as the engine lambdifies them, once (not on every slider move)
        self._first = compiled_derivative(self.expr, [self.var])
        self._second = compiled_derivative(self.expr, [self.var], order=2)
        grid = np.linspace(*x_range, 600)
        values = self.f(grid)
        finite = values[np.isfinite(values)]
        low, high = float(finite.min()), float(finite.max())
        margin = 0.08 * (high - low or 1.0)
        self.y_limits = (low - margin, high + margin)
        fig, (left, right) = new_figure(figsize=(8.0, 3.4), ncols=2)
        left.plot(grid, values, color="C0", linewidth=2)
        self.paths = {}
        self.dots = {}
        self.curves = {}
        styles = {"gradient descent": (PALETTE["gd"], "o"), "Newton": (PALETTE["newton"], "s")}
        self.colors = {name: color for name, (color, _) in styles.items()}
        for name, (color, marker) in styles.items():
            (self.paths[name],) = left.plot([], [], "-", color=color, linewidth=1, alpha=0.6)
            (self.dots[name],) = left.plot([], [], marker, color=color, markersize=5, zorder=4)
            (self.curves[name],) = right.plot([], [], marker + "-", color=color, markersize=4,
                                              label=name)
        (self.start,) = left.plot(
            [x0], [float(self.f([x0])[0])], "*", color="black", markersize=12, zorder=5
        )
        left.set_xlim(*x_range)
        left.set_ylim(*self.y_limits)
        left.set_xlabel(self.var.name)
        left.set_ylabel(f"f({self.var.name})")
        left.text(
            0.01,
            0.99,
            f"f({self.var.name}) = {sp.sstr(self.expr).replace('**', '^')}",
            transform=left.transAxes,
            fontsize=9,
            va="top",
            ha="left",
        )
        left.grid(alpha=0.3)
        right.set_xlim(0, max_steps)
        right.set_ylim(*self.y_limits)
        right.set_xlabel("step k")
        right.text(
            0.99,
            0.99,
            "f(x_k) at each step",
            transform=right.transAxes,
            fontsize=9,
            va="top",
            ha="right",
        )
        right.grid(alpha=0.3)
        right.legend(loc="center right", fontsize=8, framealpha=0.9)
        self.axes = (left, right)
        self.max_steps = max_steps
        self.runs: dict[str, list[float]] = {}
        self._cache: dict[tuple, list[float]] = {}
        controls = {
            "learning_rate": w.FloatLogSlider(
                value=learning_rate,
                base=10,
                min=-3,
                max=0,
                step=0.05,
                description="learning rate",
                readout_format=".3g",
                continuous_update=True,
            ),
            "x0": w.FloatSlider(
                value=x0,
                min=x_range[0],
                max=x_range[1],
                step=0.05,
                description="start x0",
                continuous_update=True,
            ),
            "steps": w.IntSlider(
                value=steps, min=1, max=max_steps, description="steps", continuous_update=True
            ),
        }
        for control in controls.values():
            control.style.description_width = "initial"
        freeze_layout(fig, nbins=5)
        # the f(x_k) panel's ticks are drawn on every update: few of them, labels placed once
        right.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        right.yaxis.set_major_locator(MaxNLocator(4))
        pin_axis_labels(right)
        # the left panel is drawn once; the f(x_k) panel zooms onto the runs on every update,
        # so its ticks, grid and spines are drawn with what moves (its background and texts
        # are cached). Its step axis moves with the steps slider only: kept per x-limits.
        self.cache = StaticCache(
            fig,
            [
                *self.paths.values(),
                *self.dots.values(),
                self.start,
                *self.curves.values(),
                right.yaxis,
                *right.spines.values(),
            ],
            live_axes=[right],
            steady=[right.xaxis],
        )
        super().__init__(fig, controls, "optimizer-race")

    def _run(self, method: str, x0: float, rate: float | None) -> list[float]:
        """The method's iterates for the largest number of steps, remembered: a run of k steps
        is the first k + 1 of them (the methods are deterministic), so the steps slider costs
        nothing and the learning rate slider never reruns Newton's method."""
        key = (method, x0, rate)
        if key not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            if method == "Newton":  # newton_method's iterates
                xs = newton_steps(self._first, self._second, x0, self.max_steps)
            else:  # gradient_descent's iterates
                xs = descent_steps(self._first, x0, rate, self.max_steps)
            self._cache[key] = xs
        return self._cache[key]

    def _fit_progress_axes(self, steps: int, values: np.ndarray) -> None:
        """Zoom the f(x_k) panel onto the runs (clipped to the curve's range): the interesting
        differences are often small next to the whole curve."""
        right = self.axes[1]
        right.set_xlim(-0.5, steps + 0.5)
        low, high = self.y_limits
        values = np.clip(values, low, high)
        if values.size:
            bottom, top = float(values.min()), float(values.max())
            pad = 0.1 * (top - bottom) or 0.5
            right.set_ylim(bottom - pad, top + pad)

    def update(self) -> None:
        rate = float(self.controls["learning_rate"].value)
        x0 = float(self.controls["x0"].value)
        steps = int(self.controls["steps"].value)
        self.runs = {
            "gradient descent": self._run("gradient descent", x0, rate)[: steps + 1],
            "Newton": self._run("Newton", x0, None)[: steps + 1],
        }
        self.start.set_data([x0], self.f([x0]))
        rows = []
        seen: list[np.ndarray] = []
        for name, xs in self.runs.items():
            xs_arr = np.asarray(xs, dtype=float)
            with np.errstate(all="ignore"):
                ys = self.f(xs_arr)
            self.paths[name].set_data(xs_arr, ys)
            self.dots[name].set_data(xs_arr, ys)
            self.curves[name].set_data(np.arange(len(xs_arr)), ys)
            seen.append(ys[np.isfinite(ys)])
            note = _ending(xs, steps, lambda v: float(self.f1([v])[0]),
                           lambda v: float(self.f2([v])[0]), name)
            last, f_last = xs[-1], float(ys[-1])
            rows.append(
                f"<tr><td>{swatch(self.colors[name], name)}</td><td>{len(xs) - 1}</td>"
                f"<td>{last:.6g}</td><td>{f_last:.6g}</td><td>{note}</td></tr>"
            )
        self._fit_progress_axes(steps, np.concatenate(seen))
        self.readout.value = (
            "<table><tr><th>method</th><th>steps run</th><th>final x</th><th>f(final x)</th>"
            "<th></th></tr>" + "".join(rows) + "</table>"
            "<span style='color:#555'>&#9733; start x<sub>0</sub>. Gradient descent: x &larr; x "
            f"&minus; {rate:.3g}&middot;f'(x). Newton: x &larr; x &minus; f'(x)/f''(x) "
            "(no learning rate).</span>"
        )


def optimizer_race(
    f,
    x0: float,
    learning_rate: float = 0.05,
    steps: int = 10,
    x=None,
    x_range: tuple[float, float] | None = None,
    max_steps: int = 40,
) -> OptimizerRace:
    """Widget: sliders for the learning rate, the start x0 and the number of steps; gradient
    descent's and Newton's iterates from x0 on the same curve, and f(x_k) against k.

    The iterates are `calc_helpers.gradient_descent` and `calc_helpers.newton_method`; the
    read-out gives each method's final x and f(x).
    """
    if x_range is None:
        x_range = (x0 - 3.0, x0 + 3.0)
    return OptimizerRace(f, x0, learning_rate, steps, x, x_range, max_steps)


def example() -> OptimizerRace:
    """The lesson's widget: a double well with a bump, x**4 - 3*x**2 + x, started at x0 = 2."""
    x = sp.Symbol("x", real=True)
    return optimizer_race(
        x**4 - 3 * x**2 + x, 2.0, learning_rate=0.02, steps=10, x_range=(-2.2, 2.2)
    )
