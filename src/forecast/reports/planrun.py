"""The training plan of the annual run: computed once, cached by its inputs, summarised for the pages.

:func:`plan_document` runs :func:`forecast.plan.section.plan_section` (the least-cost plan, every
target's own effort, every unit's outlook, ranking and allocation, T09's parts, T11 by field)
once per set of inputs and keeps its JSON document in a cache file named by the hash of the
dataset's files, the baseline scenario, the unit-cost table and the settings, so a second run on
the same inputs reads it back in a moment. :func:`plan_summary` turns the document into the
``plan`` block of ``summary.json`` and the run's results: the numbers every page and export shows,
aggregates only (no snapshot counts of a unit; units under 5 people are left out).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from forecast import atomic, config
from forecast.domain.status import REQUIRED_P
from forecast.inputs.tables import YamlError, load_yaml
from forecast.plan.effort import costs_file
from forecast.plan.section import plan_section
from forecast.reports.plangroups import suppressed
from forecast.stockflow.calibration import SpreadCalibration
from forecast.verdict.runhindcast import input_key

#: Bump when the plan section computes something else (invalidates the caches).
VERSION = "plan-section-2"
#: Required probability of every target (issue 16's default; ``prepare: plan_p`` in the run spec).
DEFAULT_P = REQUIRED_P
#: Engine draws of every run of the plan's search (``forecast plan`` uses 500 by default; the annual
#: run keeps to 200 so that it stays within its time budget).
DEFAULT_DRAWS = 200
#: Engine draws of each target's own effort search (about 15 engine runs per target, the slowest part:
#: half the plan's draws; the budget figure is the joint plan's, verified with :data:`DEFAULT_DRAWS`).
EFFORT_DRAWS = 100


def _jsonable(x: Any) -> Any:
    """Plain JSON values: numpy scalars as Python, NaN/inf as None, keys as text."""
    if hasattr(x, "item") and not isinstance(x, list | dict | str):
        x = x.item()
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if x is None or isinstance(x, bool | int | str):
        return x
    return str(x)


def _code_hash() -> str:
    """SHA-256 of the source of the plan and the engine: a changed model or search invalidates the cache."""
    return config.sources_digest("plan", "stockflow")


def cache_key(data_dir: Path, settings: Mapping[str, Any]) -> str:
    """SHA-256 over the dataset's files, the baseline scenario, the cost table, the plan's and the engine's
    source, the settings and :data:`VERSION`."""
    cost_path = costs_file()
    cost_hash = hashlib.sha256(cost_path.read_bytes()).hexdigest() if cost_path.is_file() else ""
    return input_key(Path(data_dir), {"plan_version": VERSION, "costs": cost_hash, "code": _code_hash(), **settings})


def plan_document(dataset, data_dir: Path, *, p: float = DEFAULT_P, n_draws: int = DEFAULT_DRAWS, seed: int = 0,
                  with_efforts: bool = True, cache_dir: Path | None = None, history: Mapping | None = None,
                  say: Callable[[str], None] | None = None,
                  calibration: SpreadCalibration | None = None) -> dict | None:
    """The plan section's JSON document for a dataset, computed once per set of inputs.

    Parameters
    ----------
    dataset : Dataset
        Loaded from ``data_dir``; without a roster there is no plan (``None``).
    data_dir : Path
        Its folder (the files' hashes name the cache entry).
    p : float
        Required probability of meeting every reachable target in 2030.
    n_draws, seed : int
        Engine draws and seed of every run.
    with_efforts : bool
        Also each target's own effort (the target pages' effort line), searched with
        ``min(n_draws, EFFORT_DRAWS)`` draws.
    cache_dir : Path, optional
        Default :func:`forecast.config.plan_cache_dir`.
    history : mapping, optional
        The baseline scenario's estimates (estimated from the dataset when omitted).
    say : callable, optional
        Progress messages.
    calibration : SpreadCalibration, optional
        The engine's extra spread from the run's hindcast (part of the cache key), so the plan's
        probabilities are the assessment's.

    Returns
    -------
    dict or None
        :meth:`forecast.plan.section.PlanSection.to_dict` with ``draws``, ``seed`` and ``cached``.
    """
    say = say or (lambda msg: None)
    if getattr(dataset, "roster", None) is None or not 0 < p < 1:
        return None
    effort_draws = min(n_draws, EFFORT_DRAWS)
    settings = {"p": p, "n_draws": n_draws, "seed": seed, "with_efforts": with_efforts, "effort_draws": effort_draws,
                "calibration": calibration.to_dict() if calibration is not None else None}
    folder = Path(cache_dir) if cache_dir is not None else config.plan_cache_dir()
    path = folder / f"plan-{cache_key(data_dir, settings)[:24]}.json"
    cached = atomic.read_cache(path)
    if cached is not None:
        say(f"training plan read from the cache {path.name}")
        return {**cached, "cached": True}
    say(f"planning the training places (p = {p:g}, {n_draws} draws)")
    section = plan_section(dataset, p=p, n_draws=n_draws, seed=seed, with_efforts=with_efforts, history=history,
                           effort_draws=effort_draws, calibration=calibration)
    doc = _jsonable({**section.to_dict(), "draws": n_draws, "effort_draws": effort_draws, "seed": seed})
    atomic.write_cache(path, doc, say)
    return {**doc, "cached": False}


def plan_summary(doc: Mapping | None) -> dict | None:
    """The ``plan`` block of ``summary.json`` (and of the pages) from a plan document.

    Returns
    -------
    dict or None
        ``p_required``, ``objective``, ``verified``, ``budget_vnd``, ``years``, ``places_per_year``
        (programme → places a year), ``participants`` and ``cost_vnd`` (programme → year → simulated
        participants and VND), ``cost_by_year_vnd``, ``cost_by_programme_vnd``, ``cost_total_vnd``,
        ``cost_per_year_vnd`` (places × unit cost), ``unit_costs`` (programme → VND, status, source,
        basis), ``assumed_per_day_vnd``, ``probabilities``, ``baseline_probabilities``, ``met``,
        ``reachable``, ``unreachable`` (target → top probability), ``top_places``, ``efforts``,
        ``allocation`` (programme, unit, places_per_year), ``units`` (unit, target, rank,
        median_2030, low_2030, high_2030, p_meet), ``ranked_units``, ``t09_parts``, ``t11_by_field``,
        ``places_by_group`` (programme, year, group, places or None when hidden, hidden:
        :func:`forecast.reports.plangroups.suppressed`).
    """
    if not doc:
        return None
    plan = doc["plan"]
    years = list(range(int(plan["years"][0]), int(plan["years"][1]) + 1))
    progs = list(plan["places_per_year"])
    participants = {pg: {str(y): 0.0 for y in years} for pg in progs}
    cost = {pg: {str(y): 0.0 for y in years} for pg in progs}
    for row in plan.get("enrolments") or []:
        pg, y = row["programme"], str(int(row["year"]))
        if pg in cost and y in cost[pg]:
            participants[pg][y] += float(row.get("enrolled") or 0.0)
            cost[pg][y] += float(row.get("cost_vnd") or 0.0)
    by_year = {str(y): sum(cost[pg][str(y)] for pg in progs) for y in years}
    unit_costs = {pg: {"vnd": c["vnd_per_participant"], "status": c["status"], "source": c["source"],
                       "basis": c["basis"]} for pg, c in (plan.get("unit_costs") or {}).items()}
    units = [{k: r.get(k) for k in ("unit", "target", "rank", "median_2030", "low_2030", "high_2030", "p_meet",
                                    "allocated_places_per_year")}
             for r in doc.get("units") or [] if r.get("p_meet") is not None]  # None: under 5 people
    # the ranking keeps forecasts only: its head counts (people short, smallest population) stay out
    ranked = [{k: r.get(k) for k in ("unit", "rank", "gap_2030", "targets", "targets_below_p", "mean_p_meet")}
              for r in doc.get("ranked_units") or []]
    return {
        "p_required": plan["p_required"], "objective": plan["objective"], "verified": plan["verified"],
        "budget_vnd": plan.get("budget_vnd"), "years": years, "draws": doc.get("draws"),
        "effort_draws": doc.get("effort_draws"), "seed": doc.get("seed"),
        "places_per_year": {pg: int(n) for pg, n in plan["places_per_year"].items()},
        "participants": participants, "cost_vnd": cost, "cost_by_year_vnd": by_year,
        "cost_by_programme_vnd": {pg: sum(cost[pg].values()) for pg in progs},
        "cost_total_vnd": sum(by_year.values()), "cost_per_year_vnd": plan["cost_per_year_vnd"],
        "unit_costs": unit_costs, "assumed_per_day_vnd": assumed_per_day(),
        "probabilities": plan["probabilities"], "baseline_probabilities": plan["baseline_probabilities"],
        "met": plan["met"], "reachable": plan["reachable"],
        "unreachable": {t: (plan.get("top_probabilities") or {}).get(t) for t in plan["unreachable"]},
        "top_places": plan.get("top_places"),
        "efforts": doc.get("efforts") or [],
        "allocation": [{k: r[k] for k in ("programme", "unit", "places_per_year")} for r in doc.get("allocation") or []],
        "units": units, "ranked_units": ranked,
        "t09_parts": doc.get("t09_parts") or [], "t11_by_field": doc.get("t11_by_field") or [],
        "places_by_group": suppressed(plan.get("places_by_group") or []),
    }


def assumed_per_day() -> float | None:
    """The assumed VND per participant-day of ``data/costs.yml`` (``None`` when the file has none)."""
    try:
        doc = load_yaml(costs_file())
    except (OSError, YamlError):
        return None
    value = doc.get("assumed_vnd_per_day") if isinstance(doc, dict) else None
    return float(value) if isinstance(value, int | float) else None


__all__ = ["DEFAULT_DRAWS", "DEFAULT_P", "EFFORT_DRAWS", "VERSION", "assumed_per_day", "cache_key", "plan_document", "plan_summary"]
