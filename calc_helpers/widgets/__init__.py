"""Interactive lesson widgets, one builder per idea; a lesson calls one line.

Each builder returns an `Explorer` (see `_base.py`); each module also has `example()`, the
builder called with the arguments its lesson uses, for tests and benchmarks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ._base import Explorer, new_figure

# builder name -> module that defines it (imported on first use, so importing is cheap)
BUILDERS = {
    "descent_explorer": "descent",
    "limit_explorer": "limit",
    "secant_explorer": "secant",
    "product_rule_explorer": "rules",
    "chain_rule_explorer": "chain",
    "zoom_explorer": "zoom",
    "tangent_walker": "tangent",
    "chord_explorer": "chord",
    "saddle_explorer": "saddle",
    "optimizer_race": "race",
}


def __getattr__(name: str):
    if name in BUILDERS:
        module = importlib.import_module(f".{BUILDERS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def examples() -> dict[str, Callable[[], Explorer]]:
    """Every widget's `example()` builder, by builder name (for tests and benchmarks)."""
    found = {}
    for name, module_name in BUILDERS.items():
        try:
            module = importlib.import_module(f".{module_name}", __name__)
        except ModuleNotFoundError:
            continue
        found[name] = module.example
    return found


__all__ = ["BUILDERS", "Explorer", "examples", "new_figure", *BUILDERS]
