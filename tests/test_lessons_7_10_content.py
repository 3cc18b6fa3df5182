"""Lessons 7-10: the notebooks run cleanly, follow the course's shape, and every number or fact
their Markdown states is what calc_helpers computes.

Each claim is a pair (text, check): the text must appear in the lesson's Markdown (so a claim
cannot be edited without its test noticing) and the check recomputes it with the engine.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
import sys
from dataclasses import astuple
from pathlib import Path

import nbformat
import pytest
import sympy as sp
from lesson_runs import executed_lesson

import calc_helpers as ch
from calc_helpers import ml_losses as ml
from calc_helpers.widgets import race, saddle

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "course"
LESSONS = {
    "07_convexity": "lesson07",
    "08_critical_points": "lesson08",
    "09_worked_example": "lesson09",
    "10_newton_and_gradient_descent": "lesson10",
}

x, y = ch.real_symbol("x"), ch.real_symbol("y")
W, B = ml.W, ml.B


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(COURSE / f"{name}.ipynb", as_version=4)


def squeeze(text: str) -> str:
    """Whitespace-insensitive form: line breaks in the Markdown source do not matter."""
    return " ".join(text.split())


def markdown(name: str) -> str:
    return squeeze("\n".join(c.source for c in read(name).cells if c.cell_type == "markdown"))


def code_cells(name: str) -> list[str]:
    return [c.source for c in read(name).cells if c.cell_type == "code"]


class _Executed:
    """executed[name]: the lesson after running all its cells (tests/lesson_runs.py: once per
    session for every xdist worker, run when first asked for)."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._factory = tmp_path_factory

    def __getitem__(self, name: str) -> nbformat.NotebookNode:
        return executed_lesson(self._factory, f"{name}.ipynb")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The executed lessons, by name (see _Executed)."""
    return _Executed(tmp_path_factory)


# ---------------------------------------------------------------------------------------------
# running and shape
# ---------------------------------------------------------------------------------------------


@pytest.mark.notebooks
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_without_errors_or_stderr(executed, name):
    nb = executed[name]
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", (name, index, output.get("evalue"))
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                name, index, output.text)


RAW_REPRS = ("Interval(", "Matrix(", "Piecewise(")


def raw_reprs(nb) -> list[str]:
    """Outputs (any text format: plain, Markdown, LaTeX, HTML) showing a raw SymPy repr."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [
                value if isinstance(value, str) else str(value)
                for mime, value in output.get("data", {}).items() if mime.startswith("text/")
            ]
            found += [f"cell {index}: {raw}" for text in texts for raw in RAW_REPRS
                      if raw in text]
    return found


@pytest.mark.notebooks
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_outputs_show_no_raw_sympy_repr(executed, name):
    """Results are typeset or tabulated (calc_helpers.display.show), never a raw repr."""
    assert raw_reprs(executed[name]) == []


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_shape(name):
    cells = code_cells(name)
    first = cells[0].splitlines()
    assert first[0] == "%matplotlib widget"
    assert all(line.startswith(("import ", "from ", "x", "%")) for line in first)
    exercises = [c for c in cells[1:] if c.startswith("answer = ...  # your answer here")]
    assert len(exercises) >= 3
    for number, cell in enumerate(exercises, start=1):
        assert cell.splitlines()[1:] == [
            f"ex.q{number}.check(answer)",
            f"# ex.q{number}.hint()      # a hint; ex.q{number}.hint(2) gives the next one",
            f"# ex.q{number}.solution()  # the worked solution",
        ]
    for cell in cells[1:]:
        if cell not in exercises:
            assert "\n" not in cell.strip(), f"lesson code cells are one line: {cell!r}"
    module = importlib.import_module(f"exercises.{LESSONS[name]}")
    assert sorted(k for k in vars(module) if re.fullmatch(r"q\d+", k)) == [
        f"q{n}" for n in range(1, len(exercises) + 1)]
    nb = read(name)
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                      "language": "python"}
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module", autouse=True)
def _exercises_importable():
    sys.path.insert(0, str(COURSE))
    yield
    sys.path.remove(str(COURSE))


ANSWERS = {
    "lesson07": [False, "(-oo, -sqrt(3)/3) U (sqrt(3)/3, oo)", "[-1, 0]", True],
    "lesson08": [[0, 3], {0: "neither", 3: "local_min"}, [0, 2], ["2*x + 3*y", "3*x - 2*y"],
                 [[2, 3], [3, -2]]],
    "lesson09": [[-1, sp.Rational(5, 3)], {1: "local_max", 3: "local_min"}, "(1, 3)", [2],
                 "(1/3, oo)"],
    "lesson10": ["-1/(1 + exp(w))", 1, 1.25, ["4*(2*w + b - 3)", "2*(2*w + b - 3)"]],
}


@pytest.mark.parametrize("module_name", ANSWERS)
def test_exercises_accept_the_right_answers_and_refuse_wrong_ones(module_name, capsys):
    module = importlib.import_module(f"exercises.{module_name}")
    for number, answer in enumerate(ANSWERS[module_name], start=1):
        exercise = getattr(module, f"q{number}")
        assert exercise.check(answer).correct, (module_name, number)
        assert exercise.check(...).state == "not_attempted"
        assert len(exercise.hints) >= 2
    wrong = {"lesson07": (1, True), "lesson08": (1, [3]), "lesson09": (1, [-1]),
             "lesson10": (2, 2)}[module_name]
    assert not getattr(module, f"q{wrong[0]}").check(wrong[1]).correct


# ---------------------------------------------------------------------------------------------
# claims: (text in the lesson's Markdown, check computed by the engine)
# ---------------------------------------------------------------------------------------------


def _deep(w):
    return ml.deep_slice().subs(W, w)


H = x**2 + y**4 / 4 - y**2 / 2  # lesson 8's saddle with a way out


def _escape(momentum: float) -> int:
    """Steps until |y| > 0.5 from (1.5, 0.01): when the run has left the saddle."""
    path = ch.gradient_descent_nd(H, (x, y), (1.5, 0.01), 0.1, 200, momentum=momentum)
    return next(k for k, (_, yk) in enumerate(path) if abs(yk) > 0.5)


def _reach(momentum: float) -> int:
    return saddle.steps_to_reach(H, (x, y), (1.5, 0.01), 0.1, -0.24, momentum)


QUAD = x**4 - 3 * x**2 + x  # lesson 10's race


@functools.cache
def _quad_critical() -> tuple[float, ...]:
    return tuple(float(c) for c in ch.critical_points(QUAD))

CLAIMS = {
    "07_convexity": [
        ("`True` for $x^2$, $x^4$ and $|x|$; `False` for $x^3$ and for $-|x|$",
         lambda: [ch.is_convex(e) for e in (x**2, x**4, sp.Abs(x), x**3, -sp.Abs(x))]
         == [True, True, True, False, False]),
        ("its slope jumps *down*,\nfrom $1$ to $-1$",
         lambda: ch.one_sided_derivatives(-sp.Abs(x), 0) == (1, -1)),
        (r"$x^3$ is concave on\n$(-\infty, 0)$ and convex on $(0, \infty)$".replace(r"\n", "\n"),
         lambda: ch.concavity(x**3) == {"up": sp.Interval.open(0, sp.oo),
                                         "down": sp.Interval.open(-sp.oo, 0)}),
        ("$x^4$ is\nconvex although $f''(0) = 0$",
         lambda: ch.is_convex(x**4) and ch.derivative(x**4, n=2).subs(x, 0) == 0),
        ("$|x|$\nhas a corner at $0$ and is convex",
         lambda: ch.differentiability(sp.Abs(x), 0).kind == "corner" and ch.is_convex(sp.Abs(x))),
        ("The chord joins $(-1, 0)$ and $(1, 0)$, so it is $0$ at\n  $w = 0$, but $L(0) = 1$",
         lambda: (_deep(-1), _deep(1), _deep(0)) == (0, 0, 1)),
        ("to the right of about $0.6$",
         lambda: ch.concavity(ml.deep_slice(), W)["up"].is_superset(sp.Interval.open(0.6, sp.oo))),
        (r"$L$ is concave up (convex) on $\left(-\infty, -\tfrac{\sqrt 3}{3}\right)$ and on"
         "\n" r"$\left(\tfrac{\sqrt 3}{3}, \infty\right)$, and concave down in between",
         lambda: ch.concavity(ml.deep_slice(), W) == {
             "up": sp.Union(sp.Interval.open(-sp.oo, -sp.sqrt(3) / 3),
                            sp.Interval.open(sp.sqrt(3) / 3, sp.oo)),
             "down": sp.Interval.open(-sp.sqrt(3) / 3, sp.sqrt(3) / 3)}),
        ("around the bump at $w = 0$",
         lambda: ch.classify_critical_point(ml.deep_slice(), 0, W) == "local_max"),
        ("keeps decreasing forever and only\n  approaches its infimum $0$",
         lambda: ch.monotonicity(ml.logistic_loss(), W)["decreasing"] == sp.S.Reals
         and sp.limit(ml.logistic_loss(), W, sp.oo) == 0
         and ch.critical_points(ml.logistic_loss(), W) == []),
        ("the hinge loss is $0$ on a whole half-line",
         lambda: [(iv, s) for iv, s in ch.sign_chart(ml.hinge_loss(), W).rows if s == 0]
         == [(sp.Interval.open(1, sp.oo), 0)] and ml.hinge_loss().subs(W, 5) == 0),
        ("$(1, 1), (2, 3), (3, 2)$: $L(w) = \\frac13 \\sum_i (w x_i - y_i)^2$",
         lambda: ml.DATA == ((1, 1), (2, 3), (3, 2))),
        ("second derivative is a positive constant,\n  so it is convex, with a single minimiser",
         lambda: ch.derivative(ml.mse_linear(), W, 2) == sp.Rational(28, 3)
         and ch.critical_points(ml.mse_linear(), W) == [sp.Rational(13, 14)]),
        (r"$L''(w) = \dfrac{e^{w}}{(1 + e^{w})^2} > 0$",
         lambda: sp.simplify(ch.derivative(ml.logistic_loss(), W, 2)
                             - sp.exp(W) / (1 + sp.exp(W)) ** 2) == 0),
        ("At $w = 1$ its slope jumps from $-1$ up to $0$",
         lambda: ch.one_sided_derivatives(ml.hinge_loss(), 1, W) == (-1, 0)),
        ("$[-1, 0]$", lambda: ch.subdifferential(ml.hinge_loss(), 1, W) == sp.Interval(-1, 0)),
        ("$(1, 1)$ and $(-1, -1)$ both fit the data perfectly (loss $0$)",
         lambda: ml.two_layer_report().values[(1, 1)] == 0
         and ml.two_layer_report().values[(-1, -1)] == 0),
        ("Their midpoint is $(0, 0)$, where the loss is $1$",
         lambda: ml.two_layer_report().values[(0, 0)] == 1),
        ("MSE of a linear model, the logistic loss and the hinge loss are convex; losses of "
         "neural networks, even a two-weight one, are not",
         lambda: list(ml.convexity().values()) == [True, True, True, False]),
    ],
    "08_critical_points": [
        ("the origin is a\n**saddle point**, and at the two minima the test is inconclusive",
         lambda: ml.two_layer_report().verdicts == {(0, 0): "saddle", (1, 1): "inconclusive",
                                                    (-1, -1): "inconclusive"}),
        ("every point of the curve $w_1 w_2 = 1$ has loss $0$",
         lambda: sp.simplify(ml.two_layer_loss().subs(ml.W2, 1 / ml.W1)) == 0),
        ("$(1, 1)$ and\n$(-1, -1)$ both have loss $0$, their midpoint $(0, 0)$ has loss $1$",
         lambda: ml.two_layer_report().values == {(0, 0): 1, (1, 1): 0, (-1, -1): 0}),
        ("($x^3$ has $f'(0) = 0$ and no extremum)",
         lambda: ch.derivative_at(x**3, 0) == 0 and ch.classify_critical_point(x**3, 0)
         == "neither"),
        ("The maximum $18$ is attained at the endpoint $x = 3$, where $f'(3) = 24 \\neq 0$",
         lambda: ch.absolute_extrema(x**3 - 3 * x, -2, 3)["max"] == (18, [3])
         and ch.derivative_at(x**3 - 3 * x, 3) == 24),
        ("the minimum $-2$\nis attained twice, at the endpoint $-2$ and at the critical point $1$",
         lambda: ch.absolute_extrema(x**3 - 3 * x, -2, 3)["min"] == (-2, [-2, 1])
         and 1 in ch.critical_points(x**3 - 3 * x)),
        ("$x^3$, $x^4$ and $-x^4$ all have $f'(0) = f''(0) = 0$,\nyet they are respectively "
         "*neither*, a *minimum* and a *maximum*",
         lambda: all(ch.derivative(f, n=k).subs(x, 0) == 0
                     for f in (x**3, x**4, -(x**4)) for k in (1, 2))
         and [ch.classify_critical_point(f, 0) for f in (x**3, x**4, -(x**4))]
         == ["neither", "local_min", "local_max"]),
        ("$|x|$ has a corner and $x^{2/3}$ a cusp at $0$",
         lambda: ch.differentiability(sp.Abs(x), 0).kind == "corner"
         and ch.differentiability(x ** sp.Rational(2, 3), 0).kind == "cusp"),
        ("both have a minimum there",
         lambda: ch.classify_critical_point(sp.Abs(x), 0) == "local_min"
         and ch.classify_critical_point(x ** sp.Rational(2, 3), 0) == "local_min"),
        ("$x^3 - 3x^2 - 9x + 5$ is at $x = 1$, where $f'(1) = -12$",
         lambda: ch.inflection_points(x**3 - 3 * x**2 - 9 * x + 5) == [1]
         and ch.derivative_at(x**3 - 3 * x**2 - 9 * x + 5, 1) == -12),
        ("$x^4$ has $f''(0) = 0$ and no inflection point (it is convex)",
         lambda: ch.inflection_points(x**4) == [] and ch.is_convex(x**4)),
        ("$\\sqrt[3]{x}$ changes concavity at $0$, where it has a vertical\n  tangent",
         lambda: ch.inflection_points(x ** sp.Rational(1, 3)) == [0]
         and ch.differentiability(x ** sp.Rational(1, 3), 0).kind == "vertical_tangent"),
        ("as for $x^3$ at $0$, it is a critical point\nthat is *neither*",
         lambda: ch.inflection_points(x**3) == [0] and ch.critical_points(x**3) == [0]),
        ("$\\det H = -4 < 0$: a saddle",
         lambda: ch.hessian(x**2 - y**2, (x, y)).det() == -4
         and ch.classify_critical_point_2d(x**2 - y**2, (0, 0), (x, y)) == "saddle"),
        ("Along the $x$-axis the origin is a minimum, along the $y$-axis it is\na maximum",
         lambda: saddle.axis_slices(x**2 - y**2, (x, y)) == {"along x": "local_min",
                                                             "along y": "local_max"}),
        ("two gradient-descent runs of 30 steps (learning rate $0.1$)",
         lambda: saddle.saddle_explorer.__defaults__[2:4] == (0.1, 30)),
        ("both have\nthe zero matrix as Hessian there, so the test is inconclusive for both",
         lambda: all(ch.hessian(f, (x, y)).subs({x: 0, y: 0}) == sp.zeros(2, 2)
                     and ch.classify_critical_point_2d(f, (0, 0), (x, y)) == "inconclusive"
                     for f in (x**4 + y**4, x**4 - y**4))),
        ("along the $y$-axis $g(0, y) = -y^4 < 0 = g(0, 0)$, and along the $x$-axis "
         "$g(x, 0) = x^4 > 0$",
         lambda: (x**4 - y**4).subs(x, 0) == -(y**4) and (x**4 - y**4).subs(y, 0) == x**4),
        ("has two minima and a saddle\nbetween them",
         lambda: [v for _, v in saddle.critical_points_2d(H, (x, y))]
         == ["local_min", "saddle", "local_min"]),
        ("$1 + \\eta \\cdot |h_{yy}(0, 0)| = 1.1$ per step (learning rate $\\eta = 0.1$,\n"
         "$h_{yy}(0, 0) = -1$)",
         lambda: ch.hessian(H, (x, y)).subs({x: 0, y: 0})[1, 1] == -1
         and math.isclose(1 + 0.1 * 1, 1.1)),
        ("the run lingers there for dozens of steps", lambda: _escape(0.0) >= 24),
        ("$h \\le -0.24$ (the minimum value is $-0.25$)",
         lambda: H.subs({x: 0, y: 1}) == sp.Rational(-1, 4)
         and H.subs({x: 0, y: -1}) == sp.Rational(-1, 4)),
        ("Momentum $0.5$ gets there in fewer steps than plain gradient descent",
         lambda: _reach(0.5) < _reach(0.0)),
        ("Momentum $0.9$ is faster out of the saddle",
         lambda: _escape(0.9) < _escape(0.5) < _escape(0.0)),
        ("so it needs more steps than $0.5$", lambda: _reach(0.9) > _reach(0.5)),
    ],
    "09_worked_example": [
        ("$f'(x) = 3(x - 3)(x + 1) = 0$: $x = -1$ and $x = 3$",
         lambda: sp.expand(ch.derivative(x**3 - 3 * x**2 - 9 * x + 5) - 3 * (x - 3) * (x + 1))
         == 0
         and ch.critical_points(x**3 - 3 * x**2 - 9 * x + 5) == [-1, 3]),
        ("$f''(-1) = -12 < 0$: the graph bends down, so $x = -1$ is a **local maximum**, "
         "with $f(-1) = 10$",
         lambda: astuple(_cubic().critical[0]) == (-1, 10, -12, "local_max", "local_max")),
        ("$f''(3) = 12 > 0$: it bends up, so $x = 3$ is a **local minimum**, with "
         "$f(3) = -22$",
         lambda: astuple(_cubic().critical[1]) == (3, -22, 12, "local_min", "local_min")),
        ("$f'(-2) = 15 > 0$, so $f$ is **increasing** on $(-\\infty, -1)$",
         lambda: ch.derivative(x**3 - 3 * x**2 - 9 * x + 5).subs(x, -2) == 15
         and _cubic().slope_chart.rows[0] == (sp.Interval.open(-sp.oo, -1), 1)),
        ("So $f$ increases on $(-\\infty, -1)$, decreases on $(-1, 3)$ and increases again on "
         "$(3, \\infty)$",
         lambda: ch.monotonicity(x**3 - 3 * x**2 - 9 * x + 5) == {
             "increasing": sp.Union(sp.Interval.open(-sp.oo, -1), sp.Interval.open(3, sp.oo)),
             "decreasing": sp.Interval.open(-1, 3)}),
        ("$f''(x) = 6x - 6$ is negative for $x < 1$ and positive for $x > 1$: $f$ is concave "
         "down on\n$(-\\infty, 1)$, concave up on $(1, \\infty)$, and $(1, -6)$ is the "
         "**inflection point**",
         lambda: ch.derivative(x**3 - 3 * x**2 - 9 * x + 5, n=2) == 6 * x - 6
         and ch.concavity(x**3 - 3 * x**2 - 9 * x + 5) == {
             "up": sp.Interval.open(1, sp.oo), "down": sp.Interval.open(-sp.oo, 1)}
         and _cubic().inflection == ((1, -6),)),
        ("$\\frac{-1 + 3}{2} = 1$", lambda: sp.Rational(-1 + 3, 2) == _cubic().inflection_xs[0]),
        ("$f$ has no global maximum or minimum\non the real line",
         lambda: sp.limit(x**3 - 3 * x**2 - 9 * x + 5, x, -sp.oo) == -sp.oo
         and sp.limit(x**3 - 3 * x**2 - 9 * x + 5, x, sp.oo) == sp.oo),
        ("$|x|$ is continuous at $0$ but has a corner\nthere (left slope $-1$, right slope $1$)",
         lambda: ch.differentiability(sp.Abs(x), 0) == ch.Differentiability("corner", True, -1, 1)),
        ("$f'(x) = 3(x - 1)(x - 3)$, so the critical points are $1$ and $3$",
         lambda: sp.expand(ch.derivative(x**3 - 6 * x**2 + 9 * x) - 3 * (x - 1) * (x - 3)) == 0
         and ch.critical_points(x**3 - 6 * x**2 + 9 * x) == [1, 3]),
        ("$f''(1) = -6$ gives a **local\nmaximum** at $x = 1$ (value $4$) and $f''(3) = 6$ a "
         "**local minimum** at $x = 3$ (value $0$)",
         lambda: [(c.x, c.second, c.kind, c.value) for c in _analysis(x**3 - 6 * x**2 + 9 * x)
                  .critical] == [(1, -6, "local_max", 4), (3, 6, "local_min", 0)]),
        ("$g'(x) = 3x^2 - 2x - 5$ is a quadratic with\ndiscriminant "
         "$(-2)^2 - 4 \\cdot 3 \\cdot (-5) = 64 > 0$",
         lambda: ch.derivative(x**3 - x**2 - 5 * x + 2) == 3 * x**2 - 2 * x - 5
         and sp.discriminant(3 * x**2 - 2 * x - 5, x) == 64 == (-2) ** 2 - 4 * 3 * (-5)),
        ("$g'(x) = (x + 1)(3x - 5)$: the critical points are $x = -1$ and $x = \\frac{5}{3}$",
         lambda: sp.expand(ch.derivative(x**3 - x**2 - 5 * x + 2) - (x + 1) * (3 * x - 5)) == 0
         and ch.critical_points(x**3 - x**2 - 5 * x + 2) == [-1, sp.Rational(5, 3)]),
        ("local maximum ($g(-1) = 5$), the second a local minimum "
         "($g(5/3) = -\\frac{121}{27}$)",
         lambda: [(c.kind, c.value) for c in _analysis(x**3 - x**2 - 5 * x + 2).critical]
         == [("local_max", 5), ("local_min", sp.Rational(-121, 27))]),
    ],
    "10_newton_and_gradient_descent": [
        ("$(1, 1), (2, 3), (3, 2)$", lambda: ml.DATA == ((1, 1), (2, 3), (3, 2))),
        ("At $(w, b) = (0, 0)$ the gradient is $\\left(-\\frac{26}{3}, -4\\right)$",
         lambda: [g.subs({W: 0, B: 0}) for g in ch.gradient(ml.mse_linear_2d(), (W, B))]
         == [sp.Rational(-26, 3), -4]),
        ("moves to $(0.8\\overline{6}, 0.4)$",
         lambda: all(math.isclose(a, b) for a, b in zip(
             ch.gradient_descent_nd(ml.mse_linear_2d(), (W, B), (0, 0), 0.1, 1)[1],
             (26 / 30, 0.4), strict=True))),
        ("with $\\det H = \\frac{8}{3} > 0$ and $L_{ww} > 0$",
         lambda: ch.hessian(ml.mse_linear_2d(), (W, B)).det() == sp.Rational(8, 3)
         and ch.hessian(ml.mse_linear_2d(), (W, B))[0, 0] > 0
         and not ch.hessian(ml.mse_linear_2d(), (W, B)).free_symbols),
        ("here is the same neuron, with input $x = 2$, target $y = 1$",
         lambda: ml.chain_rule_example.__defaults__[1:] == (2, 1)),
        ("Lesson 4 followed one neuron through the\nchain rule at $w = 0$",
         lambda: ml.chain_rule_example().loss.subs(W, 0) == sp.Rational(1, 4)
         and sp.simplify(ml.chain_rule_example().loss
                         - (1 / (1 + sp.exp(-2 * W)) - 1) ** 2) == 0),
        ("at $w = \\frac{1}{2}$", lambda: ml.chain_rule_example().w_value == sp.Rational(1, 2)),
        ("The two agree exactly", lambda: ml.chain_rule_example().agree),
        ("has its minimum at $w = \\frac{13}{14} \\approx 0.928571$",
         lambda: ch.critical_points(ml.mse_linear(), W) == [sp.Rational(13, 14)]
         and f"{13 / 14:.6f}" == "0.928571"),
        ("lands on the minimum in **one step**",
         lambda: math.isclose(ch.newton_method(ml.mse_linear(), 0, 1)[1], 13 / 14)),
        ("Here $L''(w) = \\frac{28}{3}$", lambda: ch.derivative(ml.mse_linear(), W, 2)
         == sp.Rational(28, 3)),
        ("$0 < \\eta < 2 / L'' = \\frac{3}{14}\n\\approx 0.214$",
         lambda: 2 / ch.derivative(ml.mse_linear(), W, 2) == sp.Rational(3, 14)
         and round(3 / 14, 3) == 0.214),
        ("The best learning rate here is close to $1 / L''$", lambda: _best_rate() == 0.1),
        ("a rate just below $2 / L''$ zig-zags\nslowly, and $0.25$, above the limit, diverges",
         lambda: _steps(0.2) > _steps(0.05) and _steps(0.25) is None),
        ("which has two valleys and a hump between them",
         lambda: [ch.classify_critical_point(QUAD, c) for c in ch.critical_points(QUAD)]
         == ["local_min", "local_max", "local_min"]),
        ("From $x_0 = 2$ both methods run into the right-hand valley",
         lambda: all(abs(run[-1] - _quad_critical()[2]) < 0.1
                     for run in race.race(QUAD, 2.0, 0.02, 10).values())),
        ("There $f''(0.5) = -3 < 0$",
         lambda: ch.derivative(QUAD, n=2).subs(x, sp.Rational(1, 2)) == -3),
        ("a local maximum near\n   $x \\approx 0.17$",
         lambda: abs(ch.newton_method(QUAD, 0.5, 10)[-1] - _quad_critical()[1])
         < 1e-9 and round(_quad_critical()[1], 2) == 0.17),
        ("Newton's method is at its bottom,\n$x \\approx 1.1309$, within four steps",
         lambda: abs(ch.newton_method(QUAD, 2.0, 4)[-1] - _quad_critical()[2]) < 1e-3
         and round(_quad_critical()[2], 4) == 1.1309),
        ("gradient descent (learning rate $0.02$) is still at\n$x \\approx 1.17$ after ten",
         lambda: round(ch.gradient_descent(QUAD, 2.0, 0.02, 10)[-1], 2) == 1.17),
        ("its loss, about $-1.063$, is already within $0.01$ of the\nvalley's floor, "
         "about $-1.070$",
         lambda: round(_f_quad(ch.gradient_descent(QUAD, 2.0, 0.02, 10)[-1]), 3) == -1.063
         and round(_f_quad(_quad_critical()[2]), 3) == -1.070
         and _f_quad(ch.gradient_descent(QUAD, 2.0, 0.02, 10)[-1])
         - _f_quad(_quad_critical()[2]) < 0.01),
        ("Neither has found the **global** minimum: the left-hand valley, at $x \\approx -1.3008$, "
         "is\nmuch deeper ($f \\approx -3.514$)",
         lambda: round(_quad_critical()[0], 4) == -1.3008
         and round(_f_quad(_quad_critical()[0]), 3) == -3.514
         and ch.classify_critical_point(QUAD, ch.critical_points(QUAD)[0]) == "local_min"
         and _f_quad(_quad_critical()[0]) < _f_quad(_quad_critical()[2])),
        ("(10 steps from $x_0 = 0.5$)",
         lambda: any("race_table(x**4 - 3*x**2 + x, 0.5, 0.02, 10)" in cell
                     for cell in code_cells("10_newton_and_gradient_descent"))),
        ("Newton's method stopped at a point where $f' = 0$ and $f'' < 0$",
         lambda: _newton_end_kind() == "local_max"),
        ("For a network with a million weights that is $10^{12}$ numbers",
         lambda: (10**6) ** 2 == 10**12),
    ],
}


def _analysis(f):
    from calc_helpers.worked_example import analyse

    return analyse(f)


def _cubic():
    return _analysis(x**3 - 3 * x**2 - 9 * x + 5)


def _steps(rate: float):
    xs = ch.gradient_descent(ml.mse_linear(), 0, rate, 200)
    return race.steps_to_converge(xs, 13 / 14, 1e-6)


def _best_rate() -> float:
    rates = (0.01, 0.05, 0.1, 0.2, 0.25)
    counts = {r: _steps(r) for r in rates if _steps(r) is not None}
    return min(counts, key=counts.get)


def _f_quad(value: float) -> float:
    return float(QUAD.subs(x, value))


def _newton_end_kind() -> str:
    end = ch.newton_method(QUAD, 0.5, 10)[-1]
    slope = float(ch.derivative(QUAD).subs(x, end))
    bend = float(ch.derivative(QUAD, n=2).subs(x, end))
    return "local_max" if abs(slope) < 1e-9 and bend < 0 else "other"


CLAIM_CASES = [(name, text, check) for name, claims in CLAIMS.items()
               for text, check in claims]


@pytest.mark.parametrize(
    ("name", "text", "check"), CLAIM_CASES,
    ids=[f"{name[:2]}-{i}" for i, (name, _, _) in enumerate(CLAIM_CASES)],
)
def test_markdown_claim_is_what_the_engine_computes(name, text, check):
    assert squeeze(text) in markdown(name), f"claim no longer in {name}: {text!r}"
    assert check(), f"{name}: the engine disagrees with {text!r}"


@pytest.mark.notebooks
def test_lesson_9_outputs_show_the_corrected_tables(executed):
    nb = executed["09_worked_example"]
    shown = "\n".join(
        output.get("data", {}).get("text/markdown", "")
        for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert r"| $\left(-\infty, -1\right)$ | $-2$ | $15$ | $+$ | increasing |" in shown
    assert r"the critical points are $x = -1$, $x = \frac{5}{3}$" in shown
    assert "the inflection point is $(1, -6)$" in shown


@pytest.mark.notebooks
def test_lesson_7_and_8_outputs_show_the_engine_tables(executed):
    def shown(name):
        nb = executed[name]
        return "\n".join(output.get("data", {}).get("text/markdown", "")
                         + output.get("data", {}).get("text/latex", "")
                         + output.get("data", {}).get("text/plain", "")
                         for cell in nb.cells if cell.cell_type == "code"
                         for output in cell.outputs)

    lesson5, lesson6 = shown("07_convexity"), shown("08_critical_points")
    assert ml.convexity_table() in lesson5
    assert ("\\left( \\text{True}, \\text{True}, \\text{True}, \\text{False}, \\text{False} "
            "\\right)") in lesson5
    assert "inconclusive ($f''(c) = 0$) | **local minimum**" in lesson6
    assert saddle.escape_markdown(H, (x, y), (1.5, 0.01), 0.1, -0.24) in lesson6


def test_lesson_7_uses_no_hessian_before_lesson_8_introduces_it():
    """Hessians belong to lesson 8 (critical points in two variables): lesson 7 computes none
    and mentions them only in a pointer to lesson 8."""
    nb = read("07_convexity")
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "hessian" not in cell.source.lower()
            assert "show(two_layer_report())" not in cell.source
        elif "hessian" in cell.source.lower():
            assert "Lesson 8" in cell.source, cell.source
    assert "hessian" in markdown("08_critical_points").lower()
