"""Lesson 8: critical points of f(x, y): the gradient arrow, the Hessian's verdict, and gradient
descent (with and without momentum) slowing down near a saddle."""

from __future__ import annotations

import math
from collections.abc import Sequence

import ipywidgets as w
import numpy as np
import sympy as sp

from .. import classify_critical_point, classify_critical_point_2d, gradient
from .. import hessian as hessian_matrix
from .._inputs import as_expr, as_symbol
from ..optimize import compiled_derivative, descent_steps_nd, gradient_descent_nd
from ..vocabulary import POINT_WORDS
from ._base import PALETTE, Explorer, StaticCache, freeze_layout, new_figure, swatch

VERDICT_WORDS = {
    **POINT_WORDS,
    "inconclusive": "inconclusive (det H = 0)",
}


def _prepare(f, variables: Sequence | None) -> tuple[sp.Expr, list[sp.Symbol]]:
    names = ["x", "y"] if variables is None else [as_symbol(v).name for v in variables]
    if len(names) != 2:
        raise ValueError(f"need a function of two variables, got variables {variables!r}")
    return as_expr(f, tuple(names)), [as_symbol(n) for n in names]


def critical_points_2d(
    f, variables: Sequence | None = None
) -> list[tuple[tuple[sp.Expr, sp.Expr], str]]:
    """The isolated real critical points of f(x, y) (where the gradient is zero) and the
    second-derivative test's verdict at each, sorted; curves of critical points are left out."""
    expr, names = _prepare(f, variables)
    try:
        solutions = sp.solve(gradient(expr, names), names, dict=True)
    except NotImplementedError:
        return []
    found = []
    for solution in solutions:
        point = tuple(solution.get(v, v) for v in names)
        if any(p.free_symbols or not p.is_real for p in point):
            continue  # a whole curve of critical points, or a complex one
        found.append((point, classify_critical_point_2d(expr, point, names)))
    return sorted(set(found), key=lambda item: tuple(float(p) for p in item[0]))


def axis_slices(f, variables: Sequence | None = None, point: Sequence = (0, 0)) -> dict[str, str]:
    """What f does along the two lines through a point parallel to the axes.

    {"along x": verdict, "along y": verdict}, each the one-variable classification of the slice
    (first-derivative test). A minimum along one line and a maximum along the other means the
    point is not an extremum, whatever the Hessian says.
    """
    expr, (x, y) = _prepare(f, variables)
    a, b = (sp.nsimplify(p) for p in point)
    return {
        "along x": classify_critical_point(expr.subs(y, b), a, x),
        "along y": classify_critical_point(expr.subs(x, a), b, y),
    }


def steps_to_reach(
    f,
    variables: Sequence,
    start: Sequence[float],
    learning_rate: float,
    target: float,
    momentum: float = 0.0,
    max_steps: int = 500,
) -> int | None:
    """The first step k at which gradient descent (`gradient_descent_nd`) has f(x_k) <= target,
    or None if it does not get there within max_steps."""
    expr, names = _prepare(f, variables)
    path = gradient_descent_nd(expr, names, start, learning_rate, max_steps, momentum=momentum)
    values = sp.lambdify(names, expr, "numpy")(*path.T)
    hits = np.nonzero(np.asarray(values) <= target)[0]
    return int(hits[0]) if hits.size else None


def escape_markdown(
    f,
    variables: Sequence,
    start: Sequence[float],
    learning_rate: float,
    target: float,
    momenta: Sequence[float] = (0.0, 0.5, 0.9),
    max_steps: int = 500,
) -> str:
    """Markdown: steps gradient descent needs to get f below `target`, for each momentum."""
    lines = ["| momentum $\\beta$ | steps until $f \\le " + f"{target:g}$ |", "|---|---|"]
    for beta in momenta:
        k = steps_to_reach(f, variables, start, learning_rate, target, beta, max_steps)
        lines.append(f"| {beta:g} | {k if k is not None else f'more than {max_steps}'} |")
    return "\n".join(lines)


def escape_table(
    f,
    variables: Sequence,
    start: Sequence[float],
    learning_rate: float,
    target: float,
    momenta: Sequence[float] = (0.0, 0.5, 0.9),
    max_steps: int = 500,
):
    """`escape_markdown` rendered in a notebook."""
    from IPython.display import Markdown

    return Markdown(escape_markdown(f, variables, start, learning_rate, target, momenta, max_steps))


def _num(value: float) -> str:
    """A number for a read-out: 4 significant digits, no negative zero."""
    value = float(value)
    return f"{value + 0.0:.4g}" if abs(value) >= 5e-13 else "0"


def _vector_function(exprs, names):
    func = sp.lambdify(names, exprs, "numpy")

    def evaluate(*values):
        return np.array(
            [np.broadcast_to(v, np.shape(values[0])) for v in func(*values)], dtype=float
        )

    return evaluate


class SaddleExplorer(Explorer):
    """Contour plot of f(x, y) with a draggable point, its gradient arrow, the Hessian there and
    two gradient-descent paths from it (plain, and with the momentum slider's value).

    After each update `state` holds the point, f, the gradient, the Hessian, the critical point
    the point sits on (if any) and both descent paths.
    """

    def __init__(
        self, f, variables, point, learning_rate, steps, momentum, x_range, y_range, step
    ) -> None:
        self.expr, self.names = _prepare(f, variables)
        self.learning_rate, self.steps = learning_rate, steps
        self.tolerance = step / 2
        self.gradient_exprs = gradient(self.expr, self.names)
        self.hessian_expr = hessian_matrix(self.expr, self.names)
        self.f = sp.lambdify(self.names, self.expr, "numpy")
        self.grad = _vector_function(self.gradient_exprs, self.names)
        self.hess = _vector_function(list(self.hessian_expr), self.names)
        self._descent_grad = compiled_derivative(
            self.expr, self.names
        )  # as gradient_descent_nd has it
        self._plain_paths: dict[tuple[float, float], np.ndarray] = {}
        self._determinants: dict[tuple, sp.Expr] = {}
        self.critical = [
            (p, verdict)
            for p, verdict in critical_points_2d(self.expr, self.names)
            if x_range[0] <= float(p[0]) <= x_range[1] and y_range[0] <= float(p[1]) <= y_range[1]
        ]
        xs = np.linspace(*x_range, 121)
        ys = np.linspace(*y_range, 121)
        gx, gy = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            z = np.broadcast_to(self.f(gx, gy), gx.shape).astype(float)
            slopes = np.hypot(*self.grad(gx, gy))
        finite = z[np.isfinite(z)]
        low, high = np.percentile(finite, [2, 98])
        fig, ax = new_figure(figsize=(5.6, 4.6))
        levels = np.linspace(low, high, 16)
        ax.contourf(gx, gy, z, levels=levels, cmap="coolwarm", extend="both", alpha=0.9)
        ax.contour(gx, gy, z, levels=levels[::3], colors="k", linewidths=0.5, alpha=0.4)
        self.labels: list = []  # the critical points' names, drawn over the paths
        for p, verdict in self.critical:
            ax.plot([float(p[0])], [float(p[1])], "X", color="black", markersize=9)
            self.labels.append(ax.annotate(
                VERDICT_WORDS[verdict].split(" (")[0],
                (float(p[0]), float(p[1])),
                textcoords="offset points",
                xytext=(7, -13),
                fontsize=8,
                zorder=8,
                bbox={"facecolor": "white", "alpha": 0.85, "linewidth": 0, "pad": 1.5},
            ))
        # arrow lengths: a typical gradient is drawn a fifth of the window wide
        typical = float(np.percentile(slopes[np.isfinite(slopes)], 75)) or 1.0
        self.arrow_scale = typical / (0.2 * (x_range[1] - x_range[0]))
        x0, y0 = point
        self.arrow = ax.quiver(
            [x0],
            [y0],
            [0.0],
            [0.0],
            angles="xy",
            scale_units="xy",
            scale=self.arrow_scale,
            color=PALETTE["gradient"],
            width=0.012,
            zorder=6,
        )
        (self.plain,) = ax.plot(
            [], [], ".-", color=PALETTE["plain"], linewidth=1.2, markersize=4, zorder=4,
            label="gradient descent",
        )
        (self.heavy,) = ax.plot(
            [], [], ".-", color=PALETTE["momentum"], linewidth=1.2, markersize=4, zorder=4,
            label="with momentum",
        )
        (self.dot,) = ax.plot(
            [x0],
            [y0],
            "o",
            color=PALETTE["gradient"],
            markeredgecolor="white",
            markersize=9,
            zorder=7,
        )
        ax.set_xlim(*x_range)
        ax.set_ylim(*y_range)
        ax.set_xlabel(self.names[0].name)
        ax.set_ylabel(self.names[1].name)
        ax.text(
            0.01,
            0.99,
            f"f = {sp.sstr(self.expr).replace('**', '^')}",
            transform=ax.transAxes,
            fontsize=9,
            va="top",
            ha="left",
            bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0},
        )
        ax.legend(handles=[self.plain, self.heavy], loc="lower left", fontsize=8,
                  framealpha=0.85)
        self.axes = ax
        self.state: dict = {}
        controls = {
            "x": w.FloatSlider(
                value=x0,
                min=x_range[0],
                max=x_range[1],
                step=step,
                description=self.names[0].name,
                continuous_update=True,
            ),
            "y": w.FloatSlider(
                value=y0,
                min=y_range[0],
                max=y_range[1],
                step=step,
                description=self.names[1].name,
                continuous_update=True,
            ),
            "momentum": w.FloatSlider(
                value=momentum,
                min=0.0,
                max=0.95,
                step=0.05,
                description="momentum",
                continuous_update=True,
            ),
        }
        freeze_layout(fig, nbins=5)
        # the contours, markers and labels are drawn once; each update draws only what moves
        self.cache = StaticCache(fig, [self.arrow, self.plain, self.heavy, self.dot, *self.labels])
        super().__init__(fig, controls, "saddle-explorer")

    def _descent(self, start: tuple[float, float], momentum: float) -> np.ndarray:
        """`gradient_descent_nd`'s iterates from start, with the gradient lambdified once; the
        run without momentum is remembered per start (the momentum slider does not move it)."""
        if momentum == 0.0 and start in self._plain_paths:
            return self._plain_paths[start]
        path = descent_steps_nd(self._descent_grad, start, self.learning_rate, self.steps, momentum)
        if momentum == 0.0:
            if len(self._plain_paths) > 256:
                self._plain_paths.clear()
            self._plain_paths[start] = path
        return path

    def _critical_here(self, x: float, y: float):
        for p, verdict in self.critical:
            if abs(float(p[0]) - x) <= self.tolerance and abs(float(p[1]) - y) <= self.tolerance:
                return p, verdict
        return None

    def update(self) -> None:
        x, y = float(self.controls["x"].value), float(self.controls["y"].value)
        beta = float(self.controls["momentum"].value)
        here = self._critical_here(x, y)
        if here is not None:  # snap onto the exact critical point
            x, y = float(here[0][0]), float(here[0][1])
        with np.errstate(all="ignore"):
            value = float(self.f(x, y))
            gx, gy = (float(g) for g in self.grad(x, y))
            h = self.hess(x, y).reshape(2, 2)
        plain = self._descent((x, y), 0.0)
        heavy = self._descent((x, y), beta)
        self.dot.set_data([x], [y])
        self.arrow.set_offsets([[x, y]])
        self.arrow_shrink = self._fit_arrow(x, y, gx, gy)
        self.arrow.set_UVC([gx * self.arrow_shrink], [gy * self.arrow_shrink])
        self.plain.set_data(plain[:, 0], plain[:, 1])
        self.heavy.set_data(heavy[:, 0], heavy[:, 1])
        self.state = {
            "x": x,
            "y": y,
            "f": value,
            "gradient": (gx, gy),
            "hessian": h,
            "critical": here,
            "plain": plain,
            "momentum": heavy,
        }
        self.readout.value = self._readout(x, y, value, gx, gy, h, here, plain, heavy, beta)

    def _fit_arrow(self, x: float, y: float, gx: float, gy: float) -> float:
        """The factor (at most 1) that keeps the arrow's tip inside the axes: an arrow is
        never clipped, a long one near the edge is drawn shorter (the read-out has |∇f|)."""
        if not (math.isfinite(gx) and math.isfinite(gy)):
            return 1.0
        factor = 1.0
        for start, change, (low, high) in ((x, gx, self.axes.get_xlim()),
                                           (y, gy, self.axes.get_ylim())):
            reach = change / self.arrow_scale
            room = (high - start) if reach > 0 else (start - low)
            if reach and abs(reach) > 0.97 * room:
                factor = min(factor, max(0.0, 0.97 * room / abs(reach)))
        return factor

    def _readout(self, x, y, value, gx, gy, h, here, plain, heavy, beta) -> str:
        n = self.names
        eig = np.linalg.eigvalsh(h) if np.all(np.isfinite(h)) else (np.nan, np.nan)
        lines = [
            f"At ({n[0]}, {n[1]}) = ({x:.2f}, {y:.2f}): f = {_num(value)}, "
            + swatch(PALETTE["gradient"], f"&nabla;f = ({_num(gx)}, {_num(gy)})")
            + f", |&nabla;f| = {_num(np.hypot(gx, gy))} (the arrow points uphill; gradient "
            "descent steps the opposite way, along &minus;&nabla;f"
            + ("; drawn shorter to fit the window" if 0 < self.arrow_shrink < 1 else "")
            + ("; it points out of the window" if self.arrow_shrink == 0 else "") + ").",
            f"Hessian here: [[{_num(h[0, 0])}, {_num(h[0, 1])}], [{_num(h[1, 0])}, "
            f"{_num(h[1, 1])}]], eigenvalues {_num(eig[0])} and {_num(eig[1])}.",
        ]
        if here is not None:
            point, verdict = here
            if point not in self._determinants:
                at = dict(zip(n, point, strict=True))
                self._determinants[point] = sp.simplify(self.hessian_expr.subs(at).det())
            det = self._determinants[point]
            lines.append(
                f"<b>Critical point ({sp.sstr(point[0])}, {sp.sstr(point[1])})</b>: &nabla;f = 0, "
                f"det H = {sp.sstr(det)} &rArr; second-derivative test: "
                f"<b>{VERDICT_WORDS[verdict]}</b>."
            )
            if verdict == "inconclusive":
                lines.append("The test is silent here: look at f along lines through the point.")
        elif not self.critical:
            lines.append("f has no isolated critical point in this window.")
        else:
            lines.append("Not a critical point: &nabla;f &ne; 0 here.")
        end_plain, end_heavy = plain[-1], heavy[-1]
        lines.append(
            f"After {len(plain) - 1} steps (learning rate {self.learning_rate:g}): "
            + swatch(PALETTE["plain"], "plain gradient descent")
            + f" is at ({_num(end_plain[0])}, {_num(end_plain[1])}); "
            + swatch(PALETTE["momentum"], f"with momentum {beta:g}")
            + f" at ({_num(end_heavy[0])}, {_num(end_heavy[1])})."
        )
        return "<br>".join(lines)


def saddle_explorer(
    f,
    variables: Sequence | None = None,
    point: tuple[float, float] = (1.5, 0.05),
    learning_rate: float = 0.1,
    steps: int = 30,
    momentum: float = 0.9,
    x_range: tuple[float, float] = (-2.0, 2.0),
    y_range: tuple[float, float] = (-2.0, 2.0),
    step: float = 0.01,
) -> SaddleExplorer:
    """Widget: contour plot of f(x, y) with a point moved by sliders x and y.

    Shows the gradient arrow at the point, the Hessian there (its verdict at a critical point),
    and `steps` steps of gradient descent from the point without momentum and with the momentum
    slider's value (both from `gradient_descent_nd`).
    """
    return SaddleExplorer(
        f, variables, point, learning_rate, steps, momentum, x_range, y_range, step
    )


def example() -> SaddleExplorer:
    """The lesson's widget: the saddle x**2 - y**2, starting near the saddle's stable axis."""
    x, y = as_symbol("x"), as_symbol("y")
    return saddle_explorer(x**2 - y**2, (x, y), point=(1.5, 0.05))
