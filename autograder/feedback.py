"""What a check tells the student: a named state, a score, a message and misconception tags.

The states follow mitmath's named feedback: ``correct``, ``almost`` (partly right),
``not_yet`` (wrong), ``not_attempted`` (the placeholder is still there) and ``cannot_read``
(the answer could not be read or is not a value at all). Each has its own headline and colour.
"""

from __future__ import annotations

import html
import os
import sys
from dataclasses import dataclass, field

from .misconceptions import MESSAGES

STATES = ("correct", "almost", "not_yet", "not_attempted", "cannot_read")

_HEADLINES = {
    "correct": "Correct!",
    "almost": "Almost:",
    "not_yet": "Not yet:",
    "not_attempted": "Not attempted yet:",
    "cannot_read": "Cannot read your answer:",
}

# (background, border) per state: green, amber, red, grey, amber.
_COLOURS = {
    "correct": ("#e8f5e9", "#2e7d32"),
    "almost": ("#fff8e1", "#f9a825"),
    "not_yet": ("#ffebee", "#c62828"),
    "not_attempted": ("#f5f5f5", "#757575"),
    "cannot_read": ("#fff8e1", "#f9a825"),
}

_MAX_ECHO = 300


def echo_text(text: str | None) -> str | None:
    """Shorten an interpretation string for display (very long answers are cut).

    Parameters
    ----------
    text : str or None
        How an answer was read.

    Returns
    -------
    str or None
        `text` itself if at most 300 characters long, else its start ending in ``...``;
        None for None.

    Examples
    --------
    >>> from autograder.feedback import echo_text
    >>> echo_text("3*x**2")
    '3*x**2'
    >>> len(echo_text("x" * 1000)), echo_text("x" * 1000)[-5:]
    (300, 'xx...')
    """
    if text is None:
        return None
    return text if len(text) <= _MAX_ECHO else text[: _MAX_ECHO - 3] + "..."


@dataclass(frozen=True)
class Feedback:
    """The result of checking one answer.

    ``correct`` and ``score`` (in [0, 1]) are for grading; ``message`` is the text for the
    student (it never contains the expected answer when the answer is wrong); ``tags`` name
    the likely misconceptions; ``interpreted`` says how the answer was read; ``state`` is one
    of ``STATES``. ``bool(feedback)`` is ``feedback.correct``.

    In a notebook a Feedback shows as a coloured box (green, amber, red or grey by state);
    ``str(feedback)`` is the message (with the score for ``almost``).

    Parameters
    ----------
    correct : bool
        Full marks or not.
    score : float
        The credit, in [0, 1].
    message : str
        The text for the student.
    tags : tuple of str, optional
        Misconception tags (see ``autograder.TAGS``).
    interpreted : str, optional
        How the answer was read.
    state : str, optional
        One of ``STATES`` (default ``"not_yet"``).

    Raises
    ------
    ValueError
        If `state` is not one of ``STATES``, `score` is outside [0, 1] or a tag is not one of
        ``autograder.TAGS`` (every tag a check reports is defined, with its message, there).

    Examples
    --------
    >>> from autograder import Feedback, check_derivative
    >>> feedback = check_derivative("x^2", "x^3")
    >>> bool(feedback), feedback.score, feedback.state, feedback.tags
    (False, 0.0, 'not_yet', ('power_rule_error',))
    >>> feedback.interpreted
    'x**2'
    >>> Feedback(True, 1.0, "Correct!", state="correct")
    Feedback(correct=True, score=1.0, message='Correct!', tags=(), interpreted=None,
             state='correct')
    """

    correct: bool
    score: float
    message: str
    tags: tuple[str, ...] = ()
    interpreted: str | None = None
    state: str = "not_yet"
    _quiet_once: list[bool] = field(default_factory=lambda: [False], repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"state must be one of {STATES}, got {self.state!r}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be in [0, 1], got {self.score!r}")
        object.__setattr__(self, "tags", tuple(self.tags))
        unknown = [tag for tag in self.tags if tag not in MESSAGES]
        if unknown:
            raise ValueError(f"unknown misconception tags {unknown}; see autograder.TAGS")

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        if self.state == "almost":
            return f"{self.message} (score {self.score:.2f})"
        return self.message

    def _repr_html_(self) -> str:
        background, border = _COLOURS[self.state]
        text = html.escape(str(self))
        return (
            f'<div style="background:{background};border-left:4px solid {border};'
            f'padding:0.5em 0.8em;margin:0.3em 0;color:#212121;border-radius:3px">{text}</div>'
        )

    def _ipython_display_(self) -> None:
        """Show the coloured box in a notebook.

        Under nbgrader's autograder a wrong answer also goes to stderr, so a test cell that
        ends with a bare check (instead of `assert_correct`/`partial_credit`) scores 0, not
        full marks.
        """
        if self._quiet_once[0]:
            self._quiet_once[0] = False
            return
        from IPython.display import display

        display({"text/html": self._repr_html_(), "text/plain": str(self)}, raw=True)
        if os.environ.get("NBGRADER_EXECUTION") == "autograde" and not self.correct:
            print(self.message, file=sys.stderr)

    def shown(self) -> Feedback:
        """Mark the feedback as already displayed: the next notebook echo of it is skipped.

        Returns
        -------
        Feedback
            The feedback itself.

        Examples
        --------
        >>> from autograder import check_derivative
        >>> feedback = check_derivative("3x^2", "x^3")
        >>> feedback.shown() is feedback
        True
        """
        self._quiet_once[0] = True
        return self


def _compose(state: str, body: str, interpreted: str | None) -> str:
    parts = [_HEADLINES[state]]
    if body:
        parts.append(body.strip())
    echo = echo_text(interpreted)
    if echo is not None:
        parts.append(f"Your answer was read as {echo}.")
    return " ".join(parts)


def correct(interpreted: str | None = None, note: str = "") -> Feedback:
    """Full marks.

    Parameters
    ----------
    interpreted : str, optional
        How the answer was read (echoed in the message).
    note : str, optional
        A remark after the headline, such as "(accepted within the tolerance)".

    Returns
    -------
    Feedback
        State ``"correct"``, score 1.

    Examples
    --------
    >>> from autograder.feedback import correct
    >>> correct("3*x**2")
    Feedback(correct=True, score=1.0, message='Correct! Your answer was read as 3*x**2.',
             tags=(), interpreted='3*x**2', state='correct')
    """
    message = _compose("correct", note, interpreted)
    return Feedback(True, 1.0, message, (), echo_text(interpreted), "correct")


def almost(
    score: float, body: str, tags: tuple[str, ...] = (), interpreted: str | None = None
) -> Feedback:
    """Partly right (or nearly right): some credit, a pointer to what is left.

    Parameters
    ----------
    score : float
        The credit, in [0, 1].
    body : str
        What is left to do.
    tags : tuple of str, optional
        Misconception tags.
    interpreted : str, optional
        How the answer was read.

    Returns
    -------
    Feedback
        State ``"almost"``, not correct.

    Examples
    --------
    >>> from autograder.feedback import almost
    >>> feedback = almost(0.5, "one point is missing.", ("missing_point",), "{1}")
    >>> print(feedback)
    Almost: one point is missing. Your answer was read as {1}. (score 0.50)
    >>> feedback.correct, feedback.tags
    (False, ('missing_point',))
    """
    message = _compose("almost", body, interpreted)
    return Feedback(False, float(score), message, tuple(tags), echo_text(interpreted), "almost")


def not_yet(body: str, tags: tuple[str, ...] = (), interpreted: str | None = None) -> Feedback:
    """Wrong: no credit, a message aimed at the likely mistake.

    Parameters
    ----------
    body : str
        The message aimed at the mistake (never the expected answer).
    tags : tuple of str, optional
        Misconception tags.
    interpreted : str, optional
        How the answer was read.

    Returns
    -------
    Feedback
        State ``"not_yet"``, score 0.

    Examples
    --------
    >>> from autograder.feedback import not_yet
    >>> feedback = not_yet("check your signs.", ("sign_error",), "-x")
    >>> feedback.message
    'Not yet: check your signs. Your answer was read as -x.'
    >>> feedback.score, feedback.state
    (0.0, 'not_yet')
    """
    message = _compose("not_yet", body, interpreted)
    return Feedback(False, 0.0, message, tuple(tags), echo_text(interpreted), "not_yet")


def not_attempted(body: str = "") -> Feedback:
    """The placeholder (None, ..., a NotImplementedError stub) is still there.

    Parameters
    ----------
    body : str, optional
        What to do (default: replace the placeholder).

    Returns
    -------
    Feedback
        State ``"not_attempted"``, score 0.

    Examples
    --------
    >>> from autograder.feedback import not_attempted
    >>> not_attempted().message
    'Not attempted yet: replace the placeholder with your answer, then run the check again.'
    """
    body = body or "replace the placeholder with your answer, then run the check again."
    return Feedback(False, 0.0, _compose("not_attempted", body, None), (), None, "not_attempted")


def cannot_read(reason: str, interpreted: str | None = None) -> Feedback:
    """The answer could not be read (a typo, an unknown name, or not a value at all).

    Parameters
    ----------
    reason : str
        Why, for the student.
    interpreted : str, optional
        What was read so far.

    Returns
    -------
    Feedback
        State ``"cannot_read"``, score 0.

    Examples
    --------
    >>> from autograder.feedback import cannot_read
    >>> feedback = cannot_read("a term is missing.", "x +")
    >>> feedback.state
    'cannot_read'
    >>> feedback.message
    'Cannot read your answer: a term is missing. Your answer was read as x +.'
    """
    message = _compose("cannot_read", reason, interpreted)
    return Feedback(False, 0.0, message, (), echo_text(interpreted), "cannot_read")
