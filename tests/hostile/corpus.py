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

from autograder.identity import variant_code

from .course import FORWARD_Q2, RIGHT_Q1, RIGHT_Q2, released, set_solution

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
    #: also graded by plain ``nbgrader autograde`` (attacks on the grade, not on the machine)
    plain: bool = False
    #: words the outcome's detail must contain
    detail: str = ""


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


#: What the wrong answers of the forgery cases earn untampered: q1 wrong (0 of 2), q2 by
#: forward differences (1 of 3: only the slope of the linear function is exact).
UNTAMPERED = {"q1_test": 0, "q2_test": 1}


def _wrong(root: Path, tamper: str) -> NotebookNode:
    """Wrong answers, with ``tamper`` run in the first answer cell."""
    return _answers(root, q1=f"{tamper}\nanswer = 9", q2=FORWARD_Q2)


def silenced(root: Path, ctx: dict) -> Built:
    """No cell shows its result any more (a silent test cell used to count as passed)."""
    return _wrong(root, "get_ipython().ast_node_interactivity = 'none'")


def forged_formatter(root: Path, ctx: dict) -> Built:
    """Numbers are displayed as words (an unparsable partial credit used to be full marks)."""
    return _wrong(root, "fmt = get_ipython().display_formatter.formatters['text/plain']\n"
                        "fmt.for_type(float, lambda o, p, c: p.text('full marks'))\n"
                        "fmt.for_type(int, lambda o, p, c: p.text('full marks'))")


def early_result(root: Path, ctx: dict) -> Built:
    """Each cell first emits an execute_result of its own, claiming full points."""
    code = (
        "ip = get_ipython()\n"
        "def _claim(*args):\n"
        "    kernel = ip.kernel\n"
        "    content = {'data': {'text/plain': '3'}, 'metadata': {}, 'execution_count': 1}\n"
        "    kernel.session.send(kernel.iopub_socket, 'execute_result', content,\n"
        "                        parent=kernel.get_parent('shell'))\n"
        "ip.events.register('pre_run_cell', _claim)"
    )
    return _wrong(root, code)


def cleared_outputs(root: Path, ctx: dict) -> Built:
    """Every cell's outputs are cleared after it runs (an empty test cell = full marks)."""
    return _wrong(root, "from IPython.display import clear_output\n"
                        "get_ipython().events.register('post_run_cell', "
                        "lambda result: clear_output())")


def patched_libraries(root: Path, ctx: dict) -> Built:
    """NumPy, SymPy and builtins patched so that every comparison passes."""
    return _wrong(root, "import builtins, numpy, sympy\n"
                        "numpy.isclose = lambda *a, **k: True\n"
                        "numpy.allclose = lambda *a, **k: True\n"
                        "sympy.simplify = lambda *a, **k: 0\n"
                        "sympy.Basic.equals = lambda *a, **k: True\n"
                        "builtins.abs = lambda x: 0")


_FAKE = (
    "import importlib.abc, importlib.util, sys, types\n"
    "FAKE = (\"def check_slopes(slopes):\\n    print('3 of 3 slopes right')\\n    return 3\\n\"\n"
    "        \"def judge_answer(*args, **kwargs):\\n\"\n"
    "        \"    return {'score': 1.0, 'message': 'forged', 'tags': []}\\n\")\n"
)
_FAKED = "('demochecks', 'autograder', 'calc_helpers', 'demojudge')"


def meta_path_module(root: Path, ctx: dict) -> Built:
    """A sys.meta_path finder serving fake checks to every later import."""
    code = _FAKE + (
        "class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {_FAKED}:\n"
        "            return importlib.util.spec_from_loader(name, self)\n"
        "        return None\n"
        "    def create_module(self, spec):\n"
        "        return None\n"
        "    def exec_module(self, module):\n"
        "        exec(FAKE, module.__dict__)\n"
        f"for name in [m for m in sys.modules if m.split('.')[0] in {_FAKED}]:\n"
        "    del sys.modules[name]\n"
        "sys.meta_path.insert(0, Finder())"
    )
    return _wrong(root, code)


def import_hook(root: Path, ctx: dict) -> Built:
    """builtins.__import__ wrapped to hand out fake checks."""
    code = _FAKE + (
        "import builtins\n"
        "_real = builtins.__import__\n"
        "def _fake(name, *args, **kwargs):\n"
        f"    if name.split('.')[0] in {_FAKED}:\n"
        "        module = types.ModuleType(name)\n"
        "        exec(FAKE, module.__dict__)\n"
        "        return module\n"
        "    return _real(name, *args, **kwargs)\n"
        "builtins.__import__ = _fake"
    )
    return _wrong(root, code)


def identity_from_env(root: Path, ctx: dict) -> Built:
    """Claims to be another student through the environment."""
    return _wrong(root, "import os\nos.environ['DFML_GRADED_STUDENT'] = 'h_right'\n"
                        "os.environ['NBGRADER_STUDENT'] = 'h_right'\n"
                        "os.environ['DFML_STUDENT_ID'] = 'h_right'")


def forged_record(root: Path, ctx: dict) -> Built:
    """Writes an identity record naming whoever it likes."""
    code = ("import json\nopen('.worked_by.json', 'w').write(json.dumps({'demo': "
            "[{'student': 'h_right', 'source': 'nbgrader'}]}))")
    return _wrong(root, code)


def fifo_traps(root: Path, ctx: dict) -> Built:
    """FIFOs where the grader used to read files (identity record, check log)."""
    code = ("import os\nfor name in ['.worked_by.json', os.environ.get('AUTOGRADER_LOG') or "
            "'autograder.jsonl', '/tmp/autograder.jsonl']:\n"
            "    try:\n        os.mkfifo(name)\n    except OSError as exc:\n"
            "        print('no fifo:', type(exc).__name__)")
    return _wrong(root, code)


def forged_extraction(root: Path, ctx: dict) -> Built:
    """Makes the answer extraction print whatever it likes: no more than typing it."""
    code = ("import builtins\n_print = builtins.print\n"
            "builtins.print = lambda *a, **k: _print("
            "'DFML-ANSWER:{\"answer\": 6, \"record\": null}')")
    return _wrong(root, code)


def many_children(root: Path, ctx: dict) -> Built:
    """Four processes of 150 MB each: each under the per-process limit, not together."""
    code = (
        "import subprocess, sys\n"
        "hog = 'b = bytearray(150 * 1024 * 1024)\\nimport time\\ntime.sleep(30)'\n"
        "procs = [subprocess.Popen([sys.executable, '-c', hog]) for _ in range(4)]\n"
        "for p in procs:\n"
        "    p.wait()"
    )
    return _wrong(root, code)


def sparse_files(root: Path, ctx: dict) -> Built:
    """Forty sparse files of 30 MB each (1.2 GB in all), each under the file-size limit."""
    code = (
        "import time\n"
        "for i in range(40):\n"
        "    with open(f'sparse{i}.bin', 'wb') as fh:\n"
        "        fh.truncate(30 * 1024 * 1024)\n"
        "time.sleep(20)"
    )
    return _wrong(root, code)


def metadata_flood(root: Path, ctx: dict) -> Built:
    """Display outputs carrying megabytes of metadata (past the output cap)."""
    code = ("from IPython.display import display\nfor _ in range(6):\n"
            "    display({'text/plain': 'x'}, raw=True, metadata={'junk': 'm' * 2_000_000})")
    return _wrong(root, code)


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
    """Prints 300,000 long lines (about 20 MB, far past the 1 MB cap of the tests).

    Bounded so that the kernel's own output buffers stay well inside its memory limit on a
    busy machine (two million lines made it run out of memory there, a different outcome).
    """
    return _answers(root, q1="answer = 6\nfor i in range(300_000):\n    print(i, 'x' * 60)")


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


def poison_bytecode(root: Path, ctx: dict) -> Built:
    """Tries to plant byte code in the course packages' ``__pycache__`` (which the grader
    compiles and every later kernel loads)."""
    code = """\
import importlib.util, sys
for name in ['autograder', 'autograder.judging.extraction', 'calc_helpers']:
    module = __import__(name, fromlist=['_'])
    target = importlib.util.cache_from_source(module.__file__)
    try:
        with open(target, 'wb') as fh:
            fh.write(b'POISONED-PYC-9d2e')
        print(target, 'WRITTEN')
    except Exception as exc:
        print(target, 'blocked:', type(exc).__name__)
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


FORGERIES = [
    Case("x_silenced", "silences every result", silenced, scores=UNTAMPERED, plain=True),
    Case("x_formatter", "formats numbers as words", forged_formatter, scores=UNTAMPERED,
         plain=True),
    Case("x_early_result", "emits a result before the test's", early_result,
         scores=UNTAMPERED, plain=True),
    Case("x_cleared", "clears outputs after each cell", cleared_outputs, scores=UNTAMPERED,
         plain=True),
    Case("x_patched_libs", "patches numpy, sympy and builtins", patched_libraries,
         scores=UNTAMPERED, plain=True),
    Case("x_meta_path", "fake modules through sys.meta_path", meta_path_module,
         scores=UNTAMPERED, plain=True),
    Case("x_import_hook", "fake modules through builtins.__import__", import_hook,
         scores=UNTAMPERED, plain=True),
    Case("x_identity_env", "claims another identity in os.environ", identity_from_env,
         scores=UNTAMPERED, plain=True),
    Case("x_forged_record", "forges its identity record", forged_record, scores=UNTAMPERED,
         plain=True),
    Case("x_fifo_traps", "FIFOs where the grader used to read", fifo_traps,
         scores=UNTAMPERED, plain=True),
    # forging the extracted data is typing an answer: 6 for q1 (right), 6 for q2 (not a list)
    Case("x_forged_extraction", "forges the extracted data", forged_extraction,
         scores={"q1_test": 2, "q2_test": 0}, plain=True),
]

RESOURCE_ATTACKS = [
    Case("x_many_children", "four children of 150 MB", many_children, status="memory",
         flags=("memory_error",), scores={"q1_test": 0, "q2_test": 0}),
    Case("x_sparse_files", "1.2 GB of sparse files", sparse_files, status="kernel_died",
         flags=("disk_limited",), scores={"q1_test": 0, "q2_test": 0}),
    Case("x_metadata_flood", "12 MB of display metadata", metadata_flood,
         flags=("output_limited",), scores=UNTAMPERED),
]

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
    Case("x_print_flood", "prints 300,000 lines", print_flood, flags=("output_limited",),
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
    Case("x_poison_bytecode", "plants byte code in the course's packages", poison_bytecode,
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
CASES += FORGERIES + RESOURCE_ATTACKS


# ---------------------------------------------------------------------------------------------
# Identity records against ``grade --variant-from-worked-by`` (the variant course of
# ``course.make_course(..., variants=True)``). The instructor's decision grades a notebook
# against the variant of the identity its .worked_by.json names; that file is the student's,
# so every forged, garbled or ambiguous record must refuse: an ``error`` outcome whose detail
# says why, the earlier grades untouched. Each notebook is an honest self-study one (its q1
# is right for 'self-study' only), so a record that was believed would earn full marks.
# ---------------------------------------------------------------------------------------------


def entry(student: str, source: str = "jupyterhub", variant: str | None = None) -> dict:
    """One entry of a record, as the setup cell writes it (the variant code is computed)."""
    return {"student": student, "source": source,
            "variant": variant if variant is not None else variant_code("demo", student),
            "first_seen": "2030-01-01T09:00:00+00:00", "last_seen": "2030-01-01T09:30:00+00:00"}


SELF_STUDY = entry("self-study", "default")


def _record(*entries: dict) -> Callable[[Path, dict], dict[str, object]]:
    return lambda root, ctx: {".worked_by.json": json.dumps({"demo": list(entries)})}


def self_study_work(root: Path, ctx: dict) -> Built:
    """Right answers for the self-study variant (q1 = 6), worked before logging in."""
    return _answers(root)


def _raw(text: str) -> Callable[[Path, dict], dict[str, object]]:
    return lambda root, ctx: {".worked_by.json": text}


def _huge(root: Path, ctx: dict) -> dict[str, object]:
    return {".worked_by.json": json.dumps({"demo": [SELF_STUDY], "pad": "x" * 70_000})}


#: A record where one key appears twice: JSON readers disagree on which one counts.
_TWO_KEYS = '{"demo": [' + json.dumps(SELF_STUDY)[:-1] + ', "student": "w_twice"}]}'

WORKED_BY_ATTACKS = [
    Case("w_no_record", "no record submitted", self_study_work, status="error",
         detail="no .worked_by.json"),
    Case("w_garbled", "a garbled record", self_study_work, status="error",
         detail="is not JSON", files=_raw('{"demo": [{"student": "self-study", ')),
    Case("w_two_names", "worked under two identities", self_study_work, status="error",
         detail="cannot be told", files=_record(SELF_STUDY, entry("w_two_names"))),
    Case("w_path_name", "an identity that is a path", self_study_work, status="error",
         detail="not a plain id", files=_record(entry("../../source/demo"))),
    Case("w_newline_name", "an identity with a newline", self_study_work, status="error",
         detail="not a plain id", files=_record(entry("self-study\n"))),
    Case("w_not_string", "an identity that is a list", self_study_work, status="error",
         detail="not a plain id",
         files=_raw(json.dumps({"demo": [dict(SELF_STUDY, student=["self-study"])]}))),
    Case("w_classmate", "names a classmate (copied answers)", self_study_work,
         status="error", detail="another student", files=_record(entry("v_honest"))),
    Case("w_forged_variant", "a variant code that is not the identity's", self_study_work,
         status="error", detail="variant code", files=_record(entry("self-study", "default",
                                                                   "abc123"))),
    Case("w_claims_grader", "claims nbgrader wrote it", self_study_work, status="error",
         detail="impossible source", files=_record(entry("self-study", "nbgrader"))),
    Case("w_duplicate_key", "a key given twice", self_study_work, status="error",
         detail="repeats a key", files=_raw(_TWO_KEYS)),
    Case("w_huge", "a record of 70 kB", self_study_work, status="error",
         detail="larger than", files=_huge),
    Case("w_link", "the record is a link", self_study_work, status="error",
         detail="no .worked_by.json", files=lambda root, ctx: {
             ".worked_by.json": ("link", str(Path(ctx["course"]) / "demojudge.py"))}),
    Case("w_kernel_writes", "the kernel writes a record while graded", forged_record,
         status="error", detail="no .worked_by.json"),
]
