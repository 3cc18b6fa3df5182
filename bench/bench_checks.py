"""Time every autograder check over a corpus of typical answers (right, wrong, odd, hostile).

Run: .venv/bin/python bench/bench_checks.py [--repeats N] [--json PATH]

Reports, per check and overall, the median and 99th percentile of one call with the
question's reference already computed (what a class of students sees: the reference is
cached on the first answer), and separately the cold first call per question (reference
work included: calc_helpers, misconception candidates, sample values).
Target: warm median < 20 ms and p99 < 250 ms per check.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.cache import clear_cache

import autograder as ag
from autograder import checks_expressions, checks_points, checks_properties, checks_sets

x, y = sp.symbols("x y", real=True)
MEDIAN_TARGET_MS = 20.0
P99_TARGET_MS = 250.0

CUBIC = x**3 - x**2 - 5 * x
ODD = [None, ..., "", "__import__('os')", "9^9^9", "x" * 2000, "((((x", 42, [1, [2, [3]]]]


def corpus() -> Iterator[tuple[str, str, Callable[[Any], ag.Feedback], list[Any]]]:
    """(check name, question label, bound check, answers) for typical course questions."""
    derivative_questions = {
        "cubic": (CUBIC, ["3x^2 - 2x - 5", "(3x-5)(x+1)", "-3x^2+2x+5", "x^2-2x-5", "3x^2"]),
        "sin(x^2)": (sp.sin(x**2), ["2x cos(x^2)", "cos(x^2)", "-2x cos(x^2)", "2x sin(x^2)"]),
        "x^2 e^x": (x**2 * sp.exp(x), ["x e^x (x+2)", "2x e^x", "2x e^x + x^2 e^x"]),
        "sin(x)/x": (sp.sin(x) / x, ["(x cos(x) - sin(x))/x^2", "(sin(x)-x cos(x))/x^2"]),
        "|x|": (sp.Abs(x), ["sign(x)", "x/|x|", "1", "-sign(x)"]),
        "logistic": (1 / (1 + sp.exp(-x)), ["e^(-x)/(1+e^(-x))^2", "-e^(-x)/(1+e^(-x))^2"]),
        "x ln x": (x * sp.log(x), ["ln(x) + 1", "1/x", "x^2 ln(x)/2 - x^2/4"]),
        "relu": (sp.Max(x, 0), ["(1+sign(x))/2", "1", "0"]),
        "cbrt": (sp.cbrt(x), ["1/(3 x^(2/3))", "x^(-2/3)", "1/3 x^(1/3)"]),
    }
    for label, (f, answers) in derivative_questions.items():
        yield "check_derivative", label, lambda a, f=f: ag.check_derivative(a, f), answers + ODD
    yield "check_expression", "2x+2", lambda a: ag.check_expression(a, 2 * x + 2), [
        "2(x+1)", "2x + 2", "x + 1", "-2x-2", 2 * x + 2, *ODD
    ]
    yield "check_number", "5/3", lambda a: ag.check_number(a, sp.Rational(5, 3)), [
        "5/3", "1.6667", "1.67", "-5/3", 5 / 3, "2", *ODD
    ]
    point_questions = {
        "cubic": (CUBIC, None),
        "|x^2-1|": (sp.Abs(x**2 - 1), None),
        "x e^-x": (x * sp.exp(-x), None),
        "sin on [0, 2pi]": (sp.sin(x), sp.Interval(0, 2 * sp.pi)),
    }
    point_answers = ["-1, 5/3", "{-1, 1.6667}", "[-1]", "[]", [0, 1], {-1, 1}, "1, 2, 3"]
    for label, (f, domain) in point_questions.items():
        yield (
            "check_critical_points",
            label,
            lambda a, f=f, d=domain: ag.check_critical_points(a, f, domain=d),
            point_answers + ODD,
        )
        yield (
            "check_inflection_points",
            label,
            lambda a, f=f, d=domain: ag.check_inflection_points(a, f, domain=d),
            ["1/3", "0", "[]", "-1, 1", "2", *ODD],
        )
        yield (
            "check_classification",
            label,
            lambda a, f=f, d=domain: ag.check_classification(a, f, domain=d),
            [{-1: "local_max", "5/3": "local_min"}, {-1: "min"}, {0: "neither"}, *ODD],
        )
        for which in ("increasing", "concave_up"):
            yield (
                "check_intervals",
                f"{label} {which}",
                lambda a, f=f, w=which, d=domain: ag.check_intervals(a, f, w, domain=d),
                ["(-oo, -1) U (5/3, oo)", "(-1, 5/3)", "(1/3, oo)", "(0, oo)", "empty", *ODD],
            )
    for label, f, a in (("|x| at 0", sp.Abs(x), 0), ("cbrt at 0", sp.cbrt(x), 0)):
        yield (
            "check_differentiability",
            label,
            lambda ans, f=f, a=a: ag.check_differentiability(ans, f, a),
            ["corner", "Vertical tangent", "differentiable", "cusp", *ODD],
        )
    for label, f in (("|x|", sp.Abs(x)), ("x^3", x**3)):
        yield (
            "check_convexity",
            label,
            lambda ans, f=f: ag.check_convexity(ans, f),
            [True, "no", "convex", "maybe", *ODD],
        )
    yield "check_subdifferential", "relu at 0", lambda a: ag.check_subdifferential(
        a, sp.Max(x, 0), 0
    ), ["[0, 1]", (0, 1), "1/2", "[0, 2]", *ODD]
    for label, f in (("x^2 y + 3x", x**2 * y + 3 * x), ("exp(xy)", sp.exp(x * y))):
        yield "check_gradient", label, lambda a, f=f: ag.check_gradient(a, f, [x, y]), [
            ["2xy + 3", "x^2"], "[2x y, x^2]", ["y e^(xy)", "x e^(xy)"], *ODD
        ]
        yield "check_hessian", label, lambda a, f=f: ag.check_hessian(a, f, [x, y]), [
            [["2y", "2x"], ["2x", 0]], "[[2, 0], [0, 2]]", *ODD
        ]


def _clear_references() -> None:
    for module in (checks_expressions, checks_points, checks_sets, checks_properties):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
    clear_cache()


def _ms(thunk: Callable[[], Any]) -> float:
    start = time.perf_counter()
    thunk()
    return (time.perf_counter() - start) * 1000


def _p99(values: list[float]) -> float:
    return float(np.percentile(values, 99))


# The hostile texts of tests/test_checks_safety.py (which bounds their work by counting calls).
HOSTILE = ["__import__('os').system('true')", "().__class__.__bases__[0].__subclasses__()",
           "9**9**9", "9^9^9^9", "10^1000000", "x" * 100_000, "(" * 5000 + "x" + ")" * 5000,
           "[" * 400 + "]" * 400, "|" * 300, "1/0", "\x00\x01\x02", "{-1, ", "(-oo, 3"]


def hostile_and_cut_off() -> None:
    """Print the slowest check of a hostile text per check, and how long the time limit
    takes to cut off a SymPy answer that never finishes (figures the tests no longer assert:
    they were < 2 s and < 2.5 s)."""
    f = x**2
    checks = {
        "check_expression": lambda a: ag.check_expression(a, 2 * x),
        "check_derivative": lambda a: ag.check_derivative(a, f),
        "check_critical_points": lambda a: ag.check_critical_points(a, f),
        "check_intervals": lambda a: ag.check_intervals(a, f, "increasing"),
        "check_gradient": lambda a: ag.check_gradient(a, f, [x]),
    }
    slowest = {name: max(_ms(lambda c=check, t=text: c(t)) for text in HOSTILE)
               for name, check in checks.items()}
    print("hostile text, slowest call (ms): "
          + ", ".join(f"{name} {ms:.1f}" for name, ms in slowest.items()))
    k = sp.Symbol("k", integer=True, positive=True)
    never = sp.Sum(x / k**2, (k, 1, 10**8))
    print(f"cut-off of a never-ending SymPy answer: "
          f"{_ms(lambda: ag.check_derivative(never, f)) / 1000:.2f} s")


def main() -> int:
    """Run the benchmark; exit status 1 if a check misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over the corpus")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    _clear_references()
    questions = list(corpus())
    cold: dict[str, list[float]] = defaultdict(list)
    for name, _, check, answers in questions:
        cold[name].append(_ms(lambda check=check, a=answers[0]: check(a)))
    typical: dict[str, list[float]] = defaultdict(list)
    odd: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeats):
        for name, _, check, answers in questions:
            for answer in answers:
                bucket = odd if any(answer is o for o in ODD) else typical
                bucket[name].append(_ms(lambda check=check, a=answer: check(a)))

    header = f"{'check':24} {'calls':>5} {'median':>7} {'p99':>7} | {'odd med':>7} {'odd p99':>7}"
    print(f"{header} | {'cold med':>8} {'cold max':>8}   (ms)")
    report: dict[str, dict[str, float]] = {}
    failed = False
    for name in sorted(typical):
        times = typical[name] + odd[name]
        row = {
            "calls": len(times),
            "median_ms": statistics.median(times),
            "p99_ms": _p99(times),
            "typical_median_ms": statistics.median(typical[name]),
            "typical_p99_ms": _p99(typical[name]),
            "odd_median_ms": statistics.median(odd[name]),
            "odd_p99_ms": _p99(odd[name]),
            "cold_median_ms": statistics.median(cold[name]),
            "cold_max_ms": max(cold[name]),
        }
        report[name] = row
        miss = max(row["median_ms"], row["typical_median_ms"]) >= MEDIAN_TARGET_MS
        miss |= row["p99_ms"] >= P99_TARGET_MS
        failed |= miss
        print(
            f"{name:24} {row['calls']:5d} {row['typical_median_ms']:7.2f} "
            f"{row['typical_p99_ms']:7.2f} | {row['odd_median_ms']:7.2f} {row['odd_p99_ms']:7.2f}"
            f" | {row['cold_median_ms']:8.1f} {row['cold_max_ms']:8.1f}"
            f"{'  MISSED' if miss else ''}"
        )
    every = [t for bucket in (typical, odd) for times in bucket.values() for t in times]
    right = [t for times in typical.values() for t in times]
    overall = {
        "calls": len(every),
        "median_ms": statistics.median(every),
        "p99_ms": _p99(every),
        "typical_median_ms": statistics.median(right),
        "typical_p99_ms": _p99(right),
    }
    report["overall"] = overall
    print(
        f"{'overall':24} {overall['calls']:5d} {overall['typical_median_ms']:7.2f} "
        f"{overall['typical_p99_ms']:7.2f} | all answers: median {overall['median_ms']:.2f}, "
        f"p99 {overall['p99_ms']:.2f}"
    )
    print(
        f"median/p99: typical answers (right, wrong, other forms); odd: placeholders, hostile "
        f"text, junk. Target: median < {MEDIAN_TARGET_MS:.0f} ms, p99 < {P99_TARGET_MS:.0f} ms."
    )
    hostile_and_cut_off()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
