"""Each lesson run once per test session with nbclient, shared by every pytest-xdist worker.

`executed_lesson(tmp_path_factory, "05_convexity.ipynb")` gives the lesson as it is after
running all its cells in a fresh kernel (working directory course/, as in the repository):
the first worker to ask runs it (tests/shared.py: file lock), every other one reads the saved
result. Cell errors are kept as outputs (`allow_errors`): tests assert there are none.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from shared import build_once

COURSE = Path(__file__).resolve().parents[1] / "course"
CELL_TIMEOUT = 600  # a guard for a cell that hangs, not a speed target


def executed_lesson(tmp_path_factory: pytest.TempPathFactory,
                    filename: str) -> nbformat.NotebookNode:
    """The lesson `course/<filename>` after running all its cells (once per session)."""

    def build(folder: Path) -> dict:
        nb = nbformat.read(COURSE / filename, as_version=4)
        NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(COURSE)}}).execute()
        target = folder / filename
        nbformat.write(nb, target)
        return {"path": str(target)}

    stem = Path(filename).stem
    info = build_once(tmp_path_factory, f"lesson-{stem}", build)
    return nbformat.read(info["path"], as_version=4)
