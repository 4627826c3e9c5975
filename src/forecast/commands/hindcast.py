"""``forecast hindcast``: the engine's baseline started at past years, scored against what was observed."""

from __future__ import annotations

from pathlib import Path

from forecast import atomic
from forecast.cli import UserError
from forecast.commands.simulate import load_engine_dataset
from forecast.inputs.tables import ValidationError
from forecast.stockflow.hindcast import DEFAULT_END, DEFAULT_ORIGINS, hindcast, markdown_tables
from forecast.verdict.runhindcast import trend_default

__all__ = ["register", "run", "trend_default"]


def register(sub) -> None:
    p = sub.add_parser(
        "hindcast",
        help="start the engine's baseline and the trend default at past years and score both against the observations",
        description="From each origin the baseline is estimated from the roster as of that year and the flows "
                    "up to it, projected to the end year and scored per target and horizon (MAE in percentage "
                    "points, T11 in people; 80 %% and 95 %% interval coverage), beside the trend default "
                    "started at the same origins on the same series. The engine's intervals are calibrated on "
                    "its own errors at earlier roster years whose outcomes were observed by each origin "
                    "(out of sample; 'engine before calibration' is shown too).")
    p.add_argument("--data", type=Path, default=None,
                   help="dataset folder with a roster history (default: the demo province)")
    p.add_argument("--origins", type=int, nargs="+", default=list(DEFAULT_ORIGINS), metavar="YEAR",
                   help=f"start years (default {' '.join(map(str, DEFAULT_ORIGINS))})")
    p.add_argument("--end-year", type=int, default=DEFAULT_END,
                   help=f"last year scored (default {DEFAULT_END}, the last year before the 2025 reorganisation)")
    p.add_argument("--draws", type=int, default=300, help="engine draws per origin (default 300)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--json", type=Path, default=None, metavar="OUT.json", help="also write every score and row")
    p.set_defaults(func=run)


def run(args) -> int:

    if args.draws < 10:
        raise UserError(f"--draws must be at least 10 (interval coverage needs quantiles), got {args.draws}")
    folder, ds = load_engine_dataset(args.data)
    try:
        h = hindcast(ds, origins=args.origins, end_year=args.end_year, n_draws=args.draws, seed=args.seed,
                     trend=trend_default(seed=args.seed))
    except (ValidationError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    print(f"forecast hindcast: {folder}, origins {' '.join(map(str, h.origins))}, scored to {h.end_year}")
    print(markdown_tables(h))
    for note in h.notes:
        print(f"note: {note}")
    if args.json is not None:
        doc = {"data": str(folder), "synthetic": bool(ds.synthetic), **h.to_dict()}
        atomic.write_json(args.json, doc)
        print(f"written to {args.json}")
    return 0
