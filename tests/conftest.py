"""Shared pytest configuration."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "course",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# In CI a failure is reported as found: shrinking SymPy-heavy examples can take many minutes.
settings.register_profile(
    "ci",
    parent=settings.get_profile("course"),
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    print_blob=True,
)
# `make test-fast`: the same properties on fewer examples, the same ones on every run (a fixed
# seed per test, so the loop's time does not depend on drawing a slow SymPy case); `make test`
# runs them all, freshly drawn.
settings.register_profile("fast", parent=settings.get_profile("course"), max_examples=10,
                          derandomize=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "course")
)


# Files this conftest marks by name (their own marks are kept as they are): the grading and
# nbgrader end-to-end tests run the nbgrader CLI and the sandboxed grader.
SLOW_FILES = {"test_grading.py", "test_nbgrader_e2e.py", "test_gradebook_writer.py"}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """The grading tests' demo course (tests/hostile/course.py) after generate_assignment,
    before any submission: built once per session for every xdist worker."""
    from hostile import course as demo
    from shared import build_once

    def build(folder: Path) -> dict:
        return {"root": str(demo.make_course(folder / "course", cell_timeout=5))}

    return Path(build_once(tmp_path_factory, "pristine", build)["root"])


@pytest.fixture(scope="module")
def graded(pristine, tmp_path_factory) -> SimpleNamespace:
    """Plain nbgrader on the demo course's honest submissions, the sandboxed grader on honest
    and hostile ones (tests/test_grading.py's corpus): once per session for every worker.
    (tests/test_nbgrader_e2e.py has a `graded` of its own: the real course end to end.)"""
    from shared import build_once
    from test_grading import grade_corpus

    data = build_once(tmp_path_factory, "graded", lambda folder: grade_corpus(pristine, folder))
    data["root"], data["plain"] = Path(data["root"]), Path(data["plain"])
    return SimpleNamespace(**data)


def pytest_collection_modifyitems(config, items):
    """Mark by file the tests that cannot carry their own marks here (see SLOW_FILES)."""
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session):
    """Stop the servers the xdist workers shared (tests/shared.py), once every worker is done:
    in the controller, or in a pytest run without xdist."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from browser_support import stop_shared_servers

    stop_shared_servers(session.config._tmp_path_factory.getbasetemp())
