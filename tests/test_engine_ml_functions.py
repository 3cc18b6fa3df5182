"""The functions an ML course uses: steps, transcendental equations, variable exponents.

Answers are checked for their exact form; each test runs under a generous budget so that a
loaded machine never turns a right answer into a budget exception (budgets are tested in
test_engine_budget.py).
"""

import pytest
import sympy as sp
from sympy import Abs, Interval, LambertW, Max, Piecewise, Rational, exp, log, oo

import calc_helpers as ch

x = sp.Symbol("x", real=True)
SIGMOID = 1 / (1 + exp(-x))
SILU = x / (1 + exp(-x))
SOFTPLUS = log(1 + exp(x))


@pytest.fixture(autouse=True)
def generous_budget():
    with ch.time_budget(120):
        yield


# --- steps and jumps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "a", "left", "right"),
    [
        (sp.floor(x), 1, oo, 0),
        (sp.ceiling(x), 1, 0, oo),
        (sp.floor(x + Rational(1, 2)), Rational(1, 2), oo, 0),
        (sp.floor(2 * x), Rational(1, 2), oo, 0),
        (sp.frac(x), 2, -oo, 1),
        (sp.sign(x), 0, oo, oo),
        (sp.Heaviside(x), 0, oo, oo),
        (Piecewise((x**2, x < 1), (x + 1, True)), 1, oo, 1),
    ],
)
def test_jumps_are_discontinuities(f, a, left, right):
    report = ch.differentiability(f, a)
    assert report.kind == "discontinuity"
    assert report.continuous is False
    assert (report.left, report.right) == (left, right)


def test_floor_2x_at_one_half_agrees_with_its_one_sided_derivatives():
    assert ch.one_sided_derivatives(sp.floor(2 * x), Rational(1, 2)) == (oo, 0)
    assert ch.differentiability(sp.floor(2 * x), Rational(1, 2)).kind == "discontinuity"


def test_between_jumps_a_step_is_flat_and_differentiable():
    report = ch.differentiability(sp.floor(x), Rational(1, 2))
    assert report.kind == "differentiable" and report.right == 0
    assert ch.derivative(sp.floor(x)) == 0
    assert ch.derivative(sp.ceiling(2 * x)) == 0
    assert ch.derivative(sp.frac(2 * x)) == 2


def test_piecewise_continuous_corner_is_still_a_corner():
    report = ch.differentiability(Piecewise((x**2, x < 1), (x, True)), 1)
    assert (report.kind, report.left, report.right) == ("corner", 2, 1)


def test_steps_on_a_bounded_domain_are_split_at_every_jump():
    chart = ch.sign_chart(sp.floor(x**2), domain=Interval(-2, 2))
    assert chart.points == (-2, -sp.sqrt(3), -sp.sqrt(2), -1, 0, 1, sp.sqrt(2), sp.sqrt(3), 2)
    assert all(sign == 0 for _, sign in chart.rows)
    rising = ch.monotonicity(x + sp.floor(x), domain=Interval(0, 3))
    assert rising["increasing"] == sp.Union(
        Interval.open(0, 1), Interval.open(1, 2), Interval.open(2, 3)
    )
    assert ch.is_convex(sp.floor(x), domain=Interval(0, 3)) is False


def test_steps_on_an_unbounded_domain_are_refused_with_a_hint():
    with pytest.raises(ch.InfinitelyManyError, match="bounded domain"):
        ch.critical_points(sp.floor(x))


# --- transcendental equations ----------------------------------------------------------------


def test_silu_critical_point_is_exact_lambert_w():
    expected = -1 - LambertW(exp(-1))
    assert ch.critical_points(SILU) == [expected]
    assert ch.critical_points(SILU, domain=Interval(-5, 5)) == [expected]
    assert ch.classify_critical_point(SILU, expected) == "local_min"


def test_silu_is_not_convex_from_one_witness():
    assert ch.is_convex(SILU) is False


def test_silu_inflection_points_are_implicit_roots_with_enclosures():
    points = ch.inflection_points(SILU)
    assert len(points) == 2
    for point in points:
        assert isinstance(point, ch.ImplicitRoot)
        lo, hi = point.enclosure
        assert lo.is_Rational and hi.is_Rational and lo < hi
        assert lo < point < hi
        value = sp.N(sp.diff(SILU, x, 2).subs(x, point), 50)
        assert abs(value) < 1e-40
    assert sp.N(points[1], 15) == pytest.approx(2.39935728, abs=1e-7)
    assert float(points[0]) == pytest.approx(-float(points[1]), abs=1e-12)


def test_x_minus_cos_x_root_is_implicit_and_evaluates_to_any_precision():
    (root,) = ch.critical_points(x**2 / 2 - sp.sin(x), domain=Interval(-5, 5))
    assert isinstance(root, ch.ImplicitRoot)
    digits = sp.N(root, 40)
    assert abs(digits - sp.cos(digits)) < 1e-38
    assert "x - cos(x)" in str(root)


def test_solve_candidates_are_verified_and_logs_come_out_exact():
    assert ch.critical_points(2**x - 3 * x) == [log(3 / log(2)) / log(2)]
    found = ch.critical_points(exp(x) - 3 * x**2 / 2)
    assert found == [-LambertW(Rational(-1, 3)), -LambertW(Rational(-1, 3), -1)]


def test_monotone_transcendentals_have_no_critical_points_on_the_whole_line():
    for f in (SIGMOID, SOFTPLUS, sp.tanh(x), log(exp(x) + exp(2 * x - 3) + 1)):
        assert ch.critical_points(f) == []


def test_sigmoid_and_tanh_bend_at_zero():
    assert ch.inflection_points(SIGMOID) == [0]
    assert ch.concavity(sp.tanh(x)) == {"up": Interval.open(-oo, 0), "down": Interval.open(0, oo)}


# --- variable exponents ----------------------------------------------------------------------


def test_x_to_the_x():
    assert ch.derivative_at(x**x, 1) == 1
    assert ch.one_sided_derivatives(x**x, 1) == (1, 1)
    assert ch.critical_points(x**x, domain=Interval.open(0, oo)) == [exp(-1)]
    assert ch.critical_points(x**x, domain=Interval(Rational(1, 10), 2)) == [exp(-1)]
    assert ch.classify_critical_point(x**x, exp(-1)) == "local_min"
    assert ch.derivative(x**x) == x**x * (log(x) + 1)
    assert ch.is_convex(x**x) is True


def test_x_to_the_one_over_x_and_a_to_the_x():
    assert ch.critical_points(x ** (1 / x)) == [sp.E]
    assert ch.classify_critical_point(x ** (1 / x), sp.E) == "local_max"
    assert ch.concavity(2**x)["down"] == sp.S.EmptySet
    assert ch.derivative_at(2**x, 0) == log(2)


# --- the rest of the ML corpus -----------------------------------------------------------------


def test_piecewise_and_max_losses():
    elu = Piecewise((x, x > 0), (exp(x) - 1, True))
    huber = Piecewise((x**2 / 2, Abs(x) <= 1), (Abs(x) - Rational(1, 2), True))
    assert ch.differentiability(elu, 0).kind == "differentiable"
    assert ch.is_convex(elu) is True
    assert ch.differentiability(Max(x, x / 10), 0).kind == "corner"
    assert ch.critical_points(huber) == [0]
    assert ch.concavity(huber) == {"up": Interval.open(-1, 1), "down": sp.S.EmptySet}
    assert ch.is_convex(Max(0, 1 - x) ** 2) is True
    lasso = (x - 3) ** 2 / 2 + Abs(x) + x**2 / 4
    assert ch.critical_points(lasso) == [0, Rational(4, 3)]
    assert ch.subdifferential(lasso, 0) == Interval(-4, -2)


def test_no_engine_answer_is_a_bare_float():
    answers = [
        *ch.critical_points(SILU),
        *ch.inflection_points(SILU),
        *ch.critical_points(x**2 / 2 - sp.sin(x), domain=Interval(-5, 5)),
        *ch.critical_points(x**x),
    ]
    assert answers and not any(a.has(sp.Float) for a in answers)


def test_unbounded_zeros_without_a_proof_are_refused_with_a_hint():
    with pytest.raises(ch.UnsolvableError, match="bounded domain"):
        ch.critical_points(x**2 / 2 - sp.sin(x))


def test_an_implicit_root_is_a_real_number_that_sorts_and_substitutes():
    root = ch.ImplicitRoot(x - sp.cos(x), x, 0, 1)
    assert root.free_symbols == set() and root.is_real and root.is_positive
    assert 0 < root < 1 and root > Rational(7, 10)
    assert abs(sp.N(sp.cos(root) - root, 60)) < 1e-55
    assert sorted([1, root, 0], key=float) == [0, root, 1]
    with pytest.raises(ValueError):
        ch.ImplicitRoot(x - sp.cos(x), x, 1, 0)
