"""Problem set 4 (``source/ps4_convexity_and_critical_points/``): convexity and critical points.

Which functions are convex, the critical points of a function with a cusp and their kinds, the
subdifferential of a hinge, where a cubic turns convex and the minimiser of a convex function
with a kink.

`family` draws a student's questions from their seeded generator. Every reference is computed
by the engine (`calc_helpers`), here or inside the check. Changing a draw, or the order of the
draws, changes every student's variant.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import sympy as sp

import calc_helpers as ch

from ._draws import nonzero, symbols
from .model import Part, Question

_Maker = Callable[[int, int], sp.Expr]


def _convex_pool() -> tuple[tuple[_Maker, ...], tuple[_Maker, ...]]:
    """Convex functions of one variable (p > 0; q any) and ones that are not convex."""
    x, _, _ = symbols()
    convex = (
        lambda p, q: x**4 + p * x**2,
        lambda p, q: sp.exp(p * x) + q * x,
        lambda p, q: sp.Abs(x - q) + (x - p) ** 2,
        lambda p, q: sp.Max(0, x - q) + p * x,
        lambda p, q: sp.log(1 + sp.exp(p * x)),
    )
    not_convex = (
        lambda p, q: x**3 - p * x,
        lambda p, q: -sp.Abs(x - q),
        lambda p, q: x**4 - p * x**2,
        lambda p, q: -sp.sqrt(x**2 + p),
        lambda p, q: sp.Min(x, q * x),
    )
    return convex, not_convex


def family(rng: random.Random) -> list[Question]:
    """A student's questions of problem set 4, drawn from their seeded generator `rng`."""
    x, _, _ = symbols()
    convex, not_convex = _convex_pool()
    n_convex = rng.choice([1, 2, 3])
    makers = rng.sample(convex, n_convex) + rng.sample(not_convex, 4 - n_convex)
    rng.shuffle(makers)
    quad = [make(rng.choice([1, 2, 3, 4]), rng.choice([2, 3, -2, -3])) for make in makers]
    m, shift = nonzero(rng, -3, 3), rng.randint(-4, 4)
    cusp = (x - shift) ** sp.Rational(5, 3) - 5 * m * (x - shift) ** sp.Rational(2, 3)
    ha, hk, hm = nonzero(rng, -4, 4), rng.randint(1, 5), nonzero(rng, -4, 4)
    hinge = sp.Max(0, hk * (ha - x)) + hm * (x - ha)
    s, s2 = nonzero(rng, -5, 5), rng.randint(-6, 6)
    cubic = sp.expand(x**3 - 3 * s * x**2 + s2 * x)
    ma = rng.randint(-5, 5)
    mb = ma + rng.choice([-4, -3, -2, 2, 3, 4])
    bowl = (x - ma) ** 2 + 2 * sp.Abs(x - mb)
    minimiser = ch.absolute_extrema(bowl, -20, 20)["min"][1][0]
    names = ("f1", "f2", "f3", "f4")
    return [
        Question(
            "4a",
            tuple(zip(names, quad, strict=True)),
            tuple(
                Part("check_convexity", (fun,), {"x": "x"}, label=name)
                for name, fun in zip(names, quad, strict=True)
            ),
            choice=True,
            answer_form="a list of four booleans: is f_1, f_2, f_3, f_4 convex on the real line?",
        ),
        Question(
            "4b",
            (("f", cusp),),
            (Part("check_critical_points", (cusp,), {"x": "x"}),),
            answer_form="the list of critical points of f (remember where f' does not exist).",
        ),
        Question(
            "4c",
            (("f", cusp),),
            (Part("check_classification", (cusp,), {"x": "x"}),),
            answer_form='a dict {critical point: "local_min" | "local_max" | "neither"}.',
        ),
        Question(
            "4d",
            (("L", hinge), ("a", ha)),
            (Part("check_subdifferential", (hinge, ha), {"x": "x"}),),
            answer_form='the subdifferential of L at a as an interval, e.g. "[-2, 0]".',
        ),
        Question(
            "4e",
            (("f", cubic),),
            (Part("check_number", (ch.inflection_points(cubic)[0],)),),
            answer_form="the number c such that f is convex on [c, oo) and on no larger interval.",
        ),
        Question(
            "4f",
            (("f", bowl),),
            (Part("check_number", (minimiser,)),),
            answer_form="the x where the convex function f takes its global minimum.",
        ),
    ]
