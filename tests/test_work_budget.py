"""The work budget used instead of wall-clock limits counts calls and stops a runaway."""

import pytest
from work_budget import WorkBudgetExceeded, work_budget


def test_counts_calls_and_stops_past_the_budget():
    with work_budget(1000) as counter:
        for _ in range(10):
            abs(-1)
    assert 10 <= counter.calls < 1000

    def runaway():
        while True:
            abs(-1)

    with pytest.raises(WorkBudgetExceeded), work_budget(10_000):
        runaway()


def test_cannot_be_swallowed_by_except_exception():
    def swallowing():
        try:
            for _ in range(100):
                abs(-1)
        except Exception:  # noqa: BLE001 - what checks do with an answer's errors
            return "swallowed"
        return "done"

    with pytest.raises(WorkBudgetExceeded), work_budget(50):
        swallowing()
