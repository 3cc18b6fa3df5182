"""The Dask worker's side: a plugin holding the sandbox and warm kernels, and the task.

:class:`GradingPlugin` is registered by the instructor's grader (``Client.register_plugin``)
and set up by every worker of the cluster, now or when it joins later: it computes the
worker's course code hash, detects the sandbox (as the local grader does), makes the scratch
folder and starts the kernel fork server (the slow part: imports of SymPy and the course),
so the first task finds the worker ready. Each worker thread then owns a warm
:class:`~.pool.KernelPool` (a pool belongs to the thread that made it). Teardown (the batch
ends, the plugin is replaced, the worker closes) kills the kernels and removes the scratch.

:func:`run_task` executes one submission: it refuses a task whose course code hash is not
the worker's, or whose limits are not the plugin's, and otherwise runs each notebook through
nbgrader's Execute in a fresh sandboxed kernel, with answer extraction, and nothing else. It
never judges and never sees the gradebook: the reply goes back to the grader, which checks
it (:mod:`.dask_protocol`), judges and writes the grades.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker
from nbformat import reads
from traitlets.config import Config

from ..judging.extraction import RECORD_FILE
from . import dask_protocol as protocol
from .pool import KernelPool
from .runner import ExecutionResult, run_notebook
from .sandbox import Limits, Sandbox, SandboxUnavailable, detect, place_files

log = logging.getLogger("autograder.grading")


def plugin_name(assignment: str) -> str:
    """The name a batch of ``assignment`` registers its plugin under."""
    return f"autograder-grading-{assignment}"


class GradingPlugin(WorkerPlugin):
    """The sandbox, fork server and kernel pools of one worker for one assignment."""

    def __init__(self, assignment: str, limits: Limits, preload: tuple[str, ...],
                 mechanism: str = "auto", fork: bool = True, ahead: int = 1) -> None:
        self.assignment = assignment
        self.limits = limits
        self.preload = tuple(preload)
        self.mechanism = mechanism
        self.fork = fork
        self.ahead = ahead
        self.name = plugin_name(assignment)
        self._reset()

    def _reset(self) -> None:
        self.code_hash = ""
        self.problem = "the worker has not been set up"
        self.sandbox: Sandbox | None = None
        self.root: Path | None = None
        self.zygote: Any = None
        self.pools: list[KernelPool] = []
        self._pools_lock = threading.Lock()
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        """Only the settings travel (the plugin is pickled by the grader)."""
        return {k: getattr(self, k) for k in ("assignment", "limits", "preload", "mechanism",
                                              "fork", "ahead", "name")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Settings in, nothing started yet."""
        self.__dict__.update(state)
        self._reset()

    async def setup(self, worker: Any) -> None:
        """Start the sandbox's fork server off the worker's event loop."""
        await asyncio.to_thread(self.start)

    async def teardown(self, worker: Any) -> None:
        """Kill the kernels, stop the fork server, remove the scratch folder."""
        await asyncio.to_thread(self.close)

    def start(self) -> None:
        """Everything a task needs, made once; a failure is kept as the reason to refuse."""
        from .batch import make_root, precompile, start_zygote

        try:
            self.code_hash = protocol.course_code_hash()
            sandbox = detect(self.mechanism, limits=self.limits, modules=self.preload,
                             protect=[Path.home()])
            root = make_root()
            self.root, self.sandbox = root, sandbox
            if self.fork and sandbox.mechanism == "bwrap":
                self.zygote = start_zygote(self.preload, root, root)
            if self.zygote is None:
                precompile(self.preload)
            self.problem = ""
            log.info("grading plugin ready: %s, course code %s", sandbox.detail,
                     self.code_hash[:12])
        except SandboxUnavailable as exc:
            self.problem = f"no sandbox on this worker: {exc}"
        except Exception as exc:  # noqa: BLE001 - kept, and every task says why it refused
            log.exception("the grading plugin failed to start")
            self.problem = f"the worker could not start grading: {type(exc).__name__}: {exc}"

    def close(self) -> None:
        """Stop everything :meth:`start` made (any thread)."""
        with self._pools_lock:
            pools, self.pools = self.pools, []
        for pool in pools:
            pool.kill_all()
        for pool in pools:
            pool.close()
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
        self.problem = "the worker's grading was closed"

    def report(self) -> dict[str, Any]:
        """What the grader prints about this worker before grading."""
        return {"code_hash": self.code_hash, "problem": self.problem, "pid": os.getpid(),
                "host": socket.gethostname(),
                "sandbox": self.sandbox.detail if self.sandbox else "",
                "limits": asdict(self.limits)}

    def pool(self) -> KernelPool:
        """This thread's warm kernel pool (made on its first task)."""
        pool = getattr(self._local, "pool", None)
        if pool is None:
            assert self.sandbox is not None and self.root is not None
            with self._pools_lock:
                pool = KernelPool(self.sandbox, self.root, len(self.pools), ahead=self.ahead,
                                  preload=self.preload, workdir_name=self.assignment,
                                  zygote=self.zygote)
                self.pools.append(pool)
            self._local.pool = pool
        return pool


def _give_record(record: Any, work: Path) -> None:
    if not isinstance(record, str):
        return
    target = work / RECORD_FILE
    target.write_text(record, encoding="utf-8")
    if os.geteuid() == 0:
        os.chown(target, 0, 0)
    os.chmod(target, 0o444)


def _resources(task: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    name = item["name"]
    return {
        "dfml": {"specs": list(item.get("specs") or []), "record": item.get("record")},
        "unique_key": name,
        "output_files_dir": f"{name}_files",
        "metadata": {"name": name, "path": "."},
        "nbgrader": {"student": task["student"], "assignment": task["assignment"],
                     "notebook": name},
    }


def _execute(plugin: GradingPlugin, task: dict[str, Any]) -> dict[str, ExecutionResult]:
    """Each notebook of the task in its own fresh kernel from this thread's pool."""
    from ..nbgrader_support import GRADED_ENV

    files = protocol.provided_files(task)
    config = Config(task.get("settings") or {})
    if plugin.limits.cell_timeout:
        config.Execute.timeout = plugin.limits.cell_timeout
    pool = plugin.pool()
    env = {"NBGRADER_STUDENT": task["student"], GRADED_ENV: task["student"]}
    results = {}
    for item in task["notebooks"]:
        nb = reads(item["nb"], as_version=4)
        resources = _resources(task, item)
        kernel = pool.take()
        try:
            place_files(files, kernel.slot.work, kernel.slot.uid)
            _give_record(item.get("record"), kernel.slot.work)
            client = kernel.prepare(env)
            result = run_notebook(kernel, nb, resources, config=config, limits=plugin.limits,
                                  client=client)
        except Exception as exc:  # noqa: BLE001 - this notebook's outcome says it
            log.exception("executing %s/%s failed", task["student"], item["name"])
            result = ExecutionResult(nb=nb, resources=resources, status="error",
                                     detail=f"{type(exc).__name__}: {exc}"[:300])
        finally:
            pool.give_back(kernel)
        results[item["name"]] = result
    return results


def run_task(data: bytes) -> bytes:
    """Execute one submission's task on this worker; the reply bytes (or a refusal)."""
    worker = get_worker()
    task = None
    code_hash = protocol.course_code_hash()
    try:
        task = protocol.read_task(data)
        plugin = worker.plugins.get(plugin_name(str(task.get("assignment"))))
        if not isinstance(plugin, GradingPlugin):
            return protocol.refusal(task, "the worker has no grading plugin for this "
                                    "assignment", code_hash)
        if plugin.problem:
            return protocol.refusal(task, plugin.problem, code_hash)
        if task.get("code_hash") != plugin.code_hash:
            return protocol.refusal(
                task, f"the worker's course code ({plugin.code_hash[:12]}) differs from the "
                f"grader's ({str(task.get('code_hash'))[:12]}): install the same autograder, "
                "calc_helpers and libraries on both", plugin.code_hash)
        if task.get("limits") != asdict(plugin.limits):
            return protocol.refusal(task, "the task's limits are not the worker's", code_hash)
        start = time.monotonic()
        results = _execute(plugin, task)
        log.info("%s: executed on %s in %.2f s", task["student"], worker.address,
                 time.monotonic() - start)
        return protocol.reply(task, results, plugin.code_hash, worker.address)
    except (ValueError, KeyError, TypeError) as exc:
        return protocol.refusal(task, f"an unreadable task: {type(exc).__name__}: {exc}",
                                code_hash)


def plugin_report(dask_worker: Any, assignment: str) -> dict[str, Any]:
    """The plugin's :meth:`GradingPlugin.report` on one worker (run by ``Client.run``)."""
    plugin = dask_worker.plugins.get(plugin_name(assignment))
    if not isinstance(plugin, GradingPlugin):
        return {"problem": "no grading plugin", "pid": os.getpid(), "code_hash": ""}
    return plugin.report()
