"""The widgets of lessons 1-6, driven without a kernel: set controls, read artists and read-outs.

Each widget is built with its module's `example()` (the lesson's own arguments) on the ipympl
backend when it loads headless (else Agg). Checks: the artists show what the engine computes,
a control change moves existing artists (no new figure or artist), the static layer is reused,
and one update (observer + canvas.draw()) stays fast.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import sympy as sp

from calc_helpers import (
    derivative,
    difference_quotient,
    differentiability,
    gradient_descent,
    real_symbol,
)
from calc_helpers.ml_losses import mse_linear

# ipympl's toolbar passes an argument traitlets deprecates; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")

x = real_symbol("x")


@pytest.fixture(scope="module", autouse=True)
def backend():
    """ipympl's backend if it loads headless, else Agg; the previous backend afterwards."""
    previous = matplotlib.get_backend()
    try:
        matplotlib.use("module://ipympl.backend_nbagg", force=True)
        name = "ipympl"
    except Exception:  # pragma: no cover - ipympl is a dependency
        matplotlib.use("Agg", force=True)
        name = "agg"
    yield name
    import matplotlib.pyplot as plt

    plt.close("all")
    matplotlib.use(previous, force=True)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def build(name):
    import importlib

    return importlib.import_module(f"calc_helpers.widgets.{name}").example()


def artist_census(figure):
    """Identity of every artist in the figure, per axes, and how many figures exist."""
    import matplotlib.pyplot as plt

    return (
        len(plt.get_fignums()),
        [
            (id(ax), [id(a) for a in ax.get_children()])
            for ax in figure.axes
        ],
    )


def slope_of(line):
    xs, ys = (np.asarray(v, dtype=float) for v in line.get_data())
    return (ys[-1] - ys[0]) / (xs[-1] - xs[0])


# --- registry ---------------------------------------------------------------------------------


def test_examples_registry_lists_the_seven_widgets():
    from calc_helpers.widgets import examples

    found = examples()
    for name in ("descent_explorer", "limit_explorer", "secant_explorer",
                 "product_rule_explorer", "chain_rule_explorer", "zoom_explorer",
                 "tangent_walker"):
        assert name in found


# --- limit (lesson 2) --------------------------------------------------------------------------


def test_limit_readout_is_the_engines_continuity_at_every_position():
    from calc_helpers.limits import continuity
    from calc_helpers.widgets.limit import VERDICTS, lesson_function

    e = build("limit")
    f = lesson_function(x)
    positions = [value for _, value in e.controls["a"].options]
    assert -1.0 in positions and 1.0 in positions  # the slider reaches the hole and the jump
    for a in positions[::3] + [-1.0, 1.0]:
        e.controls["a"].value = a
        exact = continuity(f, sp.nsimplify(a))
        assert e.report == exact
        assert VERDICTS[exact.kind] in e.readout.value
    e.controls["a"].value = 1.0
    assert "from the left 0" in e.readout.value and "from the right 3" in e.readout.value
    assert "limit does not exist" in e.readout.value
    e.controls["a"].value = -1.0
    assert "f(a) undefined" in e.readout.value and "limit −2" in e.readout.value


def test_limit_points_sit_on_the_curve_at_distance_delta():
    from calc_helpers.widgets.limit import lesson_function

    e = build("limit")
    f = lesson_function(x)
    for a, d in [(1.0, 0.5), (1.0, 0.01), (-1.0, 0.001), (0.25, 0.1)]:
        e.controls["a"].value = a
        e.controls["delta"].value = d
        d = e.controls["delta"].value
        (lx,), (ly,) = e.left_dot.get_data()
        (rx,), (ry,) = e.right_dot.get_data()
        assert (lx, rx) == pytest.approx((a - d, a + d))
        assert ly == pytest.approx(float(f.subs(x, sp.Float(a - d, 30))))
        assert ry == pytest.approx(float(f.subs(x, sp.Float(a + d, 30))))
    e.controls["a"].value = 1.0
    e.controls["delta"].value = 0.001
    (ly,), (ry,) = e.left_dot.get_ydata(), e.right_dot.get_ydata()
    assert abs(ly - 0) < 0.01 and abs(ry - 3) < 0.01  # the one-sided limits, not f(1) twice


# --- product rule (lesson 4) -------------------------------------------------------------------


def test_product_rule_pieces_add_up_to_the_change_of_the_area():
    e = build("rules")
    f, g = x**2, x + 1
    for x0, dx in [(1.0, 0.3), (0.5, 0.01), (1.5, 0.5), (0.8, 0.05)]:
        e.controls["x"].value = x0
        e.controls["dx"].value = dx
        dx = e.controls["dx"].value
        change = float((f * g).subs(x, x0 + dx) - (f * g).subs(x, x0))
        assert sum(e.pieces) == pytest.approx(change)
        f0, g0 = float(f.subs(x, x0)), float(g.subs(x, x0))
        assert e.corner.get_width() == pytest.approx(float(f.subs(x, x0 + dx)) - f0)
        assert e.corner.get_height() == pytest.approx(dx)
        assert (e.area.get_width(), e.area.get_height()) == pytest.approx((f0, g0))
        exact = float(derivative(f * g).subs(x, x0))
        assert f"<b>{exact:.6g}</b>" in e.readout.value.replace("−", "-")
    e.controls["x"].value = 1.0
    e.controls["dx"].value = 0.01
    corner_share = e.pieces[2] / sum(e.pieces)
    assert corner_share < 0.01  # the corner vanishes faster than the strips


# --- secant ------------------------------------------------------------------------------------


def test_secant_slope_is_the_difference_quotient():
    e = build("secant")
    for side in (1, -1):
        for dx in (1.0, 0.5, 0.1, 0.01, 0.001):
            e.controls["side"].value = side
            e.controls["dx"].value = dx
            h = e.h
            assert h == pytest.approx(side * dx)
            exact = float(difference_quotient(e.expr, 1, sp.nsimplify(h)))
            assert slope_of(e.secant_line) == pytest.approx(exact, rel=1e-9)
            assert e.slope == pytest.approx(exact, rel=1e-9)
            xs, ys = e.moving.get_data()
            assert xs[0] == pytest.approx(1 + h)
            assert ys[0] == pytest.approx(float(e.expr.subs(x, 1 + h)))
            assert "tangent" in e.readout.value and "<b>2</b>" in e.readout.value


def test_secant_tangent_line_has_the_exact_slope():
    e = build("secant")
    assert e.derivative == 2
    assert slope_of(e.tangent_line) == pytest.approx(2)


def test_secant_slider_never_reaches_zero():
    e = build("secant")
    slider = e.controls["dx"]
    assert slider.base ** slider.min > 0
    e.controls["dx"].value = slider.base ** slider.min
    assert e.h != 0


def test_secant_at_a_corner_has_no_tangent():
    from calc_helpers.widgets import secant_explorer

    e = secant_explorer(sp.Abs(x), 0)
    assert e.tangent_line is None and "does not exist" in e.readout.value
    e.controls["side"].value = -1
    assert e.slope == pytest.approx(-1)


# --- descent -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.12, 0.2, 0.25, 0.3])
def test_descent_iterates_are_gradient_descents(rate):
    e = build("descent")
    e.controls["rate"].value = rate
    e.step(7)
    expected = gradient_descent(mse_linear(), 3, e.rate, 7)
    assert e.iterates == expected
    xs, ys = e.path_line.get_data()
    assert list(xs) == expected
    assert np.allclose(ys, [float(mse_linear().subs(mse_linear().free_symbols.pop(), v))
                            for v in expected])
    assert list(e.history.get_data()[0]) == list(range(len(expected)))


def test_descent_whole_run_matches_including_the_early_stop():
    e = build("descent")
    e.controls["rate"].value = 0.3
    e.step(100)
    expected = gradient_descent(mse_linear(), 3, 0.3, 100)
    assert len(expected) < 101  # the engine stopped the run: |w| passed 1e12
    assert e.iterates == expected
    assert e.stopped and e.diverging
    assert "diverging" in e.readout.value and "stopped" in e.readout.value


def test_descent_warns_only_when_diverging():
    e = build("descent")
    e.step(5)
    assert not e.diverging and "diverging" not in e.readout.value
    e.controls["rate"].value = 0.25
    assert e.diverging and "calc-warning" in e.readout.value
    e.reset()
    assert e.steps == 0 and e.iterates == [3.0]
    assert "diverging" not in e.readout.value


def test_descent_buttons_step_and_reset():
    e = build("descent")
    e.controls["step"].click()
    e.controls["step"].click()
    assert e.steps == 2
    e.controls["steps10"].click()
    assert e.steps == 12
    e.controls["reset"].click()
    assert e.steps == 0


def test_descent_steps_are_long_where_steep():
    e = build("descent")
    e.step(6)
    moves = np.abs(np.diff(e.iterates))
    slopes = np.abs([float(derivative(mse_linear()).subs(sp.Symbol("w", real=True), v))
                     for v in e.iterates[:-1]])
    assert np.allclose(moves, e.rate * slopes)
    assert np.all(np.diff(moves) < 0)  # the slope flattens, the steps shrink


# --- zoom --------------------------------------------------------------------------------------


def test_zoom_shows_the_chosen_function():
    e = build("zoom")
    for label, shape, zoom in [(*item, z) for item in e.shapes.items() for z in (1.0, 10.0, 1e3)]:
        e.controls["function"].value = label
        e.controls["zoom"].value = zoom
        xs, ys = (np.asarray(v, dtype=float) for v in e.curve.get_data())
        keep = np.isfinite(xs)
        sample = np.flatnonzero(keep)[:: 37]
        exact = [float(sp.N(shape.expr.subs(x, sp.Float(v, 30)))) for v in xs[sample]]
        assert np.allclose(ys[sample], exact, rtol=1e-9, atol=1e-12)
        h = e.width / zoom
        assert e.ax.get_xlim() == pytest.approx((-h, h))
        assert xs[keep].min() == pytest.approx(-h) and xs[keep].max() == pytest.approx(h)
        kind = differentiability(shape.expr, 0).kind
        assert shape.report.kind == kind
        assert kind.replace("_", " ").split()[0] in e.readout.value


def test_zoom_breaks_the_curve_only_at_a_jump():
    e = build("zoom")
    for label, shape in e.shapes.items():
        e.controls["function"].value = label
        _, ys = e.curve.get_data()
        gap = np.asarray(ys, dtype=float)[len(ys) // 2 - 1: len(ys) // 2 + 2]
        if shape.report.continuous:
            assert np.isfinite(gap[0]) and np.isfinite(gap[2])
        else:
            assert label == "jump"


def test_zoom_rays_are_the_one_sided_tangents():
    e = build("zoom")
    e.controls["function"].value = "|x|"
    xs, ys = (np.asarray(v, dtype=float) for v in e.rays.get_data())
    left = (ys[1] - ys[0]) / (xs[1] - xs[0])
    right = (ys[4] - ys[3]) / (xs[4] - xs[3])
    assert (left, right) == (pytest.approx(-1), pytest.approx(1))
    e.controls["function"].value = "∛x"
    xs, _ = (np.asarray(v, dtype=float) for v in e.rays.get_data())
    assert np.allclose(xs[[0, 1, 3, 4]], 0)  # vertical
    e.controls["function"].value = "jump"
    assert len(e.rays.get_data()[0]) == 0


def test_zoom_straightens_a_smooth_graph_but_not_a_corner():
    e = build("zoom")

    def bend(label, zoom):
        e.controls["function"].value = label
        e.controls["zoom"].value = zoom
        xs, ys = (np.asarray(v, dtype=float) for v in e.curve.get_data())
        keep = np.isfinite(xs)
        fa = e.shapes[label].fa
        slope = float(e.shapes[label].report.right)
        return np.max(np.abs(ys[keep] - fa - slope * xs[keep])) / (e.width / zoom)

    assert bend("x² + x/2", 1) > 0.5
    assert bend("x² + x/2", 100) < 0.02
    assert bend("|x|", 1) == pytest.approx(bend("|x|", 1000))


# --- tangent ------------------------------------------------------------------------------------


def test_tangent_slope_is_the_derivative():
    e = build("tangent")
    f = e.expr
    for position in (-3.0, -2.0, -1.0, 0.0, 0.5, 1.0, 2.2, 3.0, 4.96):
        e.controls["position"].value = position
        slope = float(derivative(f).subs(x, position))
        assert slope_of(e.tangent_line) == pytest.approx(slope, abs=1e-9)
        assert e.tangent_slope == pytest.approx(slope, abs=1e-9)
        px, py = e.point.get_data()
        assert px[0] == pytest.approx(position)
        assert py[0] == pytest.approx(float(f.subs(x, position)))
        _, d2 = e.point_d2.get_data()
        assert d2[0] == pytest.approx(float(derivative(f, n=2).subs(x, position)))
        assert all(c.get_xdata()[0] == pytest.approx(position) for c in e.cursors)


READOUT_WORDS = [
    (-2.0, ["increasing", "concave down"]),
    (0.0, ["decreasing", "concave down"]),
    (2.0, ["decreasing", "concave up"]),
    (4.0, ["increasing", "concave up"]),
    (-1.0, ["critical point", "local maximum", "concave down"]),
    (3.0, ["critical point", "local minimum", "concave up"]),
    (1.0, ["decreasing", "inflection point"]),
]


def test_tangent_readout_says_what_the_signs_mean():
    e = build("tangent")
    for position, words in READOUT_WORDS:
        e.controls["position"].value = position
        for word in words:
            assert word in e.readout.value, (position, word)


def test_tangent_snaps_to_special_points_and_the_slider_reaches_them():
    e = build("tangent")
    slider = e.controls["position"]
    for special in (-1.0, 1.0, 3.0):
        steps = (special - slider.min) / slider.step
        assert abs(steps - round(steps)) < 1e-9
    slider.value = -1.0 + 4e-10
    assert e.x == -1.0 and "f′(x) = 0 " in e.readout.value


# --- in place, static layer, speed ----------------------------------------------------------

MOVES = {
    "secant": ("dx", [0.5, 0.1, 0.01, 0.002, 0.9, 0.3]),
    "descent": ("rate", [0.05, 0.1, 0.15, 0.2, 0.25, 0.12]),
    "zoom": ("zoom", [1.0, 3.0, 10.0, 30.0, 100.0, 1000.0]),
    "tangent": ("position", [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0]),
    "limit": ("a", [-1.0, 1.0, 0.5, -2.0, 2.5]),
    "rules": ("dx", [0.01, 0.05, 0.2, 0.5, 0.1]),
    "chain": ("x", [0.0, 0.5, 1.2, 1.5, 0.8]),
}


@pytest.mark.parametrize("name", sorted(MOVES))
def test_updates_move_existing_artists(name):
    e = build(name)
    e.figure.canvas.draw()
    before = artist_census(e.figure)
    key, values = MOVES[name]
    for value in values:
        e.controls[key].value = value
        e.figure.canvas.draw()
    if name == "zoom":
        for label in e.shapes:
            e.controls["function"].value = label
    if name == "descent":
        e.step(12)
        e.reset()
    e.figure.canvas.draw()
    assert artist_census(e.figure) == before


@pytest.mark.parametrize(
    "name", ["secant", "descent", "tangent", "zoom", "limit", "rules", "chain"])
def test_static_layer_is_rendered_once_and_matches_a_full_draw(name):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    e = build(name)
    canvas = e.figure.canvas
    FigureCanvasAgg.draw(canvas)
    renders = e.cache.renders
    key, values = MOVES[name]
    for value in values:
        e.controls[key].value = value
        FigureCanvasAgg.draw(canvas)
    assert e.cache.renders == renders  # the static layer was reused
    fast = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    e.figure.draw = e.cache._draw_figure  # plain Matplotlib drawing, no cache
    FigureCanvasAgg.draw(canvas)
    plain = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    differing = np.any(fast != plain, axis=2).mean()
    assert differing < 0.002  # only anti-aliasing where a moving line crosses a static edge


def test_static_layer_is_rendered_again_when_limits_change():
    e = build("descent")
    canvas = e.figure.canvas
    canvas.draw()
    renders = e.cache.renders
    e.step(5)
    canvas.draw()
    assert e.cache.renders == renders
    e.step(10)  # the step axis turns the page: 0-10 -> 0-20
    canvas.draw()
    assert e.cache.renders == renders + 1


def test_zoom_axis_label_is_a_static_text_in_place():
    """The zoom's axes are live (their limits change on every update): the x label is a text
    of the axes, cached with the frame, at the place the layout gave the axis label."""
    e = build("zoom")
    ax = e.ax
    assert not ax.xaxis.label.get_visible()
    (label,) = [t for t in ax.texts if t.get_text() == ax.xaxis.label.get_text()]
    x, y = label.get_position()
    assert x == pytest.approx(0.5) and -0.2 < y < 0


def test_descent_history_marks_a_run_that_leaves_the_panel():
    """Issue 11: a diverging run disappeared off the top of the loss panel; its steps are
    now marked on the top edge and a note gives the loss it reached."""
    from calc_helpers import gradient_descent

    e = build("descent")
    e.controls["rate"].value = 0.25
    e.step(10)
    losses = [float(mse_linear().subs(real_symbol("w"), v))
              for v in gradient_descent(mse_linear(), 3, 0.25, 10)]
    top = e.hist.get_ylim()[1]
    above = [k for k, value in enumerate(losses) if value > top]
    xs, ys = e.escaped.get_data()
    assert list(xs) == above and above and all(y == top for y in ys)
    assert "off the top" in e.escape_note.get_text() and "step 10" in e.escape_note.get_text()
    e.reset()
    e.controls["rate"].value = 0.05
    e.step(10)
    assert len(e.escaped.get_xdata()) == 0 and e.escape_note.get_text() == ""


def test_chain_rule_ratios_multiply_and_approach_the_derivatives():
    e = build("chain")
    u = real_symbol("u")
    g, f = x**2, sp.sin(u)
    for x0, dx in [(1.0, 0.1), (0.5, 0.3), (1.5, 0.001), (0.2, 0.01)]:
        e.controls["x"].value = x0
        e.controls["dx"].value = dx
        dx = e.controls["dx"].value
        u0, u1 = x0**2, (x0 + dx) ** 2
        y0, y1 = np.sin(u0), np.sin(u1)
        ratio_u, ratio_y, ratio = e.ratios
        assert ratio_u == pytest.approx((u1 - u0) / dx)
        assert ratio_y == pytest.approx((y1 - y0) / (u1 - u0))
        assert ratio == pytest.approx(ratio_u * ratio_y) == pytest.approx((y1 - y0) / dx)
        assert list(e.du_bar_left.get_ydata()) == pytest.approx([u0, u1])
        assert list(e.du_bar_right.get_xdata()) == pytest.approx([u0, u1])
        assert list(e.dy_bar.get_ydata()) == pytest.approx([y0, y1])
        exact = float(derivative(f.subs(u, g)).subs(x, x0))
        assert f"<b>{exact:.6g}</b>" in e.readout.value.replace("−", "-")
    e.controls["x"].value, e.controls["dx"].value = 1.0, 0.001
    exact = float(derivative(f.subs(u, g)).subs(x, 1))
    assert e.ratios[2] == pytest.approx(exact, rel=2e-3)  # the nudge ratios reach (f∘g)′
