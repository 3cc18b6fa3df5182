"""Verdicts and feedback of issue 11: rounded answers, tags that name the right mistake, and
verdicts that are neither too lenient nor too revealing.

Every expected value is computed with calc_helpers; the student answers are built from it
(rounded, swapped, with one factor left out) the way a student would write them.
"""

import pytest
import sympy as sp

import autograder as ag
import calc_helpers as ch

x = sp.Symbol("x", real=True)
w = sp.Symbol("w", real=True)
b = sp.Symbol("b", real=True)
CUBIC = x**3 - x**2 - 5 * x  # critical points -1 and 5/3
QUARTIC = 3 * x**4 - 6 * x**2  # concave up outside +-1/sqrt(3), irrational ends


def _decimal(value: sp.Expr, digits: int = 2) -> str:
    """The number as a student rounds it: `digits` decimals."""
    return f"{round(float(value), digits):g}"


def _interval_text(parts: list[tuple[sp.Expr, sp.Expr]], digits: int = 2) -> str:
    """(lo, hi) pairs written as open intervals with rounded finite ends."""

    def end(value: sp.Expr) -> str:
        return str(value) if value.is_infinite else _decimal(value, digits)

    return " U ".join(f"({end(lo)}, {end(hi)})" for lo, hi in parts)


def _pieces(value: sp.Set) -> list[tuple[sp.Expr, sp.Expr]]:
    parts = value.args if isinstance(value, sp.Union) else (value,)
    return [(part.start, part.end) for part in parts]


def _is_rounded_verdict(feedback: ag.Feedback) -> bool:
    text = feedback.message.lower()
    return (
        feedback.state == "almost"
        and not feedback.correct
        and "close" in text
        and "exact" in text
        and "missing" not in text
        and "do not belong" not in text
    )


# --- rounded answers: "close: give exact values" ---------------------------------------------


def test_rounded_critical_points_are_close_not_missing_and_extra():
    points = ch.critical_points(CUBIC)
    assert any(not p.is_integer for p in points)
    answer = "[" + ", ".join(_decimal(p) for p in points) + "]"
    feedback = ag.check_critical_points(answer, CUBIC)
    assert _is_rounded_verdict(feedback), feedback.message
    assert feedback.tags == ()
    # the points that were exact still earn their share
    exact = sum(1 for p in points if p.is_integer)
    assert feedback.score == pytest.approx(exact / len(points))


def test_rounded_point_beside_a_missing_one_names_both():
    points = ch.critical_points(CUBIC)
    fraction = next(p for p in points if not p.is_integer)
    feedback = ag.check_critical_points(_decimal(fraction), CUBIC)
    assert "exact" in feedback.message and feedback.tags == ("missing_point",)


def test_rounded_inflection_point_and_classification():
    (inflection,) = ch.inflection_points(CUBIC)
    assert _is_rounded_verdict(ag.check_inflection_points(_decimal(inflection), CUBIC))
    labels = {_decimal(c): ch.classify_critical_point(CUBIC, c) for c in ch.critical_points(CUBIC)}
    feedback = ag.check_classification(labels, CUBIC)
    assert _is_rounded_verdict(feedback), feedback.message


def test_rounded_irrational_interval_ends_are_close():
    up = ch.concavity(QUARTIC)["up"]
    assert all(not end.is_rational for lo, hi in _pieces(up) for end in (lo, hi) if end.is_finite)
    feedback = ag.check_intervals(_interval_text(_pieces(up)), QUARTIC, "concave_up")
    assert _is_rounded_verdict(feedback), feedback.message


def test_rounded_rational_interval_end_is_close():
    up = ch.concavity(CUBIC)["up"]
    feedback = ag.check_intervals(_interval_text(_pieces(up)), CUBIC, "concave_up")
    assert _is_rounded_verdict(feedback), feedback.message
    # more digits are accepted, as for numbers
    assert ag.check_intervals(_interval_text(_pieces(up), 4), CUBIC, "concave_up").correct


def test_rounded_swapped_intervals_still_named_swapped():
    down = ch.concavity(CUBIC)["down"]
    feedback = ag.check_intervals(_interval_text(_pieces(down)), CUBIC, "concave_up")
    assert feedback.tags == ("concavity_swapped",)


def test_rounded_derivative_coefficients_are_close():
    f = sp.Rational(14, 3) * w**2 - sp.Rational(26, 3) * w
    slope = sp.Poly(ch.derivative(f, w), w)
    assert not all(c.is_integer for c in slope.coeffs())
    rounded = " + ".join(
        f"({_decimal(c)})*w**{k}" for (k,), c in zip(slope.monoms(), slope.coeffs(), strict=True)
    )
    feedback = ag.check_derivative(rounded, f, w)
    assert _is_rounded_verdict(feedback), feedback.message
    assert "coefficient" in feedback.message
    # four significant digits are accepted
    precise = " + ".join(
        f"({_decimal(c, 4)})*w**{k}" for (k,), c in zip(slope.monoms(), slope.coeffs(), strict=True)
    )
    assert ag.check_derivative(precise, f, w).correct


def test_rounded_gradient_entry_is_close():
    f = sp.Rational(7, 3) * x**2 + x * w
    grad = ch.gradient(f, (x, w))
    coefficient = sp.Poly(grad[0], x, w).coeff_monomial(x)
    answer = [f"{_decimal(coefficient)}*x + w", str(grad[1])]
    feedback = ag.check_gradient(answer, f, (x, w))
    assert feedback.state == "almost" and "exact" in feedback.message
    assert feedback.score == pytest.approx(0.5)


def test_rounded_subdifferential_ends_are_close():
    f = sp.Max(x / 3, 2 * x / 3)
    sub = ch.subdifferential(f, 0)
    answer = f"[{_decimal(sub.start)}, {_decimal(sub.end)}]"
    assert _is_rounded_verdict(ag.check_subdifferential(answer, f, 0))


def test_far_decimals_are_still_wrong_not_close():
    points = ch.critical_points(CUBIC)
    answer = ", ".join(_decimal(p * sp.Rational(11, 10)) for p in points)
    feedback = ag.check_critical_points(answer, CUBIC)
    assert feedback.state == "not_yet" and "exact" not in feedback.message


# --- tags that name the mistake the student made ----------------------------------------------

COSINE_NOTE = "cos(x) = -sin(x)"


def test_sign_slip_without_a_cosine_gets_no_cosine_message():
    f = x**3 - x**2
    feedback = ag.check_derivative(str(-ch.derivative(f)), f)
    assert feedback.tags == ("sign_error",)
    assert COSINE_NOTE not in feedback.message
    gradient = ch.gradient(x**2 - w**2, (x, w))
    slipped = ag.check_gradient([str(gradient[0]), str(-gradient[1])], x**2 - w**2, (x, w))
    assert slipped.tags == ("sign_error",) and COSINE_NOTE not in slipped.message


def test_sign_slip_with_a_cosine_gets_the_cosine_message():
    f = sp.cos(x) + x**2
    wrong = ch.derivative(f).subs(sp.sin(x), -sp.sin(x))  # d/dx cos(x) taken as +sin(x)
    feedback = ag.check_derivative(str(wrong), f)
    assert feedback.tags == ("sign_error",) and COSINE_NOTE in feedback.message
    # the cosine of the second derivative's last step counts too
    second = ag.check_derivative(str(-ch.derivative(sp.sin(x), n=2)), sp.sin(x), n=2)
    assert second.tags == ("sign_error",) and COSINE_NOTE in second.message


@pytest.mark.parametrize(
    ("f", "var", "inner"),
    [
        ((2 * x + 1) ** 2, x, 2 * x + 1),
        ((3 * x - 2) ** 4, x, 3 * x - 2),
        (sp.sqrt(5 * x + 1), x, 5 * x + 1),
        (sp.exp(-3 * x), x, -3 * x),
        (sp.log(x**2 + 1), x, x**2 + 1),
    ],
)
def test_missing_inner_factor_is_the_chain_rule(f, var, inner):
    inner_slope = ch.derivative(inner, var)
    without = sp.simplify(ch.derivative(f, var) / inner_slope)
    feedback = ag.check_derivative(str(without), f, var)
    assert feedback.tags == ("missing_chain_factor",), feedback.message


def test_missing_inner_factor_in_a_gradient_is_the_chain_rule():
    f = (2 * w + b - 3) ** 2
    grad = ch.gradient(f, (w, b))
    inner = ch.derivative(2 * w + b - 3, w)
    answer = [str(sp.simplify(grad[0] / inner)), str(grad[1])]
    feedback = ag.check_gradient(answer, f, (w, b))
    assert feedback.tags == ("missing_chain_factor",), feedback.message
    assert feedback.score == pytest.approx(0.5)
    assert ag.check_gradient(["2x", "w"], x**2 + w**2, (x, w)).tags == ("power_rule_error",)


def test_swapped_gradient_components_are_named():
    f = x**2 * w + 3 * w
    grad = ch.gradient(f, (x, w))
    feedback = ag.check_gradient([str(grad[1]), str(grad[0])], f, (x, w))
    assert feedback.tags == ("gradient_components_swapped",)
    assert feedback.state == "not_yet" and "order" in feedback.message
    assert ag.MESSAGES["gradient_components_swapped"] in feedback.message
    # three variables, two swapped
    g = x * w * b + x**2
    grad3 = ch.gradient(g, (x, w, b))
    swapped = ag.check_gradient([str(grad3[0]), str(grad3[2]), str(grad3[1])], g, (x, w, b))
    assert swapped.tags == ("gradient_components_swapped",)


def test_newton_root_step_where_the_minimisation_step_was_asked():
    f = x**3 - 3 * x
    x0 = 2
    (step,) = ch.newton_method(f, x0, 1)[1:]
    root_step = x0 - f.subs(x, x0) / ch.derivative_at(f, x0)
    assert not sp.Eq(root_step, step)
    mistakes = ag.newton_mistakes(f, x0)
    feedback = ag.check_number(str(root_step), step, mistakes=mistakes)
    assert feedback.tags == ("newton_root_step",)
    assert ag.MESSAGES["newton_root_step"] in feedback.message
    assert ag.check_number(float(root_step), step, mistakes=mistakes).tags == ("newton_root_step",)
    assert ag.check_number(str(step), step, mistakes=mistakes).correct
    exercise = ag.Exercise.number(step, mistakes=mistakes, hints=["a", "b"], solution="s")
    assert exercise.check(str(root_step)).tags == ("newton_root_step",)


# --- verdicts neither too lenient nor too revealing -------------------------------------------

LEAKY = sp.Max(x, x / 10)


def _bracketed(value: sp.Interval, left: str, right: str) -> str:
    return f"{left}{value.start}, {value.end}{right}"


@pytest.mark.parametrize(("left", "right"), [("(", ")"), ("[", ")"), ("(", "]")])
def test_open_or_half_open_subdifferential_is_refused(left, right):
    sub = ch.subdifferential(LEAKY, 0)
    feedback = ag.check_subdifferential(_bracketed(sub, left, right), LEAKY, 0)
    assert not feedback.correct and feedback.score == 0.0
    assert "closed" in feedback.message and "[" in feedback.message
    assert ag.check_subdifferential(_bracketed(sub, "[", "]"), LEAKY, 0).correct
    assert ag.check_subdifferential((sub.start, sub.end), LEAKY, 0).correct  # a pair: closed
    assert ag.check_subdifferential(sub, LEAKY, 0).correct


def test_open_interval_with_wrong_ends_gets_the_kink_message():
    sub = ch.subdifferential(LEAKY, 0)
    feedback = ag.check_subdifferential(f"({sub.start - 1}, {sub.end + 1})", LEAKY, 0)
    assert feedback.state == "not_yet" and "one-sided derivatives" in feedback.message


def test_reversed_interval_says_left_end_must_be_smaller():
    sub = ch.subdifferential(LEAKY, 0)
    reversed_text = f"[{sub.end}, {sub.start}]"
    for feedback in (
        ag.check_subdifferential(reversed_text, LEAKY, 0),
        ag.check_intervals(reversed_text, x**2, "increasing"),
    ):
        assert feedback.state == "cannot_read"
        assert "left end must be smaller than the right end" in feedback.message
        assert "comma can only separate" not in feedback.message
    assert ag.check_subdifferential(str(sub.end), LEAKY, 0).state != "cannot_read"
    assert "comma" in ag.check_subdifferential("1, 2, 3", LEAKY, 0).message


@pytest.mark.parametrize("check", [ag.check_inflection_points, ag.check_critical_points])
def test_coordinates_are_refused_as_a_list_of_points(check):
    f = (x - 2) ** 3 + 2 * x  # one inflection point, at x = 2, where f = 4
    (point,) = ch.inflection_points(f)
    coordinates = f"({point}, {f.subs(x, point)})"
    for answer in (coordinates, f"({point}, {point})", (point, point)):
        feedback = check(answer, f)
        assert feedback.state == "cannot_read", (answer, feedback.message)
        assert "coordinates" in feedback.message and "x-values" in feedback.message
    assert ag.check_inflection_points(f"[{point}]", f).correct
    assert ag.check_inflection_points(str(point), f).correct


def test_a_tuple_of_two_different_points_is_still_a_list():
    points = ch.critical_points(CUBIC)
    assert ag.check_critical_points(tuple(points), CUBIC).correct
    assert ag.check_critical_points("{" + ", ".join(map(str, points)) + "}", CUBIC).correct


def _numbers_in(text: str) -> set[str]:
    import re

    text = re.sub(r"position \d+", "", text)  # where a typo is, not an example
    return set(re.findall(r"-?\d+(?:/\d+)?(?:\.\d+)?", text))


@pytest.mark.parametrize(
    "f",
    [
        x**3 - 3 * x**2 - 9 * x + 5,  # the worked example: -1 and 3
        x**3 - x**2 - 5 * x + 2,  # -1 and 5/3
        x**3 - 6 * x**2 + 9 * x,  # 1 and 3
    ],
)
def test_classification_format_error_does_not_show_the_answer(f):
    points = {str(p) for p in ch.critical_points(f)}
    for junk in ("local_min", ["local_min"], 3, "{-1: min}"):
        feedback = ag.check_classification(junk, f)
        assert feedback.state == "cannot_read"
        message = feedback.message.replace(str(feedback.interpreted), "")
        assert not points & _numbers_in(message), feedback.message
    for junk in ({"a": "b"}, [(1, 2, 3)], "[a, b]"):
        feedback = ag.check_critical_points(junk, f)
        message = feedback.message.replace(str(feedback.interpreted), "")
        assert feedback.state == "cannot_read"
        assert not points & _numbers_in(message), message


# The lesson's own example of each kind: a first hint that points to it gives the answer away.
_LESSON_EXAMPLE = {"cusp": ("x^{2/3}", "x^(2/3)"), "vertical_tangent": ("x^{1/3}", "x^(1/3)")}


def _differentiability_exercises():
    """(name, exercise, kind) for every lesson exercise answered by a kind of point."""
    import importlib
    import pkgutil

    import course.exercises as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"course.exercises.{info.name}")
        for name, value in vars(module).items():
            check = getattr(value, "_check", None)
            if isinstance(value, ag.Exercise) and check.func is ag.check_differentiability:
                f, a = check.keywords["f"], check.keywords["a"]
                yield f"{info.name}.{name}", value, ch.differentiability(f, a).kind


def test_first_hints_of_differentiability_exercises_do_not_give_the_answer():
    found = list(_differentiability_exercises())
    assert any(kind == "cusp" for _, _, kind in found)  # lesson 3 q2, whatever its number
    for name, exercise, kind in found:
        first = exercise.hints[0].lower()
        giveaways = {kind, kind.replace("_", " "), *_LESSON_EXAMPLE.get(kind, ())}
        assert not any(word in first for word in giveaways), (name, exercise.hints[0])


# --- a check run before its answer exists ----------------------------------------------------

RUN_FIRST = "run the cell that defines your answer first"


def test_check_of_an_undefined_answer_says_run_the_cell_first():
    f = x**2
    through_attempt = ag.check_derivative(ag.attempt(lambda: answer_never_defined), f)  # noqa: F821
    direct = ag.check_derivative(lambda: answer_never_defined, f)  # noqa: F821
    for feedback in (through_attempt, direct):
        assert feedback.state == "not_attempted" and feedback.score == 0.0
        assert RUN_FIRST in feedback.message and "answer_never_defined" in feedback.message
    exercise = ag.Exercise.derivative(f, x, hints=["a", "b"], solution="s")
    shown = exercise.check(lambda: answer_never_defined)  # noqa: F821
    assert shown.state == "not_attempted" and RUN_FIRST in shown.message
    assert exercise.check(lambda: str(ch.derivative(f))).correct


def test_stub_and_value_returning_function_keep_their_verdicts():
    def stub():
        raise NotImplementedError()

    f = x**2
    feedback = ag.check_derivative(stub, f)
    assert feedback.state == "not_attempted" and RUN_FIRST not in feedback.message
    assert ag.check_derivative(lambda: ch.derivative(f), f).state == "cannot_read"
    assert ag.check_derivative(lambda: 1 / 0, f).state == "cannot_read"


# --- right answers whose values vanish in the tails -------------------------------------------


@pytest.mark.parametrize(
    ("f", "form"),
    [
        (sp.tanh(2 * x), 2 / sp.cosh(2 * x) ** 2),
        (sp.tanh(x) / 2, 1 / (2 * sp.cosh(x) ** 2)),
        (1 / (1 + sp.exp(-3 * x)), 3 / (4 * sp.cosh(3 * x / 2) ** 2)),
    ],
)
def test_equivalent_form_of_a_decaying_derivative_is_right(f, form):
    assert sp.simplify((form - ch.derivative(f)).rewrite(sp.exp)) == 0
    assert ag.check_derivative(str(form), f).correct
    assert not ag.check_derivative(str(form * (1 + x / 1000)), f).correct
    assert not ag.check_derivative(str(form.subs(x, x * 1.01)), f).correct


def test_number_mistakes_need_known_tags_and_never_hide_the_answer():
    with pytest.raises(ValueError, match="unknown misconception"):
        ag.check_number("1", 2, mistakes=[("no_such_tag", 1)])
    (step,) = ch.newton_method(x**2 - 4 * x, 0, 1)[1:]
    mistakes = ag.newton_mistakes(x**2 - 4 * x, 0)
    assert ag.check_number(str(step), step, mistakes=mistakes).correct
    # a listed mistake equal to the answer is ignored, so the right answer stays right
    assert ag.check_number(str(step), step, mistakes=[("newton_root_step", step)]).correct


def test_placeholder_message_for_callers_that_judge_a_whole_answer():
    from autograder.answers import placeholder_message

    undefined = ag.answer_of(lambda: answer_never_defined)  # noqa: F821
    assert RUN_FIRST in placeholder_message(undefined)
    assert placeholder_message(None) == "" and placeholder_message(...) == ""
    assert placeholder_message(ag.NOT_ATTEMPTED) == ""
    assert placeholder_message([1, 2]) is None and placeholder_message("2x") is None
