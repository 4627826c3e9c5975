"""Benchmark: the whole annual run against its floor (kernel start-up and imports).

The floor is the time to execute the same number of notebooks that only import the
same libraries, each in a kernel of its own (what every notebook of a run cost before
the runner kept warm kernels), with the same parallelism, measured in the same process
run. Two bars are checked against it: the run within ``--limit`` × the floor (1.5, issue
19) and the goal of issue 21, within ``--goal`` × the floor (0.5), which only a runner
that does not start a kernel per notebook can meet.

Also measured, for information: the same import-only notebooks on warm kernels (the
runner's own per-notebook overhead), and whether the run found its hindcast in the cache
(a cold cache adds the hindcast to the run).

Usage::

    .venv/bin/python benchmarks/pipeline.py [--data DIR] [--jobs N] [--limit 1.5] [--goal 0.5]

Prints the times, the notebook count and both ratios; exits 1 when the ratio is above
the limit (so CI or ``make bench`` can act on it); the goal is reported as met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from forecast import config
from forecast.reports import pipeline

#: What every report notebook imports (the floor imports exactly these).
FLOOR_IMPORTS = ("import numpy, pandas, matplotlib, seaborn, IPython.display\n"
                 "import forecast.reports.notebook, forecast.reports.plots, forecast.reports.fmt, forecast.reports.pipeline, forecast.results")


def floor_notebook(path: Path) -> None:
    """A notebook with a parameters cell and one cell of imports, nothing else."""
    nb = new_notebook(metadata={"kernelspec": {"name": config.KERNEL_NAME, "display_name": "floor",
                                               "language": "python"}})
    params = new_code_cell('results: str = ""  # unused')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, new_code_cell(FLOOR_IMPORTS)]
    nbformat.write(nb, path)


def time_floor(n: int, jobs: int | None, work: Path, *, warm: bool = False) -> float:
    """Seconds to execute ``n`` import-only notebooks with the runner's executor.

    ``warm=False``: a kernel per notebook (the floor); ``warm=True``: the runner's warm kernels.
    """
    name = "warm" if warm else "fresh"
    nb_dir = work / f"floor-notebooks-{name}"
    nb_dir.mkdir()
    floor_notebook(nb_dir / "floor.ipynb")
    job_list = [pipeline.Job(notebook="floor.ipynb", output=f"floor-{i:03d}") for i in range(n)]
    start = time.perf_counter()
    results = pipeline.execute_jobs(job_list, work / f"floor-out-{name}", notebooks=nb_dir, jobs_at_once=jobs,
                                    header_html=None, warm=warm)
    elapsed = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise SystemExit(f"floor notebook failed: {failed[0].error}")
    return elapsed


def time_run(data: Path, jobs: int | None, work: Path) -> tuple[float, float, int, int, bool]:
    """Seconds of a whole ``forecast run`` and of its preparation step (:func:`pipeline.prepare_results`);
    also the number of notebooks, the exit code and whether the hindcast came from the cache."""
    opts = pipeline.validate_options(data_dir=data, out=work / "reports", jobs=jobs, quiet=True)
    cache = config.hindcast_cache_dir()
    before = set(cache.glob("*.json")) if cache.is_dir() else set()
    prepare = pipeline.prepare_results
    spent: list[float] = []

    def timed(*args, **kwargs):  # the runner calls it by its module name: timed without changing the run
        t0 = time.perf_counter()
        try:
            return prepare(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t0)

    pipeline.prepare_results = timed
    start = time.perf_counter()
    try:
        code = pipeline.run_annual(opts)
    finally:
        pipeline.prepare_results = prepare
    elapsed = time.perf_counter() - start
    cached = not (set(cache.glob("*.json")) - before) if cache.is_dir() else False
    folder = next((p for p in (work / "reports").iterdir() if p.name.isdigit()), None)
    n = len(list((folder / "notebooks").glob("*.ipynb"))) if folder else 0
    return elapsed, sum(spent), n, code, cached


def _load() -> str:
    """The 1-, 5- and 15-minute load averages (the machine is shared: figures depend on them)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=config.demo_dir(), help="data folder (default: the demo)")
    ap.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: cores)")
    ap.add_argument("--limit", type=float, default=1.5, help="largest acceptable ratio (default 1.5)")
    ap.add_argument("--goal", type=float, default=0.5, help="the ratio aimed at (default 0.5, issue 21)")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    load_before = _load()
    try:
        run_s, prepare_s, n, code, cached = time_run(args.data, args.jobs, work)
        if code != 0 or n == 0:
            print(f"forecast run failed (exit {code}); no benchmark", file=sys.stderr)
            return 1
        floor_s = time_floor(n, args.jobs, work)
        warm_s = time_floor(n, args.jobs, work, warm=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = _load()
    ratio = run_s / floor_s
    figures = {"notebooks": n, "jobs": args.jobs or os.cpu_count(), "run_seconds": round(run_s, 1),
               "prepare_seconds": round(prepare_s, 1),
               "floor_seconds": round(floor_s, 1), "warm_floor_seconds": round(warm_s, 1),
               "ratio": round(ratio, 2), "limit": args.limit, "goal": args.goal,
               "hindcast_cached": cached, "load_before": load_before, "load_after": load_after,
               "data": str(args.data)}
    print(f"annual run: {run_s:.1f} s for {n} notebooks, of which preparing the results {prepare_s:.1f} s "
          f"(hindcast {'cached' if cached else 'computed'}); "
          f"floor (imports only, a kernel per notebook): {floor_s:.1f} s; "
          f"the same on warm kernels: {warm_s:.1f} s")
    print(f"ratio {ratio:.2f}: limit {args.limit} {'met' if ratio <= args.limit else 'NOT met'}; "
          f"goal {args.goal} {'met' if ratio <= args.goal else 'NOT met'} "
          f"(load average {load_before} before, {load_after} after)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if ratio <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
