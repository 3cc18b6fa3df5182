"""calc_helpers.limits (one-sided limits, continuity's three conditions) and
calc_helpers.display (results as LaTeX or tables, never a raw repr)."""

from __future__ import annotations

import pytest
import sympy as sp

from calc_helpers import real_symbol
from calc_helpers.display import latex, markdown_table, show
from calc_helpers.limits import (
    approach_table,
    continuity,
    continuity_table,
    limit,
    one_sided_limit,
    one_sided_limits,
)

x = real_symbol("x")
RAW = ("Interval(", "Matrix(", "Piecewise(", "FiniteSet(", "Union(", "exp(w)/")


@pytest.mark.parametrize(
    ("f", "a", "left", "right", "value", "kind"),
    [
        ((x**2 - 1) / (x - 1), 1, 2, 2, None, "removable"),
        (sp.sin(x) / x, 0, 1, 1, None, "removable"),
        (sp.Piecewise((3, sp.Eq(x, 2)), (x**2, True)), 2, 4, 4, 3, "removable"),
        (sp.Piecewise((x, x < 0), (x + 1, True)), 0, 0, 1, 1, "jump"),
        (sp.Abs(x) / x, 0, -1, 1, None, "jump"),
        (1 / x, 0, -sp.oo, sp.oo, None, "infinite"),
        (1 / x**2, 0, sp.oo, sp.oo, None, "infinite"),
        (sp.sin(1 / x), 0, None, None, None, "no_limit"),
        (x**3 - x, 2, 6, 6, 6, "continuous"),
        (1 / (1 + sp.exp(-x)), 0, sp.Rational(1, 2), sp.Rational(1, 2), sp.Rational(1, 2),
         "continuous"),
    ],
)
def test_continuity_by_condition(f, a, left, right, value, kind):
    report = continuity(f, a)
    assert (report.left, report.right, report.value, report.kind) == (left, right, value, kind)
    assert one_sided_limits(f, a) == (left, right)
    assert report.defined == (value is not None)
    same = left is not None and right is not None and left == right
    assert limit(f, a) == (left if same else None)
    assert report.limit_exists == (same and sp.sympify(left).is_finite)
    assert report.continuous == (kind == "continuous")
    assert report.continuous == (report.defined and report.limit_exists
                                 and report.limit_equals_value)


def test_one_sided_limit_refuses_an_unknown_side():
    with pytest.raises(ValueError, match="side"):
        one_sided_limit(x, 0, "left")


def test_approach_table_closes_in_from_both_sides():
    table = approach_table((x**2 - 1) / (x - 1), 1, name="g")
    assert [d for d, _, _ in table.rows] == [sp.Rational(1, 10**k) for k in range(1, 5)]
    assert all(lo == 2 - d and hi == 2 + d for d, lo, hi in table.rows)
    text = table._repr_markdown_()
    assert "$g(1 - d)$" in text and "| $0.001$ | $1.999$ | $2.001$ |" in text


def test_continuity_table_rows_and_words():
    f = sp.Piecewise(((x**2 - 1) / (x + 1), x < 1), (4 - x, True))
    text = continuity_table(f, [-1, 0, 1])._repr_markdown_()
    assert "removable discontinuity (hole)" in text and "jump discontinuity" in text
    assert "| $0$ | $-1$ | $-1$ | $-1$ | $-1$ | yes | yes | yes | continuous |" in text
    assert not any(raw in text for raw in RAW)


@pytest.mark.parametrize(
    "value",
    [
        sp.Interval(-1, 0),
        sp.Union(sp.Interval.open(-sp.oo, -1), sp.Interval.open(3, sp.oo)),
        sp.Matrix([[2, 0], [0, -2]]),
        sp.exp(real_symbol("w")) / (sp.exp(real_symbol("w")) + 1) ** 2,
        sp.Piecewise((x, x < 0), (x + 1, True)),
        {"increasing": sp.Interval.open(3, sp.oo), "decreasing": sp.Interval.open(-1, 3)},
        [sp.Rational(5, 3), -1],
        (True, False),
        [3.0, 1.0666666666666664, 0.94, 0.93, 0.9286, 0.92858, 0.928572, 0.9285714],
    ],
)
def test_show_never_displays_a_raw_repr(value):
    shown = show(value)
    data = shown._repr_latex_() if hasattr(shown, "_repr_latex_") else None
    text = data or shown._repr_markdown_()
    assert not any(raw in text for raw in RAW), text


def test_show_typesets_and_tabulates():
    assert show(sp.Interval(-1, 0))._repr_latex_().endswith(r"\left[-1, 0\right]$")
    assert show(sp.Rational(1, 2), "f(0) =")._repr_latex_().endswith(r"f(0) = \frac{1}{2}$")
    trace = show([3.0, 1.5, 0.75, 0.375, 0.1875, 0.09375, 0.046875], name="$w_k$")
    text = trace._repr_markdown_()
    assert text.splitlines()[0] == "| $k$ | $w_k$ |" and "| 6 | $0.046875$ |" in text
    assert latex(True) == r"\text{True}" and latex(None) == r"\text{undefined}"
    assert latex(1e-9) == r"1 \times 10^{-9}"
    assert markdown_table(["a", "b"], [("x", sp.sqrt(2))]).endswith("| x | $\\sqrt{2}$ |")
