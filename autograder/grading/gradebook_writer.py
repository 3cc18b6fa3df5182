"""The single writer: every gradebook and ``autograded/`` write of a batch, on one thread.

It does what ``nbgrader autograde`` does for one student, with nbgrader's own code and the
course's configured preprocessor lists, split around the execution that happens elsewhere:

1. :meth:`GradebookWriter.prepare` - nbgrader's ``Autograde.init_assignment`` (student and
   submission rows, timestamp, copying the submission's and the source's files), then reading
   each notebook and running the *sanitize* preprocessors (ClearOutput, DeduplicateIds,
   OverwriteKernelspec, OverwriteCells or the course's RestoreCells, CheckCellMetadata).
2. (a worker runs the *autograde* preprocessors before SaveAutoGrades, Execute among them,
   in a sandboxed kernel: see :mod:`.runner`)
3. :meth:`GradebookWriter.finish` - the rest of the autograde list (SaveAutoGrades,
   AssignLatePenalties, CheckCellMetadata, the course's additions), the graded notebook
   written to ``autograded/``, scores read back from the gradebook, the journal record.

Only this thread opens the gradebook for writing, so there is never a "database is locked".
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from ..exchange import REFUSED_FILE
from ..judging.extraction import RECORD_FILE, read_regular, specs_from_gradebook
from ..nbgrader_support import (
    JudgeAnswers,
    KeepManualGrades,
    RecordVerdicts,
    fail_closed,
    identity_notice,
)
from .course import Course
from .outcomes import Journal, Outcome
from .runner import ExecutionResult

log = logging.getLogger("autograder.grading")


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


def _nofollow(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def _unsafe_entries(folder: Path) -> list[str]:
    """Entries of a submission that are neither regular files nor real directories."""
    bad = []
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if path.is_symlink() or not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            bad.append(str(path.relative_to(folder)))
    return bad


def _refused_at_collect(submitted: Path) -> list[str]:
    """What collect refused in this submission (its record), read without following links."""
    text = read_regular(submitted / REFUSED_FILE)
    if text is None:
        exists = os.path.lexists(submitted / REFUSED_FILE)
        return ["(an unreadable collect record)"] if exists else []
    try:
        data = json.loads(text)
    except ValueError:
        return ["(an unreadable collect record)"]
    items = data.get("refused") if isinstance(data, dict) else None
    return [str(i)[:120] for i in items[:20]] if isinstance(items, list) else []


def _grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _snapshot(nb: NotebookNode) -> dict[str, tuple]:
    """Per grade id: (cell type, source, locked, points, grade) - what OverwriteCells checks."""
    out = {}
    for cell in nb.cells:
        gid = _grade_id(cell)
        if gid is None:
            continue
        meta = cell.metadata.get("nbgrader", {})
        out[gid] = (
            cell.cell_type,
            cell.source,
            bool(meta.get("locked")),
            meta.get("points"),
            bool(meta.get("grade")),
        )
    return out


def _changes(
    before: dict[str, tuple], after: dict[str, tuple], released: Callable[[str], str]
) -> tuple[bool, bool]:
    """(a cell was restored because it was missing, a cell was restored because edited).

    A locked cell counts as edited only if its submitted source differs from the released
    one (``released(source)`` strips the hidden tests nbgrader adds back for everyone).
    """
    missing = tampered = False
    for gid, (kind, source, locked, points, _grade) in after.items():
        old = before.get(gid)
        if old is None:
            missing = True
            continue
        if (kind, locked, points) != (old[0], old[2], old[3]):
            tampered = True
        elif locked and old[1] != source and old[1] != released(source):
            tampered = True
    return missing, tampered


def read_notebook(path: Path) -> NotebookNode:
    """Read a submitted notebook as nbgrader would, raising ValueError if it is not one."""
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not a JSON notebook: {exc}"[:200]) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", []), list):
        raise ValueError("not a notebook (no list of cells)")
    major = data.get("nbformat")
    if major not in (3, 4):
        raise ValueError(f"unsupported nbformat version {major!r}")
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # nbformat's many reader errors
        raise ValueError(f"unreadable notebook: {type(exc).__name__}: {exc}"[:200]) from None
    for cell in nb.cells:
        if not isinstance(cell, dict) or "cell_type" not in cell or "source" not in cell:
            raise ValueError("a cell without cell_type or source")
    return nb


def remove_duplicates(nb: NotebookNode) -> list[str]:
    """Keep nbgrader metadata only on the last cell of each grade id; return the duplicates.

    nbgrader's DeduplicateIds does the same but leaves an empty ``nbgrader`` dict that makes
    OverwriteCells(add_missing_cells) fail, ending the student's grading.
    """
    seen: set[str] = set()
    dups = []
    for cell in reversed(nb.cells):
        gid = _grade_id(cell)
        if gid is None:
            continue
        if gid in seen:
            dups.append(gid)
            del cell.metadata["nbgrader"]
        else:
            seen.add(gid)
    return dups


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
        self._Gradebook = Gradebook
        #: called with each Prepared right before its scores are read back and journaled
        #: (a question regrade puts back the cells it keeps: :mod:`.regrade`)
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
        with self.gradebook() as gb:
            found = gb.find_assignment(assignment)
            self.notebooks = [n.name for n in found.notebooks]
            self.max_score = float(found.max_score)
        #: per notebook, the judge specs of its test cells (from the gradebook's sources)
        self.specs = {
            name: [s.to_json() for s in specs_from_gradebook(course.db_url, assignment, name,
                                                            course.course_id)]
            for name in self.notebooks
        }

    def source_files(self) -> frozenset[str]:
        """Relative paths of the assignment's own files (copied over the student's)."""
        from nbgrader import utils

        cd = self.course.coursedir
        base = Path(cd.format_path(cd.source_directory, ".", self.assignment))
        if not base.is_dir():
            return frozenset()
        files = utils.find_all_files(str(base), cd.ignore + ["*.ipynb"])
        keep = set(self.converter.exclude_overwriting.get(self.assignment, []))
        rels = {str(Path(f).relative_to(base)) for f in files}
        return frozenset(rels - keep)

    def close(self) -> None:
        """Remove the writer's private scratch (cleaned copies of submissions)."""
        shutil.rmtree(self._safe_root, ignore_errors=True)

    def gradebook(self) -> Any:  # an nbgrader.api.Gradebook
        """A gradebook connection (use as a context manager)."""
        return self._Gradebook(self.course.db_url, self.course.course_id)

    # -- preparing -------------------------------------------------------------------------

    def prepare(self, student: str) -> Prepared:
        """Gradebook rows, files and sanitized notebooks for ``student``."""
        from nbgrader.converters.base import NbGraderException

        outcome = Outcome(
            student=student,
            assignment=self.assignment,
            sandbox=self.sandbox,
            max_score=self.max_score,
            fingerprint=self.course.fingerprint(student, self.assignment),
        )
        dest = self.course.path("autograded", student, self.assignment)
        prep = Prepared(student=student, outcome=outcome, dest=dest)
        if dest.exists():
            shutil.rmtree(dest)
        submitted = self.course.path("submitted", student, self.assignment)
        refused = _refused_at_collect(submitted)
        if refused:
            outcome.flag("unsafe_files_removed")
            outcome.detail = ("refused when collected: " + ", ".join(refused))[:300]
        unsafe = _unsafe_entries(submitted)
        if unsafe:  # links or special files: nbgrader would follow them, as root
            submitted = self._safe_copy(submitted, student)
            outcome.flag("unsafe_files_removed")
            outcome.detail = ("not regular files, ignored: " + ", ".join(unsafe))[:300]
        self.converter.input_override = str(self._safe_root) if unsafe else None
        self.converter.notebooks = sorted(str(p) for p in submitted.glob("*.ipynb"))
        try:
            self.converter.init_assignment(self.assignment, student)
        except NbGraderException as exc:
            outcome.set_status("malformed")
            outcome.detail = f"no gradable notebook: {exc}"[:300]
            self._zero(student, self.notebooks)
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

    def _safe_copy(self, submitted: Path, student: str) -> Path:
        """The submission's regular files only, copied without following any link."""
        target = self._safe_root / student / self.assignment
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for path in sorted(submitted.rglob("*")):
            rel = path.relative_to(submitted)
            info = path.lstat()
            if stat.S_ISDIR(info.st_mode) and not path.is_symlink():
                (target / rel).mkdir(parents=True, exist_ok=True)
            elif stat.S_ISREG(info.st_mode):
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                with open(path, "rb", opener=_nofollow) as src, open(target / rel, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        return target

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
        before = _snapshot(nb)
        resources = self._resources(prep.student, notebook, prep.dest)
        try:
            for step in self.sanitize_steps:
                nb, resources = step(config=self.course.config)(nb, resources)
        except Exception as exc:  # corrupted nbgrader metadata, cells nbgrader cannot restore
            return self._malformed(prep, notebook, f"{path.name}: {type(exc).__name__}: {exc}")
        missing, tampered = _changes(before, _snapshot(nb), self._released)
        if missing:
            outcome.flag("missing_cells_restored")
        if tampered:
            outcome.flag("tampered_cells_restored")
        prep.dest.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(nb)
        (prep.dest / f"{notebook}.ipynb").write_text(text, encoding="utf-8")
        return NotebookJob(notebook, nbformat.reads(text, as_version=4), resources)

    def _released(self, source: str) -> str:
        """A test cell's source as released to students (nbgrader's ClearHiddenTests)."""
        from nbformat.v4 import new_code_cell
        from nbgrader.preprocessors import ClearHiddenTests

        cell = new_code_cell(source)
        try:
            ClearHiddenTests(config=self.course.config)._remove_hidden_test_region(cell)
        except RuntimeError:
            return source
        return cell.source

    def _malformed(self, prep: Prepared, notebook: str, why: str) -> None:
        prep.outcome.set_status("malformed")
        prep.outcome.detail = why[:300]
        self._zero(prep.student, [notebook])
        return None

    def _zero(self, student: str, notebooks: list[str]) -> None:
        """Score 0 (held for a human) every grade of ``notebooks`` of the submission."""
        from nbgrader.api import MissingEntry

        with self.gradebook() as gb:
            gb.update_or_create_submission(self.assignment, student)
            for name in notebooks:
                try:
                    sub = gb.find_submission_notebook(name, self.assignment, student)
                except MissingEntry:
                    continue
                for grade in sub.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = True
            gb.db.commit()

    # -- finishing -------------------------------------------------------------------------

    def finish(self, prep: Prepared, results: dict[str, ExecutionResult]) -> Outcome:
        """Save grades for executed notebooks, write them out, journal the outcome."""
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
            self._zero(prep.student, [job.notebook for job in prep.jobs])
        if self.before_journal is not None:
            self.before_journal(prep)
        self._read_back(outcome)
        outcome.seconds = round(time.monotonic() - prep.started, 3)
        self.journal.write(outcome)
        return outcome

    def _save(self, prep: Prepared, job: NotebookJob, result: ExecutionResult) -> None:
        outcome = prep.outcome
        outcome.set_status(result.status)
        for name in sorted(result.flags):
            outcome.flag(name)
        if result.detail and not outcome.detail:
            outcome.detail = result.detail
        outcome.checks.extend(dict(line, notebook=job.notebook) for line in result.checks)
        nb, resources = result.nb, result.resources
        if fail_closed(nb, resources):  # never executed or judged: 0, and a human looks
            outcome.flag("not_judged")
        for step in self.save_steps:
            nb, resources = step(config=self.course.config)(nb, resources)
        (prep.dest / f"{job.notebook}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")

    def _read_back(self, outcome: Outcome) -> None:
        """Scores as the gradebook has them (what nbgrader's tools will show)."""
        with self.gradebook() as gb:
            found = grades(gb, self.assignment, outcome.student).get(outcome.student)
        if not found:
            outcome.set_status("error")
            outcome.detail = outcome.detail or "no submission in the gradebook"
            return
        outcome.questions = found
        outcome.score = round(sum(q["score"] for q in found.values()), 6)
        if any(q["needs_manual"] for q in found.values()):
            outcome.flag("manual_grading")


def grades(gb: Any, assignment: str, student: str | None = None) -> dict[str, dict[str, dict]]:
    """{student: {question: {score, max, auto, needs_manual}}} in one query per call.

    A question is the grade id, ``notebook:grade_id`` when the assignment has several
    notebooks; ``score`` is nbgrader's (manual over automatic, plus extra credit).
    """
    from nbgrader.api import Grade, Student, SubmittedAssignment, SubmittedNotebook

    found = gb.find_assignment(assignment)
    many = len(found.notebooks) > 1
    cells = {}
    for nb in found.notebooks:
        for cell in nb.grade_cells:
            key = f"{nb.name}:{cell.name}" if many else cell.name
            cells[cell.id] = (key, float(cell.max_score))
    query = (
        gb.db.query(Student.id, Grade.cell_id, Grade.score, Grade.auto_score,
                    Grade.needs_manual_grade, Grade.manual_score)
        .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
        .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
        .join(Student, SubmittedAssignment.student_id == Student.id)
        .filter(SubmittedAssignment.assignment_id == found.id)
    )
    if student is not None:
        query = query.filter(Student.id == student)
    out: dict[str, dict[str, dict]] = {}
    for sid, cell_id, score, auto, manual, by_hand in query:
        if cell_id not in cells:
            continue
        key, max_score = cells[cell_id]
        out.setdefault(sid, {})[key] = {"score": float(score or 0.0), "max": max_score,
                                        "auto": auto, "needs_manual": bool(manual),
                                        "manual": by_hand}
    return out
