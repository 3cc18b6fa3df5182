"""The problem-set model: questions, their checked parts, a student's variant, and rendering.

A `Question` holds what a student is shown (``shown``: named SymPy values) and how the answer
is checked (``parts``: autograder checks called by name with their reference data). A
`ProblemSet` is one student's variant of an assignment: its questions, shown in a notebook
(`ProblemSet.show`) and checked there (`ProblemSet.check`) or by the grader's judge
(`check_question`). The content of each assignment lives in its own module of this package.

SymPy is imported only when something is rendered or checked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from autograder.identity import variant_code

if TYPE_CHECKING:
    from autograder.feedback import Feedback


@dataclass(frozen=True)
class Part:
    """One checked piece of an answer: an autograder check and the reference data it needs.

    The check is called as ``check(answer, *args, question=..., **kwargs)``.
    """

    check: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class Question:
    """A question of a variant: what is shown to the student and how the answer is checked.

    With one part the answer is checked as a whole; with several the answer is a sequence
    (list or tuple) with one entry per part, each part worth the same share of the points.
    `choice` marks answers picked from a few labels (a kind, yes/no): their functions vary,
    but an answer copied from another variant can still be right by chance.
    """

    qid: str
    shown: tuple[tuple[str, Any], ...]
    parts: tuple[Part, ...]
    choice: bool = False
    answer_form: str = ""


class ProblemSet:
    """A student's variant of an assignment: its questions, functions and checks."""

    def __init__(self, assignment: str, student: str, questions: Sequence[Question]) -> None:
        self.assignment = assignment
        self.student = student
        self.code = variant_code(assignment, student)
        self.questions = {q.qid: q for q in questions}

    def __repr__(self) -> str:
        return f"<{self.assignment}, variant {self.code} for '{self.student}'>"

    def question(self, qid: str) -> Question:
        """The question `qid` ("1a", ...)."""
        try:
            return self.questions[qid]
        except KeyError:
            known = ", ".join(self.questions)
            raise KeyError(
                f"no question {qid!r} in {self.assignment} (questions: {known})"
            ) from None

    def given(self, qid: str) -> SimpleNamespace:
        """What question `qid` gives you, as attributes: ``q = ps.given("1a"); q.f, q.p``."""
        return SimpleNamespace(**dict(self.question(qid).shown))

    def f(self, qid: str) -> Any:
        """The (first) function of question `qid`."""
        return self.question(qid).shown[0][1]

    def show(self, qid: str) -> _Shown:
        """Display what question `qid` gives you (in LaTeX in a notebook)."""
        return _Shown(self.question(qid))

    def check(self, qid: str, answer: Any, checks: Any = None) -> Feedback:
        """Check an answer to question `qid`; returns the autograder's Feedback.

        `answer` may be a zero-argument function giving it (``lambda: answer_1a``), so that
        checking before the answer cell has run says so instead of raising a NameError.

        Under ``nbgrader validate`` (the Validate button) a wrong answer's message also goes
        to stderr, which is how nbgrader's validator tells a failing test cell. Under
        ``nbgrader autograde`` nothing is checked here: the course's judge checks the answer
        outside the kernel and writes this cell's outputs itself, so checking it in the kernel
        too would only cost time (a third of a notebook's run).
        """
        from autograder.answers import answer_of

        if os.environ.get("NBGRADER_EXECUTION") == "autograde":
            from autograder.feedback import not_attempted

            return not_attempted("checked by the course's judge, outside this notebook").shown()
        result = check_question(self.question(qid), answer_of(answer), checks)
        if os.environ.get("NBGRADER_EXECUTION") == "validate" and not result.correct:
            print(f"Question {qid}: {result.message}", file=sys.stderr)
        return result


_GREEK = {"eta": r"\eta"}
_VARIABLES = ("x", "y", "w")


def _label(name: str, value: Any, latex: bool) -> str:
    """f -> f(x) for a function of x; x0 -> x_0; eta -> the Greek letter in LaTeX."""
    import sympy as sp

    shown = name
    if latex:
        shown = _GREEK.get(name, name)
        if name[-1:].isdigit() and not name[:-1][-1:].isdigit():
            shown = f"{name[:-1].rstrip('_')}_{{{name[-1]}}}"
    if isinstance(value, sp.Basic):
        names = sorted(s.name for s in value.free_symbols if s.name in _VARIABLES)
        if names:
            shown += "(" + ", ".join(names) + ")"
    return shown


def _latex(value: Any) -> str:
    import sympy as sp

    if isinstance(value, str):
        return r"\text{" + value + "}"
    if isinstance(value, (list, tuple)):
        return r",\ ".join(_latex(v) for v in value)
    return sp.latex(value)


class _Shown:
    """The given data of a question, rendered for a notebook."""

    def __init__(self, question: Question):
        self.question = question

    def __repr__(self) -> str:
        lines = [f"Question {self.question.qid} gives you:"]
        lines += [f"  {_label(n, v, False)} = {v}" for n, v in self.question.shown]
        if self.question.answer_form:
            lines.append(f"Answer with {self.question.answer_form}")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        lines = [f"**Question {self.question.qid}** gives you:", ""]
        for name, value in self.question.shown:
            lines.append(f"- ${_label(name, value, True)} = {_latex(value)}$")
        if self.question.answer_form:
            lines += ["", f"*Answer with* {self.question.answer_form}"]
        return "\n".join(lines)


def check_question(question: Question, answer: Any, checks: Any = None) -> Feedback:
    """Run the question's check(s) on `answer` with the autograder module `checks`.

    Several parts are combined into one Feedback: the mean score, and one line per part.
    """
    if checks is None:
        import autograder as checks
    parts = question.parts
    if len(parts) == 1:
        return _run_part(checks, parts[0], answer, question.qid)
    from autograder import feedback as fb
    from autograder.answers import placeholder_message

    placeholder = placeholder_message(answer)
    if placeholder is not None:  # a stub, or a lambda naming a cell that has not run
        return fb.not_attempted(placeholder) if placeholder else fb.not_attempted()
    if type(answer) not in (list, tuple) or len(answer) != len(parts):
        labels = ", ".join(p.label for p in parts)
        return fb.cannot_read(
            f"give a list or tuple of {len(parts)} answers, in this order: {labels}."
        )
    results = [
        _run_part(checks, part, item, f"{question.qid}.{i + 1}")
        for i, (part, item) in enumerate(zip(parts, answer, strict=True))
    ]
    score = sum(r.score for r in results) / len(results)
    pairs = list(zip(parts, results, strict=True))
    lines = [f"[{part.label}] {r.message}" for part, r in pairs]
    tags = tuple(dict.fromkeys(t for r in results for t in r.tags))
    if all(r.correct for r in results):
        return fb.correct(", ".join(f"{part.label} = {r.interpreted}" for part, r in pairs))
    if all(r.state == "not_attempted" for r in results):
        return fb.not_attempted()
    if score == 0:
        return fb.not_yet(" ".join(lines), tags)
    return fb.almost(score, " ".join(lines), tags)


def _run_part(checks: Any, part: Part, answer: Any, qid: str) -> Feedback:
    check: Callable = getattr(checks, part.check)
    return check(answer, *part.args, question=qid, **dict(part.kwargs))
