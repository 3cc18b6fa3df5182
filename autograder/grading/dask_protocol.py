"""What travels between the instructor's grader and a Dask worker, and how a reply is checked.

A task is JSON bytes holding exactly what one submission's execution needs: the student id,
the sanitized notebooks (hidden tests restored, as the kernel must run them), each notebook's
judge specs and submitted identity record, the assignment's own provided files (the ones
released to students beside the notebook), the limits, the ``Execute`` settings of the
course's nbgrader config, the course code hash and a one-time token. Never the gradebook,
``source/``, other students' files or the checker.

A reply is JSON bytes too, read here before anything else touches it: no bigger than the
task allows, the same token, student, assignment and notebooks, each notebook's cells the
very cells that were sent (only outputs, execution counts and execution metadata may
differ), known statuses and flags, extracted answers only for the judged cells and within
the extraction cap. Anything else is refused: the submission's outcome is then ``error``
(graded again by the next run), never a score.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import secrets
import sys
from dataclasses import asdict, dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from .outcomes import FLAGS
from .runner import MAX_EXTRACTION_BYTES, ExecutionResult
from .sandbox import Limits

VERSION = 1
#: Packages whose code decides how a notebook runs and what is extracted from it.
COURSE_PACKAGES = ("autograder", "calc_helpers")
#: Distributions whose versions are part of the course code hash (how student code runs).
RUNTIME_DISTRIBUTIONS = ("nbgrader", "nbclient", "nbformat", "ipykernel", "jupyter_client",
                         "numpy", "sympy", "matplotlib")
#: The statuses a worker may report for one notebook (``malformed`` and
#: ``variant_mismatch`` are decided on the instructor's side only).
WORKER_STATUSES = frozenset({"graded", "timeout", "memory", "kernel_died", "error"})
#: Config sections the worker's ``Execute`` reads (its class and its parents').
EXECUTE_SECTIONS = ("Execute", "ExecutePreprocessor", "NotebookClient", "NbGraderPreprocessor",
                    "Preprocessor", "NbConvertBase")
#: Largest provided file sent to workers (they are the assignment's small data files).
MAX_PROVIDED_BYTES = 16 * 1024 * 1024
#: Reply bytes allowed beyond the notebooks sent, per notebook (errors, metadata, JSON).
REPLY_SLACK = 1024 * 1024
#: Reply bytes allowed per cell (an error kept past the output cap, execution metadata).
CELL_SLACK = 8192


class Refused(ValueError):
    """A reply that does not answer the task sent: nothing in it is used."""


@dataclass(frozen=True)
class Sent:
    """What the client keeps of a task it sent, to check the reply against."""

    token: str
    student: str
    assignment: str
    notebooks: tuple[str, ...]
    reply_limit: int


@cache
def course_code_hash() -> str:
    """SHA-256 of the installed course code and the runtime that runs notebooks.

    Every file of the ``autograder`` and ``calc_helpers`` packages (relative path and bytes,
    byte-code caches left out), the Python version and the versions of
    :data:`RUNTIME_DISTRIBUTIONS`. Two machines with the same hash extract the same data from
    the same notebook; the hidden tests travel with every task instead (restored from the
    instructor's gradebook), so a worker never holds stale ones.
    """
    import importlib.util

    digest = hashlib.sha256()
    for package in COURSE_PACKAGES:
        spec = importlib.util.find_spec(package)
        roots = list(spec.submodule_search_locations or []) if spec else []
        digest.update(f"package {package} {len(roots)}\0".encode())
        for root in map(Path, roots):
            for path in sorted(root.rglob("*")):
                if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
                    continue
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    digest.update(f"python {sys.version_info[:3]}\0".encode())
    for name in RUNTIME_DISTRIBUTIONS:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "missing"
        digest.update(f"{name} {version}\0".encode())
    return digest.hexdigest()


def execute_settings(config: Any) -> dict[str, dict[str, Any]]:
    """The sections of the course's nbgrader config that ``Execute`` reads, as plain JSON.

    Raises ValueError (before anything is graded) if one holds a value JSON cannot carry.
    """
    out = {}
    for name in EXECUTE_SECTIONS:
        if name in config:
            section = {k: v for k, v in dict(config[name]).items()}
            try:
                json.dumps(section)
            except TypeError as exc:
                raise ValueError(f"the course's c.{name} cannot be sent to Dask workers: "
                                 f"{exc}") from None
            out[name] = section
    return out


def make_task(prep: Any, *, limits: Limits, settings: dict[str, dict[str, Any]],
              provided: dict[str, bytes], code_hash: str) -> tuple[bytes, Sent]:
    """The task bytes for one prepared submission, and what to check its reply against."""
    token = secrets.token_hex(16)
    notebooks = []
    for job in prep.jobs:
        state = job.resources.get("dfml") or {}
        notebooks.append({"name": job.notebook, "nb": nbformat.writes(job.nb),
                          "specs": list(state.get("specs") or []),
                          "record": state.get("record")})
    task = {
        "version": VERSION, "token": token, "code_hash": code_hash,
        "student": prep.student, "assignment": prep.outcome.assignment,
        "notebooks": notebooks,
        "files": {rel: base64.b64encode(data).decode("ascii")
                  for rel, data in sorted(provided.items())},
        "limits": asdict(limits), "settings": settings,
    }
    data = json.dumps(task).encode("utf-8")
    # past the output cap a cell still keeps its error (trimmed): CELL_SLACK per cell
    cells = sum(len(job.nb.cells) for job in prep.jobs)
    per_notebook = (int(limits.output_mb * 1024 * 1024) * 2 + REPLY_SLACK
                    + MAX_EXTRACTION_BYTES * max((len(n["specs"]) for n in notebooks),
                                                 default=0))
    limit = len(data) + per_notebook * max(1, len(notebooks)) + CELL_SLACK * cells
    sent = Sent(token, prep.student, prep.outcome.assignment,
                tuple(job.notebook for job in prep.jobs), limit)
    return data, sent


def read_task(data: bytes) -> dict[str, Any]:
    """A task as the worker reads it (raises ValueError if it is not one)."""
    task = json.loads(data.decode("utf-8"))
    if not isinstance(task, dict) or task.get("version") != VERSION:
        raise ValueError("not a grading task of this version")
    return task


def provided_files(task: dict[str, Any]) -> dict[str, bytes]:
    """The assignment's provided files carried by a task (relative path -> bytes)."""
    out = {}
    for rel, text in (task.get("files") or {}).items():
        path = Path(rel)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"a provided file outside the assignment: {rel!r}")
        out[rel] = base64.b64decode(text)
    return out


def refusal(task: dict[str, Any] | None, why: str, code_hash: str) -> bytes:
    """A worker's reply that ran nothing."""
    task = task or {}
    return json.dumps({"version": VERSION, "token": task.get("token"),
                       "student": task.get("student"), "assignment": task.get("assignment"),
                       "code_hash": code_hash, "refused": why[:300], "results": {}}).encode()


def reply(task: dict[str, Any], results: dict[str, ExecutionResult], code_hash: str,
          worker: str) -> bytes:
    """A worker's reply: per notebook the executed notebook, how it ended, the extractions."""
    out = {}
    for name, result in results.items():
        state = result.resources.get("dfml") or {}
        out[name] = {"nb": nbformat.writes(result.nb), "status": result.status,
                     "flags": sorted(result.flags), "detail": result.detail[:300],
                     "seconds": round(result.seconds, 3),
                     "extracted": dict(state.get("extracted") or {})}
    return json.dumps({"version": VERSION, "token": task["token"], "student": task["student"],
                       "assignment": task["assignment"], "code_hash": code_hash,
                       "worker": worker, "refused": "", "results": out}).encode("utf-8")


def _cell_key(cell: Any) -> tuple:
    """What execution must never change in a cell: its kind, source and nbgrader metadata."""
    return (cell.get("cell_type"), cell.get("source"),
            json.dumps(cell.get("metadata", {}).get("nbgrader"), sort_keys=True))


def _checked_notebook(text: Any, sent_nb: NotebookNode) -> NotebookNode:
    if not isinstance(text, str):
        raise Refused("a notebook that is not text")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat's many reader errors
        raise Refused(f"an unreadable notebook ({type(exc).__name__})") from None
    if len(nb.cells) != len(sent_nb.cells) or any(
            _cell_key(a) != _cell_key(b) for a, b in zip(nb.cells, sent_nb.cells, strict=True)):
        raise Refused("a notebook whose cells are not the cells sent")
    return nb


def _checked_extracted(found: Any, specs: list[dict[str, Any]]) -> dict[str, str]:
    judged = {s.get("grade_id") for s in specs}
    if not isinstance(found, dict):
        raise Refused("extracted answers that are not a mapping")
    for gid, text in found.items():
        if gid not in judged:
            raise Refused(f"an extraction for a cell that is not judged: {str(gid)[:60]!r}")
        if not isinstance(text, str) or len(text.encode("utf-8")) > MAX_EXTRACTION_BYTES:
            raise Refused(f"an extraction that is not text within the cap: {gid!r}")
    return dict(found)


def read_reply(data: Any, sent: Sent, jobs: list[Any]) -> dict[str, ExecutionResult]:
    """The execution results in a worker's reply, checked against the task; or Refused.

    A refusal by the worker itself (another course code hash, no sandbox) is also raised as
    :class:`Refused`, with the worker's reason.
    """
    if not isinstance(data, bytes | bytearray):
        raise Refused(f"a reply that is not bytes ({type(data).__name__})")
    if len(data) > sent.reply_limit:
        raise Refused(f"a reply of {len(data)} bytes, more than the {sent.reply_limit} allowed")
    try:
        found = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("a reply that is not JSON") from None
    if not isinstance(found, dict) or found.get("version") != VERSION:
        raise Refused("a reply of another protocol version")
    if found.get("token") != sent.token:
        raise Refused("a reply to another task")
    if found.get("student") != sent.student or found.get("assignment") != sent.assignment:
        raise Refused(f"a reply about another submission ({str(found.get('student'))[:60]!r}/"
                      f"{str(found.get('assignment'))[:60]!r})")
    if found.get("refused"):
        raise Refused(f"the worker refused the task: {str(found['refused'])[:240]}")
    results = found.get("results")
    if not isinstance(results, dict) or set(results) != set(sent.notebooks):
        raise Refused("a reply whose notebooks are not the notebooks sent")
    out = {}
    for job in jobs:
        item = results[job.notebook]
        if not isinstance(item, dict):
            raise Refused("a notebook result that is not a mapping")
        status, flags = item.get("status"), item.get("flags")
        if status not in WORKER_STATUSES:
            raise Refused(f"an unknown status {str(status)[:40]!r}")
        if not isinstance(flags, list) or not set(flags) <= set(FLAGS):
            raise Refused("unknown flags")
        nb = _checked_notebook(item.get("nb"), job.nb)
        resources = copy.deepcopy(job.resources)
        state = resources.setdefault("dfml", {})
        state["extracted"] = _checked_extracted(item.get("extracted", {}),
                                                list(state.get("specs") or []))
        seconds = item.get("seconds")
        out[job.notebook] = ExecutionResult(
            nb=nb, resources=resources, status=status, flags=set(flags),
            detail=str(item.get("detail") or "")[:300],
            seconds=float(seconds) if isinstance(seconds, int | float) else 0.0)
    return out
