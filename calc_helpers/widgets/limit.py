"""Move the point a along a curve with a hole and a jump: the values f(a − δ) and f(a + δ)
close in on the one-sided limits, and the read-out says which of continuity's conditions
hold at a (lesson 2)."""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp

from .._inputs import ExprLike
from .._numeric import to_float
from .._pieces import break_points
from ..derivatives import prepare
from ..limits import Continuity, continuity
from ._base import (
    PALETTE,
    Explorer,
    StaticCache,
    fmt,
    freeze_layout,
    new_figure,
    numeric_function,
    swatch,
    tidy_axes,
)

VERDICTS = {
    "continuous": "continuous at a: all three conditions hold",
    "removable": "removable discontinuity (a hole): the limit exists but f(a) is missing "
                 "or different",
    "jump": "jump discontinuity: the one-sided limits differ, so the limit does not exist",
    "infinite": "infinite discontinuity: f grows without bound near a",
    "no_limit": "no limit: f has no limit from at least one side",
}


def _value(v: sp.Expr | None) -> float:
    if v is None:
        return math.nan
    if v in (sp.oo, -sp.oo):
        return math.inf if v == sp.oo else -math.inf
    return to_float(v)


def _text(v: sp.Expr | None, missing: str) -> str:
    if v is None:
        return missing
    if v in (sp.oo, -sp.oo):
        return "+∞" if v == sp.oo else "−∞"
    return sp.sstr(v).replace("-", "−")


class LimitExplorer(Explorer):
    """The graph of f with a point a (slider `a`) and two points at distance δ (slider
    `delta`, log scale) on either side; the read-out gives f(a − δ), f(a + δ), both exact
    one-sided limits, f(a) and the verdict.

    `reports` maps every slider position of `a` (its options) to the engine's `continuity`
    there, computed once when the widget is built.
    """

    def __init__(
        self,
        f: ExprLike,
        x_range: tuple[float, float],
        a: float,
        step: float = 0.25,
        x: sp.Symbol | str | None = None,
    ) -> None:
        self.expr, self.var = prepare(f, x)
        self.f = numeric_function(self.expr, self.var)
        lo, hi = x_range
        count = int(round((hi - lo) / step))
        positions = [sp.nsimplify(lo) + k * sp.nsimplify(step) for k in range(1, count)]
        self.reports: dict[float, Continuity] = {
            float(p): continuity(self.expr, p, self.var) for p in positions
        }
        window = sp.Interval(sp.nsimplify(lo), sp.nsimplify(hi))
        self.breaks = [float(b) for b in break_points(self.expr, self.var, window)]

        fig, ax = new_figure(figsize=(6.4, 3.8))
        self.ax = ax
        grid = np.linspace(lo, hi, 801)
        values = self.f(grid)
        for b in self.breaks:  # no vertical line drawn across a jump
            values = np.where(np.abs(grid - b) < (hi - lo) / 1600, np.nan, values)
        ax.plot(grid, values, color=PALETTE["curve"], lw=2, label="y = f(x)")
        finite = values[np.isfinite(values)]
        pad = 0.15 * (finite.max() - finite.min() or 1.0)
        ax.set_xlim(lo, hi)
        ax.set_ylim(finite.min() - pad, finite.max() + pad)
        ax.set_xlabel(self.var.name)
        ax.set_ylabel(f"f({self.var.name})")
        tidy_axes(ax)
        for p, report in self.reports.items():  # holes: open circles where the limit exists
            if report.kind == "removable":
                ax.plot([p], [_value(report.limit)], "o", mfc="white", mec=PALETTE["curve"],
                        ms=8, mew=2, zorder=4)
                if report.defined:
                    ax.plot([p], [_value(report.value)], "o", color=PALETTE["curve"], ms=6)
            if report.kind == "jump":
                for side in (report.left, report.right):
                    filled = report.defined and side == report.value
                    ax.plot([p], [_value(side)], "o", ms=7, mew=2, zorder=4,
                            mfc=PALETTE["curve"] if filled else "white", mec=PALETTE["curve"])
        (self.guide,) = ax.plot([], [], ":", color="0.4", lw=1.2)
        (self.left_dot,) = ax.plot([], [], "o", color=PALETTE["left"], ms=7, zorder=6,
                                   label="f(a − δ)")
        (self.right_dot,) = ax.plot([], [], "o", color=PALETTE["right"], ms=7, zorder=6,
                                    label="f(a + δ)")
        (self.value_dot,) = ax.plot([], [], "s", color=PALETTE["value"], ms=6, zorder=7,
                                    label="(a, f(a))")
        ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
        freeze_layout(fig)
        self.cache = StaticCache(fig, [self.guide, self.left_dot, self.right_dot,
                                       self.value_dot])
        options = list(self.reports)
        start = min(options, key=lambda p: abs(p - a))
        controls = {
            "a": w.SelectionSlider(
                options=[(f"{p:g}", p) for p in options], value=start, description="a",
                continuous_update=True, layout=w.Layout(width="330px"),
            ),
            "delta": w.FloatLogSlider(
                value=0.5, base=10, min=-3, max=0, step=0.05, description="δ",
                readout_format=".3g", continuous_update=True, layout=w.Layout(width="300px"),
            ),
        }
        super().__init__(fig, controls, "limit")

    @property
    def report(self) -> Continuity:
        """The engine's continuity report at the current a."""
        return self.reports[self.controls["a"].value]

    def update(self) -> None:
        a = float(self.controls["a"].value)
        d = float(self.controls["delta"].value)
        left_x, right_x = a - d, a + d
        left_y, right_y = float(self.f(left_x)), float(self.f(right_x))
        report = self.report
        fa = _value(report.value)
        self.guide.set_data([a, a], list(self.ax.get_ylim()))
        self.left_dot.set_data([left_x], [left_y])
        self.right_dot.set_data([right_x], [right_y])
        self.value_dot.set_data([a], [fa] if math.isfinite(fa) else [math.nan])
        limit = report.limit
        lines = [
            f"a = {a:g}, δ = {fmt(d, 3)}: "
            + swatch(PALETTE["left"], f"f(a − δ) = {fmt(left_y)}") + " · "
            + swatch(PALETTE["right"], f"f(a + δ) = {fmt(right_y)}"),
            "exact limits: "
            + swatch(PALETTE["left"], f"from the left {_text(report.left, 'none')}") + " · "
            + swatch(PALETTE["right"], f"from the right {_text(report.right, 'none')}")
            + f" · limit {_text(limit, 'does not exist')}"
            + f" · f(a) {_text(report.value, 'undefined')}",
            f"<b>{VERDICTS[report.kind]}</b>",
        ]
        self.readout.value = "<br>".join(lines)


def limit_explorer(
    f: ExprLike,
    x_range: tuple[float, float],
    a: float = 0.0,
    step: float = 0.25,
    x: sp.Symbol | str | None = None,
) -> LimitExplorer:
    """Widget: a slider moving the point a across `x_range` (in steps of `step`) and a slider
    for the distance δ; the points at a − δ and a + δ on the graph, and in the read-out the
    exact one-sided limits, the limit, f(a) and the verdict on continuity at a."""
    return LimitExplorer(f, x_range, a, step=step, x=x)


def lesson_function(x: sp.Symbol) -> sp.Expr:
    """Lesson 2's function: a hole at x = -1 and a jump at x = 1."""
    return sp.Piecewise(((x**2 - 1) / (x + 1), x < 1), (4 - x, True))


def example() -> LimitExplorer:
    """The widget as lesson 2 builds it."""
    from .._inputs import real_symbol

    x = real_symbol("x")
    return limit_explorer(lesson_function(x), (-3, 3), a=0.5)
