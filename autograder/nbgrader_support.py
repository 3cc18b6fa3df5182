"""The nbgrader-specific pieces of the course's grading.

Two audiences use this file:

* nbgrader itself (through ``nbgrader_config.py``, which loads this file by path so that no
  nbgrader command pays for SymPy): `RestoreCells` puts back deleted test, answer and
  read-only cells before grading; `FlagIdentityMismatch` writes a gradebook comment when a
  notebook was worked under another student's identity; `StripHiddenTests` removes the hidden
  tests from the feedback students get. Building these classes needs nbgrader, so they are
  made on first use (`__getattr__`), and importing this module in a kernel stays cheap.
* the hidden tests in the assignments: `hidden_grader` gives checks that do not trust the
  notebook. A hidden test first drops every loaded copy of ``autograder`` and
  ``calc_helpers`` from ``sys.modules`` and imports this module again with ``sys.path``
  narrowed to the Python environment's own folders, so the checks, the reference engine and
  the student's variant all come fresh from the installed files: a student who redefined
  ``ps``, ``autograder.check_*`` or a calc_helpers function in the notebook, or wrote a fake
  ``autograder`` package into the notebook's folder, changed only their own copies. (So the
  course packages must be installed in the kernel's environment; ``make install`` does it.)
  The pattern, in a test cell::

      ### BEGIN HIDDEN TESTS
      import sys  # grade with fresh copies of the installed checks, never the notebook's own
      _path = sys.path[:]
      sys.path[:] = [p for p in _path if p.startswith((sys.prefix, sys.base_prefix))]
      for _name in [m for m in sys.modules if m.split(".")[0] in ("autograder", "calc_helpers")]:
          del sys.modules[_name]
      try:
          from autograder.nbgrader_support import hidden_grader
      finally:
          sys.path[:] = _path
      hidden_grader("ps1_limits_and_derivatives").partial_credit("1a", lambda: answer_1a, 2)
      ### END HIDDEN TESTS

  The last line prints the graded message and evaluates to the points earned, which is how
  nbgrader gives partial credit. It never raises, and prints nothing on stderr (nbgrader
  scores a cell with any stderr output 0). Whom it grades comes from the environment the
  kernel started with (`GradedExecute` puts the graded student there), which the notebook's
  code cannot change.

The boundary: nbgrader runs student code in the grading kernel itself, so code that sabotages
the interpreter (import hooks, ``sys.modules`` entries of SymPy or NumPy, builtins) is out of
reach of any in-kernel check; it is plainly visible in the submission.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import sys
import warnings
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"
HIDDEN_NOTE = "# (hidden tests ran here; their messages are in the output below)"
GRADED_PREFIX = "Graded"


def _variants():
    """The variants module: the package's own when imported as autograder.*, else by path."""
    if __package__:
        return importlib.import_module(f"{__package__}.variants")
    name = "dfml_variants"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("variants.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# ---------------------------------------------------------------------------------------------
# Hidden tests
# ---------------------------------------------------------------------------------------------


class HiddenGrader:
    """Grades answers of one assignment against fresh checks and the graded student's variant.

    `identity` is computed afresh (under nbgrader: the student being graded), the problem set
    is rebuilt from it, and the checks are those of the ``autograder`` module imported with
    this one. A mismatch between the identity the notebook was worked under and the graded
    one is said in every message.
    """

    def __init__(self, assignment: str, folder: str | Path | None = None):
        import autograder

        variants = _variants()
        self.checks = autograder
        self.folder = Path.cwd() if folder is None else Path(folder)
        self.identity = variants.current_identity(self.folder)
        if self.identity.grading and folder is None:
            self.folder = variants.grading_folder()
        self.problems = variants.problem_set(assignment, self.identity.student)
        self.note = None
        if self.identity.grading:
            entries = variants.read_record(self.folder, assignment)
            self.note = variants.identity_note(entries, self.identity.student)

    def feedback(self, qid: str, answer: Any):
        """The Feedback for an answer (a value, or a zero-argument function giving it)."""
        from autograder.answers import answer_of

        variants = _variants()
        value = answer_of(answer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quiet = io.StringIO()
            with redirect_stderr(quiet):
                return variants.check_question(self.problems.question(qid), value, self.checks)

    def partial_credit(self, qid: str, answer: Any, points: float) -> float:
        """Print the graded message for question `qid` and return the points earned."""
        try:
            result = self.feedback(qid, answer)
            earned = round(float(points) * float(result.score), 4)
            message = result.message
        except Exception as error:  # noqa: BLE001 - a broken answer must not break grading
            earned, message = 0.0, f"the check could not run ({type(error).__name__})."
        lines = [
            f"{GRADED_PREFIX} question {qid}: {earned:g} / {float(points):g} points. {message}"
        ]
        if self.note:
            lines.append(self.note)
        print("\n".join(lines))
        return earned


def hidden_grader(assignment: str, folder: str | Path | None = None) -> HiddenGrader:
    """A `HiddenGrader` for `assignment` (see the module docstring for how tests call it)."""
    return HiddenGrader(assignment, folder)


# ---------------------------------------------------------------------------------------------
# Hidden-test regions in cell sources
# ---------------------------------------------------------------------------------------------


def split_hidden(source: str) -> tuple[str, list[str]]:
    """(source without hidden-test regions, the hidden regions' lines).

    Raises ValueError for an unclosed or nested region, as nbgrader's ClearHiddenTests does.
    """
    kept: list[str] = []
    hidden: list[str] = []
    inside = False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line:
            if inside:
                raise ValueError("nested BEGIN HIDDEN TESTS")
            inside = True
        elif HIDDEN_END in line:
            if not inside:
                raise ValueError("END HIDDEN TESTS without BEGIN")
            inside = False
        elif inside:
            hidden.append(line)
        else:
            kept.append(line)
    if inside:
        raise ValueError("BEGIN HIDDEN TESTS without END")
    return "\n".join(kept), hidden


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ---------------------------------------------------------------------------------------------
# nbgrader preprocessors (built on first use: importing nbgrader is slow)
# ---------------------------------------------------------------------------------------------


def _build_preprocessors() -> dict[str, type]:
    from nbformat.notebooknode import NotebookNode
    from nbgrader import utils
    from nbgrader.api import Gradebook
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells

    class RestoreCells(OverwriteCells):
        """OverwriteCells that also puts back deleted answer and read-only cells.

        With ``OverwriteCells.add_missing_cells = True`` nbgrader restores deleted test cells,
        but only after the answer cell before them, and it fails on a notebook where that cell
        is gone too. This restores every cell of the source notebook that nbgrader knows (test
        cells, answer cells as their unanswered stubs, read-only cells such as the setup cell),
        each placed after the nearest earlier cell that is still there.
        """

        def add_missing_grade_cells(self, nb, resources):
            source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
            grade_cells = {cell.name: cell for cell in source_nb.grade_cells}
            solution_ids = {cell.name for cell in source_nb.solution_cells}
            source_cells = list(source_nb.source_cells)

            def position(grade_id):
                for index, cell in enumerate(nb.cells):
                    if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
                        return index
                return None

            for order, source_cell in enumerate(source_cells):
                if position(source_cell.name) is not None:
                    continue
                self.log.warning("Cell %s is missing: putting it back", source_cell.name)
                cell = self._restored(
                    source_cell, grade_cells.get(source_cell.name), source_cell.name in solution_ids
                )
                anchor = None
                for earlier in reversed(source_cells[:order]):
                    anchor = position(earlier.name)
                    if anchor is not None:
                        break
                nb.cells.insert(0 if anchor is None else anchor + 1, cell)
            return nb, resources

        def _restored(self, source_cell, grade_cell, is_solution):
            meta = {
                "grade": grade_cell is not None,
                "grade_id": source_cell.name,
                "locked": source_cell.locked,
                "schema_version": 3,
                "solution": is_solution,
                "checksum": source_cell.checksum,
            }
            if grade_cell is not None:
                meta["points"] = grade_cell.max_score
            source = source_cell.source
            if not is_solution:  # an answer stub stays exactly as released ("No response.")
                note = self.missing_cell_notification.format(cell_id=source_cell.name)
                if source_cell.cell_type == "code":
                    note = "".join(f"# {line}\n" for line in note.strip().splitlines())
                source = note + source
            cell = {"cell_type": source_cell.cell_type, "metadata": {"nbgrader": meta}}
            cell["source"] = source
            if source_cell.locked:
                cell["metadata"].update({"deletable": False, "editable": False})
            if source_cell.cell_type == "code":
                cell.update({"execution_count": None, "outputs": []})
            return MetadataValidator().upgrade_cell_metadata(NotebookNode(cell))

    class GradedExecute(Execute):
        """nbgrader's Execute, with the graded student and folder in the kernel's environment.

        The kernel starts with DFML_GRADED_STUDENT and DFML_GRADED_FOLDER set, so the hidden
        tests know whom they grade from the kernel's initial environment, which no code in
        the notebook can change (unlike os.environ or the working folder).
        """

        def preprocess(self, nb, resources, *args, **kwargs):
            variants = _variants()
            folder = resources.get("metadata", {}).get("path") or "."
            settings = {
                variants.GRADED_ENV: resources["nbgrader"]["student"],
                variants.GRADED_FOLDER_ENV: str(Path(folder).resolve()),
            }
            saved = {name: os.environ.get(name) for name in settings}
            os.environ.update(settings)
            try:
                return super().preprocess(nb, resources, *args, **kwargs)
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value

    class FlagIdentityMismatch(NbGraderPreprocessor):
        """After autograding: say in the gradebook when a notebook was worked as someone else.

        Reads the identity record the submission carries (variants.RECORD_FILE) and, when it
        names another student than the one graded, writes the plain warning as the automatic
        comment of every answer cell (shown in the formgrader and in the feedback) and logs it.
        """

        def preprocess(self, nb, resources):
            variants = _variants()
            info = resources["nbgrader"]
            folder = resources.get("metadata", {}).get("path") or "."
            entries = variants.read_record(folder, info["assignment"])
            note = variants.identity_note(entries, info["student"])
            if note is None:
                return nb, resources
            self.log.warning("%s/%s: %s", info["student"], info["assignment"], note)
            with Gradebook(info["db_url"]) as gradebook:
                for cell in nb.cells:
                    if not utils.is_solution(cell):
                        continue
                    comment = gradebook.find_comment(
                        cell.metadata["nbgrader"]["grade_id"],
                        info["notebook"],
                        info["assignment"],
                        info["student"],
                    )
                    old = comment.auto_comment
                    comment.auto_comment = note if not old else f"{note}\n\n{old}"
                gradebook.db.commit()
            return nb, resources

    class StripHiddenTests(NbGraderPreprocessor):
        """For feedback: show test cells without their hidden tests.

        The graded notebook holds the hidden tests (nbgrader restored them to grade), and its
        HTML would show them. This removes each BEGIN/END HIDDEN TESTS region from the shown
        source, and shortens an error in such a cell to its last line, since a traceback
        quotes the code around the failing line. The hidden tests' printed messages stay.
        """

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code" or HIDDEN_BEGIN not in cell.source:
                return cell, resources
            try:
                kept, _ = split_hidden(cell.source)
            except ValueError:
                kept = cell.source.split(HIDDEN_BEGIN)[0].rsplit("\n", 1)[0]
            cell.source = kept.rstrip("\n") + "\n" + HIDDEN_NOTE
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    last = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                    output["traceback"] = [_ANSI.sub("", last)]
            return cell, resources

    return {
        "GradedExecute": GradedExecute,
        "RestoreCells": RestoreCells,
        "FlagIdentityMismatch": FlagIdentityMismatch,
        "StripHiddenTests": StripHiddenTests,
    }


_BUILT: dict[str, type] = {}


def __getattr__(name: str) -> Any:
    if name in ("GradedExecute", "RestoreCells", "FlagIdentityMismatch", "StripHiddenTests"):
        if not _BUILT:
            _BUILT.update(_build_preprocessors())
        return _BUILT[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def configure(c: Any) -> None:
    """Put the course's preprocessors into an nbgrader config object `c`.

    Autograde: `RestoreCells` replaces OverwriteCells, and `FlagIdentityMismatch` runs after
    the grades are saved. GenerateFeedback: `StripHiddenTests` runs before the HTML export.
    Stderr lines that are only warnings are not held against a test cell (IgnorePattern).
    """
    from nbgrader.converters import Autograde, GenerateFeedback
    from nbgrader.preprocessors import Execute, GetGrades, OverwriteCells

    module = sys.modules[__name__]

    def default(cls: type, name: str) -> list:
        return list(cls.class_traits()[name].default())

    sanitize = default(Autograde, "sanitize_preprocessors")
    c.Autograde.sanitize_preprocessors = [
        module.RestoreCells if pp is OverwriteCells else pp for pp in sanitize
    ]
    c.Autograde.autograde_preprocessors = [
        *(
            module.GradedExecute if pp is Execute else pp
            for pp in default(Autograde, "autograde_preprocessors")
        ),
        module.FlagIdentityMismatch,
    ]
    feedback = default(GenerateFeedback, "preprocessors")
    at = feedback.index(GetGrades) + 1
    c.GenerateFeedback.preprocessors = [*feedback[:at], module.StripHiddenTests, *feedback[at:]]
    c.IgnorePattern.pattern = r"^(\S+:\d+: )?\w*Warning: "
