"""Scenarios as changes against the headline: "from 58 % to 84 %; 2030: 95.7 % → 97.1 %".

A scenario is run by the stock-flow engine; the headline (:mod:`forecast.verdict.verdict`)
comes from the engine's baseline or from the trend. Either way a scenario is reported
against the headline, never beside it:

* headline from the **engine**: the scenario's own probability and median;
* headline from the **trend**: the engine supplies the scenario's *effect* — the
  difference between its scenario and baseline medians, year by year — and that effect is
  added to every trend path (shares kept in [0, 1], and under the ceiling that recruits
  without the criterion leave when they put 100 % out of reach); the probability is then
  read off the shifted paths under the target's meeting rule. With no effect the scenario
  gives back the headline exactly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from forecast.results import Forecast
from forecast.verdict.verdict import ENGINE, TREND, Verdict


@dataclass(frozen=True)
class ScenarioChange:
    """A scenario's result as a change from the headline.

    Attributes
    ----------
    scenario : str
        The scenario's name.
    year : int
        The target year.
    kind : str
        ``share`` (values in [0, 1]) or ``count`` (T11).
    p_from, p_to : float or None
        Headline probability and the probability under the scenario.
    median_from, median_to : float or None
        Headline median and the median under the scenario in ``year``.
    method : str
        ``engine`` (the engine's own scenario run) or ``shifted_trend`` (the trend's paths
        moved by the engine's effect).
    """

    scenario: str
    year: int
    kind: str
    p_from: float | None
    p_to: float | None
    median_from: float | None
    median_to: float | None
    method: str

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)


def _median_at(fc: Forecast, year: int) -> float | None:
    hits = np.flatnonzero(fc.years == int(year))
    return float(np.median(fc.draws[:, hits[0]])) if len(hits) else None


def engine_effect(baseline: Forecast, scenario: Forecast, years: np.ndarray) -> np.ndarray:
    """The scenario's median minus the baseline's, for each of ``years`` (0 where not projected)."""
    out = np.zeros(len(years))
    for i, y in enumerate(np.asarray(years, dtype=int)):
        b, s = _median_at(baseline, y), _median_at(scenario, y)
        if b is not None and s is not None:
            out[i] = s - b
    return out


def shifted(trend: Forecast, effect: np.ndarray, cap: float | None = None) -> Forecast:
    """The trend's paths plus a yearly effect (shares clipped to [0, ``cap`` or 1], counts at ≥ 0)."""
    draws = trend.draws + np.asarray(effect, dtype=float)[None, :]
    top = 1.0 if cap is None else float(cap)
    draws = np.clip(draws, 0.0, top) if trend.kind == "share" else np.maximum(draws, 0.0)
    return Forecast(trend.years, draws, method=f"{trend.method}+effect", kind=trend.kind)


def p_meet_paths(fc: Forecast, target, latest_value: float | None) -> float | None:
    """Probability that a forecast meets ``target`` under its meeting rule.

    Shares: draws at or above :attr:`Target.met_share` in the target year. T11 (``rising``):
    paths rising every year from ``latest_value`` to the target year.
    """
    if target.meeting.rule == "rising":
        if latest_value is None or not math.isfinite(latest_value):
            return None
        keep = fc.years <= target.year
        return Forecast(fc.years[keep], fc.draws[:, keep], fc.method, fc.kind).prob_rising(latest_value)
    if target.year not in set(int(y) for y in fc.years):
        return None
    return fc.prob_at_least(target.met_share, target.year)


def scenario_change(verdict: Verdict, target, scenario: str, *, trend: Forecast | None,
                    engine_baseline: Forecast | None, engine_scenario: Forecast | None,
                    p_engine_scenario: float | None, latest_value: float | None = None,
                    cap: float | None = None) -> ScenarioChange | None:
    """One scenario as a change from the target's headline.

    Parameters
    ----------
    verdict : Verdict
        The target's headline (its ``source`` says how the change is computed).
    target : forecast.domain.targets.Target
    scenario : str
        The scenario's name.
    trend : Forecast or None
        The trend forecast (used when the headline is the trend's).
    engine_baseline, engine_scenario : Forecast or None
        The engine's projections under the baseline and under ``scenario``.
    p_engine_scenario : float or None
        The engine's probability under ``scenario`` (counted in whole people by the engine).
    latest_value : float, optional
        The latest observation (T11's rising rule starts from it).
    cap : float, optional
        The highest share the moved trend paths may reach (the ceiling recruits without the
        criterion leave, :attr:`forecast.verdict.falls.RecruitGap.ceiling`).

    Returns
    -------
    ScenarioChange or None
        None when the headline has no probability or the engine did not run the scenario.
    """
    kind = "count" if target.meeting.rule == "rising" else "share"
    if verdict.p_meet is None or engine_scenario is None:
        return None
    if verdict.source == ENGINE:
        return ScenarioChange(scenario, target.year, kind, verdict.p_meet, p_engine_scenario, verdict.median,
                              _median_at(engine_scenario, target.year), ENGINE)
    if verdict.source != TREND or trend is None or engine_baseline is None:
        return None
    effect = engine_effect(engine_baseline, engine_scenario, np.asarray(trend.years))
    moved = shifted(trend, effect, cap)
    median_to = None
    if verdict.median is not None and target.year in set(int(y) for y in trend.years):
        # the headline median moved by the effect (the trend's point forecast may differ from its draws' median)
        median_to = float(verdict.median + effect[int(np.flatnonzero(trend.years == target.year)[0])])
        median_to = min(max(median_to, 0.0), 1.0 if cap is None else cap) if kind == "share" else max(median_to, 0.0)
    return ScenarioChange(scenario, target.year, kind, verdict.p_meet, p_meet_paths(moved, target, latest_value),
                          verdict.median, median_to, "shifted_trend")
