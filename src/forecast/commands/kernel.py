"""``forecast kernel``: register the workbench's Jupyter kernel."""

from __future__ import annotations

from forecast.reports import cleansave
from forecast.reports.kernel import ensure_kernel


def register(sub) -> None:
    p = sub.add_parser("kernel", help="register the Jupyter kernel used by the notebooks")
    p.set_defaults(func=run)


def run(args) -> int:

    print(f"kernel: {ensure_kernel()}")
    # the explorer's launcher is saved without outputs by JupyterLab (forecast.reports.cleansave)
    print(f"jupyter config: {cleansave.install_hook()}")
    return 0
