"""Self-check exercises of lesson 5 (differentiability); computed by calc_helpers."""

import sympy as sp

from autograder import Exercise
from calc_helpers import differentiability, real_symbol, subdifferential

x = real_symbol("x")


def _tex(value) -> str:
    return sp.latex(value)


def _sides(report) -> str:
    return f"left ${_tex(report.left)}$, right ${_tex(report.right)}$"


# q1: a shifted absolute value
F1, A1 = sp.Abs(x - 2), 2
_R1 = differentiability(F1, A1)
q1 = Exercise.differentiability(
    F1,
    A1,
    question="lesson05.q1",
    prompt=(
        f"How does $f(x) = |x - 2|$ behave at $a = {A1}$? Answer `\"differentiable\"`, "
        "`\"discontinuity\"`, `\"corner\"`, `\"cusp\"` or `\"vertical_tangent\"`."
    ),
    hints=[
        "Is $f$ continuous at 2? Then compare the slope just left of 2 with the slope just "
        "right of 2.",
        "Left of 2, $|x - 2| = 2 - x$; right of 2, $|x - 2| = x - 2$.",
    ],
    solution=(
        f"`\"{_R1.kind}\"`: $f$ is continuous at 2 and the one-sided derivatives are "
        f"{_sides(_R1)}: finite and different."
    ),
)

# q2: a shifted 2/3 power
F2, A2 = (x - 1) ** sp.Rational(2, 3), 1
_R2 = differentiability(F2, A2)
q2 = Exercise.differentiability(
    F2,
    A2,
    question="lesson05.q2",
    prompt=f"How does $f(x) = (x - 1)^{{2/3}}$ behave at $a = {A2}$?",
    hints=[
        "Is $f$ continuous at 1? Then look at the difference quotient "
        "$\\frac{f(1 + h) - f(1)}{h}$ for small $h > 0$ and for small $h < 0$.",
        "The difference quotient from the right is $h^{2/3}/h = h^{-1/3}$. What happens "
        "from the left, where $h < 0$?",
    ],
    solution=(
        f"`\"{_R2.kind}\"`: continuous, with one-sided derivatives {_sides(_R2)}: infinite "
        "with opposite signs."
    ),
)

# q3: a piecewise formula that is differentiable
F3, A3 = sp.Piecewise((x**2, x < 1), (2 * x - 1, True)), 1
_R3 = differentiability(F3, A3)
q3 = Exercise.differentiability(
    F3,
    A3,
    question="lesson05.q3",
    prompt=(
        "Let $f(x) = x^2$ for $x < 1$ and $f(x) = 2x - 1$ for $x \\ge 1$. How does $f$ "
        f"behave at $a = {A3}$?"
    ),
    hints=[
        "A formula that changes at $a$ does not by itself make a corner. Check continuity: "
        "compare both formulas at $x = 1$.",
        "Then compare the slopes of the two formulas at $x = 1$.",
    ],
    solution=(
        f"`\"{_R3.kind}\"`: both formulas give {F3.subs(x, A3)} at $x = 1$ (continuous) and "
        f"the one-sided derivatives are {_sides(_R3)}: equal, so $f'(1)$ exists."
    ),
)

# q4: leaky ReLU's subdifferential
F4, A4 = sp.Max(x, x / 10), 0
_S4 = subdifferential(F4, A4)
_R4 = differentiability(F4, A4)
q4 = Exercise.subdifferential(
    F4,
    A4,
    question="lesson05.q4",
    prompt=(
        "The leaky ReLU is $f(x) = \\max(x, x/10)$. What is its subdifferential at $0$? "
        "Write an interval such as `\"[a, b]\"`."
    ),
    hints=[
        "For $x < 0$, which of $x$ and $x/10$ is larger? That piece gives the left slope.",
        f"The one-sided derivatives at 0 are {_sides(_R4)}.",
    ],
    solution=(
        f"${_tex(_S4)}$: every slope from the left derivative ${_tex(_R4.left)}$ to the right "
        f"derivative ${_tex(_R4.right)}$ gives a line through the origin that stays below the "
        "graph."
    ),
)
