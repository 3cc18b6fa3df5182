"""The package layout stays one-way, and repeated knowledge stays in one place.

- the engine (`calc_helpers` outside `widgets`) never imports the widgets, and never the checks;
- what every widget shares lives in `widgets/_base.py`, colours in its one `PALETTE`;
- the words for the engine's labels come from `calc_helpers.vocabulary`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import calc_helpers

PACKAGE = Path(calc_helpers.__file__).parent
LABEL_MAP = re.compile(r"""["']local_min["']\s*:\s*["']""")  # a map from the label to words


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules `path` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                names = [f"{module}.{alias.name}" for alias in node.names]
                found.update([module, *names])
            else:
                found.add(node.module or "")
    return found


def _engine_files() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("*.py"))


def test_the_engine_never_imports_the_widgets_or_the_checks() -> None:
    for path in _engine_files():
        for module in _imported_modules(path):
            assert not module.startswith("calc_helpers.widgets"), f"{path.name} imports {module}"
            assert not module.startswith("autograder"), f"{path.name} imports {module}"


def test_widgets_share_helpers_through_base_only() -> None:
    siblings = {p.stem for p in (PACKAGE / "widgets").glob("*.py")} - {"__init__", "_base"}
    for path in (PACKAGE / "widgets").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for module in _imported_modules(path):
            parts = module.split(".")
            if parts[:2] == ["calc_helpers", "widgets"] and len(parts) > 2:
                assert parts[2] not in siblings or path.stem == "__init__", (
                    f"{path.name} imports from the widget {parts[2]}: move it to _base.py"
                )
        if path.stem != "_base":
            assert not re.search(r"^COLORS\s*=|['\"]#[0-9a-fA-F]{3,6}['\"]", source, re.M), (
                f"{path.name} has its own colours: use PALETTE from _base.py"
            )


def test_label_words_come_from_the_vocabulary() -> None:
    roots = [PACKAGE, PACKAGE.parent / "autograder", PACKAGE.parent / "course" / "exercises"]
    for root in roots:
        for path in root.rglob("*.py"):
            if path.name == "vocabulary.py":
                continue
            code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                             if not line.lstrip().startswith(">>>"))  # examples, not maps
            assert not LABEL_MAP.search(code), (
                f"{path} maps 'local_min' to words: use calc_helpers.vocabulary.POINT_WORDS"
            )
