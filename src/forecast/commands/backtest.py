"""``forecast backtest``: rolling-origin accuracy of the trend models on a panel."""

from __future__ import annotations

from forecast.cli import UserError
from forecast.models.backtest import PanelError, read_panel, run_backtest, write_json


def register(sub) -> None:
    p = sub.add_parser("backtest", help="rolling-origin backtest of the models on an entity,year,value[,flag] panel")
    p.add_argument("panel", metavar="PANEL.csv", help="panel with columns entity,year,value[,flag] (value in percent)")
    p.add_argument("--window", type=int, default=8, help="most points each fit uses (default 8)")
    p.add_argument("--horizons", type=int, default=8, help="years ahead forecast from each origin (default 8)")
    p.add_argument("--min-points", type=int, default=3, help="fewest points a fit uses (default 3)")
    p.add_argument("--draws", type=int, default=1000, help="simulated paths per forecast (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--no-auto-ets", action="store_true", help="leave out statsforecast's AutoETS")
    p.add_argument("--json", metavar="OUT.json", required=True, help="where to write the figures")
    p.set_defaults(func=run)


def run(args) -> int:

    try:
        panel = read_panel(args.panel)
    except PanelError as exc:
        raise UserError(str(exc)) from exc
    try:
        result = run_backtest(panel, window=args.window, horizons=args.horizons, min_points=args.min_points,
                              n_draws=args.draws, seed=args.seed, auto_ets=not args.no_auto_ets, jobs=args.jobs)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    result["panel"] = str(args.panel)
    write_json(result, args.json)
    d = result["methods"].get(result["default"], {})
    print(f"{result['n_forecasts']} forecasts scored; default mae_3_8 = {d.get('mae_3_8', float('nan')):.3f} pp; "
          f"written to {args.json}")
    for note in result["notes"]:
        print(f"note: {note}")
    return 0
