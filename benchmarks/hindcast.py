"""Hindcast benchmark: the stock-flow engine's baseline started at past years, against the trend default.

Usage::

    python benchmarks/hindcast.py [--data DIR] [--origins 2018 2019 2020 2021 2022] [--draws 300]
                                  [--seed 0] [--out benchmarks/results]

From each origin the baseline is estimated from the roster as of that year and the flows up to
it (``forecast.stockflow.hindcast``), projected to 2024 and scored against the observed province
values per target and horizon, beside the trend default started at the same origins. The engine's
intervals are calibrated on its own errors from earlier roster years observed by each origin
(``forecast.stockflow.calibration``; out of sample), and the uncalibrated engine is shown as
"before". Prints the tables, writes ``hindcast.md`` and ``hindcast.json`` under ``--out``, and
checks the bars of issue 15 on the calibrated engine: pooled over the share targets T01–T10,
origins and horizons, its 80 % intervals cover 70–90 % of the observed values and its MAE is at
most 1.2 × the trend default's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from forecast import atomic, config
from forecast.commands.hindcast import trend_default
from forecast.inputs.dataset import load_dataset
from forecast.stockflow.hindcast import DEFAULT_END, DEFAULT_ORIGINS, ENGINE, hindcast, markdown_tables

#: Markers between which README.md and docs/stockflow.md show the latest tables.
START, END = "<!-- hindcast:start -->", "<!-- hindcast:end -->"
#: Bars of issue 15 on the demo province.
COVER80 = (0.70, 0.90)
MAE_RATIO = 1.2


def update_between_markers(path: Path, body: str) -> bool:
    """Put ``body`` between the hindcast markers of a file (False when they are absent)."""
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    atomic.write_text(path, f"{head}{START}\n{body}{END}{tail}")
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="dataset folder (default: the demo province)")
    ap.add_argument("--origins", type=int, nargs="+", default=list(DEFAULT_ORIGINS))
    ap.add_argument("--end-year", type=int, default=DEFAULT_END)
    ap.add_argument("--draws", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = ap.parse_args(argv)
    folder = args.data or config.demo_dir()
    ds = load_dataset(folder)
    t0 = time.perf_counter()
    h = hindcast(ds, origins=args.origins, end_year=args.end_year, n_draws=args.draws, seed=args.seed,
                 trend=trend_default(seed=args.seed))
    seconds = time.perf_counter() - t0
    pooled = h.pooled().set_index("model")
    cover = float(pooled.loc[ENGINE, "cover80"])
    ratio = h.mae_ratio()
    cover_ok = COVER80[0] <= cover <= COVER80[1]
    ratio_ok = ratio <= MAE_RATIO
    stamp = time.strftime("%d %B %Y, %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    bars = (f"Bars (share targets pooled): engine 80 % coverage {100 * cover:.0f} % in 70–90 %: "
            f"**{'met' if cover_ok else 'missed'}**; MAE ratio {ratio:.2f} ≤ {MAE_RATIO}: "
            f"**{'met' if ratio_ok else 'missed'}**.")
    text = "\n".join([
        f"# Hindcast: engine baseline against the trend default ({folder.name})",
        "",
        f"`python benchmarks/hindcast.py --draws {args.draws} --seed {args.seed}`, {stamp}, "
        f"origins {' '.join(map(str, h.origins))}, scored to {h.end_year}, {seconds:.0f} s (load average {load:.1f}).",
        "",
        markdown_tables(h),
        bars,
        "",
        *[f"- {n}" for n in h.notes],
        "",
    ])
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic.write_text(args.out / "hindcast.md", text)
    doc = {k: v for k, v in h.to_dict().items() if k != "rows"}  # the scores; `forecast hindcast --json` has every row
    atomic.write_json(args.out / "hindcast.json", {"data": str(folder), "seconds": seconds, **doc})
    print(f"written to {args.out / 'hindcast.md'} and hindcast.json", file=sys.stderr)
    if args.data is None:  # the demo's figures are the ones the documentation shows
        full = "\n".join(text.split("\n")[2:])  # the run line, the tables, the bars and the notes
        lines = markdown_tables(h).split("\n")
        short = "\n".join([text.split("\n")[2], "", *lines[: lines.index("") + 1], bars, ""])  # pooled table only
        for doc, body in ((config.project_root() / "README.md", short),
                          (config.project_root() / "docs" / "stockflow.md", full)):
            if update_between_markers(doc, body):
                print(f"updated {doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
