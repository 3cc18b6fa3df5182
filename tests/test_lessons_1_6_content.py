"""Lessons 1-6: clean notebooks that run, and every mathematical claim of their prose computed.

- hygiene: no outputs or execution counts, the python3 kernelspec, `%matplotlib widget` first,
  code cells that only call into the package (no logic), at least three exercises;
- execution: each notebook runs with nbclient in `course/` without errors or stderr;
- claims: each number or checkable statement written in a Markdown cell is listed in CLAIMS
  with the snippet that states it, and asserted with calc_helpers;
- exercises: the modules' prompts are the notebooks' questions; every check accepts the
  engine's answer and refuses a wrong one.
"""

from __future__ import annotations

import importlib
import re
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy as sp
from lesson_runs import executed_lesson

import autograder as ag
from calc_helpers import (
    classify_critical_point,
    concavity,
    critical_points,
    derivative,
    derivative_at,
    difference_quotient,
    differentiability,
    gradient_descent,
    inflection_points,
    is_convex,
    monotonicity,
    newton_method,
    one_sided_derivatives,
    real_symbol,
    sign_chart,
    subdifferential,
)
from calc_helpers.limits import approach_table, continuity, limit, one_sided_limit
from calc_helpers.ml_losses import W, logistic_loss, mse_linear
from calc_helpers.tables import quotient_table
from calc_helpers.widgets.limit import lesson_function

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
LESSONS = {
    "01_why_derivatives.ipynb": "lesson01",
    "02_limits_and_continuity.ipynb": "lesson02",
    "03_derivative_as_limit.ipynb": "lesson03",
    "04_rules_of_differentiation.ipynb": "lesson04",
    "05_differentiability.ipynb": "lesson05",
    "06_first_and_second_derivatives.ipynb": "lesson06",
}
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

x = real_symbol("x")
h = real_symbol("h")
L = mse_linear()
F2 = x**3 - x
CUBIC = 2 * x**3 + 3 * x**2 - 12 * x + 1  # lesson 6's example (not lesson 9's worked one)
WORKED = x**3 - 3 * x**2 - 9 * x + 5  # lesson 9's worked example, there only
JUMP = sp.Piecewise((x, x < 0), (x + 1, True))
RELU = sp.Max(x, 0)


def read(name: str):
    return nbformat.read(str(COURSE / name), as_version=4)


def markdown(name: str) -> str:
    return "\n\n".join(c.source for c in read(name).cells if c.cell_type == "markdown")


def code_cells(name: str) -> list[str]:
    return [c.source for c in read(name).cells if c.cell_type == "code"]


def exercises_module(name: str):
    if str(COURSE) not in sys.path:
        sys.path.insert(0, str(COURSE))
    return importlib.import_module(f"exercises.{LESSONS[name]}")


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


# --- hygiene ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_notebook_is_stored_clean(name):
    nb = read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == KERNELSPEC
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert "execution" not in cell.metadata


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_code_cells_only_call_into_the_package(name):
    cells = code_cells(name)
    assert cells[0].startswith("%matplotlib widget\n")
    assert f"from exercises import {LESSONS[name]} as ex" in cells[0]
    logic = re.compile(r"^\s*(def|class|for|while|if|with|try|lambda)\b|\blambda\b", re.M)
    for source in cells:
        assert not logic.search(source), source
    for source in cells[1:]:
        assert "import " not in source, source


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_lesson_ends_with_at_least_three_exercises(name):
    nb = read(name)
    module = exercises_module(name)
    checks = [
        (i, m.group(1))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for m in [re.search(r"^ex\.(q\d+)\.check\(answer\)$", cell.source, re.M)]
        if m
    ]
    assert len(checks) >= 3
    for i, q in checks:
        exercise = getattr(module, q)
        assert nb.cells[i].source.startswith("answer = ...  # your answer here\n")
        assert exercise.prompt in nb.cells[i - 1].source  # the question is the module's prompt
        assert nb.cells[i + 1].source.splitlines() == [
            f"# ex.{q}.hint()", f"# ex.{q}.hint(2)", f"# ex.{q}.solution()"
        ]
        assert len(exercise.hints) >= 2
    tail = [c for c in nb.cells[checks[0][0]:] if c.cell_type == "code"]
    assert all(c.source.startswith(("answer = ...", "# ex.")) for c in tail)


def test_lesson_1_draws_the_loop_as_mermaid():
    text = markdown("01_why_derivatives.ipynb")
    block = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert block and block.group(1).startswith("flowchart TD")
    assert "w ← w − η·L′(w)" in block.group(1)


def test_widget_calls_are_the_examples():
    """The notebooks build each widget exactly as its module's example() does."""
    calls = {
        "01_why_derivatives.ipynb":
            "descent_explorer(L, 3, learning_rate=0.05, window=(-1.5, 3.5))",
        "02_limits_and_continuity.ipynb": "limit_explorer(f, (-3, 3), a=0.5)",
        "03_derivative_as_limit.ipynb": "secant_explorer(f, 1)",
        "04_rules_of_differentiation.ipynb":
            "product_rule_explorer(x**2, x + 1, (0.5, 1.5), 1.0)",
        "04_rules_of_differentiation.ipynb ":  # the second widget of lesson 4
            "chain_rule_explorer(sp.sin(u), x**2, (0.0, 1.5), 1.0)",
        "05_differentiability.ipynb": "zoom_explorer(shapes, 0)",
        "06_first_and_second_derivatives.ipynb": "tangent_walker(f, (-3.5, 2.5))",
    }
    for name, call in calls.items():
        assert call in code_cells(name.strip())
    assert "f = x**3 - x" in code_cells("03_derivative_as_limit.ipynb")
    assert "f = lesson_function(x)" in code_cells("02_limits_and_continuity.ipynb")
    assert "f = 2*x**3 + 3*x**2 - 12*x + 1" in code_cells("06_first_and_second_derivatives.ipynb")
    from calc_helpers.widgets.zoom import _lesson_functions

    shapes = _lesson_functions()
    source = next(c for c in code_cells("05_differentiability.ipynb") if c.startswith("shapes"))
    namespace = {"x": x, "sp": sp, "jump": JUMP}
    exec(source, namespace)  # the lesson's own dictionary of functions
    assert namespace["shapes"] == shapes


# --- execution -------------------------------------------------------------------------------


def _seconds(cell) -> float:
    info = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in info:
        return 0.0
    start, end = (
        datetime.fromisoformat(info[k].replace("Z", "+00:00"))
        for k in ("iopub.execute_input", "shell.execute_reply")
    )
    return (end - start).total_seconds()


@pytest.mark.notebooks
@pytest.mark.parametrize("name", sorted(LESSONS))
def test_notebook_executes_cleanly(name, tmp_path_factory):
    nb = executed_lesson(tmp_path_factory, name)  # run once per session (tests/lesson_runs.py)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            assert output.output_type != "error", (cell.source, output.get("evalue"))
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                cell.source, output.text
            )
    print(f"{name}: cells ran {sum(_seconds(c) for c in nb.cells):.1f} s")  # not asserted
    # results are typeset or tabulated (calc_helpers.display.show), never a raw repr
    assert raw_reprs(nb) == [], name
    # the self-checks answer "not attempted" to the placeholder, never an error
    shown = [
        o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code" and c.source.startswith("answer = ...")
        for o in c.outputs
    ]
    assert shown and all("Not attempted" in text for text in shown)


# --- claims in the prose -------------------------------------------------------------------------


def _converges(xs, target):
    return abs(xs[-1] - target) < abs(xs[0] - target) / 10


def _zigzags(xs, target):
    offsets = np.array(xs) - target
    return bool(np.all(np.sign(offsets[1:]) == -np.sign(offsets[:-1])))


W_STAR = critical_points(L)[0]
C = derivative(L, W, 2)
ETA = sp.Symbol("eta", positive=True)


def _lesson1_claims():
    slider_low, slider_high = 0.01, 0.3  # the widget's default learning-rate range
    fast = gradient_descent(L, 3, 0.05, 10)
    return [
        ("where the widget below starts, the slope is positive",
         lambda: derivative_at(L, 3) > 0),
        ("the first step moves $w$ to the left",
         lambda: gradient_descent(L, 3, 0.05, 1)[1] < 3),
        ("Multiplied out, this loss is a parabola in $w$, opening upwards",
         lambda: sp.degree(sp.expand(L), W) == 2 and sp.Poly(L, W).LC() > 0),
        ("The first steps are long, because the graph is steep",
         lambda: bool(np.all(np.diff(np.abs(np.diff(fast))) < 0))),
        ("First the iterates overshoot and zig-zag across the valley while still closing in",
         lambda: slider_low < 1 / float(C) < 0.15 < 2 / float(C) < slider_high
         and _zigzags(gradient_descent(L, 3, 0.15, 8), float(W_STAR))
         and _converges(gradient_descent(L, 3, 0.15, 30), float(W_STAR))),
        ("so its second derivative is a constant", lambda: not C.free_symbols),
        ("Its slope is zero at a single point", lambda: len(critical_points(L)) == 1),
        ("$L'(w) = c\\,(w - w^*)$",
         lambda: sp.expand(derivative(L) - C * (W - W_STAR)) == 0),
        ("= (1 - \\eta c)\\,(w - w^*).$$",
         lambda: sp.expand(W - ETA * derivative(L) - W_STAR - (1 - ETA * C) * (W - W_STAR))
         == 0),
        ("the first with a learning rate below $2/c$, the second with one above it",
         lambda: 0.1 < 2 / C < 0.25
         and _converges(gradient_descent(L, 3, 0.1, 8), float(W_STAR))
         and abs(gradient_descent(L, 3, 0.25, 8)[-1]) > 10),
        ("the loss explodes and the read-out warns **diverging**",
         lambda: 2 / C < slider_high),
    ]


def _lesson3_claims():
    quotient = difference_quotient(F2, 1, h)
    table = quotient_table(F2, 1)
    d = derivative_at(F2, 1)
    return [
        ("Our example for the whole lesson is $f(x) = x^3 - x$ at $a = 1$.", lambda: True),
        ("With $\\Delta x = \\tfrac12$", lambda: True),
        ("the quotient equals this polynomial in $h$", lambda: quotient.is_polynomial(h)),
        ("So $f'(1)$ is the polynomial's constant term",
         lambda: quotient.subs(h, 0) == d == sp.limit(quotient, h, 0)),
        ("every quotient from the right lies above $f'(1)$ and every quotient from the left",
         lambda: all(left < d < right for _, left, right in table.rows)),
        ("the graph bends upwards around $a = 1$",
         lambda: derivative(F2, n=2).subs(x, 1) > 0),
        ("Both columns close in on the same number",
         lambda: one_sided_derivatives(F2, 1) == (d, d)),
        ("At $x = 1$ it gives the same value as the limit in section 2",
         lambda: derivative(F2).subs(x, 1) == d),
        ("Averaging the quotients from the left and\nfrom the right",
         lambda: all(abs((left + right) / 2 - d) < min(abs(left - d), abs(right - d))
                     for _, left, right in table.rows)),
    ]


LIMITS_F = lesson_function(x)
G2 = (x**2 - 1) / (x - 1)
SIGMOID = 1 / (1 + sp.exp(-x))
STEP = sp.Piecewise((0, x < 0), (1, True))


def _lesson2_claims():
    at = {a: continuity(LIMITS_F, a) for a in (-1, 0, 1)}
    p = continuity(sp.Piecewise((3, sp.Eq(x, 2)), (x**2, True)), 2)
    table = approach_table(G2, 1)
    return [
        ("At $x = 1$ the formula gives $\\frac{0}{0}$: $g(1)$ is\n**not defined**",
         lambda: continuity(G2, 1).value is None),
        ("From both sides the values close in on $2$",
         lambda: all(lo < 2 < hi for _, lo, hi in table.rows)
         and abs(table.rows[-1][1] - 2) < abs(table.rows[0][1] - 2)),
        ("\\lim_{x \\to 1} g(x) = 2", lambda: limit(G2, 1) == 2),
        ("what remains is a line", lambda: sp.degree(sp.cancel(G2), x) == 1),
        ("just left of $1$ the values are close to $0$, just right of $1$ close\nto $3$",
         lambda: one_sided_limit(LIMITS_F, 1, "-") == 0
         and one_sided_limit(LIMITS_F, 1, "+") == 3),
        ("**the limit at $1$ does not\nexist**", lambda: limit(LIMITS_F, 1) is None),
        ("not the value $f(1)$ either", lambda: LIMITS_F.subs(x, 1) == 3),
        ("$\\frac1x$ heads to $-\\infty$ from the left and to $+\\infty$ from the right",
         lambda: (continuity(1 / x, 0).left, continuity(1 / x, 0).right) == (-sp.oo, sp.oo)),
        ("$\\frac{1}{x^2}$ heads to $+\\infty$ from both sides",
         lambda: limit(1 / x**2, 0) == sp.oo),
        ("$\\sin\\frac1x$ swings between $-1$ and $1$ infinitely often",
         lambda: continuity(sp.sin(1 / x), 0).kind == "no_limit"),
        ("at $a = -1$ and $a = 1$ a condition fails,\nat $a = 0$ all three hold",
         lambda: not at[-1].continuous and not at[1].continuous and at[0].continuous),
        ("At $a = -1$ the limit **exists**, only $f(-1)$ is missing",
         lambda: at[-1].limit_exists and not at[-1].defined and at[-1].kind == "removable"),
        ("$p(x) = x^2$ for $x \\ne 2$ with\n$p(2) = 3$", lambda: p.kind == "removable"
         and p.value == 3 and p.limit == 4),
        ("At $a = 1$ the one-sided limits are different. This is a **jump discontinuity**",
         lambda: at[1].kind == "jump"),
        ("Put **a** on $-1$", lambda: -1.0 in _limit_positions()),
        ("Put **a** on $1$", lambda: 1.0 in _limit_positions()),
        ("The step has a jump at\n$0$, and everywhere else it is flat, so its slope is $0$",
         lambda: continuity(STEP, 0).kind == "jump"
         and derivative(STEP).subs(x, -1) == 0 and derivative(STEP).subs(x, 1) == 0),
        ("and it is\ncontinuous (and smooth) everywhere",
         lambda: continuity(SIGMOID, 0).continuous
         and differentiability(SIGMOID, 0).kind == "differentiable"),
    ]


def _chain_widget():
    from calc_helpers.widgets import chain

    return chain.example()


def _limit_positions():
    from calc_helpers.widgets import limit as limit_widget

    return set(limit_widget.example().reports)


def _lesson4_claims():
    a = SIGMOID.subs(x, 0)
    loss = (1 / (1 + sp.exp(-2 * W)) - 1) ** 2
    softplus = sp.log(1 + sp.exp(x))
    return [
        ("Every term has a factor $h$",
         lambda: all(term.has(h) for term in sp.expand((x + h) ** 3 - x**3).args)),
        ("In the limit only $3x^2$ survives",
         lambda: sp.limit(sp.cancel(((x + h) ** 3 - x**3) / h), h, 0) == 3 * x**2
         == derivative(x**3)),
        ("such as $\\frac1x = x^{-1}$ and\n$\\sqrt{x} = x^{1/2}$",
         lambda: derivative(1 / x) == -1 * x**-2
         and sp.simplify(derivative(sp.sqrt(x)) - sp.Rational(1, 2) * x ** sp.Rational(-1, 2))
         == 0),
        ("$(f\\,g)' = f'\\,g + f\\,g' .$",
         lambda: sp.expand(derivative(x**2 * (x + 1)) - (2 * x * (x + 1) + x**2)) == 0),
        ("Shrink **Δx** and watch the red corner disappear",
         lambda: derivative_at(x**2 * (x + 1), 1) == 5),
        ("swapping the two terms flips the sign",
         lambda: sp.simplify(derivative(x / (x**2 + 1))
                             - (1 * (x**2 + 1) - x * 2 * x) / (x**2 + 1) ** 2) == 0),
        ("the derivative is\n$\\cos(x^2)$ times $2x$",
         lambda: sp.simplify(derivative(sp.sin(x**2)) - 2 * x * sp.cos(x**2)) == 0),
        ("$\\sigma'(x) = \\sigma(x)\\,\\bigl(1 - \\sigma(x)\\bigr)$",
         lambda: sp.simplify(derivative(SIGMOID) - SIGMOID * (1 - SIGMOID)) == 0),
        ("$\\frac{d}{dx}\\log(1 + e^x) = \\sigma(x)$",
         lambda: sp.simplify(derivative(softplus) - SIGMOID) == 0),
        ("$\\tanh'(x) = 1 - \\tanh^2(x)$",
         lambda: sp.simplify(derivative(sp.tanh(x)) - (1 - sp.tanh(x) ** 2)) == 0),
        ("$u = 0$ and $a = \\sigma(0) = \\frac12$", lambda: a == sp.Rational(1, 2)),
        ("the three factors are $-1$,\n$\\frac14$ and $2$, and $\\frac{dL}{dw} = -\\frac12$",
         lambda: (2 * (a - 1), a * (1 - a), 2) == (-1, sp.Rational(1, 4), 2)
         and derivative_at(loss, 0) == sp.Rational(-1, 2)),
        ("increase $w$ to lower the loss", lambda: derivative_at(loss, 0) < 0),
        ("the left panel is $u = g(x) = x^2$ and the right panel $y = f(u) = \\sin u$",
         lambda: _chain_widget().inner_expr == x**2
         and _chain_widget().outer_expr == sp.sin(real_symbol("u"))),
        ("their product the exact derivative",
         lambda: sp.simplify(_chain_widget().composite_derivative - 2 * x * sp.cos(x**2)) == 0),
    ]


def _smooth_bend_at(zoom: float) -> float:
    """How far x² + x/2 strays from its tangent in the zoom window, relative to the window."""
    import inspect

    from calc_helpers.widgets.zoom import zoom_explorer

    half = inspect.signature(zoom_explorer).parameters["width"].default / zoom
    g = x**2 + x / 2
    tangent = derivative_at(g, 0) * x
    return float(sp.Abs(g - tangent).subs(x, half)) / half


def _lesson5_claims():
    return [
        ("curved at ×1, a straight line by ×100",
         lambda: _smooth_bend_at(1) > 0.5 and _smooth_bend_at(100) < 0.02),
        ("$|x|$ is continuous at $0$ but\nnot differentiable there",
         lambda: differentiability(sp.Abs(x), 0).continuous
         and differentiability(sp.Abs(x), 0).kind == "corner"),
        ("The jump function has $f(0) = 1$, but just left of $0$ its values are close to $0$",
         lambda: JUMP.subs(x, 0) == 1 and sp.limit(JUMP.args[0][0], x, 0, "-") == 0),
        ("has a numerator close to\n$-1$",
         lambda: sp.limit(JUMP.args[0][0], x, 0, "-") - JUMP.subs(x, 0) == -1),
        ("no tangent can follow a\njump",
         lambda: differentiability(JUMP, 0).kind == "discontinuity"),
        ("$|x|$ has slope $-1$ on the left and $1$ on the right",
         lambda: one_sided_derivatives(sp.Abs(x), 0) == (-1, 1)),
        ("every quotient from the left\nequals $-1$ and every quotient from the right equals $1$",
         lambda: all((lo, hi) == (-1, 1) for _, lo, hi in quotient_table(sp.Abs(x), 0).rows)),
        ("ReLU is the same story with slopes\n$0$ and $1$",
         lambda: one_sided_derivatives(RELU, 0) == (0, 1)),
        ("For $x^{2/3}$ they tend to $-\\infty$ from the\nleft and to $+\\infty$ from the right",
         lambda: one_sided_derivatives(x ** sp.Rational(2, 3), 0) == (-sp.oo, sp.oo)
         and differentiability(x ** sp.Rational(2, 3), 0).kind == "cusp"),
        ("For $\\sqrt[3]{x}$ the\nquotients tend to $+\\infty$ from **both** sides",
         lambda: one_sided_derivatives(x ** sp.Rational(1, 3), 0) == (sp.oo, sp.oo)
         and differentiability(x ** sp.Rational(1, 3), 0).kind == "vertical_tangent"),
        ("a choice of one element of the subdifferential $[0, 1]$",
         lambda: subdifferential(RELU, 0) == sp.Interval(0, 1)
         and subdifferential(RELU, 0).contains(0) == sp.true),
        ("SymPy defines that step function at $0$ as one half",
         lambda: derivative(RELU).subs(x, 0) == sp.Rational(1, 2)),
        ("A third convention, also inside $[0, 1]$",
         lambda: subdifferential(RELU, 0).contains(derivative(RELU).subs(x, 0)) == sp.true),
        ("for ReLU at $0$ it is $[0, 1]$",
         lambda: subdifferential(RELU, 0) == sp.Interval(0, 1)),
    ]


def _lesson6_claims():
    up, down = monotonicity(CUBIC)["increasing"], monotonicity(CUBIC)["decreasing"]
    cup, cdown = concavity(CUBIC)["up"], concavity(CUBIC)["down"]
    cbrt = x ** sp.Rational(1, 3)
    return [
        ("$x^3$\nhas derivative $0$ at $0$ and keeps increasing straight through it",
         lambda: derivative_at(x**3, 0) == 0
         and monotonicity(x**3)["increasing"] == sp.Interval(-sp.oo, sp.oo)),
        ("the points where $f'$ does not exist (like $|x|$ at $0$)",
         lambda: differentiability(sp.Abs(x), 0).kind == "corner"
         and critical_points(sp.Abs(x)) == [0]),
        ("mislabel the first interval as\n\"decreasing\" when a test point there shows $f' > 0$",
         lambda: sign_chart(CUBIC).rows[0][1] == 1),
        ("$x^4$ has $f''(0) = 0$ but is concave up on both\nsides of $0$",
         lambda: derivative(x**4, n=2).subs(x, 0) == 0 and inflection_points(x**4) == []
         and concavity(x**4)["up"] == sp.Interval(-sp.oo, sp.oo)),
        ("concavity can change where $f''$ does not exist ($\\sqrt[3]{x}$ at\n$0$)",
         lambda: inflection_points(cbrt) == [0]
         and differentiability(derivative(cbrt), 0).kind != "differentiable"),
        ("$f'(0) = 0$ and $f''(0) = 0$. Yet $x^4$\nhas a minimum there, $-x^4$ a maximum, "
         "and $x^3$ neither",
         lambda: all(derivative_at(g, 0) == 0 and derivative(g, n=2).subs(x, 0) == 0
                     for g in (x**3, x**4, -(x**4)))
         and [classify_critical_point(g, 0) for g in (x**4, -(x**4), x**3)]
         == ["local_min", "local_max", "neither"]),
        ("\"increasing\" and \"concave up\" are independent: every combination occurs",
         lambda: all(a.intersect(b) != sp.S.EmptySet
                     for a in (up, down) for b in (cup, cdown))),
        ("Stop on the critical points", lambda: critical_points(CUBIC) == [-2, 1]),
        ("Stop on the inflection point",
         lambda: inflection_points(CUBIC) == [sp.Rational(-1, 2)]),
        ("Note the\n\"$\\ge$\": $x^4$ is convex although $f''(0) = 0$",
         lambda: is_convex(x**4)),
        ("Our cubic is neither on the whole line: it\nis concave down to the left of its "
         "inflection point and concave up to the right",
         lambda: not is_convex(CUBIC) and not is_convex(-CUBIC)
         and cdown == sp.Interval.open(-sp.oo, sp.Rational(-1, 2))
         and cup == sp.Interval.open(sp.Rational(-1, 2), sp.oo)),
        ("The mean squared error of lesson 1 is convex", lambda: is_convex(L)),
        ("the logistic loss of lesson 7 is convex, yet only approaches its\nlowest value",
         lambda: is_convex(logistic_loss()) and critical_points(logistic_loss()) == []),
        ("On a parabola it lands on\nthe minimum in a single step",
         lambda: newton_method(L, 3, 1)[1] == pytest.approx(float(W_STAR))),
    ]


CLAIMS = {
    "01_why_derivatives.ipynb": _lesson1_claims,
    "02_limits_and_continuity.ipynb": _lesson2_claims,
    "04_rules_of_differentiation.ipynb": _lesson4_claims,
    "03_derivative_as_limit.ipynb": _lesson3_claims,
    "05_differentiability.ipynb": _lesson5_claims,
    "06_first_and_second_derivatives.ipynb": _lesson6_claims,
}


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_prose_claims_are_computed(name):
    text = " ".join(markdown(name).split())  # line breaks in the Markdown do not matter
    for snippet, holds in CLAIMS[name]():
        assert " ".join(snippet.split()) in text, f"claim no longer in {name}: {snippet!r}"
        assert holds(), f"{name}: the engine disagrees with {snippet!r}"


# Numbers in the prose that are labels, not claims (small integers 0-7 are exponents, section
# numbers and the examples' own formulas, and are not policed here).
LABELS = {
    "01_why_derivatives.ipynb": {"10"},  # the "10 steps" button
    "02_limits_and_continuity.ipynb": set(),
    "04_rules_of_differentiation.ipynb": set(),
    "03_derivative_as_limit.ipynb": set(),
    "05_differentiability.ipynb": {"100"},  # "a straight line by ×100": claimed above
    "06_first_and_second_derivatives.ipynb": set(),
}


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_no_unclaimed_numbers_in_the_prose(name):
    """A decimal or a number above 7 in the Markdown (outside the exercise prompts, which the
    modules compute) must be a label listed above; every other value comes from code output."""
    text = markdown(name)
    module = exercises_module(name)
    for q in (v for k, v in vars(module).items() if re.fullmatch(r"q\d+", k)):
        text = text.replace(q.prompt, "")
    numbers = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])", text))
    suspicious = {n for n in numbers if "." in n or int(n) > 7}
    assert suspicious <= LABELS[name], f"{name}: unexplained numbers {sorted(suspicious)}"


# --- exercises -------------------------------------------------------------------------------


def _answers():
    from exercises import lesson01, lesson02, lesson03, lesson04, lesson05, lesson06  # noqa: F401

    g = x**3 + 3 * x**2 - 24 * x + 1
    hq = x**3 - 3 * x**2 + 2
    return {
        "lesson01": {
            "q1": (derivative(L), "28w/3"),
            "q2": (0 - sp.Rational(1, 10) * derivative_at(L, 0), "-13/15"),
            "q3": (2 / C, "2/3"),
            "q4": (W_STAR, "1"),
        },
        "lesson02": {
            "q1": (limit((x**2 - 9) / (x - 3), 3), "DNE"),
            "q2": (one_sided_limit(sp.Piecewise((x**2, x < 2), (x + 3, True)), 2, "-"), "5"),
            "q3": ("does not exist", "4"),
            "q4": (continuity((x**2 + x - 2) / (x - 1), 1).kind, "jump"),
            "q5": (continuity(sp.Piecewise((x**2, x < 2), (x + 3, True)), 2).kind, "removable"),
        },
        "lesson04": {
            "q1": (derivative(3 * x**4 - 2 / x + 6 * sp.sqrt(x)), "12x^3 - 2/x^2 + 3/sqrt(x)"),
            "q2": (derivative(x**3 * sp.cos(x)), "-3x^2 sin(x)"),
            "q3": (derivative(x / (x**2 + 1)), "(2x^2 - (x^2+1))/(x^2+1)^2"),
            "q4": (derivative((3 * x**2 + 1) ** 5), "5(3x^2+1)^4"),
            "q5": (derivative(sp.log(1 + sp.exp(2 * x))), "e^(2x)/(1+e^(2x))"),
        },
        "lesson03": {
            "q1": (difference_quotient(x**2, 3, sp.Rational(1, 10)), "6"),
            "q2": (difference_quotient(x**2, 3, h), "h + 9"),
            "q3": (derivative_at(F2, 2), "12"),
            "q4": (derivative(1 / x), "1/x^2"),
        },
        "lesson05": {
            "q1": (differentiability(sp.Abs(x - 2), 2).kind, "differentiable"),
            "q2": (differentiability((x - 1) ** sp.Rational(2, 3), 1).kind, "corner"),
            "q3": ("differentiable", "corner"),
            "q4": (subdifferential(sp.Max(x, x / 10), 0), "[0, 1]"),
        },
        "lesson06": {
            "q1": (critical_points(g), [2]),
            "q2": (monotonicity(g)["increasing"], "(-oo, -4)"),
            "q3": ({c: classify_critical_point(hq, c) for c in critical_points(hq)},
                   {0: "local_min", 2: "local_max"}),
            "q4": (concavity(x**4 - 6 * x**2)["up"], "(-1, 1)"),
            "q5": (is_convex(x**4), False),
        },
    }


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_exercises_accept_the_engines_answer_and_refuse_a_wrong_one(name, capsys):
    module = exercises_module(name)
    answers = _answers()[LESSONS[name]]
    assert set(answers) == {k for k in vars(module) if re.fullmatch(r"q\d+", k)}
    for q, (right, wrong) in answers.items():
        exercise = getattr(module, q)
        assert exercise.check(right).correct, (q, right)
        assert not exercise.check(wrong).correct, (q, wrong)
        assert exercise.check(...).state == "not_attempted"
        exercise.hint()
        exercise.hint(2)
        exercise.solution()
    assert "Solution" in capsys.readouterr().out


# Held-out student answers for the new lessons' exercises: right in several forms, each
# misconception the question diagnoses (with its tag), and junk.
DIAGNOSES = {
    "lesson02": [
        ("q1", "6", "correct", ()), ("q1", "12/2", "correct", ()),
        ("q1", sp.Integer(6), "correct", ()),
        ("q1", "DNE", "not_yet", ("limit_needs_value",)),
        ("q1", "undefined", "not_yet", ("limit_needs_value",)),
        ("q1", 0, "not_yet", ("indeterminate_evaluated",)),
        ("q1", "1", "not_yet", ("indeterminate_evaluated",)),
        ("q1", "x + 3", "cannot_read", ()),
        ("q2", 4, "correct", ()), ("q2", "2^2", "correct", ()),
        ("q2", 5, "not_yet", ("limit_is_value",)),
        ("q3", "DNE", "correct", ()), ("q3", "does not exist", "correct", ()),
        ("q3", None, "not_attempted", ()),  # None is the placeholder, not an answer
        ("q3", 4, "not_yet", ("one_side_only",)), ("q3", "5", "not_yet", ("one_side_only",)),
        ("q3", "9/2", "not_yet", ("averaged_sides",)), ("q3", "banana", "cannot_read", ()),
        ("q4", "removable", "correct", ()), ("q4", "Removable discontinuity", "correct", ()),
        ("q4", "hole", "correct", ()),
        ("q4", "jump", "not_yet", ("hole_called_jump",)),
        ("q4", "continuous", "not_yet", ("continuity_needs_three",)),
        ("q4", "infinite", "not_yet", ("limit_needs_value",)),
        ("q4", 3, "cannot_read", ()),
        ("q5", "jump", "correct", ()), ("q5", "Jump discontinuity", "correct", ()),
        ("q5", "removable", "not_yet", ("jump_called_hole",)),
        ("q5", "continuous", "not_yet", ("continuity_needs_three",)),
    ],
    "lesson04": [
        ("q1", "12x^3 + 2/x^2 + 3/sqrt(x)", "correct", ()),
        ("q1", "12*x**3 + 2*x**(-2) + 3*x**(-1/2)", "correct", ()),
        ("q1", "12x^3 - 2/x^2 + 3/sqrt(x)", "not_yet", ("sign_error",)),
        ("q1", "12x^3 + 2x^(-2) + 3x^(1/2)", "not_yet", ("power_rule_error",)),
        ("q1", "12x^3 + 2/x^2 + 1/(2sqrt(x))", "not_yet", ("constant_factor_dropped",)),
        ("q2", "3x^2cos(x) - x^3 sin(x)", "correct", ()),
        ("q2", "x^2(3cos(x) - x sin(x))", "correct", ()),
        ("q2", "-3x^2 sin(x)", "not_yet", ("product_rule_as_product",)),
        ("q3", "(1 - x^2)/(x^2 + 1)^2", "correct", ()),
        ("q3", "(2x^2 - (x^2+1))/(x^2+1)^2", "not_yet", ("quotient_rule_order",)),
        ("q3", "1/(2x)", "not_yet", ("product_rule_as_product",)),
        ("q4", "30x(3x^2+1)^4", "correct", ()),
        ("q4", "5(3x^2+1)^4", "not_yet", ("missing_chain_factor",)),
        ("q5", "2e^(2x)/(1+e^(2x))", "correct", ()),
        ("q5", "2/(1 + e^(-2x))", "correct", ()),
        ("q5", "e^(2x)/(1+e^(2x))", "not_yet", ("missing_chain_factor",)),
        ("q5", "2x +", "cannot_read", ()),
    ],
}


@pytest.mark.parametrize(
    ("module_name", "q", "answer", "state", "tags"),
    [(m, *case) for m, cases in DIAGNOSES.items() for case in cases],
    ids=[f"{m}-{case[0]}-{case[1]!s}" for m, cases in DIAGNOSES.items() for case in cases],
)
def test_new_lessons_exercises_diagnose_the_mistake(module_name, q, answer, state, tags):
    if str(COURSE) not in sys.path:
        sys.path.insert(0, str(COURSE))
    exercise = getattr(importlib.import_module(f"exercises.{module_name}"), q)
    feedback = exercise._check(answer)
    assert (feedback.state, feedback.tags) == (state, tags), feedback.message
    if tags:
        assert ag.MESSAGES[tags[0]] in feedback.message


def test_the_worked_example_lives_in_lesson_9_only():
    """Lesson 6 teaches on another cubic; x^3 - 3x^2 - 9x + 5 appears in no other lesson."""
    for name in LESSONS:
        text = "\n".join(c.source for c in read(name).cells)
        assert "x**3 - 3*x**2 - 9*x + 5" not in text and "x^3 - 3x^2 - 9x + 5" not in text, name
    assert critical_points(CUBIC) != critical_points(WORKED)
