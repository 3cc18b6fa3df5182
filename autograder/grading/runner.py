"""Run one sanitized notebook in one warm sandboxed kernel with nbgrader's Execute.

Execution is nbgrader's own ``Execute`` preprocessor (nbclient underneath: per-cell timeout,
interrupt on timeout, errors kept as outputs) with the kernel supplied by the pool. Around it:

* a watchdog that kills the sandbox when the notebook's wall-clock limit passes;
* a watchdog that sums the memory, processes and scratch disk of the whole sandbox and
  stops it past its limits (:mod:`.watchdog`);
* a cap on the bytes of output kept, counting whole messages with their metadata (stdout
  beyond it is dropped; an error or a stderr write is always kept);
* after each judged test cell, the answer taken out as data (:mod:`autograder.judging`);
  the judge (:class:`~autograder.nbgrader_support.JudgeAnswers`, in a judge process that
  never ran student code) then writes every graded cell's outputs, so what the kernel
  printed never decides a score, and a test that did not run earns 0.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import Execute
from traitlets.config import Config

from ..judging.extraction import AnswerExtraction
from ..nbgrader_support import JudgeAnswers
from .pool import WarmKernel
from .sandbox import Limits
from .watchdog import Watchdog

#: Most bytes one extraction may print (the answer's data).
MAX_EXTRACTION_BYTES = 2_000_000

_MEMORY_SIGNS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc", "out of memory")


@dataclass
class ExecutionResult:
    """What happened when one notebook ran."""

    nb: NotebookNode
    resources: dict[str, Any]
    status: str = "graded"
    flags: set[str] = field(default_factory=set)
    checks: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""
    seconds: float = 0.0
    returned_files: dict[str, bytes] = field(default_factory=dict)
    #: seconds in the kernel and in the steps after it (the judge), for the log
    timings: dict[str, float] = field(default_factory=dict)


def _error(ename: str, evalue: str) -> NotebookNode:
    return from_dict(
        {
            "output_type": "error",
            "ename": ename,
            "evalue": evalue,
            "traceback": [f"{ename}: {evalue}"],
        }
    )


class SandboxedExecute(AnswerExtraction, Execute):
    """nbgrader's Execute preprocessor bound to one warm kernel of the pool."""

    def __init__(self, kernel: WarmKernel, output_limit: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._warm = kernel
        self._output_limit = output_limit
        self._output_bytes = 0
        self._extraction_bytes = 0
        self._dfml_extracting = False
        self.current_index = -1
        self.prepared_client: Any = None
        self.events: set[str] = set()

    def preprocess(
        self, nb: NotebookNode, resources: Any = None, km: Any = None
    ) -> tuple[NotebookNode, dict[str, Any]]:
        """Execute ``nb`` in the pool's kernel (never starts a kernel of its own)."""
        return super().preprocess(nb, resources, km=self._warm.km)

    def start_new_kernel_client(self) -> Any:
        """Use the client the pool already connected (no second readiness handshake)."""
        if self.prepared_client is not None:
            self.kc = self.prepared_client
            return self.kc
        return super().start_new_kernel_client()

    async def async_start_new_kernel_client(self) -> Any:
        """Async twin of :meth:`start_new_kernel_client`."""
        if self.prepared_client is not None:
            self.kc = self.prepared_client
            return self.kc
        return await super().async_start_new_kernel_client()

    def preprocess_cell(
        self, cell: NotebookNode, resources: Any, index: int
    ) -> tuple[NotebookNode, Any]:
        """Remember which cell runs (to mark it if the kernel dies), then run it."""
        self.current_index = index
        return super().preprocess_cell(cell, resources, index)

    def output(
        self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None, cell_index: int
    ) -> NotebookNode | None:
        """Keep outputs until the byte cap; after it keep only what scoring needs.

        The size counted is the whole message content (data, metadata, text). An extraction's
        own output has its own cap and never counts against the notebook's.
        """
        content = msg.get("content", {})
        size = len(str(content))
        if self._dfml_extracting:
            self._extraction_bytes += size
            if self._extraction_bytes <= MAX_EXTRACTION_BYTES:
                return super().output(outs, msg, display_id, cell_index)
            return None
        self._output_bytes += size
        if self._output_bytes <= self._output_limit:
            return super().output(outs, msg, display_id, cell_index)
        self.events.add("output_limited")
        msg_type = msg.get("msg_type")
        if msg_type == "stream":
            if content.get("name") == "stderr" and not any(
                o.get("output_type") == "stream" and o.get("name") == "stderr" for o in outs
            ):
                out = from_dict(
                    {
                        "output_type": "stream",
                        "name": "stderr",
                        "text": "[output limit reached: stderr dropped]\n",
                    }
                )
                outs.append(out)
                return out
            return None
        if msg_type == "error":
            trimmed = {k: str(content.get(k, ""))[:1000] for k in ("ename", "evalue")}
            out = _error(trimmed["ename"], trimmed["evalue"])
            outs.append(out)
            return out
        return None

    def on_cell_executed(self, **kwargs: Any) -> None:
        """nbgrader's bookkeeping, then note timeouts."""
        super().on_cell_executed(**kwargs)
        reply = kwargs.get("execute_reply") or {}
        if reply.get("content", {}).get("ename") == self.error_on_timeout.get("ename"):
            self.events.add("cell_timeout")


#: Seconds to wait for a cell's last outputs after its reply. nbgrader's Execute waits 4 s
#: and then fails the cell (``raise_on_iopub_timeout``): on a busy machine an honest
#: notebook was stopped as "timeout" that way. The notebook's wall-clock limit still bounds it.
IOPUB_TIMEOUT = 60


def execution_config(config: Config, limits: Limits) -> Config:
    """A copy of the course's config with the per-cell limit, if one was given, and a
    generous wait for a cell's last outputs (:data:`IOPUB_TIMEOUT`, or the course's own if
    longer)."""
    config = copy.deepcopy(config)
    if limits.cell_timeout:
        config.Execute.timeout = limits.cell_timeout
    configured = config.Execute.get("iopub_timeout")
    if not isinstance(configured, int) or configured < IOPUB_TIMEOUT:
        config.Execute.iopub_timeout = IOPUB_TIMEOUT
    return config


def _mark_unfinished(nb: NotebookNode, start: int, ename: str, evalue: str) -> None:
    """An error output on the interrupted cell, to show where the notebook stopped.

    The tests after it earn nothing because they were never judged (no extraction).
    """
    for index, cell in enumerate(nb.cells):
        if index == start and cell.cell_type == "code":
            cell.outputs = [*cell.get("outputs", []), _error(ename, evalue)]


def execute(
    kernel: WarmKernel,
    nb: NotebookNode,
    resources: dict[str, Any],
    *,
    config: Config,
    limits: Limits,
    preprocessors: list[type] | None = None,
    client: Any = None,
    judge_pool: Any = None,
) -> ExecutionResult:
    """Run ``nb`` with nbgrader's autograde preprocessors up to (not including) the saving.

    ``preprocessors`` are the classes to apply in order; the ``Execute`` among them is
    replaced by :class:`SandboxedExecute` on ``kernel``, and the course's ``JudgeAnswers``
    judges in ``judge_pool`` (None: in this process). ``config`` is nbgrader's (see
    :func:`execution_config` for the per-cell limit). ``client``: a connected kernel client
    to use (from :meth:`WarmKernel.prepare`); it is stopped when execution ends.
    """
    steps = list(preprocessors or [Execute])
    at = next((i for i, s in enumerate(steps) if isinstance(s, type) and issubclass(s, Execute)),
              None)
    if at is None:  # nothing runs in the kernel
        result = ExecutionResult(nb=nb, resources=resources)
        return after_execution(result, steps, config=config, judge_pool=judge_pool)
    start = time.monotonic()
    nb, resources = _apply(steps[:at], nb, resources, config, judge_pool)
    result = run_notebook(kernel, nb, resources, config=config, limits=limits, client=client)
    in_kernel = time.monotonic()
    result = after_execution(result, steps[at + 1:], config=config, judge_pool=judge_pool)
    result.seconds = time.monotonic() - start
    result.timings = {"kernel": in_kernel - start, "after": time.monotonic() - in_kernel}
    return result


def _apply(steps: list[type], nb: NotebookNode, resources: dict[str, Any], config: Config,
           judge_pool: Any) -> tuple[NotebookNode, dict[str, Any]]:
    for step in steps:
        pp = step(config=config)
        if isinstance(pp, JudgeAnswers):
            pp.pool = judge_pool
        nb, resources = pp(nb, resources)
    return nb, resources


def run_notebook(
    kernel: WarmKernel,
    nb: NotebookNode,
    resources: dict[str, Any],
    *,
    config: Config,
    limits: Limits,
    client: Any = None,
) -> ExecutionResult:
    """Only the execution: ``nb`` through :class:`SandboxedExecute` in ``kernel``.

    The answers are extracted into ``resources``; nothing is judged. The status and flags
    say how the kernel ended (see :func:`after_execution` for the rest).
    """
    start = time.monotonic()
    result = ExecutionResult(nb=nb, resources=resources)
    fired = threading.Event()

    def on_deadline() -> None:
        fired.set()
        kernel.kill_now()

    timer = threading.Timer(limits.notebook_timeout, on_deadline)
    timer.daemon = True
    watchdog = Watchdog(kernel, limits)
    ep = SandboxedExecute(kernel, int(limits.output_mb * 1024 * 1024), config=config)
    ep.prepared_client = client
    timer.start()
    watchdog.start()
    try:
        nb, resources = ep(nb, resources)
    except Exception as exc:  # the kernel stopped, or nbclient gave up on it
        watchdog.stop()
        _classify(result, ep, kernel, exc, fired.is_set(), watchdog.tripped)
        _mark_unfinished(nb, max(ep.current_index, 0), *_labels(result.status))
    finally:
        timer.cancel()
        watchdog.stop()
        _stop_client(ep)
    result.flags |= ep.events
    if watchdog.tripped:
        result.flags.add(watchdog.tripped_flag)
    result.nb, result.resources = nb, resources
    result.seconds = time.monotonic() - start
    return result


def after_execution(result: ExecutionResult, steps: list[type], *, config: Config,
                    judge_pool: Any = None) -> ExecutionResult:
    """The preprocessors after Execute (the judge among them), then what the outputs show.

    Runs in the grader's process, never in the kernel's: on a Dask worker's result too.
    """
    nb, resources = _apply(steps, result.nb, result.resources, config, judge_pool)
    if _any_output(nb, "MemoryError"):
        result.flags.add("memory_error")
        if result.status == "graded":
            result.status = "memory"
    if _any_output(nb, "BlockingIOError") or _any_output(nb, "Resource temporarily"):
        result.flags.add("processes_limited")
    result.checks = _checks_of(resources)
    result.nb, result.resources = nb, resources
    return result


def _checks_of(resources: dict[str, Any]) -> list[dict[str, Any]]:
    """The judge's verdicts as the report's check lines (question, score, tags)."""
    verdicts = (resources.get("dfml") or {}).get("verdicts") or {}
    return [{"question": v["question"], "cell": gid, "correct": v["earned"] == v["points"],
             "score": v["earned"], "tags": list(v.get("tags") or [])}
            for gid, v in verdicts.items()]


def _labels(status: str) -> tuple[str, str]:
    return {
        "timeout": (
            "NotebookTimeoutError",
            "the notebook ran past its time limit and was "
            "stopped; this cell and the tests after it were not run",
        ),
        "memory": ("MemoryLimitError", "the kernel ran out of memory and was stopped"),
        "kernel_died": (
            "DeadKernelError",
            "the kernel exited; this cell and the tests after it were not run",
        ),
    }.get(status, ("GradingError", "the grader could not run this cell"))


def _classify(
    result: ExecutionResult,
    ep: SandboxedExecute,
    kernel: WarmKernel,
    exc: BaseException,
    deadline_hit: bool,
    watchdog_tripped: str = "",
) -> None:
    """Name why execution stopped early; the kernel is always killed afterwards."""
    alive = not deadline_hit and not watchdog_tripped and kernel.is_alive()
    code = None if alive else _exit_code(kernel)
    tail = kernel.kernel_output()
    if watchdog_tripped:
        result.status, result.detail = {
            "memory": ("memory", "the sandbox's processes used more memory than allowed"),
            "processes": ("kernel_died", "the sandbox started more processes than allowed"),
            "disk": ("kernel_died", "the sandbox wrote more to disk than allowed"),
        }[watchdog_tripped]
    elif deadline_hit:
        result.status, result.detail = "timeout", "notebook wall-clock limit reached"
    elif code in (-24, 152):  # SIGXCPU: the CPU-seconds rlimit
        result.status, result.detail = "timeout", "CPU time limit reached"
    elif any(sign in tail for sign in _MEMORY_SIGNS):
        result.status, result.detail = "memory", "the kernel ran out of memory"
    elif alive and (
        isinstance(exc, TimeoutError | CellTimeoutError) or "cell_timeout" in ep.events
    ):
        result.status = "timeout"
        result.detail = "the kernel stopped responding after a cell timed out (interrupt ignored)"
    elif not alive or isinstance(exc, DeadKernelError):
        result.status = "kernel_died"
        result.detail = (
            f"the kernel exited (status {code})" if code is not None else "the kernel exited"
        )
    else:
        result.status = "error"
        result.detail = f"{type(exc).__name__}: {exc}"[:300]
    kernel.kill_now()


def _exit_code(kernel: WarmKernel) -> int | None:
    return kernel.exit_code()


def _stop_client(ep: SandboxedExecute) -> None:
    kc = getattr(ep, "kc", None)
    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:
            pass


def _any_output(nb: NotebookNode, needle: str) -> bool:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and needle in (
                out.get("ename", "") + " " + out.get("evalue", "")
            ):
                return True
    return False
