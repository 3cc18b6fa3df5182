"""Property tests: the engine agrees with numbers sampled from the functions themselves."""

import math

import numpy as np
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import calc_helpers as ch

x = sp.Symbol("x", real=True)
coefficient = st.integers(-4, 4)


@st.composite
def polynomials(draw, max_degree=3):
    coefficients = draw(st.lists(coefficient, min_size=2, max_size=max_degree + 1))
    poly = sum(c * x**k for k, c in enumerate(coefficients))
    assume(sp.degree(poly, x) >= 1)
    return sp.expand(poly)


@st.composite
def smooth_functions(draw):
    p = draw(polynomials())
    wrap = draw(st.sampled_from(["id", "exp", "sin", "square", "times_exp"]))
    return {
        "id": p,
        "exp": sp.exp(p / 4),
        "sin": sp.sin(p),
        "square": p**2,
        "times_exp": p * sp.exp(-x),
    }[wrap]


@st.composite
def course_functions(draw):
    """Polynomials, possibly with a kink (|p|, max(p, 0)) or a real root.

    Kinked ones use degree <= 2: at roots of irreducible cubics (CRootOf) the engine is right
    but takes seconds, too slow for a property test's many examples.
    """
    wrap = draw(st.sampled_from(["id", "abs", "relu", "cbrt", "plus_abs"]))
    p = draw(polynomials(max_degree=3 if wrap in ("id", "plus_abs") else 2))
    return {
        "id": p,
        "abs": sp.Abs(p),
        "relu": sp.Max(p, 0),
        "cbrt": sp.real_root(p, 3),
        "plus_abs": p + sp.Abs(x - 1),
    }[wrap]


def numeric(f):
    return sp.lambdify(x, f, "math")


def slope(f, point, h=1e-6):
    g = numeric(f)
    return (g(point + h) - g(point - h)) / (2 * h)


@given(smooth_functions(), st.floats(-2, 2))
def test_derivative_agrees_with_finite_differences(f, point):
    exact = float(ch.derivative(f).subs(x, point))
    assume(math.isfinite(exact) and abs(exact) < 1e6)
    assert math.isclose(exact, slope(f, point), rel_tol=1e-4, abs_tol=1e-4)


def _critical(f, domain):
    try:
        return ch.critical_points(f, domain=domain)
    except ch.EngineError:  # infinitely many, or out of budget on a loaded machine
        assume(False)


DOMAIN = sp.Interval(-3, 3)


@given(course_functions())
def test_reported_critical_points_are_critical(f):
    g = numeric(f)
    for c in _critical(f, DOMAIN):
        c = float(c)
        left = (g(c) - g(c - 1e-7)) / 1e-7
        right = (g(c + 1e-7) - g(c)) / 1e-7
        stationary = abs(left) < 1e-3 and abs(right) < 1e-3
        kink = abs(left - right) > 1e-3
        vertical = abs(left) > 1e3 and abs(right) > 1e3  # f' undefined: infinite slope
        assert stationary or kink or vertical, (f, c, left, right)


@given(course_functions())
def test_no_critical_point_is_missed_on_a_dense_grid(f):
    points = [float(c) for c in _critical(f, DOMAIN)]
    grid = np.linspace(-2.99, 2.99, 600)
    g = numeric(f)
    values = [g(t) for t in grid]
    for i in range(1, len(grid) - 1):
        local_extremum = (values[i] - values[i - 1]) * (values[i + 1] - values[i]) < 0
        if local_extremum:  # the slope changed sign between grid[i-1] and grid[i+1]
            assert any(grid[i - 1] - 1e-9 <= c <= grid[i + 1] + 1e-9 for c in points), (f, grid[i])


@given(course_functions())
def test_classification_agrees_with_sampling(f):
    g = numeric(f)
    for c in _critical(f, DOMAIN):
        try:
            verdict = ch.classify_critical_point(f, c)
        except ch.BudgetExceeded:
            continue
        fc = g(float(c))
        around = [g(float(c) + d) for d in (-1e-4, -1e-5, 1e-5, 1e-4)]
        if verdict == "local_min":
            assert all(v >= fc - 1e-12 for v in around), (f, c)
        elif verdict == "local_max":
            assert all(v <= fc + 1e-12 for v in around), (f, c)
        else:
            assert any(v < fc - 1e-15 for v in around) and any(v > fc + 1e-15 for v in around), (
                f,
                c,
                verdict,
            )


def _sampled_sign(g, t, h=1e-6):
    return np.sign((g(t + h) - g(t - h)) / (2 * h))


@given(course_functions())
def test_monotonicity_agrees_with_sampled_slopes(f):
    try:
        sets = ch.monotonicity(f, domain=DOMAIN)
    except ch.EngineError:
        assume(False)
    g = numeric(f)
    for t in np.linspace(-2.9, 2.9, 41):
        s = _sampled_sign(g, t)
        if sets["increasing"].contains(t) == sp.true:
            assert s >= 0, (f, t)
        if sets["decreasing"].contains(t) == sp.true:
            assert s <= 0, (f, t)


# transcendental f'' often needs the numeric search: slow examples (fewer still in `fast`)
@settings(max_examples=min(20, settings().max_examples))
@given(smooth_functions())
def test_concavity_agrees_with_sampled_curvature(f):
    try:
        sets = ch.concavity(f, domain=DOMAIN)
    except ch.EngineError:  # infinitely many, unsolvable, or out of budget
        assume(False)
    g = numeric(f)
    h = 1e-3
    for t in np.linspace(-2.9, 2.9, 31):
        curvature = (g(t + h) - 2 * g(t) + g(t - h)) / h**2
        if abs(curvature) < 1e-2:
            continue
        if sets["up"].contains(t) == sp.true:
            assert curvature > 0, (f, t)
        if sets["down"].contains(t) == sp.true:
            assert curvature < 0, (f, t)
