"""autograder checks on point sets: critical points, inflection points, classification."""

import pytest
import sympy as sp

import autograder as ag

x = sp.Symbol("x", real=True)
CUBIC = x**3 - x**2 - 5 * x  # critical points -1 (max), 5/3 (min); inflection 1/3


@pytest.mark.parametrize(
    "answer",
    [
        "-1, 5/3",
        "[-1, 5/3]",
        "{-1, 1.6667}",
        "x = -1, x = 5/3",
        [-1, sp.Rational(5, 3)],
        {-1, 1.6667},
        (sp.Rational(5, 3), -1.0),
        sp.FiniteSet(-1, sp.Rational(5, 3)),
        ["-1", "5/3"],
        [-1, 5 / 3, -1],
    ],
)
def test_critical_points_forms(answer):
    feedback = ag.check_critical_points(answer, CUBIC)
    assert feedback.correct, feedback.message


@pytest.mark.parametrize("answer", ["{ }", "[]", [], "none", sp.S.EmptySet])
def test_no_critical_points(answer):
    assert ag.check_critical_points(answer, 1 / x).correct
    assert ag.check_critical_points(answer, x**3 + x).correct


def test_critical_points_partial_credit():
    missing = ag.check_critical_points("-1", CUBIC)
    assert missing.state == "almost" and missing.score == 0.5
    assert missing.tags == ("missing_point",)
    extra = ag.check_critical_points("-1, 5/3, 1/3", CUBIC)
    assert extra.tags == ("extra_point",) and extra.score == pytest.approx(2 / 3)
    both = ag.check_critical_points("1, -5/3", CUBIC)
    assert both.state == "not_yet" and set(both.tags) == {"missing_point", "extra_point"}
    assert "5/3" not in missing.message.replace(missing.interpreted, "")


def test_missing_nondifferentiable_point():
    feedback = ag.check_critical_points("[]", sp.Abs(x))
    assert feedback.tags == ("missing_nondifferentiable_point",)
    assert "undefined" in feedback.message
    mixed = ag.check_critical_points("-1, 1", sp.Abs(x**2 - 1))
    assert mixed.tags == ("missing_point",)  # 0 is stationary; -1 and 1 are the kinks
    assert ag.check_critical_points("0", sp.Abs(x**2 - 1)).tags == (
        "missing_nondifferentiable_point",
    )


def test_outside_domain():
    assert ag.check_critical_points("0", 1 / x).tags == ("outside_domain",)
    domain = sp.Interval(0, 5)
    assert ag.check_critical_points("-1", CUBIC, domain=domain).tags == (
        "missing_point",
        "outside_domain",
    )
    assert ag.check_critical_points("5/3", CUBIC, domain=domain).correct


def test_inflection_points():
    assert ag.check_inflection_points("1/3", CUBIC).correct
    assert ag.check_inflection_points("0.3333", CUBIC).correct
    assert ag.check_inflection_points("[]", x**4).correct
    assert ag.check_inflection_points("0", sp.cbrt(x)).correct


def test_inflection_tags():
    assert ag.check_inflection_points("0", x**4).tags == ("inflection_without_sign_change",)
    assert ag.check_inflection_points("[]", sp.cbrt(x)).tags == ("missing_inflection",)
    assert ag.check_inflection_points("[]", CUBIC).tags == ("missing_inflection",)
    assert ag.check_inflection_points("0", 1 / x).tags == ("outside_domain",)


def test_points_on_bounded_domain_for_periodic_function():
    domain = sp.Interval(0, 2 * sp.pi)
    assert ag.check_critical_points("pi/2, 3pi/2", sp.sin(x), domain=domain).correct
    assert ag.check_critical_points("1.5708, 4.7124", sp.sin(x), domain=domain).correct


# --- classification ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {-1: "local_max", sp.Rational(5, 3): "local_min"},
        {-1: "max", "5/3": "Min"},
        {-1.0: "Local Max", 1.6667: "local minimum"},
        [(-1, "local_max"), ("5/3", "local_min")],
    ],
)
def test_classification_forms(answer):
    assert ag.check_classification(answer, CUBIC).correct


def test_min_max_swapped():
    feedback = ag.check_classification({-1: "local_min", "5/3": "local_max"}, CUBIC)
    assert feedback.tags == ("min_max_swapped",) and feedback.score == 0.0


def test_second_derivative_test_misused():
    assert ag.check_classification({0: "neither"}, x**4).tags == (
        "second_derivative_test_misused",
    )
    assert ag.check_classification({0: "local_min"}, x**3).tags == (
        "second_derivative_test_misused",
    )


def test_stationary_assumed_extremum():
    # f'(0) = 0 but f''(0) is undefined: f = x^(5/3); and a vertical tangent, cbrt(x)
    assert ag.check_classification({0: "local_max"}, x ** sp.Rational(5, 3)).tags == (
        "stationary_assumed_extremum",
    )
    assert ag.check_classification({0: "local_min"}, sp.cbrt(x)).tags == (
        "stationary_assumed_extremum",
    )


def test_classification_partial_and_extra():
    partial = ag.check_classification({-1: "local_max"}, CUBIC)
    assert partial.state == "almost" and partial.score == 0.5 and partial.tags == ("missing_point",)
    extra = ag.check_classification({-1: "local_max", "5/3": "local_min", 3: "neither"}, CUBIC)
    assert extra.tags == ("extra_point",) and extra.score == pytest.approx(2 / 3)


def test_classification_unknown_label_cannot_read():
    feedback = ag.check_classification({-1: "peak", "5/3": "local_min"}, CUBIC)
    assert feedback.state == "cannot_read" and "local_min" in feedback.message
