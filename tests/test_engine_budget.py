"""Time budgets: a call that cannot finish raises BudgetExceeded, and timers nest.

No wall-clock assertion here: the tests only check *which* exception comes and that an outer
alarm still fires (timing figures are in bench/bench_engine.py).
"""

import signal
import threading

import pytest
import sympy as sp

import calc_helpers as ch
from autograder.checks_core import CheckTimeout, time_limit
from calc_helpers.budget import alarm, checkpoint, soft_limit

x = sp.Symbol("x", real=True)
TOWER = sp.sin(sp.exp(sp.exp(sp.exp(sp.exp(x)))))  # oscillates beyond any grid on [-2, 1]
TOWER_DOMAIN = sp.Interval(-2, 1)


class OuterAlarm(Exception):
    pass


def _raise_outer(signum, frame):
    raise OuterAlarm


def test_pathological_tower_raises_the_budget_exception():
    with ch.time_budget(0.5), pytest.raises(ch.BudgetExceeded) as error:
        ch.critical_points(TOWER, domain=TOWER_DOMAIN)
    message = str(error.value)
    assert "critical points" in message and "time_budget" in message


def test_budget_exception_is_an_engine_error_and_a_value_error():
    assert issubclass(ch.BudgetExceeded, ch.EngineError)
    assert issubclass(ch.EngineError, ValueError)


def test_budget_inside_a_longer_outer_alarm_then_the_outer_alarm_still_fires():
    previous = signal.signal(signal.SIGALRM, _raise_outer)
    try:
        signal.setitimer(signal.ITIMER_REAL, 3.0)
        with ch.time_budget(0.3), pytest.raises(ch.BudgetExceeded):
            ch.critical_points(TOWER, domain=TOWER_DOMAIN)
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # the outer timer is re-armed
        with pytest.raises(OuterAlarm):
            while True:  # the outer alarm must come, and with its own handler
                pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_shorter_outer_alarm_wins_over_the_engine_budget():
    previous = signal.signal(signal.SIGALRM, _raise_outer)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with ch.time_budget(30), pytest.raises(OuterAlarm):
            ch.critical_points(TOWER, domain=TOWER_DOMAIN)
        assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # fired: not re-armed
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_check_time_limit_caps_engine_work_under_an_outer_alarm():
    previous = signal.signal(signal.SIGALRM, _raise_outer)
    try:
        signal.setitimer(signal.ITIMER_REAL, 20.0)
        with ch.time_budget(30), pytest.raises(CheckTimeout), time_limit(0.3):
            ch.critical_points(TOWER, domain=TOWER_DOMAIN)
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_nested_alarms_the_inner_one_is_reported_by_its_own_block():
    class Inner(Exception):
        pass

    class Outer(Exception):
        pass

    with pytest.raises(Inner), alarm(5.0, Outer), alarm(0.05, Inner):
        while True:
            pass


def test_soft_limit_leaves_quietly_and_says_so():
    with soft_limit(0.05) as expired:
        while True:
            pass
    assert expired == [True]


def test_non_main_threads_get_a_cooperative_deadline():
    """Off the main thread the deadline is cooperative: the engine's checkpoints end it."""
    from calc_helpers.budget import alarm

    outcome = []

    def work():
        try:
            with alarm(0.3, ch.BudgetExceeded):
                while True:  # an engine loop: it calls checkpoint() as it goes
                    checkpoint()
        except ch.BudgetExceeded:
            outcome.append("budget")

    thread = threading.Thread(target=work, daemon=True)  # never keeps the process alive
    thread.start()
    thread.join(120)
    assert outcome == ["budget"]


def test_checkpoint_is_free_outside_any_deadline():
    checkpoint()  # no deadline set in this thread: nothing happens


def test_time_budget_refuses_nonsense():
    with pytest.raises(ValueError), ch.time_budget(0):
        pass
