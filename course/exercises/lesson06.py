"""Self-check exercises of lesson 6 (first and second derivatives); computed by calc_helpers."""

import sympy as sp

from autograder import Exercise
from calc_helpers import (
    classify_critical_point,
    concavity,
    critical_points,
    derivative,
    is_convex,
    monotonicity,
    real_symbol,
)
from calc_helpers.vocabulary import POINT_WORDS

x = real_symbol("x")


def _tex(value) -> str:
    return sp.latex(value)


def _points(values) -> str:
    return ", ".join(f"${_tex(v)}$" for v in values)


# q1: critical points (both roots!)
G = x**3 + 3 * x**2 - 24 * x + 1
_G1 = derivative(G)
_G_CRIT = critical_points(G)
q1 = Exercise.critical_points(
    G,
    x,
    question="lesson06.q1",
    prompt=(
        "Find every critical point of $g(x) = x^3 + 3x^2 - 24x + 1$ (a list such as "
        "`[1, 5]`)."
    ),
    hints=[
        "Critical points are where $g'(x) = 0$ or $g'$ does not exist. $g$ is a polynomial, "
        "so only $g'(x) = 0$ matters.",
        f"$g'(x) = {_tex(_G1)} = {_tex(sp.factor(_G1))}$: set each factor to $0$.",
    ],
    solution=(
        f"$g'(x) = {_tex(sp.factor(_G1))} = 0$ at {_points(_G_CRIT)}. Both are critical points: "
        "a quadratic $g'$ with two sign changes gives two, and stopping after one root is a "
        "common slip."
    ),
)

# q2: where g increases
_G_UP = monotonicity(G)["increasing"]
q2 = Exercise.intervals(
    G,
    "increasing",
    x,
    question="lesson06.q2",
    prompt="On which intervals is $g$ increasing? Write e.g. `\"(-oo, 0) U (2, oo)\"`.",
    hints=[
        "Split the line at the critical points and test the sign of $g'$ on each piece.",
        f"Test points: $g'(-5) = {_G1.subs(x, -5)}$, $g'(0) = {_G1.subs(x, 0)}$, "
        f"$g'(3) = {_G1.subs(x, 3)}$.",
    ],
    solution=(
        f"$g' > 0$ on ${_tex(_G_UP)}$, so $g$ is increasing there (and decreasing on "
        f"${_tex(monotonicity(G)['decreasing'])}$)."
    ),
)

# q3: classify with the second-derivative test
H = x**3 - 3 * x**2 + 2
_H2 = derivative(H, n=2)
_H_CLASS = {c: classify_critical_point(H, c) for c in critical_points(H)}
_H_LINES = "; ".join(
    f"$f''({_tex(c)}) = {_tex(_H2.subs(x, c))}$, a {POINT_WORDS[kind]}"
    for c, kind in _H_CLASS.items()
)
q3 = Exercise.classification(
    H,
    x,
    question="lesson06.q3",
    prompt=(
        "Classify each critical point of $f(x) = x^3 - 3x^2 + 2$: answer a dict such as "
        "`{-7: \"local_min\", 4: \"neither\"}` (with your points) using `\"local_min\"`, "
        "`\"local_max\"` or `\"neither\"`."
    ),
    hints=[
        f"First the critical points: $f'(x) = {_tex(sp.factor(derivative(H)))}$.",
        f"Then the sign of $f''(x) = {_tex(_H2)}$ at each of them.",
    ],
    solution=f"Critical points {_points(_H_CLASS)}: {_H_LINES}.",
)

# q4: concave up
K = x**4 - 6 * x**2
_K2 = derivative(K, n=2)
_K_UP = concavity(K)["up"]
q4 = Exercise.intervals(
    K,
    "concave_up",
    x,
    question="lesson06.q4",
    prompt="On which intervals is $k(x) = x^4 - 6x^2$ concave up?",
    hints=[
        "Concave up where $k'' > 0$.",
        f"$k''(x) = {_tex(_K2)} = {_tex(sp.factor(_K2))}$.",
    ],
    solution=(
        f"$k''(x) = {_tex(sp.factor(_K2))} > 0$ on ${_tex(_K_UP)}$; between, on "
        f"${_tex(concavity(K)['down'])}$, $k$ is concave down."
    ),
)

# q5: f'' = 0 somewhere does not stop convexity
Q = x**4
q5 = Exercise.convexity(
    Q,
    x,
    question="lesson06.q5",
    prompt=(
        f"$q(x) = x^4$ has $q''(0) = {derivative(Q, n=2).subs(x, 0)}$. Is $q$ convex on the "
        "whole line? (True or False)"
    ),
    hints=[
        "Convex on an interval means $q'' \\ge 0$ there, not $q'' > 0$.",
        f"$q''(x) = {_tex(derivative(Q, n=2))}$: can it be negative?",
    ],
    solution=(
        f"**{is_convex(Q)}**: $q''(x) = {_tex(derivative(Q, n=2))} \\ge 0$ everywhere; the "
        "single zero at $0$ does not break convexity (nor make $0$ an inflection point)."
    ),
)
