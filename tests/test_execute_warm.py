"""Warm kernels: a worker executes notebook after notebook in one kernel, and no notebook can
tell: it sees none of the previous notebook's variables or settings, its cells are numbered
from 1, a failure is reported with its cell and the next notebook gets a fresh kernel, and
every page keeps its executed notebook."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from forecast import config
from forecast.reports import execute
from forecast.reports.runspec import Job

#: The last cell of every probe notebook: what a notebook can see of the kernel, as one JSON line.
PROBE = """import json as _json, os as _os, sys as _sys, warnings as _warnings
import matplotlib as _mpl
print(_json.dumps({"pid": _os.getpid(), "prefix": _sys.prefix, "cwd": _os.getcwd(),
                   "names": sorted(n for n in globals() if not n.startswith("_") and n not in
                                   ("In", "Out", "get_ipython", "exit", "quit", "open")),
                   "linewidth": _mpl.rcParams["lines.linewidth"], "env": _os.environ.get("LEFT_BEHIND"),
                   "path": _sys.path[0],
                   "ignore_all": any(f[0] == "ignore" and f[1] is None and f[2] is Warning
                                     for f in _warnings.filters)}))"""


def _notebook(folder: Path, name: str, *cells: str) -> str:
    nb = new_notebook(metadata={"kernelspec": {"name": config.KERNEL_NAME, "display_name": "x",
                                               "language": "python"}})
    params = new_code_cell('label: str = ""  # a parameter')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(new_code_cell(c) for c in cells), new_code_cell(PROBE)]
    nbformat.write(nb, folder / name)
    return name


@pytest.fixture
def notebooks(tmp_path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _notebook(folder, "dirty.ipynb",
              "import os, sys, warnings, matplotlib\nleft_behind = 42\nwarnings.filterwarnings('ignore')\n"
              "matplotlib.rcParams['lines.linewidth'] = 9.0\nos.environ['LEFT_BEHIND'] = '1'\n"
              "sys.path.insert(0, '/left/behind')\nos.chdir('/')")
    _notebook(folder, "clean.ipynb")
    _notebook(folder, "boom.ipynb", "x = 1", "raise RuntimeError('the boom cell')")
    return folder


def _seen(workdir: Path, output: str) -> dict:
    """The probe's line of an executed notebook (its record, kept beside the pages)."""
    nb = nbformat.read(workdir / "notebooks" / f"{output}.ipynb", as_version=4)
    return json.loads(nb.cells[-1].outputs[0]["text"])


def _run(notebooks: Path, workdir: Path, names: list[str], **kw) -> list[execute.JobResult]:
    jobs = [Job(notebook=n, output=f"{i}-{n.removesuffix('.ipynb')}", parameters={"label": str(i)})
            for i, n in enumerate(names)]
    return execute.execute_jobs(jobs, workdir, notebooks=notebooks, jobs_at_once=1, header_html=None, **kw)


def _counts(workdir: Path, output: str) -> list[int | None]:
    nb = nbformat.read(workdir / "notebooks" / f"{output}.ipynb", as_version=4)
    return [c.execution_count for c in nb.cells if c.cell_type == "code"]


@pytest.mark.slow
def test_one_worker_reuses_its_kernel_and_each_notebook_starts_clean(notebooks, tmp_path):
    work = tmp_path / "run"
    results = _run(notebooks, work, ["clean.ipynb", "dirty.ipynb", "clean.ipynb"])
    assert all(r.ok for r in results), [r.error for r in results]
    first, dirty, after = (_seen(work, r.job.output) for r in results)
    assert first["pid"] == dirty["pid"] == after["pid"]           # one kernel for the three notebooks
    assert dirty["names"] == ["label", "left_behind", "matplotlib", "os", "sys", "warnings"]
    assert dirty["linewidth"] == 9.0 and dirty["ignore_all"] and dirty["env"] == "1"
    assert dirty["path"] == "/left/behind" and dirty["cwd"] == "/"
    assert after == first                                         # nothing of the dirty notebook is left
    assert after["names"] == ["label"] and after["prefix"] == sys.prefix
    assert after["cwd"] == str(notebooks)
    assert _counts(work, results[2].job.output) == _counts(work, results[0].job.output) == [1, 2, 3]


@pytest.mark.slow
def test_a_failure_names_its_cell_and_the_next_notebook_gets_a_fresh_kernel(notebooks, tmp_path):
    work = tmp_path / "run"
    before, boom, after = _run(notebooks, work, ["clean.ipynb", "boom.ipynb", "clean.ipynb"])
    assert before.ok and after.ok
    assert not boom.ok and boom.error == "RuntimeError: the boom cell"
    assert boom.cell == 4                       # parameters, injected parameters, x = 1, the boom cell
    executed = nbformat.read(work / "notebooks" / f"{boom.job.output}.ipynb", as_version=4)
    assert "papermill-error-cell" in json.dumps(executed)         # the record keeps papermill's banner
    assert _seen(work, after.job.output)["pid"] != _seen(work, before.job.output)["pid"]


@pytest.mark.slow
def test_every_notebook_keeps_its_own_parameters_and_record(notebooks, tmp_path):
    work = tmp_path / "run"
    results = _run(notebooks, work, ["clean.ipynb"] * 3)
    for i, r in enumerate(results):
        nb = nbformat.read(work / "notebooks" / f"{r.job.output}.ipynb", as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and f'label = "{i}"' in injected[0].source


@pytest.mark.slow
def test_without_warm_kernels_every_notebook_has_its_own(notebooks, tmp_path):
    work = tmp_path / "run"
    results = _run(notebooks, work, ["clean.ipynb", "clean.ipynb"], warm=False)
    assert all(r.ok for r in results)
    assert _seen(work, results[0].job.output)["pid"] != _seen(work, results[1].job.output)["pid"]
