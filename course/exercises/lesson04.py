"""Self-check exercises of lesson 4 (the rules of differentiation); computed by calc_helpers.

Each is a derivative question: the check compares a wrong answer with what each misapplied
rule gives (power, product, quotient, chain, constant factor, sign) and names the rule."""

import sympy as sp

from autograder import Exercise
from calc_helpers import derivative, real_symbol

x = real_symbol("x")


def _tex(value) -> str:
    return sp.latex(value)


# q1: linearity and the power rule (negative and fractional powers too)
P = 3 * x**4 - 2 / x + 6 * sp.sqrt(x)
q1 = Exercise.derivative(
    P,
    x,
    question="lesson04.q1",
    prompt=f"Differentiate $p(x) = {_tex(P)}$ (for $x > 0$).",
    hints=[
        "Differentiate term by term (linearity); constants in front stay in front.",
        "Write every term as a power: $\\dfrac{2}{x} = 2x^{-1}$ and $\\sqrt{x} = x^{1/2}$, then "
        "use $\\dfrac{d}{dx}x^n = n x^{n-1}$.",
    ],
    solution=(
        f"$p'(x) = {_tex(derivative(P))}$: the exponent comes down and drops by one in each "
        "term, $-2x^{-1}$ gives $+2x^{-2}$ and $6x^{1/2}$ gives $3x^{-1/2}$."
    ),
)

# q2: the product rule
Q = x**3 * sp.cos(x)
q2 = Exercise.derivative(
    Q,
    x,
    question="lesson04.q2",
    prompt=f"Differentiate $q(x) = {_tex(Q)}$.",
    hints=[
        "A product: $(fg)' = f'g + fg'$, not $f'g'$.",
        "$f = x^3$, $f' = 3x^2$; $g = \\cos x$, $g' = -\\sin x$.",
    ],
    solution=f"$q'(x) = 3x^2\\cos x + x^3(-\\sin x) = {_tex(derivative(Q))}$.",
)

# q3: the quotient rule
R = x / (x**2 + 1)
q3 = Exercise.derivative(
    R,
    x,
    question="lesson04.q3",
    prompt=f"Differentiate $r(x) = {_tex(R)}$.",
    hints=[
        "Quotient rule: $\\left(\\dfrac fg\\right)' = \\dfrac{f'g - fg'}{g^2}$; the order in "
        "the numerator matters.",
        "$f = x$, $f' = 1$; $g = x^2 + 1$, $g' = 2x$.",
    ],
    solution=(
        f"$r'(x) = \\dfrac{{1\\cdot(x^2+1) - x\\cdot 2x}}{{(x^2+1)^2}} = "
        f"{_tex(sp.factor(derivative(R)))}$."
    ),
)

# q4: the chain rule
S = (3 * x**2 + 1) ** 5
q4 = Exercise.derivative(
    S,
    x,
    question="lesson04.q4",
    prompt=f"Differentiate $s(x) = {_tex(S)}$.",
    hints=[
        "A function of a function: outer $u^5$, inner $u = 3x^2 + 1$.",
        "Chain rule: $\\dfrac{ds}{dx} = 5u^4 \\cdot \\dfrac{du}{dx}$; do not forget the inner "
        "derivative.",
    ],
    solution=(
        f"$s'(x) = 5(3x^2+1)^4 \\cdot 6x = {_tex(sp.factor(derivative(S)))}$: the outer "
        "derivative at the inner function, times the inner derivative."
    ),
)

# q5: chain rule through an ML function (softplus of a linear unit)
T = sp.log(1 + sp.exp(2 * x))
q5 = Exercise.derivative(
    T,
    x,
    question="lesson04.q5",
    prompt=(
        f"The softplus unit with weight $2$ is $t(x) = {_tex(T)}$. Find $t'(x)$."
    ),
    hints=[
        "Two layers of chain rule: $\\log(v)$ with $v = 1 + e^{u}$, and $u = 2x$.",
        "$\\dfrac{d}{dv}\\log v = \\dfrac1v$, $\\dfrac{d}{du}(1 + e^u) = e^u$, "
        "$\\dfrac{d}{dx}(2x) = 2$: multiply them.",
    ],
    solution=(
        f"$t'(x) = \\dfrac{{1}}{{1 + e^{{2x}}}} \\cdot e^{{2x}} \\cdot 2 = {_tex(derivative(T))}$, "
        "that is $2\\sigma(2x)$: the derivative of softplus is the sigmoid."
    ),
)
