"""Keep the explorer's launcher notebook clean when JupyterLab saves it.

Running ``notebooks/explore.ipynb`` in JupyterLab puts the widget's output in its last
cell, and JupyterLab's autosave would write it (and, if enabled, the widget state) into
the committed file; reopened after a kernel restart it would then show "model not found"
and an old verdict. :func:`pre_save` is a Jupyter server pre-save hook that drops outputs,
execution counts and widget state from notebooks marked ``"forecast": {"clean_on_save":
true}`` in their metadata (the launcher is), and leaves every other notebook alone. Enable it
with ``jupyter lab --FileContentsManager.pre_save_hook=forecast.explorer.clean.pre_save``.

Imports nothing of ``forecast``.
"""

from __future__ import annotations

from typing import Any


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
