"""An exact root that has no closed form: the equation, and an interval where it changes sign.

`ImplicitRoot(g, x, lo, hi)` is the zero of g in the open interval (lo, hi): lo and hi are
rationals where g (continuous there) has opposite signs, found as neighbouring points of the
engine's fine scan, so the enclosure holds one sign change of g. It is a SymPy number: it
compares, sorts, substitutes and evaluates to any precision with ``evalf`` (refined from the
enclosure by a root finder, or by bisection, which always converges on a sign change), so
it stands wherever an exact root would, and it is never a rounded float.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import sympy as sp
from sympy.core.evalf import prec_to_dps

_STORED_DPS = 80  # digits computed at once; evalf asks for multiples of this


@lru_cache(maxsize=512)
def _compiled(equation: sp.Lambda):
    return sp.lambdify(equation.variables, equation.expr, "mpmath")


@lru_cache(maxsize=2048)
def _digits(root: ImplicitRoot, dps: int) -> mpmath.mpf:
    return root._refined(dps)


class ImplicitRoot(sp.Expr):
    """The unique root of ``g(x) = 0`` in the open interval (lo, hi) (rational ends).

    Parameters
    ----------
    g
        The expression whose zero this is.
    x
        Its variable.
    lo, hi
        Rationals, lo < hi, where g has opposite signs (one sign change between them).

    Raises
    ------
    ValueError
        Where lo >= hi.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> root = ImplicitRoot(sp.cos(x) - x, x, 0, 1)
    >>> root
    ImplicitRoot(-x + cos(x) = 0, x in (0, 1))
    >>> root.evalf(20), float(root)
    (0.73908513321516064166, 0.7390851332151607)
    >>> root.enclosure, root.is_positive, root < 1
    ((0, 1), True, True)
    """

    is_number = True
    is_real = True
    is_extended_real = True
    is_finite = True
    is_complex = True
    is_commutative = True

    def __new__(cls, g: sp.Expr, x: sp.Symbol, lo: sp.Rational, hi: sp.Rational):
        lo, hi = sp.Rational(lo), sp.Rational(hi)
        if not lo < hi:
            raise ValueError(f"the enclosure needs lo < hi, got ({lo}, {hi})")
        return sp.Expr.__new__(cls, sp.Lambda(x, g), lo, hi)

    @property
    def equation(self) -> sp.Lambda:
        """The function g as a Lambda: the root solves g(root) = 0."""
        return self.args[0]

    @property
    def enclosure(self) -> tuple[sp.Rational, sp.Rational]:
        """Rational (lo, hi) with the root strictly between them."""
        return self.args[1], self.args[2]

    @property
    def free_symbols(self) -> set:
        return set()

    def _refined(self, dps: int) -> mpmath.mpf:
        g = _compiled(self.equation)
        lo, hi = self.enclosure
        with mpmath.workdps(dps + 10):
            a, b = mpmath.mpf(lo.p) / lo.q, mpmath.mpf(hi.p) / hi.q
            fa = g(a)
            tolerance = mpmath.mpf(10) ** (-dps - 5) * max(1, abs(a), abs(b))
            try:
                root = mpmath.findroot(g, (a, b), solver="anderson", tol=tolerance**2)
                if a <= root <= b and abs(g(root)) <= tolerance:
                    return +root
            except (ValueError, ZeroDivisionError):
                pass
            for _ in range(4 * dps + 60):  # bisection: always converges on a sign change
                middle = (a + b) / 2
                fm = g(middle)
                if fm == 0:
                    return middle
                if (fm > 0) == (fa > 0):
                    a, fa = middle, fm
                else:
                    b = middle
                if b - a < tolerance:
                    break
            return (a + b) / 2

    def _eval_evalf(self, prec: int) -> sp.Float:
        dps = prec_to_dps(prec)
        steps = -(-dps // _STORED_DPS)  # precision in steps of 80 digits: few refinements
        value = _digits(self, steps * _STORED_DPS)
        return sp.Float(value, dps)

    def _eval_is_positive(self) -> bool | None:
        lo, hi = self.enclosure
        if lo >= 0:
            return True
        if hi <= 0:
            return False
        return None

    def _eval_is_negative(self) -> bool | None:
        lo, hi = self.enclosure
        if hi <= 0:
            return True
        if lo >= 0:
            return False
        return None

    def _eval_is_zero(self) -> bool | None:
        lo, hi = self.enclosure
        return False if (lo >= 0 or hi <= 0) else None

    def _sympystr(self, printer) -> str:
        (x,) = self.equation.variables
        lo, hi = self.enclosure
        return (
            f"ImplicitRoot({printer._print(self.equation.expr)} = 0, "
            f"{printer._print(x)} in ({printer._print(lo)}, {printer._print(hi)}))"
        )

    def _latex(self, printer) -> str:
        value = sp.N(self, 6)
        return rf"x^\ast \approx {printer._print(value)}"

    def __float__(self) -> float:
        return float(_digits(self, _STORED_DPS))
