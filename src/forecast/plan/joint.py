"""One training plan for every target: the least-cost yearly places per programme, verified by simulation.

Programmes serve several targets at once (a university place for a commune civil servant moves
T05, T06 and T10's population alike), so per-target efforts overcount. The plan chooses the
yearly places ``x_j`` of every programme ``j`` (the same number each year 2026–2030: the
engine's capacity lever is one number a year) by sequential mixed-integer linear programming:

1. *Score.* For target ``t`` and a projection, each draw's margin ``s_t`` is the 2030 share
   minus the share the meeting rule needs (T11: the smallest yearly rise of the count minus
   one). ``P(meet) ≥ p`` exactly when the ``(1 − p)`` quantile ``q_t`` of the margins is ≥ 0.
2. *Linearise.* At the current plan ``x⁰`` one engine run per programme with ``x⁰_j + δ_j``
   gives the slopes ``a_tj = Δq_t / δ_j`` (common random numbers make the differences smooth).
3. *Optimise* (:func:`scipy.optimize.milp`): minimise ``Σ c_j x_j`` (unit costs,
   :mod:`forecast.plan.costs`) subject to ``q_t + Σ a_tj (x_j − x⁰_j) ≥ m_t`` for every
   reachable target, integer ``0 ≤ x_j ≤ U_j``. With a budget: maximise the number of targets
   whose constraint holds (binary ``z_t``, big-M), cost ≤ budget, ties to the cheaper plan.
4. *Verify.* Simulate the chosen plan. Targets that fall short get a larger margin ``m_t``
   and the slopes are re-estimated at the new plan; repeat until every (chosen) reachable
   target has ``P ≥ p`` in the simulation or the iterations run out (then the reason is said).

A target is *reachable* when one run with every programme at its top ``U_j`` (the headcount)
meets it with ``P ≥ p``. Only simulated probabilities are reported.
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
from forecast.plan import groups as groups_mod
from forecast.plan.effort import DEFAULT_LEVERS
from forecast.stockflow import PROGRAMMES
from forecast.stockflow import scenarios as sc
from forecast.stockflow.calibration import SpreadCalibration, calibrate

#: First and last year of the plan (the engine's projected years up to 2030).
YEARS = (2026, 2030)
OBJECTIVE_COST = "least cost meeting every reachable target with P >= p"
OBJECTIVE_BUDGET = "most targets met with P >= p within the budget (ties: least cost)"


def _lever(programme: str) -> str:
    return f"programmes.{programme}.capacity"


def margins(proj, target_id: str) -> np.ndarray:
    """Each draw's margin over the target's meeting rule in the last year (≥ 0: met).

    Share targets: share − the rule's cut (:meth:`forecast.domain.targets.MeetingRule.cut`);
    T11 (a count that must rise every year): the smallest yearly rise − 1.
    """
    target = get_target(target_id[:3])
    if target.threshold is None:
        d = proj.draws(target_id)
        path = np.concatenate([np.full((d.shape[0], 1), proj.start_value(target_id)), d], axis=1)
        return np.diff(path, axis=1).min(axis=1) - 1.0
    num, den = proj.numerators[target_id][:, -1], proj.denominators[target_id][:, -1]
    share = np.where(den > 0, num / np.maximum(den, 1), 0.0)
    return share - float(target.meeting.cut(target.threshold) or 0.0)  # a share target has a cut


def score(proj, target_id: str, p: float) -> float:
    """The ``(1 − p)`` quantile of the margins: ≥ 0 when the target is met with probability ≥ p."""
    return float(np.quantile(margins(proj, target_id), 1.0 - p, method="inverted_cdf"))


@dataclass
class Plan:
    """The verified plan.

    Attributes
    ----------
    places : dict of programme → int
        Places a year, 2026–2030.
    objective : str
    p_required : float
    probabilities : dict of target → float
        Simulated P(meet in 2030) under the plan (the only probabilities reported).
    baseline_probabilities : dict of target → float
    reachable : list of str
        Targets some plan can meet (one run at the top of every programme).
    unreachable : dict of target → str
        Targets no plan meets, with the probability at the top.
    verified : bool
        Every reachable (or, with a budget, every chosen) target simulated at P ≥ p.
    met : list of str
        Targets the simulation meets with P ≥ p.
    enrolments : DataFrame
        Simulated mean enrolments by year and programme, with ``cost_vnd``.
    costs : dict of programme → UnitCost
    budget : float or None
    scenario : Scenario
        The plan as a scenario (write it with :func:`forecast.stockflow.scenarios.save_scenario`).
    iterations : list of dict
        Per iteration: places, simulated probabilities, margins used.
    notes : list of str
    by_group : DataFrame or None
        The places by population group (:func:`forecast.plan.groups.places_by_group`), measured
        on the verified plan's simulated enrolments.
    """

    places: dict
    objective: str
    p_required: float
    probabilities: dict
    baseline_probabilities: dict
    reachable: list
    unreachable: dict
    verified: bool
    met: list
    enrolments: pd.DataFrame
    costs: dict
    budget: float | None
    scenario: sc.Scenario
    iterations: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    top_probabilities: dict = field(default_factory=dict)
    top_places: float = 0.0
    by_group: pd.DataFrame | None = None

    @property
    def cost_total(self) -> float:
        """Simulated enrolments 2026–2030 × unit costs (VND)."""
        return float(self.enrolments["cost_vnd"].sum())

    @property
    def cost_per_year(self) -> float:
        """Places a year × unit costs (VND a year at full use of the places)."""
        return float(sum(n * self.costs[pg].vnd for pg, n in self.places.items()))

    def to_dict(self) -> dict:
        """JSON-ready document of the plan."""
        return {"objective": self.objective, "p_required": self.p_required, "budget_vnd": self.budget,
                "places_per_year": self.places, "years": list(YEARS),
                "probabilities": self.probabilities, "baseline_probabilities": self.baseline_probabilities,
                "reachable": self.reachable, "unreachable": self.unreachable, "verified": self.verified,
                "met": self.met, "cost_per_year_vnd": self.cost_per_year, "cost_total_vnd": self.cost_total,
                "unit_costs": {k: c.to_dict() for k, c in self.costs.items()},
                "enrolments": self.enrolments.to_dict(orient="records"),
                "iterations": self.iterations, "notes": self.notes,
                "top_probabilities": self.top_probabilities, "top_places": self.top_places,
                "places_by_group": [] if self.by_group is None else
                self.by_group.astype(object).where(self.by_group.notna(), None).to_dict(orient="records")}


class _Runner:
    """Engine runs of one dataset and scenario with the same draws and seed (common random numbers)."""

    def __init__(self, roster, scenario, history, n_draws: int, seed: int, end_year: int,
                 calibration: SpreadCalibration | None = None) -> None:
        self.roster, self.history, self.n_draws, self.seed, self.end_year = roster, history, n_draws, seed, end_year
        self.calibration = calibration
        self.base = scenario.with_levers(training_capacity_factor=1.0)
        self.runs = 0

    def scenario(self, places: Mapping[str, float]):
        return self.base.with_levers({_lever(pg): int(round(v)) for pg, v in places.items()})

    def _engine(self, places: Mapping[str, float], by_group: bool = False):
        self.runs += 1
        return sf.project(self.roster, self.scenario(places), None, self.end_year, n_draws=self.n_draws,
                          seed=self.seed, history=self.history, by_group=by_group)

    def project(self, places: Mapping[str, float]):
        # the spread the engine's hindcast calls for: the plan's probabilities are the assessment's
        return calibrate(self._engine(places), self.calibration, seed=self.seed)

    def enrolments_by_group(self, places: Mapping[str, float]) -> pd.DataFrame | None:
        """The engine's intake by population group under ``places`` (no probability, so no calibration)."""
        return self._engine(places, by_group=True).enrolments_by_group


def _own(target_id: str) -> list[str]:
    """The programmes that move a target's criterion (its default levers)."""
    return [lv.split(".")[1] for lv in DEFAULT_LEVERS[target_id] if lv.startswith("programmes.")]


def _slopes(runner: _Runner, x: dict, targets: list[str], p: float, upper: dict,
            base_scores: dict) -> tuple[np.ndarray, np.ndarray]:
    """Slopes up and down: ``f[t, j]`` per place added to programme j, ``b[t, j]`` per place removed.

    Forward and backward differences: the response saturates (once the eligible are all
    enrolled a place adds nothing, yet removing one still costs), so one slope either way would
    cut a saturated programme to nothing or promise too much from more places.
    """
    progs = list(x)
    f, b = np.zeros((len(targets), len(progs))), np.zeros((len(targets), len(progs)))
    for j, pg in enumerate(progs):
        up = float(min(max(20.0, 0.5 * x[pg]), upper[pg] - x[pg]))
        down = float(min(max(20.0, 0.5 * x[pg]), x[pg]))
        for step, out in ((up, f), (-down, b)):
            if step == 0:
                continue
            proj = runner.project({**x, pg: x[pg] + step})
            for i, t in enumerate(targets):
                out[i, j] = (score(proj, t, p) - base_scores[t]) / step
    # a place removed costs at least what one added brings (concavity; noise can say otherwise)
    b = np.maximum(b, f)
    b[:, [j for j, pg in enumerate(progs) if x[pg] == 0]] = 0.0
    return f, b


def _solve(f: np.ndarray, b: np.ndarray, q: np.ndarray, x0: np.ndarray, m: np.ndarray, cost: np.ndarray,
           upper: np.ndarray, lower: np.ndarray, budget: float | None, years: int):
    """The MILP on ``x = x0 + u − d``; returns (places, chosen targets) or (None, None).

    Least cost: min c·(u − d) s.t. q + f u − b d ≥ m. Budget: max Σ z − ε·cost s.t.
    q + f u − b d ≥ m − M(1 − z), years · c·x ≤ budget.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # heavy optional import

    n_t, n_p = f.shape
    a = np.hstack([f, -b])  # on (u, d)
    rhs = m - q
    lo = np.zeros(2 * n_p)
    hi = np.concatenate([upper - x0, np.maximum(x0 - lower, 0.0)])
    c_ud = np.concatenate([cost, -cost])
    # x0 + u - d within [lower, upper]
    box = LinearConstraint(np.hstack([np.eye(n_p), -np.eye(n_p)]), lower - x0, upper - x0)
    if budget is None:
        res = milp(c=c_ud, constraints=[LinearConstraint(a, rhs, np.inf), box], integrality=np.ones(2 * n_p),
                   bounds=Bounds(lo, hi))
        if res.x is None:
            return None, None
        return np.round(x0 + res.x[:n_p] - res.x[n_p:]), np.ones(n_t, bool)
    big = np.abs(a) @ hi + np.abs(rhs) + 1.0
    a_full = np.hstack([a, -np.diag(big)])
    scale = max(float(cost @ upper) * years, 1.0)
    c = np.concatenate([c_ud * years / scale * 0.5, -np.ones(n_t)])  # one target outweighs every cost
    spend = LinearConstraint(np.concatenate([c_ud, np.zeros(n_t)])[None, :] * years, -np.inf,
                             budget - float(cost @ x0) * years)
    res = milp(c=c, constraints=[LinearConstraint(a_full, rhs - big, np.inf), spend,
                                 LinearConstraint(np.hstack([box.A, np.zeros((n_p, n_t))]), box.lb, box.ub)],
               integrality=np.ones(2 * n_p + n_t),
               bounds=Bounds(np.concatenate([lo, np.zeros(n_t)]), np.concatenate([hi, np.ones(n_t)])))
    if res.x is None:
        return None, None
    return np.round(x0 + res.x[:n_p] - res.x[n_p:2 * n_p]), res.x[2 * n_p:] > 0.5


def least_cost_plan(dataset, scenario="baseline", p: float = REQUIRED_P, budget: float | None = None,
                    n_draws: int = 200, seed: int = 0, costs: Mapping | None = None,
                    history: Mapping | None = None, max_iterations: int = 8, keep_current: bool = False,
                    end_year: int = YEARS[1], calibration: SpreadCalibration | None = None) -> Plan:
    """The least-cost yearly plan meeting every reachable target with P ≥ ``p`` (or the most within ``budget``).

    Parameters
    ----------
    dataset : Dataset or DataFrame
        Roster (and history) the engine starts from.
    scenario : Scenario or str
        Every lever other than the programmes' places (default ``baseline``).
    p : float
        Required probability of meeting each target in ``end_year``.
    budget : float, optional
        VND over 2026–2030 (places a year × unit cost × years); then the objective is the most
        targets met.
    n_draws, seed
        Engine draws and seed (the verification uses the same).
    costs : mapping of programme → UnitCost, optional
        Default :func:`forecast.plan.costs.unit_costs`; every programme needs one.
    history : mapping, optional
        The baseline estimates (computed once when omitted).
    max_iterations : int
        Linearise–solve–simulate rounds before giving up.
    keep_current : bool
        Never plan fewer places than the scenario's own (default: any number from 0).
    calibration : SpreadCalibration, optional
        The engine's extra spread from its hindcast (:mod:`forecast.stockflow.calibration`), applied
        to every projection so the plan's probabilities are the ones the assessment reports.

    Returns
    -------
    Plan
    """
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    if budget is not None and budget < 0:
        raise ValueError(f"the budget must be non-negative, got {budget!r}")
    scenario = sc.load_scenario(scenario) if not isinstance(scenario, sc.Scenario) else scenario
    table = dict(costs) if costs is not None else costs_mod.unit_costs()
    missing = [pg for pg in PROGRAMMES if pg not in table]
    if missing:
        raise ValueError(f"no unit cost for {', '.join(missing)}: the plan cannot weigh programmes without one "
                         "(add them to data/costs.yml, as a labelled assumption if none is published)")
    roster = dataset if isinstance(dataset, pd.DataFrame) else dataset.roster
    start = int(pd.to_numeric(roster["year"]).max())
    if history is None and scenario.needs_history():
        history = sc.estimate_baseline(dataset, until=start)
    runner = _Runner(dataset, scenario, history or {}, n_draws, seed, end_year, calibration)
    resolved = scenario.resolve(history)
    factor = float(resolved.get("training_capacity_factor", 1.0))
    progs = list(PROGRAMMES)
    x = {pg: float(resolved[_lever(pg)]) * factor for pg in progs}
    headcount = float(len(sf.active_staff(runner.roster if isinstance(runner.roster, pd.DataFrame)
                                          else runner.roster.roster)))
    upper = {pg: headcount for pg in progs}
    lower = {pg: (x[pg] if keep_current else 0.0) for pg in progs}
    targets = list(sf.TARGET_SPECS)

    base = runner.project(x)
    baseline_p = {t: base.p_meet(t) for t in targets}
    top = runner.project(upper)
    # reachable: met at the top of every programme, or already by the scenario (T11's yearly rise is
    # not monotone in the places: a flood of enrolments in one year leaves none to rise the next)
    reachable = [t for t in targets if top.p_meet(t) >= p or baseline_p[t] >= p]
    unreachable = {t: f"P = {top.p_meet(t):.0%} even with every programme at {headcount:,.0f} places a year"
                   for t in targets if t not in reachable}
    top_scores = {t: score(top, t, p) for t in targets}
    cost = np.array([table[pg].vnd for pg in progs])
    years = YEARS[1] - YEARS[0] + 1
    m = {t: 0.0 for t in reachable}
    history_log: list[dict] = []
    best: tuple | None = None  # (met count, -cost, places, projection)
    notes: list[str] = []
    proj = base
    base_cost = float(sum(x[pg] * table[pg].vnd for pg in progs)) * years
    if budget is None or base_cost <= budget:  # the scenario itself is a candidate
        held = [t for t in reachable if baseline_p[t] >= p]
        best = ((len(held), -base_cost), dict(x), base, held)
    for it in range(max_iterations):
        q = {t: score(proj, t, p) for t in reachable}
        f, b = _slopes(runner, x, reachable, p, upper, q)
        need = np.array([min(m[t], max(top_scores[t], 0.0)) if top_scores[t] >= 0 else m[t] for t in reachable])
        sol = chosen = None
        for all_short in (False, True):
            for i, t in enumerate(reachable):
                if q[t] < m[t] and (all_short or not np.any(f[i] > 0)):
                    # flat where the plan stands (the places already exceed who is eligible in the first
                    # tiers), or infeasible: the secant to the top of the target's own programmes
                    for pg in _own(t):
                        if upper[pg] > x[pg]:
                            j = progs.index(pg)
                            f[i, j] = max(f[i, j], max(top_scores[t] - q[t], 0.0) / (upper[pg] - x[pg]))
            sol, chosen = _solve(f, b, np.array([q[t] for t in reachable]), np.array([x[pg] for pg in progs]),
                                 need, cost, np.array([upper[pg] for pg in progs]),
                                 np.array([lower[pg] for pg in progs]), budget, years)
            if sol is not None:
                break
        if sol is None or chosen is None:
            notes.append(f"iteration {it + 1}: the linearised problem has no solution (the slopes promise "
                         "too little); stopped")
            break
        x = {pg: float(v) for pg, v in zip(progs, sol, strict=True)}
        proj = runner.project(x)
        probs = {t: proj.p_meet(t) for t in targets}
        wanted = [t for t, c in zip(reachable, chosen, strict=True) if c]
        met = [t for t in reachable if probs[t] >= p]
        plan_cost = float(sum(x[pg] * table[pg].vnd for pg in progs)) * years
        history_log.append({"iteration": it + 1, "places": {k: int(v) for k, v in x.items()},
                            "probabilities": probs, "margins": dict(m), "chosen": wanted})
        within = budget is None or plan_cost <= budget
        key = (len(met), -plan_cost)
        if within and (best is None or key > best[0]):
            best = (key, dict(x), proj, wanted)
        short = [t for t in wanted if probs[t] < p]
        if not short:
            break
        for t in short:  # ask for more than the linear model promised, by what it missed
            m[t] += max(abs(score(proj, t, p)), 1e-3) + (0.5 if get_target(t[:3]).threshold is None else 0.002)
    else:
        notes.append(f"{max_iterations} iterations did not verify every chosen target; the best simulated "
                     "plan is reported")
    if best is None:
        raise ValueError("no plan within the budget could be simulated")
    _, x, proj, wanted = best
    probs = {t: proj.p_meet(t) for t in targets}
    met = [t for t in reachable if probs[t] >= p]
    verified = set(wanted) <= set(met) if budget is not None else set(met) == set(reachable)
    enrol = proj.enrolments.copy()
    enrol = enrol[(enrol["year"] >= YEARS[0]) & (enrol["year"] <= YEARS[1])]
    enrol["places"] = enrol["programme"].map(lambda pg: int(x[pg]))
    enrol["cost_vnd"] = enrol["enrolled"] * enrol["programme"].map(lambda pg: table[pg].vnd)
    idle = [pg for pg in progs if x[pg] == 0]
    if idle and not keep_current:
        notes.append(f"no places for {', '.join(idle)}: they move no reachable target at the least cost "
                     "(keep_current keeps at least the current places)")
    # the chosen plan once more, its intakes recorded by population group (the same random numbers:
    # the same enrolments as the verified run; recording is off in the search's runs, it costs time)
    by_group = groups_mod.places_by_group(runner.enrolments_by_group(x),
                                          {k: int(v) for k, v in x.items()}, YEARS)
    notes.append(f"{runner.runs} engine runs of {n_draws} draws (seed {seed})")
    # the other levers keep 'from_history': the engine also reads the history's recruit mix and
    # allocation weights, which only an estimated scenario brings (forecast simulate re-estimates them)
    scen = runner.scenario(x)
    name = f"plan_p{round(p * 100)}" + ("" if budget is None else "_budget")
    scen = sc.Scenario(name, scen.entries, label=f"Training plan (P ≥ {p:.0%})",
                       label_vi=f"Kế hoạch đào tạo (xác suất ≥ {p:.0%})",
                       description=f"{OBJECTIVE_BUDGET if budget is not None else OBJECTIVE_COST}; "
                                   f"written by forecast plan",
                       description_vi="Kế hoạch đào tạo do lệnh forecast plan lập", extends=None)
    return Plan(places={k: int(v) for k, v in x.items()}, objective=OBJECTIVE_BUDGET if budget is not None
                else OBJECTIVE_COST, p_required=p, probabilities=probs, baseline_probabilities=baseline_p,
                reachable=reachable, unreachable=unreachable, verified=verified, met=met, enrolments=enrol,
                costs=table, budget=budget, scenario=scen, iterations=history_log, notes=notes,
                top_probabilities={t: top.p_meet(t) for t in targets}, top_places=headcount, by_group=by_group)


def budget_frontier(dataset, budgets: list[float], **kwargs) -> list[Plan]:
    """Plans for increasing budgets, each at least as good as every cheaper one.

    A plan verified within a smaller budget is also within a larger one, so each budget's
    result is the better (more targets met, then cheaper) of its own search and the previous
    budget's plan: a tighter budget never meets more targets.
    """
    out: list[Plan] = []
    for b in sorted(budgets):
        plan = least_cost_plan(dataset, budget=b, **kwargs)
        if out and len(out[-1].met) > len(plan.met):
            plan = out[-1]
        out.append(plan)
    order = np.argsort(np.argsort(budgets))
    return [out[i] for i in order]


def plan_table(plan: Plan) -> pd.DataFrame:
    """Places, simulated enrolments and cost by programme and year, with each unit cost's provenance."""
    rows = plan.enrolments[["year", "programme", "places", "enrolled", "cost_vnd"]].copy()
    rows["cost_status"] = rows["programme"].map(lambda pg: plan.costs[pg].status)
    rows["cost_source"] = rows["programme"].map(lambda pg: plan.costs[pg].label)
    return rows.reset_index(drop=True)
