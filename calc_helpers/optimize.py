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
    gradient as a list-valued function of several ("numpy").

    Parameters
    ----------
    expr
        The function, a SymPy expression.
    names
        Its variables: one symbol, or several for the gradient.
    order
        1 or 2 (one variable only).

    Returns
    -------
    callable

    Examples
    --------
    >>> from calc_helpers import real_symbol
    >>> x, y = real_symbol("x"), real_symbol("y")
    >>> compiled_derivative(x**3, [x])(2.0), compiled_derivative(x**3, [x], 2)(2.0)
    (12.0, 12.0)
    >>> compiled_derivative(x**2 + y**2, [x, y])(1.0, 2.0)
    [2.0, 4.0]
    """
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
    """Gradient descent iterates with f' given as a compiled function `slope`.

    Parameters
    ----------
    slope
        f' as a float function (see `compiled_derivative`).
    x0
        The start.
    learning_rate
        The step size.
    steps
        The number of steps.

    Returns
    -------
    list of float
        x0 and the iterates (fewer where the run diverges).

    Examples
    --------
    >>> descent_steps(lambda x: 2 * x, 1.0, 0.25, 2)
    [1.0, 0.5, 0.25]
    """
    return _iterate(lambda x: x - learning_rate * float(slope(x)), x0, steps)


def newton_steps(first: Callable, second: Callable, x0: float, steps: int) -> list[float]:
    """Newton iterates with f' and f'' compiled; the run stops where f'' = 0 (no Newton step).

    Parameters
    ----------
    first, second
        f' and f'' as float functions (see `compiled_derivative`).
    x0
        The start.
    steps
        The number of steps.

    Returns
    -------
    list of float

    Examples
    --------
    >>> newton_steps(lambda x: 2 * x, lambda x: 2.0, 3.0, 2)
    [3.0, 0.0, 0.0]
    >>> newton_steps(lambda x: 3 * x**2, lambda x: 6 * x, 0.0, 5)  # f''(0) = 0: no step
    [0.0]
    """

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
    iterates; the run stops once an iterate is not finite or beyond DIVERGED.

    Parameters
    ----------
    grad
        The gradient, a function of the coordinates returning a list (`compiled_derivative`).
    start
        The starting point.
    learning_rate
        The step size.
    steps
        The number of steps.
    momentum
        The heavy-ball coefficient (0: plain gradient descent).

    Returns
    -------
    numpy.ndarray
        One row per iterate, the start first.

    Examples
    --------
    >>> descent_steps_nd(lambda x, y: [2 * x, 2 * y], [1, 2], 0.25, 2)
    array([[1.  , 2.  ],
           [0.5 , 1.  ],
           [0.25, 0.5 ]])
    """
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

    Parameters
    ----------
    f
        The function (expression or text).
    x0
        The start.
    learning_rate
        The step size (positive).
    steps
        The number of steps (a whole number >= 0).
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    list of float

    Raises
    ------
    ValueError
        Where `steps` or `learning_rate` is out of range.

    Examples
    --------
    >>> from calc_helpers import gradient_descent
    >>> gradient_descent("x^2", 1, 0.25, 3)
    [1.0, 0.5, 0.25, 0.125]
    >>> trace = gradient_descent("x^2", 1, 1.5, 50)  # too large a rate: the run diverges
    >>> len(trace), trace[-1]
    (41, 1099511627776.0)
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

    Parameters
    ----------
    f
        The function (expression or text).
    x0
        The start.
    steps
        The number of steps (a whole number >= 0).
    x
        The variable of `f` (omitted: its one free symbol).

    Returns
    -------
    list of float

    Raises
    ------
    ValueError
        Where `steps` is not a whole number >= 0.

    Examples
    --------
    >>> from calc_helpers import newton_method
    >>> newton_method("x^2", 3, 2)
    [3.0, 0.0, 0.0]
    >>> newton_method("x^4 - 2x^2", 2.0, 3)
    [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978]
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
    """Gradient descent (with optional heavy-ball momentum) on f(x, y, ...); rows are iterates.

    Parameters
    ----------
    f
        The function (expression or text in `variables`).
    variables
        Its variables, in the order of the coordinates.
    start
        The starting point.
    learning_rate
        The step size (positive).
    steps
        The number of steps (a whole number >= 0).
    momentum
        The heavy-ball coefficient, in [0, 1).

    Returns
    -------
    numpy.ndarray
        One row per iterate, the start first.

    Raises
    ------
    ValueError
        Where `steps`, `learning_rate` or `momentum` is out of range.

    Examples
    --------
    >>> from calc_helpers import gradient_descent_nd
    >>> gradient_descent_nd("x^2 + 2y^2", ["x", "y"], [1, 1], 0.25, 2)
    array([[1.  , 1.  ],
           [0.5 , 0.  ],
           [0.25, 0.  ]])
    """
    _checked(steps, learning_rate)
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    names = [as_symbol(v) for v in variables]
    expr = as_expr(f, tuple(v.name for v in names))
    return descent_steps_nd(compiled_derivative(expr, names), start, learning_rate, steps, momentum)
