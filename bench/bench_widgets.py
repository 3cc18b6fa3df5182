"""Median time of one slider update (the observer plus the redraw call), per lesson widget.

Target: under 30 ms. For every widget `calc_helpers.widgets.examples()` finds, in a real
IPython kernel with `%matplotlib widget` (ipympl): build the lesson's example, then for every
slider set `.value` through ~50 different values; one update is the assignment (which runs the
widget's observer: `update()` and `draw_idle()`) plus `figure.canvas.draw()`, the full Agg
render that ipympl's draw request triggers (it also encodes and sends the image). Prints a
table (widget, control, median ms, p95 ms, PASS/FAIL against the target) and writes it to
bench/results/widgets.json (git-ignored).

    .venv/bin/python bench/bench_widgets.py [--updates 50] [--target-ms 30] [--widget NAME]
                                            [--frontend]

Without a browser, ipympl encodes each frame twice: the diff PNG it sends and a full PNG for
the notebook's saved data URL; a connected JupyterLab view stops the second one. `--frontend`
sends the view's "initialized" message, so the times are those of a student's browser.

Benchmarks report: the exit code is 0 whatever the timings (and for a widget that fails to
build, shown as ERROR); it is 1 only when the benchmark itself cannot run (no kernel).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "widgets.json"

# Runs inside the kernel: defines _bench_widget(name, updates) -> JSON string of rows.
KERNEL_CODE = r'''
%matplotlib widget
import json as _json
import statistics as _statistics
import time as _time
import traceback as _traceback

import ipywidgets as _w
import matplotlib.pyplot as _plt
import numpy as _np

from calc_helpers.widgets import examples as _examples

_SLIDERS = (_w.IntSlider, _w.FloatSlider, _w.FloatLogSlider, _w.SelectionSlider,
            _w.IntRangeSlider, _w.FloatRangeSlider, _w.SelectionRangeSlider)


def _grid(control, count):
    """Distinct values across the slider's range, in slider units."""
    if isinstance(control, (_w.SelectionSlider, _w.SelectionRangeSlider)):
        return list(range(len(control.options)))
    lo, hi = control.min, control.max
    if isinstance(control, (_w.IntSlider, _w.IntRangeSlider)):
        values = _np.unique(_np.linspace(lo, hi, count).round().astype(int))
        return [int(v) for v in values]
    if isinstance(control, _w.FloatLogSlider):
        return [float(control.base ** e) for e in _np.linspace(lo, hi, count)]
    return [float(v) for v in _np.linspace(lo, hi, count)]


def _sequence(control, count):
    """`count` values, each different from the one before (a sweep back and forth)."""
    grid = _grid(control, count)
    if len(grid) < 2:
        return []
    cycle = grid + grid[-2:0:-1]
    values = [cycle[i % len(cycle)] for i in range(count + 2)]  # 2 warm-up updates
    if isinstance(control, _w.SelectionSlider):
        return [control.options[i] if not isinstance(control.options[i], tuple)
                else control.options[i][1] for i in values]
    if isinstance(control, (_w.IntRangeSlider, _w.FloatRangeSlider)):
        low = control.value[0]
        return [(low, v) if v >= low else (v, low) for v in values]
    if isinstance(control, _w.SelectionRangeSlider):
        return [(0, i) if i else (0, 1) for i in values]
    return values


def _bench_widget(name, updates, frontend=False):
    rows = []
    try:
        start = _time.perf_counter()
        explorer = _examples()[name]()
        canvas = explorer.figure.canvas
        if frontend:
            # what JupyterLab's ipympl view sends once it shows the figure: from then on ipympl
            # sends only the diff PNG, no second full-image PNG for the notebook's data URL
            canvas._handle_message(canvas, {"type": "initialized"}, [])
        canvas.draw()
        build_ms = (_time.perf_counter() - start) * 1e3
    except Exception:
        return _json.dumps([{"widget": name, "control": "-", "error": _traceback.format_exc()}])
    for key, control in explorer.controls.items():
        if not isinstance(control, _SLIDERS):
            continue
        row = {"widget": name, "control": key, "kind": type(control).__name__,
               "build_ms": build_ms}
        original = control.index if isinstance(control, _w.SelectionRangeSlider) \
            else control.value
        times, cpu, observer = [], [], []
        try:
            for i, value in enumerate(_sequence(control, updates)):
                t0, c0 = _time.perf_counter(), _time.thread_time()
                if isinstance(control, _w.SelectionRangeSlider):
                    control.index = value
                else:
                    control.value = value
                t1 = _time.perf_counter()
                canvas.draw()
                if i >= 2:
                    times.append((_time.perf_counter() - t0) * 1e3)
                    cpu.append((_time.thread_time() - c0) * 1e3)
                    observer.append((t1 - t0) * 1e3)
        except Exception:
            row["error"] = _traceback.format_exc()
        finally:
            try:
                if isinstance(control, _w.SelectionRangeSlider):
                    control.index = original
                else:
                    control.value = original
                canvas.draw()
            except Exception:
                pass
        if times:
            ordered = sorted(times)
            row.update(n=len(times), median_ms=_statistics.median(times),
                       p95_ms=ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
                       max_ms=ordered[-1], cpu_median_ms=_statistics.median(cpu),
                       observer_median_ms=_statistics.median(observer))
        elif "error" not in row:
            row["error"] = "the slider has fewer than two values"
        rows.append(row)
    if not rows:
        rows.append({"widget": name, "control": "-", "error": "no slider",
                     "build_ms": build_ms})
    _plt.close(explorer.figure)
    return _json.dumps(rows)
'''


def run(client, code: str, timeout: float = 300) -> str:
    """Execute code in the kernel; return its stdout; raise with the traceback on an error."""
    out: list[str] = []
    errors: list[str] = []

    def hook(msg):
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        elif kind == "error":
            errors.append("\n".join(content["traceback"]))

    reply = client.execute_interactive(code, timeout=timeout, output_hook=hook,
                                       store_history=False)
    if reply["content"]["status"] != "ok" or errors:
        raise RuntimeError("kernel error:\n" + "\n".join(errors))
    return "".join(out)


def measure(updates: int, only: list[str] | None,
            frontend: bool = False) -> tuple[list[dict], dict]:
    env_dir = tempfile.mkdtemp(prefix="bench-widgets-")
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(REPO),
                                       env={**os.environ, "IPYTHONDIR": env_dir})
    try:
        run(client, KERNEL_CODE)
        info = json.loads(run(client, "import matplotlib, ipympl, sys, json; print(json.dumps("
                                      "{'matplotlib': matplotlib.__version__, 'ipympl': "
                                      "ipympl.__version__, 'backend': matplotlib.get_backend(),"
                                      " 'python': sys.version.split()[0]}))"))
        names = json.loads(run(client, "print(_json.dumps(list(_examples())))"))
        rows = []
        for name in names:
            if only and name not in only:
                continue
            started = time.perf_counter()
            code = f"print(_bench_widget({name!r}, {updates}, frontend={frontend!r}))"
            rows.extend(json.loads(run(client, code)))
            print(f"  measured {name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return rows, info
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)


def table(rows: list[dict], target: float) -> str:
    header = ("widget", "control", "kind", "n", "median ms", "p95 ms", "max ms", "cpu ms",
              "observer ms", "result")
    lines = []
    for row in rows:
        if "error" in row:
            first = row["error"].strip().splitlines()[-1]
            lines.append((row["widget"], row["control"], row.get("kind", "-"), "-", "-", "-",
                          "-", "-", "-", f"ERROR: {first}"))
            continue
        verdict = "PASS" if row["median_ms"] < target else "FAIL"
        lines.append((row["widget"], row["control"], row["kind"], str(row["n"]),
                      f"{row['median_ms']:.1f}", f"{row['p95_ms']:.1f}",
                      f"{row['max_ms']:.1f}", f"{row['cpu_median_ms']:.1f}",
                      f"{row['observer_median_ms']:.1f}", verdict))
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    left = {0, 1, 2, len(header) - 1}
    fmt = "  ".join(f"{{:{'<' if i in left else '>'}{width}}}" for i, width in enumerate(widths))
    out = [fmt.format(*header), fmt.format(*("-" * width for width in widths))]
    out.extend(fmt.format(*line) for line in lines)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=50, help="timed updates per slider")
    parser.add_argument("--target-ms", type=float, default=30.0, help="median target (ms)")
    parser.add_argument("--widget", action="append", help="only this builder (repeatable)")
    parser.add_argument("--frontend", action="store_true",
                        help="act as a connected JupyterLab view (ipympl then stops encoding a "
                             "second, full PNG per draw for the notebook's data URL)")
    args = parser.parse_args(argv)
    try:
        rows, info = measure(args.updates, args.widget, args.frontend)
    except Exception as error:
        print(f"bench_widgets: could not run the benchmark: {error}", file=sys.stderr)
        return 1
    print(f"One slider update = observer + figure.canvas.draw(), in a kernel with "
          f"%matplotlib widget ({info['backend']}, matplotlib {info['matplotlib']}, "
          f"ipympl {info['ipympl']}, Python {info['python']}); target: median < "
          f"{args.target_ms:g} ms; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs; "
          + ("front end: simulated (ipympl sends the diff PNG only)" if args.frontend else
             "no front end (ipympl also encodes a full PNG per draw for the data URL)"))
    print(table(rows, args.target_ms) if rows else "no widgets found")
    print("median/p95/max: wall-clock ms per update (observer + draw); cpu ms: the kernel "
          "thread's CPU time per update (median), a guide when the machine is busy; observer "
          "ms: the part before canvas.draw() (median, wall)")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"WARNING: load average {load:.1f} > {os.cpu_count()} CPUs: the wall-clock "
              "times are inflated by other processes; run again on a quiet machine")
    measured = [row for row in rows if "error" not in row]
    failing = [row for row in measured if row["median_ms"] >= args.target_ms]
    errors = [row for row in rows if "error" in row]
    print(f"{len(measured) - len(failing)}/{len(measured)} sliders under {args.target_ms:g} ms"
          + (f"; {len(errors)} error(s)" if errors else ""))
    for row in errors:
        print(f"\n{row['widget']}.{row['control']}: {row['error']}", file=sys.stderr)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    info["load_average"] = os.getloadavg()[0]
    info["frontend"] = args.frontend
    RESULTS.write_text(json.dumps({"target_ms": args.target_ms, "updates": args.updates,
                                   "environment": info, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
