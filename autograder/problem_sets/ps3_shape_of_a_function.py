"""Problem set 3 (``source/ps3_shape_of_a_function/``): the shape of a function.

Critical points, where a function increases and decreases, concavity, inflection points and
the classification of critical points (including flat ones).

`family` draws a student's questions from their seeded generator. Every reference is computed
by the engine (`calc_helpers`), here or inside the check. Changing a draw, or the order of the
draws, changes every student's variant.
"""

from __future__ import annotations

import random

import sympy as sp

from ._draws import symbols
from .model import Part, Question


def family(rng: random.Random) -> list[Question]:
    """A student's questions of problem set 3, drawn from their seeded generator `rng`."""
    x, _, _ = symbols()
    r1, r2 = sorted(rng.sample(range(-5, 6), 2))
    sign = rng.choice([-1, 1])
    cubic = sp.expand(
        sign * (2 * x**3 - 3 * (r1 + r2) * x**2 + 6 * r1 * r2 * x) + rng.randint(-5, 5)
    )
    s1, s2 = sorted(rng.sample(range(-5, 6), 2))
    d1 = rng.randint(-6, 6)
    quartic = sp.expand(x**4 - 2 * (s1 + s2) * x**3 + 6 * s1 * s2 * x**2 + d1 * x)
    t, u = rng.sample(range(-4, 5), 2)
    flip = rng.choice([-1, 1])
    flat = sp.expand(
        flip
        * (3 * x**4 - 4 * (2 * t + u) * x**3 + 6 * (t**2 + 2 * t * u) * x**2 - 12 * t**2 * u * x)
    )
    interval_form = 'a union of open intervals, e.g. "(-oo, -1) U (2, oo)".'
    return [
        Question(
            "3a",
            (("f", cubic),),
            (Part("check_critical_points", (cubic,), {"x": "x"}),),
            answer_form="the list of critical points of f, e.g. [-1, 2].",
        ),
        Question(
            "3b",
            (("f", cubic),),
            (Part("check_intervals", (cubic, "increasing"), {"x": "x"}),),
            answer_form=f"where f is increasing: {interval_form}",
        ),
        Question(
            "3c",
            (("f", cubic),),
            (Part("check_intervals", (cubic, "decreasing"), {"x": "x"}),),
            answer_form=f"where f is decreasing: {interval_form}",
        ),
        Question(
            "3d",
            (("g", quartic),),
            (Part("check_intervals", (quartic, "concave_up"), {"x": "x"}),),
            answer_form=f"where g is concave up: {interval_form}",
        ),
        Question(
            "3e",
            (("g", quartic),),
            (Part("check_inflection_points", (quartic,), {"x": "x"}),),
            answer_form="the list of inflection points of g (x-values).",
        ),
        Question(
            "3f",
            (("h", flat),),
            (Part("check_classification", (flat,), {"x": "x"}),),
            answer_form='a dict {critical point: "local_min" | "local_max" | "neither"}.',
        ),
    ]
