"""The one safe parser for mathematical text typed by a person.

Everything a student types (an expression, a number, a list of points, a set of
intervals) is read here into SymPy objects.  The text is never evaluated: a small
tokenizer and a recursive-descent parser build SymPy objects directly, and size
limits refuse input that would take long to compute.  Every refusal is a
:class:`ParseError` with a short message for the student and the position of the
problem.

How expressions are read:

* ``^`` and ``**`` both mean power.  Powers are right-associative and bind tighter
  than a leading minus: ``-x^2`` is ``-(x^2)`` and ``2^-1`` is ``1/2``.
* Implicit multiplication: ``2x``, ``2(x+1)``, ``(x+1)(x-1)``, ``x sin(x)``, ``3x^2``
  (``3*(x^2)``), ``xy`` when ``x`` and ``y`` are both variables, ``x(2)``.  It has the
  same precedence as ``*``, so ``1/2x`` is ``(1/2)*x``.  Two plain numbers side by
  side (``2 3``) are refused.
* A name that is not known is split into variables and constants when possible
  (``xy``, ``pix``); its last piece may be a function when brackets follow
  (``xsin(x)`` is ``x*sin(x)``).  Names are case-sensitive.
* Function names need brackets: ``sin x`` is refused with a hint to write
  ``sin(x)``.  ``sin^2(x)`` means ``sin(x)^2``; ``sin^-1(x)`` is refused as ambiguous.
* ``√`` and ``∛`` apply to the next item only: ``√x``, ``√(x+1)``, ``√2x`` is
  ``sqrt(2)*x`` and ``√x^2`` is ``(√x)^2``.
* ``|x|`` is the absolute value.  A ``|`` closes the innermost open bar if there is
  one inside the same brackets; otherwise it opens a new one.
* ``log`` is the natural logarithm; ``log(x, b)`` has base ``b``.  ``cbrt`` and
  ``root(x, n)`` are real roots (``cbrt(-8)`` is ``-2``).
* Decimals stay floats (``1.5`` gives a ``Float``); integers and fractions stay exact.
  A root of something containing a decimal gets a decimal exponent (``sqrt(0.5x)`` is
  ``0.707...*x**0.5``): SymPy 1.14 can hang on some exact roots of decimals.
* Numbers must be real: ``sqrt(-1)``, ``ln(-2)`` and ``(-8)^(1/3)`` are refused (the
  last with a hint to use ``cbrt``).  So are undefined values such as ``1/0`` and ``log(0)``.

Safety limits (see the ``MAX_*`` constants): at most 1000 characters (checked first),
500 tokens and 50 levels of nesting (counted without Python recursion running away);
numeric exponents at most 1000 in size, exact numbers at most 1000 digits (estimated
before SymPy computes a power), typed numbers at most 100 digits, and a few limits on
what SymPy evaluates slowly by itself (deeply nested functions of numbers, sin of
huge numbers, roots of huge numbers).
"""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import sympy

from .budget import budgeted

__all__ = ["ParseError", "parse", "parse_interval_set", "parse_number", "parse_points"]

# Limits: beyond them the text is refused before SymPy computes anything slow.
MAX_LENGTH = 1000  # characters
MAX_TOKENS = 500
MAX_DEPTH = 50  # brackets, function calls, |bars| and powers inside each other
MAX_DIGITS = 1000  # digits of an exact number
MAX_EXPONENT = 1000  # size of a numeric exponent, also on a symbolic base
MAX_LITERAL_DIGITS = 100  # digits of a typed number
MAX_FLOAT_EXPONENT = 300  # 1e300 at most
MAX_ROOT_DIGITS = 100  # SymPy factorises a number to take its root
MAX_ANGLE_LOG10 = 100.0  # sin(10^100) needs a lot of precision and means nothing
MAX_GROWTH_LOG10 = 3.0  # sinh and cosh grow like exp: their argument is at most 1000
MAX_NUMERIC_NESTING = 6  # SymPy evaluates nested functions of numbers again at each level
MAX_EXPANDED_TERMS = 1000  # SymPy may expand (a + b + c)^n when a, b, c are numbers


class ParseError(ValueError):
    """Text that could not be read; ``position`` is the 0-based index of the problem.

    Examples
    --------
    >>> try:
    ...     parse("sin x")
    ... except ParseError as error:
    ...     print(error.position, error.message)
    0 could not read 'sin' at position 0: put the argument in brackets, as in sin(x)
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class _Refusal(Exception):
    """A reason to refuse a construct; the parser adds the position."""


def _error(text: str, position: int, size: int, reason: str) -> ParseError:
    """A ParseError quoting ``text[position:position + size]``."""
    snippet = text[position : position + max(size, 1)]
    if len(snippet) > 24:
        snippet = snippet[:21] + "..."
    return ParseError(f"could not read '{snippet}' at position {position}: {reason}", position)


# ----------------------------------------------------------------------------
# Names: constants and functions
# ----------------------------------------------------------------------------

_CONSTANTS: dict[str, sympy.Expr] = {"e": sympy.E, "pi": sympy.pi, "π": sympy.pi}

_Builder = Callable[[list[sympy.Expr]], sympy.Expr]


@dataclass(frozen=True)
class _Function:
    build: _Builder
    min_args: int = 1
    max_args: int | None = 1
    listed: bool = True


def _one(function: Callable[[sympy.Expr], sympy.Expr], max_log10: float | None = None) -> _Builder:
    """A builder for a one-argument function; a numeric argument must stay below 10**max_log10."""

    def build(args: list[sympy.Expr]) -> sympy.Expr:
        if max_log10 is not None:
            _check_argument(args[0], max_log10)
        return function(args[0])

    return build


def _many(function: Callable[..., sympy.Expr]) -> _Builder:
    def build(args: list[sympy.Expr]) -> sympy.Expr:
        return function(*args)

    return build


def _build_sqrt(args: list[sympy.Expr]) -> sympy.Expr:
    return _power(args[0], sympy.Rational(1, 2))


def _build_cbrt(args: list[sympy.Expr]) -> sympy.Expr:
    return _real_root(args[0], sympy.Integer(3))


def _build_root(args: list[sympy.Expr]) -> sympy.Expr:
    return _real_root(args[0], args[1])


def _real_root(value: sympy.Expr, degree: sympy.Expr) -> sympy.Expr:
    if not (degree.is_Integer and 1 <= degree <= MAX_EXPONENT):
        raise _Refusal("in root(x, n) the number n must be a whole number from 1 to 1000")
    _check_power(value, 1 / degree)
    exponent = _safe_exponent(value, 1 / degree)
    if degree.is_even:
        return sympy.Pow(value, exponent)  # what real_root gives too, without a Piecewise
    if value.is_extended_real is None or exponent.is_Float:
        # real_root would wrap this in a Piecewise on im(value); the course is real-valued
        return sympy.sign(value) * sympy.Pow(sympy.Abs(value), exponent)
    return sympy.real_root(value, degree)


def _build_exp(args: list[sympy.Expr]) -> sympy.Expr:
    _check_power(sympy.E, args[0])
    return sympy.exp(args[0])


def _build_log(args: list[sympy.Expr]) -> sympy.Expr:
    if len(args) == 2 and (args[1].is_zero or (args[1] - 1).is_zero):
        raise _Refusal("the base of a logarithm cannot be 0 or 1")
    return sympy.log(*args)


def _build_relu(args: list[sympy.Expr]) -> sympy.Expr:
    return sympy.Max(args[0], sympy.Integer(0))


_FUNCTIONS: dict[str, _Function] = {
    "sqrt": _Function(_build_sqrt),
    "cbrt": _Function(_build_cbrt),
    "root": _Function(_build_root, 2, 2),
    "exp": _Function(_build_exp),
    "ln": _Function(_one(sympy.log)),
    "log": _Function(_build_log, 1, 2),
    "sin": _Function(_one(sympy.sin, MAX_ANGLE_LOG10)),
    "cos": _Function(_one(sympy.cos, MAX_ANGLE_LOG10)),
    "tan": _Function(_one(sympy.tan, MAX_ANGLE_LOG10)),
    "sec": _Function(_one(sympy.sec, MAX_ANGLE_LOG10)),
    "csc": _Function(_one(sympy.csc, MAX_ANGLE_LOG10)),
    "cot": _Function(_one(sympy.cot, MAX_ANGLE_LOG10)),
    "asin": _Function(_one(sympy.asin)),
    "acos": _Function(_one(sympy.acos)),
    "atan": _Function(_one(sympy.atan)),
    "arcsin": _Function(_one(sympy.asin), listed=False),
    "arccos": _Function(_one(sympy.acos), listed=False),
    "arctan": _Function(_one(sympy.atan), listed=False),
    "sinh": _Function(_one(sympy.sinh, MAX_GROWTH_LOG10)),
    "cosh": _Function(_one(sympy.cosh, MAX_GROWTH_LOG10)),
    "tanh": _Function(_one(sympy.tanh)),
    "abs": _Function(_one(sympy.Abs)),
    "max": _Function(_many(sympy.Max), 2, None),
    "min": _Function(_many(sympy.Min), 2, None),
    "sign": _Function(_one(sympy.sign)),
    "relu": _Function(_build_relu),
}

_FUNCTIONS_LONGEST_FIRST = sorted(_FUNCTIONS, key=len, reverse=True)


def _check_variables(variables: Sequence[str]) -> tuple[str, ...]:
    """The variable names as a tuple; a bad name is a programming error (ValueError)."""
    names = (variables,) if isinstance(variables, str) else tuple(variables)
    for name in names:
        if not isinstance(name, str) or not name.isalpha():
            raise ValueError(f"invalid variable name {name!r}: use letters only")
        if name in _FUNCTIONS or name in _CONSTANTS:
            raise ValueError(f"invalid variable name {name!r}: it is a function or constant")
    return names


# ----------------------------------------------------------------------------
# Size checks: refuse what would be slow to compute
# ----------------------------------------------------------------------------

_UNDEFINED = frozenset({sympy.zoo, sympy.nan, sympy.oo, -sympy.oo})
_LOG10_2 = math.log10(2)


def _rational_digits(value: sympy.Rational) -> float:
    """Approximate number of decimal digits of the larger of numerator and denominator."""
    return max(abs(value.p).bit_length(), value.q.bit_length()) * _LOG10_2


def _int_log10(value: int) -> float:
    return math.log10(abs(value)) if value else 0.0


def _magnitude(value: sympy.Expr) -> mpmath.mpf | None:
    """|value| as an mpmath number, or None when it cannot be evaluated."""
    try:
        approximation = value.evalf(15)
        if approximation.is_Float:
            return abs(mpmath.mpf(approximation))
        real, imag = approximation.as_real_imag()
        parts = [mpmath.mpf(0) if part.is_zero else mpmath.mpf(part) for part in (real, imag)]
    except (TypeError, ValueError, ArithmeticError):
        return None
    return mpmath.hypot(*parts)


def _log10_abs(value: sympy.Expr) -> float | None:
    """log10 of |value| for a number without variables (-inf for zero)."""
    if value.is_Rational:
        if value.p == 0:
            return -math.inf
        return _int_log10(value.p) - _int_log10(value.q)
    magnitude = _magnitude(value)
    if magnitude is None:
        return None
    if magnitude == 0:
        return -math.inf
    return float(mpmath.log10(magnitude))


def _digits_per_unit_exponent(base: sympy.Expr) -> float | None:
    """How many digits base**n has per unit of n (roughly |log10 |base||)."""
    if base.is_Rational:
        return max(_int_log10(base.p), _int_log10(base.q))
    log = _log10_abs(base)
    if log is None:
        return None
    return 0.0 if log == -math.inf else abs(log)


def _check_power(base: sympy.Expr, exponent: sympy.Expr) -> None:
    """Refuse base**exponent when it would be huge or slow, before SymPy computes it."""
    if not exponent.is_number:
        if _too_large_inside(exponent, MAX_EXPONENT):
            raise _Refusal("the numbers in an exponent must be at most 1000")
        return
    exponent_log = _log10_abs(exponent)
    if exponent_log is None or exponent_log > math.log10(MAX_EXPONENT):
        raise _Refusal("this power is too large: an exponent can be at most 1000")
    if base.is_number and _result_digits(base, exponent_log) > MAX_DIGITS:
        raise _Refusal("this number would be too large (more than 1000 digits)")
    if exponent.is_Rational and not exponent.is_Integer and _has_huge_rational(base):
        raise _Refusal("this number is too large to take a root of (more than 100 digits)")
    if _expands_badly(base, exponent):
        raise _Refusal("this power of a sum is too complicated to work with")


def _result_digits(base: sympy.Expr, exponent_log: float) -> float:
    """About how many digits base**exponent has, given log10 |exponent| (inf if unknown)."""
    if exponent_log == -math.inf:
        return 0.0
    per_unit = _digits_per_unit_exponent(base)
    return math.inf if per_unit is None else per_unit * 10**exponent_log


def _has_huge_rational(base: sympy.Expr) -> bool:
    """SymPy factorises the numbers in a base to take a root of it."""
    numbers = [base] if base.is_Rational else base.atoms(sympy.Rational)
    return any(_rational_digits(number) > MAX_ROOT_DIGITS for number in numbers)


def _expands_badly(base: sympy.Expr, exponent: sympy.Expr) -> bool:
    """``(pi + e - sqrt(2))^(99 + pi)``: SymPy may expand the sum to the 99th power.

    It does so for numbers (for example when comparing them in max); the number of
    terms of a k-term sum to the n-th power is comb(n + k - 1, k - 1).
    """
    if not (base.is_number and base.is_Add and exponent.is_number and exponent.is_Add):
        return False
    whole = sum(abs(int(term)) for term in exponent.args if term.is_Integer)
    return math.comb(whole + len(base.args) - 1, len(base.args) - 1) > MAX_EXPANDED_TERMS


def _too_large_inside(value: sympy.Expr, limit: float) -> bool:
    """True for ``2^99 - x``: substituting a number later would take forever."""
    return any(abs(number) > limit for number in value.atoms(sympy.Number))


def _check_argument(value: sympy.Expr, max_log10: float) -> None:
    """Refuse a function argument above 10**max_log10, or with such numbers in it."""
    limit = "1000" if max_log10 == MAX_GROWTH_LOG10 else f"10^{max_log10:g}"
    reason = f"the numbers inside this function must be at most {limit}"
    if not value.is_number:
        if _too_large_inside(value, 10**max_log10):
            raise _Refusal(reason)
        return
    log = _log10_abs(value)
    if log is None or log > max_log10:
        raise _Refusal(reason)


def _power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    _check_power(base, exponent)
    return sympy.Pow(base, _safe_exponent(base, exponent))


def _safe_exponent(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """A decimal exponent for a root of a base that contains a decimal.

    SymPy 1.14 can loop forever on ``(0.7*5^(1/7))^(1/3)`` but not on ``^0.333...``;
    the base is inexact anyway.
    """
    if exponent.is_Rational and not exponent.is_Integer and base.has(sympy.Float):
        return sympy.Float(exponent)
    return exponent


def _product(factors: list[sympy.Expr]) -> sympy.Expr:
    """Multiply, folding exact numbers first so that a huge product is refused early."""
    number: sympy.Expr = sympy.Integer(1)
    others = []
    for factor in factors:
        if not factor.is_Rational:
            others.append(factor)
            continue
        number = number * factor
        if _rational_digits(number) > MAX_DIGITS:
            raise _Refusal("this number is too large (more than 1000 digits)")
    return sympy.Mul(number, *others)


def _check_node(node: sympy.Expr) -> None:
    """Refuse undefined values, huge exponents and huge exact numbers in a new node."""
    for part in (node, *node.args):
        if not isinstance(part, sympy.Expr):
            continue
        if part in _UNDEFINED:
            raise _Refusal("this is undefined (for example a division by zero or log(0))")
        if part.is_Pow and part.exp.is_Number and abs(part.exp) > MAX_EXPONENT:
            raise _Refusal("this power is too large: an exponent can be at most 1000")
        coefficient = part.as_coeff_Mul()[0]
        if coefficient.is_Rational and _rational_digits(coefficient) > MAX_DIGITS:
            raise _Refusal("this number is too large (more than 1000 digits)")


# ----------------------------------------------------------------------------
# Tokenizer
# ----------------------------------------------------------------------------

# Token kinds. Names are resolved while reading, so there is no plain "name" kind.
_NUM, _VAR, _CONST, _FUNC = "number", "variable", "constant", "function"
_OP, _OPEN, _CLOSE, _COMMA = "operator", "open", "close", "comma"
_BAR, _ROOT, _END = "bar", "root", "end"
_OPERAND_KINDS = frozenset({_NUM, _VAR, _CONST, _FUNC, _OPEN, _ROOT})


@dataclass(frozen=True)
class _Token:
    kind: str
    value: str
    pos: int
    size: int = 1

    @property
    def end(self) -> int:
        return self.pos + self.size


_DIGITS = "0123456789"
_NUMBER_RE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SIMPLE_SYMBOLS: dict[str, tuple[str, str]] = {
    "+": (_OP, "+"),
    "-": (_OP, "-"),
    "−": (_OP, "-"),
    "–": (_OP, "-"),
    "*": (_OP, "*"),
    "×": (_OP, "*"),
    "·": (_OP, "*"),
    "⋅": (_OP, "*"),
    "∗": (_OP, "*"),
    "/": (_OP, "/"),
    "÷": (_OP, "/"),
    "^": (_OP, "^"),
    "(": (_OPEN, "("),
    "[": (_OPEN, "["),
    ")": (_CLOSE, ")"),
    "]": (_CLOSE, "]"),
    ",": (_COMMA, ","),
    "|": (_BAR, "|"),
    "√": (_ROOT, "sqrt"),
    "∛": (_ROOT, "cbrt"),
}
_PAIRS = {"(": ")", "[": "]"}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
_QUOTES = "quotes are not allowed"
_BRACES = "curly braces are not used in expressions; use ( ) instead"
_COMPARISON = "a comparison is not allowed here; type only the expression"
_REFUSED_CHARS = {
    "_": "underscores are not allowed",
    "=": "'=' is not allowed here; type only the expression, without 'y =' or '= 0'",
    ";": "a semicolon is not allowed in an expression",
    ".": "a dot can only be part of a decimal number such as 1.5",
    "'": _QUOTES,
    '"': _QUOTES,
    "{": _BRACES,
    "}": _BRACES,
    "<": _COMPARISON,
    ">": _COMPARISON,
    "∞": "infinity is not allowed in an expression",
}


@dataclass(frozen=True)
class _Context:
    text: str
    variables: tuple[str, ...]
    number_only: bool


def _tokenize(context: _Context, start: int, end: int) -> list[_Token]:
    """Split text[start:end] into tokens; unknown names and characters are refused."""
    text = context.text
    tokens: list[_Token] = []
    i = start
    while i < end:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < end and text[i + 1] in _DIGITS):
            match = _NUMBER_RE.match(text, i, end)
            assert match is not None
            tokens.append(_Token(_NUM, match.group(), i, match.end() - i))
        elif ch.isalpha():
            tokens.extend(_read_name(context, i, end))
        elif ch in _SUPERSCRIPTS:
            tokens.extend(_read_superscript(text, i, end))
        else:
            tokens.append(_read_symbol(text, i, end))
        i = tokens[-1].end
        if len(tokens) > MAX_TOKENS:
            raise _error(text, tokens[-1].pos, 1, "the answer is too long (more than 500 symbols)")
    return tokens


def _read_symbol(text: str, i: int, end: int) -> _Token:
    ch = text[i]
    if ch == "*" and i + 1 < end and text[i + 1] == "*":
        return _Token(_OP, "^", i, 2)
    if ch in _SIMPLE_SYMBOLS:
        kind, value = _SIMPLE_SYMBOLS[ch]
        return _Token(kind, value, i)
    reason = _REFUSED_CHARS.get(ch, "this character is not allowed in an expression")
    raise _error(text, i, 1, reason)


def _read_superscript(text: str, i: int, end: int) -> list[_Token]:
    """``x²`` and ``x⁻¹``: a run of superscripts becomes ``^``, a sign, and a number."""
    j = i
    while j < end and text[j] in _SUPERSCRIPTS:
        j += 1
    run = "".join(_SUPERSCRIPTS[ch] for ch in text[i:j])
    sign, digits = (run[0], run[1:]) if run[0] in "+-" else ("", run)
    if not digits.isdigit():
        raise _error(text, i, j - i, "a superscript must be a whole number, as in x² or x⁻¹")
    tokens = [_Token(_OP, "^", i, 1)]
    if sign:
        tokens.append(_Token(_OP, sign, i, 1))
    tokens.append(_Token(_NUM, digits, j - len(digits), len(digits)))
    return tokens


def _read_name(context: _Context, i: int, end: int) -> list[_Token]:
    """Read a run of letters as one known name or as several names written together."""
    text = context.text
    j = i
    while j < end and text[j].isalpha():
        j += 1
    name = text[i:j]
    if _name_kind(name, context.variables):
        return [_Token(_name_kind(name, context.variables), name, i, len(name))]
    rest = text[j:end].lstrip()
    call_follows = rest[:1] in ("(", "[", "^") or rest[:1] in _SUPERSCRIPTS
    pieces = _split_name(name, context.variables, call_follows)
    if pieces is None:
        raise _error(text, i, len(name), _unknown_name_reason(name, context))
    tokens = []
    for piece in pieces:
        tokens.append(_Token(_name_kind(piece, context.variables), piece, i, len(piece)))
        i += len(piece)
    return tokens


def _name_kind(name: str, variables: tuple[str, ...]) -> str:
    if name in variables:
        return _VAR
    if name in _CONSTANTS:
        return _CONST
    if name in _FUNCTIONS:
        return _FUNC
    return ""


def _split_into(word: str, parts: Sequence[str]) -> list[str] | None:
    """Split ``word`` into the fewest pieces from ``parts``, or None."""
    best: list[tuple[int, str] | None] = [None] * (len(word) + 1)
    counts = [0] + [len(word) + 1] * len(word)
    for i in range(1, len(word) + 1):
        for part in parts:
            j = i - len(part)
            if j >= 0 and counts[j] <= len(word) and word.startswith(part, j):
                if counts[j] + 1 < counts[i]:
                    counts[i], best[i] = counts[j] + 1, (j, part)
    if counts[-1] > len(word):
        return None
    pieces: list[str] = []
    i = len(word)
    while i > 0:
        step = best[i]
        assert step is not None
        i, piece = step
        pieces.append(piece)
    return pieces[::-1]


def _split_name(name: str, variables: tuple[str, ...], call_follows: bool) -> list[str] | None:
    """``xy`` -> x, y; ``pix`` -> pi, x; ``xsin`` -> x, sin when brackets follow."""
    parts = [*variables, *_CONSTANTS]
    pieces = _split_into(name, parts)
    if pieces is not None or not call_follows:
        return pieces
    for function in _FUNCTIONS_LONGEST_FIRST:
        if name.endswith(function) and len(name) > len(function):
            prefix = _split_into(name[: -len(function)], parts)
            if prefix is not None:
                return [*prefix, function]
    return None


def _unknown_name_reason(name: str, context: _Context) -> str:
    lowered = name.lower()
    if lowered != name and _name_kind(lowered, context.variables):
        return f"names are case-sensitive; write '{lowered}'"
    if lowered in ("inf", "infinity", "oo"):
        return "infinity is not allowed in an expression"
    parts = [*context.variables, *_CONSTANTS]
    for function in _FUNCTIONS_LONGEST_FIRST:
        rest = name[len(function) :]
        if name.startswith(function) and rest and _split_into(rest, parts) is not None:
            return f"put brackets around the argument: write {function}({rest})"
    return f"unknown name; allowed names are {_allowed_names(context)}"


def _allowed_names(context: _Context) -> str:
    variables = () if context.number_only else context.variables
    functions = [name for name, spec in _FUNCTIONS.items() if spec.listed]
    return ", ".join([*variables, "e", "pi", *functions])


def _check_brackets(text: str, tokens: list[_Token]) -> None:
    """Refuse unbalanced or too deeply nested brackets (iteratively, before parsing)."""
    stack: list[_Token] = []
    for token in tokens:
        if token.kind == _OPEN:
            stack.append(token)
            if len(stack) > MAX_DEPTH:
                raise _error(text, token.pos, 1, "too many brackets inside each other (max 50)")
        elif token.kind == _CLOSE:
            if not stack:
                raise _error(text, token.pos, 1, "there is no opening bracket for this one")
            opening = stack.pop()
            if _PAIRS[opening.value] != token.value:
                reason = (
                    f"'{opening.value}' at position {opening.pos} must be closed "
                    f"with '{_PAIRS[opening.value]}'"
                )
                raise _error(text, token.pos, 1, reason)
    if stack:
        opening = stack[-1]
        reason = f"this bracket is never closed; add a matching '{_PAIRS[opening.value]}'"
        raise _error(text, opening.pos, 1, reason)


def _number(text: str, token: _Token) -> sympy.Expr:
    """A numeric literal: Integer for whole numbers, Float for decimals."""
    mantissa, _, exponent = token.value.lower().partition("e")
    if sum(ch in _DIGITS for ch in mantissa) > MAX_LITERAL_DIGITS:
        raise _error(text, token.pos, token.size, "this number is too long (over 100 digits)")
    if "." not in mantissa and not exponent:
        return sympy.Integer(int(mantissa))
    too_big = exponent and abs(int(exponent)) > MAX_FLOAT_EXPONENT
    if too_big or not math.isfinite(float(token.value)):
        raise _error(text, token.pos, token.size, "this number is too large or too small")
    return sympy.Float(token.value)


# ----------------------------------------------------------------------------
# Parser
# ----------------------------------------------------------------------------


_MINUS_ONE = sympy.Integer(-1)
_NOT_REAL = (
    "this is not a real number (for example the square root or log of a negative number); "
    "for a real cube root write cbrt(x)"
)


class _Parser:
    """Recursive descent over the tokens; every nesting level is counted in ``depth``."""

    def __init__(self, context: _Context, tokens: list[_Token]) -> None:
        self.context = context
        self.text = context.text
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.nesting_memo: dict[sympy.Basic, int] = {}

    # -- helpers --------------------------------------------------------------

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def previous(self) -> _Token | None:
        return self.tokens[self.index - 1] if self.index > 0 else None

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_operator(self, values: str) -> bool:
        token = self.peek()
        return token.kind == _OP and token.value in values

    def error(self, token: _Token, reason: str) -> ParseError:
        previous = self.previous()
        if token.kind != _END or previous is None:
            return _error(self.text, token.pos, token.size, reason)
        last = self.text[previous.pos : previous.end] or previous.value
        message = (
            f"the answer stops too early at position {token.pos}, right after '{last}': {reason}"
        )
        return ParseError(message, token.pos)

    def span_error(self, start: int, reason: str) -> ParseError:
        previous = self.previous()
        end = previous.end if previous is not None else start
        return _error(self.text, start, end - start, reason)

    def build(self, start: int, function: Callable[..., sympy.Expr], *args: object) -> sympy.Expr:
        """Call a SymPy constructor; refusals become ParseErrors for text from ``start``."""
        try:
            node = function(*args)
            _check_node(node)
        except _Refusal as refusal:
            raise self.span_error(start, str(refusal)) from None
        except (ArithmeticError, TypeError, ValueError, NotImplementedError):
            raise self.span_error(start, "this cannot be computed; check it") from None
        return node

    def nesting(self, expr: sympy.Basic) -> int:
        """How many functions and powers are nested inside each other in ``expr``."""
        known = self.nesting_memo.get(expr)
        if known is None:
            inner = max((self.nesting(arg) for arg in expr.args), default=-1)
            known = 0 if inner < 0 else inner + (0 if expr.is_Add or expr.is_Mul else 1)
            self.nesting_memo[expr] = known
        return known

    def check_nesting(self, start: int, args: Sequence[sympy.Expr]) -> None:
        """Refuse functions of numbers nested too deeply: SymPy would take long to evaluate."""
        for arg in args:
            if arg.is_number and self.nesting(arg) >= MAX_NUMERIC_NESTING:
                reason = (
                    "too many functions or powers inside each other in a number "
                    f"(at most {MAX_NUMERIC_NESTING})"
                )
                raise self.span_error(start, reason)

    def check_real(self, start: int, value: sympy.Expr) -> None:
        """Refuse a number that is not real, such as sqrt(-1) or (-8)^(1/3).

        Complex intermediate values make SymPy's automatic evaluation very slow, and
        this course works with real numbers only.
        """
        if not value.is_number or value.is_Rational or value.is_Float:
            return
        try:
            approximation = value.evalf(15, chop=True)
        except (ArithmeticError, TypeError, ValueError):
            raise self.span_error(start, "this number cannot be computed") from None
        if not (approximation.is_Float or approximation.is_Rational):
            raise self.span_error(start, _NOT_REAL)

    def apply(
        self,
        start: int,
        operands: Sequence[sympy.Expr],
        function: Callable[..., sympy.Expr],
        *args: object,
    ) -> sympy.Expr:
        """Build a function or power of ``operands``; numbers must stay real and shallow."""
        self.check_nesting(start, operands)
        value = self.build(start, function, *args)
        self.check_real(start, value)
        return value

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(token, "this is nested too deeply (more than 50 levels)")

    def leave(self) -> None:
        self.depth -= 1

    # -- grammar --------------------------------------------------------------

    def parse(self) -> sympy.Expr:
        value = self.expression(in_bars=False)
        token = self.peek()
        if token.kind == _COMMA:
            raise self.error(token, "a comma can only separate function arguments, as in max(a, b)")
        if token.kind != _END:
            raise self.error(token, "this does not fit here")
        return value

    def expression(self, in_bars: bool) -> sympy.Expr:
        """term (('+' | '-') term)*"""
        start = self.peek().pos
        terms = [self.term(in_bars)]
        while self.at_operator("+-"):
            operator = self.advance()
            term = self.term(in_bars)
            if operator.value == "-":
                term = self.build(operator.pos, sympy.Mul, _MINUS_ONE, term)
            terms.append(term)
        return terms[0] if len(terms) == 1 else self.build(start, sympy.Add, *terms)

    def term(self, in_bars: bool) -> sympy.Expr:
        """signed (('*' | '/') signed | implicit power)*"""
        start = self.peek().pos
        factors = [self.signed()]
        while True:
            token = self.peek()
            if token.kind == _OP and token.value in "*/":
                self.advance()
                factor_start = self.peek().pos
                factor = self.signed()
                if token.value == "/":
                    factor = self.divisor(factor_start, token, factor)
                factors.append(factor)
            elif token.kind in _OPERAND_KINDS or (token.kind == _BAR and not in_bars):
                previous = self.previous()
                if token.kind == _NUM and previous is not None and previous.kind == _NUM:
                    raise self.error(token, "two numbers side by side; write * between them")
                factors.append(self.power())
            else:
                break
        return factors[0] if len(factors) == 1 else self.build(start, _product, factors)

    def divisor(self, start: int, slash: _Token, value: sympy.Expr) -> sympy.Expr:
        if value.is_zero:
            raise _error(self.text, slash.pos, self.peek().pos - slash.pos, "division by zero")
        return self.build(start, sympy.Pow, value, _MINUS_ONE)

    def signed(self) -> sympy.Expr:
        """('+' | '-')* power -- a leading minus binds looser than ^."""
        start = self.peek().pos
        negative = False
        while self.at_operator("+-"):
            negative ^= self.advance().value == "-"
        value = self.power()
        return self.build(start, sympy.Mul, _MINUS_ONE, value) if negative else value

    def power(self) -> sympy.Expr:
        """atom ('^' signed)? -- right-associative through recursion."""
        start = self.peek().pos
        base = self.atom()
        if not self.at_operator("^"):
            return base
        caret = self.advance()
        self.enter(caret)
        exponent = self.signed()
        self.leave()
        return self.apply(start, (base, exponent), _power, base, exponent)

    def atom(self) -> sympy.Expr:
        token = self.peek()
        readers: dict[str, Callable[[], sympy.Expr]] = {
            _NUM: self.number,
            _VAR: self.variable,
            _CONST: self.constant,
            _FUNC: self.call,
            _OPEN: self.group,
            _BAR: self.absolute,
            _ROOT: self.root,
        }
        reader = readers.get(token.kind)
        if reader is None:
            raise self.error(token, self.missing_reason(token))
        return reader()

    def missing_reason(self, token: _Token) -> str:
        previous = self.previous()
        if token.kind == _END:
            return "something is missing at the end"
        if token.kind == _CLOSE and previous is not None and previous.kind == _OPEN:
            return "the brackets are empty; put something inside them"
        shown = self.text[token.pos : token.end] or token.value
        return f"something is missing before '{shown}'"

    def number(self) -> sympy.Expr:
        return _number(self.text, self.advance())

    def variable(self) -> sympy.Expr:
        token = self.advance()
        if self.context.number_only:
            raise self.error(token, f"a number is expected here, not the variable {token.value}")
        return sympy.Symbol(token.value, real=True)

    def constant(self) -> sympy.Expr:
        return _CONSTANTS[self.advance().value]

    def group(self) -> sympy.Expr:
        opening = self.advance()
        self.enter(opening)
        value = self.expression(in_bars=False)
        self.close(opening)
        self.leave()
        return value

    def close(self, opening: _Token) -> None:
        token = self.peek()
        expected = _PAIRS[opening.value]
        if token.kind == _CLOSE and token.value == expected:
            self.advance()
            return
        if token.kind == _COMMA:
            raise self.error(token, "a comma can only separate function arguments, as in max(a, b)")
        reason = f"expected '{expected}' to close '{opening.value}' at position {opening.pos}"
        raise self.error(token, reason)

    def absolute(self) -> sympy.Expr:
        opening = self.advance()
        self.enter(opening)
        value = self.expression(in_bars=True)
        if self.peek().kind != _BAR:
            raise self.error(opening, "this '|' is never closed; add a matching '|'")
        self.advance()
        self.leave()
        return self.apply(opening.pos, (value,), sympy.Abs, value)

    def root(self) -> sympy.Expr:
        sign = self.advance()
        if self.peek().kind not in _OPERAND_KINDS | {_BAR}:
            raise self.error(sign, "write what the root applies to right after it, as in √(x+1)")
        self.enter(sign)
        value = self.atom()
        self.leave()
        builder = _build_sqrt if sign.value == "sqrt" else _build_cbrt
        return self.apply(sign.pos, (value,), builder, [value])

    def call(self) -> sympy.Expr:
        """name ('^' integer)? '(' expression (',' expression)* ')'"""
        name = self.advance()
        spec = _FUNCTIONS[name.value]
        exponent = self.function_power(name) if self.at_operator("^") else None
        opening = self.peek()
        if opening.kind != _OPEN:
            raise self.error(name, self.bracket_hint(name.value))
        self.advance()
        self.enter(opening)
        args = [self.expression(in_bars=False)]
        while self.peek().kind == _COMMA:
            self.advance()
            args.append(self.expression(in_bars=False))
        self.close(opening)
        self.leave()
        self.check_arity(name, spec, len(args))
        value = self.apply(name.pos, args, spec.build, args)
        if exponent is not None:
            value = self.apply(name.pos, (value,), _power, value, exponent)
        return value

    def function_power(self, name: _Token) -> sympy.Expr:
        """The ``2`` in ``sin^2(x)``."""
        caret = self.advance()
        token = self.peek()
        if token.kind == _NUM and token.value.isdigit():
            self.advance()
            return _number(self.text, token)
        if token.kind == _OP and token.value == "-":
            inverse = f"a{name.value}"
            hint = f"{inverse}(x) for the inverse or " if inverse in _FUNCTIONS else ""
            reason = f"{name.value}^-1 is unclear; write {hint}1/{name.value}(x)"
            raise self.error(caret, reason)
        raise self.error(caret, f"write a whole number after '^', as in {name.value}^2(x)")

    def bracket_hint(self, name: str) -> str:
        following = self.peek()
        argument = following.value if following.kind in (_NUM, _VAR, _CONST) else "x"
        hint = f"put the argument in brackets, as in {name}({argument})"
        if name == "log" and following.kind == _NUM:
            hint += "; for base 10 write log(x, 10)"
        return hint

    def check_arity(self, name: _Token, spec: _Function, count: int) -> None:
        if spec.min_args <= count and (spec.max_args is None or count <= spec.max_args):
            return
        if spec.max_args == spec.min_args:
            plural = "s" if spec.min_args > 1 else ""
            wanted = f"exactly {spec.min_args} argument{plural}"
        elif spec.max_args is None:
            wanted = f"at least {spec.min_args} arguments"
        else:
            wanted = f"{spec.min_args} or {spec.max_args} arguments"
        raise self.span_error(name.pos, f"{name.value} takes {wanted} (you gave {count})")


# ----------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"expected the answer as a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        message = f"the answer is too long ({len(text)} characters; at most {MAX_LENGTH})"
        raise ParseError(message, MAX_LENGTH)


def _parse_span(
    text: str, start: int, end: int, variables: tuple[str, ...], number_only: bool, empty: str
) -> sympy.Expr:
    """Parse text[start:end]; positions in errors refer to the whole text."""
    context = _Context(text, variables, number_only)
    tokens = _tokenize(context, start, end)
    if not tokens:
        raise ParseError(empty, start)
    _check_brackets(text, tokens)
    tokens.append(_Token(_END, "", end, 0))
    return _Parser(context, tokens).parse()


@budgeted("how to read the text", "a shorter text")
def parse(text: str, variables: Sequence[str] = ("x",)) -> sympy.Expr:
    """Read a mathematical expression such as ``3x^2 - sin(x)/2`` into a SymPy expression.

    Each name in ``variables`` becomes ``sympy.Symbol(name, real=True)``.  Anything
    that cannot be read safely raises :class:`ParseError`; see the module docstring
    for the reading rules.

    Parameters
    ----------
    text
        What a person typed.
    variables
        The variable names the text may use (letters only).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ParseError
        Where the text cannot be read safely (the message says where and why).

    Examples
    --------
    >>> parse("3x^2 - sin(x)/2")
    3*x**2 - sin(x)/2
    >>> parse("2xy + |y|", ["x", "y"])
    2*x*y + Abs(y)
    >>> parse("cbrt(-8)")
    -2
    >>> parse("1/0")
    Traceback (most recent call last):
    ...
    calc_helpers.parsing.ParseError: could not read '/0' at position 1: division by zero
    """
    _check_text(text)
    names = _check_variables(variables)
    empty = "empty answer: please type an expression, for example 2x + 1"
    return _parse_span(text, 0, len(text), names, False, empty)


def _parse_number_span(text: str, start: int, end: int, empty: str) -> sympy.Expr:
    return _parse_span(text, start, end, ("x",), True, empty)


@budgeted("how to read the text", "a shorter text")
def parse_number(text: str) -> sympy.Expr:
    """Read a number without variables, such as ``5/3``, ``-1``, ``1/e``, ``sqrt(2)/2``.

    Parameters
    ----------
    text
        What a person typed.

    Returns
    -------
    sympy.Expr
        An exact number (a decimal stays a SymPy Float).

    Raises
    ------
    ParseError
        Where the text is not a real number or cannot be read.

    Examples
    --------
    >>> parse_number("sqrt(2)/2"), parse_number("1/e"), parse_number("1.5")
    (sqrt(2)/2, exp(-1), 1.50000000000000)
    """
    _check_text(text)
    empty = "empty answer: please type a number, for example 5/3"
    return _parse_number_span(text, 0, len(text), empty)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _word_end(text: str, i: int, end: int) -> int:
    while i < end and text[i].isalpha():
        i += 1
    return i


def _split_top_level(
    text: str, start: int, end: int, words: frozenset[str], chars: str, what: str
) -> list[tuple[int, int]]:
    """Split text[start:end] at ``chars`` or whole ``words`` outside brackets."""
    spans: list[tuple[int, int]] = []
    depth, piece_start, i = 0, start, start
    while i < end:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch in chars:
            spans.append((piece_start, i))
            piece_start = i + 1
        elif depth == 0 and ch.isalpha() and (i == start or not text[i - 1].isalpha()):
            j = _word_end(text, i, end)
            if text[i:j].lower() in words:
                spans.append((piece_start, i))
                piece_start = j
            i = j
            continue
        i += 1
    spans.append((piece_start, end))
    for span_start, span_end in spans:
        if not text[span_start:span_end].strip():
            message = f"missing {what} at position {span_start}: add it or remove the separator"
            raise ParseError(message, span_start)
    return spans


def _matching_close(text: str, start: int, end: int) -> int:
    """Index of the bracket closing the one at ``start`` (-1 if none)."""
    depth = 0
    for i in range(start, end):
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _compact(text: str) -> str:
    """Lower case without whitespace, with the unicode minus as '-'."""
    return "".join(text.split()).lower().replace("−", "-")


_EMPTY_POINTS = frozenset(
    {"", "none", "nopoints", "empty", "emptyset", "nosolution", "nosolutions", "∅", "ø"}
    | {"{}", "[]", "()"}
)
_POINT_SEPARATORS = frozenset({"and", "or"})
_POINT_PREFIX_RE = re.compile(r"\s*[^\W\d_]+\s*=")


def _parse_point(text: str, start: int, end: int) -> sympy.Expr:
    """One entry of a list: a number, optionally written as ``x = number``."""
    match = _POINT_PREFIX_RE.match(text, start, end)
    if match:
        start = match.end()
    empty = f"missing number at position {start}: write a number such as 5/3"
    return _parse_number_span(text, start, end, empty)


def _parse_point_list(text: str, start: int, end: int) -> list[sympy.Expr]:
    if not text[start:end].strip():
        return []
    spans = _split_top_level(text, start, end, _POINT_SEPARATORS, ",;", "number")
    return [_parse_point(text, span_start, span_end) for span_start, span_end in spans]


@budgeted("how to read the text", "a shorter text")
def parse_points(text: str) -> list[sympy.Expr]:
    """Read numbers such as ``-1, 5/3``, ``{-1, 1.6667}`` or ``x = -1, x = 3``, in order.

    Brackets around the whole list are optional; entries are separated by commas,
    semicolons, ``and`` or ``or``.  ``""``, ``none``, ``{}`` and ``∅`` give ``[]``.
    Duplicates are kept.

    Parameters
    ----------
    text
        What a person typed.

    Returns
    -------
    list
        Exact numbers, in the order typed.

    Raises
    ------
    ParseError
        Where an entry is not a number or the list cannot be read.

    Examples
    --------
    >>> parse_points("x = -1, x = 3")
    [-1, 3]
    >>> parse_points("{-1, 5/3}"), parse_points("none")
    ([-1, 5/3], [])
    """
    _check_text(text)
    start, end = _strip(text, 0, len(text))
    if _compact(text) in _EMPTY_POINTS:
        return []
    if end - start >= 2 and text[start] in "([{" and _matching_close(text, start, end) == end - 1:
        start, end = start + 1, end - 1
    return _parse_point_list(text, start, end)


_EMPTY_SET_WORDS = frozenset(
    {"{}", "∅", "ø", "empty", "emptyset", "none", "nosolution", "nosolutions"}
)
_REALS_WORDS = frozenset({"r", "ℝ", "reals", "allreals", "realnumbers", "allrealnumbers"})
_UNION_WORDS = frozenset({"u", "or", "union"})
_INFINITY_WORDS = frozenset({"oo", "inf", "infinity", "∞"})
_COMPARISON_RE = re.compile(r"<=|>=|<|>|≤|≥")
_INFINITY_INCLUDED = "∞ is never included: use a round bracket next to it, as in (-∞, 3]"


def _parse_endpoint(text: str, start: int, end: int) -> sympy.Expr:
    """An end of an interval: a real number or ±∞ (also written oo, inf, infinity)."""
    start, end = _strip(text, start, end)
    word = _compact(text[start:end])
    unsigned = word[1:] if word.startswith(("+", "-")) else word
    if unsigned in _INFINITY_WORDS:
        return -sympy.oo if word.startswith("-") else sympy.oo
    value = _parse_number_span(text, start, end, f"missing number at position {start}")
    if value.is_extended_real is not True:
        raise _error(text, start, end - start, "an end of an interval must be a real number")
    return value


def interval_between(
    left: sympy.Expr, right: sympy.Expr, left_open: bool, right_open: bool
) -> sympy.Set:
    """The interval between two ends, with the checks every reader of intervals shares.

    Parameters
    ----------
    left, right
        Real numbers or ``-oo``/``oo``.
    left_open, right_open
        Whether each end is left out.

    Returns
    -------
    The Interval, or the one-point set where both ends are equal and included.

    Raises
    ------
    ParseError
        Where ∞ is included, the interval is empty, or the left end is the larger.

    Examples
    --------
    >>> interval_between(sympy.Integer(0), sympy.oo, False, True)
    Interval(0, oo)
    >>> interval_between(sympy.Integer(2), sympy.Integer(2), False, False)
    {2}
    >>> interval_between(sympy.Integer(3), sympy.Integer(1), True, True)
    Traceback (most recent call last):
    ...
    calc_helpers.parsing.ParseError: the left end must be smaller than the right end, ...)
    """
    if (left.is_infinite and not left_open) or (right.is_infinite and not right_open):
        raise ParseError(_INFINITY_INCLUDED)
    difference = right - left
    if difference.is_zero and not (left_open or right_open):
        return sympy.FiniteSet(left)
    if difference.is_zero:
        raise ParseError("this interval is empty; write 'empty' if you mean that")
    if difference.is_extended_positive is not True:
        raise ParseError(
            "the left end must be smaller than the right end, as in (1, 3) and not (3, 1)"
        )
    return sympy.Interval(left, right, left_open, right_open)


def _make_interval(
    text: str,
    span: tuple[int, int],
    ends: tuple[sympy.Expr, sympy.Expr],
    left_open: bool,
    right_open: bool,
) -> sympy.Set:
    """Interval with checks: ∞ not included, left end smaller than right end."""
    start, end = span
    try:
        return interval_between(*ends, left_open, right_open)
    except ParseError as problem:
        raise _error(text, start, end - start, str(problem)) from None


@budgeted("how to read the end of an interval", "a shorter text")
def read_interval_end(value: str | int | float | sympy.Expr) -> sympy.Expr:
    """One end of an interval, from text (``"-oo"``, ``"−∞"``, ``"5/3"``) or a value.

    Text is read by the same rules as in `parse_interval_set` (so a Unicode minus or ``inf``
    reads the same in a tuple as in interval notation); a float infinity gives ``oo``.

    Parameters
    ----------
    value
        Text, an int, a float or a SymPy number.

    Returns
    -------
    sympy.Expr
        A real number, ``oo`` or ``-oo``.

    Raises
    ------
    ParseError
        Where the value is not a real number or ±∞.

    Examples
    --------
    >>> read_interval_end("-oo"), read_interval_end("−∞"), read_interval_end("5/3")
    (-oo, -oo, 5/3)
    >>> read_interval_end(float("inf"))
    oo
    """
    if isinstance(value, str):
        _check_text(value)
        return _parse_endpoint(value, 0, len(value))
    if isinstance(value, float) and math.isinf(value):
        return sympy.oo if value > 0 else -sympy.oo
    if isinstance(value, bool) or not isinstance(value, (int, float, sympy.Expr)):
        raise ParseError(f"an end of an interval must be a number, got {type(value).__name__}")
    if isinstance(value, int):
        number: sympy.Expr = sympy.Integer(value)
    elif isinstance(value, float):
        number = sympy.Float(value)
    else:
        number = value
    if number in (sympy.oo, -sympy.oo):
        return number
    if number.free_symbols or number.is_extended_real is not True:
        raise ParseError("an end of an interval must be a real number")
    return number


def _parse_interval(text: str, start: int, end: int) -> sympy.Set:
    """``(a, b)``, ``[a, b]``, ``[a, b)``, ``(a, b]``."""
    pieces = _split_top_level(text, start + 1, end - 1, frozenset(), ",", "end of the interval")
    if len(pieces) != 2:
        reason = "an interval needs two ends separated by one comma, such as [0, 2]"
        raise _error(text, start, end - start, reason)
    ends = (_parse_endpoint(text, *pieces[0]), _parse_endpoint(text, *pieces[1]))
    return _make_interval(text, (start, end), ends, text[start] == "(", text[end - 1] == ")")


def _parse_finite_set(text: str, start: int, end: int) -> sympy.Set:
    """``{1, 2}``: single numbers."""
    values = _parse_point_list(text, start + 1, end - 1)
    if any(value.is_extended_real is not True for value in values):
        raise _error(text, start, end - start, "the numbers in a set must be real")
    return sympy.FiniteSet(*values)


def _is_variable(text: str, span: tuple[int, int], variable: str) -> bool:
    return text[span[0] : span[1]].strip() == variable


def _ray(text: str, span: tuple[int, int], operator: str, bound: sympy.Expr) -> sympy.Set:
    """The set of x with ``x <operator> bound``."""
    strict = operator in ("<", ">")
    if operator in ("<", "<=", "≤"):
        return _make_interval(text, span, (-sympy.oo, bound), True, strict)
    return _make_interval(text, span, (bound, sympy.oo), strict, True)


_FLIPPED = {"<": ">", "<=": ">=", "≤": "≥", ">": "<", ">=": "<=", "≥": "≤"}


def _parse_inequality(text: str, start: int, end: int, variable: str) -> sympy.Set:
    """``x < 3``, ``3 >= x``, ``-1 < x <= 3``."""
    operators = list(_COMPARISON_RE.finditer(text, start, end))
    pieces = []
    piece_start = start
    for match in operators:
        pieces.append((piece_start, match.start()))
        piece_start = match.end()
    pieces.append((piece_start, end))
    ops = [match.group() for match in operators]
    if len(ops) == 1:
        return _one_sided(text, (start, end), pieces, ops[0], variable)
    if len(ops) == 2 and _is_variable(text, pieces[1], variable):
        return _two_sided(text, (start, end), pieces, ops)
    reason = f"write one or two comparisons with {variable} alone, as in -1 < {variable} <= 3"
    raise _error(text, start, end - start, reason)


def _one_sided(
    text: str, span: tuple[int, int], pieces: list[tuple[int, int]], op: str, variable: str
) -> sympy.Set:
    if _is_variable(text, pieces[0], variable):
        return _ray(text, span, op, _parse_endpoint(text, *pieces[1]))
    if _is_variable(text, pieces[1], variable):
        return _ray(text, span, _FLIPPED[op], _parse_endpoint(text, *pieces[0]))
    reason = f"one side of the comparison must be {variable} alone, as in {variable} > 3"
    raise _error(text, span[0], span[1] - span[0], reason)


def _two_sided(
    text: str, span: tuple[int, int], pieces: list[tuple[int, int]], ops: list[str]
) -> sympy.Set:
    lower = _parse_endpoint(text, *pieces[0])
    upper = _parse_endpoint(text, *pieces[2])
    strict = [op in ("<", ">") for op in ops]
    if all(op in ("<", "<=", "≤") for op in ops):
        return _make_interval(text, span, (lower, upper), strict[0], strict[1])
    if all(op in (">", ">=", "≥") for op in ops):
        return _make_interval(text, span, (upper, lower), strict[1], strict[0])
    reason = "both comparison signs must point the same way, as in -1 < x < 3"
    raise _error(text, span[0], span[1] - span[0], reason)


def _parse_set_part(text: str, start: int, end: int, variable: str) -> sympy.Set:
    """One piece of a union: a keyword, an interval, a finite set or an inequality."""
    start, end = _strip(text, start, end)
    word = _compact(text[start:end])
    if word in _EMPTY_SET_WORDS:
        return sympy.S.EmptySet
    if word in _REALS_WORDS:
        return sympy.S.Reals
    if _COMPARISON_RE.search(text, start, end):
        return _parse_inequality(text, start, end, variable)
    if text[start] == "{" and text[end - 1] == "}":
        return _parse_finite_set(text, start, end)
    if text[start] in "([" and text[end - 1] in ")]":
        return _parse_interval(text, start, end)
    if text[start] in "([":
        reason = "this interval is not closed; end it with ')' or ']'"
        raise _error(text, start, end - start, reason)
    reason = "write an interval such as (-oo, 3] or [0, 2]; join several with U"
    raise _error(text, start, end - start, reason)


@budgeted("how to read the text", "a shorter text")
def parse_interval_set(text: str, variable: str = "x") -> sympy.Set:
    """Read a set of real numbers written in interval notation, such as ``(-oo, -1) U (3, oo)``.

    Accepts ``(a, b)``, ``[a, b]``, half-open intervals, ``∞``/``oo``/``inf``, unions with
    ``U``, ``u``, ``∪``, ``or`` or ``union``, ``R`` or ``all reals``, ``{}``/``empty``/``∅``,
    finite sets ``{1, 2}`` and inequalities in ``variable`` (``x < -1 or x > 3``,
    ``-1 < x <= 3``).  Returns a SymPy ``Interval``, ``Union``, ``FiniteSet``,
    ``EmptySet`` or ``Reals``.

    Parameters
    ----------
    text
        What a person typed.
    variable
        The variable name inequalities may use.

    Returns
    -------
    sympy.Set

    Raises
    ------
    ParseError
        Where the text cannot be read (∞ included, an empty or reversed interval, ...).

    Examples
    --------
    >>> parse_interval_set("(-oo, -1) U (3, oo)")
    Union(Interval.open(-oo, -1), Interval.open(3, oo))
    >>> parse_interval_set("-1 < x <= 3"), parse_interval_set("all reals")
    (Interval.Lopen(-1, 3), Reals)
    >>> parse_interval_set("[0, oo]")
    Traceback (most recent call last):
    ...
    calc_helpers.parsing.ParseError: could not read '[0, oo]' at position 0: ∞ is never ...
    """
    _check_text(text)
    _check_variables((variable,))
    start, end = _strip(text, 0, len(text))
    if start == end:
        message = "empty answer: please type an interval such as (-oo, 3], or 'empty'"
        raise ParseError(message, 0)
    spans = _split_top_level(text, start, end, _UNION_WORDS, "∪", "interval")
    result = sympy.Union(*[_parse_set_part(text, a, b, variable) for a, b in spans])
    return sympy.S.Reals if result == sympy.S.Reals else result
