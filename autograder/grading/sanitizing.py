"""Reading a submitted notebook and running nbgrader's sanitize steps on it, once.

nbgrader runs its sanitize preprocessors (ClearOutput, DeduplicateIds, OverwriteKernelspec,
OverwriteCells or the course's RestoreCells, CheckCellMetadata) on each notebook, and two of
them open the gradebook to read the assignment's source cells and kernelspec. The
:class:`Sanitizer` makes each step once per batch and gives those two the gradebook's
answers from memory (:class:`~.gradebook_rows.SourceReader`); the steps' own code decides
everything, exactly as it does under ``nbgrader autograde``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode


def grade_id_of(cell: NotebookNode) -> str | None:
    """The nbgrader grade id of a cell, if any."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def read_notebook_text(text: str) -> NotebookNode:
    """Parse a submitted notebook as nbgrader would, raising ValueError if it is not one."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not a JSON notebook: {exc}"[:200]) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", []), list):
        raise ValueError("not a notebook (no list of cells)")
    major = data.get("nbformat")
    if major not in (3, 4):
        raise ValueError(f"unsupported nbformat version {major!r}")
    try:  # nbformat.reads without parsing again (its validation only logs)
        version, minor = nbformat.reader.get_version(data)
        nb = nbformat.convert(nbformat.versions[version].to_notebook_json(data, minor=minor), 4)
        normalize(nb)
    except Exception as exc:  # nbformat's many reader errors
        raise ValueError(f"unreadable notebook: {type(exc).__name__}: {exc}"[:200]) from None
    for cell in nb.cells:
        if not isinstance(cell, dict) or "cell_type" not in cell or "source" not in cell:
            raise ValueError("a cell without cell_type or source")
    return nb


def remove_duplicates(nb: NotebookNode) -> list[str]:
    """Keep nbgrader metadata only on the last cell of each grade id; return the duplicates.

    nbgrader's DeduplicateIds does the same but leaves an empty ``nbgrader`` dict that makes
    OverwriteCells(add_missing_cells) fail, ending the student's grading.
    """
    seen: set[str] = set()
    dups = []
    for cell in reversed(nb.cells):
        gid = grade_id_of(cell)
        if gid is None:
            continue
        if gid in seen:
            dups.append(gid)
            del cell.metadata["nbgrader"]
        else:
            seen.add(gid)
    return dups


def snapshot(nb: NotebookNode) -> dict[str, tuple]:
    """Per grade id: (cell type, source, locked, points, grade) - what OverwriteCells checks."""
    out = {}
    for cell in nb.cells:
        gid = grade_id_of(cell)
        if gid is None:
            continue
        meta = cell.metadata.get("nbgrader", {})
        out[gid] = (
            cell.cell_type,
            cell.source,
            bool(meta.get("locked")),
            meta.get("points"),
            bool(meta.get("grade")),
        )
    return out


def changes(
    before: dict[str, tuple], after: dict[str, tuple], released: Callable[[str], str]
) -> tuple[bool, bool]:
    """(a cell was restored because it was missing, a cell was restored because edited).

    A locked cell counts as edited only if its submitted source differs from the released
    one (``released(source)`` strips the hidden tests nbgrader adds back for everyone).
    """
    missing = tampered = False
    for gid, (kind, source, locked, points, _grade) in after.items():
        old = before.get(gid)
        if old is None:
            missing = True
            continue
        if (kind, locked, points) != (old[0], old[2], old[3]):
            tampered = True
        elif locked and old[1] != source and old[1] != released(source):
            tampered = True
    return missing, tampered


def normalize(nb: NotebookNode) -> None:
    """What nbformat's validation changes in a notebook: missing and duplicate cell ids.

    ``nbformat.reads`` and ``nbformat.writes`` validate, and validating gives a cell without
    an id, or with another cell's id, a new one. That is done here without the validation
    proper (which only logs).
    """
    from nbformat import validator

    version, minor = nbformat.reader.get_version(nb)
    repair = getattr(validator, "_normalize", None)
    if repair is None:  # another nbformat: validate as it does, errors only logged
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError:
            pass
        return
    repair(nb, version, minor, True, relax_add_props=False, strip_invalid_metadata=False)


def as_text(nb: NotebookNode) -> str:
    """``nbformat.writes(nb)``: the same text, without its validation (which only logs).

    nbformat's v4 writer deep-copies the notebook, splits strings into lines, strips the
    transient data and dumps JSON; the copy is made through JSON here (much quicker).
    """
    from nbformat.v4.nbjson import BytesEncoder
    from nbformat.v4.rwbase import split_lines, strip_transient

    normalize(nb)
    version, _ = nbformat.reader.get_version(nb)
    if version != 4:
        return nbformat.versions[version].writes_json(nb)
    data = nbformat.from_dict(json.loads(json.dumps(nb, cls=BytesEncoder)))
    return json.dumps(strip_transient(split_lines(data)), cls=BytesEncoder, indent=1,
                      sort_keys=True, separators=(",", ": "), ensure_ascii=False)


def as_read_back(nb: NotebookNode) -> NotebookNode:
    """``nb`` made what reading back ``nbformat.writes(nb)`` gives, in place, without the trip.

    Writing gives missing or duplicate cell ids new ones (:func:`normalize`) and drops the
    transient data; reading joins strings split into lines again.
    """
    from nbformat.v4.rwbase import rejoin_lines, strip_transient

    normalize(nb)
    return strip_transient(rejoin_lines(nb))


class Sanitizer:
    """The course's sanitize steps, made once, run on each submitted notebook."""

    def __init__(self, steps: list[type], config: Any, reader: Any) -> None:
        from nbgrader.preprocessors import ClearHiddenTests

        self.steps = [step(config=config) for step in steps]
        self.reader = reader
        self._hidden = ClearHiddenTests(config=config)
        self._released: dict[str, str] = {}

    def run(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict]:
        """Every step in order (raises what a step raises, as nbgrader's converter does)."""
        from nbgrader.preprocessors import OverwriteCells, OverwriteKernelspec

        for pp in self.steps:
            if not pp.enabled:
                continue
            if isinstance(pp, OverwriteCells) and type(pp).preprocess is OverwriteCells.preprocess:
                nb, resources = self._overwrite_cells(pp, nb, resources)
            elif (isinstance(pp, OverwriteKernelspec)
                  and type(pp).preprocess is OverwriteKernelspec.preprocess):
                nb, resources = self._overwrite_kernelspec(nb, resources)
            else:
                nb, resources = pp(nb, resources)
        return nb, resources

    def _overwrite_cells(self, pp: Any, nb: NotebookNode, resources: dict) -> tuple:
        """OverwriteCells.preprocess with the source cells from memory."""
        from nbgrader.preprocessors import NbGraderPreprocessor

        pp.notebook_id = resources["nbgrader"]["notebook"]
        pp.assignment_id = resources["nbgrader"]["assignment"]
        pp.db_url = resources["nbgrader"]["db_url"]
        pp.gradebook = self.reader
        nb, resources = NbGraderPreprocessor.preprocess(pp, nb, resources)
        if pp.add_missing_cells:
            nb, resources = pp.add_missing_grade_cells(nb, resources)
            nb, resources = pp.add_missing_task_cells(nb, resources)
        return nb, resources

    def _overwrite_kernelspec(self, nb: NotebookNode, resources: dict) -> tuple:
        """OverwriteKernelspec.preprocess with the source kernelspec from memory."""
        info = resources["nbgrader"]
        kernelspec = self.reader.find_notebook(info["notebook"], info["assignment"]).kernelspec
        if kernelspec is not None:
            kernelspec = json.loads(kernelspec)
        if kernelspec:
            nb.metadata["kernelspec"] = kernelspec
        return nb, resources

    def released(self, source: str) -> str:
        """A test cell's source as released to students (nbgrader's ClearHiddenTests)."""
        if source not in self._released:
            from nbformat.v4 import new_code_cell

            cell = new_code_cell(source)
            try:
                self._hidden._remove_hidden_test_region(cell)
                self._released[source] = cell.source
            except RuntimeError:
                self._released[source] = source
        return self._released[source]


def read_notebook(path: Any) -> NotebookNode:
    """Read a submitted notebook as nbgrader would, raising ValueError if it is not one."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not a JSON notebook: {exc}"[:200]) from None
    return read_notebook_text(text)
