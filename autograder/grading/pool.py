"""Warm kernels: started ahead inside the sandbox, each used for one notebook, then killed.

Each grading worker owns a :class:`KernelPool`. While the worker runs one student's notebook
in one kernel, the next kernel is already starting in its own slot: its own scratch
directory, connection directory and uid. A kernel starts in one of two ways:

* forked by the zygote (:mod:`.zygote`, the default with bubblewrap) into a fresh bwrap
  sandbox around a placeholder process: ipykernel, SymPy and the course's modules are
  already imported, so a kernel costs milliseconds of CPU instead of a second;
* as a new Python under bwrap (or setpriv) running :mod:`.kernel_boot`, which imports the
  same modules before starting ipykernel (``--no-fork``, and the fallback).

A kernel is never reused: after its notebook it is killed with its whole PID namespace, the
slot's processes are waited for and its directories are wiped.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.provisioner_base import KernelProvisionerBase
from jupyter_core.utils import run_sync

from .sandbox import Sandbox
from .zygote import Zygote, ZygoteUnavailable

log = logging.getLogger("autograder.grading")

#: The kernel's own startup options (nbgrader runs kernels with history in memory).
KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]

#: Environment of every grading kernel (plus HOME and AUTOGRADER_PRELOAD).
BASE_ENV = {
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "NBGRADER_EXECUTION": "autograde",
}


def uid_base(pid: int | None = None) -> int:
    """First uid of a grader process's range of 256 (distinct for concurrent graders)."""
    return 200_000 + ((os.getpid() if pid is None else pid) % 20_000) * 256


def processes_of(uid: int) -> list[int]:
    """PIDs of live (not zombie) processes whose real uid is ``uid``."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as fh:
                state = uid_seen = None
                for line in fh:
                    if line.startswith("State:"):
                        state = line.split()[1]
                    elif line.startswith("Uid:"):
                        uid_seen = int(line.split()[1])
                        break
            if uid_seen == uid and state not in ("Z", "X"):
                pids.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


class Slot:
    """Directories and uid for one kernel at a time."""

    def __init__(self, root: Path, uid: int) -> None:
        self.root = root
        self.uid = uid
        self.work = root / "work"
        self.run = root / "run"
        self.home = root / "home"
        self.kernel_log = root / "kernel.log"

    def reset(self) -> None:
        """Fresh, empty directories for the next kernel.

        ``run`` and ``home`` belong to the slot's uid. ``work`` (the scratch copy) belongs to
        root with the uid's group and the sticky bit: the kernel can create files there, but
        cannot replace or delete the root-owned copies of the assignment's own files.
        """
        for path in (self.work, self.run, self.home):
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                if path == self.work:
                    os.chown(path, 0, self.uid)
                    os.chmod(path, 0o1770)
                else:
                    os.chown(path, self.uid, self.uid)
                    os.chmod(path, 0o700)
        self.kernel_log.unlink(missing_ok=True)

    def reap(self, timeout: float = 5.0) -> list[int]:
        """Kill and wait for any process still running as the slot's uid; return stragglers."""
        deadline = time.monotonic() + timeout
        left = processes_of(self.uid)
        while left and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
            left = processes_of(self.uid)
        return left


class ForkedProvisioner(KernelProvisionerBase):
    """jupyter_client's view of a kernel forked by the zygote into a bwrap sandbox.

    The kernel is not our child (it lives in the sandbox's PID namespace), so liveness is
    read from /proc; killing it means killing the sandbox (its bwrap) and the kernel.
    """

    def __init__(self, pid: int, sandbox: subprocess.Popen, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pid = pid
        self.sandbox = sandbox

    @property
    def has_process(self) -> bool:
        """Always true once forked (the kernel may have died since: see poll)."""
        return True

    def _alive(self) -> bool:
        if self.sandbox.poll() is not None:
            return False
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii", errors="replace") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X", "x")

    async def poll(self) -> int | None:
        """None while running, else 1 (the exit status is not ours to collect)."""
        return None if self._alive() else 1

    async def wait(self) -> int | None:
        """Wait until the kernel is gone."""
        while self._alive():
            await asyncio.sleep(0.05)
        return 1

    async def send_signal(self, signum: int) -> None:
        """Signal the kernel process."""
        try:
            os.kill(self.pid, signum)
        except OSError:
            pass

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel and its whole sandbox."""
        await self.send_signal(signal.SIGKILL)
        _killpg(self.sandbox.pid)

    async def terminate(self, restart: bool = False) -> None:
        """Same as kill: a grading kernel has nothing to save."""
        await self.kill(restart)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict[str, Any]:
        """Never used: the zygote launches these kernels."""
        raise NotImplementedError

    async def cleanup(self, restart: bool = False) -> None:
        """Nothing to clean: the slot is wiped by the pool."""


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class WarmKernel:
    """One started sandboxed kernel in a slot; used for exactly one notebook."""

    def __init__(
        self,
        slot: Slot,
        km: AsyncKernelManager,
        log_fh: IO[bytes] | None,
        process: subprocess.Popen | None = None,
        kernel_pid: int | None = None,
    ) -> None:
        self.slot = slot
        self.km = km
        self.started = time.monotonic()
        self._log_fh = log_fh
        self.process = process if process is not None else getattr(km.provisioner, "process",
                                                                   None)
        self.kernel_pid = kernel_pid
        self.killed = False

    @property
    def pid(self) -> int | None:
        """PID of the launched sandbox process (prlimit/bwrap), if any."""
        return self.process.pid if self.process is not None else None

    def is_alive(self) -> bool:
        """Whether the kernel process is still running."""
        return bool(run_sync(self.km.is_alive)())

    def kill_now(self) -> None:
        """SIGKILL the whole sandbox at once; safe to call from another thread."""
        self.killed = True
        if self.kernel_pid:
            try:
                os.kill(self.kernel_pid, signal.SIGKILL)
            except OSError:
                pass
        if self.pid:
            _killpg(self.pid)

    def exit_code(self, timeout: float = 2.0) -> int | None:
        """The sandbox process's exit status once it has ended (None if unknown)."""
        if self.process is None or self.kernel_pid is not None:
            return None
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kernel_output(self, limit: int = 4000) -> str:
        """The tail of what the kernel process wrote to its stdout/stderr."""
        try:
            with open(self.slot.kernel_log, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - limit))
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def dispose(self) -> None:
        """Kill the kernel, wait for every process of its uid, wipe its directories.

        Uses no event loop, so any thread may call it.
        """
        self.kill_now()
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            # a collected manager deletes "its" connection file: never let it touch the slot
            self.km._connection_file_written = False
            self.km._close_control_socket()
            if self.km._created_context and not self.km.context.closed:
                self.km.context.destroy(linger=0)
        except Exception:  # best effort: the process is gone either way
            pass
        if self._log_fh is not None:
            self._log_fh.close()
        self.slot.reap()
        self.slot.reset()

    def prepare(self, env: dict[str, str], timeout: float = 120.0) -> Any:
        """Connect, wait until the kernel answers, set ``env`` in it; return the client.

        The environment is set by code run silently (no execution count, no history, no
        output) that binds no name in the student's namespace. The returned client (its
        channels started) is the one the notebook then runs on; the caller stops it.
        """
        kc = self.km.client()
        kc.start_channels()
        try:
            self._until_iopub_live(kc, timeout)
            if env:
                code = f"__import__('os').environ.update({env!r})"
                reply = self._request(kc, kc.execute(code, silent=True, store_history=False),
                                      30.0)
                if reply["content"].get("status") != "ok":
                    raise RuntimeError("could not set the kernel's environment")
        except BaseException:
            kc.stop_channels()
            raise
        return kc

    def _until_iopub_live(self, kc: Any, timeout: float) -> None:
        """Ask for kernel_info until both its shell reply and an IOPub message arrive.

        A reply on the shell channel does not prove that the IOPub subscription is live
        (ZeroMQ's "slow joiner"): a notebook run before it is would lose its first cell's
        outputs and wait for them until the IOPub timeout. jupyter_client's own
        ``wait_for_ready`` checks the same way.
        """
        from queue import Empty

        deadline = time.monotonic() + timeout
        for attempt in itertools.count(1):
            self._request(kc, kc.kernel_info(), max(1.0, deadline - time.monotonic()))
            try:
                run_sync(kc.get_iopub_msg)(timeout=0.5)
            except Empty:
                log.info("kernel_info answered but no output yet (attempt %d): asking again",
                         attempt)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel's output channel did not connect in "
                                       f"{timeout:.0f} s") from None
                continue
            while True:  # what the handshake published, not the notebook's
                try:
                    run_sync(kc.get_iopub_msg)(timeout=0.05)
                except Empty:
                    return

    def _request(self, kc: Any, msg_id: str, timeout: float) -> dict[str, Any]:
        """The shell reply to ``msg_id`` (checking every second that the kernel lives)."""
        from queue import Empty

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = run_sync(kc.get_shell_msg)(timeout=1.0)
            except Empty:
                if not self.is_alive():
                    raise RuntimeError("the kernel died while starting") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return reply
        raise RuntimeError(f"the kernel did not answer in {timeout:.0f} s")


class KernelPool:
    """Kernels for one worker thread: ``ahead`` of them boot while the current one runs.

    All of a pool's methods must be called from the thread that created it.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        root: Path,
        worker: int,
        *,
        ahead: int = 1,
        preload: tuple[str, ...] = (),
        workdir_name: str = "work",
        extra_env: dict[str, str] | None = None,
        zygote: Zygote | None = None,
        startup_timeout: float = 120.0,
    ) -> None:
        self.sandbox = sandbox
        self.zygote = zygote
        self.extra_env = dict(extra_env or {})
        self.preload = preload
        self.workdir_name = workdir_name
        self.startup_timeout = startup_timeout
        count = ahead + 1
        base = uid_base() + worker * count
        self._free = [Slot(root / f"w{worker}k{i}", base + i) for i in range(count)]
        for slot in self._free:
            slot.reset()
        self._ready: list[WarmKernel] = []
        self._in_use: list[WarmKernel] = []
        self.stopping = False
        self.started = 0
        self._fill()

    def _fill(self) -> None:
        """Boot a kernel in every free slot (a slot is free, booting/ready, or in use)."""
        while self._free:
            self._ready.append(self._start(self._free.pop(0)))

    def _kernel_spec(self, slot: Slot) -> KernelSpec:
        argv = [
            sys.executable,
            "-m",
            "autograder.grading.kernel_boot",
            "-f",
            "{connection_file}",
            *KERNEL_ARGS,
        ]
        argv = self.sandbox.kernel_command(
            uid=slot.uid,
            scratch=slot.work,
            rundir=slot.run,
            workdir_name=self.workdir_name,
            argv=argv,
        )
        return KernelSpec(
            argv=argv,
            display_name="Python 3 (sandboxed grading)",
            language="python",
            interrupt_mode="message",
            env={},
        )

    def _env(self, slot: Slot) -> dict[str, str]:
        env = dict(BASE_ENV)
        venv_bin = os.path.dirname(os.path.abspath(sys.executable))
        env["PATH"] = f"{venv_bin}:/usr/local/bin:/usr/bin:/bin"
        env["HOME"] = (
            self.sandbox.kernel_home(slot.work) if self.sandbox.isolated else str(slot.home)
        )
        env["MPLCONFIGDIR"] = f"{env['HOME']}/.config/matplotlib"
        env["AUTOGRADER_PRELOAD"] = ",".join(self.preload)
        env.update(self.extra_env)
        return env

    def _manager(self, slot: Slot) -> AsyncKernelManager:
        n = self.started
        km = AsyncKernelManager(
            transport="ipc",
            ip=str(slot.run / f"k{n}"),
            connection_file=str(slot.run / f"kernel-{n}.json"),
        )
        km._kernel_spec = self._kernel_spec(slot)  # a spec object, not a named kernel
        km.write_connection_file()
        if os.geteuid() == 0:
            os.chown(km.connection_file, slot.uid, slot.uid)
        return km

    def _start(self, slot: Slot) -> WarmKernel:
        if self.zygote is not None:
            try:
                return self._fork(slot)
            except ZygoteUnavailable:
                log.exception("kernel zygote unavailable: starting kernels afresh")
                self.zygote = None
        km = self._manager(slot)
        log_fh = open(slot.kernel_log, "wb")  # noqa: SIM115 - closed by WarmKernel.dispose
        if os.geteuid() == 0:
            os.chown(slot.kernel_log, slot.uid, slot.uid)
        kwargs: dict[str, Any] = {
            "env": self._env(slot),
            "cwd": str(slot.work),
            "stdout": log_fh,
            "stderr": subprocess.STDOUT,
            "stdin": subprocess.DEVNULL,
        }
        run_sync(km.start_kernel)(**kwargs)
        self.started += 1
        return WarmKernel(slot, km, log_fh)

    def _fork(self, slot: Slot) -> WarmKernel:
        """A kernel forked by the zygote into a fresh bwrap sandbox around a placeholder."""
        assert self.zygote is not None
        km = self._manager(slot)
        cmd, info_r = self.sandbox.placeholder(uid=slot.uid, scratch=slot.work,
                                               rundir=slot.run,
                                               workdir_name=self.workdir_name)
        with open(slot.kernel_log, "wb") as log_fh:
            proc = subprocess.Popen(cmd, pass_fds=(info_r[1],), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=log_fh,
                                    start_new_session=True)
        os.close(info_r[1])
        try:
            ready = proc.stdout.readline() if proc.stdout else b""
            info = _read_all(info_r[0])
        finally:
            os.close(info_r[0])
        if ready.strip() != b"ready" or "child-pid" not in info:
            _killpg(proc.pid)
            proc.wait()
            raise RuntimeError(f"the sandbox did not start (bwrap said {ready!r})")
        env = self._env(slot)
        env.pop("AUTOGRADER_PRELOAD", None)
        request = {
            "ns_pid": int(info["child-pid"]),
            "uid": slot.uid,
            "cwd": self.sandbox.inside(self.workdir_name),
            "env": env,
            "argv": ["-f", km.connection_file, *KERNEL_ARGS],
            "log": str(slot.kernel_log),
            "limits": self.sandbox.limits.rlimits(),
        }
        try:
            pid = self.zygote.spawn(request)
        except Exception:
            _killpg(proc.pid)
            proc.wait()
            raise
        km.provisioner = ForkedProvisioner(pid, proc, kernel_id=km.kernel_id,
                                           kernel_spec=km.kernel_spec, parent=km)
        self.started += 1
        return WarmKernel(slot, km, None, process=proc, kernel_pid=pid)

    def take(self) -> WarmKernel:
        """A started kernel for one notebook (the next one starts booting right away)."""
        self._fill()
        if not self._ready:
            raise RuntimeError("no free kernel slot: give kernels back before taking more")
        kernel = self._ready.pop(0)
        self._in_use.append(kernel)
        return kernel

    def give_back(self, kernel: WarmKernel) -> None:
        """Dispose of a used kernel and boot a new one in its slot (unless stopping)."""
        kernel.dispose()
        if kernel in self._in_use:
            self._in_use.remove(kernel)
        self._free.append(kernel.slot)
        if not self.stopping:
            self._fill()

    def kill_all(self) -> None:
        """Kill every kernel of the pool at once (any thread: used on interruption)."""
        self.stopping = True
        for kernel in [*self._in_use, *self._ready]:
            kernel.kill_now()

    def close(self) -> None:
        """Dispose of every kernel still waiting (after the worker thread has finished)."""
        self.stopping = True
        while self._ready:
            kernel = self._ready.pop()
            kernel.dispose()
            self._free.append(kernel.slot)


def _read_all(fd: int) -> dict[str, Any]:
    """bwrap's --info-fd JSON (read up to the closing brace: the fd may stay open)."""
    data = b""
    while not data.rstrip().endswith(b"}"):
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    try:
        return json.loads(data.decode() or "{}")
    except ValueError:
        return {}
