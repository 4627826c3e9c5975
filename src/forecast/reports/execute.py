"""Executing a run's notebooks and publishing the report set.

Notebooks run in worker processes, each keeping one warm kernel (started by the worker,
reset between notebooks, replaced after a failure: :mod:`forecast.reports.kernel`), and an
interrupted run stops the workers and their kernels (:func:`execute_jobs`); the finished set
replaces the previous one in one rename (:func:`publish`), under a lock on the output folder
(:func:`output_lock`) so two runs never publish into the same folder at once.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing import util as mp_util
from pathlib import Path

from forecast.reports import html as report
from forecast.reports.kernel import WarmKernel, ensure_kernel
from forecast.reports.runspec import Job


@dataclass
class JobResult:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    cell: int | None = None
    title: str = ""


# ---------------------------------------------------------------------------
# execution
# ---------------------------------------------------------------------------
#: Folder (inside the run's temporary folder) for each kernel's own stderr chatter.
LOG_DIR = "_logs"


@contextmanager
def _stderr_to(path: Path):
    """Send file descriptor 2 (inherited by the kernel process) to ``path`` for a while.

    Kernels write start-up warnings to stderr; the console keeps only the runner's own
    progress lines, and the chatter stays in the run folder for a failed run's inspection.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _execute(job: Job, notebooks: str, workdir: str, kernel: str, header_html: str | None = None,
             lang: str = "vi", warm: bool = False, kernel_home: str | None = None) -> JobResult:
    """Execute one job and render its page (runs in a worker process); ``header_html=None``: no page.

    ``warm``: execute in this process's warm kernel (:func:`_warm_kernel`), reset before the
    notebook and replaced after a failure; otherwise papermill starts a kernel for this notebook alone.
    ``kernel_home``: the folder of the warm kernel's log, default the run folder (a kernel per
    run folder); a worker serving several runs (the national run's Dask workers) gives its own
    folder so that one kernel serves them all.
    """
    import papermill as pm

    start = time.monotonic()
    out = Path(workdir) / "notebooks" / f"{job.output}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _stderr_to(Path(workdir) / LOG_DIR / f"{job.output}.log"):
            if warm:
                _warm_kernel(kernel, notebooks, kernel_home or workdir).execute(
                    str(Path(notebooks) / job.notebook), str(out), job.parameters)
            else:
                _papermill(pm, job, notebooks, out, kernel)
    except pm.PapermillExecutionError as exc:
        _drop_warm_kernel()  # whatever the failed notebook left, the next one gets a fresh kernel
        return JobResult(job, False, time.monotonic() - start,
                         error=f"{exc.ename}: {exc.evalue}", cell=exc.exec_count)
    except Exception as exc:  # kernel died, notebook unreadable…
        _drop_warm_kernel()
        return JobResult(job, False, time.monotonic() - start, error=f"{type(exc).__name__}: {exc}")
    if header_html is None:
        return JobResult(job, True, time.monotonic() - start)
    try:
        title = report.render_notebook(out, Path(workdir) / job.html_name, lang=lang,
                                       header_html=header_html, title=job.title or None)
    except Exception as exc:
        return JobResult(job, False, time.monotonic() - start, error=f"rendering: {type(exc).__name__}: {exc}")
    return JobResult(job, True, time.monotonic() - start, title=title)


#: This process's warm kernel (a worker keeps one for all its notebooks) and what it was started for.
_WARM: WarmKernel | None = None
_WARM_FOR: tuple[str, str, str] | None = None
_WARM_FINALIZER: list[int] = []  # non-empty once this process registered the stop at exit


def _warm_kernel(kernel: str, notebooks: str, workdir: str) -> WarmKernel:
    """This process's warm kernel for ``kernel`` in ``notebooks``, started on first use.

    It is stopped when the process ends normally (a multiprocessing finalizer, which a pool's
    worker runs on its way out), by :func:`_stop_worker` on SIGTERM, or after a failure.
    """
    global _WARM, _WARM_FOR
    key = (kernel, str(notebooks), str(workdir))
    if _WARM is not None and _WARM_FOR != key:
        _drop_warm_kernel()
    if _WARM is None:
        log = Path(workdir) / LOG_DIR / f"kernel-{os.getpid()}-{time.monotonic_ns()}.log"
        _WARM, _WARM_FOR = WarmKernel(kernel, str(notebooks), log), key
        if not _WARM_FINALIZER:
            mp_util.Finalize(None, _drop_warm_kernel, exitpriority=10)
            _WARM_FINALIZER.append(os.getpid())
    return _WARM


def _drop_warm_kernel() -> None:
    """Stop this process's warm kernel, if any (the next notebook starts a fresh one)."""
    global _WARM, _WARM_FOR
    warm, _WARM, _WARM_FOR = _WARM, None, None
    if warm is not None:
        warm.shutdown()


def _papermill(pm, job: Job, notebooks: str, out: Path, kernel: str) -> None:
    pm.execute_notebook(
        str(Path(notebooks) / job.notebook),
        str(out),
        parameters=job.parameters,
        kernel_name=kernel,
        cwd=str(Path(notebooks)),
        progress_bar=False,
        log_output=False,
    )


def execute_jobs(jobs: list[Job], workdir: Path, *, notebooks: Path, jobs_at_once: int | None = None,
                 progress=None, header_html: str | None = "", lang: str = "vi", warm: bool = True) -> list[JobResult]:
    """Execute every job; one failure does not stop the others. Results come back in job order.

    Each worker renders its notebook's page right after executing it (``header_html``
    is put at the top of every page; ``None`` skips rendering, as the benchmark's floor does).

    With ``warm`` (the default) each worker keeps one kernel for all its notebooks, reset
    between them (:class:`forecast.reports.kernel.WarmKernel`); ``warm=False`` starts a
    kernel per notebook (the benchmark's floor). Jobs always run in worker processes, so an
    interruption is handled in one place: on Ctrl-C (or any exception) the workers are stopped
    at once with their kernels and the queued notebooks are dropped; a worker whose parent dies
    stops too (Linux).
    """
    kernel = ensure_kernel()
    n = jobs_at_once or max(1, min(len(jobs), os.cpu_count() or 1))
    args = (str(notebooks), str(workdir), kernel, header_html, lang, warm)
    pool = ProcessPoolExecutor(max_workers=n, initializer=_worker_init)
    done: dict[int, JobResult] = {}
    try:
        futures = {pool.submit(_execute, job, *args): k for k, job in enumerate(jobs)}
        for i, fut in enumerate(as_completed(futures), 1):
            res = fut.result()
            done[futures[fut]] = res
            if progress:
                progress(i, len(jobs), res)
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    return [done[k] for k in range(len(jobs))]


def _worker_init() -> None:
    """Set up a worker: Ctrl-C is the runner's to handle; SIGTERM (also sent when the runner
    dies) stops the worker's kernels, then the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    _die_with_parent(signal.SIGTERM)


def _stop_worker(_signum: int, _frame: object) -> None:
    for pid in _children(os.getpid()):
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    os._exit(128 + signal.SIGTERM)


def _children(pid: int) -> list[int]:
    """Process ids of ``pid``'s children (Linux ``/proc``; empty elsewhere)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(OSError, ValueError):
            out += [int(x) for x in (task / "children").read_text().split()]
    return out


def _die_with_parent(sig: int) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (``PR_SET_PDEATHSIG``)."""
    if not sys.platform.startswith("linux"):
        return
    with suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, sig, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


def _stop_pool(pool: ProcessPoolExecutor, grace: float = 3.0) -> None:
    """Stop a pool now: drop queued jobs, SIGTERM every worker (each kills its kernel), reap them."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with suppress(OSError, ValueError):
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in processes:
        with suppress(OSError, ValueError, AssertionError):
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join(1.0)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    return False  # e.g. a file system without the flag: fall back to two renames


def publish(workdir: Path, dest: Path) -> None:
    """Move a complete report set into place, keeping the previous one until the swap is done.

    Where Linux can, the new set and the old one swap places in one step, so a reader never
    finds the folder missing; elsewhere the old set is moved aside, then the new one in.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    if dest.is_dir() and not dest.is_symlink() and _exchange(workdir, dest):
        shutil.rmtree(workdir, ignore_errors=True)  # it now holds the previous set
        return
    if dest.exists():
        os.replace(dest, old)
    try:
        os.replace(workdir, dest)
    except BaseException:
        if old.exists() and not dest.exists():
            os.replace(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def console_progress(quiet: bool):
    """A progress callback printing one line per finished notebook (only failures when quiet)."""
    def report(i: int, n: int, res: JobResult) -> None:
        if quiet and res.ok:
            return
        status = "ok" if res.ok else "FAILED"
        print(f"[{i}/{n}] {res.job.output}: {status} ({res.seconds:.1f} s)", file=sys.stderr, flush=True)
        if not res.ok:
            where = f" in cell {res.cell}" if res.cell is not None else ""
            print(f"    {res.job.notebook}{where}: {res.error}", file=sys.stderr, flush=True)
    return report


def clean_stale(out_base: Path) -> list[str]:
    """Remove what killed runs left in ``out_base`` (``.tmp-<year>-<pid>``, ``.<year>.old-<pid>``).

    A folder is stale when the process that made it no longer runs; folders of a run
    still in progress are left alone. Returns the names removed.
    """
    removed: list[str] = []
    if not Path(out_base).is_dir():
        return removed
    for path in Path(out_base).iterdir():
        m = re.fullmatch(r"\.(?:tmp-\d+|\d+\.old)-(\d+)", path.name)
        if not m or not (path.is_dir() or path.is_symlink()):
            continue
        pid = int(m.group(1))
        if pid != os.getpid() and _alive(pid):
            continue
        if path.is_symlink():
            path.unlink(missing_ok=True)  # the link only, never what it points to
        else:
            shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):  # report only what is really gone
            removed.append(path.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True




class OutputBusy(RuntimeError):
    """Another run holds the output folder's lock."""


@contextmanager
def output_lock(out_base: Path, wait: float = 2.0) -> Iterator[Path]:
    """Hold an exclusive lock on the output folder while a run builds and publishes.

    Two runs into the same folder would swap report sets under each other; the second
    one stops at once instead (:class:`OutputBusy`). The lock is ``fcntl.flock`` on the
    folder itself: no lock file is left behind, and the lock goes with the process, so a
    killed run never leaves the folder locked. A lock still held after ``wait`` seconds
    means another run is working.
    """
    out_base = Path(out_base)
    out_base.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_base, os.O_RDONLY | os.O_DIRECTORY)
    _HELD_LOCKS.add(fd)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputBusy(f"--out: {out_base} is in use by another run; wait for it to finish") from None
                time.sleep(0.1)
        yield out_base
    finally:
        _HELD_LOCKS.discard(fd)
        os.close(fd)  # closing releases the lock


# Lock descriptors this process holds. A forked worker closes its copies at once, so the
# lock belongs to the runner alone: when the runner dies, the folder is free, even while
# its workers are still being torn down.
_HELD_LOCKS: set[int] = set()


def _drop_inherited_locks() -> None:
    for fd in list(_HELD_LOCKS):
        with suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


def _forget_inherited_kernel() -> None:
    """A forked child does not own its parent's warm kernel: forget it, never stop it."""
    global _WARM, _WARM_FOR
    _WARM, _WARM_FOR = None, None
    _WARM_FINALIZER.clear()  # the parent's finalizers are not run in a forked child


os.register_at_fork(after_in_child=_drop_inherited_locks)
os.register_at_fork(after_in_child=_forget_inherited_kernel)
