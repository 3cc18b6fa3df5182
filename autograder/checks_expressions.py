"""Checks whose answer is a formula or a number: expressions, numbers, derivatives, gradients
and Hessians."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import sympy as sp

import calc_helpers as ch

from .answers import read_matrix, read_number, read_vector, show
from .checks_core import (
    ExpressionReference,
    build_reference,
    compare_expression,
    function_of,
    instructor_expression,
    instructor_number,
    judge_expression,
    quietly,
    run_check,
    symbol_name,
)
from .equivalence import CLOSE_FACTOR, REL_TOL, same_number
from .feedback import Feedback, almost, correct, not_yet
from .misconceptions import MESSAGES, ROUNDED, derivative_mistakes, explain, notes_for

_ONE_AT_A_TIME = (
    "Differentiate with respect to one variable at a time, holding the others constant."
)
_NOT_DERIVATIVE = (
    "That is not the derivative. Differentiate term by term and check each rule you used "
    "(power, product, quotient, chain)."
)


# ---------------------------------------------------------------------------------------------
# Expressions and numbers
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
@quietly
def _expression_reference(expected: Any, x: Any) -> ExpressionReference:
    name = symbol_name(x)
    if name is not None:
        names: tuple[str, ...] = (name,)
    elif isinstance(expected, str):
        names = ("x",)
    else:
        free = instructor_expression(expected, ()).free_symbols
        names = tuple(sorted(s.name for s in free)) or ("x",)
    target = instructor_expression(expected, names)
    return build_reference(target, names, None, [("sign_error", -target)])


def check_expression(
    answer: Any, expected: Any, x: sp.Symbol | str | None = None, *, question: str | None = None
) -> Feedback:
    """Whether the answer is the expected expression in any equivalent form.

    Accepts ``^``, implicit multiplication, ``e^x``, ``ln``; compares exactly where cheap,
    else at many points. An answer that is the expected expression negated gets the
    ``sign_error`` tag.

    Parameters
    ----------
    answer : str, number or SymPy expression
        The student's answer, such as ``"(x + 1)^2"``.
    expected : str or SymPy expression
        The instructor's expression.
    x : Symbol or str, optional
        The variable (default: the free symbols of `expected`).
    question : str, optional
        A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

    Returns
    -------
    Feedback
        ``correct``, ``score`` (0 to 1), ``message``, misconception ``tags`` and ``state``.
        Never raises on the student's answer.

    Examples
    --------
    >>> from autograder import check_expression
    >>> check_expression("(x + 1)^2", "x^2 + 2x + 1").correct
    True
    >>> check_expression("-(x + 1)^2", "x^2 + 2x + 1").tags
    ('sign_error',)
    >>> check_expression("x^2 + 2x", "x^2 + 2x + 1").state
    'not_yet'
    """
    ref = _expression_reference(expected, x)
    generic = "That is not the expression expected. Check your working step by step."
    return run_check(
        "check_expression", question, answer, lambda data: judge_expression(data, ref, generic)
    )


def _judge_number(
    data: Any, expected: sp.Expr, rel_tol: float, mistakes: tuple[tuple[str, sp.Expr], ...] = ()
) -> Feedback:
    value = read_number(data)
    shown = show(value)
    exact, within = same_number(value, expected, rel_tol)
    if within:
        return correct(shown, "" if exact else "(accepted within the tolerance)")
    for tag, wrong in mistakes:
        if same_number(value, wrong, rel_tol)[1]:
            return not_yet(explain((tag,)), (tag,), shown)
    if expected != 0 and same_number(-value, expected, rel_tol)[1]:
        return not_yet(explain(("sign_error",)), ("sign_error",), shown)
    if same_number(value, expected, CLOSE_FACTOR * rel_tol)[1]:
        return almost(0.0, ROUNDED["value"], (), shown)
    return not_yet("That is not the value expected. Check your working.", (), shown)


def check_number(
    answer: Any,
    expected: Any,
    rel_tol: float = REL_TOL,
    *,
    mistakes: Sequence[tuple[str, Any]] = (),
    question: str | None = None,
) -> Feedback:
    """Whether the answer is the expected real number.

    Exact answers that equal it are always accepted (``sqrt(2)/2`` for ``1/sqrt(2)``);
    decimals within the relative tolerance are accepted (WeBWorK's default 0.1%). Text such
    as ``5/3``, ``1/e``, ``sqrt(2)/2`` is read by calc_helpers.parse_number. A decimal
    within ten times the tolerance is *almost* right (no credit, "give more digits").

    Parameters
    ----------
    answer : str, number or SymPy expression
        The student's answer, such as ``"sqrt(2)/2"`` or ``0.7071``.
    expected : str, number or SymPy expression
        The instructor's number.
    rel_tol : float, optional
        The relative tolerance for decimals (default ``REL_TOL``, 0.1%).
    mistakes : sequence of (str, value) pairs, optional
        (tag, wrong value) pairs a misconception gives (e.g.
        `misconceptions.newton_mistakes`); an answer equal to one gets that tag and its
        message. Tags must be in ``autograder.TAGS``.
    question : str, optional
        A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

    Returns
    -------
    Feedback
        ``correct``, ``score`` (0 to 1), ``message``, misconception ``tags`` and ``state``.
        Never raises on the student's answer.

    Raises
    ------
    ValueError
        If a tag of `mistakes` is unknown.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder import check_number
    >>> check_number("sqrt(2)/2", 1 / sp.sqrt(2)).correct
    True
    >>> check_number(0.7071, 1 / sp.sqrt(2)).correct
    True
    >>> check_number(0.71, 1 / sp.sqrt(2)).state
    'almost'
    >>> check_number("-5/3", sp.Rational(5, 3)).tags
    ('sign_error',)
    """
    target = instructor_number(expected)
    unknown = [tag for tag, _ in mistakes if tag not in MESSAGES]
    if unknown:
        raise ValueError(f"unknown misconception tags {unknown}; see autograder.TAGS")
    wrongs = tuple(
        (tag, wrong)
        for tag, wrong in ((tag, instructor_number(value)) for tag, value in mistakes)
        if not same_number(wrong, target, rel_tol)[1]  # a "mistake" that gives the answer
    )
    return run_check(
        "check_number",
        question,
        answer,
        lambda data: _judge_number(data, target, rel_tol, wrongs),
    )


# ---------------------------------------------------------------------------------------------
# Derivatives
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
@quietly
def derivative_reference(f: Any, x: Any, n: int) -> ExpressionReference:
    """The n-th derivative with its sample values and the misconception candidates (cached).

    Parameters
    ----------
    f : str or SymPy expression
        The function.
    x : Symbol, str or None
        The variable (None: the one free symbol of `f`).
    n : int
        The order of the derivative.

    Returns
    -------
    ExpressionReference

    Raises
    ------
    QuestionUncheckable
        If the engine cannot work out the derivative.

    Examples
    --------
    >>> from autograder.checks_expressions import derivative_reference
    >>> ref = derivative_reference("x^3", None, 1)
    >>> ref.expected
    3*x**2
    >>> sorted({tag for tag, _ in ref.candidates})
    ['not_differentiated', 'power_rule_error', 'sign_error']
    """
    expr, var = function_of(f, x)
    expected = ch.derivative(expr, var, n)
    mistakes = derivative_mistakes(expr, var, n)
    integrand = expr if n == 1 else None
    notes = notes_for([ch.derivative(expr, var, k) if k else expr for k in range(n)])
    return build_reference(expected, (var.name,), None, mistakes, integrand, notes)


def check_derivative(
    answer: Any,
    f: Any,
    x: sp.Symbol | str | None = None,
    n: int = 1,
    *,
    question: str | None = None,
) -> Feedback:
    """Whether the answer is the n-th derivative of f (any equivalent form).

    A wrong answer is compared with the wrong derivatives each misconception produces
    (sign error, missing chain factor, product rule as product, power rule error, quotient
    rule order, integrated instead, not differentiated, constant factor dropped).

    Parameters
    ----------
    answer : str, number or SymPy expression
        The student's derivative, such as ``"3x^2"``.
    f : str or SymPy expression
        The function to differentiate.
    x : Symbol or str, optional
        The variable (default: the one free symbol of `f`).
    n : int, optional
        The order of the derivative (default 1).
    question : str, optional
        A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

    Returns
    -------
    Feedback
        ``correct``, ``score`` (0 to 1), ``message``, misconception ``tags`` and ``state``.
        Never raises on the student's answer.

    Raises
    ------
    ValueError
        If `n` is not a whole number >= 1.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder import check_derivative
    >>> check_derivative("3x^2", "x^3").correct
    True
    >>> check_derivative("x^2", "x^3").tags
    ('power_rule_error',)
    >>> x = sp.Symbol("x", real=True)
    >>> check_derivative("cos(x^2)", sp.sin(x**2)).tags
    ('missing_chain_factor',)
    >>> check_derivative("6x", x**3, n=2).correct
    True
    >>> check_derivative(None, x**3).state
    'not_attempted'
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}")
    ref = derivative_reference(f, x, n)
    return run_check(
        "check_derivative",
        question,
        answer,
        lambda data: judge_expression(data, ref, _NOT_DERIVATIVE),
    )


# ---------------------------------------------------------------------------------------------
# Gradients and Hessians
# ---------------------------------------------------------------------------------------------


def _names(variables: Sequence[sp.Symbol | str]) -> tuple[str, ...]:
    if isinstance(variables, (str, sp.Symbol)):
        variables = (variables,)
    return tuple(symbol_name(v) for v in variables)


@lru_cache(maxsize=128)
@quietly
def _gradient_references(f: Any, names: tuple[str, ...]) -> tuple[ExpressionReference, ...]:
    expr = instructor_expression(f, names)
    symbols = [sp.Symbol(n, real=True) for n in names]
    notes = notes_for([expr])
    return tuple(
        build_reference(sp.diff(expr, v), names, None, derivative_mistakes(expr, v), None, notes)
        for v in symbols
    )


@lru_cache(maxsize=128)
@quietly
def _hessian_references(
    f: Any, names: tuple[str, ...]
) -> tuple[tuple[ExpressionReference, ...], ...]:
    expr = instructor_expression(f, names)
    symbols = [sp.Symbol(n, real=True) for n in names]
    rows = []
    for vi in symbols:
        first = sp.diff(expr, vi)
        notes = notes_for([first])
        rows.append(
            tuple(
                build_reference(
                    sp.diff(first, vj), names, None, derivative_mistakes(first, vj), None, notes
                )
                for vj in symbols
            )
        )
    return tuple(rows)


def _judge_entries(
    entries: list[sp.Expr], refs: list[ExpressionReference], what: str, shown: str
) -> Feedback:
    verdicts = [compare_expression(e, r) for e, r in zip(entries, refs, strict=True)]
    right = sum(v.equal for v in verdicts)
    tags = tuple(dict.fromkeys(t for v in verdicts for t in v.tags))
    if right == len(refs):
        return correct(shown)
    body = f"{right} of the {len(refs)} {what} are right."
    rounded = sum(v.rounded for v in verdicts)
    if rounded:
        body += f" {rounded} {'is' if rounded == 1 else 'are'} {ROUNDED['coefficients']}"
    notes = tuple(dict.fromkeys(note for r in refs for note in r.notes))
    detail = explain(tags, notes=notes)
    if not detail and right + rounded < len(refs):
        detail = _ONE_AT_A_TIME
    if rounded:
        return almost(right / len(refs), f"{body} {detail}", tags, shown)
    if right:
        return almost(right / len(refs), f"{body} {detail}", tags, shown)
    return not_yet(f"{body} {detail}", tags, shown)


def check_gradient(
    answer: Any, f: Any, variables: Sequence[sp.Symbol | str], *, question: str | None = None
) -> Feedback:
    """Whether the answer is the gradient of f: one partial derivative per variable, in order.

    Partial credit: the fraction of components that are right. The right components in
    the wrong order get the ``gradient_components_swapped`` tag.

    Parameters
    ----------
    answer : list, tuple, SymPy Matrix or str
        One expression per variable, such as ``["2*x*y", "x^2"]`` or ``"2xy, x^2"``.
    f : str or SymPy expression
        The function.
    variables : sequence of Symbol or str
        The variables, in the order of the gradient's components.
    question : str, optional
        A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

    Returns
    -------
    Feedback
        ``correct``, ``score`` (0 to 1), ``message``, misconception ``tags`` and ``state``.
        Never raises on the student's answer.

    Examples
    --------
    >>> from autograder import check_gradient
    >>> check_gradient(["2*x*y", "x^2"], "x^2*y", ["x", "y"]).correct
    True
    >>> check_gradient(["x^2", "2*x*y"], "x^2*y", ["x", "y"]).tags
    ('gradient_components_swapped',)
    >>> check_gradient(["2*x*y", "x"], "x^2*y", ["x", "y"]).score
    0.5
    """
    names = _names(variables)
    refs = list(_gradient_references(f, names))

    def judge(data: Any) -> Feedback:
        entries = read_vector(data, names)
        shown = show(entries)
        if len(entries) != len(refs):
            body = (
                f"the gradient has one component per variable ({', '.join(names)}): "
                f"{len(refs)} in all, and yours has {len(entries)}."
            )
            return not_yet(body, (), shown)
        feedback = _judge_entries(entries, refs, "components", shown)
        if not feedback.correct and _permuted(entries, refs):
            tags = ("gradient_components_swapped",)
            body = f"{explain(tags)} Each component is right, but in the wrong place."
            return not_yet(body, tags, shown)
        return feedback

    return run_check("check_gradient", question, answer, judge)


def _permuted(entries: list[sp.Expr], refs: list[ExpressionReference]) -> bool:
    """Whether the entries are the right components in another order (not all in place)."""
    if len(entries) < 2:
        return False
    left = list(range(len(refs)))
    for entry in entries:
        place = next((j for j in left if compare_expression(entry, refs[j]).equal), None)
        if place is None:
            return False
        left.remove(place)
    return True


def check_hessian(
    answer: Any, f: Any, variables: Sequence[sp.Symbol | str], *, question: str | None = None
) -> Feedback:
    """Whether the answer is the Hessian matrix of f (rows and columns in `variables` order).

    Accepts nested lists, a SymPy Matrix or text such as ``[[2, 0], [0, 2]]``; partial credit
    is the fraction of entries that are right.

    Parameters
    ----------
    answer : nested lists, SymPy Matrix or str
        The matrix of second partial derivatives, row by row.
    f : str or SymPy expression
        The function.
    variables : sequence of Symbol or str
        The variables, in the order of the rows and columns.
    question : str, optional
        A label for the question, written to the ``AUTOGRADER_LOG`` file (if set).

    Returns
    -------
    Feedback
        ``correct``, ``score`` (0 to 1), ``message``, misconception ``tags`` and ``state``.
        Never raises on the student's answer.

    Examples
    --------
    >>> from autograder import check_hessian
    >>> check_hessian("[[2y, 2x], [2x, 0]]", "x^2*y", ["x", "y"]).correct
    True
    >>> feedback = check_hessian("[[2y, x], [x, 0]]", "x^2*y", ["x", "y"])
    >>> feedback.score, feedback.tags
    (0.5, ('constant_factor_dropped', 'power_rule_error'))
    """
    names = _names(variables)
    rows = _hessian_references(f, names)
    size = len(names)

    def judge(data: Any) -> Feedback:
        matrix = read_matrix(data, names)
        shown = show(matrix)
        if len(matrix) != size or any(len(row) != size for row in matrix):
            body = f"the Hessian of a function of {size} variables is a {size} x {size} matrix."
            return not_yet(body, (), shown)
        entries = [e for row in matrix for e in row]
        refs = [r for row in rows for r in row]
        return _judge_entries(entries, refs, "entries", shown)

    return run_check("check_hessian", question, answer, judge)
