"""Scenarios side by side, and one lever swept over a range of values (the planners' Excel what-if tables).

:func:`compare` puts two to four scenarios in one table for the current target and unit:
the projected level in the target year, the gap to the target, the probability of
meeting it, the training places a year of each programme and their cost a year and over
2026–2030 (places × the unit costs of ``data/costs.yml`` through
:func:`forecast.plan.costs.unit_costs`, whose ASSUMED amounts are flagged as such;
programmes without a unit cost are left out of the sums and named). :func:`sweep` runs the
projection for each value of one lever, everything else fixed, with the same random
numbers, so the rows differ by the lever's effect alone.

May import domain … reports.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast import config
from forecast.explorer.actions import programme_of
from forecast.explorer.levers import CAPACITY_FACTOR, flat_levers, lever_values, pinned
from forecast.explorer.messages import text
from forecast.explorer.session import Session, level_at
from forecast.plan.costs import ASSUMPTION, UnitCost
from forecast.reports import fmt

#: How many scenarios a comparison holds.
MIN_COMPARED, MAX_COMPARED = 2, 4


@dataclass(frozen=True)
class TrainingCost:
    """A scenario's training places a year and what they cost (places × unit cost).

    Attributes
    ----------
    places : dict of programme → float
        Places a year of every programme with a capacity lever (times the capacity factor).
    cost_per_year : float or None
        Σ places × unit cost (VND) over the programmes with a unit cost; None when none has one.
    cost_total : float or None
        ``cost_per_year`` × the number of plan years (every place used every year).
    assumed : bool
        Some programme with places is priced at an ASSUMED unit cost (not set by an act).
    unpriced : tuple of str
        Programmes with places but no unit cost (left out of the sums).
    """

    places: dict
    cost_per_year: float | None
    cost_total: float | None
    assumed: bool
    unpriced: tuple

    @property
    def total_places(self) -> float:
        """Places a year, every programme together."""
        return float(sum(self.places.values()))


def training_costs(levers: Mapping, costs: Mapping[str, UnitCost], n_years: int) -> TrainingCost:
    """Places a year per programme and their cost a year and over ``n_years`` years.

    Parameters
    ----------
    levers : mapping
        Lever values (``programmes.<name>.capacity`` people a year, a number or one per
        staff category; ``training_capacity_factor`` multiplies them all).
    costs : mapping of programme → UnitCost
        :func:`forecast.plan.costs.unit_costs`.
    n_years : int
        Years the plan runs (5 for 2026–2030).

    Returns
    -------
    TrainingCost
    """
    factor = float(levers.get(CAPACITY_FACTOR, 1.0))
    places: dict[str, float] = {}
    for name, value in levers.items():
        programme = programme_of(str(name))
        if programme is None:
            continue
        # a capacity set per staff category is the sum of its parts
        n = sum(float(v) for v in value.values()) if isinstance(value, Mapping) else float(value)
        places[programme] = n * factor
    used = [pg for pg, n in places.items() if n > 0]
    priced = [pg for pg in used if pg in costs]
    per_year = float(sum(places[pg] * costs[pg].vnd for pg in priced)) if priced else None
    return TrainingCost(places=places, cost_per_year=per_year,
                        cost_total=None if per_year is None else per_year * int(n_years),
                        assumed=any(costs[pg].status == ASSUMPTION for pg in priced),
                        unpriced=tuple(pg for pg in used if pg not in costs))


def plan_years(session: Session) -> tuple[int, int]:
    """The first and last projected years (2026–2030 from a 2025 roster)."""
    return session.start_year + 1, session.end_year


def headline_level(session: Session, unit: str, proj: Any, target_id: str) -> tuple[Any, float | None]:
    """The headline of ``proj`` for a target (:meth:`Session.headline_for`) and its target-year median.

    The median is the headline's (the reports' ``median_to``), else that of the paths behind it.
    """
    head = session.headline_for(unit, proj, target_id)
    if head.median is not None:
        return head, head.median
    level = level_at(head.forecast, session.targets[target_id].year)
    return head, None if level is None else level[0]


def _row(session: Session, name: str, scenario: Any, flat: Mapping, costs: Mapping[str, UnitCost]) -> dict:
    unit, tid = session.view["unit"], session.view["target"]
    target = session.targets[tid]
    proj = session.projection(unit, flat, scenario)
    head, median = headline_level(session, unit, proj, tid)
    resolved = dict(lever_values(scenario))
    resolved.update({k: v for k, v in flat.items() if "[" not in k})
    first, last = plan_years(session)
    money = training_costs(resolved, costs, last - first + 1)
    return {"scenario": name, "level": median,
            "gap": None if median is None or target.threshold is None else median - target.share,
            "p": head.p, "source": head.source, "p_scenario": session._p_scenario(proj, tid),
            "places": money.total_places, "places_by_programme": money.places,
            "cost_per_year": money.cost_per_year, "cost_total": money.cost_total, "cost_assumed": money.assumed,
            "unpriced": money.unpriced}


def compare(session: Session, scenarios: Sequence[Any], *, include_current: bool = False,
            costs: Mapping[str, UnitCost] | str = "default") -> pd.DataFrame:
    """Two to four scenarios (names, files or objects) side by side for the current target and unit.

    Parameters
    ----------
    session : Session
        The explorer (its target, unit, engine and caches are used).
    scenarios : sequence
        Saved scenarios to compare; with ``include_current`` the current levers are a
        row too (named after the current scenario).
    costs : mapping of programme → UnitCost, or "default"
        Unit costs with their provenance; ``"default"`` reads ``data/costs.yml``
        (:func:`forecast.plan.costs.unit_costs`).

    Returns
    -------
    DataFrame
        One row per scenario: ``scenario``, ``level``, ``gap``, ``p`` (the one probability, read
        as the reports read a scenario: :mod:`forecast.explorer.headline`), ``source``,
        ``p_scenario`` (the engine's alone), ``places``
        (a year, all programmes), ``places_by_programme`` (dict), ``cost_per_year`` and
        ``cost_total`` (VND over the plan years; None without unit costs), ``cost_assumed``
        (some unit cost is an ASSUMPTION) and ``unpriced`` (programmes with places but no
        unit cost, left out of the sums); see :func:`training_costs`.

    Raises
    ------
    ValueError
        For fewer than two or more than four scenarios (message in the view's language).
    """
    lang = session.view["lang"]
    n = len(scenarios) + (1 if include_current else 0)
    if not MIN_COMPARED <= n <= MAX_COMPARED:
        raise ValueError(text("pick_2_4", lang))
    # no readable cost table: the cost columns stay empty rather than inventing figures
    table = session.unit_costs() if isinstance(costs, str) else dict(costs)
    rows = []
    if include_current:
        rows.append(_row(session, session.display_name(), session.scenario, session.levers, table))
    saved = session.saved_scenarios()
    for item in scenarios:
        name = str(item)
        scen = session._load_scenario(saved.get(name, item)) if isinstance(item, str) else item
        scen = pinned(scen, session.history)
        label = str(getattr(scen, "label_vi", "") or "")
        display = name if isinstance(item, str) else (label if label and ":" not in label else scen.name)
        rows.append(_row(session, display, scen, flat_levers(lever_values(scen), session._sliders), table))
    return pd.DataFrame(rows)


def sweep(session: Session, lever: str, values: Sequence[float]) -> pd.DataFrame:
    """The probability and the target-year level for each value of one lever, the rest as set now.

    Returns one row per value: ``value``, ``p`` (the one probability), ``source``, ``p_scenario``
    (the engine's alone), ``level``, ``gap`` (of the headline's median).
    """
    if lever not in session.levers:
        raise KeyError(f"unknown lever {lever!r}; levers: {', '.join(session.levers)}")
    unit, tid = session.view["unit"], session.view["target"]
    target = session.targets[tid]
    rows = []
    for value in values:
        proj = session.projection(unit, {**session.levers, lever: value})
        head, median = headline_level(session, unit, proj, tid)
        rows.append({"value": value, "p": head.p, "source": head.source, "p_scenario": session._p_scenario(proj, tid),
                     "level": median, "gap": None if median is None or target.threshold is None else median - target.share})
    return pd.DataFrame(rows)


def sweep_values(lo: float, hi: float, steps: int, integer: bool) -> list[float]:
    """``steps`` evenly spaced values from ``lo`` to ``hi`` (whole numbers for places), without repeats."""
    if steps < 2 or steps > 21:
        raise ValueError(f"a sweep takes 2 to 21 values, got {steps}")
    values = np.linspace(lo, hi, steps)
    out = [float(round(v)) if integer else round(float(v), 4) for v in values]
    return list(dict.fromkeys(out))


def sweep_png(table: pd.DataFrame, *, lever_label: str, threshold: float | None, lang: str,
              year: int = config.TARGET_YEAR) -> bytes:
    """A small chart of a sweep: the probability (left axis) and the target-year level (right axis)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 2.8), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = table["value"].astype(float)
    ax.plot(x, table["p"].astype(float), marker="o", color="#0072B2", label=text("p_headline", lang))
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _p: fmt.percent(v, 0, lang))
    ax.set_xlabel(lever_label, fontsize=8)
    ax.set_ylabel(text("p_headline", lang), color="#0072B2", fontsize=8)
    right = ax.twinx()
    right.plot(x, table["level"].astype(float), marker="s", linestyle="--", color="#E69F00",
               label=text("level_2030", lang, year=year))
    if threshold is not None:
        right.axhline(threshold, color="#D55E00", linestyle=":", linewidth=1)
        right.yaxis.set_major_formatter(lambda v, _p: fmt.percent(v, 0, lang))
    right.set_ylabel(text("level_2030", lang, year=year), color="#E69F00", fontsize=8)
    fig.subplots_adjust(left=0.12, right=0.86, top=0.95, bottom=0.2)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
