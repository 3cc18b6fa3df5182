"""Zoom in on a point: a smooth graph straightens into a line, a corner never does (lesson 5)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets as w
import numpy as np
import sympy as sp
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .._inputs import ExprLike, as_number
from ..derivatives import Differentiability, differentiability, prepare
from ._base import (
    PALETTE,
    Explorer,
    StaticCache,
    fmt,
    freeze_layout,
    new_figure,
    numeric_function,
    pin_axis_labels,
    swatch,
)

SIDE_SAMPLES = 300

VERDICTS = {
    "differentiable": "differentiable: zoom in and the graph becomes its tangent line",
    "discontinuity": "discontinuity: the graph jumps, no zoom joins the two sides",
    "corner": "corner: however far you zoom, the two sides keep different slopes",
    "cusp": "cusp: zooming makes it sharper, the sides turn vertical in opposite directions",
    "vertical_tangent": "vertical tangent: zoom in and the graph becomes a vertical line",
}


@dataclass
class _Shape:
    """One function of the chooser, prepared once: numeric form, f(a) and how f behaves at a."""

    label: str
    expr: sp.Expr
    f: object
    fa: float
    report: Differentiability
    limits: tuple[float, float] | None = None  # (left, right) limits of f where it jumps


def _slope_float(value: sp.Expr | None) -> float | None:
    if value is None:
        return None
    if value == sp.oo:
        return math.inf
    if value == -sp.oo:
        return -math.inf
    return float(value)


class ZoomExplorer(Explorer):
    """Zoom on (a, f(a)) with equal scales on both axes, over a chooser of functions.

    Controls: `function` (a Dropdown of the labels) and `zoom` (a log-scale slider, ×1 to
    ×10⁴). The dashed rays are the one-sided tangent directions computed by
    `calc_helpers.differentiability`.
    """

    def __init__(
        self,
        functions: Mapping[str, ExprLike],
        a: ExprLike = 0,
        width: float = 1.5,
        max_zoom: float = 1e4,
        x: sp.Symbol | str | None = None,
    ) -> None:
        if not functions:
            raise ValueError("give at least one function: {label: expression}")
        self.a_exact = as_number(a)
        self.a = float(self.a_exact)
        self.width = float(width)
        self.shapes: dict[str, _Shape] = {}
        for label, f in functions.items():
            expr, var = prepare(f, x)
            numeric = numeric_function(expr, var)
            report = differentiability(expr, self.a_exact, var)
            limits = None
            if not report.continuous:
                # where each side is heading, read just beside a (display only)
                limits = tuple(round(float(numeric(self.a + d)), 6) for d in (-1e-9, 1e-9))
            fa = float(numeric(self.a))
            if not math.isfinite(fa):
                raise ValueError(
                    f"{label}: f is not defined at {self.a_exact}, so there is no point to zoom on"
                )
            self.shapes[label] = _Shape(label, expr, numeric, fa, report, limits)
            self.var = var
        self._t = np.linspace(1.0, 0.0, SIDE_SAMPLES)

        fig, ax = new_figure(figsize=(5.2, 4.2))
        self.ax = ax
        # few tick numbers, short (3 significant digits): every zoom redraws them
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.xaxis.set_major_formatter(FuncFormatter(_tick))
        ax.yaxis.set_major_formatter(FuncFormatter(_tick))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.35)
        (self.curve,) = ax.plot([], [], color=PALETTE["curve"], lw=2.2)
        (self.rays,) = ax.plot([], [], "--", color=PALETTE["ray"], lw=1.2)
        (self.point,) = ax.plot([], [], "o", color=PALETTE["point"], ms=6, zorder=5)
        ax.set_xlabel(f"{self.var.name}  (equal scales on both axes)")
        ax.set_ylabel(f"f({self.var.name})")
        # lay out once with the widest tick labels a zoom can show, so none is ever clipped
        ax.set_xlim(-0.00155, 0.00155)
        ax.set_ylim(-0.00155, 0.00155)
        freeze_layout(fig)
        # every update zooms, so the grid is drawn each time (with the spines, which lie over
        # it); the background and the label are cached
        pin_axis_labels(ax)
        self.cache = StaticCache(
            fig, [self.curve, self.rays, self.point, ax.xaxis, ax.yaxis, *ax.spines.values()],
            live_axes=[ax],
        )
        box = ax.get_position()
        size = fig.get_size_inches()
        self._aspect = (box.height * size[1]) / (box.width * size[0])

        labels = list(self.shapes)
        controls = {
            "function": w.Dropdown(options=labels, value=labels[0], description="f(x)"),
            "zoom": w.FloatLogSlider(
                value=1.0, base=10, min=0.0, max=math.log10(max_zoom), step=0.25,
                description="zoom ×", readout_format=".3g", layout=w.Layout(width="340px"),
            ),
        }
        super().__init__(fig, controls, "zoom")

    @property
    def shape(self) -> _Shape:
        """The function the chooser selects."""
        return self.shapes[self.controls["function"].value]

    @property
    def half_width(self) -> float:
        """Half the width of the window around a."""
        return self.width / self.controls["zoom"].value

    def update(self) -> None:
        shape = self.shape
        a, fa, h = self.a, shape.fa, self.half_width
        left_t = self._t if shape.report.continuous else self._t[:-1]
        xs_left = a - h * left_t
        xs_right = a + h * self._t[::-1]
        xs = np.concatenate([xs_left, [np.nan], xs_right])
        ys = np.concatenate([shape.f(xs_left), [np.nan], shape.f(xs_right)])
        self.curve.set_data(xs, ys)
        self.point.set_data([a], [fa])
        self.rays.set_data(*self._ray_data(shape, h))
        self.ax.set_xlim(a - h, a + h)
        self.ax.set_ylim(fa - h * self._aspect, fa + h * self._aspect)
        self.readout.value = self._text(shape, h)

    def _ray_data(self, shape: _Shape, h: float) -> tuple[list[float], list[float]]:
        """Dashed one-sided tangent rays from (a, f(a)), long enough to leave the window."""
        report = shape.report
        if not report.continuous:
            return [], []
        a, fa, reach = self.a, shape.fa, 4 * h
        xs: list[float] = []
        ys: list[float] = []
        for side, value in ((-1, report.left), (1, report.right)):
            slope = _slope_float(value)
            if slope is None:
                continue
            if math.isinf(slope):
                # an infinite one-sided slope: the ray is vertical, up or down
                direction = (0.0, math.copysign(1.0, slope) * side)
            else:
                direction = (float(side), slope * side)
            xs += [a, a + reach * direction[0], math.nan]
            ys += [fa, fa + reach * direction[1], math.nan]
        return xs, ys

    def _text(self, shape: _Shape, h: float) -> str:
        a, fa = self.a, shape.fa
        left = (fa - float(shape.f(a - h))) / h
        right = (float(shape.f(a + h)) - fa) / h
        report = shape.report
        name = self.var.name
        parts = [
            f"window: {name} = {fmt(a)} ± {fmt(h, 3)}",
            f"chord slopes over the window: left {fmt(left, 4)}, right {fmt(right, 4)}",
        ]
        sides = (
            f"one-sided derivatives (computed): left {_exact(report.left)}, "
            f"right {_exact(report.right)}"
        )
        verdict = swatch(PALETTE["ray"], VERDICTS[report.kind])
        if shape.limits is not None:
            lo, hi = shape.limits
            sides += (
                f"<br>f(a) = {fmt(fa)}, but f approaches {fmt(lo)} from the left and "
                f"{fmt(hi)} from the right"
            )
        return " · ".join(parts) + f"<br>{sides}<br>{verdict}"


def _tick(value: float, _position=None) -> str:
    """A tick number: 3 significant digits and a real minus sign."""
    return f"{value:.3g}".replace("-", "−")


def _exact(value: sp.Expr | None) -> str:
    if value is None:
        return "undefined"
    return {sp.oo: "+∞", -sp.oo: "−∞"}.get(value, sp.sstr(value).replace("-", "−"))


def zoom_explorer(
    functions: Mapping[str, ExprLike],
    a: ExprLike = 0,
    width: float = 1.5,
    max_zoom: float = 1e4,
    x: sp.Symbol | str | None = None,
) -> ZoomExplorer:
    """Zoom in on the point a of each labelled function (a Dropdown chooses the function).

    `width` is the half-width of the window at zoom ×1; the zoom slider goes up to `max_zoom`.
    """
    return ZoomExplorer(functions, a, width, max_zoom, x)


def _lesson_functions() -> dict[str, sp.Expr]:
    """The functions lesson 5 zooms on at a = 0, by label (the lesson's `shapes`)."""
    from .._inputs import real_symbol

    x = real_symbol("x")
    return {
        "x² + x/2": x**2 + x / 2,
        "|x|": sp.Abs(x),
        "ReLU = max(x, 0)": sp.Max(x, 0),
        "x^(2/3)": x ** sp.Rational(2, 3),
        "∛x": x ** sp.Rational(1, 3),
        "jump": sp.Piecewise((x, x < 0), (x + 1, True)),
    }


def example() -> ZoomExplorer:
    """The widget as lesson 5 builds it."""
    return zoom_explorer(_lesson_functions(), 0)
