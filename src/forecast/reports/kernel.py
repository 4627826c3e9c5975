"""The Jupyter kernel every papermill run uses, registered under a fixed name, and kept warm.

``make setup`` (and the first ``forecast run``) registers the kernel
:data:`forecast.config.KERNEL_NAME` inside the active environment
(``--sys-prefix``), so a fresh machine never meets papermill's "No such kernel".

Starting a kernel and importing the report libraries costs more than executing most
report notebooks, so the runner's workers keep one :class:`WarmKernel` each and execute
notebook after notebook in it, still through papermill (parameters injected, the executed
notebook kept as the page's record, papermill's error banner on a failure). Before each
notebook :func:`reset_session` makes the kernel look freshly started: no variable of the
previous notebook, cells numbered from 1, the working folder, warnings filters and
matplotlib settings as after start-up.
"""

from __future__ import annotations

import queue
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

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


# ---------------------------------------------------------------------------
# a warm kernel: started once per worker, reset before each notebook
# ---------------------------------------------------------------------------
#: The papermill engine name under which :class:`WarmKernel` executes notebooks.
WARM_ENGINE = "forecast-warm"
#: Seconds a kernel may take to start and answer.
START_TIMEOUT = 60

#: Modules a warm kernel imports once, before its first notebook: what every report notebook
#: imports. The state they leave (warnings filters, matplotlib settings) is the state every
#: notebook then starts from.
PRELOAD = ("numpy", "pandas", "matplotlib", "forecast.reports.notebook")

#: The kernel's state after start-up and :data:`PRELOAD` (set in the kernel process).
_START: dict[str, Any] = {}


def snapshot_session(preload: tuple[str, ...] = ()) -> None:
    """Import ``preload``, then record the state :func:`reset_session` puts back (runs in the kernel)."""
    import importlib
    import os
    import warnings

    for name in preload:
        importlib.import_module(name)
    _START["filters"] = list(warnings.filters)
    _START["environ"] = dict(os.environ)
    _START["path"] = list(sys.path)
    if "matplotlib" in sys.modules:
        _START["rc"] = dict(sys.modules["matplotlib"].rcParams)


def reset_session(cwd: str) -> None:
    """Make a used kernel look freshly started to the next notebook (runs in the kernel).

    IPython's reset with a new session drops every variable, the input and output history and
    the execution counter (the next notebook's cells are numbered from 1, as in a fresh kernel);
    the imported modules stay loaded, which is what a warm kernel is for. The process-wide
    state a notebook may change is put back as :func:`snapshot_session` found it: the working
    folder, the environment variables, ``sys.path``, the warnings filters, matplotlib's
    settings; open figures are closed.
    (A module imported by a notebook but not preloaded adds its import-time warnings filters
    only for the first notebook that imports it.)
    """
    import os
    import warnings

    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)
    os.chdir(cwd)
    if "environ" in _START:
        os.environ.clear()
        os.environ.update(_START["environ"])
        sys.path[:] = _START["path"]
    if "filters" in _START:
        warnings.filters[:] = _START["filters"]  # type: ignore[index]  # a list at run time
        warnings._filters_mutated()  # type: ignore[attr-defined]  # forget what was already shown
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "rc" in _START:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated keys warn when set again
            sys.modules["matplotlib"].rcParams.update(_START["rc"])


class KernelSetupError(RuntimeError):
    """A warm kernel did not start, or did not accept its set-up or reset code."""


class WarmKernel:
    """One Jupyter kernel kept alive to execute notebook after notebook (in one worker process).

    Starting a kernel and importing the report libraries costs more than most report
    notebooks; a warm kernel pays it once. Before each notebook the kernel's session is
    reset (:func:`reset_session`), so a notebook never sees another's variables, and each
    notebook still goes through papermill (parameters injected, the executed notebook
    written as the page's record, papermill's error banner on a failure).

    Parameters
    ----------
    name : str
        The kernelspec (:func:`ensure_kernel`).
    cwd : str
        The kernel's working folder (the notebooks' folder), put back before each notebook.
    log : Path, optional
        File receiving the kernel's own stderr (start-up chatter, warnings).
    preload : tuple of str
        Modules imported once when the kernel starts (:data:`PRELOAD`).
    """

    def __init__(self, name: str, cwd: str, log: Path | None = None, preload: tuple[str, ...] = PRELOAD) -> None:
        self.name, self.cwd, self.log, self.preload = name, str(cwd), log, tuple(preload)
        self.km: Any = None
        self.kc: Any = None
        self.notebooks = 0

    @property
    def pid(self) -> int | None:
        """The kernel's process id (None before start or after shutdown)."""
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def start(self) -> WarmKernel:
        """Start the kernel, connect a client and record its fresh state."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.km = AsyncKernelManager(kernel_name=self.name)
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log, "ab") as err:  # the kernel keeps its own copy of the descriptor
                run_sync(self.km.start_kernel)(cwd=self.cwd, stderr=err)
        else:
            run_sync(self.km.start_kernel)(cwd=self.cwd)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.allow_stdin = False
        run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
        self._run(f"import forecast.reports.kernel as _k; _k.snapshot_session({self.preload!r}); del _k")
        return self

    def reset(self) -> None:
        """Forget everything the previous notebook left in the kernel (:func:`reset_session`)."""
        self._run(f"import forecast.reports.kernel as _k; _k.reset_session({self.cwd!r})")

    def _run(self, code: str) -> None:
        """Execute set-up code silently (no execution count, no history); raise if it fails."""
        from jupyter_core.utils import run_sync

        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise KernelSetupError(f"the kernel did not answer within {START_TIMEOUT} s")
            try:
                reply = run_sync(self.kc.get_shell_msg)(timeout=left)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelSetupError(f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")

    def execute(self, source: str, output: str, parameters: dict, cwd: str | None = None) -> None:
        """Execute the notebook ``source`` with ``parameters`` into ``output`` through papermill.

        Raises what :func:`papermill.execute_notebook` raises (``PapermillExecutionError``
        naming the failing cell); after any exception the kernel should be
        :meth:`shutdown` (a failed notebook may have left it in any state).
        """
        import papermill as pm

        if self.km is None:
            self.start()
        self.reset()
        _register_engine()
        pm.execute_notebook(source, output, parameters=parameters, kernel_name=self.name,
                            cwd=cwd or self.cwd, progress_bar=False, log_output=False,
                            engine_name=WARM_ENGINE, warm_kernel=self)
        self.notebooks += 1

    def shutdown(self) -> None:
        """Stop the kernel now (idempotent); the next :meth:`execute` starts a fresh one."""
        from jupyter_core.utils import run_sync

        km, kc = self.km, self.kc
        self.km = self.kc = None
        if kc is not None:
            with suppress(Exception):
                kc.stop_channels()
        if km is not None:
            with suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)


def _register_engine() -> None:
    """Register the papermill engine that executes on a :class:`WarmKernel` (idempotent)."""
    from papermill.engines import NBClientEngine, papermill_engines

    if WARM_ENGINE in papermill_engines._engines:
        return

    class WarmEngine(NBClientEngine):
        """papermill's nbclient engine on a kernel (and client) it did not start and must not stop."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=START_TIMEOUT, execution_timeout=None,
                                     **kwargs):
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.engines import logger

            warm: WarmKernel = kwargs.pop("warm_kernel")
            client = PapermillNotebookClient(nb_man, km=warm.km, kernel_name=kernel_name, log=logger,
                                             log_output=log_output, stdout_file=stdout_file,
                                             stderr_file=stderr_file, timeout=execution_timeout,
                                             startup_timeout=start_timeout)
            client.kc = warm.kc  # not owning the manager, the client leaves kernel and channels running
            return client.execute()

    papermill_engines.register(WARM_ENGINE, WarmEngine)
