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
    at least two levels; `solution` and `prompt` are Markdown. The class methods
    (`Exercise.derivative`, `Exercise.critical_points`, ...) bind a check for you.

    Parameters
    ----------
    check : callable
        A function of the answer that returns Feedback.
    hints : sequence of str
        At least two non-empty hints, from vague to detailed (Markdown).
    solution : str
        The worked solution (Markdown).
    prompt : str, optional
        The question (Markdown), shown when the exercise is displayed.

    Raises
    ------
    TypeError
        If `check` is not callable.
    ValueError
        If there are fewer than two hints, or the solution is empty.

    Examples
    --------
    >>> from functools import partial
    >>> from autograder import Exercise, check_number
    >>> q = Exercise(
    ...     partial(check_number, expected=2),
    ...     hints=["Count.", "One and one more."],
    ...     solution="1 + 1 = 2",
    ...     prompt="What is 1 + 1?",
    ... )
    >>> q
    Exercise(prompt='What is 1 + 1?', hints=2)
    >>> feedback = q.check(2)
    Correct! Your answer was read as 2.
    >>> feedback = q.check("3")
    Not yet: That is not the value expected. Check your working. Your answer was read as 3.
    >>> q.hint(2)
    **Hint 2 of 2**: One and one more.
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

        Parameters
        ----------
        answer : object
            The student's answer, or a function of no arguments that gives it.

        Returns
        -------
        Feedback
            Also shown: as a coloured box in a notebook, else printed.

        Raises
        ------
        TypeError
            If the exercise's check does not return Feedback.

        Examples
        --------
        >>> from autograder import Exercise
        >>> q = Exercise.derivative("x^3", hints=["Power rule.", "3x^2"], solution="3x^2")
        >>> feedback = q.check("3x^2")
        Correct! Your answer was read as 3*x**2.
        >>> feedback.correct
        True
        >>> feedback = q.check(lambda: dfdx)  # dfdx is not defined yet
        Not attempted yet: run the cell that defines your answer first (dfdx is not defined
        yet), then run this check again.
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
        """Show hint number `level` (1 = gentlest); past the last one, the last one again.

        Parameters
        ----------
        level : int, optional
            Which hint (default 1).

        Returns
        -------
        None
            The hint is displayed as Markdown in a notebook, else printed.

        Examples
        --------
        >>> from autograder import Exercise
        >>> q = Exercise.derivative("x^3", hints=["Power rule.", "n x^(n-1)"], solution="3x^2")
        >>> q.hint()
        **Hint 1 of 2** (ask for hint(2) for more): Power rule.
        >>> q.hint(5)
        **Hint 2 of 2**: n x^(n-1)
        """
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            level = 1
        count = len(self.hints)
        index = min(level, count)
        more = f" (ask for hint({index + 1}) for more)" if index < count else ""
        _show_markdown(f"**Hint {index} of {count}**{more}: {self.hints[index - 1]}")

    def solution(self) -> None:
        """Show the worked solution.

        Returns
        -------
        None
            The solution is displayed as Markdown in a notebook, else printed.

        Examples
        --------
        >>> from autograder import Exercise
        >>> q = Exercise.derivative("x^3", hints=["Power rule.", "n x^(n-1)"], solution="$3x^2$")
        >>> q.solution()
        **Solution:** $3x^2$
        """
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
        """An exercise answered by an expression equal to `expected`.

        Parameters
        ----------
        expected : str or SymPy expression
            The instructor's expression.
        x : Symbol or str, optional
            The variable (default: the free symbols of `expected`).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.expression("x^2 + 2x + 1", hints=HINTS, solution="...")
        >>> feedback = q.check("(x + 1)^2")
        Correct! Your answer was read as (x + 1)**2.
        >>> feedback = q.check("-(x + 1)^2")
        Not yet: Check your signs: ... Your answer was read as -(x + 1)**2.
        >>> feedback.tags
        ('sign_error',)
        """
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
        recognise, such as `misconceptions.newton_mistakes(f, x0)`.

        Parameters
        ----------
        expected : str, number or SymPy expression
            The instructor's number.
        rel_tol : float, optional
            The relative tolerance for decimals (default 0.1%).
        mistakes : sequence of (str, value) pairs, optional
            Wrong values to recognise, each with its misconception tag.
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> import sympy as sp
        >>> from autograder import newton_mistakes
        >>> x = sp.Symbol("x", real=True)
        >>> q = Exercise.number(
        ...     sp.Rational(11, 12),
        ...     mistakes=newton_mistakes(x**4 - 3*x, 1),
        ...     hints=HINTS,
        ...     solution="...",
        ... )
        >>> feedback = q.check("11/12")
        Correct! Your answer was read as 11/12.
        >>> feedback = q.check("3")
        Not yet: That is Newton's step for solving f(x) = 0, ... Your answer was read as 3.
        >>> feedback.tags
        ('newton_root_step',)
        """
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
        """An exercise answered by the n-th derivative of f (reference computed now).

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        x : Symbol or str, optional
            The variable (default: the one free symbol of `f`).
        n : int, optional
            The order of the derivative (default 1).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.derivative("x^3 - 3x", hints=HINTS, solution="...")
        >>> feedback = q.check("3x^2 - 3")
        Correct! Your answer was read as 3*x**2 - 3.
        >>> feedback = q.check("x^2 - 3")
        Not yet: Power rule: ... Your answer was read as x**2 - 3.
        >>> feedback.tags
        ('power_rule_error',)
        """
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
        """An exercise answered by the critical points of f.

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        x : Symbol or str, optional
            The variable (default: the one free symbol of `f`).
        domain : SymPy Set, optional
            Where to look (default: f's natural domain).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.critical_points("x^3 - 3x", hints=HINTS, solution="...")
        >>> feedback = q.check("-1, 1")
        Correct! Your answer was read as {-1, 1}.
        >>> feedback = q.check("1")
        Almost: part of your answer is right. ... Your answer was read as {1}. (score 0.50)
        >>> feedback.tags
        ('missing_point',)
        """
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
        """An exercise answered by the inflection points of f.

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        x : Symbol or str, optional
            The variable (default: the one free symbol of `f`).
        domain : SymPy Set, optional
            Where to look (default: f's natural domain).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.inflection_points("x^4", hints=HINTS, solution="...")
        >>> feedback = q.check("{ }")
        Correct! Your answer was read as {} (no points).
        >>> feedback = q.check("0")
        Not yet: none of your points are inflection points. ... Your answer was read as {0}.
        >>> feedback.tags
        ('inflection_without_sign_change',)
        """
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
        """An exercise answered by {critical point: "local_min" | "local_max" | "neither"}.

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        x : Symbol or str, optional
            The variable (default: the one free symbol of `f`).
        domain : SymPy Set, optional
            Where to look (default: f's natural domain).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.classification("x^3 - 3x", hints=HINTS, solution="...")
        >>> feedback = q.check({-1: "max", 1: "min"})
        Correct! Your answer was read as {-1: 'local_max', 1: 'local_min'}.
        >>> feedback = q.check({-1: "min", 1: "max"})
        Not yet: Minimum and maximum are swapped: ... read as {-1: 'local_min', 1: 'local_max'}.
        >>> feedback.tags
        ('min_max_swapped',)
        """
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
        """An exercise answered by the set where f is increasing/decreasing/concave up/down.

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        which : {"increasing", "decreasing", "concave_up", "concave_down"}
            Which set is asked for.
        x : Symbol or str, optional
            The variable (default: the one free symbol of `f`).
        domain : SymPy Set, optional
            Where to look (default: f's natural domain).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.intervals("x^3 - 3x", "decreasing", hints=HINTS, solution="...")
        >>> feedback = q.check("(-1, 1)")
        Correct! Your answer was read as (-1, 1).
        >>> feedback = q.check("(-oo, -1) U (1, oo)")
        Not yet: Increasing and decreasing are swapped: ... read as (-oo, -1) U (1, oo).
        >>> feedback.tags
        ('increasing_decreasing_swapped',)
        """
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
        """An exercise answered by how f behaves at a (differentiable, corner, cusp, ...).

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        a : number, str or SymPy expression
            The point.
        x : Symbol or str, optional
            The variable (default: the one free symbol of `f`).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.differentiability("abs(x)", 0, hints=HINTS, solution="...")
        >>> feedback = q.check("corner")
        Correct! Your answer was read as corner.
        >>> feedback = q.check("differentiable")
        Not yet: Continuous does not mean differentiable: ... read as differentiable.
        >>> feedback.tags
        ('continuous_not_differentiable',)
        """
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
        """An exercise answered by whether f is convex (True/False, yes/no).

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        x : Symbol or str, optional
            The variable (default: the one free symbol of `f`).
        domain : SymPy Set, optional
            Where to look (default: f's natural domain).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.convexity("x^2", hints=HINTS, solution="...")
        >>> feedback = q.check("yes")
        Correct! Your answer was read as convex.
        >>> feedback = q.check(False)
        Not yet: Check the sign of f'' on every piece of the domain, ... read as not convex.
        """
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
        """An exercise answered by the subdifferential of f at a, such as "[0, 1]".

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        a : number, str or SymPy expression
            The point.
        x : Symbol or str, optional
            The variable (default: the one free symbol of `f`).
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.subdifferential("abs(x)", 0, hints=HINTS, solution="...")
        >>> feedback = q.check("[-1, 1]")
        Correct! Your answer was read as [-1, 1].
        >>> feedback = q.check("(-1, 1)")
        Not yet: A subdifferential is a closed interval: ... Your answer was read as (-1, 1).
        """
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
        """An exercise answered by the gradient of f (one entry per variable).

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        variables : sequence of Symbol or str
            The variables, in order.
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.gradient("x^2*y", ["x", "y"], hints=HINTS, solution="...")
        >>> feedback = q.check("2xy, x^2")
        Correct! Your answer was read as [2*x*y, x**2].
        >>> feedback = q.check("x^2, 2xy")
        Not yet: Your partial derivatives are in the wrong order: ... read as [x**2, 2*x*y].
        >>> feedback.tags
        ('gradient_components_swapped',)
        """
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
        """An exercise answered by the Hessian matrix of f.

        Parameters
        ----------
        f : str or SymPy expression
            The function.
        variables : sequence of Symbol or str
            The variables, in order.
        hints : sequence of str
            At least two hints, from vague to detailed (Markdown).
        solution : str
            The worked solution (Markdown).
        prompt : str, optional
            The question (Markdown), shown when the exercise is displayed.
        question : str, optional
            A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from autograder import Exercise
        >>> HINTS = ["Think.", "Work it out."]
        >>> q = Exercise.hessian("x^2*y", ["x", "y"], hints=HINTS, solution="...")
        >>> feedback = q.check("[[2y, 2x], [2x, 0]]")
        Correct! Your answer was read as [[2*y, 2*x], [2*x, 0]].
        >>> feedback = q.check("[[2y, x], [x, 0]]")
        Almost: 2 of the 4 entries are right. ... (score 0.50)
        >>> feedback.score
        0.5
        """
        return cls._bound(
            check_hessian,
            hints,
            solution,
            prompt,
            f=f,
            variables=tuple(variables),
            question=question,
        )
