"""Walk a point along a curve: its tangent, and what f′ and f″ say there (lesson 6)."""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp

from .._inputs import ExprLike
from ..critical import classify_critical_point, critical_points, inflection_points
from ..derivatives import derivative, differentiability, prepare
from ..sign_charts import sign_chart
from ..vocabulary import EXTREMA, POINT_WORDS
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

SNAP = 1e-9  # a slider value this close to a special point is that point
ZERO = 1e-12  # |value| below this counts as 0 in the read-out words

CLASS_WORDS = {**{kind: f"a {POINT_WORDS[kind]}" for kind in EXTREMA},
               "neither": "neither a maximum nor a minimum"}


def _mask(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[~keep] = np.nan
    return out


class TangentWalker(Explorer):
    """A point on the graph of f with its tangent line, above the graphs of f′ and f″.

    Control: `position`, a slider for x. The graph of f is green where f increases and red where
    it decreases (from `calc_helpers.sign_chart`); the f″ panel is shaded purple where f is
    concave up and orange where it is concave down.
    """

    def __init__(
        self,
        f: ExprLike,
        window: tuple[float, float] = (-3.0, 5.0),
        x0: float | None = None,
        steps: int = 200,
        x: sp.Symbol | str | None = None,
    ) -> None:
        self.expr, self.var = prepare(f, x)
        lo, hi = (float(v) for v in window)
        self.window = (lo, hi)
        domain = sp.Interval(sp.nsimplify(lo), sp.nsimplify(hi))
        self.first = derivative(self.expr, self.var)
        self.second = derivative(self.expr, self.var, 2)
        self.f = numeric_function(self.expr, self.var)
        self.df = numeric_function(self.first, self.var)
        self.d2f = numeric_function(self.second, self.var)
        # the special points, exact, from the engine
        self.critical = {
            float(c): (c, classify_critical_point(self.expr, c, self.var),
                       differentiability(self.expr, c, self.var).kind)
            for c in critical_points(self.expr, self.var, domain)
        }
        self.inflections = {float(p): p for p in inflection_points(self.expr, self.var, domain)}
        self._half = 0.12 * (hi - lo)

        fig, ax0 = new_figure(figsize=(6.4, 5.6))
        fig.delaxes(ax0)
        ax_f, ax_d1, ax_d2 = fig.subplots(3, 1, sharex=True, height_ratios=[2.2, 1, 1])
        self.axes = (ax_f, ax_d1, ax_d2)
        grid = np.linspace(lo, hi, 500)
        ys, d1, d2 = self.f(grid), self.df(grid), self.d2f(grid)
        rising = self._sign_mask(grid, order=1)
        ax_f.plot(grid, _mask(ys, rising == 1), color=PALETTE["up"], lw=2.2)
        ax_f.plot(grid, _mask(ys, rising == -1), color=PALETTE["down"], lw=2.2)
        ax_f.plot(grid, _mask(ys, rising == 0), color="0.3", lw=2.2)
        ax_f.set_ylim(*limits_from(ys, 0.12))
        ax_f.set_ylabel(f"f({self.var.name})")
        ax_d1.plot(grid, d1, color="0.2", lw=1.5)
        ax_d1.fill_between(grid, 0, d1, where=d1 > 0, color=PALETTE["up"], alpha=0.25, lw=0)
        ax_d1.fill_between(grid, 0, d1, where=d1 < 0, color=PALETTE["down"], alpha=0.25, lw=0)
        ax_d1.set_ylim(*limits_from(d1, 0.12))
        ax_d1.set_ylabel("f′")
        ax_d2.plot(grid, d2, color="0.2", lw=1.5)
        ax_d2.fill_between(grid, 0, d2, where=d2 > 0, color=PALETTE["convex"], alpha=0.25, lw=0)
        ax_d2.fill_between(grid, 0, d2, where=d2 < 0, color=PALETTE["concave"], alpha=0.25, lw=0)
        ax_d2.set_ylim(*limits_from(d2, 0.12))
        ax_d2.set_ylabel("f″")
        ax_d2.set_xlabel(self.var.name)
        ax_d2.set_xlim(lo, hi)
        for ax in (ax_d1, ax_d2):
            ax.axhline(0, color="0.5", lw=0.8)
        tidy_axes(*self.axes, nbins=5)

        (self.tangent_line,) = ax_f.plot([], [], "--", color=PALETTE["tangent"], lw=1.4, zorder=4)
        (self.point,) = ax_f.plot([], [], "o", color="k", ms=8, zorder=5)
        (self.point_d1,) = ax_d1.plot([], [], "o", color="k", ms=5, zorder=5)
        (self.point_d2,) = ax_d2.plot([], [], "o", color="k", ms=5, zorder=5)
        self.cursors = [ax.axvline(lo, color=PALETTE["cursor"], lw=0.8, zorder=3)
                        for ax in self.axes]
        freeze_layout(fig)
        self.cache = StaticCache(
            fig, [self.tangent_line, self.point, self.point_d1, self.point_d2, *self.cursors]
        )
        start = lo + 0.125 * (hi - lo) if x0 is None else float(x0)
        controls = {
            "position": w.FloatSlider(
                value=start, min=lo, max=hi, step=(hi - lo) / steps, description=self.var.name,
                readout_format=".3f", layout=w.Layout(width="420px"),
            ),
        }
        super().__init__(fig, controls, "tangent")

    def _sign_mask(self, grid: np.ndarray, order: int) -> np.ndarray:
        """The sign of f′ (or f″) at each grid point, read off the engine's sign chart."""
        lo, hi = self.window
        chart = sign_chart(self.expr, self.var, sp.Interval(sp.nsimplify(lo), sp.nsimplify(hi)),
                           order=order)
        signs = np.zeros(grid.shape, dtype=int)
        for interval, sign in chart.rows:
            start, end = float(interval.start), float(interval.end)
            signs[(grid > start) & (grid < end)] = sign
        # a sign-chart point itself takes the sign on its left (continuous colouring)
        for point in chart.points:
            at = np.isclose(grid, float(point))
            signs[at] = signs[np.argmax(at) - 1] if np.any(at) and np.argmax(at) > 0 else 0
        return signs

    @property
    def x(self) -> float:
        """The point's x, snapped to a critical or inflection point within 1e-9."""
        value = float(self.controls["position"].value)
        for special in (*self.critical, *self.inflections):
            if abs(value - special) < SNAP:
                return special
        return value

    @property
    def tangent_slope(self) -> float:
        """The slope of the tangent line drawn (f′ at the point)."""
        return float(self.df(self.x))

    def update(self) -> None:
        x0 = self.x
        y0, s, c = float(self.f(x0)), float(self.df(x0)), float(self.d2f(x0))
        kind = self.critical.get(x0, (None, None, "differentiable"))[2]
        if kind != "differentiable":
            s, c = math.nan, math.nan
        d = self._half
        if math.isfinite(s):
            self.tangent_line.set_data([x0 - d, x0 + d], [y0 - s * d, y0 + s * d])
        else:
            self.tangent_line.set_data([], [])
        self.point.set_data([x0], [y0])
        self.point_d1.set_data([x0], [s])
        self.point_d2.set_data([x0], [c])
        for cursor in self.cursors:
            cursor.set_xdata([x0, x0])
        self.readout.value = self._text(x0, y0, s, c)

    def _text(self, x0: float, y0: float, s: float, c: float) -> str:
        name = self.var.name
        values = (f"{name} = {fmt(x0)} · f({name}) = {fmt(y0)} · f′({name}) = "
                  f"{fmt(_zeroed(s))} · f″({name}) = {fmt(_zeroed(c))}")
        if x0 in self.critical:
            exact, verdict, kind = self.critical[x0]
            how = "f′ = 0" if kind == "differentiable" else "f′ does not exist"
            where = sp.sstr(exact).replace("-", "−")
            slope_words = (f"<b>critical point {name} = {where}</b> ({how}): "
                           f"{CLASS_WORDS[verdict]}")
        elif abs(s) < ZERO:
            slope_words = "f′ = 0: a stationary point"
        elif s > 0:
            slope_words = _colored("up", "f′ > 0: f is increasing here")
        else:
            slope_words = _colored("down", "f′ < 0: f is decreasing here")
        if x0 in self.inflections:
            bend_words = "<b>inflection point</b>: f″ changes sign here"
        elif not math.isfinite(c):
            bend_words = "f″ does not exist here"
        elif abs(c) < ZERO:
            bend_words = "f″ = 0: no concavity information from f″ here"
        elif c > 0:
            bend_words = _colored("convex", "f″ > 0: concave up (bending upwards)")
        else:
            bend_words = _colored("concave", "f″ < 0: concave down (bending downwards)")
        return f"{values}<br>{slope_words} · {bend_words}"


def _zeroed(value: float) -> float:
    return 0.0 if math.isfinite(value) and abs(value) < ZERO else value


def _colored(key: str, text: str) -> str:
    return swatch(PALETTE[key], text)


def tangent_walker(
    f: ExprLike,
    window: tuple[float, float] = (-3.0, 5.0),
    x0: float | None = None,
    steps: int = 200,
    x: sp.Symbol | str | None = None,
) -> TangentWalker:
    """A point moving along the graph of f (a slider) with its tangent and the graphs of f′, f″.

    The slider moves in `steps` equal steps over `window`; the read-out gives f, f′, f″ and
    says whether f is increasing or decreasing and concave up or down at the point.
    """
    return TangentWalker(f, window, x0, steps, x)


def example() -> TangentWalker:
    """The widget as lesson 6 builds it: the lesson's worked example on [-3, 5]."""
    from .._inputs import real_symbol

    x = real_symbol("x")
    return tangent_walker(x**3 - 3 * x**2 - 9 * x + 5, (-3, 5))
