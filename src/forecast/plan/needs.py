"""Effort for every target: gross yearly places per programme, their cost, or why none suffices.

For each target (on track or not) :func:`forecast.plan.effort.required_effort` searches the
smallest yearly number of places of the target's programmes with which the stock-flow engine
meets it with probability ≥ ``p`` in 2030. The places are *gross*: the engine removes
retirements (Decree 135/2020), other exits and recruits arriving without the qualification,
so the answer is what has to be bought, not the net rise. Costs come from
:func:`forecast.plan.costs.unit_costs`, each labelled legal or ASSUMPTION.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast import stockflow as sf
from forecast.domain.status import REQUIRED_P
from forecast.domain.targets import get_target
from forecast.plan import costs as costs_mod
from forecast.plan import effort as ef
from forecast.stockflow import scenarios as sc
from forecast.stockflow.calibration import SpreadCalibration
from forecast.verdict.falls import recruit_gap

#: Projected years the costs are summed over.
PLAN_YEARS = (2026, 2030)


@dataclass
class TargetEffort:
    """One target's effort line.

    Attributes
    ----------
    target_id : str
    programmes : tuple of str
        The programmes whose places were searched (set to the same number each).
    places_per_year : int
        Gross places a year of each programme.
    baseline_places : float
        The scenario's own places a year.
    probability, baseline_probability, p_required : float
        Simulated probabilities of meeting the target in 2030.
    reachable : bool
    cost_per_year, cost_total : float or None
        VND a year at full use of the places, and the simulated enrolments 2026–2030 × unit cost.
    cost_status : str
        ``"legal"``, ``"assumption"`` (some unit cost is assumed) or ``"none"`` (no unit cost).
    cost_sources : list of str
        Every unit cost's provenance (act or ASSUMPTION basis).
    reason : str
        Why no number of places suffices (empty when reachable).
    """

    target_id: str
    programmes: tuple
    places_per_year: int
    baseline_places: float
    probability: float
    baseline_probability: float
    p_required: float
    reachable: bool
    cost_per_year: float | None
    cost_total: float | None
    cost_status: str
    cost_sources: list = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict:
        """JSON-ready fields."""
        return {"target_id": self.target_id, "programmes": list(self.programmes),
                "places_per_year": self.places_per_year, "baseline_places": self.baseline_places,
                "probability": self.probability, "baseline_probability": self.baseline_probability,
                "p_required": self.p_required, "reachable": self.reachable,
                "cost_per_year_vnd": self.cost_per_year, "cost_total_vnd": self.cost_total,
                "cost_status": self.cost_status, "cost_sources": self.cost_sources, "reason": self.reason}


def _programmes(levers: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(lv.split(".")[1] for lv in levers if lv.startswith("programmes.") and lv.endswith(".capacity"))


def cost_status(programmes: tuple[str, ...], table: Mapping[str, costs_mod.UnitCost]) -> str:
    """``"none"`` when a programme has no unit cost, ``"assumption"`` when one is assumed, else ``"legal"``."""
    if not programmes or any(p not in table for p in programmes):
        return "none"
    return "assumption" if any(table[p].status == costs_mod.ASSUMPTION for p in programmes) else "legal"


def unreachable_reason(roster: pd.DataFrame | None, target_id: str, effort: ef.Effort) -> str:
    """Why even the most places fall short, in words (English), from the recruits and the simulation."""
    target = get_target(target_id[:3])
    parts = [f"even {effort.value:,.0f} places a year of {effort.lever.replace('programmes.', '').replace('.capacity', '')} "
             f"give P = {effort.probability:.0%} < {effort.p_required:.0%}"]
    gap = recruit_gap(roster, target_id) if target.threshold is not None else None
    cut = target.meeting.cut(target.threshold)
    if gap is not None and cut is not None and gap.without:
        parts.append(f"{gap.without} of the {gap.recruits} people recruited {gap.years[0]}–{gap.years[1]} arrived "
                     f"without the qualification (about {gap.per_year:.0f} a year), which keeps the share of a "
                     f"snapshot at most near {gap.ceiling:.2%} against a target of {cut:.2%}"
                     if gap.ceiling < cut else
                     f"{gap.without} of the {gap.recruits} recent recruits arrived without the qualification")
    if target.threshold is None:
        parts.append("the count must rise every single year, and retirements of post-graduates in some year "
                     "outweigh what the programme can add")
    return "; ".join(parts)


def effort_for_every_target(dataset, scenario="baseline", p: float = REQUIRED_P, n_draws: int = 200, seed: int = 0,
                            targets: list[str] | None = None, costs: Mapping | None = None,
                            history: Mapping | None = None,
                            calibration: SpreadCalibration | None = None) -> list[TargetEffort]:
    """Each target's gross yearly places for P(meet in 2030) ≥ ``p``, with their cost.

    Parameters
    ----------
    dataset : Dataset or DataFrame
        The roster (and its history) the engine starts from.
    scenario : Scenario or str
        The other levers (default ``baseline``).
    p : float
        Required probability (default 0.8).
    n_draws, seed
        Engine draws and seed (common random numbers across the search).
    targets : list of str, optional
        Default: every target and part the engine projects.
    costs : mapping of programme → UnitCost, optional
        Default: :func:`forecast.plan.costs.unit_costs`.
    history : mapping, optional
        The baseline estimates (computed once when omitted).

    Returns
    -------
    list of TargetEffort
    """
    scenario = sc.load_scenario(scenario) if not isinstance(scenario, sc.Scenario) else scenario
    table = dict(costs) if costs is not None else costs_mod.unit_costs()
    roster = dataset if isinstance(dataset, pd.DataFrame) else dataset.roster
    if history is None and scenario.needs_history():
        history = sc.estimate_baseline(dataset, until=int(pd.to_numeric(roster["year"]).max()))
    out = []
    for tid in targets or list(sf.TARGET_SPECS):
        progs = _programmes(ef.DEFAULT_LEVERS[tid])
        e = ef.required_effort(dataset, scenario, tid, p=p, n_draws=n_draws, seed=seed,
                               costs=costs_mod.vnd(table), history=history or {}, calibration=calibration)
        reachable = e.verdict == ef.REACHABLE
        out.append(TargetEffort(
            target_id=tid, programmes=progs, places_per_year=int(np.ceil(e.value)),
            baseline_places=e.baseline_value, probability=e.probability,
            baseline_probability=e.baseline_probability, p_required=p, reachable=reachable,
            # no cost for an effort that does not reach the target: it would price a useless plan
            cost_per_year=e.cost_per_year if reachable else None, cost_total=e.cost if reachable else None,
            cost_status=cost_status(progs, table),
            cost_sources=[f"{pg}: {table[pg].label}" for pg in progs if pg in table],
            reason="" if reachable else unreachable_reason(roster, tid, e)))
    return out


def effort_table(efforts: list[TargetEffort]) -> pd.DataFrame:
    """One row per target: places a year, probabilities, cost a year and 2026–2030, cost status."""
    return pd.DataFrame([{
        "target": e.target_id, "programmes": " + ".join(e.programmes), "places_per_year": e.places_per_year,
        "baseline_places": round(e.baseline_places), "p_baseline": e.baseline_probability,
        "p_with_places": e.probability, "reachable": e.reachable, "cost_per_year_vnd": e.cost_per_year,
        "cost_2026_2030_vnd": e.cost_total, "cost_status": e.cost_status, "reason": e.reason,
    } for e in efforts])
