"""A bound on work that does not depend on how busy the machine is: count function calls.

`work_budget(calls)` counts every Python and C function call made in its block (this thread,
through `sys.setprofile`) and raises `WorkBudgetExceeded` as soon as there are more than
`calls`: a test asserts "refused (or answered) with bounded work" instead of "within N seconds",
which fails on a slow day. A runaway computation inside a single C call is not counted; the
production code's own time limits are there for that.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


class WorkBudgetExceeded(BaseException):
    """More calls than the budget (a BaseException: code under test cannot swallow it)."""


class Counter:
    """The number of calls counted so far (`calls`)."""

    def __init__(self) -> None:
        self.calls = 0


@contextmanager
def work_budget(calls: int) -> Iterator[Counter]:
    """Count the calls made in the block; raise WorkBudgetExceeded past `calls`."""
    counter = Counter()
    previous = sys.getprofile()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event in ("call", "c_call"):
            counter.calls += 1
            if counter.calls > calls:
                sys.setprofile(previous)
                raise WorkBudgetExceeded(f"more than {calls} function calls")

    sys.setprofile(profile)
    try:
        yield counter
    finally:
        sys.setprofile(previous)
