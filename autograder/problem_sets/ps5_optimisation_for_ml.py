"""Problem set 5 (``source/ps5_optimisation_for_ml/``): optimisation for machine learning.

Gradient descent and Newton iterates, a gradient and a Hessian, the critical point of a saddle
and the largest learning rate for which gradient descent converges. `family` draws a student's
questions from their seeded generator. Every reference is computed by the engine
(`calc_helpers`), here or inside the check. Changing a draw, or the order of the draws, changes
every student's variant.
"""

from __future__ import annotations

import random

import sympy as sp

import calc_helpers as ch

from ._draws import nonzero, symbols
from .model import Part, Question


def critical_point_2d(f: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """The one critical point (x, y) of f(x, y): where the engine's gradient is zero.

    >>> x, _, y = symbols()
    >>> critical_point_2d(2 * (x - 3) ** 2 - (y + 1) ** 2)
    (3, -1)
    """
    x, _, y = symbols()
    (point,) = sp.solve(ch.gradient(f, ["x", "y"]), [x, y], dict=True)
    return point[x], point[y]


def largest_stable_learning_rate(f: sp.Expr) -> sp.Expr:
    """The learning rate at which gradient descent on the quadratic f(w) stops converging.

    A step multiplies the distance to the minimiser by ``1 - eta * f''``, so the iterates
    converge for ``eta < 2 / f''`` and blow up beyond it; f'' is the engine's.

    >>> _, w, _ = symbols()
    >>> largest_stable_learning_rate(5 * w**2 / 2 - 3 * w)
    2/5
    """
    curvature = ch.derivative(f, "w", 2)
    if curvature.free_symbols or not curvature > 0:
        raise ValueError(f"not a convex quadratic in w: f'' = {curvature}")
    return 2 / curvature


def family(rng: random.Random) -> list[Question]:
    """A student's questions of problem set 5, drawn from their seeded generator `rng`."""
    x, w, y = symbols()
    while True:  # no iterate exactly 0: a relative tolerance cannot judge an answer of 0
        qa, qc = rng.choice([1, 2]), nonzero(rng, -3, 3)
        lr = rng.choice([0.1, 0.125, 0.25]) if qa == 1 else rng.choice([0.0625, 0.125, 0.1])
        w0 = qc + rng.choice([-4, -2, 2, 4])
        bowl = qa * (w - qc) ** 2 + rng.randint(0, 3)
        steps = ch.gradient_descent(bowl, w0, lr, 3, x="w")[1:]
        if all(abs(value) > 1e-9 for value in steps):
            break
    nb = rng.randint(2, 8)
    newton_f = w**4 / 4 - nb * w
    n0 = rng.randint(1, 4)
    newton = ch.newton_method(newton_f, n0, 2, x="w")[1:]
    ga, gb, gc = rng.randint(1, 5), nonzero(rng, -5, 5), rng.randint(1, 5)
    gd, ge = nonzero(rng, -4, 4), nonzero(rng, -4, 4)
    two = ga * x**2 + gb * x * y + gc * y**2 + gd * x + ge * y
    su, sv = nonzero(rng, -5, 5), nonzero(rng, -5, 5)
    sa, sb = rng.choice([1, 2, 3]), rng.choice([1, 2, 3])
    saddle = sp.expand(sa * (x - su) ** 2 - sb * (y - sv) ** 2 + rng.randint(-5, 5))
    curvature, tilt = rng.randint(2, 15), nonzero(rng, -6, 6)
    quadratic = curvature * w**2 / 2 + tilt * w
    return [
        Question(
            "5a",
            (("f", bowl), ("w0", w0), ("eta", sp.nsimplify(lr))),
            tuple(
                Part("check_number", (value,), label=f"w_{i + 1}") for i, value in enumerate(steps)
            ),
            answer_form="a list [w_1, w_2, w_3] of the first three gradient-descent iterates.",
        ),
        Question(
            "5b",
            (("f", newton_f), ("w0", n0)),
            tuple(
                Part("check_number", (value,), label=f"w_{i + 1}") for i, value in enumerate(newton)
            ),
            answer_form="a list [w_1, w_2] of the first two Newton iterates (for minimising f).",
        ),
        Question(
            "5c",
            (("f", two),),
            (Part("check_gradient", (two, ["x", "y"])),),
            answer_form="the gradient [df/dx, df/dy] as a list of two expressions.",
        ),
        Question(
            "5d",
            (("f", two),),
            (Part("check_hessian", (two, ["x", "y"])),),
            answer_form="the Hessian as a 2x2 list of lists [[f_xx, f_xy], [f_yx, f_yy]].",
        ),
        Question(
            "5e",
            (("s", saddle),),
            tuple(
                Part("check_number", (value,), label=f"{name}-coordinate")
                for name, value in zip("xy", critical_point_2d(saddle), strict=True)
            ),
            answer_form="the critical point of s as a tuple (x, y).",
        ),
        Question(
            "5f",
            (("f", quadratic),),
            (Part("check_number", (largest_stable_learning_rate(quadratic),)),),
            answer_form="the learning rate above which gradient descent on f diverges.",
        ),
    ]
