"""``forecast simulate``: project every target with the stock-flow engine under a scenario."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from forecast import atomic, config, stockflow
from forecast.cli import UserError
from forecast.domain.targets import get_target
from forecast.inputs.dataset import Dataset, load_dataset
from forecast.inputs.observations import MIN_YEAR, max_year
from forecast.inputs.tables import ValidationError
from forecast.stockflow import TARGET_SPECS
from forecast.stockflow import scenarios as sc
from forecast.stockflow.calibration import SpreadCalibration, calibrate
from forecast.stockflow.pace import pace_notes
from forecast.stockflow.snapshots import NoSnapshot, roster_snapshot, roster_years
from forecast.verdict import runhindcast
from forecast.verdict.analysis import analyse_targets

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
#: Most Monte-Carlo draws of one run: the engine holds every draw's state at once (about 25 KB
#: a draw on the demo province, more on a real one), and 10,000 draws already put a probability
#: within ±0.01 (95 %).
MAX_DRAWS = 10_000
#: Last year a projection may reach: the plan's 2045 vision.
LAST_END_YEAR = 2045
#: Seed of the hindcast whose spread ``--calibration run`` applies: the annual run's
#: (``forecast.reports.pipeline.DEFAULT_SEED``), so the command finds the run's cached hindcast
#: and gives the probabilities the reports give.
RUN_HINDCAST_SEED = config.RUN_SEED
CALIBRATIONS = ("run", "none")


def add_calibration_option(p, default: str) -> None:
    """The ``--calibration`` option shared by ``simulate`` and ``plan``."""
    p.add_argument("--calibration", choices=CALIBRATIONS, default=default,
                   help="'run': widen the engine's paths by the spread its own hindcast calls for, as the "
                        "annual run's reports do (the hindcast is computed once, about 20 s, and cached); "
                        f"'none': the engine's own spread (default {default})")


def run_calibration(ds, folder: Path, choice: str, start_year: int | None) -> SpreadCalibration | None:
    """The annual run's spread calibration for a dataset, or None (``--calibration none``).

    The calibration is estimated for a projection from the roster's latest year; from another
    start year none applies and a note says so on stderr.
    """
    if choice == "none":
        return None
    print("hindcast of the engine (cached after the first time) …", file=sys.stderr)
    cal = runhindcast.for_run(ds, folder, seed=RUN_HINDCAST_SEED).calibration
    if cal is not None and start_year is not None and int(start_year) != int(cal.origin):
        print(f"note: the hindcast's spread is estimated for a start in {cal.origin}; a start in {start_year} "
              "uses the engine's own spread", file=sys.stderr)
        return None
    return cal


def register(sub) -> None:
    p = sub.add_parser(
        "simulate",
        help="project T01–T11 from the latest roster with the stock-flow engine under a scenario",
        description="Step the roster snapshot year by year under a scenario's levers and write, per "
                    "target, the trajectory quantiles by year and the probability of meeting the "
                    "threshold in the end year.")
    p.add_argument("--data", type=Path, default=None,
                   help="dataset folder with roster.csv[.gz] (default: the demo province)")
    p.add_argument("--scenario", default="baseline",
                   help="scenario name in data/scenarios/ or a YAML file (default baseline)")
    p.add_argument("--draws", type=int, default=1000, help=f"Monte-Carlo draws, 1–{MAX_DRAWS:,} (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random numbers (default 0)")
    p.add_argument("--start-year", type=int, default=None,
                   help="snapshot year (default: the roster's latest); the roster as of that year is used, "
                        "and the levers are estimated from the flows up to it")
    p.add_argument("--end-year", type=int, default=2030, help="last projected year (default 2030, ≤ 2045)")
    p.add_argument("--json", type=Path, required=True, metavar="OUT.json", help="where to write the results")
    add_calibration_option(p, default="none")
    p.set_defaults(func=run)


def load_engine_dataset(data: Path | None) -> tuple[Path, Dataset]:
    """Open a dataset folder for the stock-flow engine (``simulate``, ``plan``, ``hindcast``).

    Parameters
    ----------
    data : Path or None
        The ``--data`` folder; None for the demo province.

    Returns
    -------
    (folder, Dataset)

    Raises
    ------
    UserError
        No such folder, a dataset that fails validation (every problem), or no roster.
    """
    folder = Path(data) if data is not None else config.demo_dir()
    if not folder.is_dir():
        raise UserError(f"{folder}: no such dataset folder")
    try:
        ds = load_dataset(folder)
    except ValidationError as exc:
        raise UserError(str(exc)) from exc
    if ds.roster is None:
        raise UserError(f"{folder}: the dataset has no roster.csv[.gz]; the stock-flow engine starts from one")
    return folder, ds


def results(projection, scenario, levels=QUANTILES) -> dict:
    """The JSON document of a projection: per target, quantiles by year and P(meet)."""

    out = {}
    for tid in projection.targets:
        fc = projection.forecast(tid)
        q = fc.quantiles(list(levels))
        base = get_target(tid[:3])
        item = {
            "kind": fc.kind,
            "threshold": None if TARGET_SPECS[tid].kind == "count" else base.share,
            "criterion": _criterion(base),
            "meeting_rule": base.meeting.to_dict(),
            "start": {"year": int(projection.start_year), "value": projection.start_value(tid)},
            "years": [int(y) for y in fc.years],
            "mean": [float(v) for v in fc.mean],
            "quantiles": {f"{p:g}": [float(v) for v in q[p]] for p in levels},
            "p_meet": float(projection.p_meet(tid)),
            "p_meet_year": int(projection.years[-1]),
        }
        out[tid] = item
    return out


def trend_reference(observations, proj, seed: int = 0) -> dict:
    """The trend default's 80 % interval for the first projected year, per target (the baseline's check)."""
    first = int(proj.years[0])
    out = {}
    # 400 draws: only the first year's 10 % and 90 % quantiles are read
    for r in analyse_targets(observations, as_of=int(proj.start_year), n_draws=400, seed=seed):
        fc = r.forecast
        if fc is not None and first in list(fc.years):
            j = list(fc.years).index(first)
            lo, hi = np.quantile(fc.draws[:, j], [0.1, 0.9])
            out[r.target.id] = (float(lo), float(hi))
    return out


def _criterion(target) -> str:
    """The meeting rule in words (data/targets.yml ``meeting_rule``)."""
    rule = target.meeting
    if rule.rule == "rising":
        return "rising every year"
    if rule.rule == "rounded":
        return f"share rounded to {rule.decimals} decimal(s) of a percent >= {target.threshold:g} %"
    return f"share >= {target.threshold:g} %"


def _write_json(doc: dict, path: Path) -> None:
    atomic.write_json(path, doc)


def option_problem(draws: int, start_year: int | None, end_year: int) -> str | None:
    """Why the numeric options are out of range (None when they are not), checked before any work.

    ``--draws`` in 1–:data:`MAX_DRAWS`; ``--start-year`` a year the data can hold
    (:data:`~forecast.inputs.observations.MIN_YEAR` to this year); ``--end-year`` after the
    start and at most :data:`LAST_END_YEAR`.
    """
    if not 1 <= draws <= MAX_DRAWS:
        return f"--draws {draws}: expected 1 to {MAX_DRAWS:,} Monte-Carlo draws"
    if start_year is not None and not MIN_YEAR <= start_year <= max_year():
        return f"--start-year {start_year} is outside {MIN_YEAR}–{max_year()} (the years a roster can describe)"
    first = (start_year if start_year is not None else MIN_YEAR) + 1
    if not first <= end_year <= LAST_END_YEAR:
        return (f"--end-year {end_year} is outside {first}–{LAST_END_YEAR} (after the start year, and 2045, the "
                "plan's vision, or earlier)")
    return None


def run(args) -> int:
    """Project and write the JSON; exit 2 for an option out of range, 1 for bad data or scenario."""
    problem = option_problem(args.draws, args.start_year, args.end_year)
    if problem is not None:
        print(f"forecast simulate: {problem}", file=sys.stderr)
        return 2
    try:
        scenario = sc.load_scenario(args.scenario)
    except sc.ScenarioError as exc:
        raise UserError(str(exc)) from exc
    folder, ds = load_engine_dataset(args.data)
    start = args.start_year if args.start_year is not None else max(roster_years(ds.roster), default=None)
    try:
        if start is not None:
            roster_snapshot(ds, start)  # refuse a year without its roster before estimating anything
        history = sc.estimate_baseline(ds, until=start) if scenario.needs_history() else None
        proj = stockflow.project(ds, scenario, start_year=start, end_year=args.end_year,
                                 n_draws=args.draws, seed=args.seed, history=history)
        proj = calibrate(proj, run_calibration(ds, folder, getattr(args, "calibration", "none"), start),
                         seed=args.seed)
    except NoSnapshot as exc:
        raise UserError(f"--start-year {start}: {exc}") from exc
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    proj.notes += pace_notes(proj, ds.observations, ds.flows, reference=trend_reference(ds.observations, proj))
    levers = {k: (v.to_dict("records") if hasattr(v, "to_dict") else v)
              for k, v in scenario.resolve(history).items()}
    doc = {
        "method": f"stockflow:{scenario.name}",
        "scenario": {"name": scenario.name, "label_en": scenario.label, "label_vi": scenario.label_vi,
                     "file": str(scenario.path) if scenario.path else None, "levers": levers},
        "data": {"folder": str(folder), "synthetic": bool(getattr(ds, "synthetic", False)),
                 "staff": int(len(stockflow.active_staff(roster_snapshot(ds, proj.start_year))))},
        "start_year": int(proj.start_year), "end_year": int(proj.years[-1]),
        "n_draws": int(args.draws), "seed": int(args.seed),
        "calibration": getattr(args, "calibration", "none"),
        "notes": proj.notes,
        "flows": proj.flows.to_dict("records"),
        "enrolments": proj.enrolments.to_dict("records"),
        "targets": results(proj, scenario),
    }
    _write_json(doc, args.json)
    print(f"forecast simulate: {scenario.name}, {args.draws} draws → {args.json}")
    for tid, item in doc["targets"].items():
        print(f"  {tid:5s} P(meet {item['p_meet_year']}) = {item['p_meet']:.2f}")
    return 0
