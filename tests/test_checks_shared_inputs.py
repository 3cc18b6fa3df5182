"""The autograder reads inputs through calc_helpers, and an engine refusal never becomes a
verdict for the student."""

import pytest
import sympy as sp

import autograder as ag
import calc_helpers as ch
from autograder.checks_core import QuestionUncheckable, function_of, instructor_expression

x = sp.Symbol("x", real=True)


@pytest.mark.parametrize(
    "answer",
    [
        "(−oo, 0)",
        "(-∞, 0)",
        ("−oo", 0),
        ("-inf", "0"),
        ("−∞", 0),
        (float("-inf"), 0),
        (-sp.oo, 0),
    ],
)
def test_interval_ends_read_the_same_as_text_or_in_a_tuple(answer):
    assert ag.check_intervals(answer, -(x**2), "increasing").correct


def test_a_tuple_with_ends_in_the_wrong_order_cannot_be_read():
    feedback = ag.check_intervals(("0", "−oo"), -(x**2), "increasing")
    assert feedback.state == "cannot_read"


def test_student_symbols_are_realified_by_the_engine_and_foreign_ones_refused():
    plain = sp.Symbol("x")
    assert ag.check_derivative(3 * plain**2, x**3).correct
    feedback = ag.check_derivative(3 * sp.Symbol("y") ** 2, x**3)
    assert feedback.state == "cannot_read" and "y" in feedback.message


def test_the_instructor_side_is_read_by_the_engine_readers():
    assert function_of is ch.function_and_variable
    assert instructor_expression("x^2", ("x",)) == x**2
    with pytest.raises(ch.UnknownVariable):
        ch.realify(sp.Symbol("t") + x, ("x",))


def test_an_engine_refusal_makes_the_question_uncheckable_not_the_answer_wrong():
    with pytest.raises(QuestionUncheckable, match="could not be checked"):
        ag.check_critical_points([0], sp.floor(x))
    assert issubclass(QuestionUncheckable, ValueError)


def test_an_engine_out_of_budget_makes_the_question_uncheckable():
    tower = sp.sin(sp.exp(sp.exp(sp.exp(sp.exp(x)))))
    with ch.time_budget(0.3), pytest.raises(QuestionUncheckable, match="within 0.3 s"):
        ag.check_critical_points([0], tower, domain=sp.Interval(-2, 1))
