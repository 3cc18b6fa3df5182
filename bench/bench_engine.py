"""Time every calc_helpers public function over typical course functions and the functions an
ML course uses (median and worst single call, cold cache).

Run: .venv/bin/python bench/bench_engine.py [--repeats N]
Targets: every call a typical exercise needs under 200 ms median; no single call over 2 s.
A refusal (an EngineError such as InfinitelyManyError for a step function's flat pieces) is
timed like an answer and counted in the last column.
"""

from __future__ import annotations

import argparse
import statistics
import time

import sympy as sp
from sympy.core.cache import clear_cache

import calc_helpers as ch

x, y = sp.symbols("x y", real=True)
TARGET_MS = 200.0
WORST_TARGET_MS = 2000.0

FUNCTIONS = {
    "cubic": x**3 - 3 * x**2 - 9 * x + 5,
    "rational": (x**2 + 1) / (x - 1),
    "x*exp(-x)": x * sp.exp(-x),
    "x*ln(x)": x * sp.log(x),
    "|x|": sp.Abs(x),
    "relu": sp.Max(x, 0),
    "x^(2/3)": x ** sp.Rational(2, 3),
    "cbrt": x ** sp.Rational(1, 3),
    "x^4": x**4,
    "logistic": sp.log(1 + sp.exp(-x)),
}
TRIG = {"sin on [0, 2pi]": (sp.sin(x) + x / 2, sp.Interval(0, 2 * sp.pi))}

ML = {
    "sigmoid": 1 / (1 + sp.exp(-x)),
    "tanh": sp.tanh(x),
    "softplus": sp.log(1 + sp.exp(x)),
    "SiLU": x / (1 + sp.exp(-x)),
    "ELU": sp.Piecewise((x, x > 0), (sp.exp(x) - 1, True)),
    "leaky ReLU": sp.Max(x, x / 10),
    "Huber": sp.Piecewise((x**2 / 2, sp.Abs(x) <= 1), (sp.Abs(x) - sp.Rational(1, 2), True)),
    "hinge": sp.Max(0, 1 - x),
    "squared hinge": sp.Max(0, 1 - x) ** 2,
    "log-loss": -sp.log(1 / (1 + sp.exp(-x))),
    "logsumexp": sp.log(sp.exp(x) + sp.exp(2 * x - 3) + 1),
    "L1+L2 loss": (x - 3) ** 2 / 2 + sp.Abs(x) + x**2 / 4,
    "floor step": sp.floor(x),
    "ceiling step": sp.ceiling(2 * x),
    "x^x": x**x,
}
STEPS = ("floor step", "ceiling step")


def ml_calls():
    """(label, case, thunk): each analysis on each ML function (steps on [-3, 3])."""
    for name, f in ML.items():
        domain = sp.Interval(-3, 3) if name in STEPS else None
        point = 1 if name in (*STEPS, "x^x") else 0
        yield "derivative", name, lambda f=f: ch.derivative(f)
        yield "derivative_at", name, lambda f=f, p=point: ch.derivative_at(f, sp.Rational(1, 4) + p)
        yield "one_sided_derivatives", name, lambda f=f, p=point: ch.one_sided_derivatives(f, p)
        yield "differentiability", name, lambda f=f, p=point: ch.differentiability(f, p)
        yield "critical_points", name, lambda f=f, d=domain: ch.critical_points(f, domain=d)
        yield "monotonicity", name, lambda f=f, d=domain: ch.monotonicity(f, domain=d)
        yield "concavity", name, lambda f=f, d=domain: ch.concavity(f, domain=d)
        yield "inflection_points", name, lambda f=f, d=domain: ch.inflection_points(f, domain=d)
        yield "is_convex", name, lambda f=f, d=domain: ch.is_convex(f, domain=d)
        if name not in STEPS:
            yield "absolute_extrema", name, lambda f=f: ch.absolute_extrema(f, sp.Rational(1, 2), 3)


def calls():
    """(label, thunk) pairs: each public function on each typical function."""
    for name, f in FUNCTIONS.items():
        point = 0 if name in ("|x|", "relu", "x^(2/3)", "cbrt", "x^4") else 2
        yield "parse", name, lambda: ch.parse("x^3 - 3x^2 - 9x + 5")
        yield "derivative", name, lambda f=f: ch.derivative(f)
        yield (
            "difference_quotient",
            name,
            lambda f=f: ch.difference_quotient(f, 2, sp.Rational(1, 100)),
        )
        yield "one_sided_derivatives", name, lambda f=f, p=point: ch.one_sided_derivatives(f, p)
        yield "differentiability", name, lambda f=f, p=point: ch.differentiability(f, p)
        if name != "relu":
            yield "critical_points", name, lambda f=f: ch.critical_points(f)
        yield "classify_critical_point", name, lambda f=f, p=point: ch.classify_critical_point(f, p)
        yield "inflection_points", name, lambda f=f: ch.inflection_points(f)
        yield "monotonicity", name, lambda f=f: ch.monotonicity(f)
        yield "concavity", name, lambda f=f: ch.concavity(f)
        yield "is_convex", name, lambda f=f: ch.is_convex(f)
        if name not in ("rational", "x*ln(x)"):
            yield "absolute_extrema", name, lambda f=f: ch.absolute_extrema(f, -1, 3)
        if name == "cubic":
            yield "gradient_descent", name, lambda f=f: ch.gradient_descent(f, 4.0, 0.05, 50)
            yield "newton_method", name, lambda f=f: ch.newton_method(f, 4.0, 10)
    yield "subdifferential", "relu", lambda: ch.subdifferential(sp.Max(x, 0), 0)
    for name, (f, domain) in TRIG.items():
        yield "critical_points", name, lambda f=f, d=domain: ch.critical_points(f, domain=d)
        yield "monotonicity", name, lambda f=f, d=domain: ch.monotonicity(f, domain=d)
    saddle = x**2 - y**2
    yield "gradient", "x^2-y^2", lambda: ch.gradient(saddle, [x, y])
    yield "hessian", "x^2-y^2", lambda: ch.hessian(saddle, [x, y])
    yield (
        "classify_critical_point_2d",
        "x^2-y^2",
        lambda: ch.classify_critical_point_2d(saddle, (0, 0)),
    )


def _timed(thunk) -> tuple[float, bool]:
    """Milliseconds of one cold call, and whether the engine refused (EngineError)."""
    clear_cache()  # cold: no help from SymPy's cache between repeats
    start = time.perf_counter()
    try:
        thunk()
        refused = False
    except ch.EngineError:
        refused = True
    return (time.perf_counter() - start) * 1000, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    per_function: dict[str, list[float]] = {}
    worst_median: dict[str, tuple[float, str]] = {}
    worst_call: dict[str, tuple[float, str]] = {}
    refusals: dict[str, list[str]] = {}
    for label, case, thunk in [*calls(), *ml_calls()]:
        times = []
        for _ in range(args.repeats):
            elapsed, refused = _timed(thunk)
            times.append(elapsed)
        if refused:
            refusals.setdefault(label, []).append(case)
        median = statistics.median(times)
        per_function.setdefault(label, []).append(median)
        if median > worst_median.get(label, (0.0, ""))[0]:
            worst_median[label] = (median, case)
        if max(times) > worst_call.get(label, (0.0, ""))[0]:
            worst_call[label] = (max(times), case)
    header = (
        f"{'function':24s} {'median ms':>9s} {'worst median':>12s} {'on':14s} "
        f"{'worst call':>10s} {'on':14s} verdict  refused on"
    )
    print(header)
    overall_worst = (0.0, "", "")
    for label, medians in per_function.items():
        median = statistics.median(medians)
        slow_median, median_case = worst_median[label]
        slow_call, call_case = worst_call[label]
        if slow_call > overall_worst[0]:
            overall_worst = (slow_call, label, call_case)
        problems = []
        if slow_median >= TARGET_MS:
            problems.append(f"median over {TARGET_MS:.0f} ms")
        if slow_call >= WORST_TARGET_MS:
            problems.append(f"call over {WORST_TARGET_MS:.0f} ms")
        verdict = ", ".join(problems) or "ok"
        refused = ", ".join(refusals.get(label, [])) or "-"
        print(
            f"{label:24s} {median:9.1f} {slow_median:12.1f} {median_case:14.14s} "
            f"{slow_call:10.1f} {call_case:14.14s} {verdict:8s} {refused}"
        )
    slowest, label, case = overall_worst
    print(f"\nworst single call: {slowest:.0f} ms ({label} on {case})")


if __name__ == "__main__":
    main()
