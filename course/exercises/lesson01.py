"""Self-check exercises of lesson 1 (why derivatives); hints and solutions computed by calc_helpers.

The loss is the lesson's: the mean squared error of the model y = w*x on the course data set.
"""

import sympy as sp

from autograder import Exercise
from calc_helpers import critical_points, derivative, derivative_at, gradient_descent
from calc_helpers.ml_losses import DATA, W, mse_linear

L = mse_linear()
_SLOPE = derivative(L, W)
_CURVATURE = derivative(L, W, 2)
_MINIMISER = critical_points(L, W)[0]


def _tex(value) -> str:
    return sp.latex(value)


# q1: the slope function of the loss
q1 = Exercise.derivative(
    L,
    W,
    question="lesson01.q1",
    prompt=f"Differentiate the loss $L(w) = {_tex(L)}$ with respect to $w$.",
    hints=[
        "Each term is (something)$^2$ with something linear in $w$: the chain rule gives "
        "$2\\cdot$(something)$\\cdot$(its slope). Or expand $L$ first.",
        f"Expanded, $L(w) = {_tex(sp.expand(L))}$: differentiate term by term.",
    ],
    solution=(
        f"$L'(w) = {_tex(_SLOPE)}$. From the expanded form ${_tex(sp.expand(L))}$, the power "
        "rule gives the same line, term by term."
    ),
)

# q2: one step of gradient descent
_W0, _RATE = 0, sp.Rational(1, 10)
_W1 = gradient_descent(L, _W0, float(_RATE), 1, W)[1]
_EXACT_W1 = _W0 - _RATE * derivative_at(L, _W0, W)
q2 = Exercise.number(
    _EXACT_W1,
    question="lesson01.q2",
    prompt=(
        f"Start at $w_0 = {_W0}$ with learning rate $\\eta = {_tex(_RATE)}$. "
        "What is $w_1$ after one gradient-descent step?"
    ),
    hints=[
        "One step is $w_1 = w_0 - \\eta\\, L'(w_0)$. Compute the slope at $w_0$ first.",
        f"$L'({_W0}) = {_tex(derivative_at(L, _W0, W))}$: negative, so the step moves $w$ "
        "to the right.",
    ],
    solution=(
        f"$w_1 = {_W0} - {_tex(_RATE)}\\cdot({_tex(derivative_at(L, _W0, W))}) = "
        f"{_tex(_EXACT_W1)} \\approx {_W1:.4f}$ (the same as "
        f"`gradient_descent(L, {_W0}, {float(_RATE)}, 1)`)."
    ),
)

# q3: the largest safe learning rate for this parabola
_THRESHOLD = 2 / _CURVATURE
q3 = Exercise.number(
    _THRESHOLD,
    question="lesson01.q3",
    prompt=(
        "For this loss each step multiplies the distance to the minimum by $1 - \\eta c$, "
        "where $c = L''(w)$. Above which learning rate $\\eta$ does gradient descent diverge?"
    ),
    hints=[
        "The distance shrinks while $|1 - \\eta c| < 1$ and grows once $1 - \\eta c < -1$.",
        f"Here $c = L''(w) = {_tex(_CURVATURE)}$; solve $1 - \\eta c = -1$ for $\\eta$.",
    ],
    solution=(
        f"$1 - \\eta c < -1 \\iff \\eta > 2/c = {_tex(_THRESHOLD)} \\approx "
        f"{float(_THRESHOLD):.4f}$. At exactly that rate the iterates bounce between two "
        "points forever; below it they converge, above it they run away."
    ),
)

# q4: where descent ends up
q4 = Exercise.number(
    _MINIMISER,
    question="lesson01.q4",
    prompt="With a small enough learning rate, which $w$ does gradient descent approach?",
    hints=[
        "The steps stop changing $w$ when the slope is $0$.",
        f"Solve $L'(w) = {_tex(_SLOPE)} = 0$.",
    ],
    solution=(
        f"$L'(w) = 0$ at $w = {_tex(_MINIMISER)} \\approx {float(_MINIMISER):.4f}$: the best "
        f"slope for the data {list(DATA)}, where the loss is "
        f"$L({_tex(_MINIMISER)}) = {_tex(L.subs(W, _MINIMISER))}$."
    ),
)
