"""Notebooks saved clean by JupyterLab: a pre-save hook and the Jupyter server extension that registers it.

Running ``notebooks/explore.ipynb`` (the explorer's launcher) in JupyterLab puts the
widget's output in its last cell, and JupyterLab's autosave would write it (and, if
enabled, the widget state) into the committed file; reopened after a kernel restart it
would then show "model not found" and an old verdict. :func:`pre_save` is a Jupyter
server pre-save hook that drops outputs, execution counts and widget state from
notebooks marked ``"forecast": {"clean_on_save": true}`` in their metadata (the launcher
is), and leaves every other notebook alone.

No command-line option is needed: this module is also a Jupyter server extension, which
registers :func:`pre_save` with the server's contents manager (``register_pre_save_hook``:
it runs beside any other extension's hook instead of replacing it). :func:`install_hook`
enables the extension with a config fragment
(``jupyter_server_config.d/forecast-explorer.json``, the way Jupyter extensions are
enabled) in this environment's config folder (``<venv>/etc/jupyter``), which every
``jupyter lab`` or ``jupyter server`` started from the environment reads. ``forecast
kernel`` (run by ``make setup``) and ``forecast explore`` call it; it is idempotent.

It lives in :mod:`forecast.reports` rather than beside the explorer because the Jupyter
server imports it at every start: importing :mod:`forecast.explorer` (widgets, matplotlib,
the engine) would add seconds to it. Imports only :mod:`forecast.atomic`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forecast import atomic

#: The config fragment's file name inside ``jupyter_server_config.d``.
CONFIG_NAME = "forecast-explorer.json"


def marked(nb: dict) -> bool:
    """Whether a notebook (as a JSON dict) asks to be saved without outputs."""
    return bool(((nb.get("metadata") or {}).get("forecast") or {}).get("clean_on_save"))


def strip(nb: dict) -> dict:
    """``nb`` (a JSON dict, changed in place and returned) without outputs, execution counts or widget state."""
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        (cell.get("metadata") or {}).pop("execution", None)
    return nb


def pre_save(model: dict, **_kwargs: Any) -> None:
    """Jupyter server pre-save hook: strip marked notebooks before they are written."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict) and marked(model["content"]):
        strip(model["content"])


def hook_config() -> dict:
    """The Jupyter config fragment that enables this module as a server extension."""
    return {"ServerApp": {"jpserver_extensions": {__name__: True}}}


def _jupyter_server_extension_points() -> list[dict]:
    """Jupyter's entry point: this module is the extension."""
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Jupyter calls this on start: run :func:`pre_save` before every save."""
    serverapp.contents_manager.register_pre_save_hook(pre_save)


def config_folder() -> Path:
    """This environment's Jupyter config folder (``<sys.prefix>/etc/jupyter``, Jupyter's own choice)."""
    from jupyter_core.paths import ENV_CONFIG_PATH

    return Path(ENV_CONFIG_PATH[0])


def install_hook(folder: Path | None = None) -> Path:
    """Put the pre-save hook's config fragment in place (``folder`` default :func:`config_folder`).

    Written only when missing or different, atomically; returns the fragment's path.
    """
    path = Path(folder or config_folder()) / "jupyter_server_config.d" / CONFIG_NAME
    try:
        current = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        current = None
    if current != hook_config():
        atomic.write_json(path, hook_config())
    return path
