"""One warm kernel per Dask worker process, shared by every province's notebooks on that worker.

The single-province run keeps one warm kernel per worker process
(:class:`forecast.reports.kernel.WarmKernel`: started once, reset before each notebook,
replaced after a failure). The national run does the same in its Dask workers: the
:func:`worker_plugin` registered with the client gives each worker a folder of its own for
the kernel's log (in the worker's local directory), so that one kernel serves the notebooks
of every province the worker runs, and it stops the kernel when the worker closes.
Without the plugin (a task called outside a registered worker) the kernel is kept per
province run folder, as in the single-province run.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

from forecast.reports import execute

#: The plugin's name on the workers (registering it again replaces it).
PLUGIN_NAME = "forecast-warm-kernel"
#: Seconds the worker waits for its kernel to stop before killing it.
STOP_WAIT = 10.0

#: This worker process's folder for the warm kernel (set by the plugin); ``None`` outside one.
_HOME: list[str] = []


def kernel_home() -> str | None:
    """The folder this worker's warm kernel is kept under, or ``None`` (no plugin on this worker)."""
    return _HOME[-1] if _HOME else None


def set_home(local_directory: str | Path) -> str:
    """Make ``local_directory/forecast-kernel`` this process's kernel folder; return it."""
    home = Path(local_directory) / "forecast-kernel"
    home.mkdir(parents=True, exist_ok=True)
    _HOME[:] = [str(home)]
    return str(home)


def stop_kernel() -> None:
    """Stop this process's warm kernel, if any; kill it if it does not stop within :data:`STOP_WAIT`.

    The stop runs in a thread of its own: a worker's teardown runs in its event loop,
    where the kernel client's blocking calls must not run.
    """
    warm = execute._WARM
    pid = warm.pid if warm is not None else None
    stopper = threading.Thread(target=execute._drop_warm_kernel, name="forecast-kernel-stop", daemon=True)
    stopper.start()
    stopper.join(STOP_WAIT)
    if pid is not None and running_child(pid):  # the kernel must not outlive its worker, even if the
        with suppress(OSError):                   # orderly stop failed or hangs
            os.kill(pid, signal.SIGKILL)
    _HOME.clear()


def running_child(pid: int) -> bool:
    """Whether ``pid`` is a child of this process that has not exited.

    A kernel stopped in order has been reaped, and its number may since belong to
    another process: only a child still running is ours to kill. A child that exited
    but was not yet reaped is reaped here.
    """
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # reaped already, or not a child of this process
        return False
    return done == 0


def worker_plugin() -> Any:
    """A ``distributed.WorkerPlugin`` giving each worker one warm kernel, stopped on the worker's close.

    Built here because ``distributed`` is imported only when a national run starts.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class WarmKernelPlugin(WorkerPlugin):
        """Sets the worker's kernel folder on start; stops its warm kernel on close."""

        name = PLUGIN_NAME

        def setup(self, worker: Any) -> None:
            set_home(worker.local_directory)

        def teardown(self, worker: Any) -> None:
            stop_kernel()

    return WarmKernelPlugin()
