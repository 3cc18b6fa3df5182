"""Self-check exercises of lesson 2 (limits and continuity); computed by calc_helpers."""

from functools import partial

import sympy as sp

from autograder import Exercise
from calc_helpers import real_symbol
from calc_helpers.limits import continuity, limit, one_sided_limit

from ._limits import check_kind, check_limit

x = real_symbol("x")

KIND_WORDS = {"continuous": "continuous", "removable": "a removable discontinuity (a hole)",
              "jump": "a jump discontinuity", "infinite": "an infinite discontinuity",
              "no_limit": "a point without a limit"}


def _tex(value) -> str:
    return sp.latex(value)


def _exercise(check, prompt: str, hints: list[str], solution: str) -> Exercise:
    return Exercise(check, hints, solution, prompt)


# q1: a limit at a hole (0/0 at the point, simplify first)
G = (x**2 - 9) / (x - 3)
_A1 = 3
_L1 = limit(G, _A1)
q1 = _exercise(
    partial(check_limit, expected=_L1, question="lesson02.q1",
            mistakes=[(None, "limit_needs_value"), (0, "indeterminate_evaluated"),
                      (1, "indeterminate_evaluated")]),
    f"Find $\\displaystyle\\lim_{{x \\to {_A1}}} {_tex(G)}$ (a number, or `\"DNE\"` if the "
    "limit does not exist).",
    [
        f"At $x = {_A1}$ the formula gives $\\frac{{0}}{{0}}$, which says nothing yet. The limit "
        f"only uses $x$ close to ${_A1}$, never $x = {_A1}$ itself.",
        f"Factor the numerator: $x^2 - 9 = {_tex(sp.factor(x**2 - 9))}$, and cancel for "
        f"$x \\ne {_A1}$.",
    ],
    f"For $x \\ne {_A1}$, ${_tex(G)} = {_tex(sp.cancel(G))}$, which approaches ${_tex(_L1)}$ as "
    f"$x \\to {_A1}$. The function is undefined at ${_A1}$, yet its limit there is "
    f"${_tex(_L1)}$.",
)

# q2 and q3: one-sided limits at a jump
H = sp.Piecewise((x**2, x < 2), (x + 3, True))
_A2 = 2
_LEFT, _RIGHT = one_sided_limit(H, _A2, "-"), one_sided_limit(H, _A2, "+")
_H_AT = continuity(H, _A2)
_H_TEX = "h(x) = \\begin{cases} x^2 & x < 2 \\\\ x + 3 & x \\ge 2 \\end{cases}"
q2 = _exercise(
    partial(check_limit, expected=_LEFT, question="lesson02.q2",
            mistakes=[(_H_AT.value, "limit_is_value"), (None, "limit_needs_value")]),
    f"For ${_H_TEX}$, find the limit from the left, "
    f"$\\displaystyle\\lim_{{x \\to {_A2}^-}} h(x)$.",
    [
        f"From the left means $x < {_A2}$: which formula does $h$ follow there?",
        f"For $x < {_A2}$, $h(x) = x^2$; let $x$ approach ${_A2}$ in that formula.",
    ],
    f"For $x < {_A2}$, $h(x) = x^2 \\to {_tex(_LEFT)}$. The value $h({_A2}) = "
    f"{_tex(_H_AT.value)}$ comes from the other formula and does not count.",
)
q3 = _exercise(
    partial(check_limit, expected=_H_AT.limit, question="lesson02.q3",
            mistakes=[(_LEFT, "one_side_only"), (_RIGHT, "one_side_only"),
                      ((_LEFT + _RIGHT) / 2, "averaged_sides")]),
    f"For the same $h$, find $\\displaystyle\\lim_{{x \\to {_A2}}} h(x)$ (a number, or "
    "`\"DNE\"` if the limit does not exist).",
    [
        "The two-sided limit exists only if the limits from both sides are the same number.",
        f"From the left $h$ approaches ${_tex(_LEFT)}$; what does it approach from the right?",
    ],
    f"From the left $h(x) \\to {_tex(_LEFT)}$, from the right $h(x) \\to {_tex(_RIGHT)}$. They "
    "differ, so the limit **does not exist** (DNE).",
)

# q4: the kind of point at a hole
K = (x**2 + x - 2) / (x - 1)
_A4 = 1
_K_AT = continuity(K, _A4)
q4 = _exercise(
    partial(check_kind, expected=_K_AT.kind, question="lesson02.q4",
            mistakes={"jump": "hole_called_jump", "infinite": "limit_needs_value",
                      "continuous": "continuity_needs_three"}),
    f"What happens to $k(x) = {_tex(K)}$ at $x = {_A4}$? Answer `\"continuous\"`, "
    "`\"removable\"`, `\"jump\"` or `\"infinite\"`.",
    [
        f"Is $k({_A4})$ defined? Then find the limit from each side.",
        f"For $x \\ne {_A4}$, $k(x) = {_tex(sp.cancel(K))}$.",
    ],
    f"$k({_A4})$ is undefined ($\\frac00$), but for $x \\ne {_A4}$, $k(x) = {_tex(sp.cancel(K))}"
    f"\\to {_tex(_K_AT.limit)}$ from both sides: the limit exists, so this is "
    f"{KIND_WORDS[_K_AT.kind]}. Defining $k({_A4}) = {_tex(_K_AT.limit)}$ repairs it.",
)

# q5: the kind of point at the jump of h
q5 = _exercise(
    partial(check_kind, expected=_H_AT.kind, question="lesson02.q5",
            mistakes={"removable": "jump_called_hole", "continuous": "continuity_needs_three"}),
    f"And $h$ (from exercise 2) at $x = {_A2}$: `\"continuous\"`, `\"removable\"`, `\"jump\"` "
    "or `\"infinite\"`?",
    [
        "Continuity needs three things: $h(a)$ defined, the limit exists, and they are equal.",
        f"$h({_A2}) = {_tex(_H_AT.value)}$ is defined; compare the one-sided limits (exercises 2 "
        "and 3).",
    ],
    f"The one-sided limits ${_tex(_LEFT)}$ and ${_tex(_RIGHT)}$ are finite and differ: "
    f"{KIND_WORDS[_H_AT.kind]}. No choice of $h({_A2})$ can repair it, because the limit does "
    "not exist.",
)
