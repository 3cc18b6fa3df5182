"""The grader's execution settings: nbgrader's Execute as the grader configures it."""

from __future__ import annotations

from nbgrader.preprocessors import Execute
from traitlets.config import Config

from autograder.grading.runner import IOPUB_TIMEOUT, execution_config
from autograder.grading.sandbox import Limits


def test_a_cells_last_outputs_are_waited_for_generously():
    # nbgrader's own default fails a cell whose outputs take over 4 s after its reply
    assert Execute().iopub_timeout == 4 and Execute().raise_on_iopub_timeout
    ep = Execute(config=execution_config(Config(), Limits(cell_timeout=20)))
    assert ep.iopub_timeout == IOPUB_TIMEOUT >= 30
    assert ep.timeout == 20


def test_a_course_setting_a_longer_wait_keeps_it():
    config = Config()
    config.Execute.iopub_timeout = 300
    config.Execute.timeout = 45
    ep = Execute(config=execution_config(config, Limits()))
    assert ep.iopub_timeout == 300 and ep.timeout == 45
    assert config.Execute.iopub_timeout == 300  # the course's config is not changed
