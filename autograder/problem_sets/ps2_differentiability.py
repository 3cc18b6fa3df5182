"""Problem set 2 (``source/ps2_differentiability/``): differentiability.

One-sided derivatives at a corner, how differentiability fails (corner, cusp, vertical
tangent, discontinuity), the subdifferential of a ReLU-like function, and a piecewise function
made differentiable.

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


def _kind_function(kind: str, rng: random.Random) -> tuple[sp.Expr, int]:
    """A function with the given behaviour at the returned point (same difficulty for all)."""
    x, _, _ = symbols()
    a = nonzero(rng, -4, 4)
    k = rng.choice([2, 3, 4, 5])
    if kind == "corner":
        return k * sp.Abs(x - a) + rng.choice([-1, 1]) * x, a
    if kind == "cusp":
        return k * (x - a) ** sp.Rational(2, 3) + rng.randint(-3, 3), a
    if kind == "vertical_tangent":
        return k * (x - a) ** sp.Rational(1, 3) + rng.randint(-3, 3), a
    jump = rng.choice([-3, -2, -1, 1, 2, 3])
    return sp.Piecewise((k * x, x < a), (k * x + jump, True)), a


def family(rng: random.Random) -> list[Question]:
    """A student's questions of problem set 2, drawn from their seeded generator `rng`."""
    x, _, _ = symbols()
    a, k = nonzero(rng, -4, 4), rng.choice([2, 3, 4, 5])
    m = rng.choice([v for v in range(-4, 5) if abs(v) != k])
    vee = k * sp.Abs(x - a) + m * x
    left, right = ch.one_sided_derivatives(vee, a)
    kinds = rng.sample(["corner", "cusp", "vertical_tangent", "discontinuity"], 2)
    g, gb = _kind_function(kinds[0], rng)
    h, hc = _kind_function(kinds[1], rng)
    ra, rk, rm = nonzero(rng, -4, 4), rng.randint(1, 6), nonzero(rng, -5, 5)
    relu = sp.Max(0, rk * (x - ra)) + rm * x
    ja, jp = nonzero(rng, -5, 5), rng.randint(-6, 6)
    inner = x**2 + jp
    slope = ch.derivative_at(inner, ja)
    offset = inner.subs(x, ja) - slope * ja
    joined = sp.Piecewise((inner, x <= ja), (sp.Symbol("m") * x + sp.Symbol("q"), True))
    kind_form = 'one of "differentiable", "corner", "cusp", "vertical_tangent", "discontinuity".'
    return [
        Question(
            "2a",
            (("f", vee), ("a", a)),
            (
                Part("check_number", (left,), label="left derivative"),
                Part("check_number", (right,), label="right derivative"),
            ),
            answer_form="a tuple (left derivative at a, right derivative at a).",
        ),
        Question(
            "2b",
            (("g", g), ("b", gb)),
            (Part("check_differentiability", (g, gb), {"x": "x"}),),
            choice=True,
            answer_form=f"how g behaves at b: {kind_form}",
        ),
        Question(
            "2c",
            (("h", h), ("c", hc)),
            (Part("check_differentiability", (h, hc), {"x": "x"}),),
            choice=True,
            answer_form=f"how h behaves at c: {kind_form}",
        ),
        Question(
            "2d",
            (("r", relu), ("a", ra)),
            (Part("check_subdifferential", (relu, ra), {"x": "x"}),),
            answer_form='the subdifferential of r at a as an interval, e.g. "[-1, 2]".',
        ),
        Question(
            "2e",
            (("f", joined), ("a", ja)),
            (
                Part("check_number", (slope,), label="m"),
                Part("check_number", (offset,), label="q"),
            ),
            answer_form="a tuple (m, q) making f differentiable at a.",
        ),
    ]
