"""What happened to each submission, and the journal that makes a batch resumable.

Every submission ends with exactly one :class:`Outcome`. ``status`` says how grading ended;
``flags`` add what a human should know. The score is always nbgrader's score from the
gradebook (0 when nothing could run).

Statuses (most severe first):

* ``malformed`` - the notebook could not be read (bad JSON, unsupported nbformat, broken
  nbgrader metadata) or holds no gradable notebook; every test scores 0.
* ``variant_mismatch`` - the notebook was made for another student's variant; graded as is,
  held for a human.
* ``timeout`` - the whole notebook ran past its wall-clock limit; the kernel was killed.
* ``memory`` - the kernel hit its memory limit (a ``MemoryError`` or death by allocation).
* ``kernel_died`` - the kernel process exited (``os._exit``, a crash, a signal).
* ``graded`` - every cell ran (errors in cells are ordinary wrong answers).
* ``error`` - the grader itself failed on this submission (a bug; the rest go on).

When the kernel stopped early, the cell that was running and every test cell after it get an
error output, so nbgrader's own rule scores them 0 and marks them for manual grading.

Flags: ``tampered_cells_restored`` (a locked/test cell was edited: nbgrader restored it),
``missing_cells_restored`` (a test cell was deleted: restored), ``duplicate_cells_removed``
(a grade id appeared twice), ``cell_timeout`` (a cell hit the per-cell limit and was
interrupted), ``memory_error``, ``output_limited`` (output beyond the cap was dropped),
``processes_limited`` (hit the process limit), ``manual_grading`` (cells wait for a manual
grade), ``unsafe_files_removed`` (submitted links, special files, or files named like the
graders' modules were left out), ``variant_from_worked_by`` (graded against the variant of
the identity the notebook was worked under, by the instructor's decision).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("malformed", "variant_mismatch", "timeout", "memory", "kernel_died", "error", "graded")
FLAGS = (
    "tampered_cells_restored",
    "missing_cells_restored",
    "duplicate_cells_removed",
    "cell_timeout",
    "memory_error",
    "output_limited",
    "processes_limited",
    "manual_grading",
    "unsafe_files_removed",
    "disk_limited",
    "not_judged",
    "variant_from_worked_by",
)
#: Flags that mean a person should look at the submission.
HUMAN_FLAGS = frozenset(
    {
        "tampered_cells_restored",
        "missing_cells_restored",
        "duplicate_cells_removed",
        "manual_grading",
        "unsafe_files_removed",
        "memory_error",
        "not_judged",
        "disk_limited",
    }
)


def worst(statuses: list[str]) -> str:
    """The most severe of several statuses (``graded`` if the list is empty)."""
    ranked = [s for s in STATUSES if s in statuses]
    return ranked[0] if ranked else "graded"


@dataclass
class Outcome:
    """The recorded result of grading one student's submission of one assignment."""

    student: str
    assignment: str
    status: str = "graded"
    flags: list[str] = field(default_factory=list)
    score: float = 0.0
    max_score: float = 0.0
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""
    fingerprint: str = ""
    seconds: float = 0.0
    sandbox: str = ""

    def flag(self, name: str) -> None:
        """Add a flag once."""
        if name not in FLAGS:
            raise ValueError(f"unknown flag {name!r}")
        if name not in self.flags:
            self.flags.append(name)

    def set_status(self, status: str) -> None:
        """Keep the most severe status seen so far."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        self.status = worst([self.status, status])

    @property
    def needs_human(self) -> bool:
        """Whether the submission should be looked at by a person."""
        return self.status != "graded" or bool(HUMAN_FLAGS.intersection(self.flags))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the journal's record)."""
        data = asdict(self)
        data["needs_human"] = self.needs_human
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        """Inverse of :meth:`to_json`."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Journal:
    """One JSON record per finished submission, each written atomically (write + rename).

    A record is written only after the submission's grades are committed to the gradebook,
    so after a crash (even ``kill -9``) a rerun grades exactly the submissions without a
    record; nbgrader's gradebook updates are idempotent, so redoing one is harmless.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.records = directory / "outcomes"

    def path(self, student: str) -> Path:
        """Where ``student``'s record lives."""
        return self.records / f"{student}.json"

    def load(self) -> dict[str, Outcome]:
        """All finished outcomes, by student (unreadable records are ignored)."""
        out: dict[str, Outcome] = {}
        if not self.records.is_dir():
            return out
        for path in sorted(self.records.glob("*.json")):
            if path.name.startswith("."):  # a write interrupted before its rename
                path.unlink(missing_ok=True)
                continue
            try:
                outcome = Outcome.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue
            out[outcome.student] = outcome
        return out

    def write(self, outcome: Outcome) -> None:
        """Record ``outcome`` durably and atomically."""
        self.write_many([outcome])

    def write_many(self, outcomes: list[Outcome]) -> None:
        """Record each outcome durably and atomically, as :meth:`write` does, for many.

        Every record is complete on disk before it is renamed into place (one sync of the
        file system for all of them where Linux offers it, else one per file), then the
        folder is synced once. A crash part way leaves some records missing, never a torn
        one: those students are graded again.
        """
        if not outcomes:
            return
        self.records.mkdir(parents=True, exist_ok=True)
        dir_fd = os.open(self.records, os.O_RDONLY)
        try:
            each = not _syncfs_works(dir_fd)
            written = []
            try:
                for outcome in outcomes:
                    written.append((self._write_tmp(outcome, sync=each), outcome.student))
                if not each and not _syncfs(dir_fd):
                    raise OSError("syncfs failed")
                for tmp, student in written:
                    os.replace(tmp, self.path(student))
            except BaseException:
                for tmp, _ in written:
                    Path(tmp).unlink(missing_ok=True)
                raise
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _write_tmp(self, outcome: Outcome, sync: bool) -> str:
        data = json.dumps(outcome.to_json(), indent=1, sort_keys=True)
        fd, tmp = tempfile.mkstemp(dir=self.records, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return tmp

    def forget(self, student: str) -> None:
        """Drop ``student``'s record (before regrading it)."""
        self.path(student).unlink(missing_ok=True)


_LIBC: Any = None


def _syncfs(fd: int) -> bool:
    """Linux's syncfs(2) on the file system holding ``fd``; False if unavailable or failed."""
    global _LIBC
    if _LIBC is None:
        try:
            import ctypes

            _LIBC = ctypes.CDLL(None, use_errno=True)
            _LIBC.syncfs.argtypes = [ctypes.c_int]
        except (OSError, AttributeError):
            _LIBC = False
    return bool(_LIBC) and _LIBC.syncfs(fd) == 0


def _syncfs_works(fd: int) -> bool:
    """Whether syncfs(2) is available here (tried once on ``fd``)."""
    if _LIBC is None:
        _syncfs(fd)
    return bool(_LIBC)
