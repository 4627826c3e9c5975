"""Everything the reports say about one target's verdict, built once per run.

:func:`build` gathers the components (the trend's attainment, the engine's baseline), the
hindcast score, the verdict, each scenario as a change from it, whether 100 % is out of reach
and, for a count, its latest fall with the flows behind it. Reports word the record with
:mod:`forecast.verdict.wording`; ``summary.json`` keeps :meth:`VerdictRecord.to_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.results import Forecast
from forecast.verdict import falls as falls_mod
from forecast.verdict.changes import ScenarioChange, scenario_change
from forecast.verdict.verdict import (
    ENGINE,
    TREND,
    Component,
    HindcastScore,
    Verdict,
    decide,
    scores_from_hindcast,
)
from forecast.verdict.wording import is_unreachable

#: The engine scenario whose projection is the engine's component of the verdict.
BASELINE = "baseline"


@dataclass
class VerdictRecord:
    """One target's verdict and what explains it.

    Attributes
    ----------
    verdict : Verdict
    changes : list of (scenario name, ScenarioChange)
        Every scenario but the baseline, as a change from the headline.
    recruit_gap : RecruitGap or None
        Set when 100 % is out of reach because recruits arrive without the criterion.
    fall : Fall or None
        The latest year-on-year fall of a count (T11), with ``causes`` and ``stock``.
    causes : list of UnusualFlow
    stock : (float, float) or None
        The masters-and-doctors stock of ``flows.csv`` before and after the fall.
    """

    verdict: Verdict
    changes: list = field(default_factory=list)
    recruit_gap: falls_mod.RecruitGap | None = None
    fall: falls_mod.Fall | None = None
    causes: list = field(default_factory=list)
    stock: tuple | None = None

    @property
    def unreachable(self) -> bool:
        """100 % cannot be held (reports say so in words instead of ``< 1%``)."""
        return self.recruit_gap is not None

    def to_dict(self) -> dict:
        """A JSON-ready dict (``summary.json``'s ``verdict`` of a target)."""
        out = self.verdict.to_dict()
        out["scenario_changes"] = {name: ch.to_dict() for name, ch in self.changes}
        out["unreachable"] = None if self.recruit_gap is None else asdict(self.recruit_gap)
        out["fall"] = None if self.fall is None else {
            **asdict(self.fall), "causes": [asdict(c) for c in self.causes],
            "stock_masters": None if self.stock is None else list(self.stock)}
        return out


def _quantiles(fc: Forecast | None, year: int) -> tuple[float | None, float | None, float | None]:
    if fc is None or int(year) not in set(int(y) for y in fc.years):
        return None, None, None
    d = fc.at(year)
    lo, hi = np.quantile(d, [0.1, 0.9])
    return float(fc.median.loc[int(year)]), float(lo), float(hi)


def trend_component(attainment: Mapping, year: int) -> Component | None:
    """The trend's component from an ``Attainment.to_dict()`` record (None without a probability)."""
    if not attainment or attainment.get("p_meet") is None:
        return None
    return Component(TREND, float(attainment["p_meet"]), attainment.get(f"median_{year}"),
                     attainment.get(f"lo80_{year}"), attainment.get(f"hi80_{year}"), attainment.get("method"))


def engine_component(run: Mapping | None, year: int) -> Component | None:
    """The engine's component from one scenario run ``{"forecast": Forecast, "p_meet": float}``."""
    if not run or run.get("p_meet") is None:
        return None
    fc = run.get("forecast")
    med, lo, hi = _quantiles(fc, year)
    return Component(ENGINE, float(run["p_meet"]), med, lo, hi, getattr(fc, "method", None))


def load_scores(path: Path | None) -> dict[str, HindcastScore]:
    """Per-target hindcast scores from a ``forecast hindcast --json`` file; {} when there is none."""
    if path is None or not Path(path).is_file():
        return {}
    with open(path, encoding="utf-8") as fh:
        return scores_from_hindcast(json.load(fh))


def build(target, attainment: Mapping, trend: Forecast | None, runs: Mapping[str, Mapping],
          score: HindcastScore | None, *, series: pd.DataFrame | None = None, roster: pd.DataFrame | None = None,
          flows: pd.DataFrame | None = None) -> VerdictRecord:
    """The verdict record of one target.

    Parameters
    ----------
    target : forecast.domain.targets.Target
    attainment : mapping
        The trend's ``Attainment.to_dict()`` ({} without a forecast).
    trend : Forecast or None
        The trend forecast.
    runs : mapping
        Scenario name → ``{"forecast": Forecast, "p_meet": float}`` from the engine;
        :data:`BASELINE` gives the engine's component.
    score : HindcastScore or None
        The engine's hindcast for the target (None: no hindcast, the trend is used and the
        page says so).
    series : DataFrame, optional
        The observed series (``year``, ``value``): a count's falls are read from it.
    roster, flows : DataFrame, optional
        The latest snapshot and ``flows.csv``: why 100 % is out of reach, why a count fell.

    Returns
    -------
    VerdictRecord
    """
    year = target.year
    att = dict(attainment or {})
    v = decide(target.id, trend_component(att, year), engine_component(runs.get(BASELINE), year), score,
               achieved=att.get("status") == "achieved", observed_pace=att.get("observed_pace_pp"),
               acceleration=att.get("acceleration"))
    base = (runs.get(BASELINE) or {}).get("forecast")
    gap = falls_mod.recruit_gap(roster, target.id)
    out_of_reach = is_unreachable(v, gap, target)
    changes: list[tuple[str, ScenarioChange]] = []
    for name, run in runs.items():
        if name == BASELINE:
            continue
        ch = scenario_change(v, target, name, trend=trend, engine_baseline=base,
                             engine_scenario=run.get("forecast"), p_engine_scenario=run.get("p_meet"),
                             latest_value=att.get("latest_value"),
                             cap=gap.ceiling if out_of_reach and gap is not None else None)
        if ch is not None:
            changes.append((name, ch))
    record = VerdictRecord(v, changes, gap if out_of_reach else None)
    if target.meeting.rule == "rising" and series is not None:
        found = falls_mod.falls(series)
        if found:
            record.fall = found[-1]
            record.causes = falls_mod.unusual_flows(flows, record.fall.year_to)
            record.stock = falls_mod.stock_change(flows, "masters", record.fall.year_to)
    return record
