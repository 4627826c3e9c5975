"""Scenarios side by side, and one lever swept over a range of values (the planners' Excel what-if tables).

:func:`compare` puts two to four scenarios in one table for the current target and unit:
the projected level in the target year, the gap to the target, the probability of
meeting it, the training places a year and their cost a year (unit costs of
``data/costs.yml`` through :func:`forecast.plan.effort.load_costs`; programmes without a
published cost are left out of the sum and the table says so). :func:`sweep` runs the
projection for each value of one lever, everything else fixed, with the same random
numbers, so the rows differ by the lever's effect alone.

May import domain … reports.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast import config
from forecast.explorer.levers import CAPACITY_FACTOR, flat_levers, lever_values, pinned
from forecast.explorer.messages import text
from forecast.explorer.session import Session, level_at
from forecast.plan.effort import load_costs
from forecast.reports import fmt

#: How many scenarios a comparison holds.
MIN_COMPARED, MAX_COMPARED = 2, 4


def places_and_cost(levers: Mapping, costs: Mapping[str, float] | None) -> tuple[float, float | None, bool]:
    """Training places a year (every programme, times the capacity factor) and their cost a year (VND).

    Returns ``(places, cost, complete)``: ``cost`` sums the programmes with a unit cost
    (None when none has one), ``complete`` says whether every programme with places had one.
    """
    factor = float(levers.get(CAPACITY_FACTOR, 1.0))
    places, cost, complete = 0.0, 0.0, True
    priced = False
    for name, value in levers.items():
        parts = name.split(".")
        if len(parts) != 3 or parts[0] != "programmes" or parts[2] != "capacity" or isinstance(value, Mapping):
            continue
        n = float(value) * factor
        places += n
        unit_cost = (costs or {}).get(parts[1])
        if unit_cost is None:
            complete = complete and n == 0
        else:
            cost += n * unit_cost
            priced = True
    return places, (cost if priced else None), complete


def _costs() -> dict[str, float] | None:
    try:
        return load_costs()
    except (OSError, ValueError):
        return None  # no cost table: the column stays empty rather than inventing figures


def _row(session: Session, name: str, scenario: Any, flat: Mapping, costs) -> dict:
    unit, tid = session.view["unit"], session.view["target"]
    target = session.targets[tid]
    proj = session.projection(unit, flat, scenario)
    p = session._p_scenario(proj, tid)
    level = level_at(session._scenario_forecast(proj, tid), target.year)
    resolved = dict(lever_values(scenario))
    resolved.update({k: v for k, v in flat.items() if "[" not in k})
    places, cost, complete = places_and_cost(resolved, costs)
    return {"scenario": name, "level": None if level is None else level[0],
            "gap": None if level is None or target.threshold is None else level[0] - target.share,
            "p_scenario": p, "places": places, "cost_per_year": cost, "cost_complete": complete}


def compare(session: Session, scenarios: Sequence[Any], *, include_current: bool = False,
            costs: Mapping[str, float] | None | str = "default") -> pd.DataFrame:
    """Two to four scenarios (names, files or objects) side by side for the current target and unit.

    Parameters
    ----------
    session : Session
        The explorer (its target, unit, engine and caches are used).
    scenarios : sequence
        Saved scenarios to compare; with ``include_current`` the current levers are a
        row too (named after the current scenario).
    costs : mapping, None or "default"
        Unit costs (VND per participant) by programme; ``"default"`` reads ``data/costs.yml``.

    Returns
    -------
    DataFrame
        One row per scenario: ``scenario``, ``level``, ``gap``, ``p_scenario``, ``places``,
        ``cost_per_year`` (VND; None without unit costs), ``cost_complete``.

    Raises
    ------
    ValueError
        For fewer than two or more than four scenarios (message in the view's language).
    """
    lang = session.view["lang"]
    n = len(scenarios) + (1 if include_current else 0)
    if not MIN_COMPARED <= n <= MAX_COMPARED:
        raise ValueError(text("pick_2_4", lang))
    table = _costs() if isinstance(costs, str) else costs
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

    Returns one row per value: ``value``, ``p_scenario``, ``level``, ``gap``.
    """
    if lever not in session.levers:
        raise KeyError(f"unknown lever {lever!r}; levers: {', '.join(session.levers)}")
    unit, tid = session.view["unit"], session.view["target"]
    target = session.targets[tid]
    rows = []
    for value in values:
        proj = session.projection(unit, {**session.levers, lever: value})
        level = level_at(session._scenario_forecast(proj, tid), target.year)
        rows.append({"value": value, "p_scenario": session._p_scenario(proj, tid),
                     "level": None if level is None else level[0],
                     "gap": None if level is None or target.threshold is None else level[0] - target.share})
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
    ax.plot(x, table["p_scenario"].astype(float), marker="o", color="#0072B2", label=text("p_scenario", lang))
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _p: fmt.percent(v, 0, lang))
    ax.set_xlabel(lever_label, fontsize=8)
    ax.set_ylabel(text("p_scenario", lang), color="#0072B2", fontsize=8)
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
