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


# The course's preprocessors (autograder/nbgrader_support.py), which make grades trustworthy:
# answers are taken out of the kernel as data after each test cell and judged in this
# process (which runs no student code), never read from what the notebook printed; a test
# that did not run earns nothing; deleted cells are put back; collect never follows links;
# feedback carries no hidden tests. See docs/grading-integrity.md.
from autograder.nbgrader_support import configure  # noqa: E402

configure(c, course_root=str(HERE))
