"""Required effort: the smallest lever value that meets a target with a given probability.

For a target and a lever (by default the training programme that moves the target's
criterion, e.g. the senior specialist programme for T07), search the smallest yearly
training capacity (people starting per year) — or the smallest share of graduates among
recruits — with which the stock-flow projection meets the target in the target year with
probability at least ``p``. The projection's probability is (up to Monte-Carlo noise under
common random numbers) non-decreasing in the lever, so a bisection on the lever's range
finds it; if even the top of the range falls short the verdict is "unreachable with
these levers" (e.g. retirements and the recruits' qualification mix cap the share below
the threshold, METHODS.md §3.2: the maintainable share p*).

Unit costs (VND per participant, ``data/costs.yml``) turn the answer into money when the
programme has one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from forecast import config
from forecast import stockflow as sf
from forecast.domain import definitions
from forecast.domain.status import REQUIRED_P
from forecast.stockflow import PROGRAMMES
from forecast.stockflow import scenarios as sc
from forecast.stockflow.calibration import SpreadCalibration, calibrate

REACHABLE = "reachable"
UNREACHABLE = "unreachable with these levers"

#: The lever each target is moved by, by default (programme capacities in people/year): the
#: programmes that move its criterion (:attr:`forecast.domain.definitions.Definition.levers`).
DEFAULT_LEVERS: dict[str, tuple[str, ...]] = {tid: d.levers for tid, d in definitions.definitions().items()}

#: Levers the solver can search, with their search range (the top for capacities is the
#: headcount: beyond it every eligible person is enrolled every year anyway).
SHARE_LEVERS = ("recruit_university_share", "new_leader_programme_share")


@dataclass
class Effort:
    """The answer of :func:`required_effort`.

    Attributes
    ----------
    target_id : str
    lever : str
        The lever searched (several capacity levers set to the same value are joined
        with ``+``).
    value : float
        The smallest value found meeting the target with probability ``p_required``, or the
        top of the range when unreachable.
    probability : float
        The probability achieved at ``value``.
    p_required : float
    verdict : str
        ``"reachable"`` or ``"unreachable with these levers"``.
    baseline_value, baseline_probability : float
        The scenario's own value and probability.
    cost : float or None
        Total cost (VND) of the enrolments over the projection at ``value``, when unit
        costs are known for the programme(s).
    cost_per_year : float or None
        ``value`` × unit cost (VND per year at full use of the places).
    evaluations : list of (value, probability)
        Every projection the search ran, in order.
    scenario : Scenario
        The scenario with the lever set to ``value`` (feed it back to the engine).
    notes : list of str
    """

    target_id: str
    lever: str
    value: float
    probability: float
    p_required: float
    verdict: str
    baseline_value: float
    baseline_probability: float
    cost: float | None = None
    cost_per_year: float | None = None
    evaluations: list = field(default_factory=list)
    scenario: object = None
    notes: list = field(default_factory=list)

    @property
    def achieved(self) -> float:
        """Alias of :attr:`probability`."""
        return self.probability

    def to_dict(self) -> dict:
        """JSON-ready fields (without the scenario object)."""
        return {"target_id": self.target_id, "lever": self.lever, "value": self.value,
                "probability": self.probability, "p_required": self.p_required, "verdict": self.verdict,
                "baseline_value": self.baseline_value, "baseline_probability": self.baseline_probability,
                "cost_vnd": self.cost, "cost_per_year_vnd": self.cost_per_year,
                "evaluations": [[float(v), float(p)] for v, p in self.evaluations], "notes": self.notes}


def costs_file() -> Path:
    """The default unit-cost table (``data/costs.yml``)."""
    return config.data_dir() / "costs.yml"


def load_costs(path: Path | None = None) -> dict[str, float]:
    """Unit costs per participant (VND) by programme name; programmes without a figure are left out.

    Raises ``ValueError`` naming the file and entry for a malformed table.
    """
    path = Path(path or costs_file())
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}

    out, problems = {}, []
    for name, item in (doc.get("programmes") or {}).items():
        where = f"{path}: programmes.{name}"
        if name not in PROGRAMMES:
            problems.append(f"{where}: unknown programme (known: {', '.join(PROGRAMMES)})")
            continue
        if not isinstance(item, Mapping) or "vnd_per_participant" not in item:
            problems.append(f"{where}: expected a mapping with 'vnd_per_participant' and 'source'")
            continue
        value = item["vnd_per_participant"]
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(f"{where}.vnd_per_participant: expected a non-negative number, got {value!r}")
            continue
        if not str(item.get("source") or "").strip():
            problems.append(f"{where}: a unit cost needs its 'source'")
        out[name] = float(value)
    if problems:
        raise ValueError("\n".join(problems))
    return out


def _programme(lever: str) -> str | None:
    parts = lever.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "programmes" else None


def required_effort(roster, scenario, target_id: str, p: float = REQUIRED_P, levers: tuple | str | None = None,
                    start_year: int | None = None, end_year: int = 2030, n_draws: int = 500, seed: int = 0,
                    costs: Mapping | str | Path | None = "default", upper: float | None = None,
                    history: Mapping | None = None, tolerance: float | None = None,
                    calibration: SpreadCalibration | None = None,
                    judge: Callable[[Any], float | None] | None = None) -> Effort:
    """The smallest value of a lever that meets ``target_id`` with probability ≥ ``p``.

    Parameters
    ----------
    roster : DataFrame or Dataset
        The snapshot the projection starts from (see :func:`forecast.stockflow.project`).
    scenario : Scenario or str
        The scenario whose other levers stay as they are.
    target_id : str
        ``T01`` … ``T11`` or a part ``T09a``–``T09c``.
    p : float
        Required probability of meeting the target in ``end_year`` (default 0.8).
    levers : str or tuple of str, optional
        Lever(s) to search; several capacity levers are set to the same value together.
        Default: :data:`DEFAULT_LEVERS`. Share levers (:data:`SHARE_LEVERS`) are searched on
        [0, 1].
    start_year, end_year, n_draws, seed
        Passed to the engine (same seed = the same random numbers at every trial value).
    costs : mapping, path, "default" or None
        Unit costs (VND per participant) by programme; ``"default"`` reads
        ``data/costs.yml``; ``None`` computes no cost.
    upper : float, optional
        Top of the search range (default: the headcount for capacities, 1 for shares).
    history : mapping, optional
        Estimates of :func:`forecast.stockflow.scenarios.estimate_baseline` (computed once if needed).
    tolerance : float, optional
        Search resolution (default: 1 person for capacities, 0.005 for shares).
    calibration : SpreadCalibration, optional
        The engine's extra spread from its hindcast, applied to every trial projection.
    judge : callable, optional
        The probability a trial projection gives (default: the engine's own,
        ``proj.p_meet(target_id)``). The explorer passes the reports' headline rule, so that
        the value found gives the probability its verdict then shows; None counts as 0.

    Returns
    -------
    Effort
    """

    if not 0 < p <= 1:
        raise ValueError(f"p must be in (0, 1], got {p!r}")
    if target_id not in sf.TARGET_SPECS:
        raise KeyError(f"unknown target {target_id!r}; known: {', '.join(sf.TARGET_SPECS)}")
    scenario = sc.load_scenario(scenario) if isinstance(scenario, str | Path) else scenario
    levers = (levers,) if isinstance(levers, str) else tuple(levers or DEFAULT_LEVERS[target_id])
    for lv in levers:
        sc.lever_spec(lv)
    is_share = all(lv in SHARE_LEVERS for lv in levers)
    if not is_share and any(lv in SHARE_LEVERS for lv in levers):
        raise ValueError("search either capacity levers or share levers, not both")
    roster_frame = roster if not hasattr(roster, "roster") else roster.roster
    if history is None and scenario.needs_history():
        history = sc.estimate_baseline(roster)
    factor = float(scenario.resolve(history).get("training_capacity_factor", 1.0)) if not is_share else 1.0

    def run(value: float):
        changes = {lv: _as_lever_value(lv, value, factor) for lv in levers}
        scen = scenario.with_levers(**changes)
        proj = sf.project(roster_frame, scen, start_year, end_year, n_draws=n_draws, seed=seed, history=history)
        proj = calibrate(proj, calibration, seed=seed)
        prob = proj.p_meet(target_id) if judge is None else judge(proj)
        return scen, proj, 0.0 if prob is None else float(prob)

    resolved = scenario.resolve(history)
    base_value = float(np.mean([_effective(lv, resolved, factor) for lv in levers]))
    base_scen, base_proj, base_p = run(base_value)
    evaluations = [(base_value, base_p)]
    if upper is None:
        upper = 1.0 if is_share else float(max(1, len(sf.active_staff(roster_frame))))
    tol = tolerance or (0.005 if is_share else 1.0)
    lever_name = "+".join(levers)
    notes = []

    if base_p >= p:
        # already met: search downwards for the smallest sufficient value
        lo, hi = 0.0, base_value
        best = (base_value, base_scen, base_proj, base_p)
        zero_scen, zero_proj, zero_p = run(0.0)
        evaluations.append((0.0, zero_p))
        if zero_p >= p:
            notes.append(f"met with {p:.0%} probability even with {lever_name} = 0")
            return _finish(target_id, lever_name, 0.0, zero_p, p, REACHABLE, base_value, base_p,
                           evaluations, zero_scen, zero_proj, levers, costs, notes, factor)
    else:
        top_scen, top_proj, top_p = run(upper)
        evaluations.append((upper, top_p))
        if top_p < p:
            notes.append(f"even {lever_name} = {upper:g} gives P = {top_p:.2f} < {p:.2f}")
            return _finish(target_id, lever_name, upper, top_p, p, UNREACHABLE, base_value, base_p,
                           evaluations, top_scen, top_proj, levers, costs, notes, factor)
        lo, hi = base_value, upper
        best = (upper, top_scen, top_proj, top_p)
    while hi - lo > tol:
        mid = (lo + hi) / 2 if is_share else math.floor((lo + hi) / 2)
        if mid <= lo:
            break
        scen, proj, pm = run(mid)
        evaluations.append((mid, pm))
        if pm >= p:
            hi = mid
            best = (mid, scen, proj, pm)
        else:
            lo = mid
    value, scen, proj, pm = best
    return _finish(target_id, lever_name, value, pm, p, REACHABLE, base_value, base_p, evaluations, scen,
                   proj, levers, costs, notes, factor)


def _as_lever_value(lever: str, value: float, factor: float):
    """The file value of a lever for an effective value (capacities are scaled by the factor)."""
    if lever.endswith(".capacity"):
        return int(math.ceil(value / max(factor, 1e-9) - 1e-9))
    return round(float(value), 4)


def _effective(lever: str, resolved: Mapping, factor: float) -> float:
    value = resolved[lever]
    if isinstance(value, Mapping):
        value = float(np.mean(list(value.values())))
    return float(value) * (factor if lever.endswith(".capacity") else 1.0)


def _finish(target_id, lever, value, prob, p_req, verdict, base_value, base_p, evaluations, scen, proj,
            levers, costs, notes, factor) -> Effort:
    cost = per_year = None
    if costs is not None:
        table = load_costs() if isinstance(costs, str) and costs == "default" else (
            load_costs(Path(costs)) if isinstance(costs, str | Path) else dict(costs))
        named = [_programme(lv) for lv in levers]
        progs = [pg for pg in named if pg]
        if named and all(pg in table for pg in progs):
            if len(progs) == len(named):
                enrol = proj.enrolments
                used = enrol[enrol["programme"].isin(progs)]
                cost = float(sum(used.loc[used["programme"] == pg, "enrolled"].sum() * table[pg] for pg in progs))
                per_year = float(sum(value * table[pg] for pg in progs))
        elif named and len(progs) == len(named):
            missing = [pg for pg in progs if pg not in table]
            notes.append(f"no unit cost for {', '.join(missing)} in the cost table: cost not computed")
    return Effort(target_id=target_id, lever=lever, value=float(value), probability=float(prob),
                  p_required=float(p_req), verdict=verdict, baseline_value=float(base_value),
                  baseline_probability=float(base_p), cost=cost, cost_per_year=per_year,
                  evaluations=evaluations, scenario=scen, notes=notes)
