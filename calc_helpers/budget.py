"""Time budgets: every public engine call ends within its budget or raises `BudgetExceeded`.

One timer for the whole project (the autograder caps students' answers with it too):

- In the main thread `alarm` uses SIGALRM and ``setitimer``. Timers nest: an alarm set inside
  another (ours or anybody's ``setitimer``) fires at the earlier of the two deadlines, the
  outer handler runs if the outer deadline is the one that came, and on leaving the block the
  outer timer is re-armed with the time it has left.
- In any other thread signals cannot be used: the deadline is *cooperative*. The engine calls
  `checkpoint()` in its loops (zero searches, piece splitting, sign charts, derivative orders)
  and it raises there once the deadline has passed; inside SymPy, a trace function
  (``sys.settrace``, calls only) looks at the clock every 256 Python calls. Where a tracer is
  already set (a debugger, coverage) it is left alone and only the engine's own checkpoints
  count; a long computation inside C code is never interrupted.

`time_budget(seconds)` changes the budget of the engine calls inside the block, and
`DEFAULT_SECONDS` is the budget outside any such block.
"""

from __future__ import annotations

import contextvars
import functools
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

DEFAULT_SECONDS = 5.0
"""Budget of one public engine call when no `time_budget` block says otherwise."""

_seconds: contextvars.ContextVar[float | None] = contextvars.ContextVar("budget", default=None)
_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("inside_engine", default=False)
_local = threading.local()  # cooperative deadlines of non-main threads (a stack)

F = TypeVar("F", bound=Callable[..., Any])


class EngineError(ValueError):
    """The engine could not give an answer: the message says why and what to pass instead.

    The base class of the engine's refusals (a ValueError, so ``except ValueError`` catches
    them all).

    Examples
    --------
    >>> from calc_helpers import critical_points
    >>> try:
    ...     critical_points("sin(x)")
    ... except EngineError as error:
    ...     print(type(error).__name__ + ":", error)
    InfinitelyManyError: f' = 0 has infinitely many solutions on Interval(-oo, oo);
    pass a bounded domain, e.g. domain=Interval(-2*pi, 2*pi)
    """


class BudgetExceeded(EngineError):
    """A public engine call ran past its time budget.

    The message names the question, what to pass to get an answer sooner, and
    `time_budget` to allow more time.

    Examples
    --------
    >>> issubclass(BudgetExceeded, EngineError), issubclass(BudgetExceeded, ValueError)
    (True, True)
    """


class Undecidable(EngineError):
    """The engine cannot decide the answer (a value too large to evaluate, a difference
    quotient without a limit); the message says which.

    Examples
    --------
    >>> issubclass(Undecidable, EngineError)
    True
    """


class _Expired(BaseException):
    """Raised by a timer; a BaseException so that no ``except Exception`` in SymPy or in the
    engine swallows it on its way to the block that set the timer."""

    def __init__(self, owner: object) -> None:
        super().__init__()
        self.owner = owner


def _signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def checkpoint() -> None:
    """Raise if a cooperative deadline (non-main threads) has passed; cheap otherwise.

    The engine's loops call it so that an `alarm` in a thread without signals can end them.

    Returns
    -------
    None

    Examples
    --------
    >>> checkpoint()  # no deadline has passed: nothing happens
    """
    stack = getattr(_local, "deadlines", None)
    if stack:
        now = time.monotonic()
        for entry in stack:
            if now >= entry[1]:
                entry[2] = True
                raise _Expired(entry[0])


def _traced_checkpoint() -> None:
    """`checkpoint` for the tracer: raises once per deadline (not again in the clean-up code
    that runs while the exception unwinds, such as generators being closed)."""
    stack = getattr(_local, "deadlines", None)
    if stack:
        now = time.monotonic()
        for entry in stack:
            if now >= entry[1] and not entry[2]:
                entry[2] = True
                raise _Expired(entry[0])


def _tracer(counter: list[int]):
    """A trace function that looks at the clock every few hundred Python calls, so that a
    long SymPy call in a thread without signals is interrupted too."""

    def trace(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            counter[0] += 1
            if counter[0] % 256 == 0:
                _traced_checkpoint()
        return None  # no line-by-line tracing: calls only

    return trace


@contextmanager
def _cooperative(seconds: float, owner: object) -> Iterator[None]:
    stack = _local.__dict__.setdefault("deadlines", [])
    stack.append([owner, time.monotonic() + seconds, False])
    previous = sys.gettrace()
    ours = previous is None or getattr(previous, "_budget", False)
    if ours and previous is None:  # never displace a debugger's or coverage's tracer
        trace = _tracer([0])
        trace._budget = True  # type: ignore[attr-defined]
        sys.settrace(trace)
    try:
        yield
    finally:
        stack.pop()
        if ours:
            sys.settrace(previous)


@contextmanager
def _signal_alarm(seconds: float, owner: object) -> Iterator[None]:
    now = time.monotonic()
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    outer_deadline = now + outer_left if outer_left > 0 else None
    deadline = now + seconds
    previous = signal.getsignal(signal.SIGALRM)
    state = {"outer_pending": outer_deadline is not None}

    def on_alarm(signum: int, frame: Any) -> None:
        moment = time.monotonic()
        if state["outer_pending"] and outer_deadline is not None and moment >= outer_deadline:
            state["outer_pending"] = False
            if moment < deadline:  # our own time is not up: keep counting it
                signal.setitimer(signal.ITIMER_REAL, deadline - moment)
            if callable(previous):
                previous(signum, frame)  # the outer timer's own reaction (may raise)
            return
        if moment >= deadline - 1e-3:
            # fire again soon, in case this exception lands in code that swallows it (a
            # finaliser); leaving the block cancels the timer
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            raise _Expired(owner)
        signal.setitimer(signal.ITIMER_REAL, deadline - moment)  # early wake-up: wait more

    first = min(deadline, outer_deadline) if outer_deadline is not None else deadline
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(first - now, 1e-4))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if state["outer_pending"] and outer_deadline is not None:
            left = max(outer_deadline - time.monotonic(), 1e-4)  # overdue: fire at once
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


@contextmanager
def alarm(seconds: float, error: Callable[[], BaseException]) -> Iterator[None]:
    """Run the block for at most `seconds`; past that, raise ``error()`` out of the block.

    Parameters
    ----------
    seconds
        The time limit (positive).
    error
        Makes the exception raised when the limit is reached (a class works).

    Raises
    ------
    ValueError
        Where `seconds` is not positive.

    Notes
    -----
    Nests with any outer timer: the earlier deadline wins, an outer deadline is served by the
    outer handler (or outer `alarm`), and the outer timer is re-armed on leaving. In a
    non-main thread the deadline is cooperative (see the module docstring).

    Examples
    --------
    >>> with alarm(0.05, TimeoutError):
    ...     while True:
    ...         checkpoint()
    Traceback (most recent call last):
    ...
    TimeoutError
    >>> with alarm(5, TimeoutError):
    ...     print("done in time")
    done in time
    """
    if seconds <= 0:
        raise ValueError(f"a time limit must be positive, got {seconds!r}")
    owner = object()
    limiter = _signal_alarm if _signals_usable() else _cooperative
    try:
        with limiter(seconds, owner):
            checkpoint()
            yield
    except _Expired as expired:
        if expired.owner is not owner:
            raise
        raise error() from None


def current_seconds() -> float:
    """The budget a public engine call started now would get.

    Returns
    -------
    float
        Seconds: `DEFAULT_SECONDS`, or the budget of the innermost `time_budget` block.

    Examples
    --------
    >>> current_seconds()
    5.0
    >>> with time_budget(20):
    ...     current_seconds()
    20.0
    """
    value = _seconds.get()
    return DEFAULT_SECONDS if value is None else value


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Give the engine calls in the block `seconds` each (instead of `DEFAULT_SECONDS`).

    Parameters
    ----------
    seconds
        The budget of each public engine call made in the block (positive). Attempts inside
        a call (SymPy's solveset and solve, limits, simplify) get shares of it, so a larger
        budget can also give more exact answers.

    Raises
    ------
    ValueError
        Where `seconds` is not positive.

    Examples
    --------
    >>> import sympy as sp
    >>> from calc_helpers import critical_points
    >>> with time_budget(20):
    ...     critical_points("sin(x)", domain=sp.Interval(-4, 4))
    [-pi/2, pi/2]
    """
    if not seconds > 0:
        raise ValueError(f"a time budget must be positive, got {seconds!r}")
    token = _seconds.set(float(seconds))
    try:
        yield
    finally:
        _seconds.reset(token)


def budgeted(what: str, instead: str = "a bounded domain such as domain=Interval(-5, 5)"):
    """Decorator for a public engine function: run it within the current budget.

    `what` names the question (for the message); `instead` says what the caller may pass to
    get an answer. Calls made from inside another budgeted call share the outer budget.

    Parameters
    ----------
    what
        The question the function answers, as the message of `BudgetExceeded` names it.
    instead
        What the caller may pass to get an answer in time.

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @budgeted("the answer", "a smaller n")
    ... def count(n):
    ...     return sum(range(n))
    >>> count(10)
    45
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if _inside.get():
                checkpoint()
                return function(*args, **kwargs)
            seconds = current_seconds()

            def exceeded() -> BudgetExceeded:
                subject = f" for f = {args[0]}" if args else ""
                return BudgetExceeded(
                    f"could not decide {what}{subject} within {seconds:g} s; pass {instead}, "
                    "or allow more time with calc_helpers.time_budget(seconds)"
                )

            token = _inside.set(True)
            try:
                with alarm(seconds, exceeded):
                    return function(*args, **kwargs)
            finally:
                _inside.reset(token)

        return wrapper  # type: ignore[return-value]

    return decorate


@contextmanager
def soft_limit(share: float) -> Iterator[list[bool]]:
    """A limit for one attempt inside an engine call, a `share` of the current budget (0.2 of
    the default 5 s is 1 s; under ``time_budget(60)`` it is 12 s, so a larger budget buys
    more exact answers, not only more time). On expiry the block is left quietly and the
    yielded flag list holds ``[True]`` (the caller then tries another way).

    Parameters
    ----------
    share
        The fraction of the current budget (`current_seconds`) the block may take.

    Examples
    --------
    >>> with soft_limit(0.2) as expired:
    ...     total = sum(range(10))
    >>> total, expired
    (45, [])
    """
    seconds = share * current_seconds()
    flag: list[bool] = []

    class _Soft(Exception):
        pass

    try:
        with alarm(seconds, _Soft):
            yield flag
    except _Soft:
        flag.append(True)
