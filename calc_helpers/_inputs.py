"""Turning what callers pass (strings, SymPy objects, numbers) into real SymPy expressions.

The one place where symbols are made real and a function and its variable are read: the
engine's public functions and the autograder (instructor's questions and students' answers)
all go through it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

ExprLike = sp.Expr | str | int | float


def real_symbol(name: str) -> sp.Symbol:
    """The course's symbol for a variable: real, so that SymPy never wanders into C.

    Parameters
    ----------
    name
        The variable's name.

    Returns
    -------
    sympy.Symbol
        ``Symbol(name, real=True)``.

    Examples
    --------
    >>> from calc_helpers import real_symbol
    >>> x = real_symbol("x")
    >>> x, x.is_real
    (x, True)
    """
    return sp.Symbol(name, real=True)


class UnknownVariable(ValueError):
    """An expression uses a variable it was not allowed to use (`name` says which).

    Examples
    --------
    >>> import sympy as sp
    >>> from calc_helpers import UnknownVariable, realify
    >>> try:
    ...     realify(sp.Symbol("y") + 1, names=["x"])
    ... except UnknownVariable as error:
    ...     print(error.name, "|", error)
    y | uses y, but it should use only x
    """

    def __init__(self, name: str, allowed: Sequence[str]) -> None:
        listed = ", ".join(allowed) if allowed else "no variable"
        super().__init__(f"uses {name}, but it should use only {listed}")
        self.name = name
        self.allowed = tuple(allowed)


def realify(expr: sp.Basic, names: Sequence[str] | None = None) -> sp.Basic:
    """Replace every free symbol by the course's real symbol of the same name.

    Parameters
    ----------
    expr
        Any SymPy object.
    names
        If given, the only variable names allowed: another one raises `UnknownVariable`.

    Returns
    -------
    sympy.Basic
        The same object with plain real symbols (symbols of other classes, such as Dummy, and
        symbols without ``real=True`` are swapped).

    Raises
    ------
    UnknownVariable
        Where `names` is given and the object has another free symbol.

    Examples
    --------
    >>> import sympy as sp
    >>> from calc_helpers import realify
    >>> expr = realify(sp.Symbol("x") ** 2)
    >>> expr, [s.is_real for s in expr.free_symbols]
    (x**2, [True])
    >>> realify(sp.Symbol("y") + 1, names=["x"])
    Traceback (most recent call last):
    ...
    calc_helpers._inputs.UnknownVariable: uses y, but it should use only x
    """
    swaps = {}
    for symbol in expr.free_symbols:
        if names is not None and symbol.name not in names:
            raise UnknownVariable(symbol.name, names)
        if symbol.is_real is not True or type(symbol) is not sp.Symbol:
            swaps[symbol] = real_symbol(symbol.name)
    return expr.xreplace(swaps) if swaps else expr


def symbol_name(x: sp.Symbol | str | None) -> str | None:
    """The name of a variable given as a symbol or a string (None stays None).

    Parameters
    ----------
    x
        A SymPy symbol, a name, or None.

    Returns
    -------
    str or None

    Examples
    --------
    >>> from calc_helpers import real_symbol, symbol_name
    >>> symbol_name(real_symbol("w")), symbol_name("t"), symbol_name(None)
    ('w', 't', None)
    """
    if x is None:
        return None
    return x if isinstance(x, str) else x.name


def as_symbol(x: sp.Symbol | str) -> sp.Symbol:
    """A real symbol from a name or a symbol."""
    return real_symbol(symbol_name(x))


def as_expr(f: ExprLike, variables: Sequence[str] = ("x",)) -> sp.Expr:
    """A SymPy expression with real symbols; strings go through the safe parser only.

    Parameters
    ----------
    f
        A SymPy expression, an int or float, or text (read by `calc_helpers.parse`).
    variables
        The variable names the expression may use.

    Returns
    -------
    sympy.Expr
        The expression, every free symbol real.

    Raises
    ------
    ParseError
        Where text cannot be read.
    UnknownVariable
        Where a SymPy expression uses a variable not in `variables`.
    TypeError
        Where `f` is of another type (text is never evaluated as Python).

    Examples
    --------
    >>> import sympy as sp
    >>> from calc_helpers import as_expr
    >>> as_expr("3x^2 - 1")
    3*x**2 - 1
    >>> as_expr(sp.Symbol("t") + 1, ["t"]).free_symbols.pop().is_real
    True
    """
    if isinstance(f, str):
        from .parsing import parse

        return parse(f, variables)
    if isinstance(f, bool) or not isinstance(f, (sp.Basic, int, float)):
        raise TypeError(
            f"expected a SymPy expression, a number or a string, got {type(f).__name__}"
        )
    expr = sp.sympify(f)  # a number or a SymPy object, never text
    if not isinstance(expr, sp.Expr):
        raise TypeError(f"expected an expression, got {expr!r}")
    return realify(expr)


def function_and_variable(
    f: ExprLike, x: sp.Symbol | str | None = None
) -> tuple[sp.Expr, sp.Symbol]:
    """The expression of a one-variable function and its (real) variable.

    With ``x`` omitted the variable is the expression's single free symbol
    (``x`` for a constant); more than one free symbol is an error.

    Parameters
    ----------
    f
        The function: a SymPy expression, a number or text.
    x
        Its variable (a symbol or a name); omitted, it is read from `f` (text uses ``x``).

    Returns
    -------
    tuple
        ``(expression, variable)``, both with real symbols.

    Raises
    ------
    ValueError
        Where `f` has several free symbols and `x` is omitted (`ParseError` and
        `UnknownVariable`, both ValueErrors, for text or symbols other than `x`).

    Examples
    --------
    >>> import sympy as sp
    >>> from calc_helpers import function_and_variable
    >>> function_and_variable("t^2 + 1", "t")
    (t**2 + 1, t)
    >>> function_and_variable(sp.sin(sp.Symbol("w")))
    (sin(w), w)
    """
    names = ("x",) if x is None else (as_symbol(x).name,)
    expr = as_expr(f, names)
    if x is not None:
        return expr, as_symbol(x)
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    if len(free) > 1:
        raise ValueError(
            f"{expr} has several variables ({', '.join(s.name for s in free)}); "
            "say which one to use with x=..."
        )
    return expr, (free[0] if free else real_symbol("x"))


def as_number(value: ExprLike) -> sp.Expr:
    """An exact SymPy number (floats become SymPy floats, strings are parsed).

    Parameters
    ----------
    value
        A number, a SymPy number or text such as ``"5/3"`` (read by `parse_number`).

    Returns
    -------
    sympy.Expr
        A SymPy number without free symbols.

    Raises
    ------
    ValueError
        Where the value has a variable in it (or text cannot be read: `ParseError`).

    Examples
    --------
    >>> from calc_helpers import as_number
    >>> as_number("5/3"), as_number(2), as_number(0.5)
    (5/3, 2, 0.500000000000000)
    """
    if isinstance(value, str):
        from .parsing import parse_number

        return parse_number(value)
    expr = as_expr(value)
    if expr.free_symbols:
        raise ValueError(f"expected a number, got {expr}")
    return expr
