"""The single writer: every gradebook and ``autograded/`` write of a batch, on one thread.

It does what ``nbgrader autograde`` does for one student, with nbgrader's own code and the
course's configured preprocessor lists, split around the execution that happens elsewhere:

1. :meth:`GradebookWriter.prepare` - the files of nbgrader's ``Autograde.init_assignment``
   (the submission's and the source's files copied to ``autograded/``, the timestamp read),
   then reading each notebook once and running the *sanitize* preprocessors (ClearOutput,
   DeduplicateIds, OverwriteKernelspec, OverwriteCells or the course's RestoreCells,
   CheckCellMetadata) with the gradebook's source cells from memory (:mod:`.sanitizing`).
2. (a worker runs the *autograde* preprocessors before SaveAutoGrades, Execute among them,
   in a sandboxed kernel: see :mod:`.runner`)
3. :meth:`GradebookWriter.submit` - the rest of the autograde list: the scores and comments
   SaveAutoGrades would save, RecordVerdicts' and AssignLatePenalties' work, CheckCellMetadata;
   the graded notebook written to ``autograded/``. The gradebook rows wait in a queue.
4. :meth:`GradebookWriter.flush` - the queued submissions' rows (student and submission rows
   too) in one transaction (:mod:`.gradebook_rows`), the scores read back, and only after the
   commit each outcome journaled. A ``kill -9`` before the commit leaves those submissions
   without a record, so a rerun grades exactly them again.

Only this thread opens the gradebook for writing, so there is never a "database is locked".
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode

from ..judging.extraction import RECORD_FILE, dfml_state, read_regular, specs_from_gradebook
from ..nbgrader_support import (
    JudgeAnswers,
    KeepManualGrades,
    RecordVerdicts,
    cells_for_a_human,
    fail_closed,
    identity_notice,
)
from .course import Course
from .gradebook_rows import GradebookRows, Rows, grades, saved_cells
from .outcomes import Journal, Outcome
from .runner import ExecutionResult
from .sanitizing import (
    Sanitizer,
    as_read_back,
    as_text,
    changes,
    grade_id_of,
    read_notebook,
    remove_duplicates,
    snapshot,
)
from .submission_files import refused_at_collect, safe_copy, unsafe_entries

__all__ = ["GradebookWriter", "NotJudged", "NotebookJob", "Prepared", "UnsupportedStep",
           "grades", "read_notebook", "remove_duplicates"]

log = logging.getLogger("autograder.grading")

#: Submissions queued before the writer commits them (and journals their outcomes).
BATCH_SIZE = 64
#: Seconds a finished submission may wait in the queue before it is committed.
MAX_DELAY = 1.0


class NotJudged(RuntimeError):
    """The course's nbgrader config does not judge answers outside the kernel."""


@dataclass
class NotebookJob:
    """One sanitized notebook, ready to execute."""

    notebook: str
    nb: NotebookNode
    resources: dict[str, Any]


@dataclass
class Prepared:
    """A submission after preparation: what to execute, and what is known so far."""

    student: str
    outcome: Outcome
    dest: Path
    jobs: list[NotebookJob] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    #: its gradebook work, applied when the writer flushes (None: nothing to write)
    rows: Rows | None = None


class UnsupportedStep(NotJudged):
    """The course's save steps include one the batched writer does not know how to batch."""


#: The save steps the writer batches, by their exact class name (see :meth:`_save`).
_SAVE_KINDS = {
    "KeepManualGrades": "keep",
    "SaveAutoGrades": "save",
    "RecordVerdicts": "verdicts",
    "AssignLatePenalties": "late",
    "CheckCellMetadata": "check",
}


class GradebookWriter:
    """Prepares and finishes submissions of one assignment; call only from one thread."""

    def __init__(
        self,
        course: Course,
        assignment: str,
        journal: Journal,
        *,
        sandbox: str = "",
        shadowed: tuple[str, ...] = (),
        scratch: Path | None = None,
        batch_size: int = BATCH_SIZE,
        max_delay: float = MAX_DELAY,
    ) -> None:
        from nbgrader.api import Gradebook
        from nbgrader.converters import Autograde
        from nbgrader.preprocessors import SaveAutoGrades

        from . import speedups

        speedups.install()
        self.course = course
        self.assignment = assignment
        self.journal = journal
        self.sandbox = sandbox
        self.batch_size = max(1, batch_size)
        self.max_delay = max_delay
        self._Gradebook = Gradebook
        #: called with each Prepared after its batch is committed, before its scores are read
        #: back and journaled (a question regrade puts back the cells it keeps: :mod:`.regrade`)
        self.before_journal: Callable[[Prepared], None] | None = None

        class _Autograde(Autograde):
            """nbgrader's converter, reading a cleaned copy of a submission when needed."""

            input_override: str | None = None

            @property
            def _input_directory(self) -> str:
                if self._sanitizing and self.input_override:
                    return self.input_override
                return super()._input_directory

        self.converter = _Autograde(coursedir=course.coursedir, config=course.config)
        self._safe_root = Path(tempfile.mkdtemp(prefix="safe-", dir=scratch))
        #: top-level module names a submitted file must not shadow
        self.shadowed = frozenset(m.split(".")[0] for m in (*shadowed, "autograder",
                                                             "calc_helpers"))
        self.converter.log = logging.getLogger("autograder.grading.nbgrader")
        self.sanitize_steps = list(self.converter.sanitize_preprocessors)
        steps = list(self.converter.autograde_preprocessors)
        # the gradebook is read and written from here on: on this (the writer's) thread only
        cut = next((i for i, s in enumerate(steps)
                    if issubclass(s, (SaveAutoGrades, KeepManualGrades))), len(steps))
        #: run by the workers (Execute and what comes before saving)
        self.execute_steps = steps[:cut]
        #: run here after execution (SaveAutoGrades and after)
        self.save_steps = steps[cut:]
        if JudgeAnswers not in self.execute_steps or RecordVerdicts not in self.save_steps:
            raise NotJudged(
                "the course's nbgrader_config.py does not judge answers outside the kernel: "
                "call autograder.nbgrader_support.configure(c) in it (see the README)")
        self._plan = self._save_plan(course.config)
        self.rows = GradebookRows(course.db_url, course.course_id, assignment, course.config)
        self.notebooks = list(self.rows.notebooks)
        self.max_score = self.rows.max_score
        #: per notebook, the judge specs of its test cells (from the gradebook's sources)
        self.specs = {
            name: [s.to_json() for s in specs_from_gradebook(course.db_url, assignment, name,
                                                            course.course_id)]
            for name in self.notebooks
        }
        self.sanitizer = Sanitizer(self.sanitize_steps, course.config, self.rows.reader)
        self._source_files = self._find_source_files()
        self._pending: list[Prepared] = []
        self._oldest = 0.0

    def _save_plan(self, config: Any) -> list[tuple[str, Any]]:
        """(kind, the step made once) for each save step; refuses a step it cannot batch."""
        plan = []
        for step in self.save_steps:
            kind = _SAVE_KINDS.get(step.__name__)
            if kind is None or step.__module__.split(".")[0] not in ("nbgrader", "autograder"):
                raise UnsupportedStep(
                    f"the course's autograde steps include {step.__module__}.{step.__name__} "
                    "after saving, which the class grader cannot batch: grade with "
                    "`nbgrader autograde`, or move it before SaveAutoGrades")
            plan.append((kind, step(config=config)))
        return plan

    def _find_source_files(self) -> list[str]:
        """The assignment's own files (absolute), as Autograde.init_assignment lists them."""
        from nbgrader import utils

        cd = self.course.coursedir
        base = cd.format_path(cd.source_directory, ".", self.assignment)
        found = set(utils.find_all_files(base, cd.ignore + ["*.ipynb"]))
        keep = {os.path.join(base, x)
                for x in self.converter.exclude_overwriting.get(self.assignment, [])}
        return sorted(found - keep)

    def source_files(self) -> frozenset[str]:
        """Relative paths of the assignment's own files (copied over the student's)."""
        cd = self.course.coursedir
        base = Path(cd.format_path(cd.source_directory, ".", self.assignment))
        if not base.is_dir():
            return frozenset()
        return frozenset(str(Path(f).relative_to(base)) for f in self._source_files)

    def close(self) -> None:
        """Remove the writer's private scratch (cleaned copies of submissions)."""
        self.rows.close()
        shutil.rmtree(self._safe_root, ignore_errors=True)

    def gradebook(self) -> Any:  # an nbgrader.api.Gradebook
        """A gradebook connection (use as a context manager)."""
        return self._Gradebook(self.course.db_url, self.course.course_id)

    # -- preparing -------------------------------------------------------------------------

    def prepare(self, student: str) -> Prepared:
        """Files and sanitized notebooks for ``student``; its gradebook rows wait for flush."""
        from nbgrader.converters.base import NbGraderException

        outcome = Outcome(
            student=student,
            assignment=self.assignment,
            sandbox=self.sandbox,
            max_score=self.max_score,
            fingerprint=self.course.fingerprint(student, self.assignment),
        )
        dest = self.course.path("autograded", student, self.assignment)
        prep = Prepared(student=student, outcome=outcome, dest=dest, rows=Rows(student))
        if dest.exists():
            shutil.rmtree(dest)
        submitted = self.course.path("submitted", student, self.assignment)
        refused = refused_at_collect(submitted)
        if refused:
            outcome.flag("unsafe_files_removed")
            outcome.detail = ("refused when collected: " + ", ".join(refused))[:300]
        unsafe = unsafe_entries(submitted)
        if unsafe:  # links or special files: nbgrader would follow them, as root
            submitted = self._safe_copy(submitted, student)
            outcome.flag("unsafe_files_removed")
            outcome.detail = ("not regular files, ignored: " + ", ".join(unsafe))[:300]
        self.converter.input_override = str(self._safe_root) if unsafe else None
        self.converter.notebooks = sorted(str(p) for p in submitted.glob("*.ipynb"))
        try:
            self._init_assignment(prep)
        except NbGraderException as exc:
            outcome.set_status("malformed")
            outcome.detail = f"no gradable notebook: {exc}"[:300]
            prep.rows.ops.append(("zero", list(self.notebooks), True))
            return prep
        finally:
            self.converter.input_override = None
        shadows = self._remove_shadows(dest)
        if shadows:
            outcome.flag("unsafe_files_removed")
            outcome.detail = ("files named like the graders' modules, ignored: "
                              + ", ".join(shadows))[:300]
        for path in map(Path, self.converter.notebooks):
            job = self._sanitize(prep, path)
            if job is not None:
                prep.jobs.append(job)
        return prep

    def _init_assignment(self, prep: Prepared) -> None:
        """nbgrader's Autograde.init_assignment, its gradebook work queued in ``prep.rows``.

        The student and submission rows (with the timestamp) are made when the rows are
        applied; the files are copied here in nbgrader's order with nbgrader's own code.
        """
        from nbgrader import utils
        from nbgrader.converters.base import BaseConverter, NbGraderException

        student, converter = prep.student, self.converter
        BaseConverter.init_assignment(converter, self.assignment, student)  # submitted files
        source = converter._format_source(self.assignment, student)
        timestamp = self.course.coursedir.get_existing_timestamp(source)
        prep.rows.timestamp = utils.parse_utc(timestamp) if timestamp else None
        dest_path = converter._format_dest(self.assignment, student)
        cd = self.course.coursedir
        base = cd.format_path(cd.source_directory, ".", self.assignment)
        for filename in self._source_files:
            dest = os.path.join(dest_path, os.path.relpath(filename, base))
            if not os.path.exists(os.path.dirname(dest)):
                os.makedirs(os.path.dirname(dest))
            if os.path.exists(dest):
                os.remove(dest)
            shutil.copy(filename, dest)
        known = set(self.notebooks)
        converter.notebooks = [n for n in converter.notebooks
                               if os.path.splitext(os.path.basename(n))[0] in known]
        if not converter.notebooks:
            raise NbGraderException("No notebooks found, did you forget to run "
                                    "'nbgrader generate_assignment'?")
        submitted = self.course.path("submitted", student, self.assignment)
        for name in self.notebooks:  # not submitted: 0, nothing for a human to grade
            if not os.path.exists(os.path.join(submitted, f"{name}.ipynb")):
                prep.rows.ops.append(("zero", [name], False))

    def _safe_copy(self, submitted: Path, student: str) -> Path:
        """The submission's regular files only, copied without following any link."""
        return safe_copy(submitted, self._safe_root / student / self.assignment)

    def _remove_shadows(self, dest: Path) -> list[str]:
        """Delete student files that would be imported instead of the graders' modules."""
        removed = []
        protected = self.source_files()
        for entry in sorted(dest.iterdir()) if dest.exists() else []:
            name = entry.name.split(".")[0]
            if name in self.shadowed and entry.name not in protected and (
                    entry.is_dir() or entry.suffix in (".py", ".pyc", ".so", ".pth")):
                removed.append(entry.name)
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        return removed

    def _resources(self, student: str, notebook: str, dest: Path) -> dict[str, Any]:
        submitted = self.course.path("submitted", student, self.assignment)
        return {
            "dfml": {"specs": list(self.specs.get(notebook, [])),
                     "record": read_regular(submitted / RECORD_FILE)},
            "unique_key": notebook,
            "output_files_dir": f"{notebook}_files",
            "metadata": {"name": notebook, "path": str(dest)},
            "nbgrader": {
                "student": student,
                "assignment": self.assignment,
                "notebook": notebook,
                "db_url": self.course.db_url,
            },
        }

    def _sanitize(self, prep: Prepared, path: Path) -> NotebookJob | None:
        outcome, notebook = prep.outcome, path.stem
        try:
            nb = read_notebook(path)
        except (OSError, ValueError) as exc:
            return self._malformed(prep, notebook, f"{path.name}: {exc}")
        dups = remove_duplicates(nb)
        if dups:
            outcome.flag("duplicate_cells_removed")
        before = snapshot(nb)
        resources = self._resources(prep.student, notebook, prep.dest)
        try:
            nb, resources = self.sanitizer.run(nb, resources)
        except Exception as exc:  # corrupted nbgrader metadata, cells nbgrader cannot restore
            return self._malformed(prep, notebook, f"{path.name}: {type(exc).__name__}: {exc}")
        missing, tampered = changes(before, snapshot(nb), self.sanitizer.released)
        if missing:
            outcome.flag("missing_cells_restored")
        if tampered:
            outcome.flag("tampered_cells_restored")
        prep.dest.mkdir(parents=True, exist_ok=True)
        # the graded notebook is written when the submission is saved (or, if saving fails,
        # this sanitized one): the kernel runs a copy in its own folder, never this file
        return NotebookJob(notebook, as_read_back(nb), resources)

    def _malformed(self, prep: Prepared, notebook: str, why: str) -> None:
        prep.outcome.set_status("malformed")
        prep.outcome.detail = why[:300]
        prep.rows.ops.append(("zero", [notebook], True))
        return None

    # -- finishing -------------------------------------------------------------------------

    def finish(self, prep: Prepared, results: dict[str, ExecutionResult]) -> Outcome:
        """Save, commit and journal one submission now (:meth:`submit` then :meth:`flush`)."""
        self.submit(prep, results)
        return next(o for o in self.flush() if o.student == prep.student)

    def submit(self, prep: Prepared, results: dict[str, ExecutionResult]) -> list[Outcome]:
        """Save grades for executed notebooks and write them out; queue the gradebook rows.

        Returns the outcomes committed and journaled by this call: none until the queue
        holds ``batch_size`` submissions (see :meth:`due` and :meth:`flush`).
        """
        outcome = prep.outcome
        notes = []
        try:
            for job in prep.jobs:
                result = results.get(job.notebook)
                if result is None:
                    result = ExecutionResult(
                        nb=job.nb, resources=job.resources, status="error", detail="not executed"
                    )
                self._save(prep, job, result)
                notes.append(identity_notice(result.resources))
            if prep.dest.exists():
                self.converter.set_permissions(self.assignment, prep.student)
            note = next((n for n in notes if n), None)
            if note:
                outcome.set_status("variant_mismatch")
                outcome.detail = outcome.detail or note[:300]
        except Exception as exc:  # a grader bug on one submission must not stop the batch
            log.exception("finishing %s failed", prep.student)
            outcome.set_status("error")
            outcome.detail = f"{type(exc).__name__}: {exc}"[:300]
            if prep.rows is not None:
                prep.rows.ops.append(("zero", [job.notebook for job in prep.jobs], True))
            for job in prep.jobs:  # what nbgrader leaves when saving fails: the sanitized one
                path = prep.dest / f"{job.notebook}.ipynb"
                if not path.exists():
                    path.write_text(as_text(job.nb), encoding="utf-8")
        if not self._pending:
            self._oldest = time.monotonic()
        self._pending.append(prep)
        return self.flush() if len(self._pending) >= self.batch_size else []

    def _save(self, prep: Prepared, job: NotebookJob, result: ExecutionResult) -> None:
        """The save steps for one notebook: rows queued in order, the notebook written."""
        from nbgrader import utils

        outcome, ops, notebook = prep.outcome, prep.rows.ops, job.notebook
        outcome.set_status(result.status)
        for name in sorted(result.flags):
            outcome.flag(name)
        if result.detail and not outcome.detail:
            outcome.detail = result.detail
        outcome.checks.extend(dict(line, notebook=notebook) for line in result.checks)
        nb, resources = result.nb, result.resources
        if fail_closed(nb, resources):  # never executed or judged: 0, and a human looks
            outcome.flag("not_judged")
        for kind, step in self._plan:
            if not step.enabled:
                continue
            if kind == "keep":
                ops.append(("keep", notebook))
            elif kind == "save":
                ops.append(("save", notebook, saved_cells(nb, step.log)))
            elif kind == "verdicts":
                ops.append(("verdicts", notebook, cells_for_a_human(resources),
                            identity_notice(resources) or dfml_state(resources).get("decision"),
                            [grade_id_of(c) for c in nb.cells if utils.is_solution(c)]))
            elif kind == "late":
                ops.append(("late", notebook))
            else:  # CheckCellMetadata: nbgrader's own check of the graded notebook
                nb, resources = step(nb, resources)
        (prep.dest / f"{notebook}.ipynb").write_text(as_text(nb), encoding="utf-8")

    # -- committing ------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Submissions saved but not yet committed."""
        return len(self._pending)

    def due(self) -> float | None:
        """Seconds until the queue should be flushed (0: now), None if it is empty."""
        if not self._pending:
            return None
        if len(self._pending) >= self.batch_size:
            return 0.0
        return max(0.0, self._oldest + self.max_delay - time.monotonic())

    def flush(self) -> list[Outcome]:
        """Commit every queued submission in one transaction, then journal their outcomes.

        An outcome is journaled only after its grades are committed. If the commit fails
        the error propagates and none of the queued submissions is journaled.
        """
        batch, self._pending = self._pending, []
        if not batch:
            return []
        rows = [p.rows for p in batch if p.rows is not None]
        students = [p.student for p in batch]
        scores = self.rows.apply(rows, students)
        if self.before_journal is not None:  # after the commit: the hook opens its own gradebook
            for prep in batch:
                self.before_journal(prep)
            scores = self.rows.read(students)
        outcomes = []
        for prep in batch:
            outcome = prep.outcome
            if prep.rows is not None and prep.rows.error:
                outcome.set_status("error")
                outcome.detail = prep.rows.error
            _read_back(outcome, scores.get(prep.student))
            outcome.seconds = round(time.monotonic() - prep.started, 3)
            outcomes.append(outcome)
        self.journal.write_many(outcomes)
        return outcomes


def _read_back(outcome: Outcome, found: dict[str, dict] | None) -> None:
    """Scores as the gradebook has them (what nbgrader's tools will show)."""
    if not found:
        outcome.set_status("error")
        outcome.detail = outcome.detail or "no submission in the gradebook"
        return
    outcome.questions = found
    outcome.score = round(sum(q["score"] for q in found.values()), 6)
    if any(q["needs_manual"] for q in found.values()):
        outcome.flag("manual_grading")
