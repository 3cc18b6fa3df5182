"""Problem set 1 (``source/ps1_limits_and_derivatives/``): limits and derivatives.

A difference quotient and the derivative it tends to, then the power, product and chain rules
and the derivative of a squared-error loss.

`family` draws a student's questions from their seeded generator. Every reference is computed
by the engine (`calc_helpers`), here or inside the check. Changing a draw, or the order of the
draws, changes every student's variant.
"""

from __future__ import annotations

import random

import sympy as sp

import calc_helpers as ch

from ._draws import nonzero, symbols
from .model import Part, Question


def family(rng: random.Random) -> list[Question]:
    """A student's questions of problem set 1, drawn from their seeded generator `rng`."""
    x, w, _ = symbols()
    a, b, c = rng.randint(2, 5), nonzero(rng, -6, 6), rng.randint(-5, 5)
    p = rng.choice([-2, -1, 1, 2, 3])
    h = rng.choice([sp.Rational(1, 2), sp.Rational(1, 4), sp.Rational(1, 5), sp.Rational(1, 10)])
    quad = a * x**2 + b * x + c
    c3, c2, c1, c0 = (
        nonzero(rng, -4, 4),
        nonzero(rng, -6, 6),
        nonzero(rng, -9, 9),
        rng.randint(1, 9),
    )
    cubic = c3 * x**3 + c2 * x**2 + c1 * x + c0
    pa, pb = rng.randint(1, 5), rng.choice([-3, -2, 2, 3])
    product = (x**2 + pa) * sp.exp(pb * x)
    ka, kb, n = rng.choice([2, 3, 4, 5]), nonzero(rng, -5, 5), rng.choice([3, 4, 5])
    chain = (ka * x + kb) ** n
    x0, y0 = rng.choice([3, 4, 5]), nonzero(rng, -7, 7)
    loss = (x0 * w - y0) ** 2
    return [
        Question(
            "1a",
            (("f", quad), ("p", p), ("h", h)),
            (Part("check_number", (ch.difference_quotient(quad, p, h),)),),
            answer_form="the number (f(p + h) - f(p)) / h, exactly (a fraction is fine).",
        ),
        Question(
            "1b",
            (("f", quad), ("p", p)),
            (Part("check_number", (ch.derivative_at(quad, p),)),),
            answer_form="the number f'(p), the limit of the difference quotient as h -> 0.",
        ),
        Question(
            "1c",
            (("f", cubic),),
            (Part("check_derivative", (cubic,), {"x": "x"}),),
            answer_form='f\'(x) as an expression in x, e.g. "6*x**2 - 2*x + 1".',
        ),
        Question(
            "1d",
            (("f", product),),
            (Part("check_derivative", (product,), {"x": "x"}),),
            answer_form="f'(x) as an expression in x (product rule).",
        ),
        Question(
            "1e",
            (("f", chain),),
            (Part("check_derivative", (chain,), {"x": "x"}),),
            answer_form="f'(x) as an expression in x (chain rule).",
        ),
        Question(
            "1f",
            (("L", loss), ("x0", x0), ("y0", y0)),
            (Part("check_derivative", (loss,), {"x": "w"}),),
            answer_form="dL/dw as an expression in w.",
        ),
    ]
