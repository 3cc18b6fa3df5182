"""Before grading anyone: the instructor's solution and the blank notebook as canaries.

Both go through exactly what a submission goes through (nbgrader's sanitize steps, a kernel
from the same sandboxed pool, answer extraction, the judge processes, the fail-closed net),
graded as a made-up student, without touching the gradebook. Grading starts only if the
solution earns full marks on every automatically graded cell and the blank earns nothing.

This catches what would otherwise grade a whole class wrongly and silently: the sandbox
cannot import the course's packages (a venv reached through a link, another checkout), a
missing package, a checker that raises, a judge that cannot start, or a broken assignment.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nbformat.notebooknode import NotebookNode
from nbgrader import utils

from ..judging.extraction import grade_id
from ..nbgrader_support import fail_closed
from .gradebook_writer import NotebookJob, Prepared, read_notebook
from .outcomes import Outcome
from .runner import ExecutionResult

if TYPE_CHECKING:
    from .batch import Batch
    from .gradebook_writer import GradebookWriter

#: The student id the canaries are graded as (their own variant).
CANARY = "preflight-canary"


class PreflightFailed(RuntimeError):
    """The canaries did not grade as they must: nothing was graded."""


@dataclass
class CanaryResult:
    """How one canary notebook graded."""

    kind: str
    scores: dict[str, tuple[float, float]]  # grade id -> (earned, max)
    status: str
    detail: str
    first_error: str
    messages: dict[str, str]


def _first_error(nb: NotebookNode) -> str:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or utils.is_grade(cell):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                where = grade_id(cell) or f"cell {index + 1}"
                return f"{out.get('ename', 'Error')}: {out.get('evalue', '')} (in {where})"[:400]
    return ""


def _messages(nb: NotebookNode) -> dict[str, str]:
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and utils.is_grade(cell):
            text = "".join(str(o.get("text", "")) or str(o.get("evalue", ""))
                           for o in cell.get("outputs", []))
            found[grade_id(cell)] = text.strip()[:300]
    return found


def _prepare_canary(batch: Batch, writer: GradebookWriter, kind: str, path: Path,
                    notebook: str, scratch: Path) -> Prepared:
    dest = scratch / kind / batch.assignment
    dest.mkdir(parents=True, exist_ok=True)
    nb = read_notebook(path)
    resources = writer._resources(CANARY, notebook, dest)
    for step in writer.sanitize_steps:
        nb, resources = step(config=batch.course.config)(nb, resources)
    return Prepared(student=CANARY, outcome=Outcome(CANARY, batch.assignment), dest=dest,
                    jobs=[NotebookJob(notebook, nb, resources)])


def _canary_result(kind: str, result: ExecutionResult) -> CanaryResult:
    nb, resources = result.nb, result.resources
    fail_closed(nb, resources)
    scores = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and utils.is_grade(cell):
            earned, most = utils.determine_grade(cell)
            scores[grade_id(cell)] = (float(earned or 0.0), float(most))
    return CanaryResult(kind, scores, result.status, result.detail, _first_error(nb),
                        _messages(nb))


def _problems(canary: CanaryResult, want_full: bool) -> list[str]:
    bad = []
    for gid, (earned, most) in sorted(canary.scores.items()):
        if (want_full and earned != most) or (not want_full and earned != 0):
            bad.append(f"{gid} scored {earned:g}/{most:g}: {canary.messages.get(gid, '')}")
    return bad


def check(batch: Batch, writer: GradebookWriter, scratch: Path,
          submit: Callable[[Prepared], Future]) -> list[CanaryResult]:
    """Grade the canaries of every notebook of the assignment; raise PreflightFailed if wrong.

    ``submit`` starts a prepared submission the way the batch runs one (in its worker
    threads) and returns its future: a notebook's solution and blank run side by side.
    """
    course = batch.course
    results: list[CanaryResult] = []
    try:
        for notebook in writer.notebooks:
            solution = course.path("source", ".", batch.assignment) / f"{notebook}.ipynb"
            blank = course.path("release", ".", batch.assignment) / f"{notebook}.ipynb"
            kinds = (("solution", solution, True), ("blank", blank, False))
            for _, path, _ in kinds:
                if not path.is_file():
                    raise PreflightFailed(
                        f"Preflight failed: {path} is missing, so the grading pipeline cannot be "
                        "checked before grading. Run `nbgrader generate_assignment` first.")
            running = [(kind, full, submit(_prepare_canary(batch, writer, kind, path, notebook,
                                                           scratch)))
                       for kind, path, full in kinds]
            wait([future for _, _, future in running])  # side by side: both end together
            for kind, full, future in running:
                canary = _canary_result(kind, future.result()[notebook])
                results.append(canary)
                bad = _problems(canary, full)
                if not canary.scores:
                    bad = ["the notebook has no automatically graded cells"]
                if bad:
                    raise PreflightFailed(_explain(batch.assignment, notebook, canary, full, bad))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def _explain(assignment: str, notebook: str, canary: CanaryResult, full: bool,
             bad: list[str]) -> str:
    want = "full marks" if full else "zero"
    what = ("the instructor's solution (source/)" if full
            else "the blank release notebook (release/)")
    cause = canary.first_error or canary.detail or canary.status
    lines = [
        f"Preflight failed for {assignment}/{notebook}: {what} did not score {want} in the "
        "grading sandbox, so no submission was graded.",
        f"Likely cause: {cause}" if cause and cause != "graded" else "",
        "Tests that did not grade as expected:",
        *(f"  - {line}" for line in bad[:8]),
        "Check that the course's packages are installed (non-editable or from this checkout) "
        "in the environment the grader runs, that `nbgrader generate_assignment` is up to date, "
        "and that the solution passes in JupyterLab.",
    ]
    return "\n".join(line for line in lines if line)


def summary(results: list[CanaryResult]) -> str:
    """One line for the log: what the canaries scored."""
    parts = []
    for canary in results:
        earned = sum(e for e, _ in canary.scores.values())
        most = sum(m for _, m in canary.scores.values())
        parts.append(f"{canary.kind} {earned:g}/{most:g}")
    return "preflight passed: " + ", ".join(parts)

