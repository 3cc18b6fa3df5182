"""The product rule as areas: a rectangle f(x) wide and g(x) tall grows, when x is nudged by
Δx, by a strip g·Δf, a strip f·Δg and a corner Δf·Δg that vanishes faster than Δx (lesson 4)."""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp
from matplotlib.patches import Rectangle

from .._inputs import ExprLike, as_number
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


class ProductRuleExplorer(Explorer):
    """Rectangles for f(x)·g(x) and its growth under the nudge Δx (sliders `x` and `dx`).

    `pieces` holds the three parts of Δ(fg) at the current controls: g·Δf, f·Δg and Δf·Δg
    (their sum is exactly f(x + Δx)g(x + Δx) − f(x)g(x)).
    """

    def __init__(
        self,
        f: ExprLike,
        g: ExprLike,
        x_range: tuple[float, float],
        x0: float,
        x: sp.Symbol | str | None = None,
    ) -> None:
        self.f_expr, self.var = prepare(f, x)
        self.g_expr, _ = prepare(g, self.var)
        self.f = numeric_function(self.f_expr, self.var)
        self.g = numeric_function(self.g_expr, self.var)
        # the exact product rule, from the engine
        self.product_derivative = derivative(self.f_expr * self.g_expr, self.var)
        self.fprime = numeric_function(derivative(self.f_expr, self.var), self.var)
        self.gprime = numeric_function(derivative(self.g_expr, self.var), self.var)
        self.exact = numeric_function(self.product_derivative, self.var)
        lo, hi = x_range
        top = hi + 0.5  # the largest x + Δx
        grid = np.linspace(lo, top, 200)
        fs, gs = self.f(grid), self.g(grid)
        if np.any(fs <= 0) or np.any(gs <= 0):
            raise ValueError("f and g must be positive on the range (they are lengths here)")
        fig, ax = new_figure(figsize=(7.2, 4.0))
        self.ax = ax
        ax.set_xlim(0, float(fs.max()) * 1.05)
        ax.set_ylim(0, float(gs.max()) * 1.05)
        ax.set_aspect("auto")
        ax.set_xlabel(f"width f({self.var.name}) = {plain_formula(self.f_expr)}")
        ax.set_ylabel(f"height g({self.var.name}) = {plain_formula(self.g_expr)}")
        tidy_axes(ax)
        ax.set_axisbelow(True)  # the grid under the areas, as in the cached drawing
        self.area = Rectangle((0, 0), 1, 1, color=PALETTE["area"], label="f·g (before)")
        self.f_strip = Rectangle((0, 0), 1, 1, color=PALETTE["f_strip"], alpha=0.8,
                                 label="g·Δf (width grows)")
        self.g_strip = Rectangle((0, 0), 1, 1, color=PALETTE["g_strip"], alpha=0.8,
                                 label="f·Δg (height grows)")
        self.corner = Rectangle((0, 0), 1, 1, color=PALETTE["corner"], label="Δf·Δg (corner)")
        for patch in (self.area, self.f_strip, self.g_strip, self.corner):
            ax.add_patch(patch)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, borderaxespad=0)
        freeze_layout(fig)
        # the spines are drawn over the areas (as Matplotlib does), so they move with them
        self.cache = StaticCache(fig, [self.area, self.f_strip, self.g_strip, self.corner,
                                       *ax.spines.values()])
        self.pieces: tuple[float, float, float] = (0.0, 0.0, 0.0)
        controls = {
            "x": w.FloatSlider(value=x0, min=lo, max=hi, step=0.05, description=self.var.name,
                               continuous_update=True),
            "dx": w.FloatLogSlider(value=0.3, base=10, min=-2, max=math.log10(0.5), step=0.05,
                                   description="Δx", readout_format=".3g",
                                   continuous_update=True),
        }
        super().__init__(fig, controls, "product-rule")

    def update(self) -> None:
        x = float(self.controls["x"].value)
        dx = float(self.controls["dx"].value)
        f0, g0 = float(self.f(x)), float(self.g(x))
        df, dg = float(self.f(x + dx)) - f0, float(self.g(x + dx)) - g0
        self.area.set_bounds(0, 0, f0, g0)
        self.f_strip.set_bounds(f0, 0, df, g0)
        self.g_strip.set_bounds(0, g0, f0, dg)
        self.corner.set_bounds(f0, g0, df, dg)
        self.pieces = (g0 * df, f0 * dg, df * dg)
        a, b, c = (p / dx for p in self.pieces)
        exact = float(self.exact(x))
        self.readout.value = (
            f"Δ(f·g)/Δx = {swatch(PALETTE['f_strip'], 'g·Δf/Δx')} {fmt(a, 5)} + "
            f"{swatch(PALETTE['g_strip'], 'f·Δg/Δx')} {fmt(b, 5)} + "
            f"{swatch(PALETTE['corner'], 'Δf·Δg/Δx')} {fmt(c, 3)} = <b>{fmt(a + b + c, 6)}</b>"
            f"<br>as Δx → 0 the corner term vanishes: g·f′ + f·g′ = "
            f"{fmt(g0 * float(self.fprime(x)), 5)} + {fmt(f0 * float(self.gprime(x)), 5)} = "
            f"<b>{fmt(exact, 6)}</b> = (f·g)′({x:g}), exact"
        )


def product_rule_explorer(
    f: ExprLike,
    g: ExprLike,
    x_range: tuple[float, float] = (0.5, 1.5),
    x0: float = 1.0,
    x: sp.Symbol | str | None = None,
) -> ProductRuleExplorer:
    """Widget: the rectangle f(x) by g(x) and the strips it gains when x grows by Δx (sliders
    for x and Δx); the read-out splits Δ(fg)/Δx into its three pieces next to the engine's
    exact (fg)′(x). f and g must be positive on `x_range` (and up to 0.5 beyond it)."""
    if not math.isfinite(float(as_number(x0))):
        raise ValueError("x0 must be a finite number")
    return ProductRuleExplorer(f, g, x_range, x0, x=x)


def example() -> ProductRuleExplorer:
    """The widget as lesson 4 builds it: f(x) = x², g(x) = x + 1."""
    from .._inputs import real_symbol

    x = real_symbol("x")
    return product_rule_explorer(x**2, x + 1, (0.5, 1.5), 1.0)

