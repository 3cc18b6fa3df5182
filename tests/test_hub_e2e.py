"""A class on a real JupyterHub, end to end, with deploy/jupyterhub/jupyterhub_config.py.

Needs root, node, configurable-http-proxy (``make install-dev`` installs it in .venv/node as
root), Debian's /usr/bin/python3 with venv, bubblewrap and Chromium; skipped otherwise, with
what is missing. The students' servers run from a world-readable venv built by the install
script's own step (deploy/jupyterhub/make-venv.sh) and cached in /var/cache/dfml-hub-test
(DFML_HUB_TEST_CACHE; see tests/hub_support.py): the first run builds it (about 2 minutes),
later runs only reinstall the course package when it changed.

The run: a grader account (runs the formgrader service, owns the course folder), an
instructor (in the graders' group, so in the hub's formgrade group) and three students, all
with random names, passwords and 0700 homes; a fresh exchange in /tmp; the hub on free
127.0.0.1 ports. A wrong password gets 403, the right one logs in. The instructor generates and
releases ps1 through the formgrader service. Each student fetches, runs the notebook in their
own kernel and submits, through their own server: ``right`` writes the right answers, ``blank``
nothing (fetched and submitted by clicking in Chromium), ``mistakes`` the typical mistakes.
The kernels see JUPYTERHUB_USER, which chose each variant. A student gets 403 from the
formgrader, has no formgrader in their own server, and cannot read another home, ``source/``
or the gradebook. The instructor collects; root grades with ``python -m autograder grade``
(sandboxed); the gradebook holds the exact scores. Finally the hub is stopped and every
account removed (always). Server spawn times and memory are printed (run with ``-s``) and
written to hub-costs.json in the test's tmp_path.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from browser_support import free_port, launch_chromium
from hub_support import (
    DEPLOY,
    PROXY,
    REPO,
    Hub,
    UnixUsers,
    UserServer,
    cpu_seconds,
    missing_requirements,
    pids_of,
    rss_mib,
    shared_venv,
    text_of,
    wait_for,
)
from nbgrader_support import (
    ASSIGNMENTS,
    COURSE_ID,
    answer_source,
    cells_by_id,
    grade_id,
    problem_set,
    right_answers,
    source_notebook,
    typical_mistakes,
)

from autograder import variants

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("hub")]

PS1 = ASSIGNMENTS[0]
NOTEBOOK = f"{PS1}/{PS1}.ipynb"
SERVICE = f"/services/{COURSE_ID}"
SPAWN_TIMEOUT = 180
STUDENTS = ("right", "blank", "mistakes")

_missing = missing_requirements()
if _missing:
    pytestmark.append(pytest.mark.skip(reason="the hub test needs " + "; ".join(_missing)))


def points_of(assignment: str) -> dict[str, float]:
    """{grade cell: points} of the autograded test cells."""
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    return {grade_id(c): float(c.metadata["nbgrader"]["points"]) for c in nb.cells
            if (grade_id(c) or "").startswith("test_")}


HUB_CONFIG = """\
# The course's hub config as deployed, plus an admin service for the test's REST calls.
load_subconfig({deploy!r})
c.JupyterHub.services.append({{"name": "e2e-admin", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": "admin", "services": ["e2e-admin"]}})
c.JupyterHub.log_level = "INFO"
"""

CAN_READ = """
import json, os
out = {}
for path in %r:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").close()
        out[path] = "readable"
    except OSError as exc:
        out[path] = type(exc).__name__
print(json.dumps(out))
"""


def work_notebook(server: UserServer, answers: dict[str, object] | None,
                  student: str) -> dict[str, str]:
    """Write `answers` into the fetched notebook, run every cell in the student's kernel (on
    past errors, as running the cells one by one does), save it; what the kernel reported."""
    model = server.read(NOTEBOOK)
    nb = nbformat.from_dict(model["content"])
    cells = cells_by_id(nb)
    for qid, value in (answers or {}).items():
        cells[f"answer_{qid}"].source = answer_source(qid, value)
    seen: dict[str, str] = {}
    with server.kernel(NOTEBOOK) as kernel:
        for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
            outputs, _ = kernel.execute(cell.source)
            cell.outputs = [nbformat.from_dict(o) for o in outputs]
            cell.execution_count = count
            if grade_id(cell) == "setup":
                seen["setup"] = text_of(outputs)
        probe, status = kernel.execute("import os; print(os.environ['JUPYTERHUB_USER'], "
                                       "os.getuid(), os.getcwd())")
        assert status == "ok", probe
        seen["env"] = text_of(probe)
        record, _ = kernel.execute(f"print(open({variants.RECORD_FILE!r}).read())")
        seen["record"] = text_of(record)  # (the Contents API hides dot files)
        # the student's server and kernel, the course's packages imported in it
        uid = pwd.getpwnam(student).pw_uid
        seen["rss_mib"] = f"{rss_mib(pids_of(uid)):.0f}"
        pid = int(text_of(kernel.execute("print(os.getpid())")[0]))
        seen["kernel_rss_mib"] = f"{rss_mib([pid]):.0f}"
        seen["cpu_s"] = f"{cpu_seconds(pids_of(uid)):.1f}"
    server.save_notebook(NOTEBOOK, nbformat.from_dict(json.loads(nbformat.writes(nb))))
    return seen


def test_a_class_on_jupyterhub(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    costs: dict[str, object] = {}
    report = tmp_path / "hub-costs.json"
    users = UnixUsers()
    # The exchange must be reachable by every user: not under pytest's temporary root, which
    # pytest keeps 0700 (and tightens again whenever another pytest process starts).
    shared = Path(tempfile.mkdtemp(prefix="dfml-hub-e2e-"))
    hub_proc: subprocess.Popen | None = None
    hub_log = tmp_path / "hub.log"

    def finish() -> None:
        if hub_proc is not None and hub_proc.poll() is None:
            hub_proc.send_signal(signal.SIGTERM)  # the hub stops every server and the service
            try:
                hub_proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(hub_proc.pid, signal.SIGKILL)
                hub_proc.wait(timeout=30)
        problems = users.remove_all()
        shutil.rmtree(shared, ignore_errors=True)
        assert not problems, problems

    request.addfinalizer(finish)

    with shared_venv() as venv:
        # --- accounts, course folder, exchange --------------------------------------------
        students_group, graders_group = users.group("st"), users.group("gr")
        grader = users.user("g")
        instructor = users.user("i", (graders_group,))
        names = {role: users.user(f"s{n}", (students_group,)) for n, role in
                 enumerate(STUDENTS)}
        for name in [grader, instructor, *names.values()]:
            assert stat.S_IMODE(users.home(name).stat().st_mode) == 0o700

        course = users.home(grader) / COURSE_ID
        (course / "source").mkdir(parents=True)
        shutil.copy(REPO / "nbgrader_config.py", course)
        shutil.copytree(REPO / "source" / PS1, course / "source" / PS1)
        subprocess.run(["chown", "-R", f"{grader}:{grader}", str(course)], check=True)
        os.chmod(course / "source", 0o700)

        os.chmod(shared, 0o755)
        exchange = shared / "exchange"
        exchange.mkdir()
        os.chmod(exchange, 0o1777)

        # --- the hub ------------------------------------------------------------------------
        state = tmp_path / "hub"
        state.mkdir(mode=0o700)
        token = os.urandom(24).hex()
        config = state / "jupyterhub_config.py"
        config.write_text(HUB_CONFIG.format(deploy=str(DEPLOY / "jupyterhub_config.py"),
                                            token=token))
        port = free_port()
        env = {
            "PATH": f"{venv}/bin:{Path(shutil.which('node')).parent}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "DFML_VENV": str(venv), "DFML_EXCHANGE_ROOT": str(exchange),
            "DFML_HUB_STATE": str(state), "DFML_GRADER_USER": grader,
            "DFML_COURSE_DIR": str(course), "DFML_STUDENT_GROUP": students_group,
            "DFML_GRADER_GROUP": graders_group,
            "DFML_HUB_URL": f"http://127.0.0.1:{port}",
            "DFML_HUB_API_URL": f"http://127.0.0.1:{free_port()}",
            "DFML_PROXY_API_URL": f"http://127.0.0.1:{free_port()}",
            "DFML_SERVICE_PORT": str(free_port()), "DFML_PROXY_CMD": str(PROXY),
        }
        hub = Hub(f"http://127.0.0.1:{port}", token)
        started = time.monotonic()
        with open(hub_log, "w") as log:
            hub_proc = subprocess.Popen([f"{venv}/bin/jupyterhub", "-f", str(config)],
                                        cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

        def hub_up() -> bool:
            assert hub_proc.poll() is None, "the hub exited:\n" + hub_log.read_text()[-5000:]
            return hub.api("GET", "/").status_code == 200

        wait_for(hub_up, 240, "the hub answering")
        costs["hub_ready_s"] = round(time.monotonic() - started, 1)

        # --- logging in: a wrong password is refused, the right one accepted ---------------
        right = names["right"]
        wrong = hub.login(right, "not-" + users.users[right])
        assert wrong.status_code == 403, (wrong.status_code, wrong.text[:500])
        assert "Invalid username or password" in wrong.text
        good = hub.login(right, users.users[right])
        assert good.status_code == 302, (good.status_code, good.text[:500])
        outsider = hub.login(grader, users.users[grader])  # not in a group the hub allows
        assert outsider.status_code == 403

        # --- every student's server, started as they would by logging in --------------------
        spawn_start = {name: time.monotonic() for name in names.values()}
        with ThreadPoolExecutor(len(names)) as pool:  # a login rush: all three at once
            list(pool.map(hub.start_server, names.values()))
        spawn = {}
        for name in names.values():
            wait_for(lambda n=name: hub.server_ready(n), SPAWN_TIMEOUT, f"{name}'s server")
            spawn[name] = round(time.monotonic() - spawn_start[name], 1)
        costs["spawn_s_3_at_once"] = spawn
        costs["cpu_s_spawn"] = {r: round(cpu_seconds(pids_of(pwd.getpwnam(n).pw_uid)), 1)
                                for r, n in names.items()}
        servers = {role: UserServer(hub.url, name, hub.user_token(name))
                   for role, name in names.items()}
        teacher = hub.user_token(instructor)

        # --- the instructor generates and releases ps1 in the formgrader service -------------
        def formgrader(method: str, path: str, who: str = teacher):
            import requests

            return requests.request(method, f"{hub.url}{SERVICE}/formgrader{path}", timeout=300,
                                    headers={"Authorization": f"token {who}"},
                                    allow_redirects=False)

        wait_for(lambda: formgrader("GET", "/api/assignments").status_code == 200, 180,
                 "the formgrader service")
        for step in ("assign", "release"):
            reply = formgrader("POST", f"/api/assignment/{PS1}/{step}")
            assert reply.status_code == 200 and reply.json()["success"], reply.text[:3000]
        released = exchange / COURSE_ID / "outbound" / PS1 / f"{PS1}.ipynb"
        assert released.exists()

        # --- students fetch: two through the REST API, one by clicking in Chromium ----------
        from playwright.sync_api import expect, sync_playwright

        blank = names["blank"]
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", blank)
            page.fill("#password_input", users.users[blank])
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{blank}/lab**", timeout=180_000)
            menu = page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader")
            menu.click()
            items = page.locator(".lm-Menu-item[data-command^='nbgrader:']")
            expect(items.first).to_be_visible()
            commands = set(items.evaluate_all(  # the menu lists every command; shown: loaded
                "els => els.filter(e => e.getClientRects().length > 0)"
                ".map(e => e.dataset.command)"))
            assert "nbgrader:open-assignment-list" in commands
            assert not {c for c in commands if "formgrader" in c or "create" in c}, commands
            page.click(".lm-Menu-item[data-command='nbgrader:open-assignment-list']")
            released_row = page.locator("#released_assignments_list .list_item",
                                        has_text=PS1).first
            released_row.get_by_role("button", name="Fetch").click()
            fetched_row = page.locator("#fetched_assignments_list .list_item",
                                       has_text=PS1).first
            expect(fetched_row).to_be_visible(timeout=120_000)

            for role in ("right", "mistakes"):
                servers[role].assignments("fetch", COURSE_ID, PS1)
            for server in servers.values():
                listing = {a["assignment_id"]: a["status"] for a in server.listing(COURSE_ID)}
                assert listing.get(PS1) == "fetched", (server.name, listing)

            # --- each student runs the notebook in their own kernel --------------------------
            answers = {
                "right": right_answers(PS1, names["right"]),
                "blank": None,
                "mistakes": {q: m.answer for q, m in typical_mistakes(PS1, names["mistakes"])
                             .items()},
            }
            with ThreadPoolExecutor(len(STUDENTS)) as pool:  # the class works at once
                work = {role: pool.submit(work_notebook, servers[role], answers[role],
                                          names[role]) for role in STUDENTS}
                seen = {role: future.result() for role, future in work.items()}
            for role, name in names.items():
                uid = pwd.getpwnam(name).pw_uid
                user, kernel_uid, cwd = seen[role]["env"].split()
                assert (user, int(kernel_uid)) == (name, uid)
                assert cwd == str(users.home(name) / PS1)
                identity = variants.Identity(name, "jupyterhub").describe()
                code = variants.variant_code(PS1, name)
                assert f"Variant {code} of {PS1}, for {identity}." in seen[role]["setup"]
                record = json.loads(seen[role]["record"])
                assert [(e["student"], e["source"], e["variant"]) for e in record[PS1]] == [
                    (name, "jupyterhub", code)]

            costs["rss_mib_server_plus_kernel"] = {r: seen[r]["rss_mib"] for r in STUDENTS}
            costs["rss_mib_kernel"] = {r: seen[r]["kernel_rss_mib"] for r in STUDENTS}
            costs["cpu_s_spawn_and_run_notebook"] = {r: seen[r]["cpu_s"] for r in STUDENTS}
            proxy_pid = int((state / "jupyterhub-proxy.pid").read_text())
            costs["rss_mib_hub"] = round(rss_mib([hub_proc.pid]))
            costs["rss_mib_proxy"] = round(rss_mib([proxy_pid]))
            costs["rss_mib_formgrader"] = round(rss_mib(pids_of(pwd.getpwnam(grader).pw_uid)))

            # --- a student cannot reach the formgrader, other homes, source/ or the gradebook
            mine = servers["mistakes"]
            assert formgrader("GET", "/api/assignments", who=mine.token).status_code == 403
            assert mine.request("GET", "/formgrader").status_code == 404
            targets = [str(users.home(right)), str(users.home(right) / NOTEBOOK),
                       str(course / "source" / PS1 / f"{PS1}.ipynb"),
                       str(course / "gradebook.db"), str(users.home(grader))]
            with mine.kernel(NOTEBOOK) as kernel:
                outputs, _ = kernel.execute(CAN_READ % (targets,))
            access = json.loads(text_of(outputs))
            assert set(access.values()) == {"PermissionError"}, access

            # --- submit: two through the API, one by clicking ------------------------------
            for role in ("right", "mistakes"):
                servers[role].assignments("submit", COURSE_ID, PS1)
            page.click("#refresh_assignments_list")
            fetched_row = page.locator("#fetched_assignments_list .list_item",
                                       has_text=PS1).first
            fetched_row.get_by_role("button", name="Submit").click()
            submitted = page.locator("#submitted_assignments_list .list_item",
                                     has_text=PS1).first
            expect(submitted).to_be_visible(timeout=120_000)
            browser.close()

        inbound = exchange / COURSE_ID / "inbound"
        wait_for(lambda: {p.name.split("+")[0] for p in inbound.iterdir()} == set(names.values()),
                 60, "three submissions in the exchange")

        # --- the instructor collects; root grades in the sandbox ----------------------------
        reply = formgrader("POST", f"/api/assignment/{PS1}/collect")
        assert reply.status_code == 200 and reply.json()["success"], reply.text[:3000]
        for name in names.values():
            assert (course / "submitted" / name / PS1 / f"{PS1}.ipynb").exists()
        # as the README says: sudo dfml-course --root python -m autograder grade ...
        env_file = state / "hub.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items() if k != "PATH"))
        course_env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
                      "DFML_ENV_FILE": str(env_file)}
        dfml_course = str(DEPLOY / "dfml-course")
        done = subprocess.run([dfml_course, "--root", "python", "-m", "autograder", "grade",
                               PS1, "--no-progress", "--workers", "2"], env=course_env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr[-5000:]
        assert "bwrap" in done.stderr, done.stderr  # sandboxed
        grader_uid = pwd.getpwnam(grader).pw_uid
        not_given_back = [str(p) for p in course.rglob("*") if p.lstat().st_uid != grader_uid]
        assert not not_given_back, not_given_back[:10]
        # the export, as the grader account
        exported = subprocess.run([dfml_course, "python", "-m", "autograder", "export", PS1,
                                   "--format", "canvas", "-o", "grades.csv"], env=course_env,
                                  capture_output=True, text=True, timeout=300)
        assert exported.returncode == 0, exported.stderr
        with open(course / "grades.csv", newline="") as fh:
            rows = {row["SIS User ID"]: row for row in csv.DictReader(fh)}

    # --- exact scores -------------------------------------------------------------------------
    from nbgrader.api import Gradebook

    points = points_of(PS1)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        scores = {}
        for name in names.values():
            sub = gb.find_submission(PS1, name)
            scores[name] = {g.name: float(g.score) for nb in sub.notebooks for g in nb.grades
                            if g.name in points}
    assert scores[names["right"]] == points
    assert scores[names["blank"]] == {cell: 0.0 for cell in points}
    ps = problem_set(PS1, names["mistakes"])
    expected = {f"test_{qid}": round(points[f"test_{qid}"] * float(ps.check(qid, value).score),
                                     4)
                for qid, value in answers["mistakes"].items()}
    assert scores[names["mistakes"]] == pytest.approx(expected)
    assert 0 < sum(expected.values()) < sum(points.values())
    for role, name in names.items():  # the export's totals: autograded points, nothing late
        assert float(rows[name][PS1]) == pytest.approx(sum(scores[name].values())), role

    costs["grading_stderr_tail"] = done.stderr.strip().splitlines()[-3:]
    report.write_text(json.dumps(costs, indent=1))
    print(textwrap.indent(json.dumps(costs, indent=1), "hub costs: "), file=sys.stderr)
