"""Secant to tangent: the difference quotient as Δx shrinks from either side (lesson 3)."""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp

from .._inputs import ExprLike, as_number
from ..derivatives import differentiability, prepare
from ..vocabulary import DIFFERENTIABILITY_WORDS
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


class SecantExplorer(Explorer):
    """The secant through (a, f(a)) and (a + Δx, f(a + Δx)) and the tangent it approaches.

    Controls: `dx`, a log-scale slider for |Δx| (never 0), and `side`, the sign of Δx.
    `slope` is the current difference quotient (f(a + Δx) − f(a)) / Δx.
    """

    def __init__(
        self,
        f: ExprLike,
        a: ExprLike,
        window: tuple[float, float] | None = None,
        dx_range: tuple[float, float] = (1e-3, 1.0),
        dx: float = 1.0,
        x: sp.Symbol | str | None = None,
    ) -> None:
        self.expr, self.var = prepare(f, x)
        self.a_exact = as_number(a)
        self.a = float(self.a_exact)
        self.f = numeric_function(self.expr, self.var)
        self.fa = float(self.f(self.a))
        self.report = differentiability(self.expr, self.a_exact, self.var)
        lo_dx, hi_dx = dx_range
        if not 0 < lo_dx < hi_dx:
            raise ValueError(f"dx_range must be 0 < low < high, got {dx_range!r}")
        if not lo_dx <= dx <= hi_dx:
            raise ValueError(f"dx = {dx} is outside dx_range {dx_range}")
        if window is None:
            window = (self.a - 1.25 * hi_dx, self.a + 1.25 * hi_dx)
        self.window = tuple(float(v) for v in window)
        self.derivative = None
        if self.report.kind == "differentiable":
            sides = (self.report.right, self.report.left)
            self.derivative = next(d for d in sides if d is not None)

        fig, ax = new_figure(figsize=(7.2, 3.8))
        self.ax = ax
        grid = np.linspace(self.window[0], self.window[1], 400)
        values = self.f(grid)
        ax.plot(grid, values, color=PALETTE["curve"], lw=2, label="y = f(x)")
        ax.set_xlim(*self.window)
        ax.set_ylim(*limits_from(values, 0.15))
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xlabel(self.var.name)
        ax.set_ylabel(f"f({self.var.name})")
        tidy_axes(ax)
        ends = np.array(self.window)
        self.tangent_line = None
        if self.derivative is not None:
            slope = float(self.derivative)
            (self.tangent_line,) = ax.plot(
                ends, self.fa + slope * (ends - self.a), "--", color=PALETTE["tangent"], lw=1.2,
                label="tangent at a",
            )
        (self.secant_line,) = ax.plot([], [], color=PALETTE["secant"], lw=1.6, label="secant")
        (self.run_rise,) = ax.plot([], [], ":", color=PALETTE["secant"], lw=1.2)
        (self.anchor,) = ax.plot([self.a], [self.fa], "o", color="k", ms=6, zorder=5)
        (self.moving,) = ax.plot([], [], "o", color=PALETTE["secant"], ms=7, zorder=6)
        # outside the axes: the secant, which spans the window, never crosses it
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, fontsize=8)
        freeze_layout(fig)
        self.cache = StaticCache(fig, [self.secant_line, self.run_rise, self.anchor, self.moving])

        controls = {
            "dx": w.FloatLogSlider(
                value=dx, base=10, min=math.log10(lo_dx), max=math.log10(hi_dx), step=0.05,
                description="|Δx|", readout_format=".4g", layout=w.Layout(width="360px"),
            ),
            "side": w.ToggleButtons(
                options=[("right: Δx > 0", 1), ("left: Δx < 0", -1)], value=1,
                description="side", style={"button_width": "110px"},
            ),
        }
        super().__init__(fig, controls, "secant")

    @property
    def h(self) -> float:
        """The signed Δx the controls select (never 0)."""
        return self.controls["side"].value * self.controls["dx"].value

    @property
    def slope(self) -> float:
        """The difference quotient at the current Δx."""
        h = self.h
        return (float(self.f(self.a + h)) - self.fa) / h

    def update(self) -> None:
        h = self.h
        xh = self.a + h
        fh = float(self.f(xh))
        slope = (fh - self.fa) / h
        ends = np.array(self.window)
        self.secant_line.set_data(ends, self.fa + slope * (ends - self.a))
        self.run_rise.set_data([self.a, xh, xh], [self.fa, self.fa, fh])
        self.moving.set_data([xh], [fh])
        d = f"Δ{self.var.name}"
        parts = [
            f"{d} = {fmt(h)}",
            swatch(PALETTE["secant"], "secant")
            + f" slope (f(a + {d}) − f(a)) / {d} = <b>{fmt(slope, 8)}</b>",
        ]
        if self.derivative is not None:
            parts.append(
                swatch(PALETTE["tangent"], "tangent (dashed)")
                + f" slope f′(a) = <b>{sp.sstr(self.derivative)}</b> (exact)"
            )
            parts.append(f"gap = {fmt(slope - float(self.derivative), 3)}")
        else:
            kind = DIFFERENTIABILITY_WORDS[self.report.kind]
            parts.append(f"f′(a) does not exist here ({kind})")
        self.readout.value = " · ".join(parts)


def secant_explorer(
    f: ExprLike,
    a: ExprLike,
    window: tuple[float, float] | None = None,
    dx_range: tuple[float, float] = (1e-3, 1.0),
    dx: float = 1.0,
    x: sp.Symbol | str | None = None,
) -> SecantExplorer:
    """Secant lines through (a, f(a)) with a |Δx| slider (log scale) and a left/right toggle.

    The read-out shows the difference quotient next to the exact derivative f′(a).
    """
    return SecantExplorer(f, a, window=window, dx_range=dx_range, dx=dx, x=x)


def example() -> SecantExplorer:
    """The widget as lesson 3 builds it."""
    from .._inputs import real_symbol

    x = real_symbol("x")
    return secant_explorer(x**3 - x, 1)
