"""Feedback display, nbgrader helpers (assert_correct, partial_credit) and lesson Exercises."""

import pytest
import sympy as sp

import autograder as ag
from autograder.feedback import Feedback

x = sp.Symbol("x", real=True)
CUBIC = x**3 - x**2 - 5 * x


# --- Feedback ---------------------------------------------------------------------------------


def test_feedback_text_and_html():
    right = ag.check_derivative("3x^2 - 2x - 5", CUBIC)
    assert str(right).startswith("Correct!") and "3*x**2 - 2*x - 5" in str(right)
    assert right.interpreted == "3*x**2 - 2*x - 5"
    assert "#2e7d32" in right._repr_html_()  # green
    wrong = ag.check_derivative("-3x^2 + 2x + 5", CUBIC)
    assert str(wrong).startswith("Not yet:") and "#c62828" in wrong._repr_html_()  # red
    partly = ag.check_critical_points("-1", CUBIC)
    assert str(partly).startswith("Almost:") and "score 0.50" in str(partly)
    assert "#f9a825" in partly._repr_html_()  # amber


def test_feedback_html_is_escaped():
    feedback = ag.check_expression("x<1", 2 * x)
    assert "<1" not in feedback._repr_html_().replace("<div", "").replace("</div>", "")


def test_feedback_truthiness_and_validation():
    assert bool(ag.check_number("2", 2)) and not bool(ag.check_number("3", 2))
    with pytest.raises(ValueError):
        Feedback(True, 1.5, "x")
    with pytest.raises(ValueError):
        Feedback(True, 1.0, "x", state="great")


def test_wrong_answer_messages_never_contain_the_answer():
    cases = [
        (ag.check_derivative("x^2", CUBIC), "3*x**2 - 2*x - 5"),
        (ag.check_critical_points("0", CUBIC), "5/3"),
        (ag.check_intervals("(0, 1)", CUBIC, "increasing"), "5/3"),
        (ag.check_number("2", sp.Rational(5, 3)), "5/3"),
        (ag.check_subdifferential("[0, 2]", sp.Max(x, 0), 0), "[0, 1]"),
        (ag.check_differentiability("cusp", sp.Abs(x), 0), "corner"),
    ]
    for feedback, answer in cases:
        assert answer not in feedback.message, feedback.message


# --- nbgrader helpers -------------------------------------------------------------------------


def test_assert_correct():
    ag.assert_correct(ag.check_derivative("3x^2 - 2x - 5", CUBIC))
    wrong = ag.check_derivative("3x^2", CUBIC)
    with pytest.raises(AssertionError) as error:
        ag.assert_correct(wrong)
    assert str(error.value) == wrong.message
    with pytest.raises(AssertionError, match="Not attempted"):
        ag.assert_correct(ag.check_derivative(None, CUBIC))
    with pytest.raises(TypeError):
        ag.assert_correct(True)


def test_partial_credit(capsys):
    assert ag.partial_credit(ag.check_critical_points("-1, 5/3", CUBIC), 3) == 3.0
    assert ag.partial_credit(ag.check_critical_points("-1", CUBIC), 3) == 1.5
    assert ag.partial_credit(ag.check_critical_points("-1, 5/3, 0", CUBIC), 3) == 2.0
    assert ag.partial_credit(ag.check_critical_points("7", CUBIC), 3) == 0.0
    assert ag.partial_credit(ag.check_critical_points(None, CUBIC), 2) == 0.0
    earned = ag.partial_credit(ag.check_critical_points("-1", CUBIC), 1)
    assert type(earned) is float and float(repr(earned)) == earned  # nbgrader reads repr
    printed = capsys.readouterr()
    assert "Almost" in printed.out and printed.err == ""
    with pytest.raises(ValueError):
        ag.partial_credit(ag.check_critical_points("-1", CUBIC), -1)


def test_bare_wrong_feedback_under_nbgrader_goes_to_stderr(monkeypatch, capsys):
    pytest.importorskip("IPython")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ag.check_derivative("x", CUBIC)._ipython_display_()
    assert "Not yet" in capsys.readouterr().err
    ag.check_derivative("3x^2 - 2x - 5", CUBIC)._ipython_display_()
    assert capsys.readouterr().err == ""


# --- Exercise ---------------------------------------------------------------------------------

HINTS = ["Use the power rule on each term.", "d/dx x^n = n x^(n-1); the constant term vanishes."]
SOLUTION = "$f'(x) = 3x^2 - 2x - 5$"


def test_exercise_check_prints_and_returns(capsys):
    exercise = ag.Exercise(lambda a: ag.check_derivative(a, CUBIC), HINTS, SOLUTION, "Find f'.")
    feedback = exercise.check("3x^2 - 2x - 5")
    assert feedback.correct
    assert "Correct!" in capsys.readouterr().out
    assert not exercise.check("3x^2").correct
    assert exercise.check(None).state == "not_attempted"
    assert exercise._repr_markdown_() == "Find f'."


def test_exercise_hints_and_solution(capsys):
    exercise = ag.Exercise.derivative(CUBIC, hints=HINTS, solution=SOLUTION)
    exercise.hint()
    assert "Hint 1 of 2" in capsys.readouterr().out
    exercise.hint(2)
    out = capsys.readouterr().out
    assert "Hint 2 of 2" in out and "n x^(n-1)" in out
    exercise.hint(9)
    assert "Hint 2 of 2" in capsys.readouterr().out
    exercise.solution()
    assert "3x^2 - 2x - 5" in capsys.readouterr().out


def test_exercise_needs_two_hints_and_a_solution():
    with pytest.raises(ValueError, match="two hints"):
        ag.Exercise(lambda a: ag.check_number(a, 1), ["only one"], SOLUTION)
    with pytest.raises(ValueError, match="solution"):
        ag.Exercise(lambda a: ag.check_number(a, 1), HINTS, "")


def test_exercise_constructors_for_every_kind():
    kw = {"hints": HINTS, "solution": SOLUTION}
    y = sp.Symbol("y", real=True)
    cases = [
        (ag.Exercise.expression(2 * x + 2, **kw), "2(x+1)"),
        (ag.Exercise.number(sp.Rational(5, 3), **kw), "1.6667"),
        (ag.Exercise.derivative(CUBIC, **kw), "3x^2 - 2x - 5"),
        (ag.Exercise.critical_points(CUBIC, **kw), "[-1, 5/3]"),
        (ag.Exercise.inflection_points(CUBIC, **kw), "1/3"),
        (ag.Exercise.classification(CUBIC, **kw), {-1: "local_max", "5/3": "local_min"}),
        (ag.Exercise.intervals(CUBIC, "decreasing", **kw), "(-1, 5/3)"),
        (ag.Exercise.differentiability(sp.Abs(x), 0, **kw), "corner"),
        (ag.Exercise.convexity(sp.Abs(x), **kw), "yes"),
        (ag.Exercise.subdifferential(sp.Abs(x), 0, **kw), "[-1, 1]"),
        (ag.Exercise.gradient(x**2 * y, [x, y], **kw), ["2xy", "x^2"]),
        (ag.Exercise.hessian(x**2 * y, [x, y], **kw), [["2y", "2x"], ["2x", "0"]]),
    ]
    for exercise, answer in cases:
        assert exercise.check(answer).correct, exercise


def test_exercise_logs_question_id(tmp_path, monkeypatch):
    path = tmp_path / "log.jsonl"
    monkeypatch.setenv("AUTOGRADER_LOG", str(path))
    exercise = ag.Exercise.derivative(CUBIC, hints=HINTS, solution=SOLUTION, question="L3-q1")
    exercise.check("3x^2")
    assert '"question": "L3-q1"' in path.read_text()
