"""JupyterHub for "Derivatives for Machine Learning": one course, local unix accounts.

The layout is nbgrader's documented "one class, multiple graders" one (it also serves one
instructor alone):

* students and instructors log in with their unix account and password (PAM); each gets a
  JupyterLab server started as themselves by the LocalProcessSpawner, from the shared venv
  (install.sh builds it with make-venv.sh);
* every server, and the formgrader, gets the course's exchange through DFML_EXCHANGE_ROOT
  (the course's nbgrader_config.py reads it: a system-wide Exchange.root alone is overridden);
* the formgrader is a hub-managed service named after the course, run as a dedicated grader
  account that owns the course folder (source/, gradebook.db) and every release: instructors
  and teaching assistants reach it at /services/derivatives-for-ml/ through the hub group
  formgrade-derivatives-for-ml, filled from the unix group of graders;
* students see the Assignments tab only (the config make-venv.sh writes in the venv); the
  grader service gets the formgrader through JUPYTER_CONFIG_PATH (grader/ in this folder).

Every setting a machine may need to change is an environment variable (install.sh writes
them to /etc/dfml/hub.env, which the systemd unit reads); the defaults are install.sh's.
Start the hub as root: ``/opt/dfml/venv/bin/jupyterhub -f /opt/dfml/jupyterhub_config.py``.
"""

import grp
import os
import pwd

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

env = os.environ.get
COURSE_ID = "derivatives-for-ml"
PREFIX = env("DFML_PREFIX", "/opt/dfml")
VENV = env("DFML_VENV", f"{PREFIX}/venv")
EXCHANGE = env("DFML_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
STATE = env("DFML_HUB_STATE", "/srv/jupyterhub")
GRADER = env("DFML_GRADER_USER", "grader-dfml")
COURSE_DIR = env("DFML_COURSE_DIR", f"/home/{GRADER}/{COURSE_ID}")
STUDENT_GROUP = env("DFML_STUDENT_GROUP", "dfml-students")
GRADER_GROUP = env("DFML_GRADER_GROUP", "dfml-graders")
SERVICE_PORT = int(env("DFML_SERVICE_PORT", "9999"))
BIN = f"{VENV}/bin"
PATH = f"{BIN}:/usr/local/bin:/usr/bin:/bin"


def _members(group: str) -> list[str]:
    """The unix accounts in `group` (as a supplementary group), [] if it does not exist."""
    try:
        return sorted(grp.getgrnam(group).gr_mem)
    except KeyError:
        return []


# --- The hub and its proxy ------------------------------------------------------------------
# Public address: put a TLS-terminating reverse proxy in front, or set c.JupyterHub.ssl_key
# and ssl_cert. DFML_HUB_URL=http://127.0.0.1:8000 keeps it on this machine.
c.JupyterHub.bind_url = env("DFML_HUB_URL", "http://:8000")
c.JupyterHub.hub_bind_url = env("DFML_HUB_API_URL", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.api_url = env("DFML_PROXY_API_URL", "http://127.0.0.1:8001")
c.ConfigurableHTTPProxy.command = [
    env("DFML_PROXY_CMD", f"{PREFIX}/node/node_modules/.bin/configurable-http-proxy")
]
c.JupyterHub.db_url = f"sqlite:///{STATE}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{STATE}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = f"{STATE}/jupyterhub-proxy.pid"

# --- Who logs in: local users with their unix password (PAM) ---------------------------------
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.create_system_users = False  # accounts are made by install.sh/useradd
c.Authenticator.allowed_users = set()
c.LocalAuthenticator.allowed_groups = {STUDENT_GROUP, GRADER_GROUP}
# The hub's own admins (start/stop anyone's server): none by default; add unix names here.
c.Authenticator.admin_users = set(filter(None, env("DFML_HUB_ADMINS", "").split(",")))

# --- Each user's server: JupyterLab from the shared venv, started as the user ----------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [f"{BIN}/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {
    "DFML_EXCHANGE_ROOT": EXCHANGE,  # where the Assignments tab fetches and submits
    "PATH": PATH,  # `nbgrader` and `python` in a terminal are the course's
}
c.Spawner.start_timeout = int(env("DFML_SPAWN_TIMEOUT", "120"))
c.Spawner.http_timeout = int(env("DFML_SPAWN_TIMEOUT", "120"))

# --- The formgrader: a hub-managed service run by the grader account --------------------------
try:
    _grader_home = pwd.getpwnam(GRADER).pw_dir
except KeyError:  # the account is made by install.sh; the hub still starts without it
    _grader_home = COURSE_DIR
c.JupyterHub.services = [
    {
        "name": COURSE_ID,
        "url": f"http://127.0.0.1:{SERVICE_PORT}",
        "command": [f"{BIN}/jupyterhub-singleuser", f"--ServerApp.root_dir={COURSE_DIR}"],
        "user": GRADER,
        "cwd": COURSE_DIR,
        "environment": {
            "DFML_EXCHANGE_ROOT": EXCHANGE,
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            # the formgrader is on in this config folder, searched before the students' one
            "JUPYTER_CONFIG_PATH": f"{VENV}/etc/dfml-grader",
            "HOME": _grader_home,
            "PATH": PATH,
        },
        "oauth_no_confirm": True,  # the hub's own service: no "Authorize" page
    }
]

# JupyterHub gives a managed service about 10 s to answer after starting it, then exits: the
# formgrader's server (JupyterLab and nbgrader to import) can need longer on a busy machine.
# Wait for it up to DFML_SERVICE_START_TIMEOUT seconds instead (unless its process exits).
SERVICE_START_TIMEOUT = float(env("DFML_SERVICE_START_TIMEOUT", "180"))


def _patch_service_start() -> None:
    import asyncio

    from jupyterhub.services.service import Service
    from jupyterhub.utils import wait_for_http_server

    start = Service.start
    if getattr(start, "_dfml_waits", False):
        return

    async def start_and_wait(self):  # self: a JupyterHub Service
        await start(self)
        deadline = asyncio.get_running_loop().time() + SERVICE_START_TIMEOUT
        while self.url and asyncio.get_running_loop().time() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return  # it exited: JupyterHub reports it
            try:
                await wait_for_http_server(self.url, timeout=2)
                return
            except TimeoutError:
                continue

    start_and_wait._dfml_waits = True
    Service.start = start_and_wait


_patch_service_start()

# Who may use the formgrader: the hub group formgrade-<course>, i.e. the unix group of graders.
FORMGRADE_GROUP = f"formgrade-{COURSE_ID}"
c.JupyterHub.load_groups = {FORMGRADE_GROUP: {"users": _members(GRADER_GROUP)}}
c.JupyterHub.load_roles = [
    {
        "name": FORMGRADE_GROUP,
        "groups": [FORMGRADE_GROUP],
        "scopes": [
            f"access:services!service={COURSE_ID}",
            "list:services",
            f"read:services!service={COURSE_ID}",
        ],
    },
    # a user's server token acts with the user's own permissions (nbgrader's course list)
    {"name": "server", "scopes": ["inherit"]},
]
