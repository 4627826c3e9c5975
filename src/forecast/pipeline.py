"""The annual run: execute the parameterised notebooks with papermill and publish a report set.

A run is described by a *run specification* (``notebooks/run.yml`` by default, or a
YAML file given with ``--spec``): which notebooks, with which parameters. The runner

1. validates every parameter against the notebook's tagged ``parameters`` cell
   (an unknown name is an error, not papermill's warning) before anything runs;
2. executes the notebooks with papermill on the kernel :data:`config.KERNEL_NAME`
   in a temporary folder beside the destination, several at once when there are
   cores to spare;
3. renders each executed notebook to a self-contained HTML page without code, and
   writes ``index.html``, ``summary.json`` and ``summary.csv``;
4. moves the complete set into ``reports/<as-of>/`` only if every notebook
   succeeded, so a failed or interrupted run never replaces a good report set.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from forecast import config


class RunSpecError(ValueError):
    """The run specification or its parameters are invalid (message lists every problem)."""


@dataclass
class Job:
    """One notebook execution of a run."""

    notebook: str          # file name in the notebooks folder
    output: str            # stem of the executed notebook / HTML page
    parameters: dict = field(default_factory=dict)
    title: str = ""

    @property
    def html_name(self) -> str:
        return f"{self.output}.html"


@dataclass
class JobResult:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    cell: int | None = None


def default_spec_file() -> Path:
    """The run specification used when none is given."""
    return config.notebooks_dir() / "run.yml"


def notebook_parameters(path: Path) -> dict:
    """The parameters declared in a notebook's tagged ``parameters`` cell (name → info)."""
    import papermill as pm

    return pm.inspect_notebook(str(path))


def load_spec(path: Path | None = None) -> dict:
    """Read a run specification (YAML)."""
    path = Path(path or default_spec_file())
    try:
        with open(path, encoding="utf-8") as fh:
            spec = yaml.safe_load(fh) or {}
    except FileNotFoundError as exc:
        raise RunSpecError(f"{path}: run specification not found") from exc
    except yaml.YAMLError as exc:
        raise RunSpecError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(spec.get("notebooks"), list) or not spec["notebooks"]:
        raise RunSpecError(f"{path}: needs a non-empty 'notebooks' list")
    return spec


def expand_jobs(spec: dict, common: dict, fanout: dict[str, list[dict]] | None = None) -> list[Job]:
    """Turn a run specification into jobs.

    Parameters
    ----------
    spec : dict
        ``{"notebooks": [{"notebook": "x.ipynb", "output": "x", "parameters": {...},
        "over": "communes"}]}``; ``over`` fans a notebook out over a list of parameter
        dicts found in ``fanout`` (e.g. one job per commune). ``output`` may use
        ``{name}`` placeholders filled from the parameters.
    common : dict
        Parameters given to every notebook that declares them (as_of, lang, data_dir…).
    fanout : dict, optional
        Named lists of parameter dicts for ``over``.
    """
    jobs: list[Job] = []
    for entry in spec["notebooks"]:
        nb = entry["notebook"]
        base_params = dict(entry.get("parameters") or {})
        variants = [{}]
        if entry.get("over"):
            variants = (fanout or {}).get(entry["over"])
            if variants is None:
                raise RunSpecError(f"notebook {nb}: unknown fan-out list {entry['over']!r}")
        for extra in variants:
            params = {**base_params, **extra}
            output = str(entry.get("output", Path(nb).stem)).format(**params)
            jobs.append(Job(notebook=nb, output=output, parameters=params, title=entry.get("title", "")))
    return jobs


def check_jobs(jobs: list[Job], common: dict, notebooks: Path) -> list[Job]:
    """Attach the common parameters each notebook declares; fail on unknown names.

    Raises
    ------
    RunSpecError
        Listing every missing notebook and every parameter a notebook does not declare.
    """
    problems = []
    declared_cache: dict[str, dict] = {}
    for job in jobs:
        path = notebooks / job.notebook
        if not path.exists():
            problems.append(f"{job.notebook}: notebook not found in {notebooks}")
            continue
        if job.notebook not in declared_cache:
            declared_cache[job.notebook] = notebook_parameters(path)
        declared = declared_cache[job.notebook]
        if not declared:
            problems.append(f"{job.notebook}: has no cell tagged 'parameters'")
            continue
        for name in job.parameters:
            if name not in declared:
                problems.append(
                    f"{job.notebook}: unknown parameter {name!r} (declared: {', '.join(sorted(declared))})"
                )
        job.parameters = {**{k: v for k, v in common.items() if k in declared}, **job.parameters}
    if problems:
        raise RunSpecError("\n".join(problems))
    return jobs


def _execute(job: Job, notebooks: str, workdir: str, kernel: str) -> JobResult:
    """Execute one job (runs in a worker process)."""
    import papermill as pm

    start = time.monotonic()
    out = Path(workdir) / "notebooks" / f"{job.output}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(Path(notebooks) / job.notebook),
            str(out),
            parameters=job.parameters,
            kernel_name=kernel,
            cwd=str(Path(notebooks)),
            progress_bar=False,
            log_output=False,
        )
        return JobResult(job, True, time.monotonic() - start)
    except pm.PapermillExecutionError as exc:
        return JobResult(job, False, time.monotonic() - start,
                         error=f"{exc.ename}: {exc.evalue}", cell=exc.exec_count)
    except Exception as exc:  # kernel died, notebook unreadable…
        return JobResult(job, False, time.monotonic() - start, error=f"{type(exc).__name__}: {exc}")


def execute_jobs(jobs: list[Job], workdir: Path, *, notebooks: Path, jobs_at_once: int | None = None,
                 progress=None) -> list[JobResult]:
    """Execute every job; one failure does not stop the others."""
    from forecast.kernel import ensure_kernel

    kernel = ensure_kernel()
    n = jobs_at_once or max(1, min(len(jobs), os.cpu_count() or 1))
    results: list[JobResult] = []
    if n == 1:
        for i, job in enumerate(jobs, 1):
            res = _execute(job, str(notebooks), str(workdir), kernel)
            results.append(res)
            if progress:
                progress(i, len(jobs), res)
        return results
    with ProcessPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(_execute, job, str(notebooks), str(workdir), kernel) for job in jobs]
        for i, fut in enumerate(as_completed(futures), 1):
            res = fut.result()
            results.append(res)
            if progress:
                progress(i, len(jobs), res)
    order = {id(j): k for k, j in enumerate(jobs)}
    results.sort(key=lambda r: order.get(id(r.job), 0))
    return results


def publish(workdir: Path, dest: Path) -> None:
    """Move a complete report set into place, keeping the previous one until the swap is done."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
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
    """A progress callback printing one line per finished notebook (nothing when quiet)."""
    def report(i: int, n: int, res: JobResult) -> None:
        if quiet and res.ok:
            return
        status = "ok" if res.ok else "FAILED"
        print(f"[{i}/{n}] {res.job.output}: {status} ({res.seconds:.1f} s)", file=sys.stderr, flush=True)
        if not res.ok:
            where = f" in cell {res.cell}" if res.cell is not None else ""
            print(f"    {res.job.notebook}{where}: {res.error}", file=sys.stderr, flush=True)
    return report


@dataclass
class RunOptions:
    """Validated parameters of one annual run."""

    data_dir: Path
    as_of: int
    out_base: Path
    lang: str = "vi"
    spec_file: Path | None = None
    jobs_at_once: int | None = None
    quiet: bool = False
    scenarios: tuple[str, ...] = ()

    @property
    def dest(self) -> Path:
        return config.report_dir(self.as_of, self.out_base)


def validate_options(*, data_dir=None, as_of=None, out=None, lang="vi", spec=None, jobs=None,
                     quiet=False, scenarios=()) -> RunOptions:
    """Check run parameters before anything executes; raise :class:`RunSpecError` listing all problems."""
    problems = []
    data = Path(data_dir) if data_dir else config.demo_dir()
    if not data.is_dir():
        problems.append(f"--data: {data} is not a folder")
    if lang not in ("vi", "en"):
        problems.append(f"--lang: must be 'vi' or 'en', got {lang!r}")
    year = None
    if as_of is not None:
        try:
            year = int(as_of)
        except (TypeError, ValueError):
            problems.append(f"--as-of: must be a year, got {as_of!r}")
        else:
            if not 2000 <= year <= 2100:
                problems.append(f"--as-of: {year} is outside 2000–2100")
    if jobs is not None and int(jobs) < 1:
        problems.append(f"--jobs: must be at least 1, got {jobs}")
    if problems:
        raise RunSpecError("\n".join(problems))
    if year is None:
        year = latest_year(data)
    return RunOptions(
        data_dir=data.resolve(),
        as_of=year,
        out_base=Path(out).resolve() if out else config.reports_dir(),
        lang=lang,
        spec_file=Path(spec) if spec else None,
        jobs_at_once=int(jobs) if jobs else None,
        quiet=quiet,
        scenarios=tuple(scenarios or ()),
    )


def latest_year(data_dir: Path) -> int:
    """The latest year with observations in a data folder (the default as-of year)."""
    obs = Path(data_dir) / "observations.csv"
    if obs.exists():
        import pandas as pd

        years = pd.read_csv(obs, usecols=["year"])["year"]
        if len(years):
            return int(years.max())
    return time.localtime().tm_year - (1 if time.localtime().tm_mon < 11 else 0)


def run_annual(opts: RunOptions) -> int:
    """Execute a whole annual run; return the process exit code (0 only if all succeeded)."""
    from forecast import report

    notebooks = config.notebooks_dir()
    spec = load_spec(opts.spec_file)
    common = {"as_of": opts.as_of, "lang": opts.lang, "data_dir": str(opts.data_dir)}
    jobs = check_jobs(expand_jobs(spec, common), common, notebooks)

    opts.out_base.mkdir(parents=True, exist_ok=True)
    workdir = opts.out_base / f".tmp-{opts.as_of}-{os.getpid()}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    started = time.time()
    if not opts.quiet:
        print(f"forecast run: {len(jobs)} notebooks, as of {opts.as_of}, data {opts.data_dir}",
              file=sys.stderr, flush=True)
    try:
        results = execute_jobs(jobs, workdir, notebooks=notebooks, jobs_at_once=opts.jobs_at_once,
                               progress=console_progress(opts.quiet))
        failed = [r for r in results if not r.ok]
        pages = []
        for res in results:
            if not res.ok:
                continue
            nb_path = workdir / "notebooks" / f"{res.job.output}.ipynb"
            title = report.render_notebook(nb_path, workdir / res.job.html_name, lang=opts.lang)
            pages.append({"title": res.job.title or title, "href": res.job.html_name,
                          "notebook": f"notebooks/{res.job.output}.ipynb"})
        if failed:
            kept = opts.out_base / f"failed-{opts.as_of}"
            if kept.exists():
                shutil.rmtree(kept)
            os.replace(workdir, kept)
            print(f"forecast run: {len(failed)} of {len(jobs)} notebooks failed; "
                  f"executed notebooks (with the error) kept in {kept}; "
                  f"{opts.dest} left as it was.", file=sys.stderr)
            return 1
        report.atomic_write_text(workdir / "index.html", report.index_page(pages, opts))
        report.write_summary(workdir, opts, started=started, finished=time.time())
        publish(workdir, opts.dest)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    if not opts.quiet:
        print(f"forecast run: wrote {opts.dest / 'index.html'}", file=sys.stderr)
    return 0
