"""Every lesson in a real browser: JupyterLab started on 127.0.0.1 by the test, Debian's
Chromium driven by Python Playwright. For each lesson: open it, run all cells, find every
slider, move it with the keyboard, and assert that the plot's pixels and the read-out change;
no JavaScript errors in the console. Screenshots go to tests/screenshots/ (git-ignored).

Lessons are found by `course/[0-9][0-9]_*.ipynb`; what each must show is in EXPECTED, keyed by
its name without the number, so renumbering lessons changes nothing here. Every wait is on the
state it checks (the kernel has answered every request, ipympl's frame images have loaded, the
plot is drawn), never on time; nothing is retried.

One JupyterLab server for the session, started by the first xdist worker that needs it (file
lock, tests/shared.py) and stopped when the session ends; it serves a temporary copy of course/
(JupyterLab autosaves outputs, so the browser never writes into the repository). One browser
tab for the module. A first test runs the same checks on a demo notebook with a working and a
frozen widget, so a harness that checks nothing cannot pass. Per-lesson results and timings:
tests/screenshots/summary.json (summary-<worker>.json per pytest-xdist worker).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest
from browser_support import (
    SCREENSHOTS,
    SHARED_SERVER_KEY,
    LabServer,
    LabTab,
    after_a_frame,
    copy_course,
    exercise_notebook,
    launch_chromium,
    lessons,
    start_lab,
    wait_until,
    write_demo_notebook,
)
from shared import build_once

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LESSONS = lessons()
DEMO = "harness/demo.ipynb"

# What each lesson shows, in order: its explorers (`calc-<name>` CSS class) and the sliders of
# each. Keyed by the lesson's file name without its number ("06_critical_points.ipynb" ->
# "critical_points"): renumbering the lessons needs no change here; a new lesson needs a line.
EXPECTED: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "why_derivatives": [("descent", ("rate",))],
    "limits_and_continuity": [("limit", ("a", "delta"))],
    "derivative_as_limit": [("secant", ("dx",))],
    "rules_of_differentiation": [("product-rule", ("x", "dx")), ("chain-rule", ("x", "dx"))],
    "differentiability": [("zoom", ("zoom",))],
    "first_and_second_derivatives": [("tangent", ("position",))],
    "convexity": [("chord-explorer", ("a", "b", "t"))],
    "critical_points": [("saddle-explorer", ("x", "y", "momentum"))] * 2,
    "worked_example": [("tangent", ("position",))],
    "newton_and_gradient_descent": [("optimizer-race", ("learning_rate", "x0", "steps"))],
}


def lesson_key(lesson: Path) -> str:
    """The lesson's name without its number: the key of EXPECTED."""
    return lesson.stem.split("_", 1)[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> LabServer:
    """One JupyterLab for every worker of the session (stopped by tests/conftest.py)."""

    def build(folder: Path) -> dict:
        root = folder / "root"
        root.mkdir()
        if LESSONS:
            copy_course(root)
        write_demo_notebook(root / DEMO, frozen=True)
        server = start_lab(root, folder / "state")
        server.start_session(DEMO)  # the kernel starts while Chromium and JupyterLab load
        return {SHARED_SERVER_KEY: server.info()}

    return LabServer.attach(build_once(tmp_path_factory, "browser-lab", build)[SHARED_SERVER_KEY])


@pytest.fixture(scope="module")
def tab(lab):
    """One Chromium, one JupyterLab tab for every notebook (see LabTab)."""
    from playwright.sync_api import sync_playwright  # a dev extra: missing fails, never skips

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        context = chromium.new_context(viewport={"width": 1280, "height": 1000})
        lab_tab = LabTab(context, lab)
        yield lab_tab
        lab_tab.close()
        context.close()
        chromium.close()


@pytest.fixture(scope="module")
def summary():
    """Per-notebook results, written to tests/screenshots/ for the record (one file per xdist
    worker: the lessons may be spread over several)."""
    results: dict[str, dict] = {}
    yield results
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"summary-{worker}.json" if worker else "summary.json"
    (SCREENSHOTS / name).write_text(json.dumps(results, indent=1))


def exercise(tab, path: str, summary: dict, **options):
    try:
        report = exercise_notebook(tab, path, SCREENSHOTS / Path(path).stem, **options)
    finally:
        tab.reset()
        tab.server.shutdown_sessions(path)
    summary[path] = report.summary()
    for warning in report.warnings:
        warnings.warn(f"{path}: {warning}", stacklevel=2)
    return report


def test_harness_passes_a_working_widget_and_flags_a_frozen_one(tab, summary):
    """The checks are not vacuous: on a demo notebook with a working Explorer and one that
    ignores its slider, exactly the frozen one is reported; console errors are caught."""
    if LESSONS:  # its kernel starts while this runs
        tab.server.start_session(f"course/{LESSONS[0].name}")
    report = exercise(tab, DEMO, summary)
    assert report.explorers == ["line", "frozen"], report.problems
    checks = {(check.explorer, check.control): check for check in report.sliders}
    assert set(checks) == {("line", "a"), ("line", "b"), ("frozen", "a")}, report.problems
    assert checks["line", "a"].ok and checks["line", "a"].keys == "3x ArrowRight"
    assert checks["line", "b"].ok and checks["line", "b"].keys == "3x ArrowLeft"  # at its max
    frozen = checks["frozen", "a"]
    assert frozen.moved and not frozen.plot_changed and not frozen.readout_changed
    assert report.problems == [frozen.problem()], report.problems

    try:
        tab.page.evaluate("""() => {
            console.error('calc self-test');
            setTimeout(() => { throw new Error('calc self-test'); });
        }""")
        after_a_frame(tab.page)  # the timer has fired by then
        wait_until(lambda: len(tab.console.errors) >= 2, 30, message="self-test errors")
        errors = list(tab.console.errors)
    finally:
        tab.console.clear()  # not to be blamed on the first lesson
    assert len(errors) == 2, errors
    assert errors[0].startswith("console.error: calc self-test"), errors
    assert errors[1].startswith("pageerror: ") and "calc self-test" in errors[1], errors


def test_every_expectation_names_a_lesson():
    """EXPECTED follows the lessons: no lesson without expectations, no stale key."""
    assert sorted(map(lesson_key, LESSONS)) == sorted(EXPECTED), (
        "EXPECTED (tests/test_browser_lessons.py) does not match course/: lessons "
        f"{sorted(map(lesson_key, LESSONS))}, expectations {sorted(EXPECTED)}")


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_lesson_in_browser(lesson, tab, summary):
    expected = EXPECTED.get(lesson_key(lesson))
    assert expected is not None, f"{lesson.name}: add {lesson_key(lesson)!r} to EXPECTED"
    following = LESSONS.index(lesson) + 1
    if following < len(LESSONS):  # its kernel starts while this lesson runs
        tab.server.start_session(f"course/{LESSONS[following].name}")
    report = exercise(tab, f"course/{lesson.name}", summary)
    moved = ", ".join(f"{c.explorer}.{c.control}" for c in report.sliders) or "none"
    assert not report.problems, (
        f"{lesson.name}: {len(report.problems)} problem(s) (sliders checked: {moved}; "
        f"timings {report.timings}):\n- " + "\n- ".join(report.problems))
    assert report.explorers == [name for name, _ in expected]
    assert [(check.explorer, check.control) for check in report.sliders] == [
        (name, slider) for name, sliders in expected for slider in sliders]
