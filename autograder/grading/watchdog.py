"""Limits for a whole sandbox, not per process: memory, processes and scratch disk.

rlimits bound each process (address space, file size), so four children of 1.2 GB each, or
many files each under the file-size limit, pass them. The watchdog samples the sandbox as a
whole a few times a second, from outside it: the proportional memory (PSS) of every process
of the kernel slot's uid (each slot has its own uid), their number, and the bytes in the
slot's host-side folders (apparent sizes, so sparse files count at their full length). Past a
limit it kills the sandbox's processes at once and remembers why.

A delegated cgroup would enforce the memory limit in the kernel itself; this grader does not
create or change cgroups, so the watchdog is the mechanism (named in the run's header line).
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

from .pool import processes_of
from .sandbox import Limits

INTERVAL = 0.2
#: Most directory entries looked at per sample (a flood of tiny files counts as full).
MAX_ENTRIES = 20_000

MECHANISM = "watchdog (memory, processes and disk summed per sandbox)"


def memory_of(pid: int) -> int:
    """Bytes of memory a process holds: its PSS if the kernel reports it, else its RSS."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as fh:
                for line in fh.read(65536).decode("ascii", "replace").splitlines():
                    if line.startswith(key):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    return 0


def disk_of(folders: list[Path], limit: int) -> int:
    """Apparent bytes in ``folders`` (links not followed); ``limit`` + 1 once past ``limit``."""
    total, seen = 0, 0
    stack = [str(f) for f in folders]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                return limit + 1
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append(entry.path)
            else:
                total += max(info.st_size, info.st_blocks * 512)
            if total > limit:
                return limit + 1
    return total


class Watchdog:
    """Samples one kernel's sandbox while its notebook runs; kills it past a limit."""

    def __init__(self, kernel: Any, limits: Limits, interval: float = INTERVAL) -> None:
        self.kernel = kernel
        self.limits = limits
        self.interval = interval
        self.tripped = ""  # "memory", "processes" or "disk" once a limit was passed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.peak_memory = 0

    @property
    def tripped_flag(self) -> str:
        """The outcome flag for the limit that was passed."""
        return {"memory": "memory_error", "processes": "processes_limited",
                "disk": "disk_limited"}.get(self.tripped, "")

    def start(self) -> None:
        """Begin sampling (a daemon thread)."""
        uid = getattr(getattr(self.kernel, "slot", None), "uid", None)
        if uid is None or os.geteuid() != 0:
            return  # no private uid to watch (no sandbox): rlimits only
        self._thread = threading.Thread(target=self._run, args=(uid,), daemon=True,
                                        name="sandbox-watchdog")
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def sample(self, uid: int) -> str:
        """One look at the sandbox: the limit passed, or ""."""
        pids = processes_of(uid)
        if len(pids) > self.limits.nproc:
            return "processes"
        memory = sum(memory_of(pid) for pid in pids)
        self.peak_memory = max(self.peak_memory, memory)
        if memory > self.limits.memory_mb * 1024 * 1024:
            return "memory"
        slot = getattr(self.kernel, "slot", None)
        folders = [p for p in (getattr(slot, "work", None), getattr(slot, "run", None)) if p]
        limit = self.limits.disk_mb * 1024 * 1024
        if folders and disk_of(folders, limit) > limit:
            return "disk"
        return ""

    def _run(self, uid: int) -> None:
        while not self._stop.wait(self.interval):
            why = self.sample(uid)
            if why:
                self.tripped = why
                self.kernel.kill_now()
                return
