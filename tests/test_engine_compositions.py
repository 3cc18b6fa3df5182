"""Property tests over random compositions of exp, log, sqrt, |.|, floor, max, rational
functions and products, on a bounded domain.

Every call answers or refuses with an `EngineError` (out of budget, undecidable, infinitely
many points): nothing else. Where it answers, the answer agrees with dense sampling and
finite differences, and no answer is a bare float. Deterministic (derandomized, no example
database); each test keeps to a small number of examples and a short budget per call, and a
budget refusal is an accepted outcome, so a loaded machine cannot make a test fail.
"""

import math

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calc_helpers as ch

x = sp.Symbol("x", real=True)
DOMAIN = sp.Interval(-2, 2)
BUDGET = 2.0
PROPERTY = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

WRAPS = {
    "id": lambda u: u,
    "exp": lambda u: sp.exp(u / 4),
    "log": lambda u: sp.log(u**2 + 1),
    "sqrt": lambda u: sp.sqrt(u**2 + 1),
    "abs": sp.Abs,
    "floor": sp.floor,
    "max": lambda u: sp.Max(u, 0),
    "rational": lambda u: 1 / (u**2 + 1),
}


@st.composite
def polynomials(draw):
    coefficients = draw(st.lists(st.integers(-3, 3), min_size=2, max_size=3))
    poly = sum(c * x**k for k, c in enumerate(coefficients))
    return sp.expand(poly) if sp.expand(poly).has(x) else x


@st.composite
def compositions(draw):
    first = WRAPS[draw(st.sampled_from(sorted(WRAPS)))](draw(polynomials()))
    if draw(st.booleans()):
        return first
    second = WRAPS[draw(st.sampled_from(sorted(WRAPS)))](draw(polynomials()))
    return first * second if draw(st.booleans()) else first + second


def answer_or_refusal(call):
    """The engine's answer, or None for a refusal; any other exception fails the test."""
    try:
        with ch.time_budget(BUDGET):
            return call()
    except ch.EngineError:
        return None


def numeric(f):
    g = sp.lambdify(x, f, "math")

    def value(t):
        try:
            return float(g(t))
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan

    return value


def slope(g, t, h=1e-6):
    return (g(t + h) - g(t - h)) / (2 * h)


def exact(value):
    return isinstance(value, sp.Basic) and not value.has(sp.Float)


def far_from(points, t, gap=1e-3):
    return all(abs(t - float(p)) > gap for p in points)


@PROPERTY
@given(compositions())
def test_every_call_answers_or_refuses_with_an_engine_error(f):
    for call in (
        lambda: ch.critical_points(f, domain=DOMAIN),
        lambda: ch.monotonicity(f, domain=DOMAIN),
        lambda: ch.concavity(f, domain=DOMAIN),
        lambda: ch.is_convex(f, domain=DOMAIN),
        lambda: ch.differentiability(f, sp.Rational(1, 2)),
    ):
        answer_or_refusal(call)


@PROPERTY
@given(compositions())
def test_critical_points_agree_with_sampled_slopes(f):
    points = answer_or_refusal(lambda: ch.critical_points(f, domain=DOMAIN))
    if points is None:
        return
    assert all(exact(p) for p in points), points
    chart = answer_or_refusal(lambda: ch.sign_chart(f, domain=DOMAIN))
    if chart is None:
        return
    g = numeric(f)
    grid = np.linspace(-1.9, 1.9, 77)
    slopes = [slope(g, t) for t in grid]
    for t0, t1, s0, s1 in zip(grid, grid[1:], slopes, slopes[1:], strict=False):
        if not (math.isfinite(s0) and math.isfinite(s1)) or s0 * s1 >= 0:
            continue
        if abs(s0) < 1e-6 or abs(s1) < 1e-6:
            continue
        # f' changed sign between t0 and t1: a critical point or a break of f lies there
        near = [p for p in (*points, *chart.points) if t0 - 1e-9 <= float(p) <= t1 + 1e-9]
        assert near, (f, t0, t1)
    for p in points:
        c = float(p)
        report = answer_or_refusal(lambda p=p: ch.differentiability(f, p))
        if report is None or report.kind != "differentiable":
            continue
        assert abs(slope(g, c, 1e-7)) < 1e-3 * (1 + abs(g(c))), (f, p)


@PROPERTY
@given(compositions())
def test_monotonicity_agrees_with_sampled_slopes(f):
    sets = answer_or_refusal(lambda: ch.monotonicity(f, domain=DOMAIN))
    chart = answer_or_refusal(lambda: ch.sign_chart(f, domain=DOMAIN))
    if sets is None or chart is None:
        return
    g = numeric(f)
    for t in np.linspace(-1.95, 1.95, 53):
        if not far_from(chart.points, t):
            continue
        s = slope(g, t)
        if not math.isfinite(s) or abs(s) < 1e-6:
            continue
        if sets["increasing"].contains(t) == sp.true:
            assert s > 0, (f, t)
        if sets["decreasing"].contains(t) == sp.true:
            assert s < 0, (f, t)


@PROPERTY
@given(compositions())
def test_concavity_agrees_with_second_differences(f):
    sets = answer_or_refusal(lambda: ch.concavity(f, domain=DOMAIN))
    chart = answer_or_refusal(lambda: ch.sign_chart(f, domain=DOMAIN, order=2))
    if sets is None or chart is None:
        return
    g = numeric(f)
    h = 1e-3
    for t in np.linspace(-1.95, 1.95, 41):
        if not far_from(chart.points, t, 3 * h):
            continue
        curvature = (g(t + h) - 2 * g(t) + g(t - h)) / h**2
        if not math.isfinite(curvature) or abs(curvature) < 1e-2:
            continue
        if sets["up"].contains(t) == sp.true:
            assert curvature > 0, (f, t)
        if sets["down"].contains(t) == sp.true:
            assert curvature < 0, (f, t)


@PROPERTY
@given(compositions())
def test_classification_agrees_with_nearby_values(f):
    points = answer_or_refusal(lambda: ch.critical_points(f, domain=DOMAIN))
    if not points:
        return
    g = numeric(f)
    for p in points[:3]:
        verdict = answer_or_refusal(lambda p=p: ch.classify_critical_point(f, p))
        if verdict is None:
            continue
        c = float(p)
        fc = g(c)
        around = [g(c + d) for d in (-1e-4, -1e-5, 1e-5, 1e-4)]
        if verdict == "local_min":
            assert all(v >= fc - 1e-9 for v in around), (f, p)
        elif verdict == "local_max":
            assert all(v <= fc + 1e-9 for v in around), (f, p)


@PROPERTY
@given(compositions())
def test_convexity_agrees_with_midpoint_chords(f):
    convex = answer_or_refusal(lambda: ch.is_convex(f, domain=DOMAIN))
    if not convex:
        return
    g = numeric(f)
    grid = np.linspace(-2, 2, 33)
    for a in grid[::4]:
        for b in grid[2::4]:
            middle = g((a + b) / 2)
            chord = (g(a) + g(b)) / 2
            if math.isfinite(middle) and math.isfinite(chord):
                assert middle <= chord + 1e-9 * (1 + abs(chord)), (f, a, b)
