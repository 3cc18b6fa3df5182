"""``python -m autograder grade ASSIGNMENT`` / ``python -m autograder report ASSIGNMENT``.

See :mod:`autograder.grading` and ``docs/grading.md``.
"""

from autograder.grading.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
