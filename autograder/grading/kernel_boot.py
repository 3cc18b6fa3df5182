"""Entry point of a sandboxed grading kernel: preload the course's modules, then run ipykernel.

Run as ``python -m autograder.grading.kernel_boot -f CONNECTION_FILE [ipykernel options]``.
The modules named in ``AUTOGRADER_PRELOAD`` (comma-separated) are imported into
``sys.modules`` only, so the student's namespace is exactly that of a fresh kernel and a
missing ``import`` still fails as it would under plain nbgrader; the import cost is paid
while the kernel waits in the pool, not while a student's notebook runs.
"""

from __future__ import annotations

import importlib
import os
import sys

_PRIVATE = ("AUTOGRADER_PRELOAD", "JPY_PARENT_PID")


def preload(names: str) -> list[str]:
    """Import each module in the comma-separated ``names``; return those that failed."""
    failed = []
    for name in filter(None, (n.strip() for n in names.split(","))):
        try:
            importlib.import_module(name)
        except Exception:  # a broken course module must not stop the kernel
            failed.append(name)
    return failed


def main() -> None:
    """Preload, scrub the grader's private variables, start the kernel (never returns)."""
    names = os.environ.get("AUTOGRADER_PRELOAD", "")
    for key in _PRIVATE:
        os.environ.pop(key, None)
    # like ipykernel_launcher: keep the working directory (the student's files) off sys.path
    # while loading; IPython puts it back for the student's code
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    preload(names)
    from ipykernel import kernelapp

    sys.argv[0] = "ipykernel_launcher"
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
