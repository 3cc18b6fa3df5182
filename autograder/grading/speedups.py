"""Three caches for nbgrader in the grading process; they change no result, only skip rework.

With one gradebook writer doing every student's nbgrader steps, three of nbgrader's habits
dominate its CPU time:

* every ``Gradebook(...)`` builds a new SQLAlchemy engine, so each of the ~10 gradebook
  sessions of a submission compiles its SQL afresh: engines are cached per URL here (the
  pool is still disposed when a session closes, as nbgrader does);
* ``CheckCellMetadata`` calls ``jsonschema.validate`` per cell, which re-checks the schema
  itself every time: a validator is built once per schema here. Validity is decided by the
  same schema and the same jsonschema draft, so the same cells pass and fail. Every student
  submits the same few cell metadata, so an instance found valid is remembered (by its
  JSON text) and not checked again; an invalid one is checked every time;
* every ``MetadataValidator()`` (one per CheckCellMetadata run) reads its schema file: the
  file is read once here; and a cell whose type and nbgrader metadata already passed the
  check is not checked again.

:func:`install` applies them to this process only (the plain ``nbgrader`` command is
untouched); the tests compare every honest grade with plain ``nbgrader autograde``.
"""

from __future__ import annotations

import json
import threading
from typing import Any

_installed = False
_lock = threading.Lock()


class _CachedJsonSchema:
    """Stands in for the ``jsonschema`` module inside nbgrader's metadata validator."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self._validators: dict[str, Any] = {}
        self._valid: set[tuple[str, str]] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def validate(self, instance: Any, schema: dict, *args: Any, **kwargs: Any) -> None:
        """``jsonschema.validate`` with the schema checked and compiled once."""
        if args or kwargs:
            return self._module.validate(instance, schema, *args, **kwargs)
        key = json.dumps(schema, sort_keys=True)
        try:
            seen = (key, json.dumps(instance, sort_keys=True))
        except (TypeError, ValueError):  # not JSON: never remembered
            seen = None
        if seen is not None and seen in self._valid:
            return None
        validator = self._validators.get(key)
        if validator is None:
            cls = self._module.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[key] = cls(schema)
        error = self._module.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        if seen is not None:
            if len(self._valid) > 10_000:
                self._valid.clear()
            self._valid.add(seen)
        return None


def install() -> None:
    """Apply the caches (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        import jsonschema
        import nbgrader.api as api
        from nbgrader.nbgraderformat import common

        engines: dict[str, Any] = {}
        create = api.create_engine

        def cached_engine(url: Any, *args: Any, **kwargs: Any) -> Any:
            key = repr((str(url), args, sorted(kwargs.items())))
            if key not in engines:
                engines[key] = create(url, *args, **kwargs)
            return engines[key]

        api.create_engine = cached_engine
        common.jsonschema = _CachedJsonSchema(jsonschema)
        schemas: dict[int, dict] = {}
        read_schema = common.BaseMetadataValidator.__init__

        def cached_schema(self: Any) -> None:
            if self.schema_version not in schemas:
                read_schema(self)
                schemas[self.schema_version] = self.schema
            self.schema = schemas[self.schema_version]  # nbgrader only reads it

        common.BaseMetadataValidator.__init__ = cached_schema
        _remember_valid_cells()
        _installed = True


def _remember_valid_cells() -> None:
    """nbgrader's cell check, done once per (cell type, nbgrader metadata) that passes it.

    ``MetadataValidatorV3.validate_cell`` reads nothing else of a cell (the source only for
    its error messages); a cell whose metadata names another cell type gets its warning
    every time.
    """
    from nbgrader.nbgraderformat import v3

    check = v3.MetadataValidatorV3.validate_cell
    valid: set[tuple[str, str]] = set()

    def validate_cell(self: Any, cell: Any) -> None:
        meta = cell.metadata.get("nbgrader") if "nbgrader" in cell.metadata else None
        try:
            key = (cell.cell_type, json.dumps(meta, sort_keys=True)) if meta else None
        except (TypeError, ValueError):
            key = None
        if key is not None and key in valid:
            return
        check(self, cell)
        if key is not None and meta.get("cell_type", cell.cell_type) == cell.cell_type:
            if len(valid) > 10_000:
                valid.clear()
            valid.add(key)

    v3.MetadataValidatorV3.validate_cell = validate_cell
