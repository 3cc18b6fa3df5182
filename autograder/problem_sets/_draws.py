"""Symbols and random draws shared by the assignments' families."""

from __future__ import annotations

import random

import sympy as sp


def symbols() -> tuple[sp.Symbol, sp.Symbol, sp.Symbol]:
    """The real symbols x, w and y the assignments' functions are written in.

    >>> symbols()
    (x, w, y)
    """
    return sp.Symbol("x", real=True), sp.Symbol("w", real=True), sp.Symbol("y", real=True)


def nonzero(rng: random.Random, low: int, high: int) -> int:
    """A random whole number in [low, high] other than 0 (one ``rng.choice``).

    >>> nonzero(random.Random(0), -1, 1) in (-1, 1)
    True
    """
    return rng.choice([v for v in range(low, high + 1) if v != 0])
