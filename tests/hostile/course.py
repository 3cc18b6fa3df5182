"""A small nbgrader course made on the fly for the grading tests.

One assignment, ``demo``, with one notebook ``demo.ipynb``:

* ``q1_answer`` (solution) and ``q1_test`` (locked test, 2 points, visible + hidden part);
* ``q2_answer`` (solution) and ``q2_test`` (locked test, 3 points) calling a check from
  ``demochecks.py`` (a data file of the assignment) that gives partial credit and appends
  an ``AUTOGRADER_LOG`` line with misconception tags, like the course's real checks;
* ``q3_explain``: a manually graded markdown answer (1 point).

The solution cells carry :data:`SECRET` so tests can prove no solution text leaks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

ASSIGNMENT = "demo"
NOTEBOOK = "demo"
SECRET = "SOLUTION-SECRET-7f3a91"
HIDDEN = "HIDDEN-TEST-MARKER-c41d"

CHECKS = textwrap.dedent(
    '''\
    """Checks for the demo assignment (a stand-in for the course's autograder)."""
    import json
    import os


    def _log(question, correct, score, tags):
        path = os.environ.get("AUTOGRADER_LOG")
        if path:
            line = {"question": question, "check": "check_slope", "correct": correct,
                    "score": score, "tags": tags}
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(line) + "\\n")


    def check_slope(slope):
        """Return the points earned (0-3) by a central-difference slope function."""
        points, tags = 0, []
        cases = [(lambda t: t * t, 3.0, 6.0), (lambda t: t ** 3, 1.0, 3.0),
                 (lambda t: 5 * t, -2.0, 5.0)]
        for f, x, want in cases:
            try:
                got = float(slope(f, x))
            except Exception:
                tags.append("slope-raises")
                continue
            if abs(got - want) < 1e-4:
                points += 1
            elif abs(got - want) < 0.1:
                tags.append("first-order-error")
            else:
                tags.append("wrong-slope")
        _log("q2", points == 3, points, sorted(set(tags)))
        return points
    '''
)


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


def source_notebook() -> NotebookNode:
    """The instructor's version of ``demo.ipynb`` (with solutions and hidden tests)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        _cell("markdown", "# Demo\nThe derivative, numerically.", "intro", locked=True),
        _cell("code", f"# Q1: d/dx x**2 at x = 3\n### BEGIN SOLUTION\n# {SECRET}\nanswer = 6\n"
              "### END SOLUTION", "q1_answer", solution=True),
        _cell("code", "assert type(answer) in (int, float), 'answer must be a number'\n"
              f"assert answer == 6\n### BEGIN HIDDEN TESTS\nassert abs(answer - 6) < 1e-9  # "
              f"{HIDDEN}\n### END HIDDEN TESTS", "q1_test", grade=True, locked=True, points=2),
        _cell("code", "def slope(f, x, h=1e-6):\n    ### BEGIN SOLUTION\n"
              f"    # {SECRET}\n    return (f(x + h) - f(x - h)) / (2 * h)\n"
              "    ### END SOLUTION", "q2_answer", solution=True),
        _cell("code", "import sys\nsys.modules.pop('demochecks', None)  # a fresh copy\n"
              "from demochecks import check_slope\ncheck_slope(slope)", "q2_test",
              grade=True, locked=True, points=3),
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
"""


def venv_bin() -> Path:
    """The directory of this interpreter's scripts (nbgrader, alembic)."""
    return Path(sys.executable).parent


def venv_env() -> dict[str, str]:
    """The environment with the venv's scripts first on PATH (nbgrader runs ``alembic``)."""
    env = dict(os.environ)
    env["PATH"] = f"{venv_bin()}{os.pathsep}{env.get('PATH', '')}"
    return env


def make_course(root: Path, *, cell_timeout: int = 5) -> Path:
    """Write the source assignment and config under ``root`` and run generate_assignment."""
    root.mkdir(parents=True, exist_ok=True)
    src = root / "source" / ASSIGNMENT
    src.mkdir(parents=True, exist_ok=True)
    nbformat.write(source_notebook(), src / f"{NOTEBOOK}.ipynb")
    (src / "demochecks.py").write_text(CHECKS, encoding="utf-8")
    (root / "nbgrader_config.py").write_text(CONFIG.format(timeout=cell_timeout))
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
RIGHT_Q2 = "def slope(f, x, h=1e-6):\n    return (f(x + h) - f(x - h)) / (2 * h)"
FORWARD_Q2 = "def slope(f, x, h=1e-2):\n    return (f(x + h) - f(x)) / h"
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
    set_solution(nb, "q2_answer", "def slope(f, x, h=1e-6):\n    return f(x) / x")
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
