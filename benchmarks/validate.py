"""Benchmark: ``forecast validate`` on a 1,000,000-row roster (issue 20's resource goal).

The goal: at most 10 s and 1 GB peak memory (resident set). The roster is generated here
in a temporary folder (never committed): the valid snapshot rows of the bad-input
corpus repeated with unique person ids, and four planted errors that must be found.

Usage::

    .venv/bin/python benchmarks/validate.py [--rows 1000000] [--max-seconds 10] [--max-mb 1000]

Prints the file size, the wall time, the CPU time and the peak RSS of the ``forecast
validate`` process (measured by the OS for that child process alone) with the load
average around it, and exits 1 when a goal is missed or a planted error is not reported.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PLANTED = {"hire_date": "1970-01-01", "sex": "robot", "unit_code": "06999", "birth_year": "19x0"}


def make_roster(path: Path, n: int) -> list[tuple[int, str]]:
    """Write an ``n``-row roster with four planted errors; return their (line, column)."""
    spec = importlib.util.spec_from_file_location("make_bad_corpus", ROOT / "scripts" / "make_bad_corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    base = pd.DataFrame(corpus.GOOD_ROSTER, columns=corpus.ROSTER_HEADER)
    frame = base.iloc[np.arange(n) % len(base)].reset_index(drop=True)
    frame["person_id"] = [f"H{i:07d}" for i in range(n)]
    lines = [n // 7, n // 2, (3 * n) // 4, n + 1]
    for line, column in zip(lines, PLANTED, strict=True):
        frame.loc[line - 2, column] = PLANTED[column]  # line 1 is the header
    frame.to_csv(path, index=False, lineterminator="\n")
    return list(zip(lines, PLANTED, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--max-seconds", type=float, default=10.0)
    parser.add_argument("--max-mb", type=float, default=1000.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.csv"
        planted = make_roster(path, args.rows)
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "forecast.cli", "validate", str(path)],
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = usage.ru_maxrss / 1024  # KB on Linux
        cpu = usage.ru_utime + usage.ru_stime  # the child's own CPU time: what a busy machine does not inflate
        size_mb = path.stat().st_size / 1e6
    found = [(line, col) for line, col in planted if f":{line}:{col}:" in proc.stdout]
    print(f"forecast validate: {args.rows:,} rows, {size_mb:.1f} MB: {seconds:.2f} s, peak RSS {peak_mb:.0f} MB "
          f"(goals ≤ {args.max_seconds:g} s, ≤ {args.max_mb:g} MB); planted errors found {len(found)} of "
          f"{len(planted)}; exit code {proc.returncode}")
    print(f"CPU time (user + system) {cpu:.2f} s; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} "
          f"after, on {os.cpu_count()} CPUs (a wall time well above the CPU time means a busy machine)")
    ok = seconds <= args.max_seconds and peak_mb <= args.max_mb and len(found) == len(planted) \
        and proc.returncode == 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
