"""Self-check exercises of lesson 8 (critical points); hints and solutions computed by
calc_helpers."""

import sympy as sp

from autograder import Exercise
from calc_helpers import (
    classify_critical_point,
    classify_critical_point_2d,
    critical_points,
    derivative,
    gradient,
    hessian,
    inflection_points,
    real_symbol,
)
from calc_helpers.vocabulary import POINT_WORDS

x, y = real_symbol("x"), real_symbol("y")
F = x**4 - 4 * x**3
_FP = derivative(F, x)
_FPP = derivative(F, x, 2)
_CRIT = critical_points(F, x)
_KINDS = {c: classify_critical_point(F, c, x) for c in _CRIT}
_INFL = inflection_points(F, x)


def _tex(value) -> str:
    return sp.latex(value)


def _list(values) -> str:
    return ", ".join(f"${_tex(v)}$" for v in values)


q1 = Exercise.critical_points(
    F,
    x,
    question="lesson08.q1",
    prompt="Find all critical points of $f(x) = x^4 - 4x^3$.",
    hints=[
        "Critical points: $f'(x) = 0$ or $f'$ undefined. $f$ is a polynomial, so only the first.",
        f"$f'(x) = {_tex(sp.factor(_FP))}$. A repeated factor still gives a critical point.",
    ],
    solution=(
        f"$f'(x) = {_tex(sp.factor(_FP))} = 0$ gives the critical points {_list(_CRIT)}."
    ),
)

q2 = Exercise.classification(
    F,
    x,
    question="lesson08.q2",
    prompt="Classify each critical point of $f(x) = x^4 - 4x^3$.",
    hints=[
        f"$f''(x) = {_tex(sp.factor(_FPP))}$. Where $f''(c) \\ne 0$ its sign decides.",
        f"$f''(0) = {_tex(_FPP.subs(x, 0))}$: the second-derivative test is silent at $0$. "
        f"Look at the sign of $f'(x) = {_tex(sp.factor(_FP))}$ just left and right of $0$.",
    ],
    solution=(
        "; ".join(
            f"$x = {_tex(c)}$: **{POINT_WORDS[kind]}** ($f''({_tex(c)}) = {_tex(_FPP.subs(x, c))}$)"
            for c, kind in _KINDS.items()
        )
        + ". At $0$, $f'$ is negative on both sides (the factor $x^2$ does not change sign), "
        "so $f$ keeps decreasing: neither a minimum nor a maximum. Answer: "
        f"`{ {int(c): k for c, k in _KINDS.items()} }`."
    ),
)

q3 = Exercise.inflection_points(
    F,
    x,
    question="lesson08.q3",
    prompt="Find the inflection points of $f(x) = x^4 - 4x^3$.",
    hints=[
        "Inflection points are where $f''$ changes sign. Factor $f''$.",
        f"$f''(x) = {_tex(sp.factor(_FPP))}$. Does the sign change at each zero?",
    ],
    solution=(
        f"$f''(x) = {_tex(sp.factor(_FPP))}$ changes sign at each of its simple zeros, so the "
        f"inflection points are at {_list(_INFL)}. Note that $0$ is both a critical point and "
        "an inflection point."
    ),
)

G = x**2 + 3 * x * y - y**2
_GRAD = gradient(G, (x, y))
_HESS = hessian(G, (x, y))
q4 = Exercise.gradient(
    G,
    (x, y),
    question="lesson08.q4",
    prompt="Compute the gradient of $f(x, y) = x^2 + 3xy - y^2$.",
    hints=[
        "The gradient is $(\\partial f / \\partial x, \\partial f / \\partial y)$: differentiate "
        "in one variable, treating the other as a constant.",
        f"$\\partial f / \\partial x = {_tex(_GRAD[0])}$. Now do the same for $y$.",
    ],
    solution=f"$\\nabla f = ({_tex(_GRAD[0])},\\ {_tex(_GRAD[1])})$.",
)

q5 = Exercise.hessian(
    G,
    (x, y),
    question="lesson08.q5",
    prompt="Compute the Hessian of $f(x, y) = x^2 + 3xy - y^2$.",
    hints=[
        "Differentiate each component of the gradient once more, with respect to $x$ (first "
        "column) and $y$ (second column).",
        f"The gradient is $({_tex(_GRAD[0])}, {_tex(_GRAD[1])})$; the mixed partials are equal.",
    ],
    solution=(
        f"$H = {_tex(_HESS)}$, with $\\det H = {_tex(_HESS.det())} < 0$: the origin is a "
        f"**{classify_critical_point_2d(G, (0, 0), (x, y))}** point. Answer: "
        f"`{[[int(v) for v in row] for row in _HESS.tolist()]}`."
    ),
)
