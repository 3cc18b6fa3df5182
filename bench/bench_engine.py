"""Time every calc_helpers public function over typical course functions (median, cold cache).

Run: .venv/bin/python bench/bench_engine.py [--repeats N]
Target (issue "Foundation"): every call a typical exercise needs under 200 ms median.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    per_function: dict[str, list[float]] = {}
    worst: dict[str, tuple[float, str]] = {}
    for label, case, thunk in calls():
        times = []
        for _ in range(args.repeats):
            clear_cache()  # cold: no help from SymPy's cache between repeats
            start = time.perf_counter()
            thunk()
            times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        per_function.setdefault(label, []).append(median)
        if median > worst.get(label, (0.0, ""))[0]:
            worst[label] = (median, case)
    print(f"{'function':28s} {'median ms':>10s} {'worst case ms':>14s}  worst on          verdict")
    for label, medians in per_function.items():
        median = statistics.median(medians)
        slowest, case = worst[label]
        verdict = "ok" if slowest < TARGET_MS else f"over {TARGET_MS:.0f} ms"
        print(f"{label:28s} {median:10.1f} {slowest:14.1f}  {case:16s}  {verdict}")


if __name__ == "__main__":
    main()
