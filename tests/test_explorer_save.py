"""The explorer's launcher stays clean when JupyterLab saves it, with no option on the command line.

``forecast kernel`` (``make setup``) and ``forecast explore`` put a config fragment in the
environment's Jupyter config folder (:func:`forecast.reports.cleansave.install_hook`); a
Jupyter server started from the environment then runs the pre-save hook by itself. The
check starts a real ``jupyter server`` on a copy of ``notebooks/explore.ipynb``, saves it
through the contents API with the outputs and widget state a run in JupyterLab leaves,
and reads the file back; the same save with the extension turned off keeps the outputs
(so the check can fail). The test's config folder comes first in Jupyter's search path, so
the result does not depend on whether this environment's folder already holds the fragment.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest

from forecast import atomic
from forecast.commands.explore import free_port, wait_until_listening
from forecast.reports import cleansave as clean

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "notebooks" / "explore.ipynb"
TOKEN = "test-explorer-save"
WIDGET_STATE = {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {"model_name": "HBoxModel"}},
                                                              "version_major": 2, "version_minor": 0}}
VIEW = {"output_type": "display_data", "metadata": {},
        "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                              "version_minor": 0},
                 "text/plain": "HBox(children=(VBox(...)))"}}
VERDICT = {"output_type": "stream", "name": "stdout", "text": "Với các đòn bẩy này, xác suất đạt 81,0%\n"}


def _run_in_jupyterlab(content: dict) -> dict:
    """The notebook as JupyterLab holds it after Run All: outputs, execution counts, widget state."""
    nb = copy.deepcopy(content)
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = i + 1
        cell["outputs"] = [VIEW, VERDICT]
    nb["metadata"]["widgets"] = WIDGET_STATE
    return nb


def _request(url: str, method: str = "GET", body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read().decode("utf-8"))


@pytest.fixture
def server(tmp_path):
    """Start ``jupyter server`` on a folder; ``start(config_path)`` returns (base URL, folder)."""
    procs = []

    def start(config_path: Path) -> tuple[str, Path]:
        root = tmp_path / f"root{len(procs)}"
        root.mkdir()
        shutil.copy(LAUNCHER, root / "explore.ipynb")
        other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
        nbformat.write(other, root / "other.ipynb")
        port = free_port()
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "user-config"),
               "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_PLATFORM_DIRS": "1"}
        env["JUPYTER_CONFIG_PATH"] = str(config_path)  # searched first, before the environment's own folder
        cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={TOKEN}", "--allow-root"]
        proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        procs.append(proc)
        wait_until_listening(port, timeout=120, proc=proc)
        return f"http://127.0.0.1:{port}", root

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _save_after_a_run(base: str, name: str) -> None:
    model = _request(f"{base}/api/contents/{name}?content=1")
    _request(f"{base}/api/contents/{name}", "PUT",
             {"type": "notebook", "format": "json", "content": _run_in_jupyterlab(model["content"])})


def _leftovers(path: Path) -> list[str]:
    """What a run left in a saved notebook: outputs, execution counts, widget state."""
    nb = json.loads(path.read_text("utf-8"))
    found = ["widget state"] if "widgets" in nb.get("metadata", {}) else []
    for cell in nb["cells"]:
        if cell.get("outputs"):
            found.append("outputs")
        if cell.get("execution_count") is not None:
            found.append("execution count")
    return found


def test_the_committed_launcher_holds_no_output_and_no_widget_state():
    assert _leftovers(LAUNCHER) == []
    assert clean.marked(json.loads(LAUNCHER.read_text("utf-8")))


@pytest.mark.slow
def test_a_server_with_the_installed_fragment_saves_the_launcher_clean_and_others_as_they_are(server, tmp_path):
    fragment = clean.install_hook(tmp_path / "env-config")
    base, root = server(fragment.parent.parent)
    _save_after_a_run(base, "explore.ipynb")
    _save_after_a_run(base, "other.ipynb")
    assert _leftovers(root / "explore.ipynb") == []
    committed, saved = (nbformat.read(p, as_version=4) for p in (LAUNCHER, root / "explore.ipynb"))
    assert [c.source for c in saved.cells] == [c.source for c in committed.cells]  # only the run's traces went
    assert "outputs" in _leftovers(root / "other.ipynb")  # a notebook not marked keeps its outputs


@pytest.mark.slow
def test_with_the_extension_disabled_the_same_save_keeps_the_run(server, tmp_path):
    # the highest-priority config path turns it off, whatever the environment's folder holds
    folder = tmp_path / "env-config"
    atomic.write_json(folder / "jupyter_server_config.d" / clean.CONFIG_NAME,
                      {"ServerApp": {"jpserver_extensions": {clean.__name__: False}}})
    base, root = server(folder)
    _save_after_a_run(base, "explore.ipynb")
    assert set(_leftovers(root / "explore.ipynb")) == {"widget state", "outputs", "execution count"}


def test_the_fragment_goes_to_the_environments_config_folder_and_is_written_once(tmp_path):
    from jupyter_core.paths import jupyter_config_path

    assert str(clean.config_folder()) in jupyter_config_path()  # read by every Jupyter of this environment
    path = clean.install_hook(tmp_path)
    assert path == tmp_path / "jupyter_server_config.d" / clean.CONFIG_NAME
    assert json.loads(path.read_text("utf-8")) == {"ServerApp": {"jpserver_extensions": {clean.__name__: True}}}
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    assert clean.install_hook(tmp_path) == path and path.stat().st_mtime_ns == before - 10**9  # unchanged
    path.write_text("{not json", "utf-8")
    clean.install_hook(tmp_path)
    assert json.loads(path.read_text("utf-8")) == clean.hook_config()
