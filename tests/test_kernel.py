"""The fixed-name Jupyter kernel exists after setup and is what papermill runs use."""

from __future__ import annotations

import inspect

from forecast import config, kernel, pipeline


def test_kernel_is_registered_under_the_fixed_name():
    assert kernel.ensure_kernel() == config.KERNEL_NAME
    assert kernel.kernel_installed(config.KERNEL_NAME)


def test_papermill_runs_name_the_kernel_explicitly():
    source = inspect.getsource(pipeline._execute)
    assert "kernel_name=kernel" in source
