"""Gradient descent on a one-parameter loss, one step at a time (lesson 1).

The iterates are those of `calc_helpers.gradient_descent` (same formula, same float
arithmetic, same stopping rule), computed once per learning rate and cached, so the slider
and the buttons only move artists.
"""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

from .._inputs import ExprLike
from ..derivatives import prepare
from ..optimize import compiled_derivative, descent_steps
from ._base import (
    PALETTE,
    Explorer,
    StaticCache,
    fmt,
    freeze_layout,
    limits_from,
    new_figure,
    numeric_function,
    swatch,
    tidy_axes,
)


class DescentExplorer(Explorer):
    """Gradient descent x_{k+1} = x_k − η·f′(x_k) drawn on the loss curve and as a loss history.

    Controls: `rate` (η, a slider), `step` (one more step), `steps10` (ten more) and `reset`.
    `iterates` are the points shown, x_0 … x_k; `diverging` says whether the run blows up.
    """

    def __init__(
        self,
        f: ExprLike,
        x0: float,
        learning_rate: float = 0.05,
        rates: tuple[float, float, float] = (0.01, 0.3, 0.01),
        window: tuple[float, float] | None = None,
        max_steps: int = 100,
        x: sp.Symbol | str | None = None,
    ) -> None:
        self.expr, self.var = prepare(f, x)
        # the same slope function and arithmetic as calc_helpers.gradient_descent
        self._slope = compiled_derivative(self.expr, [self.var])
        self.loss = numeric_function(self.expr, self.var)
        self.x0 = float(x0)
        self.max_steps = int(max_steps)
        self.steps = 0
        self._paths: dict[float, list[float]] = {}
        if window is None:
            window = (self.x0 - 3.0, self.x0 + 3.0)
        self.window = tuple(float(v) for v in window)
        width = self.window[1] - self.window[0]
        self._half_tangent = 0.12 * width

        fig, (ax, hist) = new_figure(figsize=(8.4, 3.4), ncols=2)
        self.ax, self.hist = ax, hist
        grid = np.linspace(self.window[0], self.window[1], 400)
        values = self.loss(grid)
        ax.plot(grid, values, color=PALETTE["curve"], lw=2)
        ax.set_xlim(*self.window)
        self._ylim = limits_from(values, 0.12)
        ax.set_ylim(*self._ylim)
        ax.set_xlabel(self.var.name)
        ax.set_ylabel("loss")
        (self.path_line,) = ax.plot([], [], "-o", color=PALETTE["path"], lw=1, ms=4, alpha=0.8)
        (self.tangent_line,) = ax.plot([], [], "--", color=PALETTE["tangent"], lw=1.2)
        (self.current,) = ax.plot([], [], "o", color=PALETTE["now"], ms=8, zorder=6)
        self.step_arrow = ax.annotate(
            "",
            xy=(self.x0, self._ylim[0]),
            xytext=(self.x0, self._ylim[0]),
            arrowprops={"arrowstyle": "->", "color": PALETTE["now"], "lw": 1.8},
            annotation_clip=False,
        )
        finite = values[np.isfinite(values)]
        self._log_history = bool(finite.size and finite.min() > 0)
        if self._log_history:
            hist.set_yscale("log")
            hist.set_ylim(finite.min() / 2, finite.max() * 10)
            hist.yaxis.set_minor_locator(NullLocator())
            hist.yaxis.set_major_locator(LogLocator(numticks=5))
        else:
            hist.set_ylim(*limits_from(finite, 0.1))
            hist.yaxis.set_major_locator(MaxNLocator(5))
        hist.set_xlim(*self._history_xlim(0))
        hist.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        hist.set_xlabel("step")
        hist.set_ylabel("loss" + (" (log scale)" if self._log_history else ""))
        hist.grid(alpha=0.3)
        (self.history,) = hist.plot([], [], "-o", color=PALETTE["path"], lw=1, ms=3,
                                    clip_on=True)
        tidy_axes(ax)
        freeze_layout(fig)
        # a diverging run leaves the panel: its steps are marked on the top edge instead (made
        # after the layout is frozen, so the empty note takes no room)
        (self.escaped,) = hist.plot([], [], "^", color=PALETTE["now"], ms=7, clip_on=False,
                                    zorder=5)
        self.escape_note = hist.text(0.98, 0.04, "", transform=hist.transAxes, ha="right",
                                     va="bottom", fontsize=8, color=PALETTE["now"],
                                     bbox={"facecolor": "white", "alpha": 0.85, "linewidth": 0})
        self.cache = StaticCache(
            fig,
            [self.path_line, self.tangent_line, self.current, self.step_arrow, self.history,
             self.escaped, self.escape_note],
        )

        low, high, step = rates
        controls = {
            "rate": w.FloatSlider(
                value=learning_rate,
                min=low,
                max=high,
                step=step,
                description="learning rate",
                readout_format=".3f",
                style={"description_width": "initial"},
                layout=w.Layout(width="340px"),
            ),
            "step": w.Button(description="step", tooltip="take one gradient-descent step"),
            "steps10": w.Button(description="10 steps", tooltip="take ten steps"),
            "reset": w.Button(description="reset", tooltip=f"back to the start, {self.var} = {x0}"),
        }
        controls["step"].on_click(lambda _b: self.step(1))
        controls["steps10"].on_click(lambda _b: self.step(10))
        controls["reset"].on_click(lambda _b: self.reset())
        super().__init__(fig, controls, "descent")

    # --- the run -------------------------------------------------------------------------

    @property
    def rate(self) -> float:
        """The learning rate η the slider selects."""
        return float(self.controls["rate"].value)

    def path(self, rate: float | None = None) -> list[float]:
        """The whole run (up to `max_steps`) at a learning rate: `gradient_descent`'s iterates."""
        rate = self.rate if rate is None else float(rate)
        if rate not in self._paths:
            self._paths[rate] = descent_steps(self._slope, self.x0, rate, self.max_steps)
        return self._paths[rate]

    @property
    def iterates(self) -> list[float]:
        """x_0 … x_k: the points shown (fewer than `steps` + 1 if the run stopped)."""
        return self.path()[: self.steps + 1]

    @property
    def stopped(self) -> bool:
        """Whether the run ended before reaching `steps` (an iterate blew up)."""
        return len(self.path()) < min(self.steps, self.max_steps) + 1

    @property
    def diverging(self) -> bool:
        """The loss went up at the last step and the step was longer than the one before."""
        xs = self.iterates
        if self.stopped:
            return True
        if len(xs) < 3:
            return False
        losses = self.loss(np.array(xs[-2:]))
        longer = abs(xs[-1] - xs[-2]) > abs(xs[-2] - xs[-3])
        return bool(losses[1] > losses[0] and longer)

    def step(self, n: int = 1) -> None:
        """Take n more steps (up to `max_steps`) and redraw."""
        self.steps = min(self.steps + n, self.max_steps)
        self._on_change()

    def reset(self) -> None:
        """Back to x_0 and redraw."""
        self.steps = 0
        self._on_change()

    # --- drawing -------------------------------------------------------------------------

    def update(self) -> None:
        xs = np.array(self.iterates)
        ys = self.loss(xs)
        xk = float(xs[-1])
        yk = float(ys[-1])
        with np.errstate(all="ignore"):
            try:
                slope = float(self._slope(xk))
            except (OverflowError, ZeroDivisionError, ValueError):
                slope = math.nan
        self.path_line.set_data(xs, ys)
        self.current.set_data([xk], [yk])
        d = self._half_tangent
        self.tangent_line.set_data([xk - d, xk + d], [yk - slope * d, yk + slope * d])
        nxt = xk - self.rate * slope
        base = self._ylim[0] + 0.04 * (self._ylim[1] - self._ylim[0])
        lo, hi = self.window
        start = min(max(xk, lo), hi) if math.isfinite(xk) else lo
        end = min(max(nxt, lo), hi) if math.isfinite(nxt) else start
        self.step_arrow.xy = (end, base)
        self.step_arrow.set_position((start, base))
        self.step_arrow.set_visible(bool(end != start))
        self.history.set_data(np.arange(len(ys)), ys)
        top = self.hist.get_ylim()[1]
        steps = np.arange(len(ys))
        with np.errstate(invalid="ignore"):
            out = ~np.isfinite(ys) | (ys > top)
        self.escaped.set_data(steps[out], np.full(int(out.sum()), top))
        if out.any():
            last = ys[-1]
            value = fmt(float(last), 3) if math.isfinite(last) else "overflow"
            self.escape_note.set_text(f"▲ off the top: loss {value} at step {len(ys) - 1}")
        else:
            self.escape_note.set_text("")
        xlim = self._history_xlim(len(ys) - 1)
        if self.hist.get_xlim() != xlim:
            self.hist.set_xlim(*xlim)
        self.readout.value = self._text(xk, yk, slope, ys)

    def _history_xlim(self, k: int) -> tuple[float, float]:
        """Step-axis limits in pages (10, 20, 50, 100 steps): they change rarely, so the axes
        stay in the static cache."""
        for page in (10, 20, 50, 100, 200, 500):
            if k <= page:
                return (-0.5, page + 0.5)
        return (-0.5, k + 0.5)

    def _text(self, xk: float, yk: float, slope: float, ys: np.ndarray) -> str:
        name = self.var.name
        k = len(ys) - 1
        step = -self.rate * slope
        parts = [
            f"<b>step {k}</b>",
            f"{name} = {fmt(xk)}",
            f"loss = {fmt(yk)}",
            f"slope = {fmt(slope)}",
            swatch(PALETTE["now"], "next step") + f" −η·slope = {fmt(step)}",
        ]
        text = " · ".join(parts)
        if not self.window[0] <= xk <= self.window[1]:
            text += f" · {name} is off the chart"
        if self.stopped:
            text += f" · the run stopped: |{name}| passed 10¹²"
        if self.diverging:
            text += (
                '<br><span class="calc-warning" style="color:#c00;font-weight:700">'
                "⚠ diverging: each step overshoots the valley by more than the last; "
                "lower the learning rate</span>"
            )
        elif k >= 1 and ys[-1] > ys[-2]:
            text += (
                '<br><span class="calc-warning" style="color:#c60">'
                "the loss went up: this step jumped over the valley</span>"
            )
        elif k >= 1 and abs(step) < 1e-6:
            text += "<br>the slope is (almost) 0, so the steps are tiny: descent has settled"
        return text


def descent_explorer(
    f: ExprLike,
    x0: float,
    learning_rate: float = 0.05,
    rates: tuple[float, float, float] = (0.01, 0.3, 0.01),
    window: tuple[float, float] | None = None,
    max_steps: int = 100,
    x: sp.Symbol | str | None = None,
) -> DescentExplorer:
    """Gradient descent on the loss f from x0: a learning-rate slider, step/10 steps/reset buttons.

    `rates` is (lowest, highest, step) of the learning-rate slider; `window` the x-range drawn.
    """
    return DescentExplorer(f, x0, learning_rate, rates, window, max_steps, x)


def example() -> DescentExplorer:
    """The widget as lesson 1 builds it: the mean squared error of y = w·x on the course data."""
    from ..ml_losses import mse_linear

    return descent_explorer(mse_linear(), 3, learning_rate=0.05, window=(-1.5, 3.5))
