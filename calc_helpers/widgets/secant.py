"""Secant to tangent: the difference quotient as Δx shrinks from either side (lesson 2)."""

from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import sympy as sp
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.ticker import MaxNLocator

from .._inputs import ExprLike, as_number
from ..derivatives import differentiability, prepare
from ._base import Explorer, new_figure


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


def freeze_layout(fig) -> None:
    """Run the constrained layout once, then keep it: a layout pass per draw costs more than
    drawing the artists. Limits that move later must keep tick labels short."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")


def swatch(color: str, text: str) -> str:
    """Coloured text for a read-out, standing in for a legend (a legend is slow to redraw)."""
    return f'<span style="color:{color};font-weight:600">{text}</span>'


COLORS = {"curve": "#1f77b4", "secant": "#d62728", "tangent": "#404040", "point": "#2ca02c"}


class StaticCache:
    """Draw what does not move once, as a bitmap; each later draw pastes it and draws `dynamic`.

    Text is the slow part of a Matplotlib draw (about a millisecond per tick label), so a
    widget whose axes keep their limits hands its moving artists to `StaticCache(fig, dynamic)`
    and every other artist of the figure (curves, axes, ticks, labels) is rendered once per
    size, dpi and set of axis limits. Only Agg renderers (ipympl, inline PNG) use the cache;
    any other renderer (savefig to PDF or SVG) draws the figure as usual. Dynamic artists must
    lie above the static ones (higher zorder), as moving things usually do.
    """

    def __init__(self, figure, dynamic) -> None:
        self.figure = figure
        self.dynamic = list(dynamic)
        self.version = 0
        self.renders = 0  # how many times the static layer was rendered (for tests)
        self._key = None
        self._image = None
        self._draw_figure = figure.draw  # the bound Figure.draw
        figure.draw = self.draw

    def invalidate(self) -> None:
        """Call after changing a static artist: the next draw renders the static layer again."""
        self.version += 1

    def _static_artists(self) -> list:
        dynamic = {id(a) for a in self.dynamic}
        fig = self.figure
        found = [c for c in fig.get_children() if c not in fig.axes]
        for ax in fig.axes:
            found.extend(c for c in ax.get_children() if id(c) not in dynamic)
        return found

    def _current_key(self, renderer) -> tuple:
        limits = tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.figure.axes)
        return (renderer.width, renderer.height, self.figure.dpi, limits, self.version)

    @staticmethod
    def _hide(artists) -> list[bool]:
        # set the private flag, not set_visible(): that would mark the figure stale and, in
        # interactive mode, ask for yet another draw
        saved = [a._visible for a in artists]
        for a in artists:
            a._visible = False
        return saved

    @staticmethod
    def _restore(artists, saved) -> None:
        for a, visible in zip(artists, saved, strict=True):
            a._visible = visible

    def draw(self, renderer) -> None:
        """Figure.draw with the static layer pasted from the cache (Agg renderers only)."""
        if not isinstance(renderer, RendererAgg):
            return self._draw_figure(renderer)
        key = self._current_key(renderer)
        if key != self._key or self._image is None:
            layer = RendererAgg(renderer.width, renderer.height, self.figure.dpi)
            saved = self._hide(self.dynamic)
            try:
                self._draw_figure(layer)
            finally:
                self._restore(self.dynamic, saved)
            self._image = np.asarray(layer.buffer_rgba())[::-1].copy()
            self._key = key
            self.renders += 1
        static = self._static_artists()
        saved = self._hide(static)
        try:
            gc = renderer.new_gc()
            renderer.draw_image(gc, 0, 0, self._image)
            gc.restore()
            self._draw_figure(renderer)
        finally:
            self._restore(static, saved)


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

        fig, ax = new_figure(figsize=(6.0, 3.8))
        self.ax = ax
        grid = np.linspace(self.window[0], self.window[1], 400)
        values = self.f(grid)
        ax.plot(grid, values, color=COLORS["curve"], lw=2)
        ax.set_xlim(*self.window)
        ax.set_ylim(*limits_from(values, 0.15))
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xlabel(self.var.name)
        tidy_axes(ax)
        ends = np.array(self.window)
        self.tangent_line = None
        if self.derivative is not None:
            slope = float(self.derivative)
            (self.tangent_line,) = ax.plot(
                ends, self.fa + slope * (ends - self.a), "--", color=COLORS["tangent"], lw=1.2
            )
        (self.secant_line,) = ax.plot([], [], color=COLORS["secant"], lw=1.6)
        (self.run_rise,) = ax.plot([], [], ":", color=COLORS["secant"], lw=1.2)
        (self.anchor,) = ax.plot([self.a], [self.fa], "o", color="k", ms=6, zorder=5)
        (self.moving,) = ax.plot([], [], "o", color=COLORS["secant"], ms=7, zorder=6)
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
    """The widget as lesson 2 builds it."""
    from .._inputs import real_symbol

    x = real_symbol("x")
    return secant_explorer(x**3 - x, 1)
