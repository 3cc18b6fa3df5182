"""``python -m autograder roster import`` and ``export --format canvas``, with real nbgrader.

A small course (tests/hostile/course.py) with a due date and nbgrader's "zero" late penalty:
a roster is imported and read back from the gradebook; three submissions (one right and on
time, one partial and late, one blank) are autograded by the real ``nbgrader autograde``; a
manual grade is entered through the gradebook API, as the formgrader does; then the export
is read back and every value compared with what nbgrader's gradebook API says.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import course as demo
from shared import build_once

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("roster")]

ROSTER = """\
Student ID,First Name,Last Name,E-mail,Canvas ID
h_right,Ada,Lovelace,ada@example.org,1001
h_partial,Brook,Taylor,brook@example.org,1002
h_blank,Carl,Gauss,,1003
x_absent,Emmy,Noether,emmy@example.org,
"""
DUE = "2030-01-01 09:00:00 UTC"
ON_TIME = "2030-01-01 08:00:00.000000 UTC"
LATE = "2030-01-01 10:30:00.000000 UTC"


def autograder(course: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS`` in the course folder."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=course,
                          capture_output=True, text=True, env=demo.venv_env(), timeout=300)


def nbgrader(course: Path, *args: str) -> None:
    done = subprocess.run([str(demo.venv_bin() / "nbgrader"), *args], cwd=course,
                          capture_output=True, text=True, env=demo.venv_env(), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def db_url(course: Path) -> str:
    return f"sqlite:///{course / 'gradebook.db'}"


def _build_course(folder: Path) -> dict:
    """The demo course with a due date, a late penalty, a roster and graded submissions."""
    root = demo.make_course(folder / "course")
    with open(root / "nbgrader_config.py", "a") as fh:
        fh.write('c.LateSubmissionPlugin.penalty_method = "zero"\n')
    nbgrader(root, "db", "assignment", "add", demo.ASSIGNMENT, f"--duedate={DUE}")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    done = autograder(root, "roster", "import", "roster.csv")
    assert done.returncode == 0, done.stderr
    assert "4 added, 0 updated, 0 unchanged" in done.stdout

    subs = demo.honest(root)
    demo.submit(root, "h_right", subs["h_right"], timestamp=ON_TIME)
    demo.submit(root, "h_partial", subs["h_partial"], timestamp=LATE)
    demo.submit(root, "h_blank", subs["h_blank"], timestamp=ON_TIME)
    nbgrader(root, "autograde", demo.ASSIGNMENT, "--force")

    from nbgrader.api import Gradebook

    with Gradebook(db_url(root), "demo-course") as gb:  # the formgrader's manual grade
        grade = gb.find_grade("q3_explain", demo.NOTEBOOK, demo.ASSIGNMENT, "h_right")
        grade.manual_score = 1.0
        gb.db.commit()
    return {"root": str(root)}


@pytest.fixture
def course(tmp_path_factory) -> Path:
    """A fresh copy of the graded course (built once per session): tests may change it."""
    built = Path(build_once(tmp_path_factory, "roster_course", _build_course)["root"])
    root = Path(shutil.copytree(built, tmp_path_factory.mktemp("lms") / "course"))
    config = root / "nbgrader_config.py"
    config.write_text(config.read_text().replace(repr(str(built.resolve())),
                                                 repr(str(root.resolve()))))
    return root


def test_roster_import_reads_back_from_the_gradebook(course: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course), "demo-course") as gb:
        students = {s.id: s for s in gb.students}
    assert set(students) == {"h_right", "h_partial", "h_blank", "x_absent"}
    ada = students["h_right"]
    assert (ada.first_name, ada.last_name, ada.email, ada.lms_user_id) == (
        "Ada", "Lovelace", "ada@example.org", "1001")
    assert students["h_blank"].email is None  # an empty cell sets nothing
    assert students["x_absent"].lms_user_id is None


def test_roster_import_updates_and_refuses_bad_files(course: Path, tmp_path: Path) -> None:
    from nbgrader.api import Gradebook

    changed = tmp_path / "changed.csv"
    changed.write_text("id,email\nh_blank,carl@example.org\nh_right,ada@example.org\n")
    done = autograder(course, "roster", "import", str(changed))
    assert done.returncode == 0, done.stderr
    assert "0 added, 1 updated, 1 unchanged; 2 in the gradebook but not in this roster" \
        in done.stdout
    with Gradebook(db_url(course), "demo-course") as gb:
        assert gb.find_student("h_blank").email == "carl@example.org"
        assert gb.find_student("h_blank").first_name == "Carl"  # kept

    from autograder.grading.roster import RosterError, import_roster

    for text, reason in [("name\nx\n", "no id column"),
                         ("id\nok_1\nbad id\n", "line 3: id 'bad id' is not a valid login"),
                         ("id\nsame\nsame\n", "'same' already on line 2")]:
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(RosterError, match=reason.replace("(", r"\(")):
            import_roster(db_url(course), "demo-course", bad)
    done = autograder(course, "roster", "import", str(bad))  # the command says why, exits 2
    assert done.returncode == 2 and "'same' already on line 2" in done.stderr, done.stderr
    with Gradebook(db_url(course), "demo-course") as gb:
        assert "ok_1" not in {s.id for s in gb.students}  # nothing written from a bad file


def _read(path: Path) -> tuple[list[str], list[str], dict[str, dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, possible, students = rows[0], rows[1], rows[2:]
    return header, possible, {row[2]: dict(zip(header, row, strict=True)) for row in students}


def test_canvas_export_matches_the_gradebook(course: Path, tmp_path: Path) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    out = tmp_path / "canvas.csv"
    done = autograder(course, "export", demo.ASSIGNMENT, "--format", "canvas", "-o", str(out))
    assert done.returncode == 0, done.stderr
    header, possible, rows = _read(out)
    cells = ["q1_test", "q2_test", "q3_explain"]
    a = demo.ASSIGNMENT
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                      *(f"{a}: {c}" for c in cells), a,
                      f"{a}: due date", f"{a}: submitted", f"{a}: late penalty"]
    assert possible == ["Points Possible", "", "", "", "", "2", "3", "1", "6",
                        "(read only)", "(read only)", "(read only)"]
    assert set(rows) == {"h_right", "h_partial", "h_blank", "x_absent"}
    assert rows["h_right"]["Student"] == "Lovelace, Ada" and rows["h_right"]["ID"] == "1001"

    with Gradebook(db_url(course), "demo-course") as gb:
        for sid, row in rows.items():
            try:
                sub = gb.find_submission(a, sid)
            except MissingEntry:
                assert sid == "x_absent"
                assert row[a] == "0" and row[f"{a}: q1_test"] == ""
                assert row[f"{a}: due date"] == DUE
                continue
            grades = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
            for cell in cells:
                assert float(row[f"{a}: {cell}"]) == pytest.approx(grades[cell]), (sid, cell)
            penalty = sub.late_submission_penalty
            assert float(row[f"{a}: late penalty"]) == pytest.approx(penalty)
            assert float(row[a]) == pytest.approx(max(0.0, sub.score - penalty))
            assert row[f"{a}: due date"] == DUE
    # the values themselves: full marks with the manual grade, the late one zeroed by
    # nbgrader's "zero" penalty, the blank one nothing
    assert float(rows["h_right"][a]) == 6.0
    assert float(rows["h_right"][f"{a}: q3_explain"]) == 1.0
    assert float(rows["h_partial"][f"{a}: q1_test"]) == 2.0
    assert float(rows["h_partial"][f"{a}: late penalty"]) > 0
    assert float(rows["h_partial"][a]) == 0.0
    assert rows["h_partial"][f"{a}: submitted"] == "2030-01-01 10:30:00 UTC"
    assert float(rows["h_blank"][a]) == 0.0 and rows["h_blank"][f"{a}: late penalty"] == "0"


def test_export_all_and_unknown_assignment(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    done = autograder(course, "export", "--all", "--format", "canvas", "-o", str(out))
    assert done.returncode == 0, done.stderr
    header, _, rows = _read(out)
    assert demo.ASSIGNMENT in header and len(rows) == 4
    done = autograder(course, "export", "nope", "-o", str(tmp_path / "x.csv"))
    assert done.returncode == 2 and "no assignment 'nope'" in done.stderr
    assert not (tmp_path / "x.csv").exists()
