"""A warm kernel is handed to a notebook only once its output channel (IOPub) is live.

The race (ZeroMQ's "slow joiner": the shell reply arrives before the IOPub subscription
has reached the kernel) cannot be provoked on demand with a real kernel, so a client that
loses the first kernel_info's output stands in for it; every grading test runs the real
handshake.
"""

from __future__ import annotations

from queue import Empty
from types import SimpleNamespace

import pytest

from autograder.grading.pool import WarmKernel


class LateSubscriber:
    """A kernel client whose IOPub subscription goes live after ``lost`` kernel_infos."""

    def __init__(self, lost: int) -> None:
        self.lost = lost
        self.requests: list[str] = []
        self.iopub: list[dict] = []
        self.shell: list[dict] = []

    def kernel_info(self) -> str:
        msg_id = f"info-{len(self.requests)}"
        self.requests.append(msg_id)
        self.shell.append({"parent_header": {"msg_id": msg_id}, "content": {"status": "ok"}})
        if len(self.requests) > self.lost:
            self.iopub += [{"msg_type": "status", "content": {"execution_state": s}}
                           for s in ("busy", "idle")]
        return msg_id

    async def get_shell_msg(self, timeout: float) -> dict:
        if not self.shell:
            raise Empty
        return self.shell.pop(0)

    async def get_iopub_msg(self, timeout: float) -> dict:
        if not self.iopub:
            raise Empty
        return self.iopub.pop(0)


def _kernel() -> SimpleNamespace:
    kernel = SimpleNamespace(is_alive=lambda: True)
    kernel._request = lambda kc, msg_id, timeout: WarmKernel._request(kernel, kc, msg_id,
                                                                       timeout)
    return kernel


@pytest.mark.parametrize("lost", [0, 1, 3])
def test_handshake_asks_again_until_output_arrives_and_leaves_none_behind(lost):
    kc = LateSubscriber(lost)
    WarmKernel._until_iopub_live(_kernel(), kc, timeout=30)
    assert len(kc.requests) == lost + 1
    assert kc.iopub == []  # the handshake's own status messages are not the notebook's


def test_an_output_channel_that_never_connects_is_an_error_not_a_hang():
    kc = LateSubscriber(lost=10**6)
    with pytest.raises(RuntimeError, match="output channel did not connect"):
        WarmKernel._until_iopub_live(_kernel(), kc, timeout=1)
