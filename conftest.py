"""Doctest collection of the packages (``--doctest-modules``, configured in pyproject.toml).

``autograder/judging`` is a namespace package (no ``__init__.py``): pytest would import its
files as top-level modules, where their relative imports fail. They are imported here by
their dotted names instead, as the grader imports them.
"""

import importlib
from pathlib import Path

import pytest
from _pytest.doctest import DoctestModule

ROOT = Path(__file__).resolve().parent

# Never imported as a module: its source text is sent to a student's kernel as one cell.
collect_ignore = ["autograder/judging/kernel_extract.py"]


class _DottedDoctestModule(DoctestModule):
    """Doctests of a module inside a namespace package, imported by its dotted name."""

    def _getobj(self):
        parts = self.path.resolve().relative_to(ROOT).with_suffix("").parts
        return importlib.import_module(".".join(parts))


def _in_namespace_package(path: Path) -> bool:
    """A folder without ``__init__.py`` inside one of the packages (not tests/, bench/)."""
    folder = path.resolve().parent
    if ROOT not in folder.parents:
        return False
    package = ROOT / folder.relative_to(ROOT).parts[0]
    return (package / "__init__.py").exists() and not (folder / "__init__.py").exists()


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collected = yield
    return [
        _DottedDoctestModule.from_parent(parent, path=file_path)
        if type(item) is DoctestModule and _in_namespace_package(file_path)
        else item
        for item in collected
    ]
