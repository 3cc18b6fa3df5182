"""Self-check exercises of lesson 3 (the derivative as a limit); computed by calc_helpers."""

import sympy as sp

from autograder import Exercise
from calc_helpers import derivative, derivative_at, difference_quotient, real_symbol

x = real_symbol("x")
h = real_symbol("h")


def _tex(value) -> str:
    return sp.latex(value)


# q1: one difference quotient, a number
G = x**2
_A, _DX = 3, sp.Rational(1, 10)
_Q = difference_quotient(G, _A, _DX)
q1 = Exercise.number(
    _Q,
    question="lesson03.q1",
    prompt=(
        f"For $g(x) = x^2$, compute the difference quotient at $a = {_A}$ with "
        f"$\\Delta x = {_tex(_DX)}$."
    ),
    hints=[
        "The difference quotient is $\\dfrac{g(a + \\Delta x) - g(a)}{\\Delta x}$.",
        f"$g({_tex(_A + _DX)}) = {_tex(G.subs(x, _A + _DX))}$ and $g({_A}) = "
        f"{_tex(G.subs(x, _A))}$.",
    ],
    solution=(
        f"$\\dfrac{{{_tex(G.subs(x, _A + _DX))} - {_tex(G.subs(x, _A))}}}{{{_tex(_DX)}}} = "
        f"{_tex(_Q)}$, the slope of the secant from $x = {_A}$ to $x = {_tex(_A + _DX)}$."
    ),
)

# q2: the quotient as a formula in h
_QH = difference_quotient(G, _A, h)
q2 = Exercise.expression(
    _QH,
    h,
    question="lesson03.q2",
    prompt=(
        f"Simplify the difference quotient of $g(x) = x^2$ at $a = {_A}$ as a formula in the "
        "gap $h$ (write it with `h`)."
    ),
    hints=[
        f"Expand $({_A} + h)^2 = {_tex(sp.expand((_A + h) ** 2))}$ and subtract $g({_A})$.",
        f"The numerator is ${_tex(sp.expand((_A + h) ** 2 - _A**2))}$: every term has a "
        "factor $h$ to cancel.",
    ],
    solution=(
        f"$\\dfrac{{({_A} + h)^2 - {_A**2}}}{{h}} = "
        f"\\dfrac{{{_tex(sp.expand((_A + h) ** 2 - _A**2))}}}"
        f"{{h}} = {_tex(_QH)}$ for $h \\ne 0$. As $h \\to 0$ it tends to "
        f"${_tex(derivative_at(G, _A))} = g'({_A})$."
    ),
)

# q3: a derivative at a point
F = x**3 - x
_B = 2
q3 = Exercise.number(
    derivative_at(F, _B),
    question="lesson03.q3",
    prompt=f"For the lesson's $f(x) = x^3 - x$, what is $f'({_B})$?",
    hints=[
        "Use the derivative as a function, then evaluate it at the point.",
        f"$f'(x) = {_tex(derivative(F))}$.",
    ],
    solution=(
        f"$f'(x) = {_tex(derivative(F))}$, so $f'({_B}) = {_tex(derivative_at(F, _B))}$: the "
        f"tangent at $x = {_B}$ has slope {derivative_at(F, _B)}."
    ),
)

# q4: a derivative function
R = 1 / x
q4 = Exercise.derivative(
    R,
    x,
    question="lesson03.q4",
    prompt="Find $f'(x)$ for $f(x) = \\dfrac{1}{x}$ (for $x \\ne 0$).",
    hints=[
        "Use the limit: write $\\dfrac{1/(x+h) - 1/x}{h}$ over one denominator and simplify "
        "for $h \\ne 0$ before letting $h \\to 0$.",
        "$\\dfrac{1/(x+h) - 1/x}{h} = "
        f"{_tex(sp.simplify((R.subs(x, x + h) - R) / h))}$ for $h \\ne 0$. (Lesson 4's power "
        "rule gives the same answer in one line.)",
    ],
    solution=(
        f"$f'(x) = {_tex(derivative(R))}$: the quotient "
        f"${_tex(sp.simplify((R.subs(x, x + h) - R) / h))}$ tends to it as $h \\to 0$."
    ),
)
