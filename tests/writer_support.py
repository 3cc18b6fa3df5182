"""Synthetic execution results for the gradebook writer's tests and benchmark.

A real batch runs each sanitized notebook in a sandboxed kernel; the writer only sees the
:class:`~autograder.grading.runner.ExecutionResult`. :func:`synthetic_result` makes one
without a kernel: every code cell gets an execution count and a line of output, each judged
question gets an extracted answer (encoded by the very code a kernel runs,
``autograder/judging/kernel_extract.py``), and the course's worker-side steps after Execute
(IgnorePattern, ClearMetadata, LimitOutput, JudgeAnswers...) run as a worker runs them. The
values are chosen by a :class:`Plan` so the same plan gives the same result every time.
"""

from __future__ import annotations

import contextlib
import copy
import io
from dataclasses import dataclass, field
from typing import Any

from nbformat.notebooknode import from_dict
from nbgrader.preprocessors import Execute

from autograder.grading.runner import ExecutionResult
from autograder.judging.extraction import dfml_state, extraction_source

#: A question the kernel never reached (no extraction: the judge gives 0, a human looks).
UNREACHED = object()


@dataclass
class Plan:
    """What one synthetic execution of one notebook does."""

    #: question -> the answer's value (UNREACHED: no extraction for that question)
    answers: dict[str, Any] = field(default_factory=dict)
    #: ``graded``, ``timeout``, ``memory``... (``kernel_died``: nothing ran at all)
    status: str = "graded"
    flags: tuple[str, ...] = ()
    detail: str = ""


def extracted_text(variable: str, value: Any) -> str:
    """What the extraction cell prints for ``variable = value`` (run here, on trusted data)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(extraction_source(variable), {variable: value})  # noqa: S102 - our own code
    return out.getvalue()


def synthetic_result(job: Any, plan: Plan, config: Any, steps: list[type]) -> ExecutionResult:
    """The result a worker would return for ``job`` (a NotebookJob) executed as ``plan`` says.

    ``steps``: the writer's ``execute_steps``; the Execute among them is replaced by the
    synthetic execution. The job itself is not modified.
    """
    nb, resources = copy.deepcopy(job.nb), copy.deepcopy(job.resources)
    if plan.status == "kernel_died":  # the kernel never started: nothing ran, nothing judged
        return ExecutionResult(nb=nb, resources=resources, status=plan.status,
                               flags=set(plan.flags), detail=plan.detail or "no kernel")
    state = dfml_state(resources)
    extracted = state.setdefault("extracted", {})
    for spec in state.get("specs") or []:
        value = plan.answers.get(spec["question"], UNREACHED)
        if value is not UNREACHED:
            extracted[spec["grade_id"]] = extracted_text(spec["variable"], value)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            cell.outputs = [from_dict({"output_type": "stream", "name": "stdout",
                                       "text": f"cell {count} ran\n"})]
    for step in steps:
        if isinstance(step, type) and issubclass(step, Execute):
            continue
        nb, resources = step(config=config)(nb, resources)
    return ExecutionResult(nb=nb, resources=resources, status=plan.status,
                           flags=set(plan.flags), detail=plan.detail)
