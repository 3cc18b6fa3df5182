"""The chain rule as nudges passing through: Δx moves u = g(x) by Δu, and Δu moves y = f(u) by
Δy; the ratios multiply (lesson 4)."""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp

from .._inputs import ExprLike
from ..derivatives import derivative, prepare
from ._base import (
    PALETTE,
    Explorer,
    StaticCache,
    fmt,
    freeze_layout,
    new_figure,
    numeric_function,
    plain_formula,
    swatch,
    tidy_axes,
)


class ChainRuleExplorer(Explorer):
    """The chain rule as nudges passing through: x moves by Δx, so u = g(x) moves by Δu, so
    y = f(u) moves by Δy (sliders `x` and `dx`). Left panel u = g(x), right panel y = f(u);
    the same Δu (green) is the rise on the left and the run on the right.

    `ratios` holds (Δu/Δx, Δy/Δu, Δy/Δx) at the current controls; Δy/Δx is exactly their
    product, and each tends to its derivative as Δx → 0.
    """

    def __init__(
        self,
        outer: ExprLike,
        inner: ExprLike,
        x_range: tuple[float, float],
        x0: float,
        x: sp.Symbol | str | None = None,
        u: sp.Symbol | str = "u",
    ) -> None:
        self.inner_expr, self.var = prepare(inner, x)
        self.outer_expr, self.u = prepare(outer, u)
        self.g = numeric_function(self.inner_expr, self.var)
        self.f = numeric_function(self.outer_expr, self.u)
        self.gprime = numeric_function(derivative(self.inner_expr, self.var), self.var)
        self.fprime = numeric_function(derivative(self.outer_expr, self.u), self.u)
        composite = self.outer_expr.subs(self.u, self.inner_expr)
        self.composite_derivative = derivative(composite, self.var)  # the engine's (f∘g)′
        self.exact = numeric_function(self.composite_derivative, self.var)
        lo, hi = x_range
        xs = np.linspace(lo, hi + 0.5, 300)
        us = self.g(xs)
        u_lo, u_hi = float(np.nanmin(us)), float(np.nanmax(us))
        pad = 0.08 * (u_hi - u_lo or 1.0)
        u_grid = np.linspace(u_lo - pad, u_hi + pad, 300)
        fig, (left, right) = new_figure(figsize=(8.4, 3.6), ncols=2)
        self.axes = (left, right)
        left.plot(xs, us, color=PALETTE["curve"], lw=2)
        left.set_xlim(lo - 0.1, hi + 0.6)
        left.set_ylim(u_lo - pad, u_hi + pad)
        left.set_xlabel(self.var.name)
        left.set_ylabel(f"{self.u.name} = g({self.var.name}) = {plain_formula(self.inner_expr)}")
        ys = self.f(u_grid)
        y_pad = 0.08 * (float(np.nanmax(ys)) - float(np.nanmin(ys)) or 1.0)
        right.plot(u_grid, ys, color=PALETTE["outer"], lw=2)
        right.set_xlim(u_lo - pad, u_hi + pad)
        right.set_ylim(float(np.nanmin(ys)) - y_pad, float(np.nanmax(ys)) + y_pad)
        right.set_xlabel(self.u.name)
        right.set_ylabel(f"y = f({self.u.name}) = {plain_formula(self.outer_expr)}")
        tidy_axes(left, right)
        style = {"lw": 3, "solid_capstyle": "butt"}
        (self.dx_bar,) = left.plot([], [], color=PALETTE["f_strip"], label="Δx", **style)
        (self.du_bar_left,) = left.plot([], [], color=PALETTE["g_strip"], label="Δu", **style)
        (self.du_bar_right,) = right.plot([], [], color=PALETTE["g_strip"], label="Δu", **style)
        (self.dy_bar,) = right.plot([], [], color=PALETTE["corner"], label="Δy", **style)
        (self.left_pts,) = left.plot([], [], "o", color="black", ms=5, zorder=5)
        (self.right_pts,) = right.plot([], [], "o", color="black", ms=5, zorder=5)
        (self.left_guides,) = left.plot([], [], ":", color="0.45", lw=1)
        (self.right_guides,) = right.plot([], [], ":", color="0.45", lw=1)
        left.legend(loc="lower right", fontsize=8)
        right.legend(loc="lower center", fontsize=8)
        freeze_layout(fig)
        self.cache = StaticCache(fig, [self.dx_bar, self.du_bar_left, self.du_bar_right,
                                       self.dy_bar, self.left_pts, self.right_pts,
                                       self.left_guides, self.right_guides])
        self.ratios: tuple[float, float, float] = (0.0, 0.0, 0.0)
        controls = {
            "x": w.FloatSlider(value=x0, min=lo, max=hi, step=0.05, description=self.var.name,
                               continuous_update=True),
            "dx": w.FloatLogSlider(value=0.1, base=10, min=-3, max=math.log10(0.5), step=0.05,
                                   description="Δx", readout_format=".3g",
                                   continuous_update=True),
        }
        super().__init__(fig, controls, "chain-rule")

    def update(self) -> None:
        x = float(self.controls["x"].value)
        dx = float(self.controls["dx"].value)
        u0, u1 = float(self.g(x)), float(self.g(x + dx))
        y0, y1 = float(self.f(u0)), float(self.f(u1))
        # the nudges drawn just inside the axes they live on: Δx along the x axis, Δu along
        # both u axes, Δy along the y axis; dotted guides lead from the points to them
        (x_lo, x_hi), (u_lo, u_hi) = self.axes[0].get_xlim(), self.axes[0].get_ylim()
        (v_lo, v_hi), (y_lo, y_hi) = self.axes[1].get_xlim(), self.axes[1].get_ylim()
        left_floor, u_axis = u_lo + 0.02 * (u_hi - u_lo), x_lo + 0.02 * (x_hi - x_lo)
        right_floor, y_axis = y_lo + 0.02 * (y_hi - y_lo), v_lo + 0.02 * (v_hi - v_lo)
        self.dx_bar.set_data([x, x + dx], [left_floor, left_floor])
        self.du_bar_left.set_data([u_axis, u_axis], [u0, u1])
        self.du_bar_right.set_data([u0, u1], [right_floor, right_floor])
        self.dy_bar.set_data([y_axis, y_axis], [y0, y1])
        self.left_pts.set_data([x, x + dx], [u0, u1])
        self.right_pts.set_data([u0, u1], [y0, y1])
        nan = math.nan
        self.left_guides.set_data(
            [x, x, nan, x + dx, x + dx, nan, x, u_axis, nan, x + dx, u_axis],
            [u0, left_floor, nan, u1, left_floor, nan, u0, u0, nan, u1, u1])
        self.right_guides.set_data(
            [u0, u0, nan, u1, u1, nan, u0, y_axis, nan, u1, y_axis],
            [y0, right_floor, nan, y1, right_floor, nan, y0, y0, nan, y1, y1])
        du, dy = u1 - u0, y1 - y0
        ratio_u = du / dx
        ratio_y = dy / du if du else math.nan
        self.ratios = (ratio_u, ratio_y, dy / dx)
        gp, fp = float(self.gprime(x)), float(self.fprime(u0))
        self.readout.value = (
            f"{swatch(PALETTE['g_strip'], 'Δu/Δx')} = {fmt(ratio_u, 5)} · "
            f"{swatch(PALETTE['corner'], 'Δy')}/{swatch(PALETTE['g_strip'], 'Δu')} = "
            f"{fmt(ratio_y, 5)} · product Δy/Δx = <b>{fmt(dy / dx, 6)}</b>"
            f"<br>as Δx → 0: g′(x) = {fmt(gp, 5)} and f′(g(x)) = {fmt(fp, 5)}, so "
            f"(f∘g)′({x:g}) = f′(g(x))·g′(x) = <b>{fmt(float(self.exact(x)), 6)}</b> (exact)"
        )


def chain_rule_explorer(
    outer: ExprLike,
    inner: ExprLike,
    x_range: tuple[float, float] = (0.0, 1.5),
    x0: float = 1.0,
    x: sp.Symbol | str | None = None,
    u: sp.Symbol | str = "u",
) -> ChainRuleExplorer:
    """Widget: u = g(x) and y = f(u) side by side; a nudge Δx of x (sliders for x and Δx)
    gives Δu and then Δy, drawn on the axes; the read-out multiplies the two ratios and
    compares the product with the engine's exact (f∘g)′(x). `outer` is a function of `u`."""
    return ChainRuleExplorer(outer, inner, x_range, x0, x=x, u=u)


def example() -> ChainRuleExplorer:
    """The chain-rule widget as lesson 4 builds it: y = sin(u) with u = x²."""
    from .._inputs import real_symbol

    x, u = real_symbol("x"), real_symbol("u")
    return chain_rule_explorer(sp.sin(u), x**2, (0.0, 1.5), 1.0)
