"""What every check shares: running it safely, and comparing an expression with a reference.

`run_check` turns placeholders into *not attempted*, refuses non-plain values, bounds the
time spent on the student's answer, silences warnings (nbgrader gives 0 points to a test cell
that writes to stderr), never lets an exception escape, and logs the outcome.

Reference work (calc_helpers calls, misconception candidates, sample values) is done outside
the time limit and cached, keyed on the SymPy arguments, so a class of answers to one
question pays for it once.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

# The instructor's side is read by the engine's own readers (re-exported for the checks).
from calc_helpers import as_expr as instructor_expression  # noqa: F401
from calc_helpers import as_number as instructor_number  # noqa: F401
from calc_helpers import function_and_variable as function_of  # noqa: F401
from calc_helpers import symbol_name as symbol_name
from calc_helpers.budget import EngineError, alarm

from . import equivalence as eq
from .answers import NotAttempted, Unreadable, normalize, read_expression, show
from .feedback import Feedback, almost, cannot_read, correct, not_attempted, not_yet
from .log import record
from .misconceptions import ROUNDED, explain

CHECK_SECONDS = 1.0


class CheckTimeout(BaseException):
    """Raised inside a check that ran out of time (a BaseException, so nothing swallows it).

    Examples
    --------
    >>> from autograder.checks_core import CheckTimeout
    >>> issubclass(CheckTimeout, Exception)
    False
    """


class QuestionUncheckable(ValueError):
    """The engine could not work out the reference answer of the instructor's question (out of
    time, or undecidable as asked): the question cannot be checked, and no student is told
    that an answer is wrong. The message says what to change in the question.

    Raised by the reference builders (see `quietly`), so by a check when it is called, before
    any answer is read.

    Examples
    --------
    >>> from autograder.checks_core import QuestionUncheckable
    >>> issubclass(QuestionUncheckable, ValueError)
    True
    """


def time_limit(seconds: float) -> AbstractContextManager[None]:
    """Interrupt the block after `seconds` with CheckTimeout (calc_helpers' one timer: nests
    with outer timers, the shorter wins; cooperative outside the main thread).

    Parameters
    ----------
    seconds : float
        The time allowed.

    Returns
    -------
    context manager

    Examples
    --------
    >>> from autograder.checks_core import time_limit
    >>> with time_limit(5.0):
    ...     total = sum(range(10))
    >>> total
    45
    """
    return alarm(seconds, CheckTimeout)


@contextmanager
def quiet() -> Iterator[None]:
    """No warnings and no NumPy floating-point messages (nbgrader scores stderr output 0).

    Returns
    -------
    context manager

    Examples
    --------
    >>> import numpy as np
    >>> from autograder.checks_core import quiet
    >>> with quiet():
    ...     np.log(np.array([-1.0, 0.0]))
    array([ nan, -inf])
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def quietly(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for reference builders: run the function under `quiet()`, and turn the
    engine's refusals (`calc_helpers.EngineError`) into `QuestionUncheckable`.

    Parameters
    ----------
    function : callable
        A function that asks the engine for a reference answer.

    Returns
    -------
    callable
        The wrapped function.

    Examples
    --------
    >>> from calc_helpers.budget import EngineError
    >>> from autograder.checks_core import quietly
    >>> @quietly
    ... def reference():
    ...     raise EngineError("out of time")
    >>> reference()
    Traceback (most recent call last):
        ...
    autograder.checks_core.QuestionUncheckable: the instructor's question could not be
    checked: out of time
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with quiet():
            try:
                return function(*args, **kwargs)
            except EngineError as error:
                raise QuestionUncheckable(
                    f"the instructor's question could not be checked: {error}"
                ) from error

    return wrapper


def run_check(
    name: str, question: str | None, answer: Any, judge: Callable[[Any], Feedback]
) -> Feedback:
    """Check one answer: never raises, always returns Feedback, and logs it.

    Parameters
    ----------
    name : str
        The check's name, for the log.
    question : str or None
        The question's label, for the log.
    answer : object
        The student's answer as given; `judge` receives it after `answers.normalize`.
    judge : callable
        Plain data -> Feedback; may raise `answers.Unreadable` or `answers.NotAttempted`.

    Returns
    -------
    Feedback
        A placeholder gives *not attempted*; an unreadable answer, an error or a timeout
        (`CHECK_SECONDS`) gives *cannot read*.

    Examples
    --------
    >>> from autograder.checks_core import run_check
    >>> from autograder.feedback import correct
    >>> run_check("demo", None, "2x", lambda data: correct(data)).message
    'Correct! Your answer was read as 2x.'
    >>> run_check("demo", None, None, lambda data: correct(data)).state
    'not_attempted'
    >>> run_check("demo", None, "2x", lambda data: 1 / 0).message
    'Cannot read your answer: I could not check this answer (ZeroDivisionError).'
    """
    with quiet():
        try:
            with time_limit(CHECK_SECONDS):
                feedback = judge(normalize(answer))
        except NotAttempted as stub:
            feedback = not_attempted(stub.message)
        except Unreadable as problem:
            feedback = cannot_read(problem.message, problem.interpreted)
        except CheckTimeout:
            feedback = cannot_read("checking this answer took too long. Simplify it and try again.")
        except RecursionError:
            feedback = cannot_read("that answer is nested too deeply to check.")
        except Exception as error:  # noqa: BLE001 - a check never raises on an answer
            feedback = cannot_read(f"I could not check this answer ({type(error).__name__}).")
    record(question, name, feedback)
    return feedback


# ---------------------------------------------------------------------------------------------
# Expressions: a reference, sample values, misconception candidates
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpressionReference:
    """A right expression, its values at sample points, and wrong answers to recognise.

    `candidates` are (tag, values) of misconception answers; `integrand` holds the values of
    f when an antiderivative of f is a recognisable wrong answer (integrated instead);
    `notes` are (tag, sentence) remarks that fit this question (see `misconceptions.explain`).

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.checks_core import build_reference
    >>> x = sp.Symbol("x", real=True)
    >>> ref = build_reference(2 * x, ("x",))
    >>> ref.expected, ref.names, len(ref.values) == len(ref.samples)
    (2*x, ('x',), True)
    """

    expected: sp.Expr
    names: tuple[str, ...]
    domain: sp.Set | None
    samples: eq.Samples
    values: np.ndarray
    candidates: tuple[tuple[str, np.ndarray], ...] = ()
    integrand: np.ndarray | None = None
    notes: tuple[tuple[str, str], ...] = ()


def build_reference(
    expected: sp.Expr,
    names: Sequence[str],
    domain: sp.Set | None = None,
    mistakes: Sequence[tuple[str, sp.Expr]] = (),
    integrand: sp.Expr | None = None,
    notes: tuple[tuple[str, str], ...] = (),
) -> ExpressionReference:
    """Sample the expected expression and each candidate mistake (duplicates dropped).

    Candidates equal to the right answer, or to a candidate kept before, are dropped.

    Parameters
    ----------
    expected : SymPy expression
        The right answer.
    names : sequence of str
        Its variables.
    domain : SymPy Set, optional
        Where to sample (one variable only).
    mistakes : sequence of (str, SymPy expression) pairs, optional
        Wrong answers with their misconception tags.
    integrand : SymPy expression, optional
        f, when an antiderivative of f is a recognisable wrong answer.
    notes : tuple of (str, str) pairs, optional
        Remarks for `misconceptions.explain`.

    Returns
    -------
    ExpressionReference

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.checks_core import build_reference
    >>> x = sp.Symbol("x", real=True)
    >>> ref = build_reference(2 * x, ("x",), mistakes=[("sign_error", -2 * x), ("x", 2 * x)])
    >>> [tag for tag, _ in ref.candidates]
    ['sign_error']
    """
    names = tuple(names)
    with quiet():
        if len(names) == 1:
            samples = eq.line_samples([expected], names[0], domain)
        else:
            samples = eq.box_samples([expected], names)
        values = eq.evaluate(expected, samples)
        kept: list[tuple[str, np.ndarray]] = []
        for tag, wrong in mistakes:
            try:
                wrong_values = eq.evaluate(wrong, samples)
            except (eq.Unsupported, TypeError, ValueError):
                continue
            if eq.agree(wrong_values, values) is not False:
                continue  # the "mistake" gives the right answer (or cannot be told apart)
            if any(eq.agree(wrong_values, v) for _, v in kept):
                continue
            kept.append((tag, wrong_values))
        integrand_values = None if integrand is None else eq.evaluate(integrand, samples)
    return ExpressionReference(
        expected, names, domain, samples, values, tuple(kept), integrand_values, tuple(notes)
    )


@dataclass(frozen=True)
class Verdict:
    """How a student's expression compares with a reference.

    `equal` is the verdict; `tags` name a matching misconception; `shown` is the answer as
    read; `rounded` marks a decimal answer that is only close.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.checks_core import build_reference, compare_expression
    >>> x = sp.Symbol("x", real=True)
    >>> ref = build_reference(2 * x, ("x",), mistakes=[("sign_error", -2 * x)])
    >>> compare_expression(-2 * x, ref)
    Verdict(equal=False, tags=('sign_error',), shown='-2*x', rounded=False)
    """

    equal: bool
    tags: tuple[str, ...]
    shown: str
    rounded: bool = False


def compare_expression(student: sp.Expr, ref: ExpressionReference) -> Verdict:
    """Equal to the reference? If not, which misconception candidate does it match?

    Parameters
    ----------
    student : SymPy expression
        The student's answer, read.
    ref : ExpressionReference
        From `build_reference`.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.checks_core import build_reference, compare_expression
    >>> x = sp.Symbol("x", real=True)
    >>> ref = build_reference(2 * x, ("x",), mistakes=[("sign_error", -2 * x)])
    >>> compare_expression(x + x, ref)
    Verdict(equal=True, tags=(), shown='2*x', rounded=False)
    >>> compare_expression(-2 * x, ref).tags
    ('sign_error',)
    >>> compare_expression(sp.Float(2.01) * x, ref).rounded
    True
    """
    shown = show(student)
    if eq.exactly_equal(student, ref.expected):
        return Verdict(True, (), shown)
    rel, slack = eq.tolerance_for(student)
    values = eq.evaluate(student, ref.samples)
    samples, expected_values, student_values = ref.samples, ref.values, values
    if len(ref.names) == 1:
        extra = eq.kink_points([student], ref.names[0], ref.domain)
        if len(extra):
            more = eq.Samples(ref.names, (extra,))
            expected_values = np.concatenate([ref.values, eq.evaluate(ref.expected, more)])
            student_values = np.concatenate([values, eq.evaluate(student, more)])
            samples = samples.joined(more)
    verdict = eq.agree(student_values, expected_values, rel, slack)
    if verdict is None:
        verdict = sp.simplify(student - ref.expected) == 0
    if verdict:
        return Verdict(True, (), shown)
    for tag, wrong in ref.candidates:
        if eq.agree(values, wrong, rel, slack):
            return Verdict(False, (tag,), shown)
    if ref.integrand is not None and len(ref.names) == 1:
        x = sp.Symbol(ref.names[0], real=True)
        slope = eq.evaluate(sp.diff(student, x), ref.samples)
        if eq.agree(slope, ref.integrand, rel, slack):
            return Verdict(False, ("integrated_instead",), shown)
    if eq.has_float(student):
        loose = eq.CLOSE_FACTOR * eq.REL_TOL
        if eq.agree(student_values, expected_values, loose, loose):
            return Verdict(False, (), shown, rounded=True)
    return Verdict(False, (), shown)


def judge_expression(data: Any, ref: ExpressionReference, generic: str) -> Feedback:
    """Feedback for one expression answer against a reference.

    Parameters
    ----------
    data : object
        The answer as plain data (after `answers.normalize`).
    ref : ExpressionReference
        From `build_reference`.
    generic : str
        The message for a wrong answer that matches no misconception.

    Returns
    -------
    Feedback

    Raises
    ------
    answers.Unreadable
        If the answer cannot be read as an expression.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.checks_core import build_reference, judge_expression
    >>> x = sp.Symbol("x", real=True)
    >>> ref = build_reference(2 * x, ("x",), mistakes=[("sign_error", -2 * x)])
    >>> judge_expression("x + x", ref, "Not that.").correct
    True
    >>> judge_expression("-2x", ref, "Not that.").tags
    ('sign_error',)
    >>> judge_expression("3x", ref, "Not that.").message
    'Not yet: Not that. Your answer was read as 3*x.'
    """
    student = read_expression(data, ref.names)
    verdict = compare_expression(student, ref)
    if verdict.equal:
        note = "(accepted within rounding)" if eq.has_float(student) else ""
        return correct(verdict.shown, note)
    if verdict.rounded:
        return almost(0.0, ROUNDED["coefficients"], (), verdict.shown)
    body = explain(verdict.tags, notes=ref.notes) or generic
    return not_yet(body, verdict.tags, verdict.shown)
