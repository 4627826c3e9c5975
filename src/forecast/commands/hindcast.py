"""``forecast hindcast``: the engine's baseline started at past years, scored against what was observed."""

from __future__ import annotations

from pathlib import Path

from forecast import atomic, config
from forecast.cli import UserError
from forecast.inputs.dataset import load_dataset
from forecast.inputs.tables import ValidationError
from forecast.models import DefaultModel
from forecast.models.base import SeriesError, check_series
from forecast.models.default import learn_calibration, rolling_records
from forecast.stockflow.hindcast import DEFAULT_END, DEFAULT_ORIGINS, hindcast, markdown_tables
from forecast.stockflow.spec import TARGET_SPECS

#: Fewest observed years before the trend model is fitted (as in the analysis).
MIN_YEARS = 3


def register(sub) -> None:
    p = sub.add_parser(
        "hindcast",
        help="start the engine's baseline and the trend default at past years and score both against the observations",
        description="From each origin the baseline is estimated from the roster as of that year and the flows "
                    "up to it, projected to the end year and scored per target and horizon (MAE in percentage "
                    "points, T11 in people; 80 %% and 95 %% interval coverage), beside the trend default "
                    "started at the same origins on the same series.")
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


def trend_default(n_draws: int = 1000, seed: int = 0):
    """The trend default as :func:`forecast.stockflow.hindcast.hindcast` wants it.

    Calibrated as :mod:`forecast.verdict.analysis` calibrates it: one calibration per kind
    (shares, the count of T11) learned from the unit's series up to the origin (T01–T11).
    """

    def trend(frames: dict, origin: int, years: list) -> dict:
        """the default model, calibrated on the unit's series up to each origin"""
        kinds = {tid: "count" if spec.kind == "count" else "share" for tid, spec in TARGET_SPECS.items()}
        cals = {}
        for kind in ("share", "count"):
            pool = []
            for tid, f in frames.items():
                if len(f) >= MIN_YEARS and kinds[tid] == kind and len(tid) == 3:
                    try:
                        pool.append(check_series(f, kind))
                    except SeriesError:
                        continue
            if pool:
                P, Y, S, H, L, A = rolling_records(pool, int(origin), max_h=8, window=8)
                cals[kind] = learn_calibration(P, Y, S, H, levels=L, ages=A, kind=kind,
                                               source=f"{len(pool)} series, origins up to {origin}")
        out = {}
        for tid, f in frames.items():
            if len(f) < MIN_YEARS:
                continue
            try:
                fc = DefaultModel(calibration=cals.get(kinds[tid])).fit(f, kind=kinds[tid]).predict(
                    years, n_draws=n_draws, seed=seed)
            except SeriesError:
                continue
            out[tid] = fc.draws
        return out

    return trend


def run(args) -> int:

    if args.draws < 10:
        raise UserError(f"--draws must be at least 10 (interval coverage needs quantiles), got {args.draws}")
    folder = Path(args.data) if args.data is not None else config.demo_dir()
    if not folder.is_dir():
        raise UserError(f"{folder}: no such dataset folder")
    try:
        ds = load_dataset(folder)
    except ValidationError as exc:
        raise UserError(str(exc)) from exc
    if ds.roster is None:
        raise UserError(f"{folder}: the dataset has no roster; the engine starts from one")
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
