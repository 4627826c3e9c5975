"""Everything issue 16 adds to the annual reports, computed once per run (for the pipeline to store).

:func:`plan_section` runs the least-cost plan, the effort line of every target (optional: it is
the slowest part), every unit's outlook under the plan, the ranking and the allocation of the
plan's places, T09's parts and T11 by key field, and returns them as one JSON-ready document.
The report pages then show them with the functions of :mod:`forecast.plan.report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from forecast import stockflow as sf
from forecast.domain.status import REQUIRED_P
from forecast.plan import joint, needs, report, units
from forecast.stockflow import scenarios as sc
from forecast.stockflow.calibration import SpreadCalibration, calibrate


@dataclass
class PlanSection:
    """The plan, the targets' efforts, the units' outlook, ranking and allocation, T09 parts, T11 by field."""

    plan: joint.Plan
    efforts: list = field(default_factory=list)
    outlook: units.UnitOutlook | None = None
    ranked: pd.DataFrame | None = None
    allocation: pd.DataFrame | None = None
    t09: pd.DataFrame | None = None
    t11: pd.DataFrame | None = None

    def to_dict(self) -> dict:
        """JSON-ready document (unit rows with a population under 5 are suppressed)."""
        def records(frame: pd.DataFrame | None) -> list:
            return [] if frame is None else frame.astype(object).where(frame.notna(), None).to_dict(orient="records")

        unit_rows = (report.unit_table(self.outlook, self.ranked, self.allocation)
                     if self.outlook is not None and self.ranked is not None else None)
        return {"plan": self.plan.to_dict(), "efforts": [e.to_dict() for e in self.efforts],
                "units": records(unit_rows), "ranked_units": records(self.ranked),
                "allocation": records(self.allocation), "t09_parts": records(self.t09),
                "t11_by_field": records(None if self.t11 is None else self.t11.reset_index())}


def plan_section(dataset, p: float = REQUIRED_P, n_draws: int = 200, seed: int = 0, with_efforts: bool = False,
                 scenario="baseline", history: Mapping | None = None,
                 unit_column: str = "unit_code", effort_draws: int | None = None,
                 calibration: SpreadCalibration | None = None) -> PlanSection:
    """Compute the report content of issue 16 for one dataset.

    Parameters
    ----------
    dataset : Dataset or DataFrame
        With a roster (``unit_column`` names each person's unit).
    p : float
        Required probability (the run's parameter).
    n_draws, seed
        Engine draws and seed for every run.
    with_efforts : bool
        Also search each target's own effort (about 14 × 15 engine runs).
    effort_draws : int, optional
        Engine draws of the effort searches (default ``n_draws``; fewer make them cheaper).
    scenario, history
        The scenario of every other lever and its estimates (computed once when omitted).
    calibration : SpreadCalibration, optional
        The engine's extra spread from the run's hindcast, applied to every projection, so the
        plan's probabilities are the ones the assessment reports.

    Returns
    -------
    PlanSection
    """
    scenario = sc.load_scenario(scenario) if not isinstance(scenario, sc.Scenario) else scenario
    roster = dataset if isinstance(dataset, pd.DataFrame) else dataset.roster
    if history is None and scenario.needs_history():
        history = sc.estimate_baseline(dataset, until=int(pd.to_numeric(roster["year"]).max()))
    plan = joint.least_cost_plan(dataset, scenario, p=p, n_draws=n_draws, seed=seed, history=history,
                                 calibration=calibration)
    proj = sf.project(dataset, plan.scenario, None, joint.YEARS[1], n_draws=n_draws, seed=seed, history=history)
    proj = calibrate(proj, calibration, seed=seed)
    efforts = needs.effort_for_every_target(dataset, scenario, p=p, n_draws=effort_draws or n_draws, seed=seed,
                                            history=history, calibration=calibration) if with_efforts else []
    snap = roster[roster["year"] == roster["year"].max()] if "year" in roster else roster
    outlook = units.unit_outlook(snap, proj, p=p, unit_column=unit_column, seed=seed) if unit_column in roster else None
    ranked = units.ranked_units(outlook) if outlook is not None else None
    allocation = units.allocate(plan.places, outlook) if outlook is not None else None
    return PlanSection(plan=plan, efforts=efforts, outlook=outlook, ranked=ranked, allocation=allocation,
                       t09=report.t09_parts(proj, "en"), t11=report.t11_by_field(roster))
