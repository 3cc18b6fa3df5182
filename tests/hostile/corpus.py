"""Hostile and broken submissions of the demo assignment, each with its expected outcome.

Every action is bounded so the suite stays safe and quick: process spawning stops at 200,
the disk fill at 200 MB (the file-size limit in the tests is lower), the only network
target is 127.0.0.1 (a port the test listens on), and infinite loops rely on the limits.

``status`` and ``flags`` refer to :mod:`autograder.grading.outcomes`; ``scores`` gives the
expected points of some grade cells (``q1_test`` out of 2, ``q2_test`` out of 3).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from .course import RIGHT_Q1, RIGHT_Q2, released, set_solution

Built = NotebookNode | str | bytes


@dataclass
class Case:
    """One hostile submission and what grading it must end in."""

    student: str
    what: str
    build: Callable[[Path, dict], Built]
    status: str = "graded"
    flags: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    #: extra submitted files: name -> text, or ("link", target) for a symbolic link
    files: Callable[[Path, dict], dict[str, object]] | None = None


def _answers(root: Path, q1: str = RIGHT_Q1, q2: str = RIGHT_Q2) -> NotebookNode:
    nb = released(root)
    set_solution(nb, "q1_answer", q1)
    set_solution(nb, "q2_answer", q2)
    return nb


def _index(nb: NotebookNode, grade_id: str) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(grade_id)


def infinite_loop(root: Path, ctx: dict) -> Built:
    """An answer cell that never ends (interrupted by the per-cell limit)."""
    return _answers(root, q1="while True:\n    pass\nanswer = 6")


def swallow_interrupt(root: Path, ctx: dict) -> Built:
    """A loop that catches KeyboardInterrupt: only killing the kernel stops it."""
    code = ("while True:\n    try:\n        while True:\n            pass\n"
            "    except KeyboardInterrupt:\n        pass")
    return _answers(root, q1=code)


def memory_hog(root: Path, ctx: dict) -> Built:
    """Allocates 16 GB at once."""
    return _answers(root, q1="big = bytearray(16 * 1024 ** 3)\nanswer = 6")


def many_processes(root: Path, ctx: dict) -> Built:
    """Starts up to 200 processes (the process limit stops it)."""
    code = ("answer = 6\nimport subprocess\nprocs = []\nfor _ in range(200):  # bounded\n"
            "    procs.append(subprocess.Popen(['sleep', '120']))")
    return _answers(root, q1=code)


def os_exit(root: Path, ctx: dict) -> Built:
    """Exits the kernel process."""
    return _answers(root, q1="import os\nos._exit(3)")


def sys_exit(root: Path, ctx: dict) -> Built:
    """Raises SystemExit (IPython catches it; the kernel lives)."""
    return _answers(root, q1="import sys\nanswer = 6\nsys.exit(1)")


def print_flood(root: Path, ctx: dict) -> Built:
    """Prints two million long lines."""
    return _answers(root, q1="answer = 6\nfor i in range(2_000_000):\n    print(i, 'x' * 60)")


def bad_json(root: Path, ctx: dict) -> Built:
    """Half a notebook: not JSON."""
    text = nbformat.writes(_answers(root))
    return text[: len(text) // 2]


def wrong_nbformat(root: Path, ctx: dict) -> Built:
    """A notebook claiming nbformat 5."""
    data = json.loads(nbformat.writes(_answers(root)))
    data["nbformat"] = 5
    return json.dumps(data)


def deleted_test(root: Path, ctx: dict) -> Built:
    """Wrong answer, and the test cell deleted."""
    nb = _answers(root, q1="answer = 7")
    del nb.cells[_index(nb, "q1_test")]
    return nb


def duplicated_test(root: Path, ctx: dict) -> Built:
    """Wrong answer, and a second copy of the test cell (same grade id) that passes."""
    nb = _answers(root, q1="answer = 7")
    i = _index(nb, "q1_test")
    dup = copy.deepcopy(nb.cells[i])
    dup.source = "pass"
    dup.id = f"{dup.get('id', 'cell')}-copy"  # same grade id; a distinct cell id
    nb.cells.insert(i + 1, dup)
    return nb


def edited_test(root: Path, ctx: dict) -> Built:
    """Wrong answer, and the locked test cell edited to pass."""
    nb = _answers(root, q1="answer = 7")
    nb.cells[_index(nb, "q1_test")].source = "assert True"
    return nb


def redefine_checks(root: Path, ctx: dict) -> Built:
    """Replaces the check in memory and on disk, and answers wrongly."""
    code = ("import demochecks\ndemochecks.check_slope = lambda f: 3\n"
            "def check_slope(f):\n    return 3\n"
            "try:\n    with open('demochecks.py', 'w') as fh:\n"
            "        fh.write('def check_slope(f):\\n    return 3\\n')\n"
            "except OSError as exc:\n    print('cannot rewrite the checks:', exc)\n"
            "def slope(f, x, h=1e-6):\n    return 0.0")
    return _answers(root, q2=code)


def fake_answer(root: Path, ctx: dict) -> Built:
    """An answer object equal to everything."""
    code = ("class Sneaky(float):\n    def __eq__(self, other):\n        return True\n"
            "    def __sub__(self, other):\n        return 0.0\n"
            "    def __abs__(self):\n        return 0.0\n    __hash__ = float.__hash__\n"
            "answer = Sneaky(1.0)")
    return _answers(root, q1=code)


def read_secrets(root: Path, ctx: dict) -> Built:
    """Tries to read the solutions, the gradebook, other folders and the environment."""
    course = str(ctx["course"])
    code = f"""\
import os
targets = ['../../source/demo/demo.ipynb', '../../gradebook.db', '../../../gradebook.db',
           {course!r} + '/source/demo/demo.ipynb', {course!r} + '/gradebook.db',
           {course!r} + '/submitted', {course!r} + '/autograded', '/root', '/etc/shadow',
           '/proc/1/environ']
for t in targets:
    try:
        if os.path.isdir(t):
            print(t, 'LISTED', os.listdir(t)[:20])
        else:
            with open(t, 'rb') as fh:
                print(t, 'READ', fh.read(300))
    except Exception as exc:
        print(t, 'blocked:', type(exc).__name__)
print(sorted(os.environ))
for dirpath, dirnames, filenames in os.walk('/'):
    if dirpath.startswith(('/proc', '/sys', '/usr', '/dev', '/root/.pyenv')) or '.venv' in dirpath:
        dirnames[:] = []
        continue
    for name in filenames:
        if name.endswith(('.db', '.ipynb')):
            print('FOUND', os.path.join(dirpath, name))
answer = 6
"""
    return _answers(root, q1=code)


def write_gradebook(root: Path, ctx: dict) -> Built:
    """Tries to rewrite the gradebook and to write files outside its copy."""
    course = str(ctx["course"])
    code = f"""\
import sqlite3
for db in ['../../gradebook.db', {course!r} + '/gradebook.db']:
    try:
        con = sqlite3.connect(db)
        con.execute('UPDATE grade SET auto_score = 100')
        con.commit()
        print(db, 'WRITTEN')
    except Exception as exc:
        print(db, 'blocked:', type(exc).__name__)
for path in [{course!r} + '/source/demo/pwned.txt', '../../pwned.txt', '/tmp/../pwned.txt',
             '/usr/pwned.txt']:
    try:
        with open(path, 'w') as fh:
            fh.write('pwned')
        print(path, 'WRITTEN')
    except Exception as exc:
        print(path, 'blocked:', type(exc).__name__)
answer = 6
"""
    return _answers(root, q1=code)


def network(root: Path, ctx: dict) -> Built:
    """Tries to connect to the test's listener on 127.0.0.1."""
    port = int(ctx["port"])
    code = f"""\
import socket
try:
    s = socket.create_connection(('127.0.0.1', {port}), timeout=2)
    s.sendall(b'LEAK')
    print('CONNECTED')
except OSError as exc:
    print('blocked:', type(exc).__name__)
answer = 6
"""
    return _answers(root, q1=code)


def disk_fill(root: Path, ctx: dict) -> Built:
    """Writes up to 200 MB to its folder and to /tmp."""
    code = """\
answer = 6
chunk = b'x' * (1024 * 1024)
for target in ['filler.bin', '/tmp/filler.bin']:
    written = 0
    try:
        with open(target, 'wb') as fh:
            for _ in range(200):  # bounded: 200 MB at most
                fh.write(chunk)
                fh.flush()
                written += 1
    except OSError as exc:
        print(target, 'stopped after', written, 'MB:', type(exc).__name__)
"""
    return _answers(root, q1=code)


def other_identity(root: Path, ctx: dict) -> Built:
    """A right notebook, but its identity record names another student."""
    return _answers(root)


def worked_as_someone_else(root: Path, ctx: dict) -> dict[str, object]:
    """The identity record of a notebook worked as another student."""
    record = {"demo": [{"student": "someone_else", "source": "jupyterhub", "variant": "abc123",
                        "first_seen": "2030-01-01T09:00:00+00:00",
                        "last_seen": "2030-01-01T09:30:00+00:00"}]}
    return {".worked_by.json": json.dumps(record)}


def follow_links(root: Path, ctx: dict) -> Built:
    """Reads the submitted links (they must not be there)."""
    code = """\
import os
for name in ['leak.ipynb', 'grades.db', 'fifo']:
    try:
        with open(name, 'rb') as fh:
            print(name, 'READ', fh.read(200))
    except Exception as exc:
        print(name, 'blocked:', type(exc).__name__)
answer = 6
"""
    return _answers(root, q1=code)


def links_to_secrets(root: Path, ctx: dict) -> dict[str, object]:
    """Symbolic links to the solutions and the gradebook, and a FIFO."""
    course = Path(ctx["course"])
    return {"leak.ipynb": ("link", str(course / "source" / "demo" / "demo.ipynb")),
            "grades.db": ("link", str(course / "gradebook.db")),
            "fifo": ("fifo", "")}


def shadow_module(root: Path, ctx: dict) -> Built:
    """Imports autograder, hoping to get its own copy."""
    code = """\
import os, sys
sys.modules.pop('autograder', None)
import autograder
print('autograder from', autograder.__file__, sorted(os.listdir('.')))
answer = 6
"""
    return _answers(root, q1=code)


def shadowing_files(root: Path, ctx: dict) -> dict[str, object]:
    """Files named like the graders' modules."""
    return {"autograder.py": "raise SystemExit('a fake autograder')\n",
            "calc_helpers/__init__.py": "FAKE = True\n"}


CASES = [
    Case("x_infinite_loop", "infinite loop", infinite_loop, flags=("cell_timeout",),
         scores={"q1_test": 0, "q2_test": 3}),
    Case("x_swallow_interrupt", "loop swallowing KeyboardInterrupt", swallow_interrupt,
         status="timeout", scores={"q1_test": 0, "q2_test": 0}),
    Case("x_memory", "allocates 16 GB", memory_hog, status="memory", flags=("memory_error",),
         scores={"q1_test": 0, "q2_test": 3}),
    Case("x_processes", "spawns 200 processes", many_processes, flags=("processes_limited",),
         scores={"q1_test": 2, "q2_test": 3}),
    Case("x_os_exit", "os._exit", os_exit, status="kernel_died",
         scores={"q1_test": 0, "q2_test": 0}),
    Case("x_sys_exit", "sys.exit", sys_exit, scores={"q1_test": 2, "q2_test": 3}),
    Case("x_print_flood", "prints two million lines", print_flood, flags=("output_limited",),
         scores={"q1_test": 2}),
    Case("x_bad_json", "malformed JSON", bad_json, status="malformed",
         scores={"q1_test": 0, "q2_test": 0}),
    Case("x_wrong_nbformat", "nbformat 5", wrong_nbformat, status="malformed",
         scores={"q1_test": 0, "q2_test": 0}),
    Case("x_deleted_test", "deleted test cell", deleted_test, flags=("missing_cells_restored",),
         scores={"q1_test": 0, "q2_test": 3}),
    Case("x_duplicated_test", "duplicated test cell", duplicated_test,
         flags=("duplicate_cells_removed",), scores={"q1_test": 0, "q2_test": 3}),
    Case("x_edited_test", "edited locked test cell", edited_test,
         flags=("tampered_cells_restored",), scores={"q1_test": 0, "q2_test": 3}),
    Case("x_redefine_checks", "redefines the checks", redefine_checks,
         scores={"q1_test": 2, "q2_test": 0}),
    Case("x_fake_answer", "answer object overriding __eq__/__sub__", fake_answer,
         scores={"q1_test": 0, "q2_test": 3}),
    Case("x_read_secrets", "reads solutions and the gradebook", read_secrets,
         scores={"q1_test": 2, "q2_test": 3}),
    Case("x_write_gradebook", "writes the gradebook", write_gradebook,
         scores={"q1_test": 2, "q2_test": 3}),
    Case("x_network", "connects to 127.0.0.1", network, scores={"q1_test": 2, "q2_test": 3}),
    Case("x_disk_fill", "fills the disk (200 MB, bounded)", disk_fill,
         scores={"q1_test": 2, "q2_test": 3}),
    Case("x_other_identity", "worked as another student", other_identity,
         status="variant_mismatch", scores={"q1_test": 2, "q2_test": 3},
         files=worked_as_someone_else),
    Case("x_symlinks", "submits links to the solutions and a FIFO", follow_links,
         flags=("unsafe_files_removed",), scores={"q1_test": 2, "q2_test": 3},
         files=links_to_secrets),
    Case("x_shadow_module", "submits its own autograder and calc_helpers", shadow_module,
         flags=("unsafe_files_removed",), scores={"q1_test": 2, "q2_test": 3},
         files=shadowing_files),
]
