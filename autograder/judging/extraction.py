"""Taking answers out of the kernel: a mixin for nbgrader's ``Execute`` preprocessor.

After each judged test cell runs, one more cell (never shown, not stored in the kernel's
history) prints the value of that question's answer variable as plain data (see
:mod:`.kernel_extract`). Its raw stdout goes to ``resources["dfml"]["extracted"][grade_id]``
for the judge; nothing else the kernel produces is used for grading. A test cell that never
ran (the kernel died or was stopped first) has no extraction, and the judge gives it 0.

The specs of the judged cells come from ``resources["dfml"]["specs"]`` when the caller put
them there (the class grader), else from the gradebook's copy of the assignment.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell

from . import spec as specs_mod


@cache
def _kernel_code() -> str:
    return (Path(__file__).with_name("kernel_extract.py")).read_text(encoding="utf-8")


def extraction_source(variable: str) -> str:
    """The code of the cell that prints ``variable``'s value as data, then tidies up."""
    return (
        _kernel_code()
        + f"\n_dfml_extract(globals(), {variable!r})\n"
        + "for _dfml_key in [k for k in globals() if k.startswith(('_dfml', '_DFML'))]:\n"
        + "    del globals()[_dfml_key]\n"
        + "del _dfml_key\n"
    )


#: The identity record the setup cell writes beside the notebook (information only).
RECORD_FILE = ".worked_by.json"
MAX_RECORD = 65536


def read_regular(path: Path, limit: int = MAX_RECORD) -> str | None:
    """The text of a small regular file, never following a link or blocking on a FIFO."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit).decode("utf-8", "replace")
    finally:
        os.close(fd)


def grade_id(cell: Any) -> str | None:
    """The nbgrader grade id of a cell, if any."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def specs_from_gradebook(db_url: str, assignment: str, notebook: str,
                         course_id: str = "") -> list[specs_mod.Spec]:
    """The specs of every judged test cell of a notebook, from the gradebook's sources."""
    from nbgrader.api import Gradebook

    found: list[specs_mod.Spec] = []
    with Gradebook(db_url, course_id) as gb:
        nb = gb.find_notebook(notebook, assignment)
        sources = {cell.name: cell.source for cell in nb.source_cells}
        for cell in nb.grade_cells:
            if cell.cell_type != "code":
                continue
            parsed = specs_mod.parse(cell.name, sources.get(cell.name, ""))
            if parsed is not None:
                found.append(parsed)
    return found


def dfml_state(resources: dict[str, Any]) -> dict[str, Any]:
    """The grading data carried in a notebook's resources (made on first use)."""
    return resources.setdefault("dfml", {})


class AnswerExtraction:
    """Mixin for nbgrader's ``Execute``: extract each judged answer right after its test."""

    def _dfml_specs(self, resources: dict[str, Any]) -> dict[str, specs_mod.Spec]:
        state = dfml_state(resources)
        if "specs" not in state:
            info = resources.get("nbgrader", {})
            found = specs_from_gradebook(info["db_url"], info["assignment"], info["notebook"],
                                         getattr(self, "course_id", ""))
            state["specs"] = [s.to_json() for s in found]
        return {s["grade_id"]: specs_mod.Spec.from_json(s) for s in state["specs"]}

    def preprocess(self, nb: NotebookNode, resources: Any = None,
                   km: Any = None) -> tuple[NotebookNode, dict[str, Any]]:
        """nbconvert's ExecutePreprocessor.preprocess, with an extraction after judged cells."""
        from nbclient import NotebookClient

        resources = resources if resources is not None else {}
        judged = self._dfml_specs(resources)
        extracted: dict[str, str] = dfml_state(resources).setdefault("extracted", {})
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        with self.setup_kernel():
            assert self.kc
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            assert info_msg
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            for index, cell in enumerate(self.nb.cells):
                self.preprocess_cell(cell, resources, index)
                found = judged.get(grade_id(cell)) if cell.cell_type == "code" else None
                if found is not None:
                    extracted.pop(found.grade_id, None)
                    text = self._dfml_extract(found)
                    if text is not None:
                        extracted[found.grade_id] = text
        self.set_widgets_metadata()
        return self.nb, self.resources

    def clear_output(self, outs: list, msg: dict, cell_index: int) -> None:
        """nbclient's clear_output, except that nothing clears an extraction's output."""
        if getattr(self, "_dfml_extracting", False):
            return
        super().clear_output(outs, msg, cell_index)

    def _dfml_extract(self, found: specs_mod.Spec) -> str | None:
        """Run the extraction cell for one spec; its stdout, or None if it did not finish."""
        probe = new_code_cell(extraction_source(found.variable))
        self.nb.cells.append(probe)
        index = len(self.nb.cells) - 1
        self._dfml_extracting = True
        try:
            self.execute_cell(probe, index, store_history=False)
        finally:
            self._dfml_extracting = False
            if self.nb.cells and self.nb.cells[-1] is probe:
                self.nb.cells.pop()
            elif probe in self.nb.cells:
                self.nb.cells.remove(probe)
        return _stdout(probe) or None


def _stdout(cell: NotebookNode) -> str:
    return "".join(
        str(o.get("text", "")) for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
