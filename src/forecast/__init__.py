"""Forecasting workbench for the 2030 qualification targets of Lạng Sơn's Plan 165/KH-UBND.

The package holds every piece of reusable logic; notebooks in ``notebooks/`` only
call into it. See ``README.md`` and ``docs/architecture.md`` for the data flow.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("forecast")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
