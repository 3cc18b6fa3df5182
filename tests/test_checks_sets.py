"""autograder checks on sets: intervals of monotonicity/concavity and subdifferentials."""

import pytest
import sympy as sp

import autograder as ag

x = sp.Symbol("x", real=True)
CUBIC = x**3 - x**2 - 5 * x  # increasing on (-oo, -1) U (5/3, oo); concave up on (1/3, oo)


@pytest.mark.parametrize(
    "answer",
    [
        "(-oo, -1) U (5/3, oo)",
        "(-∞, -1] ∪ [5/3, ∞)",
        "(-inf, -1) u (1.6667, inf)",
        "x < -1 or x > 5/3",
        sp.Union(sp.Interval.open(-sp.oo, -1), sp.Interval(sp.Rational(5, 3), sp.oo)),
        [(-sp.oo, -1), (sp.Rational(5, 3), sp.oo)],
        [("-oo", -1), ("5/3", float("inf"))],
    ],
)
def test_increasing_forms(answer):
    feedback = ag.check_intervals(answer, CUBIC, "increasing")
    assert feedback.correct, feedback.message


def test_endpoints_and_finitely_many_points_not_held_against():
    assert ag.check_intervals("(-oo, 0) U (0, oo)", x**3, "increasing").correct
    assert ag.check_intervals("(-oo, oo)", x**3, "increasing").correct
    assert ag.check_intervals("[1/3, oo)", CUBIC, "concave_up").correct
    assert ag.check_intervals("{}", x**3, "decreasing").correct
    assert ag.check_intervals("empty", x**3, "decreasing").correct


def test_swapped_tags():
    assert ag.check_intervals("(-1, 5/3)", CUBIC, "increasing").tags == (
        "increasing_decreasing_swapped",
    )
    assert ag.check_intervals("(-oo, 1/3)", CUBIC, "concave_up").tags == ("concavity_swapped",)
    assert ag.check_intervals("(1/3, oo)", CUBIC, "concave_down").tags == ("concavity_swapped",)


def test_interval_across_a_hole_of_the_domain():
    assert ag.check_intervals("(-oo, 0) U (0, oo)", 1 / x, "decreasing").correct
    crossing = ag.check_intervals("(-oo, oo)", 1 / x, "decreasing")
    assert not crossing.correct and crossing.tags == ("outside_domain",)
    assert ag.check_intervals("(-1, oo)", sp.sqrt(x), "increasing").tags == ("outside_domain",)


def test_interval_partial_credit():
    feedback = ag.check_intervals("(-oo, -1)", CUBIC, "increasing")
    assert feedback.state == "almost" and feedback.score == 0.5
    assert ag.check_intervals("(0, oo)", 1 / x, "decreasing").score == 0.5
    assert ag.check_intervals("(-oo, oo)", CUBIC, "increasing").state == "not_yet"


def test_intervals_bad_which_is_an_instructor_error():
    with pytest.raises(ValueError, match="which"):
        ag.check_intervals("(0, 1)", CUBIC, "rising")


def test_intervals_unreadable():
    assert ag.check_intervals("(3, 1)", CUBIC, "increasing").state == "cannot_read"
    assert ag.check_intervals([1, 2, 3], CUBIC, "increasing").state == "cannot_read"


# --- subdifferential --------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["[0, 1]", sp.Interval(0, 1), (0, 1), [0, 1], "[0,1]"])
def test_subdifferential_of_relu(answer):
    assert ag.check_subdifferential(answer, sp.Max(x, 0), 0).correct


def test_subdifferential_open_interval_refused_with_a_message():
    feedback = ag.check_subdifferential("(0, 1)", sp.Max(x, 0), 0)
    assert not feedback.correct and "closed" in feedback.message and "[a, b]" in feedback.message


@pytest.mark.parametrize("answer", ["{2}", "2", "[2, 2]", 2, sp.FiniteSet(2)])
def test_subdifferential_where_differentiable(answer):
    assert ag.check_subdifferential(answer, x**2, 1).correct


def test_subdifferential_wrong():
    single = ag.check_subdifferential("1/2", sp.Max(x, 0), 0)
    assert single.state == "not_yet" and "one number" in single.message
    half = ag.check_subdifferential("[0, 2]", sp.Max(x, 0), 0)
    assert half.state == "almost" and half.score == 0.5
    assert ag.check_subdifferential("[-1, 1]", sp.Abs(x), 0).correct
    assert not ag.check_subdifferential("[1, 2]", sp.Abs(x), 0).correct
