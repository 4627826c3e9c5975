"""Benchmark of the stock-flow engine (issue 6).

Two measurements, printed (and written as JSON with ``--json``):

1. **Province** (≈25,000 staff, 2025 → 2030, 1,000 draws): the engine's wall time against
   the time numpy alone takes to draw the same binomial variates. The engine records the
   ``(n, p)`` arrays of every binomial it draws (by inversion), leaving out the trivial
   ones (n = 0, p = 0 or p = 1); the floor replays exactly those arrays through
   ``numpy.random.Generator.binomial`` in the same run. Both are
   timed ``--repeat`` times, interleaved (the order of the two alternates from one repeat
   to the next, so that neither always runs first after a pause), and the best and the
   median times are compared (the machine is shared: the minimum is the least disturbed
   measurement, the median the typical one); process CPU times are reported beside the
   wall times, and so is the median of each round's own ratio (engine over the numpy run
   next to it, under the same load). The explorer-sized run (500 draws) is timed in the
   same interleaved loop. Goal: ratio ≤ 3.
2. **National** (2.5 million staff, 200 draws) in a fresh subprocess: wall time of the whole
   projection (cohort aggregation included) and the process's peak resident memory
   (``resource.getrusage``). Goal: ≤ 60 s and ≤ 6 GiB on the 2-core machine.

The rosters are the demo province's 2025 snapshot resampled (with replacement, seeded)
to the wanted size, or the engine's random roster when the demo data are absent.

Usage::

    python benchmarks/stockflow.py [--draws 1000] [--staff 25000] [--repeat 5]
                                   [--national-staff 2500000] [--national-draws 200]
                                   [--skip-national] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from forecast import atomic, config
from forecast import stockflow as sf
from forecast.stockflow import scenarios as sc
from forecast.stockflow.sampling import _Streams


def roster_of_size(n: int, seed: int = 0) -> tuple[pd.DataFrame, dict, str]:
    """A roster of ``n`` people (demo snapshot resampled), the history estimates, its origin."""
    demo = config.demo_dir()
    if (demo / "roster.csv.gz").exists() or (demo / "roster.csv").exists():
        from forecast.inputs.dataset import load_dataset

        ds = load_dataset(demo)
        base = sf.active_staff(ds.roster)
        history = sc.estimate_baseline(ds)
        origin = f"demo province ({len(base)} staff) resampled"
    else:
        base = sf.random_roster(25_000, seed=seed)
        history = {}
        origin = "random roster resampled"
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(base), n)
    keep = list(sf.ROSTER_COLUMNS) + ["year"]
    out = base[keep].iloc[idx].reset_index(drop=True)
    for col in ("sex", "category", "level", "leader", "education", "field", "political_theory", "state_mgmt"):
        out[col] = out[col].astype("category")  # what a large roster would be read as
    return out, history, origin


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def province(staff: int, draws: int, repeat: int) -> dict:
    roster, history, origin = roster_of_size(staff)
    scenario = sc.load_scenario("baseline")
    kwargs = {"start_year": 2025, "end_year": 2030, "n_draws": draws, "seed": 0, "history": history}
    sf.project(roster, scenario, **kwargs)  # warm-up (cohort cache, imports)
    _Streams.record = []
    proj = sf.project(roster, scenario, **kwargs)
    recorded, _Streams.record = _Streams.record, None
    variates = sum(n.size for n, _ in recorded)
    assert variates == proj.variates
    rng = np.random.default_rng(1)

    def run_engine():
        sf.project(roster, scenario, **kwargs)

    def run_floor():
        for n, p in recorded:
            rng.binomial(n, p)

    def run_explorer():
        sf.project(roster, scenario, **{**kwargs, "n_draws": 500})

    run_floor()  # warm-up of numpy's sampler too
    times = {"engine": ([], []), "floor": ([], []), "explorer": ([], [])}
    jobs = [("engine", run_engine), ("floor", run_floor), ("explorer", run_explorer)]
    for i in range(repeat):
        for name, job in (jobs if i % 2 == 0 else jobs[::-1]):
            t, c = time.perf_counter(), time.process_time()
            job()
            times[name][0].append(time.perf_counter() - t)
            times[name][1].append(time.process_time() - c)
    (engine, engine_cpu), (floor, floor_cpu) = times["engine"], times["floor"]
    explorer, explorer_cpu = times["explorer"]
    return {
        "roster": origin, "staff": int(len(roster)), "draws": draws, "years": "2025->2030",
        "binomial_variates": int(variates), "engine_s": engine, "numpy_floor_s": floor,
        "engine_cpu_s": engine_cpu, "numpy_floor_cpu_s": floor_cpu,
        "ratio_best": min(engine) / min(floor), "ratio_median": float(np.median(engine) / np.median(floor)),
        "ratio_cpu_best": min(engine_cpu) / min(floor_cpu),
        "ratio_cpu_median": float(np.median(engine_cpu) / np.median(floor_cpu)),
        # each round's engine over the same round's numpy (adjacent in time, so under the
        # same load), the median over the rounds
        "ratio_paired_median": float(np.median(np.array(engine) / np.array(floor))),
        "explorer_500_draws_s": explorer, "explorer_500_draws_cpu_s": explorer_cpu,
    }


def national(staff: int, draws: int) -> dict:
    t0 = time.perf_counter()
    roster, history, origin = roster_of_size(staff, seed=1)
    built = time.perf_counter() - t0
    rss_roster = peak_rss_mib()
    t = time.perf_counter()
    proj = sf.project(roster, "baseline", start_year=2025, end_year=2030, n_draws=draws, seed=0,
                      history=history)
    wall = time.perf_counter() - t
    return {"roster": origin, "staff": int(len(roster)), "draws": draws, "roster_build_s": built,
            "projection_s": wall, "peak_rss_mib": peak_rss_mib(), "peak_rss_after_roster_mib": rss_roster,
            "binomial_variates": int(proj.variates), "p_meet_T06": proj.p_meet("T06")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--staff", type=int, default=25_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--national-staff", type=int, default=2_500_000)
    ap.add_argument("--national-draws", type=int, default=200)
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--only-national", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    if args.only_national:
        print(json.dumps(national(args.national_staff, args.national_draws)))
        return 0

    out = {"machine": {"cpus": os.cpu_count(), "numpy": np.__version__, "python": sys.version.split()[0]}}
    p = province(args.staff, args.draws, args.repeat)
    out["province"] = p
    print(f"province: {p['staff']} staff ({p['roster']}), {p['draws']} draws, 2025->2030")
    print(f"  binomial variates drawn: {p['binomial_variates']:,}")
    print(f"  engine        best {min(p['engine_s']):.3f} s  median {np.median(p['engine_s']):.3f} s")
    print(f"  numpy floor   best {min(p['numpy_floor_s']):.3f} s  median {np.median(p['numpy_floor_s']):.3f} s")
    print(f"  ratio         best {p['ratio_best']:.2f}  median {p['ratio_median']:.2f}  (goal <= 3); "
          f"median of the rounds' own ratios {p['ratio_paired_median']:.2f}")
    print(f"  CPU time      engine best {min(p['engine_cpu_s']):.3f} s, numpy best {min(p['numpy_floor_cpu_s']):.3f} s, "
          f"ratio best {p['ratio_cpu_best']:.2f} median {p['ratio_cpu_median']:.2f}")
    print(f"  explorer (500 draws) best {min(p['explorer_500_draws_s']):.3f} s "
          f"median {np.median(p['explorer_500_draws_s']):.3f} s; CPU time best "
          f"{min(p['explorer_500_draws_cpu_s']):.3f} s median {np.median(p['explorer_500_draws_cpu_s']):.3f} s")
    if not args.skip_national:
        cmd = [sys.executable, __file__, "--only-national", "--national-staff", str(args.national_staff),
               "--national-draws", str(args.national_draws)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        n = json.loads(res.stdout.strip().splitlines()[-1])
        out["national"] = n
        print(f"national: {n['staff']:,} staff, {n['draws']} draws (fresh process)")
        print(f"  roster built in {n['roster_build_s']:.1f} s; projection {n['projection_s']:.1f} s (goal <= 60 s)")
        print(f"  peak RSS {n['peak_rss_mib'] / 1024:.2f} GiB (goal <= 6 GiB; "
              f"{n['peak_rss_after_roster_mib'] / 1024:.2f} GiB after building the roster)")
    if args.json:
        atomic.write_json(args.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
