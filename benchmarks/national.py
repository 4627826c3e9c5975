"""Benchmark: the national run on Dask against the same provinces run one by one.

Makes ``--provinces N`` synthetic provinces (codes from the national list, ``data/provinces.csv``),
then measures on this machine, each into a fresh output folder:

1. the sum of single-province runs (``forecast run --data P`` for each, ``--jobs`` = cores);
2. the national run (``forecast run --provinces``) on a LocalCluster of 1 worker, then of 2.

It prints the wall times, the ratio of each national run to the sum of single runs (the
overhead of distribution; the goal is ≤ 1.2 at 2 workers), and the measured cost per
notebook, per preparation and per finishing step, from which ``docs/national.md`` projects a
cluster. Results go to ``benchmarks/results/national.json``.

Sizes: ``../shared/reference/`` holds no 2024 staff figure for each of the 34 provinces (only a
few pre-merger commune-level counts), so every province has the same size, ``--staff`` people
and ``--communes`` communes: a stated assumption, not a published figure. The full run
specification (about 80 notebooks a province) is far past what a shared 2-core machine does
in a benchmark; ``--spec`` takes a reduced one (default: a two-notebook specification written
by this script, scenarios off) and the figures say which was used.

Usage::

    .venv/bin/python benchmarks/national.py [--provinces 34] [--staff 300] [--communes 4] [--spec YAML]
    .venv/bin/python benchmarks/national.py --overhead    # the cluster's fixed cost only
    .venv/bin/python benchmarks/national.py --project benchmarks/results/national.json
                                                          # the 16-node projection from saved figures

The projection (printed after every run, and by ``--project`` from a saved result): with the
full run specification a province has :data:`FIXED_PAGES` fixed pages, :data:`TARGET_PAGES`
target pages and one page per commune; nationally that is 34 × 15 + :data:`NATIONAL_COMMUNES`
notebooks plus 34 preparations and 34 finishing steps. With measured per-task costs c
(notebook), p (preparation), f (finish) in seconds, the work is W = notebooks × c + 34 × (p + f)
worker-seconds, and on w workers the run takes about W / w + (p + c + f), the tasks being small
and independent (one province's critical path added once).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from forecast import config
from forecast.commands.synth import labelled, own_registry
from forecast.inputs.provinces import load_provinces
from forecast.national.runner import NationalOptions, run_national
from forecast.reports.pipeline import run_annual, validate_options
from forecast.synth import generate, write_dataset

#: Pages of one province's full report set that do not depend on its communes (index, summary,
#: methods, scenarios) and its target pages (T01–T11).
FIXED_PAGES, TARGET_PAGES = 4, 11
#: Communes, wards and special zones nationally after 1 July 2025 (3.321: ``data/reference/public_figures.csv``,
#: Dân trí 31/1/2026 citing the Ministry of Home Affairs).
NATIONAL_COMMUNES = 3_321
NATIONAL_PROVINCES = 34
#: Cluster shapes projected: 16 nodes × 8 and × 16 single-threaded workers.
PROJECTED_WORKERS = (16 * 8, 16 * 16)


def projection(c: float, p: float, f: float) -> dict:
    """Projected national wall time on a 16-node cluster from per-task costs (seconds)."""
    notebooks = NATIONAL_PROVINCES * (FIXED_PAGES + TARGET_PAGES) + NATIONAL_COMMUNES
    work = notebooks * c + NATIONAL_PROVINCES * (p + f)
    return {"notebooks": notebooks, "work_h": round(work / 3600, 1),
            **{f"wall_min_{w}_workers": round((work / w + p + c + f) / 60, 1) for w in PROJECTED_WORKERS}}


def print_projection(figures: dict) -> None:
    """Print the projection for each national run of a result document."""
    for r in figures["national"]:
        pr = projection(r["notebook_s_each"], r["prepare_s_each"], r["finish_s_each"])
        walls = ", ".join(f"{w} workers {pr[f'wall_min_{w}_workers']:.1f} min" for w in PROJECTED_WORKERS)
        print(f"projection from the {figures['provinces']}-province run on {r['workers']} worker(s) "
              f"(c {r['notebook_s_each']:.1f} s, p {r['prepare_s_each']:.1f} s, f {r['finish_s_each']:.1f} s): "
              f"{pr['notebooks']} notebooks, W {pr['work_h']:.1f} h; 16 nodes: {walls}")


#: The reduced run specification used unless --spec is given (two notebooks, no scenarios).
SMALL_SPEC = """\
prepare:
  n_draws: 50
  seed: 165
  scenarios: []
notebooks:
  - notebook: summary.ipynb
    output: summary
  - notebook: targets.ipynb
    output: targets
"""


def make_provinces(folder: Path, n: int, staff: int, communes: int) -> list[Path]:
    """``n`` synthetic provinces named after the first ``n`` units of the national list."""
    units = load_provinces()
    if not 1 <= n <= len(units):
        raise SystemExit(f"--provinces: between 1 and {len(units)}, got {n}")
    out = []
    for unit in units[:n]:
        path = folder / f"p{unit.code}"
        result = generate(int(unit.code), staff=staff, communes=communes)
        result.meta = labelled(result.meta, unit, unit.code)
        write_dataset(result, path, registry=own_registry(unit))  # its own communes
        out.append(path)
    return out


def single_runs(provinces: list[Path], spec: Path, out: Path) -> float:
    """Seconds of ``forecast run --data P`` for every province, one after the other."""
    start = time.monotonic()
    for p in provinces:
        opts = validate_options(data_dir=p, out=out / p.name, spec=spec, quiet=True)
        code = run_annual(opts)
        if code != 0:
            raise SystemExit(f"single-province run of {p} failed (exit {code})")
    return time.monotonic() - start


def national_run(folder: Path, spec: Path, out: Path, workers: int) -> dict:
    """Wall time and measured costs of one national run on a LocalCluster of ``workers``."""
    opts = NationalOptions(provinces_dir=folder, out_base=out, spec_file=spec, workers=workers, quiet=True)
    start = time.monotonic()
    outcome = run_national(opts)
    wall = time.monotonic() - start
    if outcome.failed:
        raise SystemExit(f"national run failed for {outcome.failed}: {outcome.errors}")
    done = list(outcome.finished.values())
    notebooks = sum(f.notebooks for f in done)
    return {"workers": workers, "wall_s": round(wall, 1), "notebooks": notebooks,
            "notebook_s_each": round(sum(f.notebook_seconds for f in done) / max(notebooks, 1), 2),
            "prepare_s_each": round(sum(f.prepare_seconds for f in done) / max(len(done), 1), 2),
            "finish_s_each": round(sum(f.finish_seconds for f in done) / max(len(done), 1), 2)}


def _import_tasks(_: int) -> int:
    import forecast.national.tasks  # noqa: F401  (what a worker imports before its first province)
    return 1


def cluster_overhead(workers: int = 2) -> dict:
    """Seconds to start a LocalCluster, run its first tasks (the workers' imports) and close it."""
    from forecast.national.runner import dask_client

    t0 = time.monotonic()
    with dask_client(None, workers) as client:
        t1 = time.monotonic()
        client.gather(client.map(_import_tasks, range(workers), pure=False))
        t2 = time.monotonic()
    t3 = time.monotonic()
    return {"workers": workers, "start_s": round(t1 - t0, 1), "first_tasks_s": round(t2 - t1, 1),
            "close_s": round(t3 - t2, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--provinces", type=int, default=34, help="how many provinces (default 34)")
    ap.add_argument("--staff", type=int, default=300, help="people per province in 2015 (default 300)")
    ap.add_argument("--communes", type=int, default=4, help="communes per province (default 4)")
    ap.add_argument("--spec", type=Path, help="run specification (default: a two-notebook one, scenarios off)")
    ap.add_argument("--out", type=Path, default=config.project_root() / "benchmarks" / "results" / "national.json")
    ap.add_argument("--overhead", action="store_true",
                    help="only measure a 2-worker LocalCluster's start, first tasks and close (three times)")
    ap.add_argument("--project", type=Path, metavar="JSON",
                    help="only print the 16-node projection from a saved result of this script")
    args = ap.parse_args(argv)
    if args.project:
        print_projection(json.loads(args.project.read_text(encoding="utf-8")))
        return 0
    if args.overhead:
        for _ in range(3):
            o = cluster_overhead(2)
            print(f"LocalCluster of 2 workers: start {o['start_s']:.1f} s, first tasks (imports) "
                  f"{o['first_tasks_s']:.1f} s, close {o['close_s']:.1f} s")
        return 0
    with tempfile.TemporaryDirectory(prefix="national-bench-") as tmp:
        work = Path(tmp)
        spec = args.spec
        if spec is None:
            spec = work / "run.yml"
            spec.write_text(SMALL_SPEC, encoding="utf-8")
        print(f"making {args.provinces} synthetic provinces ({args.staff} people, {args.communes} communes each)",
              file=sys.stderr)
        provinces = make_provinces(work / "provinces", args.provinces, args.staff, args.communes)
        single = single_runs(provinces, spec, work / "single")
        runs = [national_run(work / "provinces", spec, work / f"national-{w}", w) for w in (1, 2)]
    figures = {"provinces": args.provinces, "staff": args.staff, "communes": args.communes,
               "spec": "two-notebook (summary, targets; scenarios off)" if args.spec is None else str(args.spec),
               "cores": os.cpu_count(), "single_sum_s": round(single, 1), "single_jobs": os.cpu_count(),
               "national": runs,
               "ratio_to_single_sum": {str(r["workers"]): round(r["wall_s"] / single, 2) for r in runs}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"provinces {args.provinces} × ({args.staff} people, {args.communes} communes), spec: {figures['spec']}")
    print(f"sum of single-province runs (--jobs {os.cpu_count()}): {single:.1f} s")
    for r in runs:
        print(f"national, {r['workers']} worker(s): {r['wall_s']:.1f} s, ratio to the sum "
              f"{r['wall_s'] / single:.2f}; {r['notebooks']} notebooks at {r['notebook_s_each']:.1f} s each, "
              f"prepare {r['prepare_s_each']:.1f} s and finish {r['finish_s_each']:.1f} s a province")
    print_projection(figures)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
