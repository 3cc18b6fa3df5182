"""What `make lab` sets up works: nbgrader's lab and server extensions are enabled, and a
JupyterLab started with the Makefile's own `lab` command answers on /lab and lists course/.

The command is read from `make -n lab` (so this follows the Makefile), run with extra
LAB_ARGS for a test: no browser, 127.0.0.1, a free port, a known token, private dirs. Only the
`jupyter lab` line is run: the install steps before it are not.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser_support import ANSI, REPO, free_port, private_jupyter_env, start_server

pytestmark = pytest.mark.notebooks  # starts JupyterLab

JUPYTER = Path(sys.executable).parent / "jupyter"
# Guards against a hung command, not speed targets: `jupyter labextension list` takes ~3 s on
# an idle machine and over a minute beside a CPU hog.
COMMAND_TIMEOUT = 600
PARTS_PREFIX = "nbgrader.server_extensions."
NBGRADER_PARTS = ("assignment_list", "course_list", "formgrader", "validate_assignment")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Private config/runtime/data/IPython dirs: only the environment's (sys-prefix) config,
    which `make install` writes, counts, not a developer's ~/.jupyter."""
    return private_jupyter_env(tmp_path_factory.mktemp("lab-setup"))


def makefile_lab_command(lab_args: list[str]) -> list[str]:
    make = shutil.which("make")
    assert make, "make is needed for `make lab`"
    # not the flags of a `make test` that runs this test (jobserver, -k, ...)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    dry_run = subprocess.run(
        [make, "--no-print-directory", "-n", "lab", f"LAB_ARGS={shlex.join(lab_args)}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
        check=True).stdout
    lines = [line for line in dry_run.splitlines() if re.search(r"\bjupyter[ -]lab\b", line)]
    assert len(lines) == 1, f"expected one `jupyter lab` line in `make -n lab`:\n{dry_run}"
    return shlex.split(lines[0])


def jupyter(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(JUPYTER), *command], cwd=REPO, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=COMMAND_TIMEOUT)


def test_make_lab_serves_the_course(env, tmp_path):
    # The two listings (a few seconds of imports each) run while the server starts.
    with ThreadPoolExecutor(2) as pool:
        labextensions = pool.submit(jupyter, ["labextension", "list"], env)
        serverextensions = pool.submit(jupyter, ["server", "extension", "list"], env)
        check_lab_serves_the_course(env, tmp_path)
    check_lab_extension(labextensions.result())
    check_server_extension(serverextensions.result())


def check_lab_serves_the_course(env: dict[str, str], tmp_path: Path) -> None:
    port, token = free_port(), secrets.token_hex(16)
    command = makefile_lab_command([
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--LabApp.workspaces_dir={tmp_path / 'ws'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ])
    opened = [arg for arg in command if arg.endswith(".ipynb")]
    missing = [arg for arg in opened if not (REPO / arg).is_file()]
    assert not missing, f"`make lab` opens {missing}, which does not exist: jupyter lab would exit"
    server = start_server(command, url=f"http://127.0.0.1:{port}", token=token, env=env,
                          cwd=REPO, log_path=tmp_path / "jupyter.log", timeout=COMMAND_TIMEOUT)
    try:
        on_disk = {path.name for path in (REPO / "course").glob("*.ipynb")}
        status, page = server.request("/lab")
        assert status == 200, page[:500]
        assert b"jupyter-config-data" in page, "/lab did not serve the JupyterLab page"
        status, payload = server.request("/api/contents/course")
        assert status == 200, payload[:500]
        listing = json.loads(payload)
        assert listing["type"] == "directory" and listing["path"] == "course"
        listed = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
        assert on_disk <= listed, f"course/ notebooks not listed: {sorted(on_disk - listed)}"
    finally:
        server.stop()


def check_lab_extension(listing: subprocess.CompletedProcess) -> None:
    labs = ANSI.sub("", listing.stdout)
    assert listing.returncode == 0, labs
    assert re.search(r"^\s*@jupyter/nbgrader v\S+ enabled\s+OK", labs, re.M), (
        f"@jupyter/nbgrader is not listed as enabled and OK:\n{labs}")


def check_server_extension(listing: subprocess.CompletedProcess) -> None:
    servers = ANSI.sub("", listing.stdout)
    assert listing.returncode == 0, servers
    # `jupyter server extension enable nbgrader` enables the `nbgrader` extension point, which
    # loads nbgrader's four server extensions; nbgrader's own config file enables the four one
    # by one. Either way all four must be enabled and validate.
    state = dict(re.findall(r"^\s*(nbgrader[\w.]*) (enabled|disabled)\s*$", servers, re.M))
    enabled = {name for name, value in state.items() if value == "enabled"}
    covered = set(NBGRADER_PARTS) if "nbgrader" in enabled else {
        name.rsplit(".", 1)[-1] for name in enabled if name.startswith(PARTS_PREFIX)}
    assert covered >= set(NBGRADER_PARTS), (
        f"nbgrader server extensions not enabled: {sorted(set(NBGRADER_PARTS) - covered)}\n"
        f"{servers}")
    for name in enabled:
        assert re.search(rf"^\s*{re.escape(name)}\s+OK\s*$", servers, re.M), (
            f"{name} does not validate:\n{servers}")
