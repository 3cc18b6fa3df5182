"""The judge: scores extracted answers in a process that never ran student code.

Input, all decided by the grader: the assignment, the student id, each judged test cell's
:class:`~.spec.Spec` and points (from the gradebook), and the raw text each extraction
printed (from the kernel, untrusted). Output: one :class:`Verdict` per judged cell. The
checker (a module with ``judge_answer(assignment, student, question, value)`` returning a
Feedback-like object with ``score`` in [0, 1], ``message`` and ``tags``; optionally
``record_note(record_text, assignment, student)``) is the course's code, loaded by the grader.

Every failure fails closed: a cell whose extraction is missing earns 0 and needs a human; an
answer that cannot be read earns 0 with a message; a checker that raises or runs past its
time earns 0 and needs a human ("the question could not be checked"), never a verdict.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from .answer_data import BadPayload, Missing, decode, read_payload
from .spec import Spec

#: The course's checker, as nbgrader_config.py names it by default.
DEFAULT_CHECKER = "autograder.judging.course_checks"
#: Seconds one answer may take to judge (the reference included, on a cold cache).
ANSWER_SECONDS = 60
#: Seconds each engine call may take while judging (the engine's default is for lessons).
ENGINE_SECONDS = 30

NOT_RUN = "not_run"
JUDGED = "judged"
UNREADABLE = "unreadable"
FAILED = "check_failed"


@dataclass
class Verdict:
    """The judge's decision on one test cell."""

    grade_id: str
    question: str
    points: float
    earned: float = 0.0
    message: str = ""
    tags: list[str] = field(default_factory=list)
    status: str = JUDGED
    note: str | None = None

    @property
    def needs_human(self) -> bool:
        """A cell that did not run, or whose check failed, is looked at by a person."""
        return self.status in (NOT_RUN, FAILED)

    def to_json(self) -> dict[str, Any]:
        """Plain data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        """The inverse of :meth:`to_json`."""
        return cls(**data)

    def text(self) -> str:
        """The message shown in the graded notebook and the feedback."""
        lines = [f"Graded question {self.question}: {self.earned:g} / {self.points:g} points. "
                 f"{self.message}".rstrip()]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


class CheckTimeout(Exception):
    """Judging one answer took longer than its budget."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """At most ``seconds`` for the block (the engine's one timer, nesting with outer ones),
    with a generous budget for each engine call inside: the judge's own limit governs."""
    from calc_helpers.budget import alarm, time_budget

    with time_budget(ENGINE_SECONDS), alarm(seconds, CheckTimeout):
        yield


_CHECKERS: dict[tuple[str, str], ModuleType] = {}


def load_checker(reference: str, course_root: str | Path | None = None) -> ModuleType:
    """The checker module: a module name, or a ``.py`` path relative to the course folder."""
    key = (reference, str(course_root or ""))
    if key in _CHECKERS:
        return _CHECKERS[key]
    if reference.endswith(".py"):
        path = Path(reference)
        if not path.is_absolute():
            path = Path(course_root or ".") / path
        name = f"dfml_checker_{abs(hash(str(path.resolve())))}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the checker {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(reference)
    if not callable(getattr(module, "judge_answer", None)):
        raise ImportError(f"the checker {reference} has no judge_answer function")
    _CHECKERS[key] = module
    return module


def _field(result: Any, name: str, default: Any) -> Any:
    if isinstance(result, dict):
        return result.get(name, default)
    return getattr(result, name, default)


def _judge_one(judge_answer: Callable[..., Any], assignment: str, student: str, spec: Spec,
               points: float, raw: str | None) -> Verdict:
    verdict = Verdict(spec.grade_id, spec.question, points)
    if raw is None:
        verdict.status = NOT_RUN
        verdict.message = ("This test did not run (the notebook stopped before it), so it "
                           "earns nothing; the instructor will look at it.")
        return verdict
    try:
        payload = read_payload(raw)
        value = decode(payload.get("answer"))
    except BadPayload as error:
        verdict.status = UNREADABLE
        verdict.message = f"Cannot read your answer: {error}."
        return verdict
    if isinstance(value, Missing):
        from autograder.answers import NOT_ATTEMPTED

        value = NOT_ATTEMPTED
    try:
        with _time_limit(ANSWER_SECONDS), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                result = judge_answer(assignment, student, spec.question, value)
        score = float(_field(result, "score", 0.0))
        if not math.isfinite(score) or not 0.0 <= score <= 1.0:
            raise ValueError(f"the checker gave the score {score!r}")
        verdict.earned = round(points * score, 4)
        verdict.message = str(_field(result, "message", ""))[:2000]
        verdict.tags = [str(t)[:80] for t in list(_field(result, "tags", ()) or ())[:20]]
    except CheckTimeout:
        verdict.status = FAILED
        verdict.message = ("The instructor's question could not be checked in time; "
                           "the instructor will grade it.")
    except Exception as error:  # noqa: BLE001 - a checker bug must not decide a grade
        verdict.status = FAILED
        verdict.message = ("The instructor's question could not be checked "
                           f"({type(error).__name__}); the instructor will grade it.")
    return verdict


def judge_notebook(checker: str, course_root: str | None, assignment: str, student: str,
                   specs: list[dict[str, str]], points: dict[str, float],
                   extracted: dict[str, str],
                   record: str | None = None) -> dict[str, dict[str, Any]]:
    """Verdicts (as plain data, by grade id) for every judged cell of one notebook.

    ``specs``: :meth:`Spec.to_json` of each judged cell; ``points``: each cell's maximum;
    ``extracted``: the raw stdout of each cell's extraction (absent when it did not run);
    ``record``: the identity record submitted with the notebook (read by the grader, never
    by the kernel), only for the "worked under another identity" notice. Plain data in and
    out, so it can run in a separate judge process.
    """
    module = load_checker(checker, course_root)
    judge_answer = module.judge_answer
    verdicts: dict[str, Verdict] = {}
    for data in specs:
        spec = Spec.from_json(data)
        verdicts[spec.grade_id] = _judge_one(judge_answer, assignment, student, spec,
                                             float(points.get(spec.grade_id, 0.0)),
                                             extracted.get(spec.grade_id))
    note_for = getattr(module, "record_note", None)
    if callable(note_for) and verdicts:
        try:
            note = note_for(record, assignment, student)
        except Exception:  # noqa: BLE001 - the notice is information only
            note = None
        for verdict in verdicts.values():
            verdict.note = note if isinstance(note, str) else None
    return {gid: v.to_json() for gid, v in verdicts.items()}


def warm(checker: str, course_root: str | None = None) -> None:
    """Import the checker ahead (a judge process calls this when it starts)."""
    load_checker(checker, course_root)
