"""Support for the tests that start JupyterLab and drive it with Debian's Chromium.

`start_lab` starts a private JupyterLab server (127.0.0.1, free port, known token, private
config/runtime/IPython/workspaces dirs, the "Jupyter news" announcements extension disabled);
`launch_chromium` starts Playwright's Chromium with the flags that keep it offline; the page
helpers open a notebook, run all its cells, find the lesson widgets (`Explorer`s, see
`calc_helpers/widgets/_base.py`) and move their sliders with the keyboard.

Recipes verified in /work/shared/notes/browser-testing.md.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "course"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
SCREENSHOTS = REPO / "tests" / "screenshots"  # git-ignored

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def lessons() -> list[Path]:
    """The lesson notebooks present now, in reading order."""
    return sorted(COURSE.glob(LESSON_GLOB))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def private_jupyter_env(base: Path, page_config: dict | None = None) -> dict[str, str]:
    """Environment with private Jupyter/IPython dirs under `base` (nothing read from ~); the
    environment's own (sys-prefix) config still applies. `page_config` is merged into
    JupyterLab's page config."""
    dirs = {name: base / name for name in ("config", "runtime", "ipython", "data")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    # The news pop-up still appears with --LabApp.news_url=None; disabling the extension works.
    config = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    config.update(page_config or {})
    labconfig = dirs["config"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps(config))
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        IPYTHONDIR=str(dirs["ipython"]),
        PYTHONUNBUFFERED="1",
    )
    env.pop("JUPYTER_TOKEN", None)
    return env


@dataclass
class LabServer:
    """A running Jupyter server: its base URL, token and process (stop it with `stop`).

    `process` is None for a server started by another pytest-xdist worker (`attach`)."""

    url: str
    token: str
    process: subprocess.Popen | None
    log_path: Path
    pid: int = 0

    def __post_init__(self) -> None:
        if self.process is not None:
            self.pid = self.process.pid

    def info(self) -> dict:
        """What another process needs to `attach` to this server (JSON-ready)."""
        return {"url": self.url, "token": self.token, "pid": self.pid,
                "log_path": str(self.log_path)}

    @classmethod
    def attach(cls, info: dict) -> LabServer:
        """The server described by `info()`, started by another process."""
        return cls(info["url"], info["token"], None, Path(info["log_path"]), info["pid"])

    def request(self, path: str, method: str = "GET", body: dict | None = None,
                timeout: float = 120) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        status, payload = self.request(path, method, body)
        if status >= 400:
            raise RuntimeError(f"{method} {path} -> HTTP {status}: {payload[:300]!r}")
        return json.loads(payload) if payload else None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def start_session(self, path: str) -> None:
        """Start the notebook's kernel now (JupyterLab reuses the session when it opens it)."""
        self.api("/api/sessions", "POST", {"path": path, "type": "notebook", "name": "",
                                            "kernel": {"name": "python3"}})

    def shutdown_sessions(self, path_prefix: str = "") -> None:
        """Shut down the kernels of the sessions whose notebook path starts with the prefix."""
        for session in self.api("/api/sessions"):
            if session.get("path", "").startswith(path_prefix):
                self.request(f"/api/sessions/{session['id']}", "DELETE")

    def stop(self) -> None:
        """Shut the server down (its kernels first); kill it if it does not exit."""
        if self.process is None:
            self._stop_attached()
        elif self.process.poll() is None:
            try:
                for kernel in self.api("/api/kernels"):
                    self.request(f"/api/kernels/{kernel['id']}", "DELETE")
                self.request("/api/shutdown", "POST", timeout=5)
            except (OSError, RuntimeError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()

    def _alive(self) -> bool:
        try:  # reap it if it is this process's child (a lone pytest process started it)
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return False
        except ChildProcessError:
            pass
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def _stop_attached(self) -> None:
        """`stop` for a server this process did not start (it cannot `wait` for it)."""
        if not self._alive():
            return
        try:
            for kernel in self.api("/api/kernels"):
                self.request(f"/api/kernels/{kernel['id']}", "DELETE")
            self.request("/api/shutdown", "POST", timeout=5)
        except (OSError, RuntimeError):
            pass
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                try:
                    os.killpg(self.pid, sig)
                except ProcessLookupError:
                    return
            deadline = time.monotonic() + 10
            while self._alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if not self._alive():
                return


def start_server(command: Sequence[str], *, url: str, token: str, env: dict[str, str],
                 cwd: Path, log_path: Path, timeout: float = 300) -> LabServer:
    """Start a Jupyter server command and wait until its REST API answers (`timeout` is a
    guard against a server that never comes up: ~2 s on an idle machine)."""
    log = log_path.open("wb")
    process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    log.close()
    server = LabServer(url, token, process, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter exited with {process.returncode}:\n{server.log_tail()}")
        try:
            status, _ = server.request("/api/status", timeout=2)
            if status == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"jupyter not ready after {timeout} s:\n{server.log_tail()}")
        time.sleep(0.1)


SHARED_SERVER_KEY = "jupyter_server"


def stop_shared_servers(folder: Path) -> list[str]:
    """Stop every server recorded under `SHARED_SERVER_KEY` in a `*.json` of `folder` (see
    tests/shared.py: servers shared by the xdist workers outlive each of them and are
    stopped by the process that ends the session). Returns their URLs."""
    stopped = []
    for record in sorted(folder.glob("*.json")):
        try:
            info = json.loads(record.read_text()).get(SHARED_SERVER_KEY)
        except (OSError, ValueError, AttributeError):
            continue
        if info:
            LabServer.attach(info).stop()
            stopped.append(info["url"])
    return stopped


def start_lab(root: Path, workdir: Path, *, extra_args: Sequence[str] = ()) -> LabServer:
    """A private JupyterLab on `root` for browser tests (state kept under `workdir`)."""
    port, token = free_port(), secrets.token_hex(16)
    # No build check: it asks the server whether JupyterLab needs a rebuild (~1.5 s here, for
    # source extensions only), and the document opens only after it answers.
    env = private_jupyter_env(workdir, {"buildCheck": False, "buildAvailable": False})
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # window.jupyterapp: notebooks are opened, their kernel and cells read, through the app
        "--LabApp.expose_app_in_browser=True",
        *extra_args,
    ]
    return start_server(command, url=f"http://127.0.0.1:{port}", token=token, env=env,
                        cwd=root, log_path=workdir / "jupyter.log")


def copy_course(destination: Path) -> Path:
    """A copy of course/ (JupyterLab autosaves outputs: the browser never sees the repo).
    Lessons run with course/ as their working directory, as in the repository."""
    target = destination / "course"
    shutil.copytree(COURSE, target,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


def launch_chromium(playwright):
    """Debian's Chromium (Playwright cannot download its own browser here)."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: `make chromium` installs it")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      headless=True)


# --- console errors -------------------------------------------------------------------------

# Known harmless console errors, each with the reason it is harmless. Keep this list short
# and the patterns precise: anything else logged as an error fails the lesson's test. Allowed
# errors are still reported, as warnings in the notebook's summary.
CONSOLE_ALLOW: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^console\.error: Error setting state: Failed to execute 'drawImage' on "
                r"'CanvasRenderingContext2D': The HTMLImageElement provided is in the 'broken' "
                r"state\."),
     # ipympl 0.10's MPLCanvasModel repaints its offscreen canvas from its last frame,
     # `drawImage(this.image)`, in its `change:_size` handler; when that frame's image failed
     # to load, drawImage throws and ipywidgets' set_state logs this. (One way to get there,
     # read in ipympl's code: the Python side stores the PNG in `_data_url` as bare base64,
     # without the `data:` prefix, while no front-end has said `initialized`; a model created
     # from that state gets an <img> whose src is a relative URL that 404s.) The next frame
     # (handle_binary -> image.onload) repaints the whole canvas. Known and open upstream:
     # https://github.com/matplotlib/ipympl/issues/472. The harness still checks what a
     # student sees: every plot is drawn and every slider changes it.
     "ipympl repaints from a frame whose image failed to load (ipympl#472); the next frame "
     "repaints"),
]


@dataclass
class ConsoleLog:
    """Console errors and uncaught page errors seen by a page (`clear` between notebooks)."""

    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def clear(self) -> None:
        self.errors.clear()
        self.allowed.clear()

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        text = f"console.error: {message.text} ({location.get('url', '?')})"
        if any(pattern.search(text) for pattern, _ in CONSOLE_ALLOW):
            self.allowed.append(text)
        else:
            self.errors.append(text)


# --- instrumentation of the page --------------------------------------------------------------

# Injected before JupyterLab's own scripts: tracks every image given a blob: or data: URL (how
# ipympl receives its frames), to tell when none is still loading, and records the state of any
# image that drawImage refuses (for the report).
_INSTRUMENT = """(() => {
  const calc = window.__calcPage = {images: new Set(), refusedDraws: []};
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
  Object.defineProperty(HTMLImageElement.prototype, 'src', {
    configurable: true, enumerable: src.enumerable,
    get() { return src.get.call(this); },
    set(value) {
      if (/^(blob|data):/.test(String(value))) calc.images.add(this);
      src.set.call(this, value);
    },
  });
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (image, ...rest) {
    try {
      return drawImage.call(this, image, ...rest);
    } catch (error) {
      calc.refusedDraws.push({error: String(error.message).slice(0, 120),
                              src: String(image && image.src || '').slice(0, 40),
                              complete: !!(image && image.complete),
                              naturalWidth: image ? image.naturalWidth || 0 : 0});
      throw error;
    }
  };
})();"""

# True when the current notebook's kernel is idle, every shell request the page sent it has been
# answered (its `idle` status came back: see _LISTEN_TO_KERNEL), and every tracked image is
# `complete` (loaded or failed: not loading). With `root`, its plot element must exist too.
_SETTLED = """(root) => {
  const seen = window.__calcKernel, calc = window.__calcPage;
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const ctx = panel && panel.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  if (!seen || !calc || !kernel || kernel.status !== 'idle' || seen.pending.size) return false;
  for (const image of calc.images) { if (!image.complete) return false; }
  return !root || !!root.querySelector('.jupyter-matplotlib-figure canvas, .widget-output img');
}"""

# Resolves once the page has rendered a frame and run the tasks queued before it.
_AFTER_A_FRAME = """() => new Promise(
  (resolve) => requestAnimationFrame(() => setTimeout(resolve)))"""


def after_a_frame(page) -> None:
    """Return once the page has rendered a frame and run the tasks queued before it (console
    events logged until then have been delivered: the sync API delivers them while it waits)."""
    page.evaluate(_AFTER_A_FRAME)


# --- one JupyterLab tab for every notebook -------------------------------------------------------

_OPEN = """(path) => {
  window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'});
}"""

# Shut down the kernels of the open documents and close them without a "save?" dialog.
_CLOSE_DOCUMENTS = """async () => {
  const app = window.jupyterapp;
  for (const widget of [...app.shell.widgets('main')]) {
    if (!widget.context) continue;  // the Launcher
    if (widget.sessionContext) {
      try { await widget.sessionContext.shutdown(); } catch (error) { /* already gone */ }
    }
    if (widget.context.model) widget.context.model.dirty = false;
    widget.dispose();
  }
}"""

_DIALOG_TEXT = """() => { const d = document.querySelector('.jp-Dialog');
                          return d ? d.innerText.trim() : null; }"""


class LabTab:
    """A JupyterLab tab, loaded once and reused for every notebook (loading JupyterLab again
    for each lesson would cost seconds); reloaded if a notebook leaves it in a bad state."""

    def __init__(self, context, server: LabServer) -> None:
        self.context = context
        self.server = server
        self.console = ConsoleLog()
        self.page = None
        context.add_init_script(_INSTRUMENT)
        self.load()

    def load(self, timeout: float = 180) -> None:
        if self.page is not None:
            self.page.close()
        self.console.clear()
        self.page = self.context.new_page()
        self.console.attach(self.page)
        self.page.goto(f"{self.server.url}/lab?token={self.server.token}&reset")
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell",
                                    timeout=timeout * 1000, polling=50)
        self.page.evaluate("async () => { await window.jupyterapp.restored; }")

    def dialog(self) -> str | None:
        return _evaluate(self.page, _DIALOG_TEXT)

    def close_documents(self) -> None:
        self.page.evaluate(_CLOSE_DOCUMENTS)

    def reset(self) -> None:
        """Close what the last notebook left open; reload the tab if that fails or a dialog
        is still up."""
        try:
            self.close_documents()
            healthy = self.dialog() is None
        except Exception:
            healthy = False
        if not healthy:
            self.load()

    def close(self) -> None:
        if self.page is not None:
            self.page.close()
            self.page = None


# --- driving a notebook -----------------------------------------------------------------------

# The notebook in the current tab, read through window.jupyterapp.
_NOTEBOOK_STATE = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.sessionContext || !panel.content || !panel.content.model) return null;
  const ctx = panel.sessionContext;
  const kernel = ctx.session && ctx.session.kernel;
  const cells = [];
  for (const cell of panel.content.model.cells) {
    if (cell.type !== 'code') continue;
    const outputs = [];
    for (let i = 0; i < cell.outputs.length; i++) {
      const out = cell.outputs.get(i).toJSON();
      const text = out.output_type === 'stream' ? [].concat(out.text).join('') : null;
      outputs.push({type: out.output_type, name: out.name || null, text,
                    ename: out.ename || null, evalue: out.evalue || null,
                    widget: !!(out.data && out.data['application/vnd.jupyter.widget-view+json'])});
    }
    cells.push({empty: cell.sharedModel.getSource().trim() === '',
                count: cell.executionCount, state: cell.executionState || null, outputs});
  }
  return {path: panel.context.path, ready: ctx.isReady, status: kernel ? kernel.status : null,
          kernelName: kernel ? kernel.name : null, cells};
}"""

_KERNEL_STATUS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const ctx = panel && panel.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  return kernel ? kernel.status : null;
}"""

# Record the kernel's error messages and stderr: an exception in a widget observer reaches the
# page only as an iopub `error` message whose parent is the slider's comm_msg. Keep the ids of
# the shell requests sent (executions, widget updates, ipympl's draw requests) until their
# `idle` status arrives: the kernel has handled them and everything they published is in.
_LISTEN_TO_KERNEL = """() => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const seen = {errors: [], stderr: [], pending: new Set()};
  window.__calcKernel = seen;
  kernel.anyMessage.connect((_, {msg, direction}) => {
    if (direction === 'send' && msg.channel === 'shell') seen.pending.add(msg.header.msg_id);
  });
  kernel.iopubMessage.connect((_, msg) => {
    const type = msg.header.msg_type;
    const parent = (msg.parent_header && msg.parent_header.msg_type) || null;
    if (type === 'status' && msg.content.execution_state === 'idle' && parent) {
      seen.pending.delete(msg.parent_header.msg_id);
    } else if (type === 'error') {
      seen.errors.push({parent, text: msg.content.ename + ': ' + msg.content.evalue,
                        traceback: (msg.content.traceback || []).join('\\n')});
    } else if (type === 'stream' && msg.content.name === 'stderr') {
      seen.stderr.push({parent, text: msg.content.text});
    }
  });
}"""


def _evaluate(page, script: str, arg=None):
    """page.evaluate, None while the page navigates."""
    try:
        return page.evaluate(script, arg)
    except Exception as error:
        if "context was destroyed" in str(error) or "navigat" in str(error):
            return None
        raise


def notebook_state(page) -> dict | None:
    return _evaluate(page, _NOTEBOOK_STATE)


def kernel_status(page) -> str | None:
    return _evaluate(page, _KERNEL_STATUS)


def wait_until(predicate, timeout: float, interval: float = 0.05, message: str = ""):
    """Poll `predicate` until it returns something truthy; return that or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(message or f"condition not met within {timeout} s")
        time.sleep(interval)


def open_notebook(tab: LabTab, path: str, timeout: float = 180) -> dict:
    """Open `path` (relative to the server root) in the tab; wait for an idle kernel. A dialog
    (e.g. "Select Kernel" for a notebook without a kernelspec) fails at once."""
    tab.page.evaluate(_OPEN, path)

    def idle():
        dialog = tab.dialog()
        if dialog:
            raise RuntimeError(f"{path}: a dialog opened instead of the notebook: {dialog!r}")
        state = notebook_state(tab.page)
        ok = state and state["path"] == path and state["ready"] and state["status"] == "idle"
        return state if ok else None

    return wait_until(idle, timeout, 0.1,
                      f"{path}: kernel not idle after {timeout} s: {notebook_state(tab.page)}")


def run_all(page, timeout: float = 300) -> dict:
    """Run -> Run All Cells from the menu, then wait until every non-empty code cell ran
    (or one failed: run-all stops there) and the kernel is idle. Returns the notebook state."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()

    def finished():
        state = notebook_state(page)
        if not state or state["status"] != "idle":
            return None
        cells = [cell for cell in state["cells"] if not cell["empty"]]
        if any(cell["state"] == "running" for cell in cells):
            return None
        failed = any(out["type"] == "error" for cell in cells for out in cell["outputs"])
        if failed or all(cell["count"] is not None for cell in cells):
            return state
        return None

    return wait_until(finished, timeout, 0.1, f"run-all did not finish within {timeout} s: "
                      f"{notebook_state(page)}")


NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def wait_for_widgets(page, state: dict, timeout: float = 120) -> int:
    """Wait until every widget-view output of the notebook is rendered; return their number."""
    expected = sum(out["widget"] for cell in state["cells"] for out in cell["outputs"])
    script = f"""() => document.querySelectorAll(
        '{NOTEBOOK} .jp-OutputArea-output > .jupyter-widgets').length"""
    wait_until(lambda: (_evaluate(page, script) or 0) >= expected, timeout, 0.1,
               f"{expected} widget views expected to render")
    return expected


# How many of the plot's pixels changed since the last snapshot (`keep` takes a new one):
# null while the ipympl canvas is still blank, -1 without a snapshot. A pixel counts when a
# channel moved by more than 8/255: redrawing an unchanged figure through ipympl's diff images
# leaves a few pixels off by 1. The Output fallback (`Explorer._static_view`, when the backend
# is not ipympl) shows a PNG: compared by its data URL.
_PLOT_CHANGE = """(root, keep) => {
  let now;
  const canvas = root.querySelector('.jupyter-matplotlib-figure canvas');
  if (canvas) {
    if (!canvas.width || !canvas.height) return null;
    now = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = false;
    for (let i = 3; i < now.length; i += 4) { if (now[i]) { drawn = true; break; } }
    if (!drawn) return null;
  } else {
    const img = root.querySelector('.widget-output img');
    if (!img || !img.src) return null;
    now = img.src;
  }
  const before = root.__calcPlot;
  let changed = 0;
  if (before === undefined) changed = -1;
  else if (typeof now === 'string' || typeof before === 'string'
           || now.length !== before.length) changed = now === before ? 0 : 1e9;
  else {
    for (let i = 0; i < now.length; i += 4) {
      if (Math.abs(now[i] - before[i]) > 8 || Math.abs(now[i + 1] - before[i + 1]) > 8
          || Math.abs(now[i + 2] - before[i + 2]) > 8
          || Math.abs(now[i + 3] - before[i + 3]) > 8) changed++;
    }
  }
  if (keep) root.__calcPlot = now;
  return changed;
}"""
PLOT_CHANGED_PIXELS = 5  # fewer changed pixels than this is "unchanged"


def plot_change(explorer, keep: bool = False) -> int | None:
    """Pixels of the explorer's plot changed since the snapshot (see _PLOT_CHANGE)."""
    return explorer.evaluate(_PLOT_CHANGE, keep)


def readout_text(explorer) -> str:
    readout = explorer.locator(".calc-readout")
    return readout.first.inner_text() if readout.count() else ""


# Guards only: every wait below ends as soon as the state it waits for is reached; these bound
# how long a broken notebook can hang the run (generous: the suite runs on busy machines).
SETTLE_TIMEOUT = 120.0


def wait_settled(page, root=None, timeout: float = SETTLE_TIMEOUT) -> None:
    """Wait until the notebook has settled (see _SETTLED), and is still settled once the page
    has rendered a frame (so a reply being handled when it first looked settled has drawn)."""
    handle = root.element_handle() if root is not None else None
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the notebook did not settle within {timeout:.0f} s: "
                               f"{settle_state(page)}")
        page.wait_for_function(_SETTLED, arg=handle, polling=50, timeout=left * 1000)
        after_a_frame(page)
        if page.evaluate(_SETTLED, handle):
            return


def settle_state(page) -> dict | None:
    """What the notebook is still waiting for (for error messages)."""
    return _evaluate(page, """() => {
      const seen = window.__calcKernel, calc = window.__calcPage;
      const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
      const ctx = panel && panel.sessionContext;
      const kernel = ctx && ctx.session && ctx.session.kernel;
      return {kernel: kernel ? kernel.status : null, pending: seen ? seen.pending.size : null,
              loading: calc ? [...calc.images].filter((i) => !i.complete).length : null};
    }""")


def settle(page, explorer, timeout: float = SETTLE_TIMEOUT) -> None:
    """Wait until the explorer's plot element exists and the notebook has settled, then check
    that a frame was drawn; leaves a snapshot of the plot for `plot_change`."""
    wait_settled(page, explorer, timeout)
    if plot_change(explorer, keep=True) is None:
        raise PlotNotDrawn("the plot was never drawn: its canvas is blank although the kernel "
                           "is idle, every request was answered and no image is loading")


class PlotNotDrawn(AssertionError):
    """An explorer's plot stayed blank once everything it waited for had arrived."""


def css_name(element, default: str, skip: tuple[str, ...]) -> str:
    """The `calc-<name>` class of a control or an explorer."""
    classes = (element.get_attribute("class") or "").split()
    names = [c[5:] for c in classes if c.startswith("calc-") and c not in skip]
    return names[0] if names else default


_SLIDER_VALUE = """(slider) => {
  const handle = slider.querySelector('.noUi-handle');
  const readout = slider.querySelector('.widget-readout');
  // aria-valuenow is rounded to one decimal; aria-valuetext and the read-out are not
  return [handle && handle.getAttribute('aria-valuetext'),
          readout ? readout.innerText.trim() : null];
}"""


@dataclass
class SliderCheck:
    explorer: str
    control: str
    moved: bool = False
    plot_changed: bool = False
    readout_changed: bool = False
    keys: str = ""
    seconds: float = 0.0
    value: tuple[str, str] = ("", "")
    readout: tuple[str, str] = ("", "")

    @property
    def ok(self) -> bool:
        return self.moved and self.plot_changed and self.readout_changed

    def problem(self) -> str | None:
        if self.ok:
            return None
        where = f"explorer {self.explorer!r}, slider {self.control!r}"
        if not self.moved:
            return f"{where}: {self.keys} did not move the slider (value {self.value[0]})"
        missing = [what for what, changed in (("the plot's pixels", self.plot_changed),
                                               ("the read-out", self.readout_changed))
                   if not changed]
        return (f"{where}: value {self.value[0]} -> {self.value[1]} ({self.keys}) but "
                f"{' and '.join(missing)} did not change once the kernel had handled it "
                f"(read-out before {self.readout[0]!r}, after {self.readout[1]!r})")


def move_slider(page, explorer, slider, explorer_name: str) -> SliderCheck:
    """Focus the slider's handle, press ArrowRight 3 times (ArrowLeft 3 times if that did not
    move it: it was at its maximum), wait until the kernel has handled the change and every
    frame it sent is drawn, then compare the plot's pixels and the read-out with before."""
    check = SliderCheck(explorer_name, css_name(slider, "?", ("calc-control",)))
    start = time.monotonic()
    handle = slider.locator(".noUi-handle").first
    plot_change(explorer, keep=True)
    read0 = readout_text(explorer)
    value0 = slider.evaluate(_SLIDER_VALUE)
    handle.scroll_into_view_if_needed()
    handle.focus()
    value1 = value0
    for key in ("ArrowRight", "ArrowLeft"):
        check.keys = f"3x {key}"
        for _ in range(3):
            handle.press(key)
        value1 = slider.evaluate(_SLIDER_VALUE)
        if value1 != value0:
            break
    check.moved = value1 != value0
    check.value = (value0[1] or value0[0] or "?", value1[1] or value1[0] or "?")
    if check.moved:
        wait_settled(page, explorer)
        check.plot_changed = (plot_change(explorer) or 0) >= PLOT_CHANGED_PIXELS
        read1 = readout_text(explorer)
        check.readout_changed = read1 != read0
        check.readout = (read0, read1)
    check.seconds = time.monotonic() - start
    return check


@dataclass
class NotebookReport:
    """What happened when a notebook was opened, run and its sliders moved."""

    path: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sliders: list[SliderCheck] = field(default_factory=list)
    explorers: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    screenshots: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {"path": self.path, "problems": self.problems, "warnings": self.warnings,
                "explorers": self.explorers, "timings": self.timings,
                "sliders": [{"explorer": s.explorer, "control": s.control, "ok": s.ok,
                             "value": s.value, "seconds": round(s.seconds, 2)}
                            for s in self.sliders]}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "x"


def exercise_notebook(tab: LabTab, path: str, shots: Path) -> NotebookReport:
    """Open `path` in the tab, run all cells, move every slider of every Explorer, close it;
    collect every problem. Screenshots go to `shots` (emptied first)."""
    report = NotebookReport(path)
    page = tab.page
    clock = began = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        report.timings[name] = round(now - clock, 2)
        clock = now

    if shots.exists():
        shutil.rmtree(shots)
    shots.mkdir(parents=True)

    def shoot(target, name: str) -> None:
        file = shots / f"{_slug(name)}.png"
        try:
            target.screenshot(path=str(file), timeout=5000)
            report.screenshots.append(str(file))
        except Exception as error:  # a screenshot is evidence, not a check
            report.warnings.append(f"screenshot {name} failed: {error}")

    # errors logged since the last notebook closed (e.g. while JupyterLab loaded) count here
    report.problems.extend(f"before opening the notebook: {e}" for e in tab.console.errors)
    tab.console.clear()
    try:
        state = open_notebook(tab, path)
        lap("open")
        if state["kernelName"] != "python3":
            report.problems.append(f"kernel is {state['kernelName']!r}, expected 'python3'")
        page.evaluate(_LISTEN_TO_KERNEL)
        state = run_all(page)
        lap("run_all")
        for i, cell in enumerate(state["cells"]):
            for out in cell["outputs"]:
                if out["type"] == "error":
                    report.problems.append(f"code cell {i + 1} raised {out['ename']}: "
                                           f"{out['evalue']}")
                elif out["type"] == "stream" and out["name"] == "stderr":
                    report.warnings.append(f"code cell {i + 1} wrote to stderr: "
                                           f"{(out['text'] or '').strip()[:300]}")
        wait_for_widgets(page, state)
        shoot(page, "notebook-after-run-all")
        explorers = page.locator(f"{NOTEBOOK} .calc-explorer")
        outside = page.locator(f"{NOTEBOOK} .widget-slider").count()
        for index in range(explorers.count()):
            explorer = explorers.nth(index)
            name = css_name(explorer, f"#{index + 1}", ("calc-explorer",))
            label = f"explorer{index + 1}-{name}"
            report.explorers.append(name)
            explorer.scroll_into_view_if_needed()
            try:
                settle(page, explorer)
            except (TimeoutError, PlotNotDrawn) as error:
                report.problems.append(f"explorer {name!r}: {error}")
                shoot(explorer, f"{label}-not-drawn")
                continue
            if not explorer.locator(".calc-readout").count():
                report.problems.append(f"explorer {name!r} has no .calc-readout")
            shoot(explorer, f"{label}-before")
            sliders = explorer.locator(".widget-slider")
            outside -= sliders.count()
            for number in range(sliders.count()):
                check = move_slider(page, explorer, sliders.nth(number), name)
                report.sliders.append(check)
                if check.problem():
                    report.problems.append(check.problem())
                    shoot(explorer, f"{label}-{check.control}-failed")
            if sliders.count():
                shoot(explorer, f"{label}-after")
        if outside:
            report.problems.append(f"{outside} slider(s) outside any .calc-explorer: their plot "
                                   "and read-out cannot be checked (lesson widgets are Explorers)")
        lap("sliders")
        wait_settled(page)
    except Exception as error:  # report it with what was collected so far
        report.problems.append(f"{type(error).__name__}: {error}")
        shoot(page, "page-at-error")
    finally:
        try:
            seen = page.evaluate("""() => window.__calcKernel && {
              errors: window.__calcKernel.errors, stderr: window.__calcKernel.stderr}""")
            refused = page.evaluate("() => window.__calcPage.refusedDraws.splice(0)")
        except Exception as error:  # the page may be gone
            seen, refused = None, []
            report.problems.append(f"could not read the kernel messages: {error}")
        for error in (seen or {}).get("errors", []):
            if error["parent"] != "execute_request":  # cell errors are reported above
                report.problems.append(
                    f"kernel error while moving sliders: {error['text']}\n"
                    f"{ANSI.sub('', error['traceback'])[-1500:]}")
        for draw in refused:
            report.warnings.append(f"drawImage refused an image: {draw}")
        for stream in (seen or {}).get("stderr", []):
            if stream["parent"] != "execute_request":
                target = report.problems if "Traceback" in stream["text"] else report.warnings
                target.append(f"kernel stderr while moving sliders: "
                              f"{stream['text'].strip()[:1500]}")
        try:
            tab.close_documents()
            after_a_frame(page)  # errors logged while closing reach the log
        except Exception as error:
            report.warnings.append(f"closing the notebook failed: {error}")
        report.problems.extend(tab.console.errors)
        report.warnings.extend(f"allowed {text}" for text in tab.console.allowed)
        report.timings["total"] = round(time.monotonic() - began, 2)
    return report


# --- a small notebook to develop and self-test the harness -----------------------------------

DEMO_SOURCE = '''\
import ipywidgets as w
import numpy as np
from calc_helpers.widgets._base import Explorer, new_figure


class Line(Explorer):
    """y = a x + b: the sliders move the line and change the read-out (b starts at its
    maximum: ArrowRight cannot move it, ArrowLeft must)."""

    def __init__(self, frozen=False):
        self.frozen = frozen
        fig, ax = new_figure((4, 3))
        self.x = np.linspace(-2, 2, 50)
        (self.line,) = ax.plot(self.x, self.x)
        ax.set_ylim(-6, 6)
        controls = {"a": w.FloatSlider(value=1, min=-2, max=2, step=0.25, description="a")}
        if not frozen:
            controls["b"] = w.IntSlider(value=3, min=-3, max=3, description="b")
        super().__init__(fig, controls, "frozen" if frozen else "line")

    def update(self):
        if self.frozen and hasattr(self, "_done"):
            return  # a broken widget: ignores its slider
        self._done = True
        a = self.controls["a"].value
        b = self.controls["b"].value if "b" in self.controls else 0
        self.line.set_data(self.x, a * self.x + b)
        self.readout.value = f"<b>y = {a:g} x + {b:g}</b>"
'''


def write_demo_notebook(path: Path, *, frozen: bool = False) -> Path:
    """A notebook with one Explorer (two sliders); `frozen=True` adds one whose slider changes
    neither its plot nor its read-out."""
    cells = [nbformat.v4.new_markdown_cell("# Demo explorer"),
             nbformat.v4.new_code_cell("%matplotlib widget"),
             nbformat.v4.new_code_cell(DEMO_SOURCE),
             nbformat.v4.new_code_cell("Line()")]
    if frozen:
        cells.append(nbformat.v4.new_code_cell("Line(frozen=True)"))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
