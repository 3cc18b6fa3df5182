"""Gradient descent and Newton's method iterates, for the lessons' optimisation demos."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import sympy as sp

from ._inputs import ExprLike, as_expr, as_symbol
from .derivatives import prepare

DIVERGED = 1e12  # iterates beyond this size count as diverged and stop the run


def _checked(steps: int, learning_rate: float | None = None) -> None:
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    if learning_rate is not None and not (learning_rate > 0 and math.isfinite(learning_rate)):
        raise ValueError(f"the learning rate must be a positive number, got {learning_rate!r}")


def gradient_descent(
    f: ExprLike, x0: float, learning_rate: float, steps: int, x: sp.Symbol | str | None = None
) -> list[float]:
    """Iterates x_{k+1} = x_k - learning_rate * f'(x_k), starting at x0 (steps + 1 values).

    The run stops early once an iterate is not finite or exceeds 1e12 in size (divergence).
    """
    _checked(steps, learning_rate)
    expr, var = prepare(f, x)
    slope = sp.lambdify(var, sp.diff(expr, var), "math")
    xs = [float(x0)]
    for _ in range(steps):
        try:
            nxt = xs[-1] - learning_rate * float(slope(xs[-1]))
        except (OverflowError, ZeroDivisionError, ValueError):
            break
        xs.append(nxt)
        if not math.isfinite(nxt) or abs(nxt) > DIVERGED:
            break
    return xs


def newton_method(
    f: ExprLike, x0: float, steps: int, x: sp.Symbol | str | None = None
) -> list[float]:
    """Newton's method for optimisation: x_{k+1} = x_k - f'(x_k) / f''(x_k) (steps + 1 values).

    The run stops early where f''(x_k) = 0 (no Newton step exists) or the iterates diverge.
    """
    _checked(steps)
    expr, var = prepare(f, x)
    first = sp.lambdify(var, sp.diff(expr, var), "math")
    second = sp.lambdify(var, sp.diff(expr, var, 2), "math")
    xs = [float(x0)]
    for _ in range(steps):
        try:
            curvature = float(second(xs[-1]))
            if curvature == 0:
                break
            nxt = xs[-1] - float(first(xs[-1])) / curvature
        except (OverflowError, ZeroDivisionError, ValueError):
            break
        xs.append(nxt)
        if not math.isfinite(nxt) or abs(nxt) > DIVERGED:
            break
    return xs


def gradient_descent_nd(
    f: ExprLike,
    variables: Sequence[sp.Symbol | str],
    start: Sequence[float],
    learning_rate: float,
    steps: int,
    momentum: float = 0.0,
) -> np.ndarray:
    """Gradient descent (with optional heavy-ball momentum) on f(x, y, ...); rows are iterates."""
    _checked(steps, learning_rate)
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    names = [as_symbol(v) for v in variables]
    expr = as_expr(f, tuple(v.name for v in names))
    grad = sp.lambdify(names, [sp.diff(expr, v) for v in names], "numpy")
    points = [np.asarray(start, dtype=float)]
    velocity = np.zeros_like(points[0])
    for _ in range(steps):
        g = np.asarray(grad(*points[-1]), dtype=float)
        velocity = momentum * velocity - learning_rate * g
        nxt = points[-1] + velocity
        points.append(nxt)
        if not np.all(np.isfinite(nxt)) or np.max(np.abs(nxt)) > DIVERGED:
            break
    return np.array(points)
