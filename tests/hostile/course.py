"""A small nbgrader course made on the fly for the grading tests.

One assignment, ``demo``, with one notebook ``demo.ipynb``:

* ``q1_answer`` (solution: ``answer = 6``) and ``q1_test`` (locked test, 2 points);
* ``q2_answer`` (solution: a central-difference ``slope`` and the list ``slopes`` of three
  slopes) and ``q2_test`` (locked test, 3 points, one per slope: partial credit), whose visible
  part calls ``demochecks.py`` (a file the assignment provides) for the student's feedback;
* ``q3_explain``: a manually graded markdown answer (1 point).

Both test cells end with a judge spec (``autograder.judging.spec``): grades come from
``demojudge.py`` in the course folder (not released), which the course's config names as its
checker, run outside the kernel on the answers extracted as data, exactly like the real course.

The solution cells carry :data:`SECRET` so tests can prove no solution text leaks.

``make_course(..., variants=True)`` makes the same assignment with per-student variants, as
the real course has them: q1 asks for d/dx x**k at x = 3 with k drawn from the identity the
notebook runs under (:func:`variant_answer`), and its checker judges against the variant of
the student it is given.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from autograder.judging.spec import hidden_region

ASSIGNMENT = "demo"
NOTEBOOK = "demo"
SECRET = "SOLUTION-SECRET-7f3a91"
HIDDEN = "HIDDEN-TEST-MARKER-c41d"
#: The slopes q2 asks for: d/dt of t^2 at 3, of t^3 at 1, of 5t at -2.
SLOPES = (6.0, 3.0, 5.0)

CHECKS = textwrap.dedent(
    '''\
    """Visible feedback for the demo assignment (grades come from the course's judge)."""


    def check_slopes(slopes):
        """Print how many of the three slopes are right."""
        want = [6.0, 3.0, 5.0]
        right = sum(1 for got, w in zip(slopes, want) if abs(float(got) - w) < 1e-4)
        print(f"{right} of 3 slopes right")
        return right
    '''
)

JUDGE = textwrap.dedent(
    '''\
    """The demo course's checker: judge_answer(assignment, student, question, value)."""
    from autograder.judging.course_checks import record_note  # noqa: F401 - the notice

    WANT = [6.0, 3.0, 5.0]


    def _number(value):
        if type(value) in (int, float) and type(value) is not bool:
            return float(value)
        return None


    def judge_answer(assignment, student, question, value):
        if question == "q1":
            got = _number(value)
            if got is None:
                return {"score": 0.0, "message": "give a number", "tags": ["not-a-number"]}
            right = abs(got - 6.0) < 1e-9
            return {"score": 1.0 if right else 0.0,
                    "message": "Correct!" if right else "Not yet.", "tags": []}
        if question == "q2":
            if type(value) is not list or len(value) != 3:
                return {"score": 0.0, "message": "give a list of three slopes",
                        "tags": ["not-a-list"]}
            points, tags = 0, []
            for got, want in zip(value, WANT):
                got = _number(got)
                if got is None:
                    tags.append("not-a-number")
                elif abs(got - want) < 1e-4:
                    points += 1
                elif abs(got - want) < 0.1:
                    tags.append("first-order-error")
                else:
                    tags.append("wrong-slope")
            return {"score": points / 3, "message": f"{points} of 3 slopes right.",
                    "tags": sorted(set(tags))}
        raise KeyError(question)
    '''
)


VARIANT_JUDGE = JUDGE.replace(
    '    if question == "q1":\n        got = _number(value)',
    '    if question == "q1":\n        from autograder.identity import variant_seed\n\n'
    '        k = 2 + variant_seed(assignment, student) % 3\n        got = _number(value)',
).replace("abs(got - 6.0) < 1e-9", "abs(got - k * 3 ** (k - 1)) < 1e-9")

#: The variant course's q1 solution: computed for whoever the notebook runs as.
VARIANT_Q1 = ("from autograder.identity import current_identity, variant_seed\n"
              "k = 2 + variant_seed('demo', current_identity().student) % 3\n"
              "answer = k * 3 ** (k - 1)")


def variant_answer(student: str) -> int:
    """The right q1 of the variant course for ``student``: d/dx x**k at 3, k in 2, 3, 4."""
    from autograder.identity import variant_seed

    k = 2 + variant_seed(ASSIGNMENT, student) % 3
    return k * 3 ** (k - 1)


def _cell(kind: str, source: str, grade_id: str | None = None, **flags: object) -> NotebookNode:
    """A cell with nbgrader metadata when ``grade_id`` is given."""
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    if grade_id is not None:
        meta = {"grade": False, "solution": False, "locked": False, "schema_version": 3,
                "grade_id": grade_id}
        meta.update(flags)
        cell.metadata["nbgrader"] = meta
    return cell


def _test(question: str, variable: str, visible: str) -> str:
    region = hidden_region(question, variable).replace(
        "### BEGIN HIDDEN TESTS\n", f"### BEGIN HIDDEN TESTS\n# {HIDDEN}\n")
    return f"{visible}\n{region}"


def source_notebook(variants: bool = False) -> NotebookNode:
    """The instructor's version of ``demo.ipynb`` (with solutions and hidden tests)."""
    q1 = VARIANT_Q1 if variants else "answer = 6"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        _cell("markdown", "# Demo\nThe derivative, numerically.", "intro", locked=True),
        _cell("code", f"# Q1: d/dx x**2 at x = 3\n### BEGIN SOLUTION\n# {SECRET}\n{q1}\n"
              "### END SOLUTION", "q1_answer", solution=True),
        _cell("code", _test("q1", "answer", "print('your answer:', answer)"), "q1_test",
              grade=True, locked=True, points=2),
        _cell("code", "# Q2: slopes of t**2 at 3, t**3 at 1, 5t at -2\n### BEGIN SOLUTION\n"
              f"# {SECRET}\n{RIGHT_Q2}\n### END SOLUTION", "q2_answer", solution=True),
        _cell("code", _test("q2", "slopes", "import sys\nsys.modules.pop('demochecks', None)\n"
                            "from demochecks import check_slopes\ncheck_slopes(slopes)"),
              "q2_test", grade=True, locked=True, points=3),
        _cell("markdown", f"Why does the central difference beat the forward one?\n\n"
              f"### BEGIN SOLUTION\nIts error is O(h^2). {SECRET}\n### END SOLUTION",
              "q3_explain", grade=True, solution=True, points=1),
    ]
    return nb


CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "demo-course"
c.Execute.timeout = {timeout}
c.OverwriteCells.add_missing_cells = True
from autograder.nbgrader_support import configure
configure(c, checker="demojudge.py", course_root={root!r})
"""


def venv_bin() -> Path:
    """The directory of this interpreter's scripts (nbgrader, alembic)."""
    return Path(sys.executable).parent


def venv_env() -> dict[str, str]:
    """The environment with the venv's scripts first on PATH (nbgrader runs ``alembic``)."""
    env = dict(os.environ)
    env["PATH"] = f"{venv_bin()}{os.pathsep}{env.get('PATH', '')}"
    return env


def make_course(root: Path, *, cell_timeout: int = 60, variants: bool = False) -> Path:
    """Write the source assignment and config under ``root`` and run generate_assignment.

    The cell timeout is generous: the tests check outcomes, not speed, and an honest cell
    must never time out on a busy machine (the hostile loops end by being interrupted).
    """
    root.mkdir(parents=True, exist_ok=True)
    src = root / "source" / ASSIGNMENT
    src.mkdir(parents=True, exist_ok=True)
    nbformat.write(source_notebook(variants), src / f"{NOTEBOOK}.ipynb")
    (src / "demochecks.py").write_text(CHECKS, encoding="utf-8")
    (root / "demojudge.py").write_text(VARIANT_JUDGE if variants else JUDGE, encoding="utf-8")
    (root / "nbgrader_config.py").write_text(
        CONFIG.format(timeout=cell_timeout, root=str(root.resolve())))
    subprocess.run([str(venv_bin() / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"],
                   cwd=root, check=True, capture_output=True, text=True, env=venv_env())
    return root


def released(root: Path) -> NotebookNode:
    """The student version of the notebook, as released."""
    return nbformat.read(root / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)


def set_solution(nb: NotebookNode, grade_id: str, source: str) -> NotebookNode:
    """Replace the source of the cell ``grade_id`` (a student's answer)."""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return nb
    raise KeyError(grade_id)


RIGHT_Q1 = "answer = 6"
_SLOPES = ("slopes = [slope(lambda t: t * t, 3.0), slope(lambda t: t ** 3, 1.0), "
           "slope(lambda t: 5 * t, -2.0)]")
RIGHT_Q2 = f"def slope(f, x, h=1e-6):\n    return (f(x + h) - f(x - h)) / (2 * h)\n{_SLOPES}"
FORWARD_Q2 = f"def slope(f, x, h=1e-2):\n    return (f(x + h) - f(x)) / h\n{_SLOPES}"
WRONG_Q2 = f"def slope(f, x, h=1e-6):\n    return f(x) / x\n{_SLOPES}"
RIGHT_Q3 = "The error of the central difference is second order in h."


def honest(root: Path) -> dict[str, NotebookNode]:
    """Honest submissions: all right, all wrong, blank, partial (forward difference)."""
    subs: dict[str, NotebookNode] = {}
    nb = released(root)
    set_solution(nb, "q1_answer", RIGHT_Q1)
    set_solution(nb, "q2_answer", RIGHT_Q2)
    set_solution(nb, "q3_explain", RIGHT_Q3)
    subs["h_right"] = nb
    nb = released(root)
    set_solution(nb, "q1_answer", "answer = 9")
    set_solution(nb, "q2_answer", WRONG_Q2)
    subs["h_wrong"] = nb
    subs["h_blank"] = released(root)
    nb = released(root)
    set_solution(nb, "q1_answer", "answer = 6.0")
    set_solution(nb, "q2_answer", FORWARD_Q2)
    set_solution(nb, "q3_explain", "Because.")
    subs["h_partial"] = nb
    return subs


def submit(root: Path, student: str, nb: NotebookNode | str | bytes,
           timestamp: str = "2030-01-01 10:00:00.000000 UTC",
           files: dict[str, object] | None = None) -> Path:
    """Place a submission in ``submitted/<student>/demo/`` (a notebook or raw text/bytes).

    ``files``: extra files, name -> text, ``("link", target)`` or ``("fifo", "")``.
    """
    dest = root / "submitted" / student / ASSIGNMENT
    dest.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {}).items():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple) and content[0] == "link":
            os.symlink(content[1], target)
        elif isinstance(content, tuple) and content[0] == "fifo":
            os.mkfifo(target)
        else:
            target.write_text(str(content), encoding="utf-8")
    path = dest / f"{NOTEBOOK}.ipynb"
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    elif isinstance(nb, str):
        path.write_text(nb, encoding="utf-8")
    else:
        nbformat.write(nb, path)
    (dest / "timestamp.txt").write_text(timestamp)
    return path
