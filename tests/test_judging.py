"""The judge's pieces, in-process: answers as data, decoding, specs, verdicts, fail-closed.

The end-to-end behaviour (real kernels, both graders, the hostile corpus) is in
tests/test_grading.py; these tests pin each piece's contract.
"""

from __future__ import annotations

import json
import math
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from nbformat.v4 import new_code_cell, new_notebook

from autograder.exchange import REFUSED_FILE, copy_submission
from autograder.grading.watchdog import disk_of
from autograder.judging import answer_data, spec
from autograder.judging.extraction import extraction_source
from autograder.judging.judge import FAILED, NOT_RUN, UNREADABLE, judge_notebook
from autograder.nbgrader_support import fail_closed

KERNEL_SIDE = (Path(answer_data.__file__).with_name("kernel_extract.py")).read_text()
x = sp.Symbol("x", real=True)


def extract(value, variable: str = "answer") -> str:
    """What the kernel-side extraction prints for ``value`` (run here, as in a kernel)."""
    import contextlib
    import io

    namespace: dict = {variable: value}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(extraction_source(variable), "<x>", "exec"), namespace)
    assert not [k for k in namespace if k.startswith("_dfml")]  # it tidies up after itself
    return out.getvalue()


def roundtrip(value):
    return answer_data.decode(answer_data.read_payload(extract(value))["answer"])


@pytest.mark.parametrize("value", [
    0, -7, 2**200, 1.5, "3x^2 - 6x", True, None, [1, 2.5, "a"], (1, 2), {"a": [1, (2, 3)]},
    {1, 2}, Fraction(5, 3), ...,
    x**3 - 3 * x**2 - 9 * x + 5, sp.Rational(5, 3), sp.sqrt(2) / 2, sp.exp(-x) * sp.sin(x),
    sp.Interval.Lopen(-1, sp.oo), sp.Union(sp.Interval(-sp.oo, -1), sp.Interval.open(3, 5)),
    sp.FiniteSet(-1, sp.Rational(5, 3)), sp.Matrix([[2, x], [x, 0]]), sp.Float("0.1"),
    sp.Piecewise((x, x > 0), (0, True)), sp.CRootOf(x**3 - x - 1, 0), sp.Abs(x - 1),
    sp.LambertW(sp.exp(-1)), sp.pi, sp.E, sp.S.EmptySet, sp.Max(x, 0), sp.floor(2 * x),
    sp.Tuple(1, 2), sp.S.true,
])
def test_plain_and_sympy_values_survive_extraction(value):
    got = roundtrip(value)
    if isinstance(value, sp.MatrixBase):
        assert got == value
    elif isinstance(value, sp.Basic):
        assert got == value and type(got) is type(value)
    else:
        assert got == value and type(got) is type(value)


def test_floats_and_arrays():
    assert math.isnan(roundtrip(float("nan"))) and roundtrip(float("-inf")) == float("-inf")
    assert (roundtrip(np.array([1.0, 2.0])) == np.array([1.0, 2.0])).all()
    assert roundtrip(np.float64(2.5)) == 2.5 and type(roundtrip(np.int64(3))) is int
    assert roundtrip(sp.Float("0.1", 30)) == sp.Float("0.1", 30)


def test_what_cannot_be_checked_stays_unreadable():
    class Sneaky(float):
        def __eq__(self, other):
            return True

    assert type(roundtrip(Sneaky(1.0))).__name__ == "Sneaky"
    assert isinstance(roundtrip(lambda: 3), answer_data.Opaque)
    assert isinstance(roundtrip(object()), answer_data.Opaque)
    nested: list = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(answer_data.BadPayload):
        roundtrip(nested)
    missing = answer_data.decode(answer_data.read_payload(
        extract(1, variable="other").replace('"answer": 1', '"answer": {"$missing": 1}')
    )["answer"])
    assert isinstance(missing, answer_data.Missing)


@pytest.mark.parametrize("data", [
    {"$sympy": "Integer", "p": 10**2000},
    {"$sympy": "Float", "mpf": [0, 1, 0, 5], "prec": 53},
    {"$sympy": "Rational", "p": 1, "q": 0},
    {"$what": 1},
    {"$dict": [[[1], 2]]},
    [0] * (answer_data.MAX_NODES + 1),
])
def test_malformed_payloads_are_refused(data):
    with pytest.raises(answer_data.BadPayload):
        answer_data.decode(data)


def test_unknown_sympy_classes_are_opaque_and_never_evaluated():
    assert isinstance(answer_data.decode({"$sympy": "Integral", "args": []}),
                      answer_data.Opaque)
    huge = {"$sympy": "Pow", "args": [{"$sympy": "Integer", "p": 10},
                                      {"$sympy": "Integer", "p": 10**9}]}
    value = answer_data.decode(huge)  # 10**(10**9) is kept unevaluated, not computed
    assert isinstance(value, sp.Pow) and value.exp == 10**9


def test_one_marker_line_exactly():
    line = extract(6)
    assert answer_data.read_payload("noise\n" + line)["answer"] == 6
    for text in ("", "noise", line + line):
        with pytest.raises(answer_data.BadPayload):
            answer_data.read_payload(text)


def test_spec_region_round_trip():
    region = spec.hidden_region("1a", "answer_1a")
    assert spec.parse("test_1a", f"ps.check('1a')\n{region}") == spec.Spec(
        "test_1a", "1a", "answer_1a")
    assert spec.parse("t", region + "\n" + region) is None
    assert spec.parse("t", "print('no spec')") is None
    assert spec.parse("t", "# judged: question=1a answer=import os") is None


CHECKER = """
import time
def judge_answer(assignment, student, question, value):
    if question == "boom":
        raise RuntimeError("a checker bug")
    if question == "slow":
        time.sleep(30)
    return {"score": 1.0 if value == 6 else 0.0, "message": f"{student}: {value!r}",
            "tags": ["t"]}
"""


def _judge(tmp_path, extracted, questions=("q",), record=None):
    (tmp_path / "checker.py").write_text(CHECKER)
    specs = [spec.Spec(f"test_{q}", q, "answer").to_json() for q in questions]
    points = {f"test_{q}": 2.0 for q in questions}
    return judge_notebook("checker.py", str(tmp_path), "a1", "alice", specs, points, extracted,
                          record)


def test_judge_scores_from_data_and_fails_closed(tmp_path, monkeypatch):
    right = _judge(tmp_path, {"test_q": extract(6)})["test_q"]
    assert (right["earned"], right["status"], right["tags"]) == (2.0, "judged", ["t"])
    assert right["message"] == "alice: 6"  # the student id is the grader's
    assert right["note"] is None  # this checker has no record_note
    wrong = _judge(tmp_path, {"test_q": extract(7)})["test_q"]
    assert wrong["earned"] == 0
    not_run = _judge(tmp_path, {})["test_q"]
    assert (not_run["earned"], not_run["status"]) == (0, NOT_RUN)
    junk = _judge(tmp_path, {"test_q": "DFML-ANSWER:{not json"})["test_q"]
    assert (junk["earned"], junk["status"]) == (0, UNREADABLE)
    boom = _judge(tmp_path, {"test_boom": extract(6)}, questions=("boom",))["test_boom"]
    assert (boom["earned"], boom["status"]) == (0, FAILED)
    assert "could not be checked" in boom["message"]
    from autograder.judging import judge

    monkeypatch.setattr(judge, "ANSWER_SECONDS", 0.5)
    slow = _judge(tmp_path, {"test_slow": extract(6)}, questions=("slow",))["test_slow"]
    assert (slow["earned"], slow["status"]) == (0, FAILED)


def test_fail_closed_zeroes_every_unjudged_graded_cell():
    from nbgrader.utils import determine_grade

    graded = new_code_cell("print('I pass')")
    graded.metadata["nbgrader"] = {"grade": True, "grade_id": "test_1", "points": 3,
                                   "solution": False, "locked": True, "schema_version": 3}
    nb = new_notebook(cells=[new_code_cell("x = 1"), graded])
    assert determine_grade(graded) == (3, 3)  # nbgrader's rule: no output = full marks
    resources: dict = {}
    assert fail_closed(nb, resources) == ["test_1"]
    assert determine_grade(nb.cells[1]) == (0, 3)
    assert resources["dfml"]["unjudged"] == ["test_1"]


def test_collect_copies_regular_files_only(tmp_path):
    src = tmp_path / "inbound" / "alice+ps1+2030"
    (src / "sub").mkdir(parents=True)
    (src / "ps1.ipynb").write_text("{}")
    (src / "sub" / "data.txt").write_text("ok")
    (src / "big.bin").write_bytes(b"x" * 5000)
    secret = tmp_path / "secret.ipynb"
    secret.write_text("SOLUTION")
    (src / "leak.ipynb").symlink_to(secret)
    (src / "dirlink").symlink_to(tmp_path)
    os.mkfifo(src / "fifo")
    (src / REFUSED_FILE).write_text("forged")
    (src / "skip.pyc").write_text("ignored")
    dest = tmp_path / "submitted" / "alice" / "ps1"
    refused = copy_submission(src, dest, ignore=["*.pyc"], max_file_bytes=1000,
                              max_total_bytes=10_000)
    assert sorted(p.name for p in dest.rglob("*")) == sorted(
        ["ps1.ipynb", "sub", "data.txt", REFUSED_FILE])
    assert not any(p.is_symlink() for p in dest.rglob("*"))
    assert "SOLUTION" not in "".join(p.read_text() for p in dest.rglob("*") if p.is_file())
    text = " ".join(refused)
    for name in ("leak.ipynb (a link)", "dirlink (a link)", "fifo (not a regular file)",
                 "big.bin (too large)", f"{REFUSED_FILE} (a name"):
        assert name in text
    assert json.loads((dest / REFUSED_FILE).read_text())["refused"] == refused
    link = tmp_path / "inbound" / "bob+ps1+2030"
    link.symlink_to(src)
    with pytest.raises(ValueError):
        copy_submission(link, tmp_path / "b", ignore=[], max_file_bytes=10, max_total_bytes=10)


def test_disk_watch_counts_sparse_files_in_full(tmp_path):
    for i in range(3):
        with open(tmp_path / f"s{i}", "wb") as fh:
            fh.truncate(10 * 1024 * 1024)
    assert disk_of([tmp_path], 100 * 1024 * 1024) == 30 * 1024 * 1024
    assert disk_of([tmp_path], 20 * 1024 * 1024) == 20 * 1024 * 1024 + 1
