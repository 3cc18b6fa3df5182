"""Helpers for the JupyterHub end-to-end test (tests/test_hub_e2e.py).

* `missing_requirements` says what the machine lacks for a real hub (root, node, the proxy,
  Debian's Python with venv, bubblewrap, Chromium);
* `shared_venv` builds, caches and updates the world-readable venv the students' servers run
  from, with deploy/jupyterhub/make-venv.sh (the install script's own step);
* `UnixUsers` creates unix accounts with random names, private homes and passwords, and
  removes them (and any process left running as them, by pid) afterwards;
* `Hub` talks to a running hub's REST API as an admin service, and `UserServer` to one user's
  Jupyter server: contents, sessions, the Assignments tab's fetch/submit, and running code in
  the user's own kernel over its websocket, as JupyterLab does.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy" / "jupyterhub"
#: Where the shared venv is cached between runs (override with DFML_HUB_TEST_CACHE). One venv
#: per set of dependencies (pyproject.toml), named venv-<hash>; the course package in it is
#: reinstalled (non-editable) whenever its files change. Delete the folder to start afresh.
CACHE = Path(os.environ.get("DFML_HUB_TEST_CACHE", "/var/cache/dfml-hub-test"))
PROXY = REPO / ".venv" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
BASE_PYTHON = Path("/usr/bin/python3")
CHROMIUM = Path("/usr/bin/chromium")


def missing_requirements() -> list[str]:
    """What this machine lacks for the hub test (empty: it can run)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (the hub switches to each user; the grader's sandbox needs it)")
    if shutil.which("node") is None:
        missing.append("node (apt-get install nodejs)")
    if not PROXY.exists():
        missing.append(f"configurable-http-proxy in {PROXY.parent} (make install-dev, as root)")
    venv_ok = BASE_PYTHON.exists() and subprocess.run(
        [str(BASE_PYTHON), "-c", "import ensurepip, venv"], capture_output=True).returncode == 0
    if not venv_ok:
        missing.append("Debian's /usr/bin/python3 with venv (apt-get install python3-venv)")
    for tool in ("useradd", "userdel", "chpasswd", "bwrap"):
        if shutil.which(tool) is None:
            package = "bubblewrap" if tool == "bwrap" else "passwd"
            missing.append(f"{tool} (apt-get install {package})")
    if not CHROMIUM.exists():
        missing.append("chromium (apt-get install chromium)")
    return missing


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            h.update(str(file.relative_to(REPO)).encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@contextmanager
def shared_venv(log: Callable[[str], None] = print) -> Iterator[Path]:
    """The cached, world-readable venv with the current course installed, locked while used.

    The exclusive lock also keeps two hub tests from running at once on one machine.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    os.chmod(CACHE, 0o755)
    with open(CACHE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        venv = CACHE / f"venv-{_digest([REPO / 'pyproject.toml'])}"
        course = _digest([REPO / "pyproject.toml", REPO / "calc_helpers", REPO / "autograder",
                          DEPLOY / "make-venv.sh", DEPLOY / "student", DEPLOY / "grader"])
        stamp = venv / ".dfml-course"
        full = not (venv / ".dfml-complete").exists()
        if full and venv.exists():
            shutil.rmtree(venv)
        if full or not stamp.exists() or stamp.read_text() != course:
            start = time.monotonic()
            args = [str(DEPLOY / "make-venv.sh"), str(venv), str(REPO)]
            done = subprocess.run(args + ([] if full else ["--course-only"]),
                                  capture_output=True, text=True, timeout=1800, cwd="/")
            if done.returncode:
                raise RuntimeError(f"make-venv.sh failed:\n{done.stdout}\n{done.stderr[-4000:]}")
            (venv / ".dfml-complete").touch()
            stamp.write_text(course)
            log(f"shared venv {'built' if full else 'updated'} in "
                f"{time.monotonic() - start:.0f} s: {venv}")
        os.utime(stamp)
        for old in CACHE.glob("venv-*"):  # venvs of other dependency sets unused for a week
            used = old / ".dfml-course"
            stale = not used.exists() or time.time() - used.stat().st_mtime > 7 * 86400
            if old != venv and stale:
                shutil.rmtree(old, ignore_errors=True)
        yield venv


# ---------------------------------------------------------------------------------------------
# Unix accounts
# ---------------------------------------------------------------------------------------------


def _run(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)}: {done.stderr.strip()}")


def pids_of(uid: int) -> list[int]:
    """The processes running as `uid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def kill_pids(pids: list[int], timeout: float = 10) -> None:
    """SIGKILL `pids` and wait until they are gone."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


@dataclass
class UnixUsers:
    """Unix accounts and groups made for one test run, all removed by `remove_all`."""

    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    users: dict[str, str] = field(default_factory=dict)  # name -> password
    groups: list[str] = field(default_factory=list)

    def group(self, role: str) -> str:
        """Create the group `df<role><tag>`; return its name."""
        name = f"df{role}{self.tag}"
        _run("groupadd", name)
        self.groups.append(name)
        return name

    def user(self, role: str, groups: tuple[str, ...] = ()) -> str:
        """Create the account `df<role><tag>` with a 0700 home and a random password."""
        name = f"df{role}{self.tag}"
        args = ["useradd", "-m", "-K", "HOME_MODE=0700", "-s", "/bin/bash"]
        if groups:
            args += ["-G", ",".join(groups)]
        _run(*args, name)
        self.users[name] = secrets.token_urlsafe(12)
        subprocess.run(["chpasswd"], input=f"{name}:{self.users[name]}\n", text=True,
                       check=True, capture_output=True)
        os.chmod(self.home(name), 0o700)
        return name

    @staticmethod
    def home(name: str) -> Path:
        return Path(pwd.getpwnam(name).pw_dir)

    def remove_all(self) -> list[str]:
        """Kill what still runs as the accounts (by pid), delete them and the groups."""
        problems = []
        for name in self.users:
            try:
                uid = pwd.getpwnam(name).pw_uid
            except KeyError:
                continue
            for _ in range(5):  # the servers, kernels and service the test started as them
                pids = pids_of(uid)
                if not pids:
                    break
                kill_pids(pids)
            done = subprocess.run(["userdel", "-r", name], capture_output=True, text=True)
            if done.returncode not in (0, 12):  # 12: home already gone
                problems.append(f"userdel {name}: {done.stderr.strip()}")
        for group in self.groups:
            subprocess.run(["groupdel", group], capture_output=True)
        return problems


# ---------------------------------------------------------------------------------------------
# The hub and users' servers
# ---------------------------------------------------------------------------------------------


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.25):
    """Poll `predicate` until it returns something truthy; its value, or TimeoutError."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except (requests.RequestException, OSError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise TimeoutError(f"{what}: not done after {timeout:.0f} s (last: {last!r})")


@dataclass
class Hub:
    """A running hub, seen through its REST API with an admin service token."""

    url: str  # http://127.0.0.1:PORT
    token: str

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers,
                                timeout=60, **kwargs)

    def user(self, name: str) -> dict:
        reply = self.api("GET", f"/users/{name}")
        reply.raise_for_status()
        return reply.json()

    def start_server(self, name: str) -> None:
        """Start `name`'s server, adding the user to the hub first (as logging in does)."""
        if self.api("GET", f"/users/{name}").status_code == 404:
            added = self.api("POST", f"/users/{name}")
            assert added.status_code == 201, (added.status_code, added.text)
        reply = self.api("POST", f"/users/{name}/server")
        assert reply.status_code in (201, 202), (reply.status_code, reply.text)

    def server_ready(self, name: str) -> bool:
        server = self.user(name).get("servers", {}).get("")
        return bool(server and server.get("ready"))

    def user_token(self, name: str) -> str:
        reply = self.api("POST", f"/users/{name}/tokens", json={"note": "hub e2e test"})
        assert reply.status_code in (200, 201), (reply.status_code, reply.text)
        return reply.json()["token"]

    def login(self, name: str, password: str) -> requests.Response:
        """A browser-like login (the form and its _xsrf cookie); the POST's response."""
        session = requests.Session()
        page = session.get(f"{self.url}/hub/login", timeout=60)
        page.raise_for_status()
        xsrf = session.cookies.get("_xsrf", "")
        return session.post(f"{self.url}/hub/login?next=", allow_redirects=False, timeout=60,
                            data={"username": name, "password": password, "_xsrf": xsrf})


@dataclass
class UserServer:
    """One user's Jupyter server behind the hub, used with that user's own token."""

    hub: str
    name: str
    token: str

    @property
    def base(self) -> str:
        return f"{self.hub}/user/{self.name}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=120,
                                **kwargs)

    def assignments(self, action: str, course: str, assignment: str) -> Any:
        """The Assignments tab's fetch/submit (POST /assignments/ACTION); its JSON reply."""
        reply = self.request("POST", f"/assignments/{action}",
                             json={"course_id": course, "assignment_id": assignment})
        reply.raise_for_status()
        return reply.json()

    def listing(self, course: str) -> list[dict]:
        reply = self.request("GET", "/assignments", params={"course_id": course})
        reply.raise_for_status()
        data = reply.json()
        assert data.get("success"), data
        return data["value"]

    def read(self, path: str) -> dict:
        reply = self.request("GET", f"/api/contents/{path}", params={"content": "1"})
        reply.raise_for_status()
        return reply.json()

    def save_notebook(self, path: str, nb: dict) -> None:
        reply = self.request("PUT", f"/api/contents/{path}",
                             json={"type": "notebook", "format": "json", "content": nb})
        assert reply.status_code in (200, 201), (reply.status_code, reply.text)

    @contextmanager
    def kernel(self, notebook: str) -> Iterator[Kernel]:
        """A kernel for `notebook` (a session, as opening it in JupyterLab makes)."""
        reply = self.request("POST", "/api/sessions", json={
            "path": notebook, "name": Path(notebook).name, "type": "notebook",
            "kernel": {"name": "python3"}})
        assert reply.status_code == 201, (reply.status_code, reply.text)
        session = reply.json()
        ws = self.base.replace("http", "ws", 1)
        kernel = Kernel(f"{ws}/api/kernels/{session['kernel']['id']}/channels", self.token)
        try:
            yield kernel
        finally:
            kernel.close()
            self.request("DELETE", f"/api/sessions/{session['id']}")


class Kernel:
    """A kernel's websocket (Jupyter's JSON protocol): run code, collect its outputs."""

    def __init__(self, url: str, token: str) -> None:
        import websocket

        self.session = uuid.uuid4().hex
        self.ws = wait_for(lambda: websocket.create_connection(
            url, header=[f"Authorization: token {token}"], timeout=180), 60, "kernel websocket")

    def close(self) -> None:
        self.ws.close()

    def execute(self, code: str, timeout: float = 180) -> tuple[list[dict], str]:
        """Run `code`; (its nbformat outputs, the reply's status)."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": self.session, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": False},
        }))
        outputs: list[dict] = []
        status, idle = None, False
        deadline = time.monotonic() + timeout
        while status is None or not idle:
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel did not finish: {code[:80]!r}")
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"],
                                "text": content["text"]})
            elif kind in ("execute_result", "display_data"):
                out = {"output_type": kind, "data": content["data"],
                       "metadata": content.get("metadata", {})}
                if kind == "execute_result":
                    out["execution_count"] = content.get("execution_count")
                outputs.append(out)
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"],
                                "evalue": content["evalue"], "traceback": content["traceback"]})
        return outputs, status


def text_of(outputs: list[dict]) -> str:
    """The printed and displayed text of some outputs."""
    parts = []
    for out in outputs:
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
        elif out["output_type"] == "error":
            parts.append(f"{out['ename']}: {out['evalue']}")
    return "".join(parts)


def rss_mib(pids: list[int]) -> float:
    """The summed resident memory of `pids`, in MiB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time (user + system) `pids` have used so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks
