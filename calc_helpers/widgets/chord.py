"""Lesson 7: the chord (Jensen) test of convexity, f((1-t)a + tb) <= (1-t)f(a) + t f(b)."""

from __future__ import annotations

import ipywidgets as w
import numpy as np
import sympy as sp

from .. import is_convex
from ..derivatives import prepare
from ..ml_losses import numeric
from ._base import PALETTE, Explorer, StaticCache, freeze_layout, new_figure, swatch

TOLERANCE = 1e-9  # relative slack when comparing f with the chord (round-off, not maths)


def jensen_holds(f_value: float, chord_value: float) -> bool:
    """Whether f((1-t)a + tb) <= (1-t)f(a) + t f(b), up to floating-point round-off."""
    return f_value <= chord_value + TOLERANCE * max(1.0, abs(chord_value))


class ChordExplorer(Explorer):
    """Two points a, b on the graph, their chord, and the point (1-t)a + tb compared with it.

    `state` holds the numbers behind the picture after each update: a, b, t, x_t, f(x_t),
    the chord's height there and whether Jensen's inequality holds.
    """

    def __init__(self, f, a: float, b: float, t: float, x, x_range, step: float) -> None:
        self.expr, self.var = prepare(f, x)
        self.f = numeric(self.expr, self.var)
        lo, hi = x_range
        try:  # convexity on the window shown (a periodic f has no finite answer on all of R)
            self.convex: bool | None = is_convex(self.expr, self.var, sp.Interval(lo, hi))
        except ValueError:
            self.convex = None
        grid = np.linspace(lo, hi, 600)
        values = self.f(grid)
        fig, ax = new_figure(figsize=(7.6, 4.0))
        ax.plot(grid, values, color=PALETTE["curve"], linewidth=2, label="graph of f")
        (self.chord,) = ax.plot([], [], color=PALETTE["chord"], linewidth=1.8, label="chord")
        self.ends = ax.scatter([a, b], [0, 0], color=PALETTE["chord"], zorder=4, s=40)
        (self.gap,) = ax.plot([], [], linewidth=3, alpha=0.6)
        (self.on_curve,) = ax.plot([], [], "o", color=PALETTE["curve"], markersize=8, zorder=5,
                                   label="f at the point")
        (self.on_chord,) = ax.plot([], [], "s", color=PALETTE["chord"], markersize=7, zorder=5,
                                   label="chord at the point")
        # outside the axes: nothing that moves can cross it
        ax.legend(handles=[ax.lines[0], self.chord, self.on_curve, self.on_chord],
                  loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, fontsize=8)
        finite = values[np.isfinite(values)]
        bottom, top = float(finite.min()), float(finite.max())
        margin = 0.08 * (top - bottom or 1.0)
        ax.set_xlim(lo, hi)
        ax.set_ylim(bottom - margin, top + margin)
        ax.set_xlabel(self.var.name)
        ax.set_ylabel(f"f({self.var.name})")
        ax.grid(alpha=0.3)
        formula = sp.sstr(self.expr).replace("**", "^")
        ax.text(0.01, 0.99, f"f({self.var.name}) = {formula}", transform=ax.transAxes,
                fontsize=9, va="top", ha="left")
        self.axes = ax
        self.state: dict[str, float | bool | None] = {}
        slider = dict(min=lo, max=hi, step=step, continuous_update=True, readout_format=".2f")
        controls = {
            "a": w.FloatSlider(value=a, description="a", **slider),
            "b": w.FloatSlider(value=b, description="b", **slider),
            "t": w.FloatSlider(value=t, min=0.0, max=1.0, step=0.01, description="t",
                               continuous_update=True),
        }
        freeze_layout(fig, nbins=5)
        # the curve, axes and formula are drawn once; each update draws only what moves
        self.cache = StaticCache(
            fig, [self.chord, self.ends, self.gap, self.on_curve, self.on_chord]
        )
        super().__init__(fig, controls, "chord-explorer")

    def update(self) -> None:
        a, b, t = (float(self.controls[k].value) for k in ("a", "b", "t"))
        fa, fb = (float(v) for v in self.f(np.array([a, b])))
        xt = (1 - t) * a + t * b
        ft = float(self.f(np.array([xt]))[0])
        chord_t = (1 - t) * fa + t * fb
        self.state = {"a": a, "b": b, "t": t, "fa": fa, "fb": fb, "x_t": xt, "f_t": ft,
                      "chord_t": chord_t, "holds": None}
        if not all(np.isfinite([fa, fb, ft])):
            for line in (self.chord, self.gap, self.on_curve, self.on_chord):
                line.set_data([], [])
            self.ends.set_offsets(np.empty((0, 2)))
            self.readout.value = (
                f"f is not defined at a = {a:.2f}, b = {b:.2f} or (1-t)a + tb = {xt:.3f}: "
                "move the points into the domain."
            )
            return
        holds = jensen_holds(ft, chord_t)
        self.state["holds"] = holds
        color = PALETTE["holds"] if holds else PALETTE["fails"]
        self.chord.set_data([a, b], [fa, fb])
        self.ends.set_offsets([[a, fa], [b, fb]])
        self.on_curve.set_data([xt], [ft])
        self.on_chord.set_data([xt], [chord_t])
        self.gap.set_data([xt, xt], [ft, chord_t])
        self.gap.set_color(color)
        sign = "&le;" if holds else "&gt;"
        if holds:
            verdict = swatch(PALETTE["holds"], "Jensen's inequality holds here.")
        else:
            verdict = (
                swatch(PALETTE["fails"], "Jensen's inequality fails here:")
                + " the graph rises above its chord, so f is <b>not convex</b> on this interval."
            )
        lo, hi = self.axes.get_xlim()
        window = f"on [{lo:g}, {hi:g}]"
        if self.convex is None:
            overall = f"The engine could not decide whether f is convex {window}."
        elif self.convex:
            overall = (f"The engine (is_convex) says f is convex {window}, so no choice of a, b "
                       "and t there can break the inequality.")
        else:
            overall = (f"The engine (is_convex) says f is not convex {window}: find a, b and t "
                       "where the inequality fails.")
        self.readout.value = (
            f"x<sub>t</sub> = (1 &minus; t)a + tb = {xt:.3f}: &nbsp; "
            + swatch(PALETTE["curve"], f"f(x<sub>t</sub>) = {ft:.4f}")
            + f" {sign} "
            + swatch(PALETTE["chord"], f"chord (1 &minus; t)f(a) + t f(b) = {chord_t:.4f}")
            + f". &nbsp; {verdict}<br><span style='color:#555'>{overall}</span>"
        )


def chord_explorer(
    f,
    a: float,
    b: float,
    t: float = 0.5,
    x=None,
    x_range: tuple[float, float] | None = None,
    step: float = 0.05,
) -> ChordExplorer:
    """Widget: sliders a, b and t; the chord from (a, f(a)) to (b, f(b)) against the curve.

    The read-out compares f((1-t)a + tb) with the chord's height (1-t)f(a) + t f(b) there and
    says whether Jensen's inequality holds. `x_range` (default: a and b widened by 1.5) is the
    plotted window and the sliders' range.
    """
    if x_range is None:
        x_range = (min(a, b) - 1.5, max(a, b) + 1.5)
    return ChordExplorer(f, a, b, t, x, x_range, step)


def example() -> ChordExplorer:
    """The lesson's widget: the two-layer network's loss (w**2 - 1)**2, not convex."""
    from ..ml_losses import deep_slice

    return chord_explorer(deep_slice(), -1.2, 0.9, 0.5, x_range=(-1.7, 1.7))
