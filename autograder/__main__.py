"""``python -m autograder grade ASSIGNMENT`` / ``python -m autograder report ASSIGNMENT``.

See :mod:`autograder.grading` and the README (For instructors: Grading a whole class).
"""

from autograder.grading.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
