"""Exercises for lessons, in the style of Kaggle's learntools: `check`, `hint`, `solution`.

A lesson binds a question once::

    q1 = Exercise.derivative(x**3 - 3*x, hints=[...], solution="...")

and the student calls ``q1.check(answer)``, ``q1.hint()``, ``q1.hint(2)``, ``q1.solution()``.
Hints and solutions are Markdown written by the lesson author (computed with calc_helpers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import sympy as sp

from .answers import answer_of
from .checks_expressions import (
    check_derivative,
    check_expression,
    check_gradient,
    check_hessian,
    check_number,
    derivative_reference,
)
from .checks_points import (
    check_classification,
    check_critical_points,
    check_inflection_points,
    classification_reference,
    inflection_reference,
)
from .checks_properties import check_convexity, check_differentiability
from .checks_sets import check_intervals, check_subdifferential, intervals_reference
from .equivalence import REL_TOL
from .feedback import Feedback


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _forget_after_cell(shell: Any, feedback: Feedback) -> None:
    """Once the cell has run, let the feedback be displayed again if asked for."""

    def reset(*_: Any) -> None:
        feedback._quiet_once[0] = False
        shell.events.unregister("post_run_cell", reset)

    shell.events.register("post_run_cell", reset)


def _show_markdown(text: str) -> None:
    if _in_notebook():
        from IPython.display import Markdown, display

        display(Markdown(text))
    else:
        print(text)


class Exercise:
    """One question of a lesson: a check, hints in increasing detail, and a worked solution.

    `check` maps the student's answer to Feedback (one of the autograder checks with the
    instructor's side bound, e.g. ``functools.partial(check_derivative, f=f)``); `hints` has
    at least two levels; `solution` and `prompt` are Markdown.
    """

    def __init__(
        self,
        check: Callable[[Any], Feedback],
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
    ) -> None:
        if not callable(check):
            raise TypeError("check must be a function of the answer that returns Feedback")
        hints = [hints] if isinstance(hints, str) else list(hints)
        if len(hints) < 2 or not all(isinstance(h, str) and h.strip() for h in hints):
            raise ValueError("give at least two hints (non-empty strings), from vague to detailed")
        if not isinstance(solution, str) or not solution.strip():
            raise ValueError("give the worked solution as a non-empty string")
        self._check = check
        self.hints: tuple[str, ...] = tuple(hints)
        self._solution = solution
        self.prompt = prompt

    def check(self, answer: Any) -> Feedback:
        """Check the answer, show the feedback, and return it.

        The answer may also be a zero-argument function giving it, ``q1.check(lambda: dfdx)``:
        run before `dfdx` is defined, the feedback says to run that cell first.
        """
        feedback = self._check(answer_of(answer))
        if type(feedback) is not Feedback:
            raise TypeError("the exercise's check must return Feedback")
        if _in_notebook():
            from IPython import get_ipython
            from IPython.display import display

            display(feedback)
            _forget_after_cell(get_ipython(), feedback.shown())
            return feedback
        print(str(feedback))
        return feedback

    def hint(self, level: int = 1) -> None:
        """Show hint number `level` (1 = gentlest); past the last one, the last one again."""
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            level = 1
        count = len(self.hints)
        index = min(level, count)
        more = f" (ask for hint({index + 1}) for more)" if index < count else ""
        _show_markdown(f"**Hint {index} of {count}**{more}: {self.hints[index - 1]}")

    def solution(self) -> None:
        """Show the worked solution."""
        _show_markdown(f"**Solution:** {self._solution}")

    def _repr_markdown_(self) -> str:
        return self.prompt or "Exercise: call .check(answer), .hint(), .hint(2), .solution()."

    def __repr__(self) -> str:
        return f"Exercise(prompt={self.prompt!r}, hints={len(self.hints)})"

    # -- one constructor per kind of check ---------------------------------------------------

    @classmethod
    def _bound(
        cls,
        check: Callable[..., Feedback],
        hints: Sequence[str],
        solution: str,
        prompt: str | None,
        **bound: Any,
    ) -> Exercise:
        return cls(partial(check, **bound), hints, solution, prompt)

    @classmethod
    def expression(
        cls,
        expected: Any,
        x: Any = None,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by an expression equal to `expected`."""
        return cls._bound(
            check_expression, hints, solution, prompt, expected=expected, x=x, question=question
        )

    @classmethod
    def number(
        cls,
        expected: Any,
        rel_tol: float = REL_TOL,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
        mistakes: Sequence[tuple[str, Any]] = (),
    ) -> Exercise:
        """An exercise answered by a number; `mistakes` are (tag, wrong value) pairs to
        recognise, such as `misconceptions.newton_mistakes(f, x0)`."""
        return cls._bound(
            check_number,
            hints,
            solution,
            prompt,
            expected=expected,
            rel_tol=rel_tol,
            mistakes=tuple(mistakes),
            question=question,
        )

    @classmethod
    def derivative(
        cls,
        f: Any,
        x: Any = None,
        n: int = 1,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by the n-th derivative of f (reference computed now)."""
        derivative_reference(f, x, n)
        return cls._bound(
            check_derivative, hints, solution, prompt, f=f, x=x, n=n, question=question
        )

    @classmethod
    def critical_points(
        cls,
        f: Any,
        x: Any = None,
        domain: sp.Set | None = None,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by the critical points of f."""
        classification_reference(f, x, domain)
        return cls._bound(
            check_critical_points,
            hints,
            solution,
            prompt,
            f=f,
            x=x,
            domain=domain,
            question=question,
        )

    @classmethod
    def inflection_points(
        cls,
        f: Any,
        x: Any = None,
        domain: sp.Set | None = None,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by the inflection points of f."""
        inflection_reference(f, x, domain)
        return cls._bound(
            check_inflection_points,
            hints,
            solution,
            prompt,
            f=f,
            x=x,
            domain=domain,
            question=question,
        )

    @classmethod
    def classification(
        cls,
        f: Any,
        x: Any = None,
        domain: sp.Set | None = None,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by {critical point: "local_min" | "local_max" | "neither"}."""
        classification_reference(f, x, domain)
        return cls._bound(
            check_classification,
            hints,
            solution,
            prompt,
            f=f,
            x=x,
            domain=domain,
            question=question,
        )

    @classmethod
    def intervals(
        cls,
        f: Any,
        which: str,
        x: Any = None,
        domain: sp.Set | None = None,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by the set where f is increasing/decreasing/concave up/down."""
        intervals_reference(f, which, x, domain)
        return cls._bound(
            check_intervals,
            hints,
            solution,
            prompt,
            f=f,
            which=which,
            x=x,
            domain=domain,
            question=question,
        )

    @classmethod
    def differentiability(
        cls,
        f: Any,
        a: Any,
        x: Any = None,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by how f behaves at a (differentiable, corner, cusp, ...)."""
        return cls._bound(
            check_differentiability, hints, solution, prompt, f=f, a=a, x=x, question=question
        )

    @classmethod
    def convexity(
        cls,
        f: Any,
        x: Any = None,
        domain: sp.Set | None = None,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by whether f is convex (True/False, yes/no)."""
        return cls._bound(
            check_convexity, hints, solution, prompt, f=f, x=x, domain=domain, question=question
        )

    @classmethod
    def subdifferential(
        cls,
        f: Any,
        a: Any,
        x: Any = None,
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by the subdifferential of f at a, such as "[0, 1]"."""
        return cls._bound(
            check_subdifferential, hints, solution, prompt, f=f, a=a, x=x, question=question
        )

    @classmethod
    def gradient(
        cls,
        f: Any,
        variables: Sequence[Any],
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by the gradient of f (one entry per variable)."""
        return cls._bound(
            check_gradient,
            hints,
            solution,
            prompt,
            f=f,
            variables=tuple(variables),
            question=question,
        )

    @classmethod
    def hessian(
        cls,
        f: Any,
        variables: Sequence[Any],
        *,
        hints: Sequence[str],
        solution: str,
        prompt: str | None = None,
        question: str | None = None,
    ) -> Exercise:
        """An exercise answered by the Hessian matrix of f."""
        return cls._bound(
            check_hessian,
            hints,
            solution,
            prompt,
            f=f,
            variables=tuple(variables),
            question=question,
        )
