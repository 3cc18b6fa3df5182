"""Secant to tangent: the difference quotient as Δx shrinks from either side (lesson 3)."""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp
from matplotlib.ticker import MaxNLocator

from .._inputs import ExprLike, as_number
from ..derivatives import differentiability, prepare
from ._base import Explorer, StaticCache, freeze_layout, new_figure, swatch


def numeric_function(expr: sp.Expr, var: sp.Symbol):
    """f as a NumPy function of an array (or a float): real values, nan where f is undefined."""
    func = sp.lambdify(var, expr, "numpy")

    def evaluate(values):
        arr = np.asarray(values, dtype=float)
        with np.errstate(all="ignore"):
            result = np.asarray(func(arr))
            if np.iscomplexobj(result):
                result = np.where(np.abs(result.imag) < 1e-12, result.real, np.nan)
            result = np.broadcast_to(result.astype(float), arr.shape)
        return result if result.ndim else float(result)

    return evaluate


def fmt(value: float, digits: int = 6) -> str:
    """A float for a read-out: 6 significant digits, a real minus sign, 'undefined' for nan."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if isinstance(value, float) and math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}".replace("-", "−")


def tidy_axes(*axes, nbins: int = 5) -> None:
    """Few ticks (each tick label costs a text render on every draw) and a light grid."""
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(nbins))
        ax.yaxis.set_major_locator(MaxNLocator(nbins))
        ax.grid(alpha=0.3)


COLORS = {"curve": "#1f77b4", "secant": "#d62728", "tangent": "#404040", "point": "#2ca02c"}


def limits_from(values: np.ndarray, margin: float = 0.1) -> tuple[float, float]:
    """Axis limits around the finite values, with a margin."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return -1.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = (hi - lo) * margin or 1.0
    return lo - pad, hi + pad


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
        ax.plot(grid, values, color=COLORS["curve"], lw=2, label="y = f(x)")
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
                ends, self.fa + slope * (ends - self.a), "--", color=COLORS["tangent"], lw=1.2,
                label="tangent at a",
            )
        (self.secant_line,) = ax.plot([], [], color=COLORS["secant"], lw=1.6, label="secant")
        (self.run_rise,) = ax.plot([], [], ":", color=COLORS["secant"], lw=1.2)
        (self.anchor,) = ax.plot([self.a], [self.fa], "o", color="k", ms=6, zorder=5)
        (self.moving,) = ax.plot([], [], "o", color=COLORS["secant"], ms=7, zorder=6)
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
            swatch(COLORS["secant"], "secant")
            + f" slope (f(a + {d}) − f(a)) / {d} = <b>{fmt(slope, 8)}</b>",
        ]
        if self.derivative is not None:
            parts.append(
                swatch(COLORS["tangent"], "tangent (dashed)")
                + f" slope f′(a) = <b>{sp.sstr(self.derivative)}</b> (exact)"
            )
            parts.append(f"gap = {fmt(slope - float(self.derivative), 3)}")
        else:
            kind = self.report.kind.replace("_", " ")
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
