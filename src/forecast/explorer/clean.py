"""Keep the explorer's launcher notebook clean when JupyterLab saves it (see :mod:`forecast.reports.cleansave`).

The hook and its installer live in :mod:`forecast.reports.cleansave`, which the Jupyter
server can import without the explorer's heavy modules; they are re-exported here under
the explorer's name.
"""

from forecast.reports.cleansave import (
    CONFIG_NAME,
    config_folder,
    hook_config,
    install_hook,
    marked,
    pre_save,
    strip,
)

__all__ = ["CONFIG_NAME", "config_folder", "hook_config", "install_hook", "marked", "pre_save", "strip"]
