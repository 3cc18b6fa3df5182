"""Self-check exercises of lesson 10 (gradients, chain rule, Newton and gradient descent);
hints and solutions computed by calc_helpers."""

import sympy as sp

from autograder import Exercise, newton_mistakes
from calc_helpers import derivative, gradient, gradient_descent, newton_method, real_symbol
from calc_helpers.ml_losses import B, W, logistic_loss

x = real_symbol("x")


def _tex(value) -> str:
    return sp.latex(value)


_LOG = logistic_loss()
_LOG_D = derivative(_LOG, W)
q1 = Exercise.derivative(
    _LOG,
    W,
    question="lesson10.q1",
    prompt="Differentiate $L(w) = \\log(1 + e^{-w})$.",
    hints=[
        "Outer function $\\log(u)$ with derivative $1/u$; inner function $u = 1 + e^{-w}$.",
        "The inner derivative is $-e^{-w}$ (chain rule once more, for $e^{-w}$).",
    ],
    solution=(
        f"$L'(w) = \\frac{{1}}{{1 + e^{{-w}}}} \\cdot (-e^{{-w}}) = {_tex(_LOG_D)} = "
        f"{_tex(sp.simplify(_LOG_D))}$ (multiply top and bottom by $e^{{w}}$)."
    ),
)

F2 = x**2 - 4 * x
_STEP2 = gradient_descent(F2, 0, 0.25, 1)
q2 = Exercise.number(
    _STEP2[1],
    question="lesson10.q2",
    prompt="One gradient-descent step on $x^2 - 4x$ from $x_0 = 0$ with learning rate $0.25$.",
    hints=[
        "The update is $x_1 = x_0 - \\eta\\, f'(x_0)$.",
        f"$f'(x) = {_tex(derivative(F2, x))}$, so $f'(0) = {_tex(derivative(F2, x).subs(x, 0))}$.",
    ],
    solution=(
        f"$x_1 = 0 - 0.25 \\cdot ({_tex(derivative(F2, x).subs(x, 0))}) = {_STEP2[1]:g}$."
    ),
)

F3 = x**3 - 3 * x
_STEP3 = newton_method(F3, 2, 1)
_D1, _D2 = derivative(F3, x).subs(x, 2), derivative(F3, x, 2).subs(x, 2)
q3 = Exercise.number(
    _STEP3[1],
    question="lesson10.q3",
    prompt="One Newton step on $x^3 - 3x$ from $x_0 = 2$.",
    hints=[
        "Newton's update for optimisation is $x_1 = x_0 - f'(x_0) / f''(x_0)$.",
        f"$f'(2) = {_D1}$ and $f''(2) = {_D2}$.",
    ],
    mistakes=newton_mistakes(F3, 2, x),
    solution=f"$x_1 = 2 - \\frac{{{_D1}}}{{{_D2}}} = {_tex(2 - sp.Rational(_D1, _D2))} = "
    f"{_STEP3[1]:g}$.",
)

F4 = (2 * W + B - 3) ** 2
_GRAD4 = gradient(F4, (W, B))
q4 = Exercise.gradient(
    F4,
    (W, B),
    question="lesson10.q4",
    prompt="The gradient of $L(w, b) = (2w + b - 3)^2$.",
    hints=[
        "Chain rule: the outer derivative is $2(2w + b - 3)$ for both partials.",
        "The inner derivatives are $2$ (with respect to $w$) and $1$ (with respect to $b$).",
    ],
    solution=(
        f"$\\nabla L = ({_tex(sp.factor(_GRAD4[0]))},\\ {_tex(sp.factor(_GRAD4[1]))})$, for "
        "example `[\"4*(2*w + b - 3)\", \"2*(2*w + b - 3)\"]`."
    ),
)
