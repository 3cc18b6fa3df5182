"""Self-check exercises of lesson 7 (convexity); hints and solutions computed by calc_helpers."""

import sympy as sp

from autograder import Exercise
from calc_helpers import (
    concavity,
    derivative,
    differentiability,
    is_convex,
    real_symbol,
    subdifferential,
)
from calc_helpers.ml_losses import W, deep_slice, hinge_loss, logistic_loss

x = real_symbol("x")


def _tex(value) -> str:
    return sp.latex(value)


# q1: is x^4 - 2x^2 convex on R?
F1 = x**4 - 2 * x**2
_F1_SECOND = derivative(F1, x, 2)
q1 = Exercise.convexity(
    F1,
    x,
    question="lesson07.q1",
    prompt="Is $f(x) = x^4 - 2x^2$ convex on the whole real line?",
    hints=[
        "A twice-differentiable function is convex on an interval exactly when $f'' \\ge 0$ "
        "at every point of it. Compute $f''$.",
        f"$f''(x) = {_tex(_F1_SECOND)}$. What is its sign at $x = 0$?",
    ],
    solution=(
        f"**{is_convex(F1, x)}** (not convex). $f''(x) = {_tex(_F1_SECOND)}$ and "
        f"$f''(0) = {_tex(_F1_SECOND.subs(x, 0))} < 0$: $f$ is concave down on "
        f"${_tex(concavity(F1, x)['down'])}$, so some chords lie below the graph there "
        f"(the chord from $-1$ to $1$ is the line $y = {_tex(F1.subs(x, -1))}$, while "
        f"$f(0) = {_tex(F1.subs(x, 0))}$ lies above it)."
    ),
)

# q2: where is the two-layer loss (w^2 - 1)^2 concave up?
L2 = deep_slice()
_L2_SECOND = derivative(L2, W, 2)
_L2_UP = concavity(L2, W)["up"]
q2 = Exercise.intervals(
    L2,
    "concave_up",
    W,
    question="lesson07.q2",
    prompt="On which intervals is $L(w) = (w^2 - 1)^2$ concave up?",
    hints=[
        "Concave up means $L'' > 0$. Compute $L''$ and find where it is zero.",
        f"$L''(w) = {_tex(sp.factor(_L2_SECOND))}$, zero at "
        f"$w = \\pm\\frac{{\\sqrt 3}}{{3}}$. Check its sign on each side.",
    ],
    solution=(
        f"$L''(w) = {_tex(sp.expand(_L2_SECOND))}$ is positive when $w^2 > \\frac13$, so $L$ is "
        f"concave up on ${_tex(_L2_UP)}$, that is `\"(-oo, -sqrt(3)/3) U (sqrt(3)/3, oo)\"`."
    ),
)

# q3: the subdifferential of the hinge loss at w = 1
H = hinge_loss()
_H_REPORT = differentiability(H, 1, W)
_H_SUB = subdifferential(H, 1, W)
q3 = Exercise.subdifferential(
    H,
    1,
    W,
    question="lesson07.q3",
    prompt="What is the subdifferential of $\\max(0, 1 - w)$ at $w = 1$?",
    hints=[
        "The subdifferential of a convex function at a corner is the closed interval between "
        "the left and the right slope.",
        f"Left of $1$ the loss is $1 - w$ (slope ${_H_REPORT.left}$); right of $1$ it is $0$ "
        f"(slope ${_H_REPORT.right}$).",
    ],
    solution=(
        f"The one-sided slopes are ${_H_REPORT.left}$ and ${_H_REPORT.right}$, so the "
        f"subdifferential is ${_tex(_H_SUB)}$: every line through $(1, 0)$ with a slope in it "
        "stays below the graph."
    ),
)

# q4: is the logistic loss convex?
G = logistic_loss()
_G_SECOND = sp.factor(sp.simplify(derivative(G, W, 2)))
q4 = Exercise.convexity(
    G,
    W,
    question="lesson07.q4",
    prompt="Is the logistic loss $\\log(1 + e^{-w})$ convex?",
    hints=[
        "Compute the second derivative and look at its sign.",
        f"$L''(w) = {_tex(_G_SECOND)}$: a positive numerator over a square.",
    ],
    solution=(
        f"**{is_convex(G, W)}** (convex). $L''(w) = {_tex(_G_SECOND)} > 0$ for every $w$. "
        "Convex, yet without a minimum: $L$ decreases towards $0$ forever."
    ),
)
