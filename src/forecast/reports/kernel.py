"""The Jupyter kernel every papermill run uses, registered under a fixed name.

``make setup`` (and the first ``forecast run``) registers the kernel
:data:`forecast.config.KERNEL_NAME` inside the active environment
(``--sys-prefix``), so a fresh machine never meets papermill's "No such kernel".
"""

from __future__ import annotations

import sys

from forecast import config


def kernel_installed(name: str = config.KERNEL_NAME) -> bool:
    """Whether a kernelspec called ``name`` is visible to Jupyter."""
    from jupyter_client.kernelspec import KernelSpecManager

    return name in KernelSpecManager().find_kernel_specs()


def ensure_kernel(name: str = config.KERNEL_NAME) -> str:
    """Register the kernel for this interpreter if it is missing; return its name."""
    if not kernel_installed(name):
        from ipykernel.kernelspec import install

        install(kernel_name=name, display_name=config.KERNEL_DISPLAY_NAME, prefix=sys.prefix)
    return name
