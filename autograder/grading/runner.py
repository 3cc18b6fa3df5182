"""Run one sanitized notebook in one warm sandboxed kernel with nbgrader's Execute.

Execution is nbgrader's own ``Execute`` preprocessor (nbclient underneath: per-cell timeout,
interrupt on timeout, errors kept as outputs) with the kernel supplied by the pool. Around it:

* a watchdog that kills the sandbox when the notebook's wall-clock limit passes;
* a cap on the bytes of output kept (stdout beyond it is dropped; an error or a stderr
  write is always kept, so nbgrader's scoring rule sees it);
* collection of the lines the course's checks append to ``AUTOGRADER_LOG``, each tagged
  with the grade id of the cell that produced it;
* when the kernel stopped early, an error output on the cell that was running and on every
  grade cell after it, so nbgrader scores them 0 instead of "no output = full marks".
"""

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets.config import Config

from .pool import WarmKernel
from .sandbox import Limits

#: Most lines / bytes read from one kernel's ``AUTOGRADER_LOG``.
MAX_LOG_LINES = 2000
MAX_LOG_BYTES = 1_000_000

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


def _error(ename: str, evalue: str) -> NotebookNode:
    return from_dict(
        {
            "output_type": "error",
            "ename": ename,
            "evalue": evalue,
            "traceback": [f"{ename}: {evalue}"],
        }
    )


class SandboxedExecute(Execute):
    """nbgrader's Execute preprocessor bound to one warm kernel of the pool."""

    def __init__(self, kernel: WarmKernel, output_limit: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._warm = kernel
        self._output_limit = output_limit
        self._output_bytes = 0
        self._log_offset = 0
        self.current_index = -1
        self.prepared_client: Any = None
        self.events: set[str] = set()
        self.check_lines: list[dict[str, Any]] = []

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
        """Keep outputs until the byte cap; after it keep only what scoring needs."""
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(
            len(str(v)) for v in (content.get("data") or {}).values()
        )
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
            return super().output(outs, msg, display_id, cell_index)
        if msg_type == "execute_result":
            data = content.get("data") or {}
            text = str(data.get("text/plain", ""))[:1000]
            trimmed = dict(msg, content=dict(content, data={"text/plain": text}))
            return super().output(outs, trimmed, display_id, cell_index)
        return None

    def on_cell_executed(self, **kwargs: Any) -> None:
        """nbgrader's bookkeeping, then note timeouts and collect the checks' log lines."""
        super().on_cell_executed(**kwargs)
        reply = kwargs.get("execute_reply") or {}
        if reply.get("content", {}).get("ename") == self.error_on_timeout.get("ename"):
            self.events.add("cell_timeout")
        cell = kwargs["cell"]
        self.collect_log(cell.metadata.get("nbgrader", {}).get("grade_id"))

    def collect_log(self, grade_id: str | None) -> None:
        """Read new ``AUTOGRADER_LOG`` lines and attribute them to ``grade_id``."""
        path = self._warm.slot.check_log
        try:
            with open(path, "rb") as fh:
                fh.seek(self._log_offset)
                budget = max(0, MAX_LOG_BYTES - self._log_offset)
                chunk = fh.read(budget)
        except OSError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._log_offset += len(complete)
        for raw in complete.splitlines():
            if len(self.check_lines) >= MAX_LOG_LINES:
                return
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict):
                clean = {k: line.get(k) for k in ("question", "check", "correct", "score", "tags")}
                tags = clean.get("tags")
                clean["tags"] = [str(t)[:80] for t in tags[:20]] if isinstance(tags, list) else []
                clean["cell"] = grade_id
                self.check_lines.append(clean)


def execution_config(config: Config, limits: Limits) -> Config:
    """A copy of the course's config with the per-cell limit, if one was given."""
    config = copy.deepcopy(config)
    if limits.cell_timeout:
        config.Execute.timeout = limits.cell_timeout
    return config


def _mark_unfinished(nb: NotebookNode, start: int, ename: str, evalue: str) -> None:
    """Error outputs on the interrupted cell and every later grade cell (scored 0)."""
    for index, cell in enumerate(nb.cells):
        if index < start or cell.cell_type != "code":
            continue
        if index == start or utils.is_grade(cell):
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
) -> ExecutionResult:
    """Run ``nb`` with nbgrader's autograde preprocessors up to (not including) the saving.

    ``preprocessors`` are the classes to apply in order; the ``Execute`` among them is
    replaced by :class:`SandboxedExecute` on ``kernel``. ``config`` is nbgrader's (see
    :func:`execution_config` for the per-cell limit). ``client``: a connected kernel client
    to use (from :meth:`WarmKernel.prepare`); it is stopped when execution ends.
    """
    start = time.monotonic()
    steps = preprocessors or [Execute]
    result = ExecutionResult(nb=nb, resources=resources)
    fired = threading.Event()

    def on_deadline() -> None:
        fired.set()
        kernel.kill_now()

    timer = threading.Timer(limits.notebook_timeout, on_deadline)
    timer.daemon = True
    ep: SandboxedExecute | None = None
    for step in steps:
        if isinstance(step, type) and issubclass(step, Execute):
            ep = SandboxedExecute(kernel, int(limits.output_mb * 1024 * 1024), config=config)
            ep.prepared_client = client
            pp: Any = ep
            timer.start()
        else:
            pp = step(config=config)
        try:
            nb, resources = pp(nb, resources)
        except Exception as exc:  # the kernel stopped, or nbclient gave up on it
            if pp is not ep:
                raise
            _classify(result, ep, kernel, exc, fired.is_set())
            _mark_unfinished(nb, max(ep.current_index, 0), *_labels(result.status))
        finally:
            if pp is ep:
                timer.cancel()
                _stop_client(ep)
    if ep is not None:
        ep.collect_log(None)
        result.checks = ep.check_lines
        result.flags |= ep.events
        if _any_output(nb, "MemoryError"):
            result.flags.add("memory_error")
            if result.status == "graded":
                result.status = "memory"
        if _any_output(nb, "BlockingIOError") or _any_output(nb, "Resource temporarily"):
            result.flags.add("processes_limited")
    result.nb, result.resources = nb, resources
    result.seconds = time.monotonic() - start
    return result


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
) -> None:
    """Name why execution stopped early; the kernel is always killed afterwards."""
    alive = not deadline_hit and kernel.is_alive()
    code = None if alive else _exit_code(kernel)
    tail = kernel.kernel_output()
    if deadline_hit:
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
