"""Helpers for nbgrader test cells.

A test cell ends with one of these::

    assert_correct(check_derivative(attempt(lambda: dfdx), f))           # all or nothing
    partial_credit(check_critical_points(attempt(lambda: pts), f), 3)    # 0..3 points

nbgrader awards the cell's points when it runs without error, 0 on an error (or any stderr
output), and the number shown as the cell's result when there is one (partial credit).
"""

from __future__ import annotations

from .feedback import Feedback


def _require(feedback: Feedback) -> Feedback:
    if type(feedback) is not Feedback:
        raise TypeError(f"expected the Feedback returned by a check, got {type(feedback).__name__}")
    return feedback


def assert_correct(feedback: Feedback) -> None:
    """Raise AssertionError(feedback.message) unless the answer is correct.

    Put it last in an all-or-nothing nbgrader test cell: the cell passes only for a correct
    answer, and a wrong one shows the feedback message as the error.

    Parameters
    ----------
    feedback : Feedback
        What a check returned.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        With the feedback's message, if the answer is not correct.
    TypeError
        If `feedback` is not the Feedback returned by a check.

    Examples
    --------
    >>> from autograder import assert_correct, check_derivative
    >>> assert_correct(check_derivative("3x^2", "x^3"))
    >>> assert_correct(check_derivative("x^2", "x^3"))
    Traceback (most recent call last):
        ...
    AssertionError: Not yet: Power rule: ... Your answer was read as x**2.
    """
    if not _require(feedback).correct:
        raise AssertionError(feedback.message)


def partial_credit(feedback: Feedback, points: float) -> float:
    """The points earned (score x points, rounded to 4 places), after printing the feedback.

    Put it last in an nbgrader test cell so that the number is the cell's result: nbgrader
    then awards that many points.

    Parameters
    ----------
    feedback : Feedback
        What a check returned.
    points : float
        The cell's points (>= 0).

    Returns
    -------
    float
        ``feedback.score * points``, rounded to 4 places, between 0 and `points`.

    Raises
    ------
    TypeError
        If `feedback` is not the Feedback returned by a check.
    ValueError
        If `points` is not a number >= 0.

    Examples
    --------
    >>> from autograder import check_critical_points, partial_credit
    >>> partial_credit(check_critical_points([-1, 1], "x^3 - 3x"), 3)
    Correct! Your answer was read as {-1, 1}.
    3.0
    >>> partial_credit(check_critical_points([1], "x^3 - 3x"), 3)
    Almost: part of your answer is right. Some points are missing: ... (score 0.50)
    1.5
    """
    _require(feedback)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
        raise ValueError(f"points must be a number >= 0, got {points!r}")
    print(str(feedback))
    earned = round(float(feedback.score) * float(points), 4)
    return min(max(earned, 0.0), float(points))
