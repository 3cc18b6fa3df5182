"""Notebooks are stored clean: valid nbformat 4, no outputs, no execution counts, no saved
widget state, the python3 kernelspec (without it JupyterLab opens a "Select Kernel" dialog);
the lessons in course/ are exactly the ten, numbered in reading order."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
LESSON_NAMES = [
    "01_why_derivatives",
    "02_limits_and_continuity",
    "03_derivative_as_limit",
    "04_rules_of_differentiation",
    "05_differentiability",
    "06_first_and_second_derivatives",
    "07_convexity",
    "08_critical_points",
    "09_worked_example",
    "10_newton_and_gradient_descent",
]
NOTEBOOKS = sorted(
    path for folder in ("course", "source") for path in (REPO / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in path.parts
)


def relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def problems_of(path: Path) -> list[str]:
    """Everything wrong with how the notebook is stored (an empty list when it is clean)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"not JSON: {error}"]
    if raw.get("nbformat") != 4:
        return [f"nbformat {raw.get('nbformat')!r}, expected 4"]
    problems = []
    nb = nbformat.from_dict(raw)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        problems.append(f"invalid nbformat: {error.message}")
    ids = [cell.get("id") for cell in raw.get("cells", []) if cell.get("id")]
    if len(ids) != len(set(ids)):
        problems.append("duplicate cell ids")
    for number, cell in enumerate(raw.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            kinds = sorted({out.get("output_type", "?") for out in cell["outputs"]})
            problems.append(f"code cell {number} has {len(cell['outputs'])} output(s) "
                            f"({', '.join(kinds)})")
        if cell.get("execution_count") is not None:
            problems.append(f"code cell {number} has execution count "
                            f"{cell['execution_count']}")
    if "widgets" in raw.get("metadata", {}):
        problems.append("saved widget state in metadata.widgets (an output)")
    kernelspec = raw.get("metadata", {}).get("kernelspec") or {}
    if kernelspec.get("name") != "python3":
        problems.append(f"kernelspec {kernelspec or 'missing'}, expected name 'python3'")
    elif kernelspec.get("language", "python") != "python":
        problems.append(f"kernelspec language {kernelspec.get('language')!r}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[relative(path) for path in NOTEBOOKS])
def test_notebook_is_stored_clean(path):
    problems = problems_of(path)
    assert not problems, f"{relative(path)}:\n- " + "\n- ".join(problems) + (
        "\n(clear outputs and execution counts before committing, e.g. "
        "`jupyter nbconvert --clear-output --inplace`)")


def test_lessons_are_the_ten_in_reading_order():
    course = REPO / "course"
    found = sorted(path.stem for path in course.glob("*.ipynb"))
    missing = [name for name in LESSON_NAMES if name not in found]
    unexpected = [name for name in found if name not in LESSON_NAMES]
    assert found == LESSON_NAMES, (
        f"course/ should hold exactly the ten numbered lessons {LESSON_NAMES}; "
        f"missing: {missing}; unexpected: {unexpected}")
