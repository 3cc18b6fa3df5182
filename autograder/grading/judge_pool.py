"""Judge processes for the class grader: fresh Pythons that never run student code.

Each is started with ``spawn`` (a new interpreter, not a fork of anything that touched a
kernel), imports the course's checker once, then judges extracted answers sent to it as plain
data (:func:`autograder.judging.judge.judge_notebook`). A judge that crashes or hangs is
replaced; the notebook it was judging gets "could not be checked" verdicts (0 points, needs a
human), never a score.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..judging.judge import judge_notebook, warm

log = logging.getLogger("autograder.grading")

#: Seconds one notebook's judging may take (every answer, reference included).
NOTEBOOK_SECONDS = 600


class JudgeUnavailable(RuntimeError):
    """The judge could not give verdicts for a notebook."""


class JudgePool:
    """A few judge processes shared by the grading threads."""

    def __init__(self, workers: int, checker: str, course_root: str | None,
                 timeout: float = NOTEBOOK_SECONDS) -> None:
        self.workers = max(1, workers)
        self.checker = checker
        self.course_root = course_root
        self.timeout = timeout
        self._lock = threading.Lock()
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=warm, initargs=(self.checker, self.course_root))

    def judge(self, **kwargs: Any) -> dict[str, dict[str, Any]]:
        """Verdicts for one notebook (see ``judge_notebook``); raises JudgeUnavailable."""
        with self._lock:
            executor = self._executor
        try:
            future = executor.submit(judge_notebook, **kwargs)
            return future.result(timeout=self.timeout)
        except (FutureTimeout, BrokenProcessPool, OSError) as exc:
            log.error("the judge failed on %s: %s", kwargs.get("student"), exc)
            self._restart(executor)
            raise JudgeUnavailable(f"the judge failed ({type(exc).__name__})") from None

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is not broken:
                return
            for process in list(getattr(broken, "_processes", {}).values()):
                process.kill()
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()

    def close(self) -> None:
        """Stop the judge processes."""
        with self._lock:
            self._executor.shutdown(wait=True, cancel_futures=True)
