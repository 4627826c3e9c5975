"""``forecast run --provinces DIR``: every province's annual run as Dask tasks, then the roll-up.

Without ``--scheduler`` a :class:`dask.distributed.LocalCluster` is started with one
single-threaded worker process per core (``--workers N`` to choose); with
``--scheduler tcp://host:8786`` the tasks go to an existing cluster, whose workers must
have this package installed and see the same file system (``--provinces`` and ``--out``
at the same paths). The graph per province is *prepare → notebooks → finish*; notebook
tasks are submitted when their province's preparation ends (the number of commune
pages is known only then). Progress: the dashboard link, then a counter of finished
tasks and provinces on the terminal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from forecast import config
from forecast.national import rollup, state, warm
from forecast.national.tasks import (
    Finished,
    Prepared,
    ProvinceTask,
    finish_province,
    prepare_province,
    run_notebook,
)
from forecast.reports.execute import output_lock
from forecast.reports.options import OptionsError
from forecast.reports.pipeline import check_jobs, default_spec_file, expand_jobs, fanout_lists, load_spec

if TYPE_CHECKING:  # dask is imported when a run starts (the single-province run never needs it)
    from dask.distributed import Client


@dataclass
class NationalOptions:
    """Validated options of a national run."""

    provinces_dir: Path
    out_base: Path
    spec_file: Path | None = None
    lang: str = "vi"
    as_of: int | None = None
    scenarios: tuple[str, ...] | None = None
    scheduler: str | None = None
    workers: int | None = None
    quiet: bool = False
    folders: list[Path] = field(default_factory=list)


@dataclass
class NationalOutcome:
    """What a national run did: per province, ``published``, ``unchanged`` or ``failed`` with reasons."""

    status: dict[str, str]
    errors: dict[str, list[str]]
    seconds: float
    tasks: int
    finished: dict[str, Finished] = field(default_factory=dict)   # the provinces run this time

    @property
    def failed(self) -> list[str]:
        """Names of the provinces that failed, sorted."""
        return sorted(k for k, v in self.status.items() if v == "failed")


def _spec_checked(spec_file: Path) -> None:
    """Check the run specification's parameters once, before any province runs (RunSpecError)."""
    spec = load_spec(spec_file)
    shared = tuple((spec.get("parameters") or {}).keys())
    common = {"as_of": 2000, "lang": "vi", "data_dir": "", "results": ""}
    check_jobs(expand_jobs(spec, common, fanout_lists(None)), common, config.notebooks_dir(), shared)


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """A Dask client: of ``scheduler``, or of a LocalCluster of ``workers`` single-threaded processes.

    One thread per worker: a notebook task redirects its process's stderr while its
    kernel runs, and the kernel (a process of its own) is the real work anyway.
    """
    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            n = workers or os.cpu_count() or 1
            cluster = stack.enter_context(LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                                       dashboard_address=":0", silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
        client.register_plugin(warm.worker_plugin())  # one warm kernel per worker, stopped with it
        yield client


class Progress:
    """A one-line terminal progress bar of tasks and provinces (rewritten in place on a terminal)."""

    def __init__(self, provinces: int, quiet: bool, stream=None) -> None:
        self.provinces, self.quiet, self.stream = provinces, quiet, stream or sys.stderr
        self.tasks, self.done, self.finished, self.failed = provinces * 2, 0, 0, 0

    def line(self) -> str:
        """``[#####-----] 12/40 tasks · 1/3 provinces · 0 failed``."""
        width = 24
        filled = int(width * self.done / max(self.tasks, 1))
        return (f"[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.tasks} tasks · "
                f"{self.finished}/{self.provinces} provinces · {self.failed} failed")

    def step(self, more_tasks: int = 0, province_done: bool = False, failed: bool = False) -> None:
        """One task finished (``more_tasks`` new ones known); a province ended, maybe failed."""
        self.tasks += more_tasks
        self.done += 1
        self.finished += int(province_done)
        self.failed += int(failed)
        if self.quiet:
            return
        tty = getattr(self.stream, "isatty", lambda: False)()
        if tty:
            print("\r" + self.line(), end="", file=self.stream, flush=True)
        elif province_done:
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        """End the in-place line."""
        if not self.quiet and getattr(self.stream, "isatty", lambda: False)():
            print(file=self.stream, flush=True)


def schedule(client: Client, tasks: list[ProvinceTask], progress: Progress) -> dict[str, Finished]:
    """Run every province's graph on ``client``; one province's failure never stops another's."""
    from dask.distributed import as_completed

    kind: dict[object, tuple[str, str]] = {}
    out: dict[str, Finished] = {}
    first = []
    for t in tasks:
        fut = client.submit(prepare_province, t, pure=False, key=f"prepare-{t.name}-{os.getpid()}-{time.time_ns()}")
        kind[fut] = ("prepare", t.name)
        first.append(fut)
    pending = as_completed(first)
    for fut in pending:
        what, name = kind.pop(fut)
        if fut.status == "error":  # a worker died or a task raised: this province fails, the others go on
            exc = fut.exception()
            out[name] = Finished(name, False, [f"{what}: {type(exc).__name__}: {exc}"])
            progress.step(-1 if what == "prepare" else 0, province_done=True, failed=True)
            continue
        if what == "prepare":
            prep: Prepared = fut.result()
            if not prep.ok:
                out[name] = Finished(name, False, [prep.error])
                progress.step(-1, province_done=True, failed=True)
                continue
            notebooks = [client.submit(run_notebook, fut, job, pure=False) for job in prep.jobs]
            final = client.submit(finish_province, fut, *notebooks, pure=False)
            kind.update({n: ("notebook", name) for n in notebooks})
            kind[final] = ("finish", name)
            for f in (*notebooks, final):
                pending.add(f)
            progress.step(len(notebooks))
        elif what == "notebook":
            progress.step()
        else:
            done: Finished = fut.result()
            out[name] = done
            progress.step(province_done=True, failed=not done.ok)
    return out


def _extra_files(spec_file: Path) -> list[Path]:
    spec = load_spec(spec_file)
    nb = config.notebooks_dir()
    return [config.targets_file(), spec_file, *sorted({nb / e["notebook"] for e in spec["notebooks"]})]


def run_national(opts: NationalOptions, say: Callable[[str], None] | None = None) -> NationalOutcome:
    """Run every province of ``opts.provinces_dir`` that changed, publish each, write the roll-up.

    Raises
    ------
    OptionsError
        ``--provinces`` is not a folder, holds no province, or holds a sub-folder whose name
        cannot be an output folder (a sub-folder without ``dataset.yml`` is reported as that
        province's failure instead).
    RunSpecError
        The run specification is invalid (checked before anything runs).
    """
    say = say or (lambda msg: None)
    started = time.time()
    spec_file = Path(opts.spec_file or default_spec_file())
    _spec_checked(spec_file)
    folders, problems = state.find_provinces(opts.provinces_dir)
    unnamed = [msg for name, msg in problems if not name]
    if unnamed:  # the folder itself, or a sub-folder that cannot name an output folder
        raise OptionsError("\n".join(unnamed))
    status: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, problem in problems:  # a sub-folder that is no province: reported, the others run
        status[name], errors[name] = "failed", [problem]
    options = {"lang": opts.lang, "as_of": opts.as_of, "scenarios": opts.scenarios}
    extra = _extra_files(spec_file)
    with output_lock(opts.out_base):
        saved = state.read_state(opts.out_base)
        prints, todo = {}, []
        for folder in folders:
            prints[folder.name] = state.fingerprint(folder, extra, options)
            if state.unchanged(folder.name, prints[folder.name], saved, opts.out_base):
                status[folder.name] = "unchanged"
                continue
            todo.append(ProvinceTask(folder.name, folder.resolve(), opts.out_base, spec_file, opts.lang,
                                     opts.as_of, opts.scenarios, os.getpid()))
        say(f"{len(folders)} provinces: {len(todo)} to run, {len(folders) - len(todo)} unchanged since their "
            "last publication")
        finished: dict[str, Finished] = {}
        progress = Progress(len(todo), opts.quiet)
        if todo:
            with dask_client(opts.scheduler, opts.workers) as client:
                say(f"Dask dashboard: {getattr(client, 'dashboard_link', '(none)')}")
                finished = schedule(client, todo, progress)
            progress.close()
        for name, done in finished.items():
            status[name] = "published" if done.ok else "failed"
            if done.ok:
                saved[name] = {"fingerprint": prints[name], "as_of": done.as_of}
            else:
                errors[name] = done.errors
        state.write_state(opts.out_base, {k: v for k, v in saved.items() if k in prints})
        rows = rollup.collect(opts.out_base, status, saved)
        written = rollup.write_rollup(config.national_dir(opts.out_base), rows)
        say(f"wrote {written[0]}")
    return NationalOutcome(status, errors, time.time() - started, progress.tasks, finished)
