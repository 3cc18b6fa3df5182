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
    """Raise AssertionError(feedback.message) unless the answer is correct."""
    if not _require(feedback).correct:
        raise AssertionError(feedback.message)


def partial_credit(feedback: Feedback, points: float) -> float:
    """The points earned (score x points, rounded to 4 places), after printing the feedback.

    Put it last in an nbgrader test cell so that the number is the cell's result: nbgrader
    then awards that many points.
    """
    _require(feedback)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
        raise ValueError(f"points must be a number >= 0, got {points!r}")
    print(str(feedback))
    earned = round(float(feedback.score) * float(points), 4)
    return min(max(earned, 0.0), float(points))
