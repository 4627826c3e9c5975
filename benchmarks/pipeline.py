"""Benchmark: the whole annual run against its floor (kernel start-up and imports).

The issue's bar: ``forecast run`` on the demo data takes at most 1.5× the time of
executing the same number of notebooks that only import the same libraries, with
the same executor and the same parallelism, measured in the same process run.

Usage::

    .venv/bin/python benchmarks/pipeline.py [--data DIR] [--jobs N] [--limit 1.5]

Prints both times, the notebook count and the ratio; exits 1 when the ratio is
above the limit (so CI or ``make bench`` can act on it).
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


def time_floor(n: int, jobs: int | None, work: Path) -> float:
    """Seconds to execute ``n`` import-only notebooks with the runner's executor."""
    nb_dir = work / "floor-notebooks"
    nb_dir.mkdir()
    floor_notebook(nb_dir / "floor.ipynb")
    job_list = [pipeline.Job(notebook="floor.ipynb", output=f"floor-{i:03d}") for i in range(n)]
    start = time.perf_counter()
    results = pipeline.execute_jobs(job_list, work / "floor-out", notebooks=nb_dir, jobs_at_once=jobs,
                                    header_html=None)
    elapsed = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise SystemExit(f"floor notebook failed: {failed[0].error}")
    return elapsed


def time_run(data: Path, jobs: int | None, work: Path) -> tuple[float, int, int]:
    """Seconds of a whole ``forecast run``; also the number of notebooks and the exit code."""
    opts = pipeline.validate_options(data_dir=data, out=work / "reports", jobs=jobs, quiet=True)
    start = time.perf_counter()
    code = pipeline.run_annual(opts)
    elapsed = time.perf_counter() - start
    folder = next((p for p in (work / "reports").iterdir() if p.name.isdigit()), None)
    n = len(list((folder / "notebooks").glob("*.ipynb"))) if folder else 0
    return elapsed, n, code


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=config.demo_dir(), help="data folder (default: the demo)")
    ap.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: cores)")
    ap.add_argument("--limit", type=float, default=1.5, help="largest acceptable ratio (default 1.5)")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    try:
        run_s, n, code = time_run(args.data, args.jobs, work)
        if code != 0 or n == 0:
            print(f"forecast run failed (exit {code}); no benchmark", file=sys.stderr)
            return 1
        floor_s = time_floor(n, args.jobs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = run_s / floor_s
    figures = {"notebooks": n, "jobs": args.jobs or os.cpu_count(), "run_seconds": round(run_s, 1),
               "floor_seconds": round(floor_s, 1), "ratio": round(ratio, 2), "limit": args.limit,
               "data": str(args.data)}
    print(f"annual run: {run_s:.1f} s for {n} notebooks; floor (imports only): {floor_s:.1f} s; "
          f"ratio {ratio:.2f} (limit {args.limit})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if ratio <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
