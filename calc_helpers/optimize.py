"""Gradient descent and Newton's method iterates, for the lessons' optimisation demos.

The public functions differentiate and compile f on each call. Widgets that rerun a method on
every slider move compile once with `compiled_derivative` and call the `*_steps` loops, which
are the very loops the public functions run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from ._inputs import ExprLike, as_expr, as_symbol
from .budget import budgeted
from .derivatives import prepare

DIVERGED = 1e12  # iterates beyond this size count as diverged and stop the run


def _checked(steps: int, learning_rate: float | None = None) -> None:
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    if learning_rate is not None and not (learning_rate > 0 and math.isfinite(learning_rate)):
        raise ValueError(f"the learning rate must be a positive number, got {learning_rate!r}")


def compiled_derivative(expr: sp.Expr, names: Sequence[sp.Symbol], order: int = 1) -> Callable:
    """f' (order 1) or f'' (order 2) as a float function of one variable ("math"), or the
    gradient as a list-valued function of several ("numpy")."""
    if len(names) == 1:
        (var,) = names
        return sp.lambdify(var, sp.diff(expr, var, order), "math")
    return sp.lambdify(list(names), [sp.diff(expr, v) for v in names], "numpy")


def _iterate(step: Callable[[float], float | None], x0: float, steps: int) -> list[float]:
    """x0 and up to `steps` iterates of `step`; stops when there is no next iterate (None or an
    arithmetic error) or one that is not finite or beyond DIVERGED."""
    xs = [float(x0)]
    for _ in range(steps):
        try:
            nxt = step(xs[-1])
        except (OverflowError, ZeroDivisionError, ValueError):
            break
        if nxt is None:
            break
        xs.append(nxt)
        if not math.isfinite(nxt) or abs(nxt) > DIVERGED:
            break
    return xs


def descent_steps(slope: Callable, x0: float, learning_rate: float, steps: int) -> list[float]:
    """Gradient descent iterates with f' given as a compiled function `slope`."""
    return _iterate(lambda x: x - learning_rate * float(slope(x)), x0, steps)


def newton_steps(first: Callable, second: Callable, x0: float, steps: int) -> list[float]:
    """Newton iterates with f' and f'' compiled; the run stops where f'' = 0 (no Newton step)."""

    def step(x: float) -> float | None:
        curvature = float(second(x))
        if curvature == 0:
            return None
        return x - float(first(x)) / curvature

    return _iterate(step, x0, steps)


def descent_steps_nd(
    grad: Callable,
    start: Sequence[float],
    learning_rate: float,
    steps: int,
    momentum: float = 0.0,
) -> np.ndarray:
    """Gradient descent (heavy-ball momentum optional) with the gradient compiled; rows are
    iterates; the run stops once an iterate is not finite or beyond DIVERGED."""
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


@budgeted("the gradient descent iterates", "fewer steps")
def gradient_descent(
    f: ExprLike, x0: float, learning_rate: float, steps: int, x: sp.Symbol | str | None = None
) -> list[float]:
    """Iterates x_{k+1} = x_k - learning_rate * f'(x_k), starting at x0 (steps + 1 values).

    The run stops early once an iterate is not finite or exceeds 1e12 in size (divergence).
    """
    _checked(steps, learning_rate)
    expr, var = prepare(f, x)
    return descent_steps(compiled_derivative(expr, [var]), x0, learning_rate, steps)


@budgeted("Newton's iterates", "fewer steps")
def newton_method(
    f: ExprLike, x0: float, steps: int, x: sp.Symbol | str | None = None
) -> list[float]:
    """Newton's method for optimisation: x_{k+1} = x_k - f'(x_k) / f''(x_k) (steps + 1 values).

    The run stops early where f''(x_k) = 0 (no Newton step exists) or the iterates diverge.
    """
    _checked(steps)
    expr, var = prepare(f, x)
    first, second = compiled_derivative(expr, [var]), compiled_derivative(expr, [var], 2)
    return newton_steps(first, second, x0, steps)


@budgeted("the gradient descent iterates", "fewer steps")
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
    return descent_steps_nd(compiled_derivative(expr, names), start, learning_rate, steps, momentum)
