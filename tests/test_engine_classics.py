"""calc_helpers on the classic course functions and on the misconception traps."""

import pytest
import sympy as sp

import calc_helpers as ch

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
oo = sp.oo
WORKED = x**3 - 3 * x**2 - 9 * x + 5
RELU = sp.Max(x, 0)
HINGE = sp.Max(0, 1 - x)
CBRT = sp.real_root(x, 3)
JUMP = sp.Piecewise((x, x < 0), (x + 1, True))


def test_variable_is_real_and_inferred():
    assert ch.derivative("x^2") == 2 * x
    assert ch.derivative(sp.Symbol("t") ** 3) == 3 * sp.Symbol("t", real=True) ** 2
    with pytest.raises(ValueError, match="several variables"):
        ch.derivative(x * y)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (WORKED, 3 * x**2 - 6 * x - 9),
        ((x**2 + 1) / (x - 1), (x**2 - 2 * x - 1) / (x - 1) ** 2),
        (sp.exp(2 * x), 2 * sp.exp(2 * x)),
        (sp.log(x**2 + 1), 2 * x / (x**2 + 1)),
        (sp.sin(x) * sp.cos(x), sp.cos(2 * x)),
        (x ** sp.Rational(1, 3), 1 / (3 * sp.Abs(x) ** sp.Rational(2, 3))),
    ],
)
def test_derivative_formulas(f, expected):
    assert sp.simplify(ch.derivative(f) - expected) == 0


def test_second_derivative_and_bad_order():
    assert ch.derivative(WORKED, n=2) == 6 * x - 6
    with pytest.raises(ValueError, match="order"):
        ch.derivative(WORKED, n=-1)


def test_difference_quotient_exact():
    assert ch.difference_quotient(x**2, 1, sp.Rational(1, 10)) == sp.Rational(21, 10)
    h = sp.Symbol("h")
    assert sp.simplify(ch.difference_quotient(x**2, 1, h) - (2 + h)) == 0
    with pytest.raises(ValueError, match="h must not be 0"):
        ch.difference_quotient(x**2, 1, 0)


@pytest.mark.parametrize(
    ("f", "a", "kind", "left", "right"),
    [
        (x**2, 1, "differentiable", 2, 2),
        (sp.Abs(x), 0, "corner", -1, 1),
        (RELU, 0, "corner", 0, 1),
        (HINGE, 1, "corner", -1, 0),
        (x ** sp.Rational(2, 3), 0, "cusp", -oo, oo),
        (CBRT, 0, "vertical_tangent", oo, oo),
        (x * sp.Abs(x), 0, "differentiable", 0, 0),
        (JUMP, 0, "discontinuity", oo, 1),
    ],
)
def test_differentiability_kinds(f, a, kind, left, right):
    report = ch.differentiability(f, a)
    assert report.kind == kind
    assert (report.left, report.right) == (left, right)
    assert report.continuous == (kind != "discontinuity")


def test_point_outside_domain_is_a_discontinuity_and_has_no_derivatives():
    assert ch.differentiability(1 / x, 0).kind == "discontinuity"
    with pytest.raises(ValueError, match="not defined"):
        ch.one_sided_derivatives(1 / x, 0)


def test_end_of_domain_has_one_side():
    assert ch.one_sided_derivatives(sp.sqrt(x), 0) == (None, oo)


def test_derivative_at_refuses_non_differentiable_points():
    assert ch.derivative_at(WORKED, 2) == -9
    with pytest.raises(ValueError, match="corner"):
        ch.derivative_at(sp.Abs(x), 0)


def test_subdifferential():
    assert ch.subdifferential(RELU, 0) == sp.Interval(0, 1)
    assert ch.subdifferential(sp.Abs(x), 0) == sp.Interval(-1, 1)
    assert ch.subdifferential(x**2, 3) == sp.FiniteSet(6)
    with pytest.raises(ValueError, match="not convex"):
        ch.subdifferential(-sp.Abs(x), 0)


@pytest.mark.parametrize(
    ("f", "domain", "expected"),
    [
        (WORKED, None, [-1, 3]),
        (x**3 - 6 * x**2 + 9 * x, None, [1, 3]),
        (x**3 - x**2 - 5 * x + 2, None, [-1, sp.Rational(5, 3)]),
        (sp.Abs(x), None, [0]),
        (x ** sp.Rational(2, 3), None, [0]),
        (CBRT, None, [0]),
        (x * sp.Abs(x), None, [0]),
        (x**4, None, [0]),
        (x**3, None, [0]),
        (1 / x, None, []),
        (x * sp.exp(-x), None, [1]),
        (x * sp.log(x), None, [sp.exp(-1)]),
        (sp.sin(x), sp.Interval(0, 2 * sp.pi), [sp.pi / 2, 3 * sp.pi / 2]),
        (sp.cos(x), sp.Interval(0, 2 * sp.pi), [sp.pi]),
        (JUMP, None, [0]),
        (x**2, sp.Interval(1, 5), []),
    ],
)
def test_critical_points(f, domain, expected):
    assert ch.critical_points(f, domain=domain) == expected


def test_critical_points_refuse_infinite_answers():
    with pytest.raises(ValueError, match="bounded domain"):
        ch.critical_points(sp.sin(x))
    with pytest.raises(ValueError, match="constant"):
        ch.critical_points(RELU)


@pytest.mark.parametrize(
    ("f", "c", "expected"),
    [
        (WORKED, -1, "local_max"),
        (WORKED, 3, "local_min"),
        (x**4, 0, "local_min"),  # f''(0) = 0, still a minimum
        (-(x**4), 0, "local_max"),
        (x**3, 0, "neither"),  # f'(0) = 0, no extremum
        (sp.Abs(x), 0, "local_min"),  # f'(0) undefined
        (x ** sp.Rational(2, 3), 0, "local_min"),
        (CBRT, 0, "neither"),
        (x * sp.Abs(x), 0, "neither"),
        (x**5 - 5 * x**4, 0, "local_max"),
        (RELU, 0, "local_min"),
        (x**2, 1, "neither"),
    ],
)
def test_classification(f, c, expected):
    assert ch.classify_critical_point(f, c) == expected


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (WORKED, [1]),
        (x**4, []),  # f''(0) = 0 without a sign change
        (CBRT, [0]),  # f'' undefined at 0, concavity changes
        (1 / x, []),  # concavity changes, but 0 is not in the domain
        (x**3, [0]),
        (sp.sin(x), [sp.pi]),
    ],
)
def test_inflection_points(f, expected):
    domain = sp.Interval(sp.Rational(1, 10), 6) if f == sp.sin(x) else None
    assert ch.inflection_points(f, domain=domain) == expected


def test_monotonicity_and_concavity_of_the_worked_example():
    assert ch.monotonicity(WORKED) == {
        "increasing": sp.Union(sp.Interval.open(-oo, -1), sp.Interval.open(3, oo)),
        "decreasing": sp.Interval.open(-1, 3),
    }
    assert ch.concavity(WORKED) == {"up": sp.Interval.open(1, oo), "down": sp.Interval.open(-oo, 1)}


def test_monotonicity_concavity_traps():
    assert ch.monotonicity(x**3)["increasing"] == sp.Reals
    assert ch.concavity(x**4) == {"up": sp.Reals, "down": sp.S.EmptySet}
    assert ch.concavity(1 / x) == {"up": sp.Interval.open(0, oo), "down": sp.Interval.open(-oo, 0)}
    assert ch.monotonicity(sp.Abs(x)) == {
        "increasing": sp.Interval.open(0, oo),
        "decreasing": sp.Interval.open(-oo, 0),
    }
    assert ch.monotonicity(sp.log(x))["increasing"] == sp.Interval.open(0, oo)


def test_sign_chart_rows():
    chart = ch.sign_chart(WORKED, order=1)
    assert [s for _, s in chart.rows] == [1, -1, 1]
    assert list(chart.points) == [-1, 3]


@pytest.mark.parametrize(
    ("f", "convex"),
    [
        (x**2, True),
        (x**4, True),
        (sp.Abs(x), True),
        (RELU, True),
        (HINGE, True),
        (sp.exp(x), True),
        (sp.log(1 + sp.exp(-x)), True),
        (-sp.Abs(x), False),
        (x**3, False),
        (1 / x, False),
        (sp.sqrt(x), False),
        (-sp.sqrt(x), True),
        (sp.sin(x), False),
    ],
)
def test_convexity(f, convex):
    domain = sp.Interval(0, 6) if f == sp.sin(x) else None
    assert ch.is_convex(f, domain=domain) is convex


def test_absolute_extrema():
    assert ch.absolute_extrema(WORKED, -2, 4) == {"min": (-22, [3]), "max": (10, [-1])}
    assert ch.absolute_extrema(sp.Abs(x), -1, 2) == {"min": (0, [0]), "max": (2, [2])}
    assert ch.absolute_extrema(x**2, -1, 1)["max"] == (1, [-1, 1])
    assert ch.absolute_extrema(x ** sp.Rational(2, 3), -1, 8) == {"min": (0, [0]), "max": (4, [8])}
    assert ch.absolute_extrema(sp.log(x), 1, sp.E) == {"min": (0, [1]), "max": (1, [sp.E])}
    with pytest.raises(ValueError, match="not defined"):
        ch.absolute_extrema(1 / x, -1, 1)
    with pytest.raises(ValueError, match="not continuous"):
        ch.absolute_extrema(JUMP, -1, 1)


def test_gradient_hessian_and_2d_test():
    assert ch.gradient(x**2 * y + y**3, [x, y]) == [2 * x * y, x**2 + 3 * y**2]
    assert ch.hessian("x^2 - y^2", ["x", "y"]) == sp.Matrix([[2, 0], [0, -2]])
    assert ch.classify_critical_point_2d(x**2 + y**2, (0, 0)) == "local_min"
    assert ch.classify_critical_point_2d(-(x**2) - y**2, (0, 0)) == "local_max"
    assert ch.classify_critical_point_2d(x**2 - y**2, (0, 0)) == "saddle"
    # degenerate Hessians: the test says nothing, whatever the truth is
    assert ch.classify_critical_point_2d(x**4 + y**4, (0, 0)) == "inconclusive"
    assert ch.classify_critical_point_2d(x**4 - y**4, (0, 0)) == "inconclusive"
    with pytest.raises(ValueError, match="not a critical point"):
        ch.classify_critical_point_2d(x**2 + y**2, (1, 0))


def test_optimisation_traces():
    assert ch.gradient_descent(x**2, 3.0, 0.25, 3) == [3.0, 1.5, 0.75, 0.375]
    diverging = ch.gradient_descent(x**2, 1.0, 1.5, 200)
    assert len(diverging) < 201 and abs(diverging[-1]) > 1e12
    newton = ch.newton_method(WORKED, 4.0, 6)
    assert newton[-1] == pytest.approx(3.0)
    assert ch.newton_method(x**3, 0.0, 5) == [0.0]  # f''(0) = 0: no Newton step
    path = ch.gradient_descent_nd("x^2 + 10y^2", ["x", "y"], [1.0, 1.0], 0.05, 50, momentum=0.5)
    assert path.shape == (51, 2) and abs(path[-1]).max() < 1e-3
    with pytest.raises(ValueError, match="learning rate"):
        ch.gradient_descent(x**2, 1.0, -0.1, 3)


class TestSympyTraps:
    """Each trap from shared/notes/sympy-traps.md, and that the engine does not fall into it."""

    def test_abs_derivative_is_sign_which_is_zero_at_zero(self):
        assert sp.diff(sp.Abs(x), x).subs(x, 0) == 0  # SymPy's convention
        assert ch.differentiability(sp.Abs(x), 0).kind == "corner"  # the engine's answer
        assert 0 in ch.critical_points(sp.Abs(x))

    def test_relu_derivative_is_heaviside_half_at_zero(self):
        assert sp.diff(sp.Max(x, 0), x).subs(x, 0) == sp.Rational(1, 2)
        assert ch.subdifferential(RELU, 0) == sp.Interval(0, 1)
        assert not ch.differentiability(RELU, 0).differentiable

    def test_limit_defaults_to_the_right(self):
        assert sp.limit(sp.Abs(x) / x, x, 0) == 1  # only the right-hand side
        assert ch.one_sided_derivatives(sp.Abs(x), 0) == (-1, 1)

    def test_cbrt_is_the_principal_root(self):
        assert sp.cbrt(-8) != -2
        assert ch.parse("cbrt(x)").subs(x, -8) == -2
        assert ch.critical_points(x ** sp.Rational(1, 3)) == [0]
        assert ch.inflection_points(x ** sp.Rational(1, 3)) == [0]

    def test_solve_on_trig_gives_representatives(self):
        assert sp.solve(sp.cos(x), x) == [sp.pi / 2, 3 * sp.pi / 2]
        assert ch.critical_points(sp.sin(x), domain=sp.Interval(0, 4 * sp.pi)) == [
            sp.pi / 2,
            3 * sp.pi / 2,
            5 * sp.pi / 2,
            7 * sp.pi / 2,
        ]

    def test_piecewise_derivative_hides_the_jump(self):
        assert sp.diff(JUMP, x) == 1
        assert ch.differentiability(JUMP, 0).kind == "discontinuity"


def test_numeric_fallback_snaps_exact_roots():
    points = ch.critical_points(sp.cos(x) - x**2 / 10, domain=sp.Interval(-5, 5))
    assert 0 in points and len(points) == 5
    for p in points:
        assert abs(float((-sp.sin(x) - x / 5).subs(x, p))) < 1e-9
