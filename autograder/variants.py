"""Per-student variants of the graded problem sets, and who the student is.

Every assignment draws its functions from a seeded family: the same kind of function and the
same difficulty for everyone, different numbers for each student. The seed is the student's
identity, so a student always sees, and is graded on, the same variant:

* while nbgrader autogrades (``NBGRADER_EXECUTION=autograde``) the identity is the student id
  nbgrader grades: ``DFML_GRADED_STUDENT`` in the environment the grading kernel was started
  with (the course's nbgrader config sets it; code in the notebook cannot change a process's
  initial environment), else the working folder ``autograded/<student>/<assignment>``;
* otherwise ``DFML_STUDENT_ID`` when it is set (an instructor previewing a student's variant,
  or a shared machine without JupyterHub), then the JupyterHub user (``JUPYTERHUB_USER``);
* otherwise the self-study default ``"self-study"``: everyone working alone shares one variant.

The setup cell of an assignment (`setup`) records the identity it ran under in a small file
beside the notebook (`RECORD_FILE`); ``nbgrader submit`` carries it along, and at grading the
setup cell, the hidden tests and the gradebook comments say plainly when the notebook was
worked under another identity than the one it is graded under.

Nothing here imports SymPy at module level: the identity functions are cheap, and nbgrader's
own process (which loads this file through `nbgrader_support`) never needs the families.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

COURSE_ID = "derivatives-for-ml"
DEFAULT_STUDENT = "self-study"
STUDENT_ENV = "DFML_STUDENT_ID"
GRADED_ENV = "DFML_GRADED_STUDENT"  # set in the grading kernel's environment at launch
GRADED_FOLDER_ENV = "DFML_GRADED_FOLDER"  # the graded notebook's folder, likewise
RECORD_FILE = ".worked_by.json"

ASSIGNMENTS = (
    "ps1_limits_and_derivatives",
    "ps2_differentiability",
    "ps3_shape_of_a_function",
    "ps4_convexity_and_critical_points",
    "ps5_optimisation_for_ml",
)

SOURCES = {
    "nbgrader": "the student id nbgrader is grading",
    "env": f"the {STUDENT_ENV} environment variable",
    "jupyterhub": "your JupyterHub user name",
    "default": f"the self-study default: no JupyterHub user and no {STUDENT_ENV} set",
}


# ---------------------------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who a notebook is run for: the `student` name and where it came from (`source`)."""

    student: str
    source: str  # a key of SOURCES

    @property
    def grading(self) -> bool:
        """Whether this is nbgrader grading the notebook."""
        return self.source == "nbgrader"

    def describe(self) -> str:
        """'alice' (your JupyterHub user name)."""
        return f"'{self.student}' ({SOURCES[self.source]})"


def student_from_autograde_folder(folder: str | os.PathLike) -> str | None:
    """The student id in nbgrader's grading folder ``.../<student>/<assignment>``."""
    parts = Path(folder).resolve().parts
    return parts[-2] if len(parts) >= 3 and parts[-2] else None


def initial_environ() -> dict[str, str]:
    """The environment this process started with (Linux: /proc/self/environ), else {}.

    Code running in the process can change ``os.environ`` but not this: grading decisions
    read it, so a notebook cannot make itself graded as someone else.
    """
    try:
        raw = Path("/proc/self/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.decode("utf-8", "replace").partition("=") for item in raw.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def _launch_setting(name: str, environ: Mapping[str, str] | None) -> str:
    """A variable as the process was launched with it, else as it is now ("" if unset)."""
    if environ is not None:
        return (environ.get(name) or "").strip()
    return (initial_environ().get(name) or os.environ.get(name) or "").strip()


def grading_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the notebook being graded (as nbgrader launched it), else the cwd."""
    return Path(_launch_setting(GRADED_FOLDER_ENV, environ) or Path.cwd())


def current_identity(
    folder: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None
) -> Identity:
    """The identity a notebook runs under now (see the module docstring for the order).

    `environ` replaces both the live and the initial environment (for tests). While grading,
    the graded student comes from the environment the kernel started with (the course's
    nbgrader config puts it there), else from ``os.environ`` (a grader that forks kernels
    sets it there), and only then from the folder name.
    """
    live = os.environ if environ is None else environ
    initial = initial_environ() if environ is None else environ
    modes = (initial.get("NBGRADER_EXECUTION"), live.get("NBGRADER_EXECUTION"))
    if "autograde" in modes:
        student = _launch_setting(GRADED_ENV, environ) or student_from_autograde_folder(
            Path.cwd() if folder is None else folder
        )
        if student:
            return Identity(student, "nbgrader")
    for variable, source in ((STUDENT_ENV, "env"), ("JUPYTERHUB_USER", "jupyterhub")):
        value = (live.get(variable) or "").strip()
        if value:
            return Identity(value, source)
    return Identity(DEFAULT_STUDENT, "default")


def variant_seed(assignment: str, student: str) -> int:
    """The seed of a student's variant of an assignment (stable across machines and runs)."""
    digest = hashlib.sha256(f"{COURSE_ID}|{assignment}|{student}".encode()).hexdigest()
    return int(digest[:16], 16)


def variant_code(assignment: str, student: str) -> str:
    """A short code naming the variant, shown to the student and kept in the record."""
    return f"{variant_seed(assignment, student):016x}"[:6]


# ---------------------------------------------------------------------------------------------
# The record of who worked a notebook
# ---------------------------------------------------------------------------------------------


def read_record(folder: str | os.PathLike, assignment: str) -> list[dict[str, Any]] | None:
    """The identities a notebook of `assignment` in `folder` was run under (None: no record)."""
    path = Path(folder) / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entries = data.get(assignment) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return None
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("student"), str)]


def record_identity(
    folder: str | os.PathLike, assignment: str, identity: Identity, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Add `identity` to the record beside the notebook (or refresh its last-seen time)."""
    path = Path(folder) / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    entries = [e for e in data.get(assignment, []) if isinstance(e, dict)]
    for entry in entries:
        if entry.get("student") == identity.student:
            entry["last_seen"] = stamp
            break
    else:
        entries.append(
            {
                "student": identity.student,
                "source": identity.source,
                "variant": variant_code(assignment, identity.student),
                "first_seen": stamp,
                "last_seen": stamp,
            }
        )
    data[assignment] = entries
    try:
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only folder: the notebook still works, only the record is missing
    return entries


def identity_note(entries: list[dict[str, Any]] | None, student: str) -> str | None:
    """A plain warning when a notebook was worked under another identity than `student`.

    None when every recorded identity is `student`, or when there is no record at all (a
    notebook whose setup cell never ran carries none; that is said by `record_status`).
    """
    if not entries:
        return None
    others = [e["student"] for e in entries if e["student"] != student]
    if not others:
        return None
    names = ", ".join(f"'{name}'" for name in dict.fromkeys(others))
    if len(others) < len(entries):
        worked = f"was opened as {names} as well as '{student}'"
    else:
        worked = f"was worked as {names}"
    return (
        f"IDENTITY MISMATCH: this notebook {worked} and is graded as student '{student}'. "
        "Each student has their own functions, so answers written while the notebook showed "
        f"another student's functions are marked against the functions of '{student}' and "
        "are likely to be wrong. If this is a mistake (for example the notebook was started "
        "without logging in), ask the instructor to look at it."
    )


def record_status(folder: str | os.PathLike, assignment: str, student: str) -> str:
    """One plain sentence about the record beside a notebook being graded as `student`."""
    entries = read_record(folder, assignment)
    note = identity_note(entries, student)
    if note:
        return note
    if entries is None:
        return (
            f"This notebook carries no record of who worked it (its setup cell was never run, "
            f"or {RECORD_FILE} was not submitted); it is graded as student '{student}'."
        )
    return f"Worked and graded as student '{student}'."


def is_master_copy(folder: str | os.PathLike) -> bool:
    """Whether `folder` is the course's own source/ or release/ copy of an assignment."""
    folder = Path(folder).resolve()
    return (
        folder.parent.name in ("source", "release")
        and (folder.parent.parent / "nbgrader_config.py").exists()
    )


# ---------------------------------------------------------------------------------------------
# Questions and problem sets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One checked piece of an answer: an autograder check and the reference data it needs.

    The check is called as ``check(answer, *args, question=..., **kwargs)``.
    """

    check: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class Question:
    """A question of a variant: what is shown to the student and how the answer is checked.

    With one part the answer is checked as a whole; with several the answer is a sequence
    (list or tuple) with one entry per part, each part worth the same share of the points.
    `choice` marks answers picked from a few labels (a kind, yes/no): their functions vary,
    but an answer copied from another variant can still be right by chance.
    """

    qid: str
    shown: tuple[tuple[str, Any], ...]
    parts: tuple[Part, ...]
    choice: bool = False
    answer_form: str = ""


class ProblemSet:
    """A student's variant of an assignment: its questions, functions and checks."""

    def __init__(self, assignment: str, student: str, questions: Sequence[Question]):
        self.assignment = assignment
        self.student = student
        self.code = variant_code(assignment, student)
        self.questions = {q.qid: q for q in questions}

    def __repr__(self) -> str:
        return f"<{self.assignment}, variant {self.code} for '{self.student}'>"

    def question(self, qid: str) -> Question:
        """The question `qid` ("1a", ...)."""
        try:
            return self.questions[qid]
        except KeyError:
            known = ", ".join(self.questions)
            raise KeyError(
                f"no question {qid!r} in {self.assignment} (questions: {known})"
            ) from None

    def given(self, qid: str) -> SimpleNamespace:
        """What question `qid` gives you, as attributes: ``q = ps.given("1a"); q.f, q.p``."""
        return SimpleNamespace(**dict(self.question(qid).shown))

    def f(self, qid: str) -> Any:
        """The (first) function of question `qid`."""
        return self.question(qid).shown[0][1]

    def show(self, qid: str) -> Any:
        """Display what question `qid` gives you (in LaTeX in a notebook)."""
        return _Shown(self.question(qid))

    def check(self, qid: str, answer: Any, checks: Any = None):
        """Check an answer to question `qid`; returns the autograder's Feedback.

        `answer` may be a zero-argument function giving it (``lambda: answer_1a``), so that
        checking before the answer cell has run says so instead of raising a NameError.

        Under ``nbgrader validate`` (the Validate button) a wrong answer's message also goes
        to stderr, which is how nbgrader's validator tells a failing test cell.
        """
        from autograder.answers import answer_of

        result = check_question(self.question(qid), answer_of(answer), checks)
        if os.environ.get("NBGRADER_EXECUTION") == "validate" and not result.correct:
            print(f"Question {qid}: {result.message}", file=sys.stderr)
        return result


_GREEK = {"eta": r"\eta"}
_VARIABLES = ("x", "y", "w")


def _label(name: str, value: Any, latex: bool) -> str:
    """f -> f(x) for a function of x; x0 -> x_0; eta -> the Greek letter in LaTeX."""
    import sympy as sp

    shown = name
    if latex:
        shown = _GREEK.get(name, name)
        if name[-1:].isdigit() and not name[:-1][-1:].isdigit():
            shown = f"{name[:-1].rstrip('_')}_{{{name[-1]}}}"
    if isinstance(value, sp.Basic):
        names = sorted(s.name for s in value.free_symbols if s.name in _VARIABLES)
        if names:
            shown += "(" + ", ".join(names) + ")"
    return shown


def _latex(value: Any) -> str:
    import sympy as sp

    if isinstance(value, str):
        return r"\text{" + value + "}"
    if isinstance(value, (list, tuple)):
        return r",\ ".join(_latex(v) for v in value)
    return sp.latex(value)


class _Shown:
    """The given data of a question, rendered for a notebook."""

    def __init__(self, question: Question):
        self.question = question

    def __repr__(self) -> str:
        lines = [f"Question {self.question.qid} gives you:"]
        lines += [f"  {_label(n, v, False)} = {v}" for n, v in self.question.shown]
        if self.question.answer_form:
            lines.append(f"Answer with {self.question.answer_form}")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        lines = [f"**Question {self.question.qid}** gives you:", ""]
        for name, value in self.question.shown:
            lines.append(f"- ${_label(name, value, True)} = {_latex(value)}$")
        if self.question.answer_form:
            lines += ["", f"*Answer with* {self.question.answer_form}"]
        return "\n".join(lines)


def check_question(question: Question, answer: Any, checks: Any = None):
    """Run the question's check(s) on `answer` with the autograder module `checks`.

    Several parts are combined into one Feedback: the mean score, and one line per part.
    """
    if checks is None:
        import autograder as checks
    parts = question.parts
    if len(parts) == 1:
        return _run_part(checks, parts[0], answer, question.qid)
    from autograder import feedback as fb

    if _blank(answer):
        return fb.not_attempted()
    if type(answer) not in (list, tuple) or len(answer) != len(parts):
        labels = ", ".join(p.label for p in parts)
        return fb.cannot_read(
            f"give a list or tuple of {len(parts)} answers, in this order: {labels}."
        )
    results = [
        _run_part(checks, part, item, f"{question.qid}.{i + 1}")
        for i, (part, item) in enumerate(zip(parts, answer, strict=True))
    ]
    score = sum(r.score for r in results) / len(results)
    pairs = list(zip(parts, results, strict=True))
    lines = [f"[{part.label}] {r.message}" for part, r in pairs]
    tags = tuple(dict.fromkeys(t for r in results for t in r.tags))
    if all(r.correct for r in results):
        return fb.correct(", ".join(f"{part.label} = {r.interpreted}" for part, r in pairs))
    if all(r.state == "not_attempted" for r in results):
        return fb.not_attempted()
    if score == 0:
        return fb.not_yet(" ".join(lines), tags)
    return fb.almost(score, " ".join(lines), tags)


def _blank(answer: Any) -> bool:
    return answer is None or answer is ...


def _run_part(checks: Any, part: Part, answer: Any, qid: str):
    check: Callable = getattr(checks, part.check)
    return check(answer, *part.args, question=qid, **dict(part.kwargs))


# ---------------------------------------------------------------------------------------------
# The families, one per assignment
# ---------------------------------------------------------------------------------------------


def _symbols():
    import sympy as sp

    return sp.Symbol("x", real=True), sp.Symbol("w", real=True), sp.Symbol("y", real=True)


def _nonzero(rng: random.Random, low: int, high: int) -> int:
    return rng.choice([v for v in range(low, high + 1) if v != 0])


def _ps1(rng: random.Random) -> list[Question]:
    import sympy as sp

    import calc_helpers as ch

    x, w, _ = _symbols()
    a, b, c = rng.randint(2, 5), _nonzero(rng, -6, 6), rng.randint(-5, 5)
    p = rng.choice([-2, -1, 1, 2, 3])
    h = rng.choice([sp.Rational(1, 2), sp.Rational(1, 4), sp.Rational(1, 5), sp.Rational(1, 10)])
    quad = a * x**2 + b * x + c
    c3, c2, c1, c0 = (
        _nonzero(rng, -4, 4),
        _nonzero(rng, -6, 6),
        _nonzero(rng, -9, 9),
        rng.randint(1, 9),
    )
    cubic = c3 * x**3 + c2 * x**2 + c1 * x + c0
    pa, pb = rng.randint(1, 5), rng.choice([-3, -2, 2, 3])
    product = (x**2 + pa) * sp.exp(pb * x)
    ka, kb, n = rng.choice([2, 3, 4, 5]), _nonzero(rng, -5, 5), rng.choice([3, 4, 5])
    chain = (ka * x + kb) ** n
    x0, y0 = rng.choice([3, 4, 5]), _nonzero(rng, -7, 7)
    loss = (x0 * w - y0) ** 2
    return [
        Question(
            "1a",
            (("f", quad), ("p", p), ("h", h)),
            (Part("check_number", (ch.difference_quotient(quad, p, h),)),),
            answer_form="the number (f(p + h) - f(p)) / h, exactly (a fraction is fine).",
        ),
        Question(
            "1b",
            (("f", quad), ("p", p)),
            (Part("check_number", (ch.derivative_at(quad, p),)),),
            answer_form="the number f'(p), the limit of the difference quotient as h -> 0.",
        ),
        Question(
            "1c",
            (("f", cubic),),
            (Part("check_derivative", (cubic,), {"x": "x"}),),
            answer_form='f\'(x) as an expression in x, e.g. "6*x**2 - 2*x + 1".',
        ),
        Question(
            "1d",
            (("f", product),),
            (Part("check_derivative", (product,), {"x": "x"}),),
            answer_form="f'(x) as an expression in x (product rule).",
        ),
        Question(
            "1e",
            (("f", chain),),
            (Part("check_derivative", (chain,), {"x": "x"}),),
            answer_form="f'(x) as an expression in x (chain rule).",
        ),
        Question(
            "1f",
            (("L", loss), ("x0", x0), ("y0", y0)),
            (Part("check_derivative", (loss,), {"x": "w"}),),
            answer_form="dL/dw as an expression in w.",
        ),
    ]


def _kind_function(kind: str, rng: random.Random):
    """A function with the given behaviour at the returned point (same difficulty for all)."""
    import sympy as sp

    x, _, _ = _symbols()
    a = _nonzero(rng, -4, 4)
    k = rng.choice([2, 3, 4, 5])
    if kind == "corner":
        return k * sp.Abs(x - a) + rng.choice([-1, 1]) * x, a
    if kind == "cusp":
        return k * (x - a) ** sp.Rational(2, 3) + rng.randint(-3, 3), a
    if kind == "vertical_tangent":
        return k * (x - a) ** sp.Rational(1, 3) + rng.randint(-3, 3), a
    jump = rng.choice([-3, -2, -1, 1, 2, 3])
    return sp.Piecewise((k * x, x < a), (k * x + jump, True)), a


def _ps2(rng: random.Random) -> list[Question]:
    import sympy as sp

    import calc_helpers as ch

    x, _, _ = _symbols()
    a, k = _nonzero(rng, -4, 4), rng.choice([2, 3, 4, 5])
    m = rng.choice([v for v in range(-4, 5) if abs(v) != k])
    vee = k * sp.Abs(x - a) + m * x
    left, right = ch.one_sided_derivatives(vee, a)
    kinds = rng.sample(["corner", "cusp", "vertical_tangent", "discontinuity"], 2)
    g, gb = _kind_function(kinds[0], rng)
    h, hc = _kind_function(kinds[1], rng)
    ra, rk, rm = _nonzero(rng, -4, 4), rng.randint(1, 6), _nonzero(rng, -5, 5)
    relu = sp.Max(0, rk * (x - ra)) + rm * x
    ja, jp = _nonzero(rng, -5, 5), rng.randint(-6, 6)
    inner = x**2 + jp
    slope = ch.derivative_at(inner, ja)
    offset = inner.subs(x, ja) - slope * ja
    joined = sp.Piecewise((inner, x <= ja), (sp.Symbol("m") * x + sp.Symbol("q"), True))
    kind_form = 'one of "differentiable", "corner", "cusp", "vertical_tangent", "discontinuity".'
    return [
        Question(
            "2a",
            (("f", vee), ("a", a)),
            (
                Part("check_number", (left,), label="left derivative"),
                Part("check_number", (right,), label="right derivative"),
            ),
            answer_form="a tuple (left derivative at a, right derivative at a).",
        ),
        Question(
            "2b",
            (("g", g), ("b", gb)),
            (Part("check_differentiability", (g, gb), {"x": "x"}),),
            choice=True,
            answer_form=f"how g behaves at b: {kind_form}",
        ),
        Question(
            "2c",
            (("h", h), ("c", hc)),
            (Part("check_differentiability", (h, hc), {"x": "x"}),),
            choice=True,
            answer_form=f"how h behaves at c: {kind_form}",
        ),
        Question(
            "2d",
            (("r", relu), ("a", ra)),
            (Part("check_subdifferential", (relu, ra), {"x": "x"}),),
            answer_form='the subdifferential of r at a as an interval, e.g. "[-1, 2]".',
        ),
        Question(
            "2e",
            (("f", joined), ("a", ja)),
            (
                Part("check_number", (slope,), label="m"),
                Part("check_number", (offset,), label="q"),
            ),
            answer_form="a tuple (m, q) making f differentiable at a.",
        ),
    ]


def _ps3(rng: random.Random) -> list[Question]:
    import sympy as sp

    x, _, _ = _symbols()
    r1, r2 = sorted(rng.sample(range(-5, 6), 2))
    sign = rng.choice([-1, 1])
    cubic = sp.expand(
        sign * (2 * x**3 - 3 * (r1 + r2) * x**2 + 6 * r1 * r2 * x) + rng.randint(-5, 5)
    )
    s1, s2 = sorted(rng.sample(range(-5, 6), 2))
    d1 = rng.randint(-6, 6)
    quartic = sp.expand(x**4 - 2 * (s1 + s2) * x**3 + 6 * s1 * s2 * x**2 + d1 * x)
    t, u = rng.sample(range(-4, 5), 2)
    flip = rng.choice([-1, 1])
    flat = sp.expand(
        flip
        * (3 * x**4 - 4 * (2 * t + u) * x**3 + 6 * (t**2 + 2 * t * u) * x**2 - 12 * t**2 * u * x)
    )
    interval_form = 'a union of open intervals, e.g. "(-oo, -1) U (2, oo)".'
    return [
        Question(
            "3a",
            (("f", cubic),),
            (Part("check_critical_points", (cubic,), {"x": "x"}),),
            answer_form="the list of critical points of f, e.g. [-1, 2].",
        ),
        Question(
            "3b",
            (("f", cubic),),
            (Part("check_intervals", (cubic, "increasing"), {"x": "x"}),),
            answer_form=f"where f is increasing: {interval_form}",
        ),
        Question(
            "3c",
            (("f", cubic),),
            (Part("check_intervals", (cubic, "decreasing"), {"x": "x"}),),
            answer_form=f"where f is decreasing: {interval_form}",
        ),
        Question(
            "3d",
            (("g", quartic),),
            (Part("check_intervals", (quartic, "concave_up"), {"x": "x"}),),
            answer_form=f"where g is concave up: {interval_form}",
        ),
        Question(
            "3e",
            (("g", quartic),),
            (Part("check_inflection_points", (quartic,), {"x": "x"}),),
            answer_form="the list of inflection points of g (x-values).",
        ),
        Question(
            "3f",
            (("h", flat),),
            (Part("check_classification", (flat,), {"x": "x"}),),
            answer_form='a dict {critical point: "local_min" | "local_max" | "neither"}.',
        ),
    ]


def _convex_pool():
    """Convex functions of one variable (p > 0; q any) and ones that are not convex."""
    import sympy as sp

    x, _, _ = _symbols()
    convex = (
        lambda p, q: x**4 + p * x**2,
        lambda p, q: sp.exp(p * x) + q * x,
        lambda p, q: sp.Abs(x - q) + (x - p) ** 2,
        lambda p, q: sp.Max(0, x - q) + p * x,
        lambda p, q: sp.log(1 + sp.exp(p * x)),
    )
    not_convex = (
        lambda p, q: x**3 - p * x,
        lambda p, q: -sp.Abs(x - q),
        lambda p, q: x**4 - p * x**2,
        lambda p, q: -sp.sqrt(x**2 + p),
        lambda p, q: sp.Min(x, q * x),
    )
    return convex, not_convex


def _ps4(rng: random.Random) -> list[Question]:
    import sympy as sp

    import calc_helpers as ch

    x, _, _ = _symbols()
    convex, not_convex = _convex_pool()
    n_convex = rng.choice([1, 2, 3])
    makers = rng.sample(convex, n_convex) + rng.sample(not_convex, 4 - n_convex)
    rng.shuffle(makers)
    quad = [make(rng.choice([1, 2, 3, 4]), rng.choice([2, 3, -2, -3])) for make in makers]
    m, shift = _nonzero(rng, -3, 3), rng.randint(-4, 4)
    cusp = (x - shift) ** sp.Rational(5, 3) - 5 * m * (x - shift) ** sp.Rational(2, 3)
    ha, hk, hm = _nonzero(rng, -4, 4), rng.randint(1, 5), _nonzero(rng, -4, 4)
    hinge = sp.Max(0, hk * (ha - x)) + hm * (x - ha)
    s, s2 = _nonzero(rng, -5, 5), rng.randint(-6, 6)
    cubic = sp.expand(x**3 - 3 * s * x**2 + s2 * x)
    ma = rng.randint(-5, 5)
    mb = ma + rng.choice([-4, -3, -2, 2, 3, 4])
    bowl = (x - ma) ** 2 + 2 * sp.Abs(x - mb)
    minimiser = ch.absolute_extrema(bowl, -20, 20)["min"][1][0]
    names = ("f1", "f2", "f3", "f4")
    return [
        Question(
            "4a",
            tuple(zip(names, quad, strict=True)),
            tuple(
                Part("check_convexity", (fun,), {"x": "x"}, label=name)
                for name, fun in zip(names, quad, strict=True)
            ),
            choice=True,
            answer_form="a list of four booleans: is f_1, f_2, f_3, f_4 convex on the real line?",
        ),
        Question(
            "4b",
            (("f", cusp),),
            (Part("check_critical_points", (cusp,), {"x": "x"}),),
            answer_form="the list of critical points of f (remember where f' does not exist).",
        ),
        Question(
            "4c",
            (("f", cusp),),
            (Part("check_classification", (cusp,), {"x": "x"}),),
            answer_form='a dict {critical point: "local_min" | "local_max" | "neither"}.',
        ),
        Question(
            "4d",
            (("L", hinge), ("a", ha)),
            (Part("check_subdifferential", (hinge, ha), {"x": "x"}),),
            answer_form='the subdifferential of L at a as an interval, e.g. "[-2, 0]".',
        ),
        Question(
            "4e",
            (("f", cubic),),
            (Part("check_number", (ch.inflection_points(cubic)[0],)),),
            answer_form="the number c such that f is convex on [c, oo) and on no larger interval.",
        ),
        Question(
            "4f",
            (("f", bowl),),
            (Part("check_number", (minimiser,)),),
            answer_form="the x where the convex function f takes its global minimum.",
        ),
    ]


def _ps5(rng: random.Random) -> list[Question]:
    import sympy as sp

    import calc_helpers as ch

    x, w, y = _symbols()
    while True:  # no iterate exactly 0: a relative tolerance cannot judge an answer of 0
        qa, qc = rng.choice([1, 2]), _nonzero(rng, -3, 3)
        lr = rng.choice([0.1, 0.125, 0.25]) if qa == 1 else rng.choice([0.0625, 0.125, 0.1])
        w0 = qc + rng.choice([-4, -2, 2, 4])
        bowl = qa * (w - qc) ** 2 + rng.randint(0, 3)
        steps = ch.gradient_descent(bowl, w0, lr, 3, x="w")[1:]
        if all(abs(value) > 1e-9 for value in steps):
            break
    nb = rng.randint(2, 8)
    newton_f = w**4 / 4 - nb * w
    n0 = rng.randint(1, 4)
    newton = ch.newton_method(newton_f, n0, 2, x="w")[1:]
    ga, gb, gc = rng.randint(1, 5), _nonzero(rng, -5, 5), rng.randint(1, 5)
    gd, ge = _nonzero(rng, -4, 4), _nonzero(rng, -4, 4)
    two = ga * x**2 + gb * x * y + gc * y**2 + gd * x + ge * y
    su, sv = _nonzero(rng, -5, 5), _nonzero(rng, -5, 5)
    sa, sb = rng.choice([1, 2, 3]), rng.choice([1, 2, 3])
    saddle = sp.expand(sa * (x - su) ** 2 - sb * (y - sv) ** 2 + rng.randint(-5, 5))
    curvature, tilt = rng.randint(2, 15), _nonzero(rng, -6, 6)
    return [
        Question(
            "5a",
            (("f", bowl), ("w0", w0), ("eta", sp.nsimplify(lr))),
            tuple(
                Part("check_number", (value,), label=f"w_{i + 1}") for i, value in enumerate(steps)
            ),
            answer_form="a list [w_1, w_2, w_3] of the first three gradient-descent iterates.",
        ),
        Question(
            "5b",
            (("f", newton_f), ("w0", n0)),
            tuple(
                Part("check_number", (value,), label=f"w_{i + 1}") for i, value in enumerate(newton)
            ),
            answer_form="a list [w_1, w_2] of the first two Newton iterates (for minimising f).",
        ),
        Question(
            "5c",
            (("f", two),),
            (Part("check_gradient", (two, ["x", "y"])),),
            answer_form="the gradient [df/dx, df/dy] as a list of two expressions.",
        ),
        Question(
            "5d",
            (("f", two),),
            (Part("check_hessian", (two, ["x", "y"])),),
            answer_form="the Hessian as a 2x2 list of lists [[f_xx, f_xy], [f_yx, f_yy]].",
        ),
        Question(
            "5e",
            (("s", saddle),),
            (
                Part("check_number", (su,), label="x-coordinate"),
                Part("check_number", (sv,), label="y-coordinate"),
            ),
            answer_form="the critical point of s as a tuple (x, y).",
        ),
        Question(
            "5f",
            (("f", curvature * w**2 / 2 + tilt * w),),
            (Part("check_number", (sp.Rational(2, curvature),)),),
            answer_form="the learning rate above which gradient descent on f diverges.",
        ),
    ]


FAMILIES: dict[str, Callable[[random.Random], list[Question]]] = dict(
    zip(ASSIGNMENTS, (_ps1, _ps2, _ps3, _ps4, _ps5), strict=True)
)


def problem_set(assignment: str, student: str) -> ProblemSet:
    """`student`'s variant of `assignment`: always the same for the same two names."""
    try:
        family = FAMILIES[assignment]
    except KeyError:
        raise KeyError(f"unknown assignment {assignment!r}; known: {', '.join(FAMILIES)}") from None
    return ProblemSet(assignment, student, family(random.Random(variant_seed(assignment, student))))


# ---------------------------------------------------------------------------------------------
# The setup cell
# ---------------------------------------------------------------------------------------------


def setup(assignment: str, folder: str | os.PathLike | None = None) -> ProblemSet:
    """Start an assignment notebook: find the identity, record it, return the variant.

    Prints which variant this is and for whom. While nbgrader grades, nothing is written: the
    record the student's notebook carries is compared with the graded student instead, and a
    mismatch is printed as a plain warning at the top of the graded notebook.
    """
    folder = Path.cwd() if folder is None else Path(folder)
    identity = current_identity(folder)
    problems = problem_set(assignment, identity.student)
    if identity.grading:
        where = grading_folder() if folder == Path.cwd() else folder
        print(f"Graded as student '{identity.student}' (variant {problems.code}).")
        print(record_status(where, assignment, identity.student))
        return problems
    earlier = read_record(folder, assignment) or []
    if not is_master_copy(folder):
        record_identity(folder, assignment, identity)
    print(f"Variant {problems.code} of {assignment}, for {identity.describe()}.")
    print("Your functions are shown at each question; they are the ones you are graded on.")
    others = [e["student"] for e in earlier if e["student"] != identity.student]
    if others:
        names = ", ".join(f"'{n}'" for n in dict.fromkeys(others))
        print(
            f"WARNING: this notebook was opened before as {names}. The functions have changed "
            f"to those of '{identity.student}'; answers written for the earlier functions "
            "will be marked against these ones."
        )
    return problems
