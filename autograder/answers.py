"""Turning a student's answer into a value that can be checked, or refusing it.

Only plain values count: int, float, bool, str, Fraction, SymPy objects (of SymPy's own
classes), NumPy numbers and arrays, and lists, tuples, sets and dicts of those, within
bounded depth and size. Anything else (an object overriding ``__eq__`` or ``__float__``, a
subclass of int or str, a function) is refused, so no answer can pass a check by pretending
to equal everything. Types are compared exactly (``type(v) is int``), never with isinstance.

Strings are read only by `calc_helpers.parse*`; nothing a student typed is evaluated.
``None``, ``...``, ``NotImplemented``, an empty string and a still-raised
``NotImplementedError`` stub (through `attempt`) read as *not attempted*, distinct from wrong.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import partial
from typing import Any

import numpy as np
import sympy as sp

from calc_helpers import (
    ParseError,
    UnknownVariable,
    interval_between,
    parse,
    parse_interval_set,
    parse_number,
    parse_points,
    read_interval_end,
    realify,
)

from .equivalence import constant_value

MAX_DEPTH = 6
MAX_ITEMS = 2000
MAX_NODES = 3000
MAX_INT_BITS = 3400  # about 1000 decimal digits
MAX_MATRIX = 12

_SCALARS = (int, float, bool, str)
_CONTAINERS = (list, tuple, set, frozenset)


class NotAttempted(Exception):
    """The answer is still the placeholder (`message`: what to do, or "" for the default).

    Examples
    --------
    >>> from autograder.answers import NotAttempted, normalize
    >>> try:
    ...     normalize(...)
    ... except NotAttempted as stub:
    ...     stub.message
    ''
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class Unreadable(Exception):
    """The answer cannot be read (message for the student, and what was read so far).

    Examples
    --------
    >>> from autograder.answers import Unreadable, read_points
    >>> try:
    ...     read_points("(2, 4)")
    ... except Unreadable as problem:
    ...     problem.interpreted
    '(2, 4)'
    """

    def __init__(self, message: str, interpreted: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.interpreted = interpreted


class _Marker:
    """The value `attempt` returns for an answer that is still a stub."""

    def __repr__(self) -> str:
        return "NOT_ATTEMPTED"


NOT_ATTEMPTED = _Marker()


class _Undefined(_Marker):
    """The value `attempt` returns when the answer's name is not defined yet (NameError)."""

    def __init__(self, error: NameError) -> None:
        name = getattr(error, "name", None)
        self.name = name if type(name) is str else None

    def advice(self) -> str:
        """What the student should do: run the cell that defines the answer."""
        what = f"{self.name} is not defined yet" if self.name else str(NameError.__name__)
        return f"run the cell that defines your answer first ({what}), then run this check again."


class _Failed:
    """The value `attempt` returns when the student's code raised an error."""

    def __init__(self, error: BaseException) -> None:
        self.description = f"{type(error).__name__}: {error}"[:200]


def attempt(produce: Callable[[], Any]) -> Any:
    """Call `produce()` and return the student's answer, catching the usual stubs.

    A NameError (variable never defined, so its cell has not been run) or NotImplementedError
    (the nbgrader stub ``raise NotImplementedError()``) gives a value every check reads as
    *not attempted*, the first with the advice to run the cell that defines the answer;
    any other error gives a value read as *cannot read* (naming the error). Use it in a test
    cell as ``check_derivative(attempt(lambda: dfdx), f)``.

    Parameters
    ----------
    produce : callable
        A function of no arguments that gives the answer, usually ``lambda: name``.

    Returns
    -------
    object
        The answer, or a marker that every check reads as not attempted (or cannot read).

    Examples
    --------
    >>> from autograder import attempt, check_derivative
    >>> attempt(lambda: 1 + 1)
    2
    >>> def stub():
    ...     raise NotImplementedError()
    >>> attempt(stub)
    NOT_ATTEMPTED
    >>> check_derivative(attempt(stub), "x^3").state
    'not_attempted'
    >>> print(check_derivative(attempt(lambda: dfdx), "x^3"))  # dfdx was never defined
    Not attempted yet: run the cell that defines your answer first (dfdx is not defined
    yet), then run this check again.
    """
    try:
        return produce()
    except NameError as error:
        return _Undefined(error)
    except NotImplementedError:
        return NOT_ATTEMPTED
    except Exception as error:  # noqa: BLE001 - any failure of student code is reported
        return _Failed(error)


def placeholder_message(value: Any) -> str | None:
    """None if `value` is not a placeholder; else the body for `feedback.not_attempted`
    ("" for the default text, the advice to run the answer's cell for an undefined name).

    For callers that judge a whole answer before any check runs, such as a question in
    several parts: ``placeholder_message(answer_of(lambda: answer_5b))``.

    Parameters
    ----------
    value : object
        An answer, possibly returned by `attempt` or `answer_of`.

    Returns
    -------
    str or None
        None for a real answer, else the message body for `feedback.not_attempted`.

    Examples
    --------
    >>> from autograder.answers import answer_of, placeholder_message
    >>> placeholder_message("2x") is None
    True
    >>> placeholder_message(None)
    ''
    >>> print(placeholder_message(answer_of(lambda: answer_5b)))
    run the cell that defines your answer first (answer_5b is not defined yet), then run
    this check again.
    """
    if type(value) is _Undefined:
        return value.advice()
    return "" if _placeholder(value) else None


def answer_of(value: Any) -> Any:
    """The answer itself, or, for a zero-argument function or lambda, `attempt(value)`.

    Parameters
    ----------
    value : object
        The answer, or a function of no arguments that gives it.

    Returns
    -------
    object
        The answer (a marker for a stub or an undefined name, see `attempt`).

    Examples
    --------
    >>> from autograder import answer_of
    >>> answer_of("2x")
    '2x'
    >>> answer_of(lambda: "2x")
    '2x'
    >>> answer_of(lambda: undefined_answer)
    NOT_ATTEMPTED
    """
    if type(value) in (types.FunctionType, partial):
        return attempt(value)
    return value


# ---------------------------------------------------------------------------------------------
# Plain values only
# ---------------------------------------------------------------------------------------------


def _defined_in_sympy(kind: type) -> bool:
    """The class is one of SymPy's own (its module is sympy.* and it is found there)."""
    module_name = getattr(kind, "__module__", None)
    if type(module_name) is not str or not (
        module_name == "sympy" or module_name.startswith("sympy.")
    ):
        return False
    found: Any = sys.modules.get(module_name)
    for part in getattr(kind, "__qualname__", "").split("."):
        found = getattr(found, part, None)
    return found is kind


def _refuse(value: Any) -> Unreadable:
    kind = type(value).__name__
    if callable(value) and not isinstance(value, sp.Basic):
        hint = " Pass the value itself (a number, a string such as '2x + 1', or a list)."
    else:
        hint = " Give a number, a string such as '2x + 1', a list or a SymPy expression."
    return Unreadable(f"that is not a value I can check (its type is {kind}).{hint}")


def _check_sympy(value: Any, budget: list[int]) -> None:
    """Every node of a SymPy object is of a SymPy class, and the tree is not huge."""
    if isinstance(value, sp.MatrixBase):
        if not _defined_in_sympy(type(value)):
            raise _refuse(value)
        if value.rows > MAX_MATRIX or value.cols > MAX_MATRIX:
            raise Unreadable("that matrix is too large to check.")
        for entry in list(value):
            _check_sympy(entry, budget)
        return
    stack = [value]
    while stack:
        node = stack.pop()
        budget[0] += 1
        if budget[0] > MAX_NODES:
            raise Unreadable("that expression is too large to check.")
        if not _defined_in_sympy(type(node)):
            raise _refuse(node)
        if isinstance(node, sp.Symbol) and type(node.name) is not str:
            raise _refuse(node)
        if isinstance(node, sp.Integer) and abs(int(node)).bit_length() > MAX_INT_BITS:
            raise Unreadable("that number is too large to check.")
        stack.extend(node.args)


def _placeholder(value: Any) -> bool:
    if value is None or value is Ellipsis or value is NotImplemented or value is NOT_ATTEMPTED:
        return True
    if type(value) is _Undefined:
        return True
    if type(value) is str and not value.strip():
        return True
    if type(value) is type and issubclass(value, NotImplementedError):
        return True
    return type(value) is NotImplementedError


def _normalize(value: Any, depth: int, budget: list[int]) -> Any:
    budget[0] += 1
    if budget[0] > MAX_ITEMS + MAX_NODES:
        raise Unreadable("that answer is too large to check.")
    kind = type(value)
    if kind in _SCALARS:
        if kind is int and value.bit_length() > MAX_INT_BITS:
            raise Unreadable("that number is too large to check.")
        return value
    if kind is Fraction:
        if type(value.numerator) is not int or type(value.denominator) is not int:
            raise _refuse(value)
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, np.generic) and getattr(kind, "__module__", "").startswith("numpy"):
        if value.dtype.kind in "biuf":
            return _normalize(value.item(), depth, budget)
        if value.dtype.kind == "U":
            return str(value)
        raise _refuse(value)
    if kind is np.ndarray:
        if value.size > MAX_ITEMS or value.ndim > 3:
            raise Unreadable("that array is too large to check.")
        if value.dtype.kind not in "biufUO":
            raise _refuse(value)
        return _normalize(value.tolist(), depth, budget)
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        _check_sympy(value, budget)
        return value
    if kind in _CONTAINERS or kind is dict:
        if depth >= MAX_DEPTH:
            raise Unreadable("that answer is nested too deeply to check.")
        if len(value) > MAX_ITEMS:
            raise Unreadable("that answer has too many entries to check.")
        if kind is dict:
            return {
                _normalize(k, depth + 1, budget): _normalize(v, depth + 1, budget)
                for k, v in value.items()
            }
        items = [_normalize(item, depth + 1, budget) for item in value]
        return items if kind is list else tuple(items)
    raise _refuse(value)


def _has_placeholder(value: Any) -> tuple[bool, bool]:
    """(some leaf is a placeholder, every leaf is)."""
    if _placeholder(value):
        return True, True
    if type(value) in _CONTAINERS or type(value) is dict:
        leaves = list(value.values()) if type(value) is dict else list(value)
        if not leaves:
            return False, False
        marks = [_has_placeholder(leaf) for leaf in leaves]
        return any(m[0] for m in marks), all(m[1] for m in marks)
    return False, False


def normalize(answer: Any) -> Any:
    """The answer as plain data (NumPy and Fraction converted), or an exception.

    Raises NotAttempted for a placeholder and Unreadable for anything that is not a plain
    value; never calls a method of the answer's own class.

    Parameters
    ----------
    answer : object
        The student's answer as given.

    Returns
    -------
    object
        Plain data: int, float, bool, str, SymPy objects, and lists, tuples and dicts of them.

    Raises
    ------
    NotAttempted
        For a placeholder (None, ``...``, an empty string, a stub).
    Unreadable
        For anything that is not a plain value, or is too large.

    Examples
    --------
    >>> from fractions import Fraction
    >>> import numpy as np
    >>> from autograder.answers import normalize
    >>> normalize([np.int64(1), Fraction(1, 3)])
    [1, 1/3]
    >>> normalize(None)
    Traceback (most recent call last):
        ...
    autograder.answers.NotAttempted
    >>> class Sneaky(int):
    ...     pass
    >>> normalize(Sneaky(3))
    Traceback (most recent call last):
        ...
    autograder.answers.Unreadable: that is not a value I can check (its type is Sneaky). ...
    """
    if type(answer) in (types.FunctionType, partial):
        # a zero-argument function: only an answer not defined yet (or a stub) is read from
        # it; any value it gives is refused below, as every non-plain answer is
        produced = attempt(answer)
        if type(produced) is _Undefined or produced is NOT_ATTEMPTED:
            answer = produced
    if type(answer) is _Failed:
        raise Unreadable(f"your code raised an error ({answer.description}).")
    if type(answer) is _Undefined:
        raise NotAttempted(answer.advice())
    if _placeholder(answer):
        raise NotAttempted()
    some, every = _has_placeholder(answer) if type(answer) in (*_CONTAINERS, dict) else (0, 0)
    if every:
        raise NotAttempted()
    if some:
        raise Unreadable("some entries are still placeholders (None or ...): fill them in.")
    return _normalize(answer, 0, [0])


# ---------------------------------------------------------------------------------------------
# Readers: plain data -> SymPy values (strings through calc_helpers.parse* only)
# ---------------------------------------------------------------------------------------------


def show(value: Any) -> str:
    """A short readable text of a value, for "your answer was read as ...".

    Parameters
    ----------
    value : object
        A number, expression, set, or list of them.

    Returns
    -------
    str
        At most 300 characters.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.answers import show
    >>> show([sp.Symbol("x") ** 2, sp.Rational(5, 3)])
    '[x**2, 5/3]'
    >>> show(sp.Interval(0, 1))
    '[0, 1]'
    """
    try:
        if isinstance(value, sp.Set):
            return show_set(value)
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(show(v) for v in value) + "]"
        text = sp.sstr(value, full_prec=False) if isinstance(value, sp.Basic) else str(value)
    except (ValueError, TypeError, RecursionError):
        return "(an expression too large to show)"
    return text if len(text) <= 300 else text[:297] + "..."


def show_set(value: sp.Set) -> str:
    """Interval notation: (-oo, -1) U (3, oo), {1, 2}, {} for the empty set.

    Parameters
    ----------
    value : SymPy Set
        The set.

    Returns
    -------
    str
        The set in interval notation.

    Examples
    --------
    >>> import sympy as sp
    >>> from autograder.answers import show_set
    >>> show_set(sp.Union(sp.Interval.open(-sp.oo, -1), sp.Interval.open(3, sp.oo)))
    '(-oo, -1) U (3, oo)'
    >>> show_set(sp.EmptySet)
    '{}'
    """
    if value is sp.S.EmptySet:
        return "{}"
    if value == sp.S.Reals:
        return "(-oo, oo)"
    if isinstance(value, sp.Union):
        return " U ".join(show_set(part) for part in value.args)
    if isinstance(value, sp.Interval):
        left = "(" if value.left_open else "["
        right = ")" if value.right_open else "]"
        return f"{left}{show(value.start)}, {show(value.end)}{right}"
    if isinstance(value, sp.FiniteSet):
        return "{" + ", ".join(show(v) for v in value.args) + "}"
    return sp.sstr(value)


def _parse_error(error: Exception, what: str) -> Unreadable:
    reason = str(error) if isinstance(error, ParseError) else f"{type(error).__name__}"
    return Unreadable(f"{reason} (expected {what}).")


def _realify(expr: sp.Basic, names: Sequence[str]) -> sp.Basic:
    """Swap the student's symbols for the course's real symbols of the same names."""
    try:
        return realify(expr, names)
    except UnknownVariable as problem:
        allowed = ", ".join(names) if names else "no variable"
        raise Unreadable(
            f"your answer uses {problem.name}, but it should use only {allowed}.", show(expr)
        ) from None


def _number_to_sympy(value: Any) -> sp.Expr:
    if type(value) is bool:
        raise Unreadable(f"{value} is a truth value, not a number.")
    if type(value) is float:
        if not np.isfinite(value):
            raise Unreadable(f"{value} is not a finite number.")
        return sp.Float(value)
    return sp.Integer(value)


def read_expression(answer: Any, names: Sequence[str] = ("x",)) -> sp.Expr:
    """A SymPy expression in the given variables (strings read by calc_helpers.parse).

    Parameters
    ----------
    answer : str, number or SymPy expression
        The answer (after `normalize`).
    names : sequence of str, optional
        The variables allowed (default ``("x",)``); they become real symbols.

    Returns
    -------
    SymPy expression

    Raises
    ------
    Unreadable
        With a message for the student, if the answer cannot be read.

    Examples
    --------
    >>> from autograder.answers import read_expression
    >>> read_expression("2x + 1")
    2*x + 1
    >>> read_expression("2x +")
    Traceback (most recent call last):
        ...
    autograder.answers.Unreadable: the answer stops too early at position 4, ...
    """
    if type(answer) is str:
        try:
            return parse(answer, tuple(names))
        except (ParseError, ValueError, TypeError, RecursionError) as error:
            raise _parse_error(error, "an expression") from None
    if type(answer) in (int, float, bool):
        return _number_to_sympy(answer)
    if isinstance(answer, sp.Expr):
        if answer.atoms(sp.core.function.AppliedUndef):
            raise Unreadable("your answer uses a function I do not know.", show(answer))
        if answer.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise Unreadable("your answer contains an undefined or infinite value.", show(answer))
        return _realify(answer, names)
    if isinstance(answer, sp.Basic):
        raise Unreadable(f"expected an expression, got a {type(answer).__name__}.", show(answer))
    raise Unreadable("expected one expression, such as '2x + 1'.", show(answer))


def read_number(answer: Any) -> sp.Expr:
    """A real number (exact where the answer is exact; strings read by parse_number).

    Parameters
    ----------
    answer : str, number or SymPy expression
        The answer (after `normalize`).

    Returns
    -------
    SymPy expression
        A real number without variables.

    Raises
    ------
    Unreadable
        With a message for the student, if the answer cannot be read.

    Examples
    --------
    >>> from autograder.answers import read_number
    >>> read_number("sqrt(2)/2")
    sqrt(2)/2
    >>> read_number("x")
    Traceback (most recent call last):
        ...
    autograder.answers.Unreadable: could not read 'x' at position 0: ...
    """
    if type(answer) is str:
        try:
            value = parse_number(answer)
        except (ParseError, ValueError, TypeError, RecursionError) as error:
            raise _parse_error(error, "a number") from None
    elif type(answer) in (int, float, bool):
        value = _number_to_sympy(answer)
    elif isinstance(answer, sp.Expr):
        value = read_expression(answer, ())
    else:
        raise Unreadable(
            "expected one number: an integer, a fraction p/q, a decimal, or an exact "
            "expression with sqrt, pi or e.",
            show(answer),
        )
    if value.free_symbols or value.has(sp.zoo, sp.nan):
        raise Unreadable("expected a number, without variables.", show(value))
    if value.is_extended_real is False:
        raise Unreadable("expected a real number.", show(value))
    return value


_POINTS_EXAMPLE = "a list of x-values such as [a, b] (numbers in place of a and b)"
_COORDINATES = (
    "that looks like the coordinates (x, y) of one point. Give only the x-values, as "
    f"{_POINTS_EXAMPLE}, or [] if there are none."
)


def _looks_like_coordinates(answer: Any) -> bool:
    """'(a, b)' typed as text, or a tuple (a, a): one point's coordinates, not a list."""
    if type(answer) is tuple:
        return len(answer) == 2 and type(answer[0]) is type(answer[1]) and answer[0] == answer[1]
    if type(answer) is not str:
        return False
    text = answer.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and i < len(text) - 1:
            return False  # the first bracket closes before the end: not one tuple
    return len(_split_top(text)) == 2


def read_points(answer: Any) -> list[sp.Expr]:
    """A list of real numbers: a list/tuple/set, a SymPy FiniteSet, or text like '-1, 5/3'.

    A pair in round brackets typed as text, ``"(2, 4)"``, or a tuple of two equal numbers
    reads as the coordinates of one point and is refused with a message saying what to give.

    Parameters
    ----------
    answer : str, list, tuple, SymPy FiniteSet or number
        The answer (after `normalize`).

    Returns
    -------
    list of SymPy expressions

    Raises
    ------
    Unreadable
        With a message for the student, if the answer cannot be read.

    Examples
    --------
    >>> from autograder.answers import read_points
    >>> read_points("-1, 5/3")
    [-1, 5/3]
    >>> read_points("{ }")
    []
    >>> read_points("(2, 4)")
    Traceback (most recent call last):
        ...
    autograder.answers.Unreadable: that looks like the coordinates (x, y) of one point. ...
    """
    if type(answer) is str:
        if _looks_like_coordinates(answer):
            raise Unreadable(_COORDINATES, answer[:60])
        try:
            values = parse_points(answer)
        except (ParseError, ValueError, TypeError, RecursionError) as error:
            raise _parse_error(error, _POINTS_EXAMPLE) from None
        return [read_number(v) for v in values]
    if type(answer) in (list, tuple):
        if _looks_like_coordinates(answer):
            raise Unreadable(_COORDINATES, show(answer))
        return [read_number(v) for v in answer]
    if answer is sp.S.EmptySet:
        return []
    if isinstance(answer, sp.FiniteSet):
        return [read_number(v) for v in answer.args]
    if isinstance(answer, sp.Set):
        raise Unreadable("expected a finite list of points, not an interval.", show(answer))
    if type(answer) in (int, float) or isinstance(answer, sp.Expr):
        return [read_number(answer)]
    raise Unreadable(f"expected {_POINTS_EXAMPLE}.", show(answer))


def _read_endpoint(value: Any) -> sp.Expr:
    """An end of an interval: text and infinities by the engine's interval reader (the same
    rules as interval notation), other values as numbers."""
    if type(value) is str or (type(value) is float and np.isinf(value)):
        try:
            return read_interval_end(value)
        except (ParseError, ValueError, TypeError, RecursionError) as error:
            raise _parse_error(error, "an end of an interval, such as -oo or 5/3") from None
    if value is sp.oo or value is sp.S.NegativeInfinity:
        return value
    return read_number(value)


def _pair(value: Any, closed: bool) -> sp.Set:
    low, high = (_read_endpoint(v) for v in value)
    if low == high:
        return sp.FiniteSet(low)
    try:
        if closed:
            return interval_between(low, high, low.is_infinite, high.is_infinite)
        return interval_between(low, high, True, True)
    except ParseError as error:
        raise Unreadable(f"{error}.", show(value)) from None


def _check_set(value: sp.Set) -> None:
    """Only intervals, finite sets and unions of them, with real numbers as ends."""
    if value is sp.S.EmptySet or value == sp.S.Reals:
        return
    if isinstance(value, sp.Union):
        for part in value.args:
            _check_set(part)
        return
    if isinstance(value, sp.Interval):
        ends = [value.start, value.end]
    elif isinstance(value, sp.FiniteSet):
        ends = list(value.args)
    else:
        raise Unreadable("expected intervals such as (-oo, 1) U (3, oo).", show(value))
    for end in ends:
        if not isinstance(end, sp.Expr) or end.free_symbols or np.isnan(constant_value(end)):
            raise Unreadable("the ends of an interval must be real numbers.", show(value))


def read_set(answer: Any, variable: str = "x", pairs_closed: bool = False) -> sp.Set:
    """A set of real numbers: interval notation text, a SymPy set, or (lo, hi) pairs.

    A pair (a, b) is the open interval, or the closed one with ``pairs_closed``; a list of
    pairs is their union; a single number is a one-point set.

    Parameters
    ----------
    answer : str, SymPy Set, (lo, hi) pair, list of pairs or number
        The answer (after `normalize`).
    variable : str, optional
        The variable's name, allowed in set-builder text (default ``"x"``).
    pairs_closed : bool, optional
        Read a pair (a, b) as [a, b] rather than (a, b).

    Returns
    -------
    SymPy Set

    Raises
    ------
    Unreadable
        With a message for the student, if the answer cannot be read.

    Examples
    --------
    >>> from autograder.answers import read_set
    >>> read_set("(-oo, -1) U (3, oo)")
    Union(Interval.open(-oo, -1), Interval.open(3, oo))
    >>> read_set((0, 1)), read_set((0, 1), pairs_closed=True)
    (Interval.open(0, 1), Interval(0, 1))
    """
    if type(answer) is str:
        try:
            return parse_interval_set(answer, variable)
        except (ParseError, ValueError, TypeError, RecursionError) as error:
            what = "interval notation such as (-oo, -1) U (3, oo)"
            raise _parse_error(error, what) from None
    if isinstance(answer, sp.Set):
        _check_set(answer)
        return answer
    if type(answer) in (list, tuple):
        if len(answer) == 2 and all(type(v) not in (list, tuple) for v in answer):
            return _pair(answer, pairs_closed)
        if all(type(v) in (list, tuple) and len(v) == 2 for v in answer):
            return sp.Union(*[_pair(v, pairs_closed) for v in answer])
        raise Unreadable("expected an interval such as (0, 1) or a list of them.", show(answer))
    if type(answer) in (int, float) or isinstance(answer, sp.Expr):
        return sp.FiniteSet(read_number(answer))
    raise Unreadable("expected interval notation such as (-oo, -1) U (3, oo).", show(answer))


def _words(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").replace("_", " ").split())


def read_label(answer: Any, synonyms: Mapping[str, str], what: str) -> str:
    """One of a few labels, accepting light variants ("Local min", "vertical tangent").

    Parameters
    ----------
    answer : str or bool
        The answer (after `normalize`); case, spaces and hyphens do not matter.
    synonyms : mapping of str to str
        Accepted words (lower case, ``_`` between words) -> label.
    what : str
        What is expected, for the message.

    Returns
    -------
    str
        The label.

    Raises
    ------
    Unreadable
        With a message for the student, if the answer cannot be read.

    Examples
    --------
    >>> from autograder.answers import read_label
    >>> read_label("Local Min", {"local_min": "local_min", "min": "local_min"}, "a label")
    'local_min'
    >>> read_label("peak", {"local_min": "local_min"}, "'local_min'")
    Traceback (most recent call last):
        ...
    autograder.answers.Unreadable: expected 'local_min'.
    """
    if type(answer) is bool and "true" in synonyms:
        return synonyms["true" if answer else "false"]
    if type(answer) is not str:
        raise Unreadable(f"expected {what}.", show(answer))
    key = _words(answer)
    if key not in synonyms:
        raise Unreadable(f"expected {what}.", answer[:60])
    return synonyms[key]


# Letters, not numbers: an example made of numbers could be the question's answer.
_MAPPING_EXAMPLE = (
    "expected a dict with one entry per critical point, such as {a: 'local_max', "
    "b: 'neither'} with the points' numbers in place of a and b."
)


def read_mapping(answer: Any) -> list[tuple[sp.Expr, Any]]:
    """(point, value) pairs from a dict {point: value} or a list of (point, value) pairs.

    Parameters
    ----------
    answer : dict or list of pairs
        The answer (after `normalize`); points are read by `read_number`.

    Returns
    -------
    list of (SymPy expression, object) pairs

    Raises
    ------
    Unreadable
        With a message for the student, if the answer cannot be read.

    Examples
    --------
    >>> from autograder.answers import read_mapping
    >>> read_mapping({-1: "max", "1": "min"})
    [(-1, 'max'), (1, 'min')]
    >>> read_mapping([(0, "neither")])
    [(0, 'neither')]
    """
    if type(answer) in (list, tuple) and all(
        type(item) in (list, tuple) and len(item) == 2 for item in answer
    ):
        return [(read_number(k), v) for k, v in answer]
    if type(answer) is not dict:
        raise Unreadable(_MAPPING_EXAMPLE, show(answer))
    return [(read_number(k), v) for k, v in answer.items()]


def _split_top(text: str) -> list[str]:
    """Split 'a, b' / '[a, b]' at top-level commas (brackets kept inside the pieces)."""
    body = text.strip()
    if len(body) >= 2 and body[0] in "[(" and body[-1] in "])":
        depth = 0
        for i, ch in enumerate(body):
            depth += ch in "([{"
            depth -= ch in ")]}"
            if depth == 0 and i < len(body) - 1:
                break
        else:
            body = body[1:-1]
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            pieces.append(body[start:i])
            start = i + 1
    pieces.append(body[start:])
    return [p.strip() for p in pieces]


def read_vector(answer: Any, names: Sequence[str]) -> list[sp.Expr]:
    """A list of expressions: a list/tuple, a SymPy Matrix (one row or column), or text.

    Parameters
    ----------
    answer : list, tuple, SymPy Matrix or str
        The answer (after `normalize`), such as ``"2xy, x^2"``.
    names : sequence of str
        The variables allowed.

    Returns
    -------
    list of SymPy expressions

    Raises
    ------
    Unreadable
        With a message for the student, if the answer cannot be read.

    Examples
    --------
    >>> from autograder.answers import read_vector
    >>> read_vector("2x y, x^2", ("x", "y"))
    [2*x*y, x**2]
    """
    if type(answer) is str:
        if len(answer) > 2000:
            raise Unreadable("that answer is too long to check.")
        answer = _split_top(answer)
    if isinstance(answer, sp.MatrixBase):
        if 1 not in answer.shape:
            raise Unreadable("expected a vector, got a matrix.", show(answer))
        answer = list(answer)
    if type(answer) not in (list, tuple):
        raise Unreadable("expected a list of expressions, one per variable.", show(answer))
    return [read_expression(entry, names) for entry in answer]


def read_matrix(answer: Any, names: Sequence[str]) -> list[list[sp.Expr]]:
    """Rows of expressions: nested lists, a SymPy Matrix, or text like '[[2, 0], [0, 2]]'.

    Parameters
    ----------
    answer : nested lists, SymPy Matrix or str
        The answer (after `normalize`).
    names : sequence of str
        The variables allowed.

    Returns
    -------
    list of lists of SymPy expressions

    Raises
    ------
    Unreadable
        With a message for the student, if the answer cannot be read.

    Examples
    --------
    >>> from autograder.answers import read_matrix
    >>> read_matrix("[[2y, 2x], [2x, 0]]", ("x", "y"))
    [[2*y, 2*x], [2*x, 0]]
    """
    if type(answer) is str:
        if len(answer) > 4000:
            raise Unreadable("that answer is too long to check.")
        answer = [_split_top(row) for row in _split_top(answer)]
    if isinstance(answer, sp.MatrixBase):
        answer = answer.tolist()
    if type(answer) not in (list, tuple) or not all(type(r) in (list, tuple) for r in answer):
        raise Unreadable("expected a matrix as a list of rows, such as [[2, 0], [0, 2]].")
    return [[read_expression(entry, names) for entry in row] for row in answer]
