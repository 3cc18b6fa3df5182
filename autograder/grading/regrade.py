"""An instructor's regrade decisions, applied around each student's grading in a batch.

``grade --questions IDS`` (only the chosen questions change) and ``grade
--variant-from-worked-by`` (grade against the variant of the identity the notebook was worked
under) add a :class:`Regrade` to the batch (:mod:`.batch`):

* :meth:`Regrade.refusals`, before grading starts: students whose questions cannot be
  regraded alone (never graded, resubmitted since, last grading failed);
* :meth:`Regrade.before`, before a student is prepared: the identity record is validated
  (:mod:`.worked_by`; a refusal ends that student as an ``error`` outcome, grades untouched),
  and the cells to keep are saved (:mod:`.questions`) in the journal folder, so a killed run
  finishes from the same snapshot when the same command runs again;
* :meth:`Regrade.prepared`: the judge and the kernel are told which variant to use;
* :meth:`Regrade.after`, right before the outcome is journaled: the kept cells are put back
  and the decision is recorded (flag ``variant_from_worked_by``, the outcome's detail).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from . import questions, worked_by
from .course import Course
from .outcomes import Journal

log = logging.getLogger("autograder.grading")

#: The journal's sub-folder holding the snapshots of unfinished question regrades.
PENDING = "regrade-pending"


class Regrade:
    """The decisions of one ``grade`` run (see the module docstring)."""

    def __init__(self, course: Course, assignment: str, notebooks: list[str], *,
                 chosen: questions.Chosen | None = None,
                 variant_from_worked_by: bool = False) -> None:
        self.course = course
        self.assignment = assignment
        self.notebooks = notebooks
        self.chosen = chosen
        self.variant_from_worked_by = variant_from_worked_by
        self.folder = course.state_dir(assignment) / PENDING
        self._previous: dict[str, dict[str, Any]] = {}
        self._kept: dict[str, dict[str, Any]] = {}
        self._decided: dict[str, str] = {}
        self._classmates: set[str] | None = None

    # -- before grading starts -------------------------------------------------------------

    def pending(self) -> list[str]:
        """Students whose question regrade was interrupted (a snapshot is waiting)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.name.startswith("."))

    def refusals(self, students: list[str], journal: Journal) -> list[str]:
        """Why some of ``students`` cannot have only the chosen questions regraded."""
        if self.chosen is None:
            return []
        done = journal.load()
        problems = []
        for student in students:
            snap = self._load(student)
            if snap is not None:  # an interrupted regrade: its snapshot is the earlier state
                old = snap["outcome"]
            elif student in done:
                old = done[student].to_json()
            else:
                problems.append(f"{student} was never graded")
                continue
            graded = [self.course.path("autograded", student, self.assignment) / f"{n}.ipynb"
                      for n in self.notebooks]
            if old.get("status") in ("error", "malformed"):
                problems.append(f"{student}'s last grading ended in {old.get('status')}")
            elif old.get("fingerprint") != self.course.fingerprint(student, self.assignment):
                problems.append(f"{student} resubmitted since the last grading")
            elif snap is None and not all(p.is_file() for p in graded):
                problems.append(f"{student} has no graded notebook")
            else:
                self._previous[student] = old
        return problems

    # -- around each student ---------------------------------------------------------------

    def before(self, student: str) -> None:
        """Validate the decision and save what to keep; raises if the student is refused."""
        if self.variant_from_worked_by:
            submitted = self.course.path("submitted", student, self.assignment)
            try:
                identity = worked_by.decide(submitted, self.assignment, student,
                                            self.classmates())
            except worked_by.RecordRefused as exc:
                raise worked_by.RecordRefused(worked_by.refusal(str(exc))) from None
            self._decided[student] = identity
        if self.chosen is not None:
            snap = self._load(student)
            if snap is None:
                snap = {"questions": self.chosen.describe(),
                        "outcome": self._previous[student],
                        "kept": questions.snapshot(self.course, self.assignment, student,
                                                   self.notebooks)}
                self._save(student, snap)
            self._kept[student] = snap

    def prepared(self, prep: Any) -> None:
        """Tell the judge and the kernel the variant decided for ``prep`` (a Prepared)."""
        identity = self._decided.get(prep.student)
        if identity is None:
            return
        note = worked_by.decision_note(identity, prep.student)
        for job in prep.jobs:
            state = job.resources.setdefault("dfml", {})
            state["variant_of"] = identity
            state["decision"] = note

    def after(self, prep: Any) -> None:
        """Put back the kept cells and record the decision (before the outcome is journaled)."""
        outcome = prep.outcome
        try:
            identity = self._decided.pop(prep.student, None)
            if identity is not None:
                outcome.flag("variant_from_worked_by")
                if not outcome.detail:
                    outcome.detail = worked_by.decision_note(identity, prep.student)[:300]
            snap = self._kept.pop(prep.student, None)
            if snap is not None and self.chosen is not None:
                questions.restore(self.course, self.assignment, prep.student, self.chosen,
                                  snap["kept"])
                outcome.checks = questions.kept_checks(snap["outcome"].get("checks") or [],
                                                       outcome.checks, self.chosen)
                if not outcome.detail:
                    outcome.detail = (f"regraded {self.chosen.describe()} only; every other "
                                      "cell kept from the last grading")[:300]
                (self.folder / f"{prep.student}.json").unlink(missing_ok=True)
        except Exception as exc:  # the snapshot stays: the same command finishes it later
            log.exception("finishing the regrade of %s failed", prep.student)
            outcome.set_status("error")
            outcome.detail = f"regrade: {type(exc).__name__}: {exc}"[:300]

    # -- helpers ---------------------------------------------------------------------------

    def classmates(self) -> set[str]:
        """Every student id of the course (gradebook and submissions)."""
        if self._classmates is None:
            from nbgrader.api import Gradebook

            with Gradebook(self.course.db_url, self.course.course_id) as gb:
                found = {s.id for s in gb.students}
            self._classmates = found | set(self.course.students(self.assignment))
        return self._classmates

    def _load(self, student: str) -> dict[str, Any] | None:
        path = self.folder / f"{student}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def _save(self, student: str, snap: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(snap, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.folder / f"{student}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
