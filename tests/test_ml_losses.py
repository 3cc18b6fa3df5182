"""calc_helpers.ml_losses: the losses, their convexity (from is_convex) and the lesson 7/8
reports."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402

from calc_helpers import (  # noqa: E402
    critical_points,
    derivative,
    differentiability,
    is_convex,
    real_symbol,
    subdifferential,
)
from calc_helpers import ml_losses as ml  # noqa: E402

W = ml.W


def test_the_losses_are_the_textbook_formulas():
    assert sp.expand(ml.mse_linear()) == sp.expand(
        ((W - 1) ** 2 + (2 * W - 3) ** 2 + (3 * W - 2) ** 2) / 3)
    assert ml.logistic_loss() == sp.log(1 + sp.exp(-W))
    assert ml.hinge_loss() == sp.Max(0, 1 - W)
    assert ml.two_layer_loss() == (ml.W1 * ml.W2 - 1) ** 2
    assert ml.deep_slice() == (W**2 - 1) ** 2
    assert sp.expand(ml.mse_linear_2d().subs(ml.B, 0)) == sp.expand(ml.mse_linear())


def test_convexity_verdicts_come_from_is_convex():
    verdicts = ml.convexity()
    assert verdicts == {
        "MSE, linear model": True,
        "logistic loss": True,
        "hinge loss": True,
        "two-layer network": False,
    }
    for loss in ml.losses():
        assert loss.convex == is_convex(loss.expr, W)


def test_convexity_table_rows():
    table = ml.convexity_table()
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 5  # header + four losses
    assert "**yes**" in rows[1] and r"\frac{13}{14}" in rows[1]
    assert "none" in rows[2]
    assert r"\left[1, \infty\right)" in rows[3]
    assert "**no**" in rows[4] and "$w = -1$ and $w = 1$" in rows[4]
    assert critical_points(ml.mse_linear(), W) == [sp.Rational(13, 14)]
    assert critical_points(ml.logistic_loss(), W) == []


def test_facts_the_lessons_state():
    assert derivative(ml.mse_linear(), W, 2) == sp.Rational(28, 3)
    sigma = 1 / (1 + sp.exp(-W))
    assert sp.simplify(derivative(ml.logistic_loss(), W, 2) - sigma * (1 - sigma)) == 0
    report = differentiability(ml.hinge_loss(), 1, W)
    assert (report.kind, report.left, report.right) == ("corner", -1, 0)
    assert subdifferential(ml.hinge_loss(), 1, W) == sp.Interval(-1, 0)


def test_two_layer_report():
    report = ml.two_layer_report()
    assert report.verdicts == {(0, 0): "saddle", (1, 1): "inconclusive",
                               (-1, -1): "inconclusive"}
    assert report.values == {(0, 0): 1, (1, 1): 0, (-1, -1): 0}
    text = report._repr_markdown_()
    assert text.count("\n| $(") == 4 and "| saddle |" in text  # header + three points


@pytest.mark.parametrize("w_value", [sp.Rational(1, 2), 0, -2, sp.Rational(7, 3)])
def test_chain_rule_product_equals_direct_derivative(w_value):
    demo = ml.chain_rule_example(w_value)
    assert demo.agree
    assert len(demo.local) == 3
    product = sp.Mul(*[value for *_, value in demo.local])
    assert sp.simplify(product - demo.product) == 0
    direct = derivative(demo.loss, W).subs(W, w_value)
    assert sp.simplify(direct - demo.direct) == 0
    assert "exactly equal: **True**" in demo.markdown()


def test_numeric_is_nan_outside_the_domain():
    x = real_symbol("x")
    f = ml.numeric(sp.log(x), x)
    values = f(np.array([-1.0, 1.0, np.e]))
    assert np.isnan(values[0]) and np.allclose(values[1:], [0.0, 1.0])
    assert f(np.array([2.0])).shape == (1,)
    constant = ml.numeric(sp.Integer(3), x)
    assert np.array_equal(constant(np.zeros(4)), np.full(4, 3.0))
    cube_root = ml.numeric(x ** sp.Rational(1, 3), x)
    assert np.allclose(cube_root(np.array([-8.0])), [-2.0])


def test_table_tex_never_leaves_a_bare_pipe():
    x = real_symbol("x")
    assert "|" not in ml.table_tex(sp.Abs(x) + sp.Abs(x - 1))


def test_plot_losses_titles_say_the_verdict():
    fig = ml.plot_losses()
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.endswith("not convex") for t in titles] == [False, False, False, True]
    plt.close(fig)
