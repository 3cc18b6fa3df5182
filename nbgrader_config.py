"""nbgrader configuration for "Derivatives for Machine Learning".

The repository root is the nbgrader course directory: `source/` holds the instructor's
assignments, `release/` what students get (committed), and `submitted/`, `autograded/` and
`feedback/` are made by grading (git-ignored). Run every `nbgrader` command from this folder.

Environment variables (all optional):
  DFML_EXCHANGE_ROOT  the exchange folder; defaults to `exchange/` here, which works on one
                      machine. On a multi-user server point it at a folder every user can
                      reach, e.g. /srv/nbgrader/exchange.
  DFML_CELL_TIMEOUT   seconds a single cell may run while grading (default 60).
"""

import importlib.util
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

HERE = Path(__file__).resolve().parent

# nbgrader runs the `alembic` command (installed beside it) to create the gradebook: make the
# environment nbgrader runs from findable even when it is not activated (.venv/bin/nbgrader).
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join(filter(None, [_bin, os.environ.get("PATH")]))

# --- The course and its folders -------------------------------------------------------------
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "derivatives-for-ml"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = f"sqlite:///{HERE / 'gradebook.db'}"

# --- The exchange: a project-local folder unless the environment says otherwise -------------
c.Exchange.root = os.environ.get("DFML_EXCHANGE_ROOT") or str(HERE / "exchange")

# --- Grading ---------------------------------------------------------------------------------
# A cell that runs longer than this is interrupted (and scores 0).
c.Execute.timeout = int(os.environ.get("DFML_CELL_TIMEOUT", "60"))
# A test cell a student deleted is put back before grading, so deleting it gains nothing.
c.OverwriteCells.add_missing_cells = True
# Each assignment is a single notebook: code files a student puts beside it are not collected
# or graded, so they cannot stand in for the course's modules (sympy.py, autograder/...). An
# assignment that ships a helper module needs "*.py" taken out of this list.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "*.py",
    "*.so",
    "*.pth",
]


def _support_module():
    """autograder/nbgrader_support.py, loaded by path: no SymPy start-up on every nbgrader call."""
    name = "dfml_nbgrader_support"
    if name in sys.modules:
        return sys.modules[name]
    path = HERE / "autograder" / "nbgrader_support.py"
    if not path.exists():  # a course folder elsewhere: use the installed package's copy
        spec = importlib.util.find_spec("autograder")
        path = Path(next(iter(spec.submodule_search_locations))) / "nbgrader_support.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# The course's own preprocessors (autograder/nbgrader_support.py):
# - Autograde: RestoreCells replaces OverwriteCells (also puts back deleted answer and read-only
#   cells), FlagIdentityMismatch comments in the gradebook when a notebook was worked as
#   another student, and warnings on stderr are not held against a test cell (IgnorePattern).
# - GenerateFeedback: StripHiddenTests removes the hidden tests from the feedback HTML.
_support_module().configure(c)
