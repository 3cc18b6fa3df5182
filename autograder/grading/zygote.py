"""A fork server for grading kernels: pay for Python, ipykernel and the course's imports once.

Starting a Python kernel that imports ipykernel, SymPy and the course's packages costs about a
second of CPU, more than running a typical problem set. The zygote is a fresh interpreter
(never the grader itself: it holds nothing but those imports) that waits for requests. For
each kernel it forks a child that enters an existing bubblewrap sandbox, exactly as
util-linux ``nsenter`` does (``setns`` into the sandbox's IPC, UTS, network, PID and mount
namespaces, ``chroot`` to its root), sets the rlimits, drops to the slot's unprivileged uid
with no capabilities (bounding set emptied) and ``no_new_privs``, then forks once more so the
kernel is inside the sandbox's PID namespace, checks that it holds no privilege, closes every
inherited descriptor and runs ipykernel. The sandbox itself is made by bwrap around a
placeholder process (:func:`start_sandbox`); killing that bwrap kills the whole namespace.

Protocol (JSON lines on stdin/stdout): the zygote says ``{"ready": true, ...}``, then answers
each request ``{"ns_pid", "root", "uid", "cwd", "env", "argv", "log", "limits"}`` with
``{"pid": host_pid}`` or ``{"error": "..."}``.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import resource
import signal
import sys
import threading
from typing import Any

NAMESPACES = ("ipc", "uts", "net", "pid", "mnt")  # nsenter's order: mount last
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
RLIMITS = {
    "as": resource.RLIMIT_AS,
    "nproc": resource.RLIMIT_NPROC,
    "fsize": resource.RLIMIT_FSIZE,
    "cpu": resource.RLIMIT_CPU,
    "nofile": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
}
EXIT_SETUP_FAILED = 70
#: Modules ipykernel imports while starting a kernel: imported once, here.
KERNEL_MODULES = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
    "ipykernel.comm", "IPython.core.completerlib", "IPython.core.debugger",
    "IPython.core.oinspect", "IPython.extensions.storemagic", "IPython.utils.wildcard",
    "sqlite3", "faulthandler", "tornado.platform.asyncio",
)  # not matplotlib: it reads HOME and MPLCONFIGDIR when imported, so the kernel imports it

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _last_cap() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as fh:
            return int(fh.read())
    except OSError:
        return 63


def _status_ok(uid: int) -> bool:
    """Inside the sandbox: no capability at all, every uid/gid is the slot's, no_new_privs."""
    with open("/proc/self/status", encoding="ascii") as fh:
        fields = dict(line.split(":", 1) for line in fh if ":" in line)
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(fields.get(key, "1").strip(), 16) != 0:
            return False
    ids = fields["Uid"].split() + fields["Gid"].split()
    return all(int(x) == uid for x in ids) and fields.get("NoNewPrivs", "0").strip() == "1"


def _enter(req: dict[str, Any], report: int) -> None:
    """In the first child (still root, outside): enter the sandbox, drop privileges, fork."""
    uid = int(req["uid"])
    log = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    os.fchown(log, uid, uid)
    ns_pid = int(req["ns_pid"])
    fds = [(name, os.open(f"/proc/{ns_pid}/ns/{name}", os.O_RDONLY)) for name in NAMESPACES]
    root = os.open(f"/proc/{ns_pid}/root", os.O_RDONLY | os.O_DIRECTORY)
    for name, fd in fds:
        _check(_libc.setns(fd, 0), f"setns {name}")
        os.close(fd)
    os.fchdir(root)
    os.chroot(".")
    os.close(root)
    os.chdir(req["cwd"])
    for name, value in req["limits"].items():
        resource.setrlimit(RLIMITS[name], (int(value), int(value)))
    for cap in range(_last_cap() + 1):
        _check(_libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "drop capability")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid):
        raise OSError("could not drop privileges")
    pid = os.fork()
    if pid:
        os.write(report, json.dumps({"pid": pid}).encode())
        os._exit(0)
    os.close(report)
    _become_kernel(req, log, uid)


def _become_kernel(req: dict[str, Any], log: int, uid: int) -> None:
    """In the kernel process (inside the sandbox's PID namespace): clean up and run ipykernel."""
    try:
        os.setsid()
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        if not _status_ok(uid):
            os.write(2, b"grading kernel: privileges were not dropped; refusing to run\n")
            os._exit(EXIT_SETUP_FAILED)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT
                          else signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(req["env"])
        if "numpy" in sys.modules:  # fresh global random state, as in a new process
            sys.modules["numpy"].random.seed()
        sys.argv = ["ipykernel_launcher", *req["argv"]]
        sys.path[:] = [p for p in sys.path if p not in ("", "/")]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=list(req["argv"]))
    except BaseException as exc:  # noqa: BLE001 - report anything, never return to the zygote
        try:
            os.write(2, f"grading kernel failed: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(0)


def spawn(req: dict[str, Any]) -> dict[str, Any]:
    """Fork a kernel for ``req``; return ``{"pid": host_pid}`` or ``{"error": message}``."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        try:
            _enter(req, w)
        except BaseException as exc:  # noqa: BLE001 - tell the zygote, then die
            try:
                os.write(w, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
            except OSError:
                pass
        os._exit(EXIT_SETUP_FAILED)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(child, 0)
    try:
        return json.loads(data.decode() or '{"error": "the kernel could not be started"}')
    except ValueError:
        return {"error": "garbled reply from the kernel's setup"}


def main() -> None:
    """Preload, announce readiness, then serve fork requests until stdin closes."""
    import compileall

    for directory in filter(None, os.environ.pop("AUTOGRADER_PRECOMPILE", "").split(os.pathsep)):
        compileall.compile_dir(directory, quiet=2)  # the course's own code, for the kernels
    from autograder.grading.kernel_boot import preload

    failed = preload(os.environ.pop("AUTOGRADER_PRELOAD", ""))
    preload(",".join(KERNEL_MODULES))  # what starting a kernel would import
    gc.freeze()  # forked kernels then copy far fewer pages (no GC pass over these objects)

    out = os.fdopen(os.dup(1), "w", buffering=1)
    threads = max(threading.active_count(), len(os.listdir("/proc/self/task")))
    out.write(json.dumps({"ready": threads == 1, "failed": failed, "threads": threads}) + "\n")
    if threads != 1:
        return
    for line in sys.stdin:
        try:
            reply = spawn(json.loads(line))
        except Exception as exc:  # noqa: BLE001 - a bad request must not stop the server
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()


class ZygoteUnavailable(RuntimeError):
    """The zygote itself is not working (kernels must be started the slow way)."""


class Zygote:
    """The grader's handle on a zygote process (thread-safe)."""

    def __init__(self, env: dict[str, str], log_path: str) -> None:
        """Start the zygote; it loads its modules while the grader goes on."""
        import subprocess

        self._lock = threading.Lock()
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.grading.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            cwd="/",
            text=True,
            bufsize=1,
        )
        self._ready = False
        self.failed: list[str] = []

    def wait_ready(self) -> None:
        """Block until the zygote has loaded everything (call with the lock held)."""
        if self._ready:
            return
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        try:
            hello = json.loads(line)
        except ValueError:
            hello = {}
        if not hello.get("ready"):
            raise ZygoteUnavailable(f"the kernel zygote did not start: {line.strip()[:200]!r}")
        self.failed = hello.get("failed", [])
        self._ready = True

    def spawn(self, request: dict[str, Any]) -> int:
        """Fork one sandboxed kernel; return its host pid."""
        with self._lock:
            self.wait_ready()
            if self.proc.poll() is not None:
                raise ZygoteUnavailable("the kernel zygote has exited")
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        reply = json.loads(line) if line else {"error": "no reply from the kernel zygote"}
        if "pid" not in reply:  # never the student's doing: no student code has run yet
            raise ZygoteUnavailable(f"could not fork a sandboxed kernel: {reply.get('error')}")
        return int(reply["pid"])

    def close(self) -> None:
        """Stop the zygote (its kernels live in their own sandboxes and are not affected)."""
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - make sure it is gone
            self.proc.kill()
            self.proc.wait()
        finally:
            self._log.close()
