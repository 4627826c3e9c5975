"""``forecast plan``: the least-cost yearly training plan 2026–2030 for every target, verified by simulation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast import atomic
from forecast.cli import UserError
from forecast.commands.simulate import add_calibration_option, load_engine_dataset, run_calibration
from forecast.domain.status import REQUIRED_P
from forecast.plan import costs as costs_mod
from forecast.plan import joint
from forecast.reports.plangroups import suppressed
from forecast.stockflow import scenarios as sc


def register(sub) -> None:
    p = sub.add_parser(
        "plan",
        help="least-cost yearly training places 2026–2030 meeting every reachable target with P ≥ p",
        description="Choose the yearly places of every training programme (2026–2030) at least cost so that the "
                    "stock-flow engine meets every reachable target with probability ≥ p, or, with --budget, "
                    "the plan meeting the most targets within the budget. The plan is verified by "
                    "simulation and written as a scenario file (forecast simulate --scenario FILE).")
    p.add_argument("--data", type=Path, default=None, help="dataset folder (default: the demo province)")
    p.add_argument("--p", type=float, default=REQUIRED_P,
                   help=f"required probability of meeting each target (default {REQUIRED_P})")
    p.add_argument("--budget", type=float, default=None, metavar="VND",
                   help="total budget 2026–2030 in VND: maximise the number of targets met instead")
    p.add_argument("--scenario", default="baseline", help="scenario of every other lever (default baseline)")
    p.add_argument("--draws", type=int, default=500, help="Monte-Carlo draws of every engine run (default 500)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random numbers (default 0)")
    p.add_argument("--keep-current", action="store_true",
                   help="never plan fewer places than the scenario's own for any programme")
    p.add_argument("--costs", type=Path, default=None, help="unit-cost table (default data/costs.yml)")
    p.add_argument("--scenario-out", type=Path, default=None, metavar="OUT.yml",
                   help="where to write the plan's scenario file (default: beside --json, or ./plan_pNN.yml)")
    p.add_argument("--json", type=Path, default=None, metavar="OUT.json", help="write the plan as JSON")
    add_calibration_option(p, default="run")
    p.add_argument("--xlsx", type=Path, default=None, metavar="OUT.xlsx", help="write the plan as a workbook")
    p.set_defaults(func=run)


def _check(args) -> None:
    problems = []
    if not 0 < args.p < 1:
        problems.append(f"--p must be strictly between 0 and 1, got {args.p}")
    if args.budget is not None and args.budget < 0:
        problems.append(f"--budget must be non-negative, got {args.budget}")
    if args.draws < 20:
        problems.append(f"--draws must be at least 20 (a probability needs draws), got {args.draws}")
    for flag, path, suffix in (("--json", args.json, ".json"), ("--xlsx", args.xlsx, ".xlsx"),
                               ("--scenario-out", args.scenario_out, ".yml")):
        if path is not None and path.suffix.lower() != suffix:
            problems.append(f"{flag} {path}: expected a {suffix} file")
    if problems:
        raise UserError("\n".join(problems))


def write_xlsx(plan: joint.Plan, path: Path) -> Path:
    """The plan's workbook: places and cost by programme and year, probabilities, unit costs."""
    probs = pd.DataFrame([{"target": t, "p_baseline": plan.baseline_probabilities[t], "p_plan": v,
                           "reachable": t in plan.reachable, "met": t in plan.met,
                           "why_unreachable": plan.unreachable.get(t, "")} for t, v in plan.probabilities.items()])
    units = pd.DataFrame([c.to_dict() for c in plan.costs.values()])
    # programme, year, group, places (empty when under 5 or needed to protect one: forecast.reports.plangroups)
    by_group = pd.DataFrame(suppressed(_group_rows(plan)), columns=["programme", "year", "group", "places", "hidden"])

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            joint.plan_table(plan).to_excel(xl, sheet_name="plan", index=False)
            probs.to_excel(xl, sheet_name="probabilities", index=False)
            units.to_excel(xl, sheet_name="unit_costs", index=False)
            by_group.to_excel(xl, sheet_name="places_by_group", index=False)
    return atomic.write_with(path, write)


def _group_rows(plan: joint.Plan) -> list[dict]:
    return [] if plan.by_group is None else plan.by_group.to_dict(orient="records")


def run(args) -> int:
    _check(args)
    try:
        table = costs_mod.unit_costs(args.costs)
    except costs_mod.CostError as exc:
        raise UserError(str(exc)) from exc
    try:
        scenario = sc.load_scenario(args.scenario)
    except sc.ScenarioError as exc:
        raise UserError(str(exc)) from exc
    folder, ds = load_engine_dataset(args.data)
    calibration = run_calibration(ds, folder, args.calibration, None)
    try:
        plan = joint.least_cost_plan(ds, scenario, p=args.p, budget=args.budget, n_draws=args.draws,
                                     seed=args.seed, costs=table, keep_current=args.keep_current,
                                     calibration=calibration)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    out_yml = args.scenario_out or (args.json.with_suffix(".yml") if args.json else Path(f"{plan.scenario.name}.yml"))
    sc.save_scenario(plan.scenario, out_yml)
    if args.json:
        atomic.write_json(args.json, {**plan.to_dict(), "scenario_file": str(out_yml), "n_draws": args.draws,
                                      "seed": args.seed, "calibration": args.calibration,
                                      "places_by_group": suppressed(_group_rows(plan))})
    if args.xlsx:
        write_xlsx(plan, args.xlsx)
    print(f"forecast plan: {plan.objective}; verified by simulation: {'yes' if plan.verified else 'NO'}")
    for pg, n in plan.places.items():
        c = plan.costs[pg]
        tag = "" if c.status == costs_mod.LEGAL else " (ASSUMED unit cost)"
        print(f"  {pg:30s} {n:6d} places/year × {c.vnd:>13,.0f} VND{tag}")
    print(f"  cost: {plan.cost_per_year:,.0f} VND a year at full use; {plan.cost_total:,.0f} VND 2026–2030 "
          "(simulated enrolments)")
    for t, v in plan.probabilities.items():
        state = "met" if t in plan.met else ("unreachable" if t in plan.unreachable else "short")
        print(f"  {t:5s} P = {v:.2f} (baseline {plan.baseline_probabilities[t]:.2f}) {state}")
    for note in plan.notes:
        print(f"  note: {note}")
    print(f"  scenario: {out_yml} (forecast simulate --scenario {out_yml} --draws {args.draws} --seed {args.seed} "
          f"--calibration {args.calibration})")
    return 0 if plan.verified else 2
