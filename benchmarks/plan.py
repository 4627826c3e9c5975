"""How long does ``forecast plan`` take on the demo province? (issue 16: at most 120 s on the 2-core machine).

Times the whole command as a user runs it (dataset read, baseline estimates, the engine runs of
the linearise–solve–verify loop, the scenario file and JSON written), then re-simulates the written
scenario with ``forecast simulate`` to print the probabilities the plan reaches.

Run: ``.venv/bin/python benchmarks/plan.py [--draws 500] [--p 0.8] [--data DIR]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 120.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--p", type=float, default=0.8)
    ap.add_argument("--data", type=Path, default=None)
    args = ap.parse_args(argv)
    exe = [sys.executable, "-m", "forecast.cli"]
    data = ["--data", str(args.data)] if args.data else []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan.json"
        t0 = time.perf_counter()
        done = subprocess.run([*exe, "plan", *data, "--p", str(args.p), "--draws", str(args.draws),
                               "--json", str(out)], capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        if done.returncode not in (0, 2):
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
        plan = json.loads(out.read_text(encoding="utf-8"))
        sim = Path(tmp) / "sim.json"
        subprocess.run([*exe, "simulate", *data, "--scenario", plan["scenario_file"], "--draws", str(args.draws),
                        "--seed", str(plan["seed"]), "--calibration", plan.get("calibration", "none"),
                        "--json", str(sim)], check=True, capture_output=True)
        again = json.loads(sim.read_text(encoding="utf-8"))["targets"]
    print(f"forecast plan, demo province, {args.draws} draws, p = {args.p}, calibration "
          f"{plan.get('calibration', 'none')}: {elapsed:.1f} s "
          f"(budget {BUDGET_SECONDS:.0f} s: {'OK' if elapsed <= BUDGET_SECONDS else 'OVER'})")
    print(f"verified: {plan['verified']}; {plan['notes'][-1]}")
    print(f"cost: {plan['cost_per_year_vnd']:,.0f} VND a year; {plan['cost_total_vnd']:,.0f} VND 2026–2030")
    print("places a year: " + ", ".join(f"{k} {v}" for k, v in plan["places_per_year"].items()))
    print("target  reachable  P(plan)  P(forecast simulate --scenario)")
    for t, v in plan["probabilities"].items():
        print(f"{t:6s}  {str(t in plan['reachable']):9s}  {v:7.3f}  {again[t]['p_meet']:7.3f}")
    return 0 if elapsed <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
