"""A held-out style set: for each kind of exercise, on functions no lesson uses, student
answers right in several forms, one for each misconception the check knows, rounded ones and
junk, each with the verdict (state) and the tags it must get.

References come from calc_helpers; each wrong answer is built from them by making the mistake
(leaving a factor out, swapping, rounding), and each typed form of a right answer is checked
against calc_helpers before it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sympy as sp

import autograder as ag
import calc_helpers as ch

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)

RIGHT, ALMOST, WRONG = "correct", "almost", "not_yet"
UNREAD, EMPTY = "cannot_read", "not_attempted"


@dataclass(frozen=True)
class Case:
    """One student answer to one question, and the verdict it must get."""

    kind: str
    answer: Any
    state: str
    tags: tuple[str, ...] = ()
    says: str = ""  # a phrase the message must contain


def _typed(text: str, value: sp.Expr, names: tuple[str, ...] = ("x",)) -> str:
    """A typed form of a right answer, after checking with calc_helpers that it is right."""
    assert sp.simplify(ch.parse(text, names) - value) == 0, (text, value)
    return text


def _numbers(values: list[sp.Expr], digits: int) -> str:
    return "[" + ", ".join(f"{round(float(v), digits):g}" for v in values) + "]"


def _set_text(value: sp.Set, digits: int | None = None) -> str:
    parts = value.args if isinstance(value, sp.Union) else (value,)

    def end(v: sp.Expr) -> str:
        if v.is_infinite or digits is None:
            return str(v)
        return f"{round(float(v), digits):g}"

    return " U ".join(f"({end(p.start)}, {end(p.end)})" for p in parts)


# --- derivatives ------------------------------------------------------------------------------

POWER = (x**2 + 3) ** 4
D_POWER = ch.derivative(POWER)
PRODUCT = x * sp.exp(2 * x)
D_PRODUCT = ch.derivative(PRODUCT)
COSINE = sp.cos(3 * x)
D_COSINE = ch.derivative(COSINE)
QUOTIENT = x / (x + 1)
D_QUOTIENT = ch.derivative(QUOTIENT)
FRACTIONS = sp.Rational(7, 6) * x**2 - sp.Rational(5, 3) * x


def _derivative(f: sp.Expr) -> Callable[[Any], ag.Feedback]:
    return lambda answer: ag.check_derivative(answer, f, x)


def _derivative_cases() -> list[tuple[Callable[[Any], ag.Feedback], Case]]:
    power, product = _derivative(POWER), _derivative(PRODUCT)
    cosine, quotient = _derivative(COSINE), _derivative(QUOTIENT)
    inner = ch.derivative(x**2 + 3)
    d_fractions = ch.derivative(FRACTIONS)
    rounded = " + ".join(
        f"({round(float(c), 2)})*x**{k}"
        for (k,), c in zip(
            sp.Poly(d_fractions, x).monoms(), sp.Poly(d_fractions, x).coeffs(), strict=True
        )
    )
    u, v = sp.fraction(QUOTIENT)
    return [
        (power, Case("derivative", _typed("8x(x^2+3)^3", D_POWER), RIGHT)),
        (power, Case("derivative", str(sp.expand(D_POWER)), RIGHT)),
        (power, Case("derivative", D_POWER, RIGHT)),
        (power, Case("derivative", str(D_POWER / inner), WRONG, ("missing_chain_factor",))),
        (power, Case("derivative", str(4 * (x**2 + 3) ** 4 * inner), WRONG, ("power_rule_error",))),
        (power, Case("derivative", str(-D_POWER), WRONG, ("sign_error",))),
        (power, Case("derivative", str(POWER), WRONG, ("not_differentiated",))),
        (power, Case("derivative", str(sp.integrate(POWER, x)), WRONG, ("integrated_instead",))),
        (power, Case("derivative", "8x(x^2+3", UNREAD)),
        (power, Case("derivative", "8y(y^2+3)^3", UNREAD)),
        (power, Case("derivative", None, EMPTY)),
        (product, Case("derivative", _typed("e^(2x) + 2x e^(2x)", D_PRODUCT), RIGHT)),
        (product, Case("derivative", _typed("(1 + 2x)exp(2x)", D_PRODUCT), RIGHT)),
        (
            product,
            Case(
                "derivative",
                str(ch.derivative(x) * ch.derivative(sp.exp(2 * x))),
                WRONG,
                ("product_rule_as_product",),
            ),
        ),
        (
            product,
            Case(
                "derivative",
                str(sp.exp(2 * x) + x * sp.exp(2 * x)),
                WRONG,
                ("missing_chain_factor",),
            ),
        ),
        (cosine, Case("derivative", _typed("-3sin(3x)", D_COSINE), RIGHT)),
        (cosine, Case("derivative", str(-D_COSINE), WRONG, ("sign_error",), "cos(x) = -sin(x)")),
        (cosine, Case("derivative", str(-sp.sin(3 * x)), WRONG, ("missing_chain_factor",))),
        (quotient, Case("derivative", _typed("1/(x+1)^2", D_QUOTIENT), RIGHT)),
        (
            quotient,
            Case(
                "derivative",
                str((u * ch.derivative(v) - ch.derivative(u) * v) / v**2),
                WRONG,
                ("quotient_rule_order",),
            ),
        ),
        (_derivative(FRACTIONS), Case("derivative", rounded, ALMOST, (), "exact coefficients")),
    ]


# --- points, classification, inflection -------------------------------------------------------

CUBIC = x**3 - 2 * x**2 - 4 * x
CRITICAL = ch.critical_points(CUBIC)
KINKED = sp.Abs(x**2 - 4)
KINKED_CRITICAL = ch.critical_points(KINKED)
QUARTIC = x**4 - 2 * x**2  # inflection points +-1/sqrt(3)
INFLECTIONS = ch.inflection_points(QUARTIC)


def _points_cases() -> list[tuple[Callable[[Any], ag.Feedback], Case]]:
    def crit(answer: Any) -> ag.Feedback:
        return ag.check_critical_points(answer, CUBIC)

    def kinked(answer: Any) -> ag.Feedback:
        return ag.check_critical_points(answer, KINKED)

    def inflection(answer: Any) -> ag.Feedback:
        return ag.check_inflection_points(answer, QUARTIC)

    stationary = [c for c in KINKED_CRITICAL if ch.differentiability(KINKED, c).differentiable]
    (between,) = ch.inflection_points(CUBIC)
    lone = CRITICAL[-1]
    return [
        (crit, Case("critical", list(CRITICAL), RIGHT)),
        (crit, Case("critical", ", ".join(f"x = {c}" for c in CRITICAL), RIGHT)),
        (crit, Case("critical", "{" + ", ".join(map(str, reversed(CRITICAL))) + "}", RIGHT)),
        (crit, Case("critical", _numbers(CRITICAL, 5), RIGHT)),
        (crit, Case("critical", _numbers(CRITICAL, 2), ALMOST, (), "exact values")),
        (crit, Case("critical", [CRITICAL[0]], ALMOST, ("missing_point",))),
        (crit, Case("critical", [*CRITICAL, between], ALMOST, ("extra_point",))),
        (crit, Case("critical", f"({lone}, {CUBIC.subs(x, lone)})", UNREAD, (), "x-values")),
        (crit, Case("critical", "two of them", UNREAD)),
        (crit, Case("critical", ..., EMPTY)),
        (kinked, Case("critical", list(KINKED_CRITICAL), RIGHT)),
        (kinked, Case("critical", stationary, ALMOST, ("missing_nondifferentiable_point",))),
        (inflection, Case("inflection", list(INFLECTIONS), RIGHT)),
        (inflection, Case("inflection", _numbers(INFLECTIONS, 2), ALMOST, (), "exact values")),
        (inflection, Case("inflection", INFLECTIONS[:1], ALMOST, ("missing_inflection",))),
        (inflection, Case("inflection", f"({INFLECTIONS[0]}, {INFLECTIONS[0]})", UNREAD)),
        (
            lambda a: ag.check_inflection_points(a, x**4),
            Case("inflection", [0], WRONG, ("inflection_without_sign_change",)),
        ),
    ]


def _classification_cases() -> list[tuple[Callable[[Any], ag.Feedback], Case]]:
    labels = {c: ch.classify_critical_point(CUBIC, c) for c in CRITICAL}
    swap = {"local_min": "local_max", "local_max": "local_min", "neither": "neither"}

    def classify(answer: Any) -> ag.Feedback:
        return ag.check_classification(answer, CUBIC)

    flat = x**3 + 1
    (zero,) = ch.critical_points(flat)
    words = {"local_min": "minimum", "local_max": "Local Max", "neither": "neither"}
    return [
        (classify, Case("classification", labels, RIGHT)),
        (classify, Case("classification", {str(c): words[k] for c, k in labels.items()}, RIGHT)),
        (classify, Case("classification", list(labels.items()), RIGHT)),
        (
            classify,
            Case(
                "classification",
                {c: swap[k] for c, k in labels.items()},
                WRONG,
                ("min_max_swapped",),
            ),
        ),
        (
            classify,
            Case(
                "classification",
                {round(float(c), 2): k for c, k in labels.items()},
                ALMOST,
                (),
                "exact values",
            ),
        ),
        (classify, Case("classification", "min then max", UNREAD)),
        (classify, Case("classification", {CRITICAL[0]: "maybe"}, UNREAD)),
        (
            lambda a: ag.check_classification(a, flat),
            Case("classification", {zero: "local_min"}, WRONG, ("second_derivative_test_misused",)),
        ),
    ]


# --- intervals and subdifferentials -----------------------------------------------------------


def _interval_cases() -> list[tuple[Callable[[Any], ag.Feedback], Case]]:
    shape = ch.monotonicity(CUBIC)
    bends = ch.concavity(QUARTIC)
    low, high = CRITICAL

    def rising(answer: Any) -> ag.Feedback:
        return ag.check_intervals(answer, CUBIC, "increasing")

    def cup(answer: Any) -> ag.Feedback:
        return ag.check_intervals(answer, QUARTIC, "concave_up")

    return [
        (rising, Case("intervals", shape["increasing"], RIGHT)),
        (rising, Case("intervals", _set_text(shape["increasing"]), RIGHT)),
        (rising, Case("intervals", f"x < {low} or x > {high}", RIGHT)),
        (rising, Case("intervals", [(-sp.oo, low), (high, sp.oo)], RIGHT)),
        (rising, Case("intervals", _set_text(shape["increasing"], 4), RIGHT)),
        (rising, Case("intervals", _set_text(shape["increasing"], 2), ALMOST, (), "exact values")),
        (
            rising,
            Case(
                "intervals",
                _set_text(shape["decreasing"]),
                WRONG,
                ("increasing_decreasing_swapped",),
            ),
        ),
        (rising, Case("intervals", f"(-oo, {low})", ALMOST)),
        (rising, Case("intervals", f"[{high}, {low}]", UNREAD, (), "left end must be smaller")),
        (rising, Case("intervals", "up then down", UNREAD)),
        (cup, Case("intervals", bends["up"], RIGHT)),
        (cup, Case("intervals", _set_text(bends["down"]), WRONG, ("concavity_swapped",))),
        (
            lambda a: ag.check_intervals(a, 1 / x, "decreasing"),
            Case("intervals", "(-oo, oo)", WRONG, ("outside_domain",)),
        ),
    ]


ABS2 = sp.Abs(2 * x)
SUB = ch.subdifferential(ABS2, 0)


def _subdifferential_cases() -> list[tuple[Callable[[Any], ag.Feedback], Case]]:
    def sub(answer: Any) -> ag.Feedback:
        return ag.check_subdifferential(answer, ABS2, 0)

    lo, hi = SUB.start, SUB.end
    return [
        (sub, Case("subdifferential", f"[{lo}, {hi}]", RIGHT)),
        (sub, Case("subdifferential", (lo, hi), RIGHT)),
        (sub, Case("subdifferential", SUB, RIGHT)),
        (sub, Case("subdifferential", f"({lo}, {hi})", WRONG, (), "closed")),
        (sub, Case("subdifferential", f"[{lo}, {hi})", WRONG, (), "closed")),
        (sub, Case("subdifferential", str(hi), WRONG, (), "one number is not enough")),
        (sub, Case("subdifferential", f"[{lo}, {hi + 1}]", ALMOST)),
        (sub, Case("subdifferential", f"[{hi}, {lo}]", UNREAD, (), "left end must be smaller")),
        (sub, Case("subdifferential", "all slopes", UNREAD)),
    ]


# --- words: differentiability and convexity ---------------------------------------------------


def _word_cases() -> list[tuple[Callable[[Any], ag.Feedback], Case]]:
    bent = sp.Abs(x - 1)
    kind = ch.differentiability(bent, 1).kind

    def how(answer: Any) -> ag.Feedback:
        return ag.check_differentiability(answer, bent, 1)

    def convex(answer: Any) -> ag.Feedback:
        return ag.check_convexity(answer, sp.exp(x))

    truth = ch.is_convex(sp.exp(x))
    return [
        (how, Case("differentiability", kind, RIGHT)),
        (how, Case("differentiability", kind.capitalize(), RIGHT)),
        (
            how,
            Case("differentiability", "differentiable", WRONG, ("continuous_not_differentiable",)),
        ),
        (how, Case("differentiability", "pointy", UNREAD)),
        (convex, Case("convexity", truth, RIGHT)),
        (convex, Case("convexity", "yes" if truth else "no", RIGHT)),
        (convex, Case("convexity", not truth, WRONG)),
        (convex, Case("convexity", "maybe", UNREAD)),
    ]


# --- several variables, and a number with a known wrong method --------------------------------

BOWL = (x - 2 * y) ** 2 + 3 * x
GRAD = ch.gradient(BOWL, (x, y))
SADDLE = x**2 * y + y**3
HESS = ch.hessian(SADDLE, (x, y))
NEWTON_F = x**3 - 2 * x - 5
NEWTON_X0 = 2


def _row(entries: list[sp.Expr]) -> str:
    return "[" + ", ".join(str(e) for e in entries) + "]"


def _several_variable_cases() -> list[tuple[Callable[[Any], ag.Feedback], Case]]:
    def grad(answer: Any) -> ag.Feedback:
        return ag.check_gradient(answer, BOWL, (x, y))

    def hess(answer: Any) -> ag.Feedback:
        return ag.check_hessian(answer, SADDLE, (x, y))

    inner = ch.derivative(x - 2 * y, y)
    no_inner = sp.simplify(GRAD[1] / inner)
    wrong_corner = [[str(HESS[0, 0]), "0"], [str(HESS[1, 0]), str(HESS[1, 1])]]
    (step,) = ch.newton_method(NEWTON_F, NEWTON_X0, 1)[1:]
    mistakes = ag.newton_mistakes(NEWTON_F, NEWTON_X0)
    ((_, root_step),) = mistakes

    def newton(answer: Any) -> ag.Feedback:
        return ag.check_number(answer, step, mistakes=mistakes)

    return [
        (grad, Case("gradient", [str(g) for g in GRAD], RIGHT)),
        (grad, Case("gradient", sp.Matrix(GRAD), RIGHT)),
        (grad, Case("gradient", ", ".join(str(sp.expand(g)) for g in GRAD), RIGHT)),
        (grad, Case("gradient", [str(GRAD[0]), str(no_inner)], ALMOST, ("missing_chain_factor",))),
        (grad, Case("gradient", [str(GRAD[0]), str(-GRAD[1])], ALMOST, ("sign_error",))),
        (
            grad,
            Case("gradient", [str(GRAD[1]), str(GRAD[0])], WRONG, ("gradient_components_swapped",)),
        ),
        (grad, Case("gradient", [str(GRAD[0])], WRONG, (), "one component per variable")),
        (grad, Case("gradient", "[2(x - 2y) + 3, ", UNREAD)),
        (hess, Case("hessian", HESS, RIGHT)),
        (hess, Case("hessian", HESS.tolist(), RIGHT)),
        (hess, Case("hessian", "[" + ", ".join(map(_row, HESS.tolist())) + "]", RIGHT)),
        (hess, Case("hessian", wrong_corner, ALMOST)),
        (hess, Case("hessian", [[1, 2, 3]], WRONG, (), "2 x 2")),
        (hess, Case("hessian", "[[2y, 2x], [2x", UNREAD)),
        (newton, Case("newton step", str(step), RIGHT)),
        (newton, Case("newton step", float(step), RIGHT)),
        (newton, Case("newton step", str(root_step), WRONG, ("newton_root_step",))),
        (newton, Case("newton step", round(float(step), 2), ALMOST, (), "exact value")),
        (newton, Case("newton step", "x1", UNREAD)),
    ]


CASES = [
    *_derivative_cases(),
    *_points_cases(),
    *_classification_cases(),
    *_interval_cases(),
    *_subdifferential_cases(),
    *_word_cases(),
    *_several_variable_cases(),
]


@pytest.mark.parametrize(
    ("check", "case"), CASES, ids=[f"{c.kind}-{i}" for i, (_, c) in enumerate(CASES)]
)
def test_heldout_answer_gets_its_verdict_and_tags(check, case):
    feedback = check(case.answer)
    assert feedback.state == case.state, (case, feedback.message)
    assert feedback.tags == case.tags, (case, feedback.message)
    assert case.says in feedback.message, (case, feedback.message)
    assert feedback.correct == (case.state == RIGHT)
    if case.tags:
        assert all(ag.MESSAGES[tag] in feedback.message for tag in case.tags[:2])


def test_every_kind_has_right_wrong_and_junk_answers():
    states: dict[str, set[str]] = {}
    for _, case in CASES:
        states.setdefault(case.kind, set()).add(case.state)
    for kind, seen in states.items():
        assert {RIGHT, UNREAD} <= seen and seen & {WRONG, ALMOST}, kind
