"""The sandbox a student's kernel runs in: which mechanism, which limits, which command.

Mechanisms, best first:

``bwrap``
    Debian's bubblewrap, run by root: fresh mount, PID, network, IPC and UTS namespaces.
    The sandbox sees read-only ``/usr`` (+ ``/lib``, ``/bin`` links), a few ``/etc`` files,
    the Python installation, the venv and the course packages the checks need; a size-limited
    tmpfs ``/tmp`` and home; read-write only this kernel's scratch directory (a copy of one
    submission) and its connection directory. No ``source/``, no ``gradebook.db``, no other
    submission, no instructor home, no network (only a private loopback). Inside, ``setpriv``
    drops to a fresh unprivileged uid (one per kernel slot, so the process limit is per
    kernel) with no capabilities and ``no_new_privs``.
``setpriv``
    No namespaces for files: util-linux ``unshare --net --pid`` (root) plus ``setpriv`` to a
    fresh uid. Files are protected only by their permissions, so the grader refuses it unless
    the course's sensitive paths are unreadable by other users.
``none``
    Student code runs as the grader's user. Only with ``--unsafe``.

Limits (all mechanisms) are rlimits set by util-linux ``prlimit`` on the whole process tree:
address space, number of processes (per uid), file size, CPU seconds, open files, no core
dumps. Wall-clock limits (per cell, per notebook) are enforced by the runner.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MECHANISMS = ("bwrap", "setpriv", "none")

#: The home directory students' kernels see, and where their scratch copy is mounted.
SANDBOX_HOME = "/home/student"

#: Files of /etc that a Python kernel may need (locale, time zone, users, dynamic linker).
ETC_FILES = ("passwd", "group", "ld.so.cache", "localtime", "nsswitch.conf", "mime.types", "hosts")


class SandboxUnavailable(RuntimeError):
    """No sandbox mechanism works here (and ``--unsafe`` was not given)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one student's kernel.

    ``cell_timeout`` of ``None`` keeps the course's ``Execute.timeout`` (nbgrader's 30 s by
    default), so a slow but honest cell is graded as nbgrader would grade it.
    """

    cell_timeout: int | None = None
    notebook_timeout: int = 180
    memory_mb: int = 1536
    nproc: int = 64
    fsize_mb: int = 64
    cpu_seconds: int | None = None
    nofile: int = 512
    tmp_mb: int = 64
    output_mb: float = 8.0
    disk_mb: int = 256

    @property
    def cpu_limit(self) -> int:
        """CPU seconds for the kernel: the notebook limit plus boot time, unless set."""
        return self.cpu_seconds if self.cpu_seconds else self.notebook_timeout + 30

    def prlimit_args(self) -> list[str]:
        """``prlimit`` options setting soft = hard limits."""
        mb = 1024 * 1024
        return [
            f"--as={self.memory_mb * mb}",
            f"--nproc={self.nproc}",
            f"--fsize={self.fsize_mb * mb}",
            f"--cpu={self.cpu_limit}",
            f"--nofile={self.nofile}",
            "--core=0",
        ]

    def rlimits(self) -> dict[str, int]:
        """The same limits as :meth:`prlimit_args`, for setrlimit (soft = hard)."""
        mb = 1024 * 1024
        return {
            "as": self.memory_mb * mb,
            "nproc": self.nproc,
            "fsize": self.fsize_mb * mb,
            "cpu": self.cpu_limit,
            "nofile": self.nofile,
            "core": 0,
        }

    def describe(self) -> str:
        """One line for logs and the report."""
        cell = f"{self.cell_timeout} s" if self.cell_timeout else "course default"
        return (
            f"cell {cell}, notebook {self.notebook_timeout} s, memory {self.memory_mb} MB, "
            f"{self.nproc} processes, files {self.fsize_mb} MB, CPU {self.cpu_limit} s, "
            f"/tmp {self.tmp_mb} MB, disk {self.disk_mb} MB, output {self.output_mb:g} MB "
            "(memory, processes and disk summed over the whole sandbox)"
        )


@dataclass
class Sandbox:
    """A working mechanism plus what to expose read-only inside it."""

    mechanism: str
    limits: Limits
    ro_paths: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def isolated(self) -> bool:
        """Whether student code is kept away from the instructor's files."""
        return self.mechanism != "none"

    def kernel_command(
        self, *, uid: int, scratch: Path, rundir: Path, workdir_name: str, argv: list[str]
    ) -> list[str]:
        """The full command that starts ``argv`` (a Python kernel) in the sandbox.

        ``scratch`` becomes the kernel's working directory (``~/<workdir_name>`` inside
        bwrap); ``rundir`` holds the connection file and IPC sockets and is mounted at the
        same path so both sides can use it.
        """
        limits = ["prlimit", *self.limits.prlimit_args(), "--"]
        drop = [
            "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
        if self.mechanism == "bwrap":
            inside = f"{SANDBOX_HOME}/{workdir_name}"
            return [*limits, *self._bwrap_args(scratch, rundir, inside), "--", *drop, *argv]
        if self.mechanism == "setpriv":
            return [
                *limits,
                "unshare",
                "--net",
                "--pid",
                "--fork",
                "--kill-child",
                "--",
                *drop,
                *argv,
            ]
        return [*limits, *argv]

    def inside(self, workdir_name: str) -> str:
        """The scratch directory's path as the sandboxed kernel sees it."""
        return f"{SANDBOX_HOME}/{workdir_name}"

    def placeholder(self, *, uid: int, scratch: Path, rundir: Path,
                    workdir_name: str) -> tuple[list[str], tuple[int, int]]:
        """A bwrap sandbox holding only an idle process, for the zygote to fork a kernel into.

        Returns the command and the (read, write) pipe on which bwrap reports the sandbox's
        PID (``--info-fd``); the command prints ``ready`` once the sandbox is complete.
        """
        if self.mechanism != "bwrap":
            raise ValueError("forked kernels need the bwrap sandbox")
        info = os.pipe()
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        args = self._bwrap_args(scratch, rundir, self.inside(workdir_name))
        cmd = [*args, "--info-fd", str(info[1]), "--", *drop, "/bin/sh", "-c",
               "echo ready; exec sleep infinity"]
        return cmd, info

    def kernel_home(self, scratch: Path) -> str:
        """HOME as seen by the kernel."""
        return SANDBOX_HOME if self.mechanism == "bwrap" else str(scratch.parent / "home")

    def _bwrap_args(self, scratch: Path, rundir: Path, inside: str) -> list[str]:
        mb = 1024 * 1024
        args = [
            "bwrap",
            "--unshare-net",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent",
            "--new-session",
            "--hostname",
            "sandbox",
            "--ro-bind",
            "/usr",
            "/usr",
        ]
        for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            host = Path("/") / top
            if host.is_symlink():
                args += ["--symlink", os.readlink(host), f"/{top}"]
            elif host.is_dir():
                args += ["--ro-bind", str(host), f"/{top}"]
        for name in ETC_FILES:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        args += [
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--perms",
            "1777",
            "--size",
            str(self.limits.tmp_mb * mb),
            "--tmpfs",
            "/tmp",
        ]
        made: set[str] = {"/", "/tmp", "/usr"}

        def parents(path: str) -> list[str]:
            # bwrap makes missing parents 0700 (unreadable after the uid drop): make them 0755
            out = []
            for parent in reversed(Path(path).parents):
                if str(parent) not in made:
                    made.add(str(parent))
                    out += ["--dir", str(parent)]
            return out

        args += [
            *parents(SANDBOX_HOME),
            "--perms",
            "1777",
            "--size",
            str(self.limits.tmp_mb * mb),
            "--tmpfs",
            SANDBOX_HOME,
        ]
        made.add(SANDBOX_HOME)
        for path in self.ro_paths:
            args += [*parents(path), "--ro-bind", path, path]
        args += [
            *parents(str(rundir)),
            "--bind",
            str(scratch),
            inside,
            "--bind",
            str(rundir),
            str(rundir),
            "--chdir",
            inside,
            "--setenv",
            "HOME",
            SANDBOX_HOME,
            "--unsetenv",
            "JPY_PARENT_PID",
        ]
        return args


def _dirs_needed() -> list[str]:
    """Read-only paths the kernel needs: the Python installation, the venv, course code."""
    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        value = sysconfig.get_paths().get(key)
        if value:
            paths.add(os.path.realpath(value))
    return _minimal(paths)


def _minimal(paths: Iterable[str]) -> list[str]:
    """Drop paths already inside another one of the set; skip what /usr already covers."""
    out: list[str] = []
    for path in sorted(set(paths)):
        if path == "/usr" or path.startswith("/usr/"):
            continue
        if any(path == p or path.startswith(p.rstrip("/") + "/") for p in out):
            continue
        out.append(path)
    return out


def module_dirs(modules: Iterable[str]) -> list[str]:
    """Directories of importable top-level packages (editable installs live outside the venv)."""
    import importlib.util

    found: list[str] = []
    for name in modules:
        try:
            spec = importlib.util.find_spec(name.split(".")[0])
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        if spec.submodule_search_locations:
            found.extend(os.path.realpath(p) for p in spec.submodule_search_locations)
        elif spec.origin and spec.origin not in ("built-in", "frozen"):
            found.append(os.path.realpath(spec.origin))
    return found


def _bwrap_works() -> tuple[bool, str]:
    if os.geteuid() != 0:
        return False, "the bwrap sandbox needs root (each kernel gets its own unprivileged uid)"
    exe = shutil.which("bwrap")
    if exe is None:
        return False, "bwrap is not installed (Debian: apt-get install bubblewrap)"
    cmd = [
        exe,
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--unshare-net",
        "--unshare-pid",
        "--die-with-parent",
        "true",
    ]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed to run: {exc}"
    if res.returncode != 0:
        return False, f"bwrap cannot create namespaces here: {res.stderr.strip()[:200]}"
    return True, f"bubblewrap ({exe})"


def _setpriv_works() -> tuple[bool, str]:
    if os.geteuid() != 0:
        return False, "setpriv needs the grader to run as root"
    for tool in ("setpriv", "unshare", "prlimit"):
        if shutil.which(tool) is None:
            return False, f"{tool} is not installed"
    probe = [
        "unshare",
        "--net",
        "--pid",
        "--fork",
        "--kill-child",
        "--",
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        sys.executable,
        "-c",
        "pass",
    ]
    try:
        res = subprocess.run(probe, capture_output=True, text=True, timeout=30, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"setpriv probe failed: {exc}"
    if res.returncode != 0:
        return False, (f"an unprivileged user cannot run this Python ({res.stderr.strip()[:160]})")
    return True, "setpriv + unshare --net --pid (files protected by permissions only)"


def readable_by_others(paths: Iterable[Path]) -> list[Path]:
    """Those of ``paths`` a user other than the owner (and its group) could read.

    A path is readable by others when every directory above it lets others through (x) and
    the path itself lets them read (r; and x for a directory).
    """
    exposed = []
    for path in paths:
        if not path.exists():
            continue
        path = path.resolve()
        through = all(parent.stat().st_mode & 0o001 for parent in path.parents)
        need = 0o005 if path.is_dir() else 0o004
        if through and (path.stat().st_mode & need) == need:
            exposed.append(path)
    return exposed


def detect(
    requested: str = "auto",
    *,
    limits: Limits | None = None,
    modules: Iterable[str] = (),
    protect: Iterable[Path] = (),
) -> Sandbox:
    """Pick a working mechanism (``auto``: bwrap, else setpriv) or raise SandboxUnavailable.

    ``requested="none"`` always succeeds: the caller must have been given ``--unsafe``.
    ``protect`` lists paths that must stay unreadable for the setpriv fallback.
    """
    limits = limits or Limits()
    ro = _minimal([*_dirs_needed(), *module_dirs(modules)])
    if requested not in ("auto", *MECHANISMS):
        raise ValueError(f"unknown sandbox {requested!r}; choose from auto, {MECHANISMS}")
    if requested == "none":
        return Sandbox("none", limits, ro, "no sandbox (--unsafe)")
    reasons = []
    if requested in ("auto", "bwrap"):
        ok, why = _bwrap_works()
        if ok:
            return Sandbox("bwrap", limits, ro, why)
        reasons.append(why)
    if requested in ("auto", "setpriv"):
        ok, why = _setpriv_works()
        if ok:
            exposed = readable_by_others(protect)
            if not exposed:
                return Sandbox("setpriv", limits, ro, why)
            why = (
                "setpriv alone cannot hide files that other users may read: "
                + ", ".join(str(p) for p in exposed)
                + " (chmod o-rwx them)"
            )
        reasons.append(why)
    raise SandboxUnavailable("; ".join(reasons))


def place_files(files: dict[str, bytes], dst: Path, uid: int) -> None:
    """Write ``files`` (relative path -> bytes) into a kernel's folder, read-only for it.

    Run as root, folders and files are root's, readable by the slot's group (``uid``): the
    kernel can read the assignment's provided files but not change or replace them.
    """
    as_root = os.geteuid() == 0
    for rel, data in sorted(files.items()):
        target = dst / rel
        for parent in reversed(target.relative_to(dst).parents[:-1]):
            folder = dst / parent
            folder.mkdir(exist_ok=True)
            if as_root:
                os.chown(folder, 0, uid)
                os.chmod(folder, 0o1770)
        target.write_bytes(data)
        if as_root:
            os.chown(target, 0, uid)
            os.chmod(target, 0o440)
