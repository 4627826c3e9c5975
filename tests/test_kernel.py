"""The fixed-name Jupyter kernel exists after setup and is what papermill runs use."""

from __future__ import annotations

import sys

import nbformat

from forecast import config
from forecast.reports import kernel, pipeline


def test_kernel_is_registered_under_the_fixed_name():
    assert kernel.ensure_kernel() == config.KERNEL_NAME
    assert kernel.kernel_installed(config.KERNEL_NAME)


def test_runs_use_the_workbench_kernel_whatever_the_notebook_metadata_says(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "no-such-kernel", "display_name": "x", "language": "python"}
    params = nbformat.v4.new_code_cell("x: int = 1  # a number")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)")]
    nbformat.write(nb, tmp_path / "k.ipynb")
    job = pipeline.Job(notebook="k.ipynb", output="k", parameters={"x": 2})
    result = pipeline._execute(job, str(tmp_path), str(tmp_path / "out"), kernel.ensure_kernel())
    assert result.ok, result.error
    executed = nbformat.read(tmp_path / "out" / "notebooks" / "k.ipynb", as_version=4)
    printed = executed.cells[-1].outputs[0]["text"].strip()
    assert printed == sys.prefix  # the kernel runs this environment's interpreter
