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
    """The course's symbol for a variable: real, so that SymPy never wanders into C."""
    return sp.Symbol(name, real=True)


class UnknownVariable(ValueError):
    """An expression uses a variable it was not allowed to use (`name` says which)."""

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
    The same object with plain real symbols (symbols of other classes, such as Dummy, and
    symbols without ``real=True`` are swapped).
    """
    swaps = {}
    for symbol in expr.free_symbols:
        if names is not None and symbol.name not in names:
            raise UnknownVariable(symbol.name, names)
        if symbol.is_real is not True or type(symbol) is not sp.Symbol:
            swaps[symbol] = real_symbol(symbol.name)
    return expr.xreplace(swaps) if swaps else expr


def symbol_name(x: sp.Symbol | str | None) -> str | None:
    """The name of a variable given as a symbol or a string (None stays None)."""
    if x is None:
        return None
    return x if isinstance(x, str) else x.name


def as_symbol(x: sp.Symbol | str) -> sp.Symbol:
    """A real symbol from a name or a symbol."""
    return real_symbol(symbol_name(x))


def as_expr(f: ExprLike, variables: Sequence[str] = ("x",)) -> sp.Expr:
    """A SymPy expression with real symbols; strings go through the safe parser only."""
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
    """An exact SymPy number (floats become SymPy floats, strings are parsed)."""
    if isinstance(value, str):
        from .parsing import parse_number

        return parse_number(value)
    expr = as_expr(value)
    if expr.free_symbols:
        raise ValueError(f"expected a number, got {expr}")
    return expr
