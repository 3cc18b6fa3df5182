"""What an assignment notebook's setup cell calls, and the names it has always offered.

The committed notebooks in ``source/`` and ``release/`` start with::

    from autograder import variants
    ps = variants.setup("ps1_limits_and_derivatives")

`setup` finds who the notebook runs for, records it beside the notebook and returns that
student's variant. The work is done elsewhere, and this module re-exports it:

* `autograder.identity`: who is graded (the identity, its seed, the ``.worked_by.json``
  record) -- standard library only;
* `autograder.problem_sets`: the problem-set model and rendering (``model.py``) and one module
  of content per assignment, named after its ``source/`` folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from autograder.identity import (
    COURSE_ID,
    DEFAULT_STUDENT,
    GRADED_ENV,
    GRADED_FOLDER_ENV,
    RECORD_FILE,
    SOURCES,
    STUDENT_ENV,
    Identity,
    current_identity,
    grading_folder,
    identity_note,
    initial_environ,
    is_master_copy,
    read_record,
    record_identity,
    record_status,
    student_from_autograde_folder,
    variant_code,
    variant_seed,
)
from autograder.problem_sets import (
    ASSIGNMENTS,
    Part,
    ProblemSet,
    Question,
    check_question,
    problem_set,
)

__all__ = [
    "ASSIGNMENTS",
    "COURSE_ID",
    "DEFAULT_STUDENT",
    "GRADED_ENV",
    "GRADED_FOLDER_ENV",
    "RECORD_FILE",
    "SOURCES",
    "STUDENT_ENV",
    "Identity",
    "Part",
    "ProblemSet",
    "Question",
    "check_question",
    "current_identity",
    "grading_folder",
    "identity_note",
    "initial_environ",
    "is_master_copy",
    "problem_set",
    "read_record",
    "record_identity",
    "record_status",
    "setup",
    "student_from_autograde_folder",
    "variant_code",
    "variant_seed",
]


def setup(assignment: str, folder: str | os.PathLike | None = None) -> ProblemSet:
    """Start an assignment notebook: find the identity, record it, return the variant.

    Prints which variant this is and for whom. While nbgrader grades, nothing is written: the
    record the student's notebook carries is compared with the graded student instead, and a
    mismatch is printed as a plain warning at the top of the graded notebook.
    """
    folder = Path.cwd() if folder is None else Path(folder)
    identity = current_identity(folder)
    problems = problem_set(assignment, identity.student)
    if identity.grading:
        where = grading_folder() if folder == Path.cwd() else folder
        print(f"Graded as student '{identity.student}' (variant {problems.code}).")
        print(record_status(where, assignment, identity.student))
        return problems
    earlier = read_record(folder, assignment) or []
    if not is_master_copy(folder):
        record_identity(folder, assignment, identity)
    print(f"Variant {problems.code} of {assignment}, for {identity.describe()}.")
    print("Your functions are shown at each question; they are the ones you are graded on.")
    others = [e["student"] for e in earlier if e["student"] != identity.student]
    if others:
        names = ", ".join(f"'{n}'" for n in dict.fromkeys(others))
        print(
            f"WARNING: this notebook was opened before as {names}. The functions have changed "
            f"to those of '{identity.student}'; answers written for the earlier functions "
            "will be marked against these ones."
        )
    return problems
