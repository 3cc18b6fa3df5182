"""Answers taken out of a student's kernel as JSON data, and turned back into values.

The kernel side (:mod:`.kernel_extract`) encodes one variable's value as JSON of plain types:

* ``null``, booleans, strings, integers, finite floats stand for themselves; a JSON list is a
  Python list;
* tagged objects for the rest: ``{"$tuple": [...]}``, ``{"$set": [...]}``,
  ``{"$dict": [[k, v], ...]}``, ``{"$fraction": [p, q]}``, ``{"$float": "nan"|"inf"|"-inf"}``,
  ``{"$ndarray": [...]}``, ``{"$ellipsis": 1}``, ``{"$notimplemented": 1}``,
  ``{"$matrix": [[...], ...]}``, ``{"$sympy": ClassName, ...}`` (a SymPy expression tree),
  ``{"$missing": 1}`` (the variable is not defined) and ``{"$unreadable": type name}``.

:func:`decode` runs in the judge, a process that never ran student code. It rebuilds SymPy
objects only from an allowlist of SymPy's own classes, without evaluating them
(``evaluate=False`` where SymPy offers it), within bounds on size, depth and integer length.
Anything else becomes an :class:`Opaque` value that every check refuses with the type's
name. So the worst a forged payload can do is be an answer the student could have typed.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any

MARK = "DFML-ANSWER:"
MAX_PAYLOAD = 2_000_000
MAX_NODES = 20_000
MAX_DEPTH = 60
MAX_INT_BITS = 3400
MAX_MATRIX = 12


class BadPayload(ValueError):
    """The extracted data is not in the expected format (said in plain words)."""


class Missing:
    """The answer variable was never defined in the kernel."""

    def __repr__(self) -> str:
        return "<answer not defined>"


class Opaque:
    """A value that cannot be checked; its class is named after the kernel's type."""


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


def opaque(type_name: object) -> Opaque:
    """An :class:`Opaque` instance whose type is named ``type_name`` (for the check's message)."""
    name = str(type_name) if _IDENT.fullmatch(str(type_name)) else "object"
    return type(name, (Opaque,), {"__module__": "student_kernel"})()


def read_payload(text: str) -> dict[str, Any]:
    """The one ``DFML-ANSWER:`` line in ``text`` (a cell's stdout), parsed as JSON.

    Raises :class:`BadPayload` when there is none, several, or it is not a JSON object.
    """
    if len(text) > MAX_PAYLOAD:
        raise BadPayload("the answer's data is too large")
    lines = [line for line in text.splitlines() if line.startswith(MARK)]
    if len(lines) != 1:
        raise BadPayload("the answer could not be read from the notebook")
    try:
        data = json.loads(lines[0][len(MARK):])
    except (ValueError, RecursionError):
        raise BadPayload("the answer's data is not valid") from None
    if not isinstance(data, dict):
        raise BadPayload("the answer's data is not valid")
    return data


# ---------------------------------------------------------------------------------------------
# SymPy's classes that may appear in an answer
# ---------------------------------------------------------------------------------------------

_EVALUATING = (
    "Add Mul Pow exp log sin cos tan cot sec csc asin acos atan acot asec acsc atan2 sinh cosh "
    "tanh coth sech csch asinh acosh atanh acoth Abs sign Max Min Heaviside floor ceiling frac "
    "re im arg LambertW factorial binomial gamma erf erfc loggamma DiracDelta conjugate "
    "Union Intersection FiniteSet Complement And Or Not Xor Implies"
).split()
_RELATIONAL = "Equality Unequality StrictLessThan LessThan StrictGreaterThan GreaterThan".split()
_PLAIN = "Interval Tuple ExprCondPair Piecewise ComplexRootOf ProductSet".split()
_SINGLETONS = (
    "Pi Exp1 ImaginaryUnit Infinity NegativeInfinity ComplexInfinity NaN EulerGamma "
    "GoldenRatio Catalan TribonacciConstant EmptySet Reals Integers Naturals Naturals0 "
    "Complexes Rationals UniversalSet BooleanTrue BooleanFalse Zero One NegativeOne Half"
).split()
_ASSUMPTIONS = frozenset(
    "commutative complex extended_real finite hermitian imaginary infinite real positive "
    "negative nonnegative nonpositive nonzero zero integer rational irrational algebraic "
    "transcendental even odd prime composite extended_positive extended_negative "
    "extended_nonnegative extended_nonpositive extended_nonzero noninteger antihermitian".split()
)


def _classes() -> dict[str, tuple[Any, str]]:
    import sympy as sp
    from sympy.functions.elementary.piecewise import ExprCondPair

    table: dict[str, tuple[Any, str]] = {}
    for name in _EVALUATING:
        table[name] = (getattr(sp, name), "noeval")
    for name in _RELATIONAL:
        table[name] = (getattr(sp, name), "noeval")
    for name in _PLAIN:
        cls = ExprCondPair if name == "ExprCondPair" else getattr(sp, name)
        table[name] = (cls, "plain")
    for cls in (sp.S.Pi, sp.S.Exp1, sp.S.ImaginaryUnit, sp.S.Infinity, sp.S.NegativeInfinity,
                sp.S.ComplexInfinity, sp.S.NaN, sp.S.EulerGamma, sp.S.GoldenRatio,
                sp.S.Catalan, sp.S.TribonacciConstant, sp.S.EmptySet, sp.S.Reals,
                sp.S.Integers, sp.S.Naturals, sp.S.Naturals0, sp.S.Complexes,
                sp.S.Rationals, sp.S.UniversalSet, sp.S.true, sp.S.false, sp.S.Zero, sp.S.One,
                sp.S.NegativeOne, sp.S.Half):
        table[type(cls).__name__] = (cls, "singleton")
    return table


_TABLE: dict[str, tuple[Any, str]] | None = None


def _table() -> dict[str, tuple[Any, str]]:
    global _TABLE
    if _TABLE is None:
        _TABLE = _classes()
    return _TABLE


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


class _Decoder:
    def __init__(self) -> None:
        self.nodes = 0

    def count(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise BadPayload("the answer is too large to check")
        if depth > MAX_DEPTH:
            raise BadPayload("the answer is nested too deeply to check")

    def value(self, data: Any, depth: int = 0) -> Any:
        self.count(depth)
        if data is None or type(data) in (bool, str, float):
            return data
        if type(data) is int:
            return self.integer(data)
        if type(data) is list:
            return [self.value(item, depth + 1) for item in data]
        if type(data) is not dict or len(data) == 0:
            raise BadPayload("the answer's data is not valid")
        tag = next(iter(data))
        body = data[tag]
        if tag == "$tuple":
            return tuple(self.value(item, depth + 1) for item in self.items(body))
        if tag == "$set":
            return {self.hashable(self.value(item, depth + 1)) for item in self.items(body)}
        if tag == "$dict":
            out = {}
            for pair in self.items(body):
                if type(pair) is not list or len(pair) != 2:
                    raise BadPayload("the answer's data is not valid")
                out[self.hashable(self.value(pair[0], depth + 1))] = self.value(pair[1], depth + 1)
            return out
        if tag == "$fraction":
            p, q = self.pair(body)
            if q == 0:
                raise BadPayload("the answer's data is not valid")
            return Fraction(p, q)
        if tag == "$float":
            if body not in ("nan", "inf", "-inf"):
                raise BadPayload("the answer's data is not valid")
            return float(body)
        if tag == "$ndarray":
            import numpy as np

            inner = self.value(body, depth + 1)
            try:
                return np.array(inner)
            except Exception:  # noqa: BLE001 - ragged or odd nesting
                return opaque("ndarray")
        if tag == "$ellipsis":
            return Ellipsis
        if tag == "$notimplemented":
            return NotImplemented
        if tag == "$missing":
            return Missing()
        if tag == "$unreadable":
            return opaque(body)
        if tag == "$matrix":
            return self.matrix(body, depth)
        if tag == "$sympy":
            return self.sympy(data, depth)
        raise BadPayload("the answer's data is not valid")

    @staticmethod
    def items(body: Any) -> list:
        if type(body) is not list:
            raise BadPayload("the answer's data is not valid")
        return body

    def pair(self, body: Any) -> tuple[int, int]:
        if type(body) is not list or len(body) != 2 or any(type(v) is not int for v in body):
            raise BadPayload("the answer's data is not valid")
        return self.integer(body[0]), self.integer(body[1])

    @staticmethod
    def integer(value: int) -> int:
        if value.bit_length() > MAX_INT_BITS:
            raise BadPayload("a number in the answer is too large to check")
        return value

    @staticmethod
    def hashable(value: Any) -> Any:
        try:
            hash(value)
        except TypeError:
            raise BadPayload("a set or dict key in the answer is not a plain value") from None
        return value

    def matrix(self, body: Any, depth: int) -> Any:
        import sympy as sp

        rows = self.items(body)
        if len(rows) > MAX_MATRIX or any(type(r) is not list or len(r) > MAX_MATRIX
                                         for r in rows):
            raise BadPayload("that matrix is too large to check")
        if len({len(r) for r in rows}) > 1:
            raise BadPayload("the answer's data is not valid")
        entries = [[self.sympy_arg(v, depth + 1) for v in row] for row in rows]
        return sp.Matrix(entries) if entries else sp.Matrix([])

    def sympy_arg(self, data: Any, depth: int) -> Any:
        import sympy as sp

        value = self.value(data, depth)
        if type(value) is bool:
            return sp.true if value else sp.false
        if type(value) is int:
            return sp.Integer(value)
        if isinstance(value, sp.Basic):
            return value
        raise BadPayload("the answer's data is not valid")

    def sympy(self, data: dict, depth: int) -> Any:
        import sympy as sp

        name = data.get("$sympy")
        if name == "Integer":
            p = data.get("p")
            if type(p) is not int:
                raise BadPayload("the answer's data is not valid")
            return sp.Integer(self.integer(p))
        if name == "Rational":
            p, q = self.pair([data.get("p"), data.get("q")])
            if q == 0:
                raise BadPayload("the answer's data is not valid")
            return sp.Rational(p, q)
        if name == "Float":
            return self.float_(data)
        if name == "Symbol":
            return self.symbol(data)
        found = _table().get(name) if type(name) is str else None
        if found is None:
            return opaque(name if type(name) is str else "object")
        cls, how = found
        if how == "singleton":
            return cls
        args = [self.sympy_arg(item, depth + 1) for item in self.items(data.get("args"))]
        try:
            if how == "noeval":
                return cls(*args, evaluate=False)
            return cls(*args)
        except Exception:  # noqa: BLE001 - arguments SymPy refuses: not a valid answer
            return opaque(name)

    def float_(self, data: dict) -> Any:
        import sympy as sp

        mpf, prec = data.get("mpf"), data.get("prec")
        if (type(mpf) is not list or len(mpf) != 4 or any(type(v) is not int for v in mpf)
                or type(prec) is not int or not 1 <= prec <= 4000 or mpf[0] not in (0, 1)):
            raise BadPayload("the answer's data is not valid")
        sign, man, exp, bc = mpf
        if man < 0 or man.bit_length() > 4000 or abs(exp) > 10**6 or bc != man.bit_length():
            raise BadPayload("the answer's data is not valid")
        return sp.Float._new((sign, man, exp, bc), prec)

    @staticmethod
    def symbol(data: dict) -> Any:
        import sympy as sp

        name, facts = data.get("name"), data.get("assumptions", {})
        if type(name) is not str or not 0 < len(name) <= 40 or type(facts) is not dict:
            raise BadPayload("the answer's data is not valid")
        kept = {k: v for k, v in facts.items() if k in _ASSUMPTIONS and type(v) is bool}
        try:
            return sp.Symbol(name, **kept)
        except Exception:  # noqa: BLE001 - inconsistent assumptions
            return sp.Symbol(name)


def decode(data: Any) -> Any:
    """The Python value an extracted answer stands for (see the module docstring).

    Raises :class:`BadPayload` for data that is not in the format, too large or too deep.
    """
    try:
        return _Decoder().value(data)
    except RecursionError:
        raise BadPayload("the answer is nested too deeply to check") from None
