"""Time the parser on the inputs its tests refuse or must not hang on (figures, not asserts).

Run: .venv/bin/python bench/bench_parser.py [--repeats N] [--random N]

The tests (tests/test_parser.py) bound the work of these calls by counting function calls;
this prints how long they take here: the slowest of N repeats per input (ms), then the slowest
of the random texts the property test draws from the same alphabet. Target: every call under
500 ms, the limit the tests used to assert.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from calc_helpers.parsing import ParseError, parse, parse_interval_set, parse_number, parse_points

TARGET_MS = 500.0
ALPHABET = "0123456789x+-*/^()[]., |eisnqrtlogpa²√−"  # as in tests/test_parser.py

INPUTS: list[tuple[str, Callable, str]] = [
    ("roots of decimals", parse, "cbrt(0.7*5^(1/7))"),
    ("roots of decimals", parse, "(0.7*5^(1/7))^(1/3)"),
    ("roots of decimals", parse, "cbrt(-0.7*5^(1/7))"),
    ("roots of decimals", parse, "sqrt(((|0.5|)*(root(root(3, 3), 3)))^(root(1, 4)))"),
    ("nesting", parse, "(" * 51 + "x" + ")" * 51),
    ("nesting", parse, "sin(" * 60 + "x" + ")" * 60),
    ("nesting", parse, "2^" * 60 + "2"),
    ("nesting", parse, "|" * 60 + "x" + "|" * 60),
    ("nesting", parse, "sin(" * 7 + "1" + ")" * 7),
    ("huge numbers", parse, "9^9^9^9"),
    ("huge numbers", parse, "1e999"),
    ("huge numbers", parse, "1" * 101),
    ("length", parse, "x" * 100_000),
    ("intervals", parse_interval_set, "(-oo, 3"),
    ("points", parse_points, "[" * 400 + "]" * 400),
]


def _ms(function: Callable, text: str) -> float:
    start = time.perf_counter()
    try:
        function(text)
    except ParseError:
        pass
    return (time.perf_counter() - start) * 1000


def main() -> int:
    """Print the timings; exit status 1 if a call misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--random", type=int, default=300, help="random texts to time")
    args = parser.parse_args()

    worst = 0.0
    print(f"{'input':66} {'max ms':>8}")
    for group, function, text in INPUTS:
        ms = max(_ms(function, text) for _ in range(args.repeats))
        worst = max(worst, ms)
        shown = text if len(text) <= 40 else f"{text[:30]}... ({len(text)} chars)"
        print(f"{group + ': ' + function.__name__ + ' ' + shown:66} {ms:8.2f}")
    rng = random.Random(0)
    slowest = (0.0, "")
    for _ in range(args.random):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        for function in (parse, parse_number, parse_points, parse_interval_set):
            slowest = max(slowest, (_ms(function, text), f"{function.__name__}({text!r})"))
    worst = max(worst, slowest[0])
    print(f"random text ({args.random} texts x 4 parsers): slowest {slowest[0]:.2f} ms, "
          f"{slowest[1]}")
    print(f"slowest call {worst:.2f} ms (target < {TARGET_MS:.0f} ms)")
    return 1 if worst >= TARGET_MS else 0


if __name__ == "__main__":
    raise SystemExit(main())
