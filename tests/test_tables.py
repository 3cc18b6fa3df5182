"""calc_helpers.tables: every cell comes from the engine, and the HTML renders it faithfully."""

from __future__ import annotations

import pytest
import sympy as sp

from calc_helpers import (
    classify_critical_point,
    critical_points,
    derivative,
    difference_quotient,
    differentiability,
    one_sided_derivatives,
    real_symbol,
    sign_chart,
)
from calc_helpers.tables import (
    DEFAULT_STEPS,
    MEANINGS,
    Table,
    differentiability_table,
    interval_text,
    quotient_table,
    sample_point,
    second_derivative_test_table,
    sign_chart_table,
)

x = real_symbol("x")
CUBIC = x**3 - 3 * x**2 - 9 * x + 5
JUMP = sp.Piecewise((x, x < 0), (x + 1, True))


# --- quotient_table ---------------------------------------------------------------------------


def test_quotient_rows_are_the_engines_difference_quotients():
    f = x**3 - x
    table = quotient_table(f, 1)
    assert [row[0] for row in table.rows] == list(DEFAULT_STEPS)
    for h, left, right in table.rows:
        assert left == difference_quotient(f, 1, -h)
        assert right == difference_quotient(f, 1, h)
    left, right = one_sided_derivatives(f, 1)
    assert table.footer == ("→ 0 (limit)", str(left), str(right))


def test_quotient_table_shows_exact_decimals():
    table = quotient_table(x**3 - x, 1, hs=["1/10"])
    assert table.cells == (("0.1", "1.71", "2.31"),)


def test_quotient_table_of_a_corner_never_agrees():
    table = quotient_table(sp.Abs(x), 0)
    assert {row[1] for row in table.rows} == {-1}
    assert {row[2] for row in table.rows} == {1}
    assert table.footer[1:] == ("−1", "1")


def test_quotient_table_outside_the_domain_says_undefined():
    table = quotient_table(sp.sqrt(x), 0, hs=[1, sp.Rational(1, 100)])
    assert [row[1] for row in table.rows] == [None, None]
    assert [cells[1] for cells in table.cells] == ["undefined", "undefined"]
    assert table.rows[1][2] == 10
    assert table.footer[1:] == ("undefined", "+∞")


def test_quotient_table_of_a_jump_grows_on_the_jumping_side():
    table = quotient_table(JUMP, 0)
    lefts = [row[1] for row in table.rows]
    assert lefts == sorted(lefts) and lefts[-1] > 1000
    assert table.footer[1] == "+∞"


def test_quotient_table_rejects_a_zero_step():
    with pytest.raises(ValueError, match="must not be 0"):
        quotient_table(x**2, 1, hs=[0])


def test_quotient_table_caption_names_the_function_as_written():
    assert "x^(1/3)" in quotient_table(x ** sp.Rational(1, 3), 0, hs=[1]).caption
    assert quotient_table(x**2, 0, hs=[1], label="g").caption.startswith(
        "(f(a + Δx) − f(a)) / Δx for g at a = 0"
    )


# --- sign_chart_table ------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2])
def test_sign_chart_rows_follow_the_engine(order):
    table = sign_chart_table(CUBIC, order)
    chart = sign_chart(CUBIC, order=order)
    assert [(row[0], row[3]) for row in table.rows] == list(chart.rows)
    second = derivative(CUBIC, n=order)
    for interval, point, value, sign, meaning in table.rows:
        assert interval.contains(point) == sp.true
        assert value == second.subs(x, point)
        assert sp.sign(value) == sign
        assert meaning == MEANINGS[order][sign]


def test_sign_chart_table_of_the_worked_example():
    table = sign_chart_table(CUBIC)
    assert [cells[0] for cells in table.cells] == ["(−∞, −1)", "(−1, 3)", "(3, ∞)"]
    assert [row[4] for row in table.rows] == ["increasing", "decreasing", "increasing"]
    concave = sign_chart_table(CUBIC, 2)
    assert [row[4] for row in concave.rows] == ["concave down", "concave up"]


def test_sign_chart_table_on_a_bounded_domain():
    table = sign_chart_table(sp.sin(x), 1, domain=sp.Interval(0, 2 * sp.pi))
    assert [cells[0] for cells in table.cells] == ["(0, π/2)", "(π/2, 3·π/2)", "(3·π/2, 2·π)"]
    assert [row[1] for row in table.rows] == [1, 3, 5]


def test_sign_chart_table_rejects_other_orders():
    with pytest.raises(ValueError, match="order"):
        sign_chart_table(CUBIC, 3)


@pytest.mark.parametrize(
    "interval",
    [
        sp.Interval.open(-sp.oo, sp.oo),
        sp.Interval.open(-sp.oo, sp.Rational(5, 3)),
        sp.Interval.open(sp.sqrt(2), sp.oo),
        sp.Interval.open(sp.pi / 2, 3 * sp.pi / 2),
        sp.Interval.open(0, sp.Rational(1, 1000)),
        sp.Interval.open(sp.sqrt(2), sp.sqrt(2) + sp.Rational(1, 10**6)),
    ],
)
def test_sample_point_lies_inside(interval):
    assert interval.contains(sample_point(interval)) == sp.true


def test_interval_text():
    assert interval_text(sp.Interval.open(-sp.oo, -1)) == "(−∞, −1)"
    assert interval_text(sp.Interval(0, sp.sqrt(3))) == "[0, √3]"
    assert interval_text(sp.Interval.Lopen(sp.Rational(5, 3), sp.oo)) == "(5/3, ∞)"


# --- differentiability_table -----------------------------------------------------------------


def test_differentiability_table_follows_the_engine():
    shapes = {
        "smooth": x**2 + x / 2,
        "|x|": sp.Abs(x),
        "relu": sp.Max(x, 0),
        "cusp": x ** sp.Rational(2, 3),
        "cbrt": x ** sp.Rational(1, 3),
        "jump": JUMP,
    }
    table = differentiability_table(shapes, 0)
    for (_label, _fa, left, right, continuous, kind), f in zip(
        table.rows, shapes.values(), strict=True
    ):
        report = differentiability(f, 0)
        assert (left, right, continuous, kind) == (
            report.left, report.right, report.continuous, report.kind
        )
    kinds = [row[5] for row in table.rows]
    assert kinds == ["differentiable", "corner", "corner", "cusp", "vertical_tangent",
                     "discontinuity"]
    assert table.rows[-1][1] == 1  # the jump's value at 0
    assert table.cells[3][2:4] == ("−∞", "+∞")


# --- second_derivative_test_table ------------------------------------------------------------


def test_second_derivative_test_is_silent_where_it_should_be():
    table = second_derivative_test_table(
        {"x³": x**3, "x⁴": x**4, "−x⁴": -(x**4), "|x|": sp.Abs(x)}
    )
    verdicts = {row[0]: (row[3], row[4], row[5]) for row in table.rows}
    assert verdicts["x³"] == (0, "no conclusion (f″ = 0)", "neither")
    assert verdicts["x⁴"] == (0, "no conclusion (f″ = 0)", "local_min")
    assert verdicts["−x⁴"] == (0, "no conclusion (f″ = 0)", "local_max")
    assert verdicts["|x|"] == (None, "no conclusion (f″ undefined)", "local_min")


def test_second_derivative_test_agrees_with_the_first_on_the_worked_example():
    table = second_derivative_test_table(CUBIC)
    assert [row[1] for row in table.rows] == critical_points(CUBIC)
    second = derivative(CUBIC, n=2)
    for _, c, first, value, verdict, truth in table.rows:
        assert first == 0
        assert value == second.subs(x, c)
        assert truth == classify_critical_point(CUBIC, c)
        assert verdict == {"local_min": "local minimum", "local_max": "local maximum"}[truth]


# --- rendering -------------------------------------------------------------------------------


def test_html_rendering_is_escaped_and_classed():
    table = differentiability_table({"<b>|x|</b>": sp.Abs(x)}, 0)
    html = table._repr_html_()
    assert html == table.html == table.to_html()
    assert html.startswith('<table class="calc-table calc-differentiability-table">')
    assert "&lt;b&gt;|x|&lt;/b&gt;" in html and "<b>" not in html
    assert html.count("<tr>") == 2


def test_text_rendering_has_every_cell():
    table = quotient_table(x**2, 1, hs=[1, sp.Rational(1, 10)])
    text = str(table)
    for row in table.cells:
        for cell in row:
            assert cell in text
    assert text == repr(table)
    assert isinstance(table, Table)
