"""Grade every submission of an assignment: parallel, sandboxed, resumable.

The main thread is the only gradebook writer (:mod:`.gradebook_writer`); ``workers`` threads
each drive one warm kernel pool (:mod:`.pool`) and run notebooks (:mod:`.runner`). At most
``2 * workers`` submissions are in flight, so a batch of any size uses bounded memory.
"""

from __future__ import annotations

import compileall
import fcntl
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .course import Course
from .gradebook_writer import GradebookWriter, Prepared
from .outcomes import Journal, Outcome
from .pool import BASE_ENV, KernelPool
from .runner import ExecutionResult, execute, execution_config
from .sandbox import Sandbox
from .zygote import Zygote

log = logging.getLogger("autograder.grading")

#: Modules imported into each warm kernel while it waits (missing ones are skipped).
DEFAULT_PRELOAD = ("numpy", "sympy", "calc_helpers", "autograder", "autograder.variants",
                   "autograder.nbgrader_support")
#: Largest file copied back from a kernel's scratch copy (the identity record).
MAX_RETURNED = 256 * 1024


@dataclass
class BatchResult:
    """What a batch did."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    graded_now: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    kernels_started: int = 0

    def counts(self) -> dict[str, int]:
        """Outcomes per status."""
        return dict(Counter(o.status for o in self.outcomes.values()))


def _returned_names() -> tuple[str, ...]:
    """Files a notebook may write that nbgrader's later steps read (the identity record)."""
    try:
        from autograder import variants
    except Exception:
        return ()
    name = getattr(variants, "RECORD_FILE", None)
    return (name,) if isinstance(name, str) else ()


def _student_env(student: str) -> dict[str, str]:
    """Variables telling the course's code which student is graded (its cwd cannot)."""
    env = {"NBGRADER_STUDENT": student}
    try:
        from autograder import variants
    except Exception:
        return env
    name = getattr(variants, "GRADED_ENV", None)
    if isinstance(name, str):
        env[name] = student
    return env


def precompile(modules: tuple[str, ...], cache: Path) -> None:
    """Byte-compile the course's packages into ``cache`` (used via PYTHONPYCACHEPREFIX).

    The course's own packages are editable installs without ``__pycache__``; compiling them
    once per batch spares every kernel (and every fresh re-import in a hidden test) a compile.
    """
    from .sandbox import module_dirs

    old = sys.pycache_prefix
    sys.pycache_prefix = str(cache)
    try:
        for directory in module_dirs(modules):
            if Path(directory).is_dir() and ".venv" not in Path(directory).parts:
                compileall.compile_dir(directory, quiet=2, workers=1)
    finally:
        sys.pycache_prefix = old


def _remove_stale(tmp: Path) -> None:
    """Scratch folders of graders that were killed (their pid is gone)."""
    for folder in tmp.glob("agr-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists() and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def make_root(tmp_root: str | None = None) -> Path:
    """The batch's private scratch folder (slots, byte-code cache); removed at the end."""
    _remove_stale(Path(tmp_root or tempfile.gettempdir()))
    root = Path(tempfile.mkdtemp(prefix=f"agr-{os.getpid()}-", dir=tmp_root))
    os.chmod(root, 0o711)
    (root / "pycache").mkdir(mode=0o755)  # bound read-only into every sandbox
    return root


def start_zygote(preload: tuple[str, ...], root: Path, log_dir: Path) -> Zygote | None:
    """Start the kernel fork server early (it byte-compiles and imports while we go on).

    Returns None if it cannot start: each kernel then starts its own Python (slower).
    """
    from .sandbox import module_dirs

    cache = root / "pycache"
    env = dict(BASE_ENV)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PATH"] = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    env["HOME"] = str(root / "zygote-home")
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["AUTOGRADER_PRELOAD"] = ",".join(preload)
    env["AUTOGRADER_PRECOMPILE"] = os.pathsep.join(
        d for d in module_dirs(preload) if Path(d).is_dir() and ".venv" not in Path(d).parts)
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        return Zygote(env, str(log_dir / "zygote.log"))
    except Exception:  # noqa: BLE001 - slower, but grading still works
        log.exception("the kernel zygote failed to start; starting each kernel afresh")
        return None


class AlreadyRunning(RuntimeError):
    """Another grader holds this assignment's lock."""


class Batch:
    """One grading run of one assignment."""

    def __init__(self, course: Course, assignment: str, sandbox: Sandbox, *, workers: int,
                 students: str = "*", force: bool = False,
                 preload: tuple[str, ...] = DEFAULT_PRELOAD, ahead: int = 1,
                 progress: bool = True, tmp_root: str | None = None,
                 fork: bool = True, root: Path | None = None,
                 zygote: Zygote | None = None) -> None:
        if workers * (ahead + 1) > 256:
            raise ValueError("at most 256 kernel slots: lower --workers")
        self.course = course
        self.fork = fork and sandbox.mechanism == "bwrap"
        self.zygote = zygote if self.fork else None
        self.root = root
        self.assignment = assignment
        self.sandbox = sandbox
        self.workers = max(1, workers)
        self.pattern = students
        self.force = force
        self.preload = preload
        self.ahead = ahead
        self.progress = progress
        self.tmp_root = tmp_root
        self.journal = Journal(course.state_dir(assignment))
        self._local = threading.local()
        self._pools: list[KernelPool] = []
        self._pools_lock = threading.Lock()
        self._returned = _returned_names()

    # -- what to grade ---------------------------------------------------------------------

    def plan(self) -> tuple[list[str], dict[str, Outcome]]:
        """Students to grade now, and finished outcomes that stay as they are."""
        done = self.journal.load()
        todo, keep = [], {}
        for student in self.course.students(self.assignment, self.pattern):
            old = done.get(student)
            if (old is not None and not self.force and old.status != "error"
                    and old.fingerprint == self.course.fingerprint(student, self.assignment)):
                keep[student] = old
            else:
                todo.append(student)
        return todo, keep

    # -- the run ---------------------------------------------------------------------------

    def run(self, on_outcome: Callable[[Outcome], None] | None = None) -> BatchResult:
        """Grade what :meth:`plan` says; every student ends with a journaled outcome."""
        start = time.monotonic()
        lock = self._lock()
        try:
            return self._run(start, on_outcome)
        finally:
            lock.close()

    def _lock(self):  # -> an open file holding an exclusive flock
        """One grading run per assignment at a time (a killed run releases it)."""
        self.journal.directory.mkdir(parents=True, exist_ok=True)
        fh = open(self.journal.directory / ".lock", "w")  # noqa: SIM115 - returned
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise AlreadyRunning(
                f"another grading run of {self.assignment} is in progress") from None
        return fh

    def _run(self, start: float, on_outcome: Callable[[Outcome], None] | None) -> BatchResult:
        owns_root, owns_zygote = self.root is None, self.zygote is None
        if self.root is None:
            self.root = make_root(self.tmp_root)
        root = self.root
        cache = root / "pycache"
        self.sandbox.ro_paths = [*self.sandbox.ro_paths, str(cache)]
        self._cache = cache
        self._root = root
        if self.fork and self.zygote is None:
            self.zygote = start_zygote(self.preload, root, self.journal.directory)
        if self.zygote is None:
            precompile(self.preload, cache)
        writer = GradebookWriter(self.course, self.assignment, self.journal,
                                 sandbox=self.sandbox.mechanism, shadowed=self.preload,
                                 scratch=root)
        self._steps = writer.execute_steps
        self._exec_config = execution_config(self.course.config, self.sandbox.limits)
        self._protected = writer.source_files()
        todo, keep = self.plan()
        result = BatchResult(outcomes=dict(keep), skipped=sorted(keep))
        bar = _progress(len(todo) + len(keep), len(keep), self.progress)
        executor = ThreadPoolExecutor(self.workers, thread_name_prefix="grader")
        queue = iter(todo)
        in_flight: dict[Future, Prepared] = {}
        try:
            while True:
                while len(in_flight) < 2 * self.workers:
                    student = next(queue, None)
                    if student is None:
                        break
                    prep = self._prepare(writer, student)
                    if prep.jobs:
                        in_flight[executor.submit(self._execute, prep)] = prep
                    else:  # nothing to run (malformed): finished right away
                        self._record(writer.finish(prep, {}), result, bar, on_outcome)
                if not in_flight:
                    break
                finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for future in finished:
                    prep = in_flight.pop(future)
                    try:
                        results = future.result()
                    except Exception as exc:  # the worker itself failed: record, go on
                        log.exception("worker failed on %s", prep.student)
                        results = {job.notebook: ExecutionResult(
                            nb=job.nb, resources=job.resources, status="error",
                            detail=f"{type(exc).__name__}: {exc}"[:300]) for job in prep.jobs}
                    t0 = time.monotonic()
                    outcome = writer.finish(prep, results)
                    log.info("%s: finished in %.2f s", prep.student, time.monotonic() - t0)
                    self._record(outcome, result, bar, on_outcome)
        finally:
            for future in in_flight:
                future.cancel()
            if in_flight:  # interrupted: stop the running notebooks now (not journaled)
                with self._pools_lock:
                    for pool in self._pools:
                        pool.kill_all()
            executor.shutdown(wait=True, cancel_futures=True)
            with self._pools_lock:
                for pool in self._pools:
                    result.kernels_started += pool.started
                    pool.close()
            bar.close()
            if self.zygote is not None and owns_zygote:
                self.zygote.close()
                self.zygote = None
            writer.close()
            if owns_root:
                shutil.rmtree(root, ignore_errors=True)
                self.root = None
        result.seconds = time.monotonic() - start
        return result

    def _record(self, outcome: Outcome, result: BatchResult, bar: Any,
                on_outcome: Callable[[Outcome], None] | None) -> None:
        result.outcomes[outcome.student] = outcome
        result.graded_now.append(outcome.student)
        bar.update(1)
        counts = Counter(o.status for o in result.outcomes.values())
        bar.set_postfix_str(", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
                            refresh=False)
        if on_outcome is not None:
            on_outcome(outcome)

    def _prepare(self, writer: GradebookWriter, student: str) -> Prepared:
        self.journal.forget(student)
        try:
            t0 = time.monotonic()
            prep = writer.prepare(student)
            log.info("%s: prepared in %.2f s", student, time.monotonic() - t0)
            return prep
        except Exception as exc:  # an unexpected failure preparing one student
            log.exception("preparing %s failed", student)
            prep = Prepared(student=student, outcome=Outcome(
                student=student, assignment=self.assignment, sandbox=self.sandbox.mechanism,
                fingerprint=self.course.fingerprint(student, self.assignment)),
                dest=self.course.path("autograded", student, self.assignment))
            prep.outcome.set_status("error")
            prep.outcome.detail = f"{type(exc).__name__}: {exc}"[:300]
            return prep

    # -- worker side -----------------------------------------------------------------------

    def _pool(self) -> KernelPool:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            with self._pools_lock:
                index = len(self._pools)
                pool = KernelPool(self.sandbox, self._root, index, ahead=self.ahead,
                                  preload=self.preload, workdir_name=self.assignment,
                                  extra_env={"PYTHONPYCACHEPREFIX": str(self._cache)},
                                  zygote=self.zygote)
                self._pools.append(pool)
            self._local.pool = pool
        return pool

    def _execute(self, prep: Prepared) -> dict[str, ExecutionResult]:
        """Run each notebook of one submission, each in its own fresh kernel."""
        pool = self._pool()
        results = {}
        for job in prep.jobs:
            t0 = time.monotonic()
            kernel = pool.take()
            age = t0 - kernel.started
            try:
                _copy_files(prep.dest, kernel.slot.work, kernel.slot.uid, self._protected)
                client = kernel.prepare(_student_env(prep.student))
                t1 = time.monotonic()
                result = execute(
                    kernel,
                    job.nb,
                    job.resources,
                    config=self._exec_config,
                    limits=self.sandbox.limits,
                    preprocessors=self._steps,
                    client=client,
                )
                result.returned_files = _returned(kernel.slot.work, self._returned)
                log.info(
                    "%s/%s: kernel age %.2f s, waited %.2f s for it, ran in %.2f s: %s",
                    prep.student, job.notebook, age, t1 - t0, time.monotonic() - t1,
                    result.status,
                )
            except Exception as exc:
                log.exception("executing %s/%s failed", prep.student, job.notebook)
                result = ExecutionResult(
                    nb=job.nb,
                    resources=job.resources,
                    status="error",
                    detail=f"{type(exc).__name__}: {exc}"[:300],
                )
            finally:
                t2 = time.monotonic()
                pool.give_back(kernel)
                log.info("%s: kernel disposed in %.2f s", prep.student, time.monotonic() - t2)
            results[job.notebook] = result
        return results


def _copy_files(src: Path, dst: Path, uid: int, protected: frozenset[str]) -> None:
    """Copy a submission's files (not its notebooks) into a kernel's scratch directory.

    Files of the assignment itself (``protected``: relative paths from ``source/``) stay
    root's and read-only, so student code cannot rewrite a provided checks module or data
    file before the tests use it; the student's own files become the kernel's.
    """
    as_root = os.geteuid() == 0
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_symlink() or (path.suffix == ".ipynb" and len(rel.parts) == 1):
            continue
        target = dst / rel
        mine = str(rel) not in protected
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            if as_root:
                os.chown(target, 0, uid)
                os.chmod(target, 0o1770)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            if as_root:
                os.chown(target, uid if mine else 0, uid)
                os.chmod(target, 0o640 if mine else 0o440)


def _returned(work: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    out = {}
    for name in names:
        path = work / name
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_RETURNED:
                out[name] = path.read_bytes()
        except OSError:
            continue
    return out


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str, refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, initial: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="submission", dynamic_ncols=True,
                smoothing=0.1)
