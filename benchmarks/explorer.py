"""How fast does the scenario explorer answer a lever change? (issue 8: within 0.3 s).

Loads the demo province, builds the :class:`forecast.explorer.Explorer` with 500
draws, then moves the levers ``--changes`` times by calling the update callback
directly (no browser), each time to a lever combination not seen before, so every
change runs the stock-flow engine (no cache hit). Each timed change is what the
widget does: :meth:`Explorer.update` (projection, probabilities, verdict, chart) and
the PNG the widget shows. The first update, which also computes the trend forecasts
(cached afterwards, they do not depend on the levers), is reported separately.

Run: ``.venv/bin/python benchmarks/explorer.py [--draws 500] [--changes 20] [--data DIR]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from forecast.explorer import Explorer

BUDGET_SECONDS = 0.3


def lever_moves(explorer: Explorer, n: int) -> list[dict]:
    """``n`` lever settings, cycling over the sliders and stepping each through its range.

    Every setting differs from all earlier ones, so no change is served from the cache.
    """
    specs = explorer.specs
    if not specs:
        raise SystemExit("the scenario has no numeric levers to move")
    moves, current, seen = [], dict(explorer.levers), {tuple(sorted(explorer.levers.items()))}
    k = 0
    while len(moves) < n:
        spec = specs[k % len(specs)]
        frac = ((k // len(specs)) * 0.37 + 0.2 * (k % len(specs)) + 0.13) % 1.0
        value = spec.minimum + frac * (spec.maximum - spec.minimum)
        value = int(round(value)) if spec.integer else round(value / spec.step) * spec.step
        current = {**current, spec.name: value}
        key = tuple(sorted(current.items()))
        if key not in seen:
            seen.add(key)
            moves.append({spec.name: value})
        k += 1
    return moves


def timed_update(explorer: Explorer, changes: dict) -> tuple[float, float]:
    """Wall-clock and CPU seconds for one widget refresh: the update callback plus the PNG it shows.

    CPU time is reported beside wall-clock time because the benchmark may share its
    cores with other work: on a busy machine wall-clock time includes waiting for a core.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    explorer.update(**changes)
    explorer.png()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=500, help="simulation draws per projection")
    parser.add_argument("--changes", type=int, default=20, help="lever changes to time")
    parser.add_argument("--data", default=None, help="data folder (default: the demo province)")
    parser.add_argument("--scenario", default="baseline")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    explorer = Explorer(data_dir=args.data, scenario=args.scenario, n_draws=args.draws)
    load = time.perf_counter() - t0
    first, _ = timed_update(explorer, {})
    engine_times: list[tuple[float, float]] = []
    original = explorer._project

    def timed_engine(*a, **k):  # time the engine apart, and count its runs (no change may hit the cache)
        start, cpu_start = time.perf_counter(), time.process_time()
        out = original(*a, **k)
        engine_times.append((time.perf_counter() - start, time.process_time() - cpu_start))
        return out

    explorer._project = timed_engine
    timed = [timed_update(explorer, move) for move in lever_moves(explorer, args.changes)]
    times, cpu = [w for w, _ in timed], [c for _, c in timed]
    staff = len(explorer._active(explorer.roster_for(explorer.view["unit"])))
    median, worst = statistics.median(times), max(times)
    load1, _, _ = os.getloadavg()
    print(f"staff in post in the projected roster: {staff}")
    print(f"draws per projection: {explorer.n_draws}")
    print(f"levers moved ({len(explorer.specs)}): {', '.join(s.name for s in explorer.specs)}")
    print(f"load data + build explorer: {load:.2f} s; first view incl. trend forecasts: {first:.2f} s")
    print(f"lever changes timed: {len(times)} (engine runs: {len(engine_times)})")
    print(f"median update time: {median:.3f} s")
    print(f"max update time: {worst:.3f} s")
    print(f"median CPU time per update: {statistics.median(cpu):.3f} s (max {max(cpu):.3f} s)")
    print("of which the stock-flow engine (forecast.stockflow.project): median "
          f"{statistics.median(w for w, _ in engine_times):.3f} s, CPU {statistics.median(c for _, c in engine_times):.3f} s")
    if len(engine_times) == len(times):
        own = [t - e for t, (e, _) in zip(times, engine_times, strict=True)]
        print(f"the explorer's own part (probabilities, verdict, chart, PNG): median {statistics.median(own):.3f} s")
    print(f"machine: {os.cpu_count()} cores, load average {load1:.1f} at the end")
    print(f"budget {BUDGET_SECONDS} s: {'met' if median <= BUDGET_SECONDS else 'NOT met'} (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
