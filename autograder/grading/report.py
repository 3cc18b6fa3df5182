"""``python -m autograder report ASSIGNMENT``: a per-question CSV and an HTML class report.

Scores come from the gradebook (so manual grades entered later in the formgrader count);
statuses, flags and the checks' misconception tags come from the grading journal.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from .course import Course
from .outcomes import HUMAN_FLAGS, Journal, Outcome


@dataclass
class Row:
    """One student's line of the report."""

    student: str
    total: float
    max_score: float
    scores: dict[str, float]
    manual: list[str]
    outcome: Outcome | None
    reviewed: bool = False

    @property
    def needs_human(self) -> bool:
        """Cells waiting for a manual grade now (the gradebook's state), or a failure or
        flag of the grading that no person has looked at yet (no manual grade entered)."""
        if self.manual:
            return True
        if self.outcome is None or self.reviewed:
            return False
        flags = set(self.outcome.flags) - {"manual_grading"}
        return self.outcome.status != "graded" or bool(HUMAN_FLAGS & flags)


@dataclass
class ReportData:
    """Everything the report shows."""

    assignment: str
    questions: list[str]
    max_points: dict[str, float]
    rows: list[Row] = field(default_factory=list)

    def tags(self) -> Counter:
        """(question, tag) -> how many students' checks reported it."""
        seen: Counter = Counter()
        for row in self.rows:
            if row.outcome is None:
                continue
            mine = set()
            for line in row.outcome.checks:
                for tag in line.get("tags") or []:
                    mine.add((str(line.get("question") or line.get("cell") or "?"), str(tag)))
            seen.update(mine)
        return seen


def _question_order(course: Course, assignment: str, notebooks: list[str]) -> list[str]:
    """Grade ids in the order of the source notebooks (gradebook order otherwise)."""
    order = []
    cd = course.coursedir
    for name in notebooks:
        path = Path(cd.format_path(cd.source_directory, ".", assignment)) / f"{name}.ipynb"
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # no source here: fall back to the gradebook's order
            continue
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                order.append(meta.get("grade_id"))
    return order


def collect(course: Course, assignment: str) -> ReportData:
    """Read the gradebook and the journal."""
    from nbgrader.api import Gradebook

    from .gradebook_writer import grades

    journal = Journal(course.state_dir(assignment)).load()
    with Gradebook(course.db_url, course.course_id) as gb:
        found = gb.find_assignment(assignment)
        notebooks = [n.name for n in found.notebooks]
        many = len(notebooks) > 1
        max_points: dict[str, float] = {}
        for nb in found.notebooks:
            for cell in nb.grade_cells:
                key = f"{nb.name}:{cell.name}" if many else cell.name
                max_points[key] = float(cell.max_score)
        by_student = grades(gb, assignment)
    order = _question_order(course, assignment, notebooks)
    ordered = [q for q in order if q in max_points]
    ordered += sorted(q for q in max_points if q not in ordered)
    data = ReportData(assignment, ordered, max_points)
    total_max = sum(max_points.values())
    for student in sorted(by_student):
        cells = by_student[student]
        scores = {q: v["score"] for q, v in cells.items()}
        manual = [q for q in ordered if cells.get(q, {}).get("needs_manual")]
        reviewed = any(v.get("manual") is not None for v in cells.values())
        data.rows.append(Row(student, round(sum(scores.values()), 6), total_max, scores,
                             manual, journal.get(student), reviewed))
    return data


def write_csv(data: ReportData, path: Path) -> Path:
    """Student x question scores, with total, status, flags and whether a human is needed."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *data.questions, "total", "max_score", "status",
                         "needs_human", "flags", "detail"])
        for row in data.rows:
            out = row.outcome
            writer.writerow([
                row.student,
                *[_num(row.scores.get(q, 0.0)) for q in data.questions],
                _num(row.total), _num(row.max_score),
                out.status if out else "not graded by autograder",
                "yes" if row.needs_human else "no",
                " ".join(out.flags) if out else "",
                out.detail if out else "",
            ])
    return path


def _num(x: float) -> str:
    return f"{x:g}"


def _figure_png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figures(data: ReportData) -> dict[str, str]:
    """Base64 PNGs: score distribution, mean per question, top misconceptions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out = {}
    totals = [r.total for r in data.rows]
    max_total = max([r.max_score for r in data.rows] or [1.0])
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(totals, bins=min(20, max(5, int(max_total) + 1)), range=(0, max_total or 1),
            color="#4c72b0", edgecolor="white")
    ax.set_xlabel("total score")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Score distribution ({len(totals)} submissions)")
    out["distribution"] = _figure_png(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 0.4 * len(data.questions) + 1))
    means = [statistics.fmean([r.scores.get(q, 0.0) for r in data.rows] or [0.0]) /
             (data.max_points[q] or 1) * 100 for q in data.questions]
    ax.barh(data.questions[::-1], means[::-1], color="#55a868")
    ax.set_xlim(0, 100)
    ax.set_xlabel("mean score (% of the question's points)")
    ax.set_title("Mean score per question")
    out["questions"] = _figure_png(fig)
    plt.close(fig)

    top = data.tags().most_common(12)
    fig, ax = plt.subplots(figsize=(6, 0.4 * max(1, len(top)) + 1))
    if top:
        labels = [f"{q}: {t}" for (q, t), _ in top][::-1]
        ax.barh(labels, [n for _, n in top][::-1], color="#c44e52")
        ax.set_xlabel("students")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        ax.text(0.5, 0.5, "no misconception tags were logged", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title("Most frequent misconceptions")
    out["misconceptions"] = _figure_png(fig)
    plt.close(fig)
    return out


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_html(data: ReportData, path: Path) -> Path:
    """The class report: figures (embedded PNG), per-question table, who needs a human."""
    figs = figures(data)
    totals = [r.total for r in data.rows]
    status = Counter(r.outcome.status if r.outcome else "not in journal" for r in data.rows)
    per_q = []
    for q in data.questions:
        vals = [r.scores.get(q, 0.0) for r in data.rows]
        full = sum(1 for v in vals if v >= data.max_points[q] > 0)
        per_q.append([q, _num(data.max_points[q]), f"{statistics.fmean(vals or [0]):.2f}",
                      f"{100 * full / max(1, len(vals)):.0f}%"])
    students_with = defaultdict(list)
    for row in data.rows:
        if row.outcome:
            for line in row.outcome.checks:
                for tag in line.get("tags") or []:
                    key = (str(line.get("question") or line.get("cell") or "?"), str(tag))
                    if row.student not in students_with[key]:
                        students_with[key].append(row.student)
    tags = [[q, t, n, ", ".join(students_with[(q, t)][:8])]
            for (q, t), n in data.tags().most_common(30)]
    human = []
    for row in data.rows:
        if not row.needs_human:
            continue
        out = row.outcome
        human.append([row.student, out.status if out else "-",
                      " ".join(out.flags) if out else "", ", ".join(row.manual),
                      (out.detail if out else "")[:160]])
    mean = statistics.fmean(totals) if totals else 0.0
    median = statistics.median(totals) if totals else 0.0
    max_total = max([r.max_score for r in data.rows] or [0.0])
    img = '<img alt="{}" src="data:image/png;base64,{}">'
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Class report: {html.escape(data.assignment)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1000px; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }}
th {{ background: #f2f2f2; }}
img {{ max-width: 100%; margin: 0.5em 0; }}
</style></head><body>
<h1>Class report: {html.escape(data.assignment)}</h1>
<p>{len(data.rows)} submissions; mean {mean:.2f} / {max_total:g}, median {median:g}.
Outcomes: {html.escape(", ".join(f"{k} {v}" for k, v in sorted(status.items())))}.</p>
<h2>Score distribution</h2>
{img.format("score distribution", figs["distribution"])}
<h2>Mean score per question</h2>
{img.format("mean score per question", figs["questions"])}
{_table(["question", "points", "mean", "full marks"], per_q)}
<h2>Most frequent misconceptions</h2>
<p>Tags reported by the course's checks while grading (counted once per student).</p>
{img.format("most frequent misconceptions", figs["misconceptions"])}
{_table(["question", "misconception", "students", "who (first 8)"], tags)}
<h2>Submissions that need a human ({len(human)})</h2>
<p>Manually graded cells, grading failures (timeout, memory, kernel died, malformed),
restored or duplicated cells and identity mismatches.</p>
{_table(["student", "status", "flags", "cells to grade by hand", "detail"], human)}
</body></html>
"""
    path.write_text(doc, encoding="utf-8")
    return path


def write_report(course: Course, assignment: str, out: Path) -> list[Path]:
    """Write ``scores.csv`` and ``report.html`` into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    data = collect(course, assignment)
    return [write_csv(data, out / "scores.csv"), write_html(data, out / "report.html")]
