"""calc_helpers.worked_example: the step-by-step analysis and its rendering."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from calc_helpers import (  # noqa: E402
    classify_critical_point,
    concavity,
    critical_points,
    inflection_points,
    monotonicity,
    real_symbol,
)
from calc_helpers.worked_example import (  # noqa: E402
    analyse,
    classification_markdown,
    plot_analysis,
    sample_point,
    second_derivative_test,
)

x = real_symbol("x")
CUBIC = x**3 - 3 * x**2 - 9 * x + 5


@pytest.fixture(scope="module")
def cubic():
    return analyse(CUBIC)


def test_the_cubic_step_by_step(cubic):
    assert cubic.first == 3 * x**2 - 6 * x - 9
    assert cubic.second == 6 * x - 6
    assert cubic.critical_xs == [-1, 3]
    assert cubic.classification == {-1: "local_max", 3: "local_min"}
    assert [(c.value, c.second, c.second_test) for c in cubic.critical] == [
        (10, -12, "local_max"), (-22, 12, "local_min")]
    assert cubic.increasing == sp.Union(sp.Interval.open(-sp.oo, -1), sp.Interval.open(3, sp.oo))
    assert cubic.decreasing == sp.Interval.open(-1, 3)
    assert cubic.concave_down == sp.Interval.open(-sp.oo, 1)
    assert cubic.concave_up == sp.Interval.open(1, sp.oo)
    assert cubic.inflection == ((1, -6),)
    assert [s for _, s in cubic.slope_chart.rows] == [1, -1, 1]


def test_the_steps_render_the_engine_numbers(cubic):
    step4 = cubic.step_markdown(4)
    # the sign of f' on (-oo, -1) read at the test point -2: f'(-2) = 15 > 0, increasing
    assert r"| $\left(-\infty, -1\right)$ | $-2$ | $15$ | $+$ | increasing |" in step4
    assert r"| $\left(-1, 3\right)$ | $1$ | $-12$ | $-$ | decreasing |" in step4
    assert "inflection point is $(1, -6)$" in cubic.step_markdown(5)
    assert "$f(-1) = 10$, $f(3) = -22$" in cubic.step_markdown(2)
    full = cubic.markdown()
    assert all(f"Step {n}" in full for n in range(1, 6))
    assert cubic._repr_markdown_() == full
    with pytest.raises(ValueError):
        cubic.step_markdown(6)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (x**2, "local_min"),
        (-(x**2), "local_max"),
        (x**3, "inconclusive"),
        (x**4, "inconclusive"),
        (-(x**4), "inconclusive"),
        (sp.Abs(x), "undefined"),
        (x ** sp.Rational(2, 3), "undefined"),
    ],
)
def test_second_derivative_test_is_silent_where_it_should_be(f, expected):
    assert second_derivative_test(f, 0, x) == expected


@pytest.mark.parametrize(
    "f",
    [x**3 - 6 * x**2 + 9 * x, x**3 - x**2 - 5 * x + 2, x**4 - 4 * x**3, sp.Abs(x - 1) + x**2,
     x ** sp.Rational(2, 3) * (x - 5)],
)
def test_analysis_agrees_with_the_engine(f):
    result = analyse(f, x)
    assert result.critical_xs == critical_points(f, x)
    assert result.classification == {c: classify_critical_point(f, c, x)
                                     for c in critical_points(f, x)}
    assert result.increasing == monotonicity(f, x)["increasing"]
    assert result.concave_down == concavity(f, x)["down"]
    assert result.inflection_xs == inflection_points(f, x)
    for n in range(1, 6):
        assert result.step_markdown(n)


def test_question_three_has_two_critical_points():
    q3 = analyse(x**3 - x**2 - 5 * x + 2)
    assert q3.critical_xs == [-1, sp.Rational(5, 3)]
    assert q3.classification == {-1: "local_max", sp.Rational(5, 3): "local_min"}
    assert [c.value for c in q3.critical] == [5, sp.Rational(-121, 27)]


@given(st.integers(-50, 50), st.integers(1, 40), st.sampled_from(["both", "left", "right"]))
def test_sample_point_lies_inside(start, width, kind):
    lo, hi = sp.Rational(start, 7), sp.Rational(start, 7) + sp.Rational(width, 13)
    interval = {"both": sp.Interval.open(lo, hi), "left": sp.Interval.open(-sp.oo, hi),
                "right": sp.Interval.open(lo, sp.oo)}[kind]
    point = sample_point(interval)
    assert interval.contains(point) == sp.true


def test_classification_markdown_has_one_row_per_critical_point():
    text = classification_markdown([x**3, x**4, -(x**4), sp.Abs(x), x ** sp.Rational(2, 3)])
    rows = [line for line in text.splitlines() if line.startswith("| $")][1:]  # no header
    assert len(rows) == 5
    assert "|x|" not in text  # absolute values must not break the table
    assert rows[0].endswith("**neither (not an extremum)** |")
    assert rows[3].count("|") == 7 and "corner" in rows[3]
    assert "cusp" in rows[4] and "local minimum" in rows[4]


def test_plot_marks_extrema_and_inflection():
    fig = plot_analysis(CUBIC)
    ax = fig.axes[0]
    points = {(round(float(line.get_xdata()[0]), 6), round(float(line.get_ydata()[0]), 6))
              for line in ax.lines if len(line.get_xdata()) == 1}
    assert {(-1.0, 10.0), (3.0, -22.0), (1.0, -6.0)} <= points
    plt.close(fig)


@pytest.mark.parametrize("expr", ["x**3 - 3*x**2 - 9*x + 5", "x**3 - 6*x**2 + 9*x",
                                  "2*x**3 + 3*x**2 - 12*x + 1"])
def test_plot_labels_are_not_crossed_by_the_curve(expr):
    """Issue 11: the curve ran through the "(3, -22)" label. No point of the curve may fall
    inside a label's box, and the plot has both axis labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from calc_helpers import real_symbol
    from calc_helpers.worked_example import plot_analysis

    x = real_symbol("x")
    fig = plot_analysis(sp.sympify(expr, locals={"x": x}))
    try:
        fig.canvas.draw()
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        curve = ax.lines[0]
        xs, ys = curve.get_data()
        dense = np.linspace(xs.min(), xs.max(), 4000)
        points = ax.transData.transform(np.column_stack([dense, np.interp(dense, xs, ys)]))
        boxes = [text.get_window_extent(renderer) for text in ax.texts]
        assert boxes
        for box in boxes:
            inside = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                      & (points[:, 1] > box.y0) & (points[:, 1] < box.y1))
            assert not inside.any(), box
        assert ax.get_xlabel() and ax.get_ylabel()
    finally:
        plt.close(fig)
