"""Self-check exercises of lesson 9 (the worked example); hints and solutions computed by
calc_helpers."""

import sympy as sp

from autograder import Exercise
from calc_helpers import (
    classify_critical_point,
    concavity,
    critical_points,
    derivative,
    inflection_points,
    monotonicity,
    real_symbol,
)
from calc_helpers.vocabulary import POINT_WORDS

x = real_symbol("x")
G = x**3 - x**2 - 5 * x + 2
F = x**3 - 6 * x**2 + 9 * x


def _tex(value) -> str:
    return sp.latex(value)


def _list(values) -> str:
    return ", ".join(f"${_tex(v)}$" for v in values)


_GP = derivative(G, x)
_G_CRIT = critical_points(G, x)
q1 = Exercise.critical_points(
    G,
    x,
    question="lesson09.q1",
    prompt="What are the critical points of $g(x) = x^3 - x^2 - 5x + 2$?",
    hints=[
        f"$g'(x) = {_tex(_GP)}$ is a quadratic: how many real roots does it have? "
        "Look at its discriminant.",
        f"$g'(x) = {_tex(sp.factor(_GP))}$.",
    ],
    solution=(
        f"$g'(x) = {_tex(_GP)} = {_tex(sp.factor(_GP))} = 0$ at {_list(_G_CRIT)}. "
        "Both are critical points; listing only $-1$ is the usual incomplete answer."
    ),
)

_FP, _FPP = derivative(F, x), derivative(F, x, 2)
_F_CRIT = critical_points(F, x)
_F_KINDS = {c: classify_critical_point(F, c, x) for c in _F_CRIT}
q2 = Exercise.classification(
    F,
    x,
    question="lesson09.q2",
    prompt="Classify the critical points of $f(x) = x^3 - 6x^2 + 9x$.",
    hints=[
        f"First the critical points: $f'(x) = {_tex(sp.factor(_FP))}$.",
        f"Then the sign of $f''(x) = {_tex(_FPP)}$ at each of them.",
    ],
    solution=(
        "; ".join(
            f"$x = {_tex(c)}$: $f''({_tex(c)}) = {_tex(_FPP.subs(x, c))}$, **{POINT_WORDS[kind]}**"
            for c, kind in _F_KINDS.items()
        )
        + f". Answer: `{ {int(c): k for c, k in _F_KINDS.items()} }`."
    ),
)

_F_DOWN = monotonicity(F, x)["decreasing"]
q3 = Exercise.intervals(
    F,
    "decreasing",
    x,
    question="lesson09.q3",
    prompt="On which interval is $f(x) = x^3 - 6x^2 + 9x$ decreasing?",
    hints=[
        "Decreasing where $f' < 0$. The critical points cut the line into intervals.",
        f"$f'(x) = {_tex(sp.factor(_FP))}$: pick a test point between the critical points.",
    ],
    solution=(
        f"$f'(2) = {_tex(_FP.subs(x, 2))} < 0$, so $f$ decreases on ${_tex(_F_DOWN)}$ "
        "and increases on both sides of it."
    ),
)

_F_INFL = inflection_points(F, x)
q4 = Exercise.inflection_points(
    F,
    x,
    question="lesson09.q4",
    prompt="Where is the inflection point of $f(x) = x^3 - 6x^2 + 9x$?",
    hints=[
        "Solve $f''(x) = 0$ and check that $f''$ changes sign there.",
        f"$f''(x) = {_tex(_FPP)}$.",
    ],
    solution=(
        f"$f''(x) = {_tex(_FPP)}$ changes sign at {_list(_F_INFL)}, halfway between the "
        "critical points $1$ and $3$."
    ),
)

_GPP = derivative(G, x, 2)
_G_UP = concavity(G, x)["up"]
q5 = Exercise.intervals(
    G,
    "concave_up",
    x,
    question="lesson09.q5",
    prompt="On which interval is $g(x) = x^3 - x^2 - 5x + 2$ concave up?",
    hints=[
        "Concave up where $g'' > 0$.",
        f"$g''(x) = {_tex(_GPP)}$.",
    ],
    solution=f"$g''(x) = {_tex(_GPP)} > 0$ exactly on ${_tex(_G_UP)}$.",
)
