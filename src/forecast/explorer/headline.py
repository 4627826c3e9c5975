"""The explorer's one answer per target: the reports' verdict rule applied to the view.

The annual run's reports give one probability per target (issue 15): the headline comes
from the engine's baseline where the engine passes its own hindcast for that target, from
the trend otherwise (:func:`forecast.verdict.verdict.decide`, built by
:func:`forecast.verdict.record.build`), and a scenario is a change from that headline
(:func:`forecast.verdict.changes.scenario_change`: the engine's own run when the headline
is the engine's, the trend's paths moved by the engine's effect when it is the trend's).
The explorer answers the same way: its levers make a scenario, and the probability it
shows is that scenario's change from the reference scenario's (``baseline``) headline.
Nothing here re-states the rule; it only feeds the view's forecasts to those functions.

A unit's view has no hindcast (the engine is scored on the province), so by the same
rule its headline is the unit's trend and the engine supplies the levers' effect.

May import every stage below the explorer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast import config
from forecast.domain import status as status_rule
from forecast.explorer.actions import required_text
from forecast.explorer.levers import flat_levers, lever_values, pinned
from forecast.explorer.messages import probability as show_probability
from forecast.explorer.messages import probability_in_sentence, text
from forecast.results import Forecast
from forecast.verdict import record as verdict_record
from forecast.verdict import wording
from forecast.verdict.changes import ScenarioChange, engine_effect, scenario_change, shifted
from forecast.verdict.verdict import ENGINE, TREND, HindcastScore

#: The scenario whose engine run is the engine's component of the headline (as in the reports).
REFERENCE = verdict_record.BASELINE
#: Name the explorer gives the levers' scenario in a :class:`ScenarioChange`.
LEVERS_SCENARIO = "explorer"
PROVINCE = config.PROVINCE_CODE


@dataclass(frozen=True)
class Headline:
    """The view's answer for one target: the reference verdict and the levers as a change from it.

    Attributes
    ----------
    record : VerdictRecord
        The reference scenario's verdict (the reports' rule) and why 100 % may be out of reach.
    change : ScenarioChange or None
        The levers' scenario as a change from the verdict (None when the verdict has no
        probability or the engine did not project the target).
    forecast : Forecast or None
        The paths behind :attr:`p`: the engine's (calibrated) projection, or the trend's
        paths moved by the engine's effect.
    """

    record: Any
    change: ScenarioChange | None
    forecast: Forecast | None = None

    @property
    def source(self) -> str | None:
        """``engine`` or ``trend`` (None when neither model answers)."""
        return self.record.verdict.source

    @property
    def p(self) -> float | None:
        """The one probability the view shows: the scenario's, read as the reports read it."""
        if self.change is not None:
            return self.change.p_to
        return self.record.verdict.p_meet

    @property
    def median(self) -> float | None:
        """The target-year median behind :attr:`p`."""
        if self.change is not None:
            return self.change.median_to
        return self.record.verdict.median

    @property
    def unreachable(self) -> bool:
        """100 % is out of reach while recruits arrive without the criterion (reports say it in words)."""
        return bool(self.record.unreachable) and (self.p is None or self.p < 0.01)


def attainment_record(result: Any, p_trend: float | None) -> dict:
    """The trend's ``Attainment.to_dict()`` for a trend result, completed from what the view knows.

    An injected analysis may give an attainment without ``to_dict`` (or none): its probability
    is then ``p_trend`` and the latest value the series' last one (T11's rising rule starts there).
    """
    to_dict = getattr(getattr(result, "attainment", None), "to_dict", None)
    out = dict(to_dict()) if callable(to_dict) else {}
    if out.get("p_meet") is None and p_trend is not None:
        out["p_meet"] = float(p_trend)
    if out.get("latest_value") is None:
        series = getattr(result, "series", None)
        if series is not None and "value" in series:
            values = series["value"].dropna()
            if len(values):
                out["latest_value"] = float(values.iloc[-1])
    return out if out.get("p_meet") is not None else {}


def reference_record(target: Any, attainment: Mapping, trend: Forecast | None, baseline: Forecast | None,
                     p_baseline: float | None, score: HindcastScore | None, roster: Any = None) -> Any:
    """The reference scenario's verdict record (:func:`forecast.verdict.record.build`, as the reports build it).

    Parameters
    ----------
    target : forecast.domain.targets.Target
    attainment : mapping
        :func:`attainment_record` of the trend ({} without a trend probability).
    trend : Forecast or None
    baseline : Forecast or None
        The engine's projection of the reference scenario (None when the unit lacks the population).
    p_baseline : float or None
        Its probability of meeting the target.
    score : HindcastScore or None
        The engine's hindcast for the target (None for a unit: only the province is scored).
    roster : DataFrame, optional
        The unit's roster (whether recruits without the criterion put 100 % out of reach).
    """
    runs = {} if baseline is None or p_baseline is None else {REFERENCE: {"forecast": baseline,
                                                                          "p_meet": float(p_baseline)}}
    return verdict_record.build(target, attainment, trend, runs, score, roster=roster)


def headline(record: Any, target: Any, attainment: Mapping, *, trend: Forecast | None, baseline: Forecast | None,
             scenario: Forecast | None, p_scenario: float | None, paths: bool = False) -> Headline:
    """The levers' scenario as a change from the reference verdict (:func:`scenario_change`).

    ``paths`` also builds the forecast behind the probability (for the chart and the 80 % range
    of the selected target; the table needs only the probability and the median).
    """
    cap = record.recruit_gap.ceiling if record.recruit_gap is not None else None
    change = scenario_change(record.verdict, target, LEVERS_SCENARIO, trend=trend, engine_baseline=baseline,
                             engine_scenario=scenario, p_engine_scenario=p_scenario,
                             latest_value=attainment.get("latest_value"), cap=cap)
    fc = None
    if paths:
        source = record.verdict.source
        if source == ENGINE:
            fc = scenario if scenario is not None else baseline
        elif source == TREND and trend is not None:
            fc = trend
            if baseline is not None and scenario is not None:
                fc = shifted(trend, engine_effect(baseline, scenario, np.asarray(trend.years)), cap)
    return Headline(record, change, fc)


class Headlines:
    """The headline of every target for a view: a mixin of :class:`~forecast.explorer.session.Session`.

    The reference scenario's projection and verdict do not depend on the levers: they are
    computed once per unit; a lever change costs one :func:`scenario_change` per target.
    """

    # provided by the session
    targets: dict
    scores: dict
    starting: Any
    history: Any
    _sliders: tuple[str, ...] | None
    _load_scenario: Any
    _reference: Any
    _record_cache: dict
    projection: Any
    trend: Any
    roster_for: Any
    _p_trend: Any
    _p_scenario: Any
    _scenario_forecast: Any
    calibration_for: Any
    _subject: Any
    threshold_text: Any

    def reference_scenario(self) -> Any:
        """The scenario the headline is read from (``baseline``, its estimated levers pinned).

        The starting scenario when it is the baseline (so an injected scenario serves), else
        the baseline file through the session's scenario loader.
        """
        if self._reference is None:
            base = self.starting if getattr(self.starting, "name", None) == REFERENCE else self._load_scenario(REFERENCE)
            self._reference = pinned(base, self.history)
        return self._reference

    def reference_projection(self, unit: str) -> Any:
        """The engine's projection of ``unit`` under the reference scenario (cached like any other)."""
        ref = self.reference_scenario()
        return self.projection(unit, flat_levers(lever_values(ref), self._sliders), ref)

    def reference_records(self, unit: str) -> dict:
        """Target id → the reference verdict record for ``unit`` (cached per unit)."""
        if unit in self._record_cache:
            return self._record_cache[unit]
        ref = self.reference_projection(unit)
        trend = self.trend(unit)
        roster = self.roster_for(unit)
        out = {}
        for tid, t in self.targets.items():
            result = trend.get(tid)
            att = attainment_record(result, self._p_trend(result))
            score = self.scores.get(tid) if unit == PROVINCE else None
            out[tid] = (reference_record(t, att, getattr(result, "forecast", None),
                                         self._scenario_forecast(ref, tid),
                                         self._p_scenario(ref, tid), score, roster), att)
        self._record_cache[unit] = out
        return out

    def headline_for(self, unit: str, proj: Any, target_id: str) -> Headline:
        """The headline of one target under ``proj``, with the paths behind it (compared scenarios, sweeps)."""
        ref = self.reference_projection(unit)
        rec, att = self.reference_records(unit)[target_id]
        return headline(rec, self.targets[target_id], att,
                        trend=getattr(self.trend(unit).get(target_id), "forecast", None),
                        baseline=self._scenario_forecast(ref, target_id),
                        scenario=self._scenario_forecast(proj, target_id) if proj is not ref else None,
                        p_scenario=self._p_scenario(proj, target_id), paths=True)

    def headlines(self, unit: str, proj: Any, paths_for: str | None = None) -> dict[str, Headline]:
        """Target id → the headline of ``proj`` (the levers' projection); paths for ``paths_for`` only."""
        ref = self.reference_projection(unit)
        trend = self.trend(unit)
        moved = proj is not ref  # the levers are the baseline's: the headline itself, not a change from it
        out = {}
        for tid, (rec, att) in self.reference_records(unit).items():
            out[tid] = headline(rec, self.targets[tid], att, trend=getattr(trend.get(tid), "forecast", None),
                                baseline=self._scenario_forecast(ref, tid),
                                scenario=self._scenario_forecast(proj, tid) if moved else None,
                                p_scenario=self._p_scenario(proj, tid),
                                paths=tid == paths_for)
        return out

    def verdict(self, target_id: str, unit: str, p, p_trend, p_required: float, lang: str,
                head: Headline | None = None, moved: bool = False) -> str:
        """The one-line verdict of the view: ONE probability ``p``, its status and where it comes from.

        ``p`` is the headline (:attr:`Headline.p`); ``p_trend`` only tells a target the unit
        has no data for from one it has. With ``head``, the line ends with the rule that chose
        the probability (the reports' words, :func:`forecast.verdict.wording.source`) and, when
        the levers ``moved`` away from the baseline, the change from its probability.
        """
        t = self.targets[target_id]
        subject = self._subject(unit, lang)
        if p is None and p_trend is None:
            series = getattr(self.trend(unit).get(target_id), "series", None)
            if series is not None and series.attrs.get("sparse_count"):  # data, but no trend from it
                return text("no_trend", lang, tid=target_id, subject=subject, n=len(series),
                            positive=int((series["value"] > 0).sum()))
            return text("not_applicable", lang, tid=target_id, subject=subject)
        if p is None:
            return text("no_answer", lang, tid=target_id, subject=subject) + self.source_text(head, moved, lang, unit)
        req = required_text(p_required, lang)
        # the one status rule at the user's required probability; without the pace the
        # explorer does not track, every status short of on track reads "accelerate"
        code = status_rule.status_code(p, p_required=p_required)
        status = text("on_track" if code == "on_track" else "accelerate", lang, req=req)
        shown = (wording.headline_probability(head.record.verdict, lang, True) if head is not None and head.unreachable
                 else show_probability(p, lang))
        return text("verdict", lang, subject=subject, tid=target_id, thr=self.threshold_text(target_id, lang),
                    year=t.year, p=shown, status=status) + self.source_text(head, moved, lang, unit)

    def source_text(self, head: Headline | None, moved: bool, lang: str, unit: str = PROVINCE) -> str:
        """Where the view's probability comes from, in the reports' words (" …" or "")."""
        if head is None:
            return ""
        parts = [wording.source(head.record.verdict, lang)]
        if head.source == "engine" and self.calibration_for(unit) is not None:
            parts.append(text("calibrated", lang))
        if moved and head.change is not None:
            if head.change.method == "shifted_trend":
                parts.append(text("shifted", lang))
            parts.append(wording.scenario_sentence(head.change, text("against_reference", lang), lang,
                                                   shown=probability_in_sentence) + ".")
        return " " + " ".join(parts)
