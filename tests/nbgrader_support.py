"""Helpers for the tests that drive nbgrader on the course's assignments.

Reusable by other test modules (``from nbgrader_support import ...``):

* `make_course` copies the course (config and ``source/``) into a temporary folder;
* `run_nbgrader` runs a batch of nbgrader command lines in one Python process through the
  real CLI application (``NbGraderApp``, the class behind the ``nbgrader`` executable), so
  the 2-3 s start-up is paid once per batch instead of once per command; `nbgrader_cli` runs
  the ``nbgrader`` executable itself;
* `right_answers`, `typical_mistakes` and `fill_notebook` produce and write what a student
  types: right answers are the source notebook's own solution code run for that student's
  variant, turned into literal values (strings, numbers, lists, dicts) a student would write;
* `record_worked_as` writes the identity record the setup cell writes when a student runs it;
* `hidden_test_lines` and `feedback_text` support "no hidden test in the feedback" checks.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import sympy as sp

from autograder import variants
from autograder.answers import show_set
from autograder.nbgrader_support import split_hidden

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = variants.ASSIGNMENTS
COURSE_ID = variants.COURSE_ID
BIN = Path(sys.executable).parent


# ---------------------------------------------------------------------------------------------
# A course folder and nbgrader commands
# ---------------------------------------------------------------------------------------------


def source_notebook(assignment: str, root: Path = REPO) -> Path:
    """The instructor's notebook of an assignment (one notebook per assignment)."""
    return root / "source" / assignment / f"{assignment}.ipynb"


def make_course(dest: Path, assignments: Iterable[str] = ASSIGNMENTS) -> Path:
    """A copy of the course (nbgrader_config.py and source/) in `dest`; returns `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", dest / "nbgrader_config.py")
    for assignment in assignments:
        shutil.copytree(REPO / "source" / assignment, dest / "source" / assignment)
    return dest


def nbgrader_env(exchange: Path, **extra: str) -> dict[str, str]:
    """The environment for nbgrader commands: the venv first on PATH, a private exchange."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["DFML_EXCHANGE_ROOT"] = str(exchange)
    for name in ("JUPYTERHUB_USER", variants.STUDENT_ENV, variants.GRADED_ENV):
        env.pop(name, None)
    env.update(extra)
    return env


_DRIVER = r"""
import json, os, sys, time
from jupyter_core.application import NoStart
from nbgrader.apps.nbgraderapp import NbGraderApp

results = []
for argv, cwd in json.loads(sys.argv[1]):
    os.chdir(cwd)
    NbGraderApp.clear_instance()
    for cls in list(NbGraderApp.subcommands.values()):
        try:
            cls[0].clear_instance()
        except Exception:
            pass
    app = NbGraderApp.instance()
    code, start = 0, time.time()
    try:
        app.initialize(argv)
        app.start()
    except NoStart:
        pass
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    print(f"### nbgrader {' '.join(argv)} -> {code} ({time.time() - start:.1f} s)",
          file=sys.stderr, flush=True)
    results.append(code)
print(json.dumps(results))
"""


@dataclass
class Batch:
    """The outcome of `run_nbgrader`: one exit code per command, and the combined log."""

    commands: list[tuple[list[str], str]]
    codes: list[int]
    log: str

    def check(self) -> Batch:
        """Raise AssertionError (with the log) unless every command exited with 0."""
        failed = [
            " ".join(argv)
            for (argv, _), code in zip(self.commands, self.codes, strict=True)
            if code
        ]
        if failed or len(self.codes) != len(self.commands):
            raise AssertionError(f"nbgrader failed: {failed}\n{self.log[-6000:]}")
        return self


def run_nbgrader(
    commands: Sequence[tuple[Sequence[str], Path]], env: dict[str, str], timeout: float = 1800
) -> Batch:
    """Run nbgrader command lines ``(argv, cwd)`` in order, in one fresh Python process.

    Each command goes through ``NbGraderApp`` exactly as ``nbgrader ARGV`` would (the same
    argument parsing, config files from `cwd`, subcommand); only the interpreter is shared.
    """
    plan = [([str(a) for a in argv], str(cwd)) for argv, cwd in commands]
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(plan)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    codes: list[int] = []
    lines = done.stdout.strip().splitlines()
    if lines:
        try:
            codes = json.loads(lines[-1])
        except ValueError:
            codes = []
    return Batch(plan, codes, done.stdout + done.stderr)


def nbgrader_cli(
    args: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run the ``nbgrader`` executable itself."""
    return subprocess.run(
        [str(BIN / "nbgrader"), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def student_flags(exchange: Path, home: Path) -> list[str]:
    """What a student passes to fetch and submit (no course config in their folder)."""
    return [f"--course={COURSE_ID}", f"--Exchange.root={exchange}", f"--Exchange.cache={home}/.nbc"]


# ---------------------------------------------------------------------------------------------
# Notebooks: cells by grade id
# ---------------------------------------------------------------------------------------------


def nbgrader_meta(cell: Any) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell: Any) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def cells_by_id(nb: Any) -> dict[str, Any]:
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def questions(nb: Any) -> list[str]:
    """The autograded question ids of a notebook, from its ``answer_<qid>`` code cells."""
    return [
        grade_id(c).removeprefix("answer_")
        for c in nb.cells
        if c.cell_type == "code" and nbgrader_meta(c).get("solution") and grade_id(c)
    ]


def written_answer_id(nb: Any) -> str:
    """The grade id of the manually graded written answer (a markdown grade+solution cell)."""
    (found,) = [
        grade_id(c)
        for c in nb.cells
        if c.cell_type == "markdown" and nbgrader_meta(c).get("solution")
    ]
    return found


def solution_code(cell_source: str) -> str:
    """The code between ### BEGIN SOLUTION and ### END SOLUTION of an answer cell."""
    match = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell_source, re.S)
    if not match:
        raise ValueError("no solution region in this cell")
    return match.group(1)


def hidden_test_lines(nb: Any) -> list[str]:
    """The distinctive lines of every hidden-test region of a notebook (stripped)."""
    lines: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            lines += [line.strip() for line in split_hidden(cell.source)[1] if line.strip()]
    return lines


def feedback_text(path: Path) -> str:
    """The visible text of a feedback HTML file (tags removed, entities decoded)."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


# ---------------------------------------------------------------------------------------------
# What students type
# ---------------------------------------------------------------------------------------------


def literal(value: Any) -> Any:
    """A value as a student would type it: numbers, strings, lists, tuples, dicts, bools."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, sp.logic.boolalg.BooleanAtom):
        return bool(value)
    if isinstance(value, sp.Integer):
        return int(value)
    if isinstance(value, sp.Rational):
        return f"{value.p}/{value.q}"
    if isinstance(value, sp.Float):
        return float(value)
    if isinstance(value, sp.Set):
        return show_set(value)
    if isinstance(value, sp.MatrixBase):
        return literal(value.tolist())
    if isinstance(value, sp.Expr):
        return sp.sstr(value)
    if isinstance(value, list | tuple):
        return type(value)(literal(v) for v in value)
    if isinstance(value, dict):
        return {literal(k): literal(v) for k, v in value.items()}
    raise TypeError(f"cannot write {value!r} as a literal")


def problem_set(assignment: str, student: str) -> variants.ProblemSet:
    return variants.problem_set(assignment, student)


def right_answers(assignment: str, student: str, root: Path = REPO) -> dict[str, Any]:
    """{qid: literal} of `student`'s right answers: the source solution code, run for them."""
    nb = nbformat.read(source_notebook(assignment, root), as_version=4)
    ps = problem_set(assignment, student)
    cells = cells_by_id(nb)
    answers = {}
    for qid in questions(nb):
        namespace: dict[str, Any] = {"ps": ps}
        exec(solution_code(cells[f"answer_{qid}"].source), namespace)  # noqa: S102 - our code
        answers[qid] = literal(namespace[f"answer_{qid}"])
    return answers


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: what is typed, the expected share of the points, and the
    misconception tags the feedback must name (their messages are in MESSAGES)."""

    answer: Any
    fraction: float
    tags: tuple[str, ...] = ()


def _x():
    return sp.Symbol("x", real=True)


def _w():
    return sp.Symbol("w", real=True)


def _mistakes_ps1(ps: variants.ProblemSet) -> dict[str, Mistake]:
    import calc_helpers as ch

    x = _x()
    q = ps.given("1a")
    not_divided = q.f.subs(x, q.p + q.h) - q.f.subs(x, q.p)
    f = ps.f("1c")
    lead = max(f.as_ordered_terms(), key=lambda term: sp.degree(term, x))
    coeff, power = lead.as_coeff_exponent(x)
    wrong_power = sp.diff(f - lead, x) + coeff * power * x**power  # exponent not lowered
    product = ps.f("1d")
    u, v = product.as_ordered_factors()
    as_product = sp.diff(u, x) * sp.diff(v, x)
    no_chain = 2 * ps.f("1f").base  # d/dw (x0 w - y0)^2 without the inner factor x0
    return {
        "1a": Mistake(literal(sp.nsimplify(not_divided)), 0.0),  # forgot to divide by h
        "1b": Mistake(literal(ch.derivative_at(q.f, q.p)), 1.0),
        "1c": Mistake(literal(sp.expand(wrong_power)), 0.0, ("power_rule_error",)),
        "1d": Mistake(literal(as_product), 0.0, ("product_rule_as_product",)),
        "1e": Mistake(literal(ch.derivative(ps.f("1e"))), 1.0),
        "1f": Mistake(literal(sp.expand(no_chain)), 0.0, ("missing_chain_factor",)),
    }


_KIND_MIX_UP = {
    "corner": "differentiable",
    "cusp": "corner",
    "vertical_tangent": "cusp",
    "discontinuity": "corner",
}


def _mistakes_ps2(ps: variants.ProblemSet) -> dict[str, Mistake]:
    import calc_helpers as ch

    q = ps.given("2a")
    left, right = ch.one_sided_derivatives(q.f, q.a)
    b = ps.given("2b")
    kind = ch.differentiability(b.g, b.b).kind
    c = ps.given("2c")
    r = ps.given("2d")
    sub = ch.subdifferential(r.r, r.a)
    relu_fraction = 1.0 if sub.end - sub.start == 1 else 0.5
    e = ps.given("2e")
    x = _x()
    piece = e.f.args[0].expr
    m = ch.derivative_at(piece, e.a)
    return {
        "2a": Mistake((literal(left), literal(left)), 0.5),
        "2b": Mistake(_KIND_MIX_UP[kind], 0.0),
        "2c": Mistake(ch.differentiability(c.h, c.c).kind, 1.0),
        # ReLU's [0, 1] moved by the linear slope, forgetting the factor of the ReLU part
        "2d": Mistake(f"[{literal(sub.start)}, {literal(sub.start + 1)}]", relu_fraction),
        "2e": Mistake((literal(m), literal(piece.subs(x, e.a))), 0.5),
    }


def _mistakes_ps3(ps: variants.ProblemSet) -> dict[str, Mistake]:
    import calc_helpers as ch

    f = ps.f("3a")
    points = ch.critical_points(f)
    shape = ch.monotonicity(f)
    g = ps.f("3d")
    h = ps.f("3f")
    classes = {c: ch.classify_critical_point(h, c) for c in ch.critical_points(h)}
    flat = next(c for c, kind in classes.items() if kind == "neither")
    other = next(kind for kind in classes.values() if kind != "neither")
    wrong_classes = dict(classes)
    wrong_classes[flat] = other
    return {
        "3a": Mistake(literal(points[:1]), 0.5, ("missing_point",)),
        "3b": Mistake(literal(shape["decreasing"]), 0.0, ("increasing_decreasing_swapped",)),
        "3c": Mistake(literal(shape["decreasing"]), 1.0),
        "3d": Mistake(literal(ch.concavity(g)["down"]), 0.0, ("concavity_swapped",)),
        "3e": Mistake(literal(ch.inflection_points(g)[:1]), 0.5, ("missing_inflection",)),
        "3f": Mistake(literal(wrong_classes), 0.5, ("second_derivative_test_misused",)),
    }


def _mistakes_ps4(ps: variants.ProblemSet) -> dict[str, Mistake]:
    import calc_helpers as ch

    q = ps.given("4a")
    convex = [ch.is_convex(f) for f in (q.f1, q.f2, q.f3, q.f4)]
    convex[0] = not convex[0]
    f = ps.f("4b")
    points = ch.critical_points(f)
    classes = {c: ch.classify_critical_point(f, c) for c in points}
    smooth = [p for p in points if ch.differentiability(f, p).differentiable]
    swap = {"local_min": "local_max", "local_max": "local_min", "neither": "neither"}
    hinge = ps.given("4d")
    sub = ch.subdifferential(hinge.L, hinge.a)
    bowl = ps.f("4f")
    square = next(t for t in bowl.as_ordered_terms() if isinstance(t, sp.Pow))
    vertex = _x() - square.base  # the parabola's vertex, ignoring the |x - b| term
    return {
        "4a": Mistake(convex, 0.75),
        "4b": Mistake(literal(smooth), 0.5, ("missing_nondifferentiable_point",)),
        "4c": Mistake(literal({c: swap[k] for c, k in classes.items()}), 0.0, ("min_max_swapped",)),
        # the hinge's slope taken with the wrong sign: [m, m + k] instead of [m - k, m]
        "4d": Mistake(f"[{literal(sub.end)}, {literal(2 * sub.end - sub.start)}]", 0.0),
        "4e": Mistake(literal(ch.inflection_points(ps.f("4e"))[0]), 1.0),
        "4f": Mistake(literal(vertex), 0.0),
    }


def _mistakes_ps5(ps: variants.ProblemSet) -> dict[str, Mistake]:
    import calc_helpers as ch

    x, y, w = _x(), sp.Symbol("y", real=True), _w()
    q = ps.given("5a")
    slope = sp.diff(q.f, w)
    ascent, value = [], sp.Integer(q.w0)
    for _ in range(3):  # gradient *ascent*: the sign of the step flipped
        value = value + q.eta * slope.subs(w, value)
        ascent.append(float(value))
    n = ps.given("5b")
    roots, value = [], sp.Integer(n.w0)
    for _ in range(2):  # Newton for a root of f, not of f'
        value = value - n.f.subs(w, value) / sp.diff(n.f, w).subs(w, value)
        roots.append(float(value))
    f = ps.f("5c")
    grad = ch.gradient(f, ["x", "y"])
    no_cross = sp.diff(f.subs(x * y, 0), y)  # the xy term forgotten in df/dy
    hessian = ch.hessian(f, ["x", "y"]).tolist()
    hessian[0][1] = hessian[1][0] = 0
    s = ps.f("5e")
    point = sp.solve(ch.gradient(s, ["x", "y"]), [x, y], dict=True)[0]
    return {
        "5a": Mistake(ascent, 0.0),
        "5b": Mistake(roots, 0.0),
        "5c": Mistake([literal(grad[0]), literal(no_cross)], 0.5),
        "5d": Mistake(literal(hessian), 0.5),
        "5e": Mistake((literal(point[x]), literal(-point[y])), 0.5),
        "5f": Mistake(literal(1 / ch.derivative(ps.f("5f"), "w", 2)), 0.0),
    }


_MISTAKES: dict[str, Callable[[variants.ProblemSet], dict[str, Mistake]]] = dict(
    zip(
        ASSIGNMENTS,
        (_mistakes_ps1, _mistakes_ps2, _mistakes_ps3, _mistakes_ps4, _mistakes_ps5),
        strict=True,
    )
)


def typical_mistakes(assignment: str, student: str) -> dict[str, Mistake]:
    """{qid: Mistake}: the answers a student with the usual misconceptions types."""
    return _MISTAKES[assignment](problem_set(assignment, student))


def answer_source(qid: str, value: Any) -> str:
    """The answer cell as the student leaves it."""
    return f"answer_{qid} = {value!r}\n"


def fill_notebook(path: Path, answers: dict[str, Any], written: str | None = None) -> None:
    """Write `answers` ({qid: literal}) into a student's notebook, and the written answer."""
    nb = nbformat.read(path, as_version=4)
    cells = cells_by_id(nb)
    for qid, value in answers.items():
        cells[f"answer_{qid}"].source = answer_source(qid, value)
    if written is not None:
        cells[written_answer_id(nb)].source = written
    nbformat.write(nb, path)


def record_worked_as(
    folder: Path, assignment: str, student: str, source: str = "jupyterhub"
) -> None:
    """The identity record the setup cell writes when `student` runs it in `folder`."""
    variants.record_identity(folder, assignment, variants.Identity(student, source))
