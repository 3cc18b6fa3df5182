"""Build something expensive once per test session, for every pytest-xdist worker.

`build_once(tmp_path_factory, name, build)` runs `build(folder)` in the first worker to ask for
`name` (the others wait on a file lock) and gives every worker its JSON result. The shared
folder is the session's base temporary directory (the workers' own ones are inside it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this session sees: the parent of a worker's base temp
    directory under xdist, the base temp directory itself otherwise."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], dict]) -> dict:
    """`build(folder)`'s result, computed by the first worker to get here and read back from
    `<shared>/<name>.json` by every other. A build that raises writes nothing: the next
    worker to ask tries again (and reports its own error)."""
    shared = shared_dir(tmp_path_factory)
    result = shared / f"{name}.json"
    with FileLock(shared / f"{name}.lock"):
        if not result.exists():
            folder = shared / name
            folder.mkdir(exist_ok=True)
            result.write_text(json.dumps(build(folder)))
    return json.loads(result.read_text())
