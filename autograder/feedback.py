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
    """Shorten an interpretation string for display (very long answers are cut)."""
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
        """Mark the feedback as already displayed: the next notebook echo of it is skipped."""
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
    """Full marks."""
    message = _compose("correct", note, interpreted)
    return Feedback(True, 1.0, message, (), echo_text(interpreted), "correct")


def almost(
    score: float, body: str, tags: tuple[str, ...] = (), interpreted: str | None = None
) -> Feedback:
    """Partly right (or nearly right): some credit, a pointer to what is left."""
    message = _compose("almost", body, interpreted)
    return Feedback(False, float(score), message, tuple(tags), echo_text(interpreted), "almost")


def not_yet(body: str, tags: tuple[str, ...] = (), interpreted: str | None = None) -> Feedback:
    """Wrong: no credit, a message aimed at the likely mistake."""
    message = _compose("not_yet", body, interpreted)
    return Feedback(False, 0.0, message, tuple(tags), echo_text(interpreted), "not_yet")


def not_attempted(body: str = "") -> Feedback:
    """The placeholder (None, ..., a NotImplementedError stub) is still there."""
    body = body or "replace the placeholder with your answer, then run the check again."
    return Feedback(False, 0.0, _compose("not_attempted", body, None), (), None, "not_attempted")


def cannot_read(reason: str, interpreted: str | None = None) -> Feedback:
    """The answer could not be read (a typo, an unknown name, or not a value at all)."""
    message = _compose("cannot_read", reason, interpreted)
    return Feedback(False, 0.0, message, (), echo_text(interpreted), "cannot_read")
