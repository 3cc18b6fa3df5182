"""The widgets of lessons 7-10 (chord, saddle, race): built with `example()`, driven by setting
slider values, checked against the engine; updates move artists, never add them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402

from calc_helpers import (  # noqa: E402
    gradient,
    gradient_descent,
    gradient_descent_nd,
    is_convex,
    newton_method,
    real_symbol,
)
from calc_helpers.ml_losses import deep_slice, hinge_loss, logistic_loss  # noqa: E402
from calc_helpers.widgets import chord, examples, race, saddle  # noqa: E402

x, y = real_symbol("x"), real_symbol("y")
W = real_symbol("w")


def artist_counts(figure) -> list[tuple[int, ...]]:
    """How many artists of each kind every axes holds (updates must not change this)."""
    return [
        (len(ax.lines), len(ax.collections), len(ax.texts), len(ax.patches), len(ax.images),
         len(ax.artists))
        for ax in figure.axes
    ]


def quiet(widget):
    """The widget without its redraws (Agg draws synchronously in draw_idle; ipympl does not):
    the logic tests look at artist data, which update() sets before any draw."""
    widget.figure.canvas.draw_idle = lambda *args, **kwargs: None
    return widget


def exact(expr, **values) -> float:
    return float(sp.sympify(expr).subs({real_symbol(k): v for k, v in values.items()}))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_builders_are_registered():
    found = examples()
    for name in ("chord_explorer", "saddle_explorer", "optimizer_race"):
        assert name in found


# ---------------------------------------------------------------------------------------------
# chord_explorer
# ---------------------------------------------------------------------------------------------


def test_chord_endpoints_and_point_follow_the_sliders():
    widget = quiet(chord.example())
    f = deep_slice()
    before = artist_counts(widget.figure)
    for a, b, t in [(-1.0, 1.0, 0.5), (-1.5, 0.3, 0.2), (0.65, 1.6, 0.9), (1.2, -0.4, 0.0)]:
        widget.controls["a"].value = a
        widget.controls["b"].value = b
        widget.controls["t"].value = t
        fa, fb = exact(f, w=a), exact(f, w=b)
        xs, ys = widget.chord.get_data()
        assert np.allclose(xs, [a, b]) and np.allclose(ys, [fa, fb])
        assert np.allclose(widget.ends.get_offsets(), [[a, fa], [b, fb]])
        xt = (1 - t) * a + t * b
        chord_t = (1 - t) * fa + t * fb
        assert np.allclose(widget.on_curve.get_data(), [[xt], [exact(f, w=xt)]])
        assert np.allclose(widget.on_chord.get_data(), [[xt], [chord_t]])
        assert widget.state["holds"] == (exact(f, w=xt) <= chord_t + 1e-9)
    assert artist_counts(widget.figure) == before


def test_chord_verdict_fails_where_the_loss_rises_above_its_chord():
    widget = quiet(chord.example())
    widget.controls["a"].value = -1.0
    widget.controls["b"].value = 1.0
    widget.controls["t"].value = 0.5
    assert widget.state["holds"] is False
    assert "fails" in widget.readout.value
    assert widget.convex is False and widget.convex == is_convex(deep_slice(), W)


@pytest.mark.parametrize("f", [x**2, sp.Abs(x), sp.exp(x), logistic_loss(x), hinge_loss(x)],
                         ids=["x^2", "|x|", "exp", "logistic", "hinge"])
def test_chord_verdict_always_holds_for_convex_functions(f):
    assert is_convex(f, x)
    widget = quiet(chord.chord_explorer(f, -2.0, 2.0, x=x, x_range=(-3.0, 3.0)))
    rng = np.random.default_rng(5)
    for a, b, t in rng.uniform([-3, -3, 0], [3, 3, 1], size=(40, 3)):
        widget.controls["a"].value = round(float(a), 2)
        widget.controls["b"].value = round(float(b), 2)
        widget.controls["t"].value = round(float(t), 2)
        assert widget.state["holds"] is True, widget.state
    assert "holds" in widget.readout.value


@pytest.mark.parametrize("f", [x**3, sp.sin(x), -sp.Abs(x), x**4 - 2 * x**2],
                         ids=["x^3", "sin", "-|x|", "double-well"])
def test_chord_verdict_finds_failures_of_nonconvex_functions(f):
    assert not is_convex(f, x, sp.Interval(-2, 2))
    widget = quiet(chord.chord_explorer(f, -2.0, 2.0, x=x, x_range=(-2.0, 2.0)))
    failures = 0
    for a in np.arange(-2.0, 2.01, 0.5):
        for b in np.arange(-2.0, 2.01, 0.5):
            widget.controls["a"].value = float(a)
            widget.controls["b"].value = float(b)
            failures += widget.state["holds"] is False
    assert failures > 0
    assert "not convex" in widget.readout.value


def test_chord_outside_the_domain_says_so_and_hides_the_chord():
    widget = quiet(chord.chord_explorer(sp.log(x), 1.0, 2.0, x=x, x_range=(-1.0, 3.0)))
    widget.controls["a"].value = -0.5
    assert widget.state["holds"] is None
    assert "not defined" in widget.readout.value
    assert len(widget.chord.get_xdata()) == 0


# ---------------------------------------------------------------------------------------------
# saddle_explorer
# ---------------------------------------------------------------------------------------------


def test_saddle_arrow_tip_stays_inside_the_axes():
    """Issue 11: the arrow at the lesson's start (1.5, 0.05) ran off the right edge."""
    widget = quiet(saddle.example())
    ax = widget.axes
    for px, py in [(1.5, 0.05), (1.9, 1.9), (-1.95, 0.0), (0.0, -1.9), (0.5, 0.5)]:
        widget.controls["x"].value = px
        widget.controls["y"].value = py
        (x0, y0), = widget.arrow.get_offsets()
        tip = (x0 + widget.arrow.U[0] / widget.arrow_scale,
               y0 + widget.arrow.V[0] / widget.arrow_scale)
        (xlo, xhi), (ylo, yhi) = ax.get_xlim(), ax.get_ylim()
        assert xlo <= tip[0] <= xhi and ylo <= tip[1] <= yhi, (px, py, tip)
    widget.controls["x"].value, widget.controls["y"].value = 0.5, 0.5
    assert widget.arrow_shrink == 1.0  # short arrows keep their true length


def test_saddle_arrow_is_the_gradient_at_the_point():
    widget = quiet(saddle.example())
    grad = gradient(x**2 - y**2, (x, y))
    before = artist_counts(widget.figure)
    arrow = widget.arrow
    for px, py in [(1.5, 0.05), (-0.7, 1.2), (0.33, -1.9), (2.0, 2.0)]:
        widget.controls["x"].value = px
        widget.controls["y"].value = py
        assert np.allclose(arrow.get_offsets(), [[px, py]])
        expected = [exact(g, x=px, y=py) for g in grad]
        shrink = widget.arrow_shrink  # a long arrow near the edge is drawn shorter, not clipped
        assert 0 <= shrink <= 1 and (shrink > 0 or (abs(px), abs(py)) == (2.0, 2.0))  # edge
        assert np.allclose([arrow.U[0], arrow.V[0]], np.asarray(expected) * shrink)
        assert widget.state["critical"] is None
        assert "Not a critical point" in widget.readout.value
    assert widget.arrow is arrow
    assert artist_counts(widget.figure) == before


def test_saddle_paths_are_the_engines_gradient_descent_runs():
    widget = quiet(saddle.example())
    widget.controls["x"].value = 1.2
    widget.controls["y"].value = -0.1
    widget.controls["momentum"].value = 0.5
    plain = gradient_descent_nd(x**2 - y**2, (x, y), (1.2, -0.1), 0.1, 30)
    heavy = gradient_descent_nd(x**2 - y**2, (x, y), (1.2, -0.1), 0.1, 30, momentum=0.5)
    assert np.array_equal(np.column_stack(widget.plain.get_data()), plain)
    assert np.array_equal(np.column_stack(widget.heavy.get_data()), heavy)


@pytest.mark.parametrize(
    ("f", "verdict", "words"),
    [
        (x**2 - y**2, "saddle", "saddle point"),
        (x**2 + y**2, "local_min", "local minimum"),
        (-(x**2) - y**2, "local_max", "local maximum"),
        (x**4 - y**4, "inconclusive", "inconclusive"),
        (x**4 + y**4, "inconclusive", "inconclusive"),
    ],
)
def test_saddle_reports_the_hessian_verdict_at_a_critical_point(f, verdict, words):
    widget = quiet(saddle.saddle_explorer(f, (x, y), point=(1.0, 1.0)))
    widget.controls["x"].value = 0.0
    widget.controls["y"].value = 0.0
    point, found = widget.state["critical"]
    assert tuple(point) == (0, 0) and found == verdict
    assert words in widget.readout.value
    assert np.allclose([widget.arrow.U[0], widget.arrow.V[0]], [0.0, 0.0])


def test_saddle_helpers_match_the_lesson():
    assert saddle.critical_points_2d(x**2 + y**4 / 4 - y**2 / 2, (x, y)) == [
        ((0, -1), "local_min"), ((0, 0), "saddle"), ((0, 1), "local_min")]
    assert saddle.axis_slices(x**4 - y**4, (x, y)) == {"along x": "local_min",
                                                       "along y": "local_max"}
    assert saddle.critical_points_2d((x * y - 1) ** 2, (x, y)) == [((0, 0), "saddle")]


# ---------------------------------------------------------------------------------------------
# optimizer_race
# ---------------------------------------------------------------------------------------------


def test_race_iterates_are_the_engines():
    widget = quiet(race.example())
    f = x**4 - 3 * x**2 + x
    before = artist_counts(widget.figure)
    for rate, x0, steps in [(0.02, 2.0, 10), (0.1, 0.5, 25), (0.3, -1.5, 40), (0.001, 1.0, 1)]:
        widget.controls["learning_rate"].value = rate
        widget.controls["x0"].value = x0
        widget.controls["steps"].value = steps
        gd = gradient_descent(f, widget.controls["x0"].value,
                              widget.controls["learning_rate"].value, steps)
        nt = newton_method(f, widget.controls["x0"].value, steps)
        assert widget.runs["gradient descent"] == gd
        assert widget.runs["Newton"] == nt
        assert np.array_equal(widget.dots["gradient descent"].get_xdata(), gd)
        assert np.array_equal(widget.dots["Newton"].get_xdata(), nt)
        assert np.array_equal(widget.curves["Newton"].get_xdata(), np.arange(len(nt)))
        assert f"{gd[-1]:.6g}" in widget.readout.value
        assert f"{nt[-1]:.6g}" in widget.readout.value
    assert artist_counts(widget.figure) == before


def test_race_flags_newton_heading_for_a_maximum():
    widget = quiet(race.example())
    widget.controls["x0"].value = 0.5
    assert "maximum" in widget.readout.value
    assert abs(widget.runs["Newton"][-1] - 0.169938) < 1e-5


def test_race_never_calls_a_descending_run_a_maximum():
    """Issue 11: from x0 = 0.40 with rate 0.02, gradient descent's loss falls at every step,
    yet its row said "heading for a local maximum" because f'' < 0 at its last iterate. The
    verdict now comes from the signs of f' and f'' at the last iterate and the method's step."""
    f = x**4 - 3 * x**2 + x
    widget = quiet(race.example())
    widget.controls["learning_rate"].value = 0.02
    widget.controls["x0"].value = 0.40
    widget.controls["steps"].value = 10
    gd = widget.runs["gradient descent"]
    assert gd == gradient_descent(f, widget.controls["x0"].value,
                                  widget.controls["learning_rate"].value, 10)
    losses = [exact(f, x=v) for v in gd]
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))  # falls every step
    last = gd[-1]
    assert exact(sp.diff(f, x, 2), x=last) < 0 < -exact(sp.diff(f, x), x=last)  # the trap
    row = next(r for r in widget.readout.value.split("<tr>") if "gradient descent" in r)
    assert "maximum" not in row
    assert "downhill" in row


@pytest.mark.parametrize(
    ("method", "slope", "bend", "words"),
    [
        ("gradient descent", -1.1, -2.0, "downhill"),
        ("gradient descent", 0.0, 3.0, "local minimum"),
        ("Newton", 0.5, -2.0, "uphill"),
        ("Newton", 0.5, 2.0, "downhill"),
        ("Newton", 0.0, -2.0, "local maximum"),
        ("Newton", 0.0, 0.0, ""),
    ],
)
def test_race_heading_follows_the_signs_at_the_last_iterate(method, slope, bend, words):
    said = race.heading(method, slope, bend)
    assert words in said if words else said == ""
    if method == "gradient descent" and slope:
        assert "maximum" not in said


def test_race_reports_divergence():
    widget = quiet(race.example())
    widget.controls["learning_rate"].value = 1.0
    widget.controls["steps"].value = 40
    assert "diverged" in widget.readout.value


# ---------------------------------------------------------------------------------------------
# speed: one slider update = observer (update + draw_idle) + a full draw
# ---------------------------------------------------------------------------------------------


def move_through(widget, key, values) -> None:
    canvas = widget.figure.canvas
    canvas.draw()
    canvas.draw_idle = lambda *args, **kwargs: None  # as in ipympl: the front end draws
    for value in values:
        widget.controls[key].value = value
        canvas.draw()


@pytest.mark.parametrize(
    ("build", "key", "values"),
    [
        (chord.example, "t", [round(0.05 * k, 2) for k in range(1, 16)]),
        (saddle.example, "x", [round(-1.5 + 0.2 * k, 2) for k in range(15)]),
        (race.example, "x0", [round(-2.0 + 0.25 * k, 2) for k in range(15)]),
    ],
    ids=["chord", "saddle", "race"],
)
def test_slider_updates_reuse_the_figure(build, key, values):
    """Speed is measured by bench/bench_widgets.py; here only the in-place update is checked."""
    widget = build()
    figures = plt.get_fignums()
    before = artist_counts(widget.figure)
    move_through(widget, key, values)
    assert plt.get_fignums() == figures
    assert artist_counts(widget.figure) == before


@pytest.mark.parametrize(
    ("build", "key", "values"),
    [
        (chord.example, "t", [0.1, 0.35, 0.6, 0.85]),
        (chord.example, "a", [-1.5, -0.8, 0.2, 1.1]),
        (saddle.example, "x", [-1.2, -0.3, 0.4, 1.7]),
        (saddle.example, "momentum", [0.0, 0.4, 0.8]),
        (race.example, "x0", [-1.5, -0.25, 0.5, 1.75]),  # the f(x_k) panel is live
        (race.example, "steps", [3, 17, 40]),
    ],
    ids=["chord-t", "chord-a", "saddle-x", "saddle-momentum", "race-x0", "race-steps"],
)
def test_static_layer_is_reused_and_matches_a_full_draw(build, key, values):
    """Slider moves draw only the moving artists over the cached layer; the picture is the one
    plain Matplotlib draws (up to anti-aliasing where a moving line crosses a static edge)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    widget = quiet(build())
    canvas = widget.figure.canvas
    FigureCanvasAgg.draw(canvas)
    renders = widget.cache.renders
    for value in values:
        widget.controls[key].value = value
        FigureCanvasAgg.draw(canvas)
    assert widget.cache.renders == renders
    fast = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    widget.figure.draw = widget.cache._draw_figure  # plain Matplotlib drawing, no cache
    FigureCanvasAgg.draw(canvas)
    plain = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    assert np.any(fast != plain, axis=2).mean() < 0.002


def test_static_layers_are_kept_per_limits_and_rebuilt_after_invalidate():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from calc_helpers.widgets._base import StaticCache

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    (moving,) = ax.plot([0.5], [0.5], "o", zorder=5)
    ax.set_xlim(0, 1)
    cache = StaticCache(fig, [moving], layers=2)
    canvas = fig.canvas
    FigureCanvasAgg.draw(canvas)
    assert cache.renders == 1
    moving.set_data([0.2], [0.3])
    FigureCanvasAgg.draw(canvas)
    assert cache.renders == 1  # only the dynamic artist moved
    ax.set_xlim(0, 2)
    FigureCanvasAgg.draw(canvas)
    ax.set_xlim(0, 1)
    FigureCanvasAgg.draw(canvas)
    assert cache.renders == 2  # the first limits came back from the kept layers
    cache.invalidate()
    FigureCanvasAgg.draw(canvas)
    assert cache.renders == 3



@pytest.mark.parametrize(("build", "key", "values"),
                         [(race.example, "steps", [3, 17, 40, 17]),
                          (race.example, "x0", [-1.5, 0.5, 1.75])],
                         ids=["race-steps", "race-x0"])
def test_glyph_cache_draws_the_pixels_matplotlib_draws(build, key, values):
    """Tick labels drawn from the kept glyphs are pixel for pixel those RendererAgg draws."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from calc_helpers.widgets._base import GlyphCache

    widget = quiet(build())
    canvas = widget.figure.canvas
    if not GlyphCache.supported(canvas.get_renderer()):
        pytest.skip("this matplotlib draws text another way: the cache is not used")
    for value in values:
        widget.controls[key].value = value
        FigureCanvasAgg.draw(canvas)
        cached = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
        supported = GlyphCache.supported
        GlyphCache.supported = staticmethod(lambda renderer: False)
        try:
            FigureCanvasAgg.draw(canvas)
        finally:
            GlyphCache.supported = supported
        assert np.array_equal(cached, np.asarray(canvas.get_renderer().buffer_rgba()))
    assert widget.cache.glyphs._glyphs  # the labels were drawn from the cache

def test_race_step_axis_is_drawn_again_only_when_the_steps_change():
    """The f(x_k) panel's step axis (ticks, labels, grid) depends on the steps slider only: the
    other sliders paste it with the cached layer; the picture is checked by the test above."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    widget = quiet(race.example())
    canvas = widget.figure.canvas
    FigureCanvasAgg.draw(canvas)
    drawn = widget.cache.steady_renders
    for rate, x0 in [(0.05, 1.0), (0.2, -0.5), (0.01, 1.9)]:
        widget.controls["learning_rate"].value = rate
        widget.controls["x0"].value = x0
        FigureCanvasAgg.draw(canvas)
    assert widget.cache.steady_renders == drawn
    for steps in (11, 25):
        widget.controls["steps"].value = steps
        FigureCanvasAgg.draw(canvas)
    assert widget.cache.steady_renders == drawn + 2
    assert widget.axes[1].get_xlim() == (-0.5, 25.5)


def test_fast_frames_send_the_pixels_matplotlib_would():
    """ipympl's frames (the first full, then diffs) written at zlib's fastest level decode to
    exactly the images of matplotlib's own encoder."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    from calc_helpers.widgets._base import fast_frames

    backend = matplotlib.get_backend()
    try:
        from ipympl.backend_nbagg import Canvas, FigureManager  # switches pyplot to ipympl
    finally:
        plt.switch_backend(backend)

    def build(num, fast):
        fig = Figure(figsize=(3, 2))
        (line,) = fig.add_subplot().plot([0, 1], [0, 1])
        canvas = Canvas(fig)
        FigureManager(canvas, num)
        if fast:
            assert fast_frames(canvas)
        frames = []
        canvas.send_binary = lambda data: frames.append((canvas._current_image_mode, data))
        return line, canvas, frames

    runs = [build(9001, True), build(9002, False)]
    for k in range(4):
        for line, canvas, _ in runs:
            line.set_data([0, 1], [k, 1 - k])
            canvas.draw()
    (_, _, fast), (_, _, plain) = runs
    assert [mode for mode, _ in fast] == [mode for mode, _ in plain] == ["full"] + ["diff"] * 3
    for (_, a), (_, b) in zip(fast, plain, strict=True):
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(a))),
                              np.asarray(Image.open(io.BytesIO(b))))
    assert fast_frames(FigureCanvasAgg(Figure())) is False  # Agg sends no frames
