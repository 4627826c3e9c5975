"""Will a target be met? Probability, first year, required vs observed pace, official labels.

:func:`assess` turns one target, its observed series and a forecast to the
target year into an :class:`Attainment`:

* ``p_meet`` — share of the forecast's simulated paths (parameter uncertainty
  included) whose target-year value meets the threshold. For the
  direction-only T11: the probability that the count rises in every year from
  the latest observation to the target year.
* **The meeting rule.** Each target's rule (``meeting_rule`` in ``data/targets.yml``,
  :class:`forecast.domain.targets.MeetingRule`) sets the share at or above which it
  counts as met: by default a 100 % target is met at :data:`FULL_TARGET_MET` (99.5 %,
  i.e. 100 % after rounding to whole percent), the other shares at their threshold.
  The notes state the rule. Forecasts stay in [0, 1].
* ``first_year_met`` — first forecast year whose point forecast meets it (the
  latest year when already met).
* ``required_pace_pp`` — percentage points a year from the latest value to the
  threshold by the target year; ``observed_pace_pp`` — the least-squares slope
  of the observed series (a level step at a declared break); ``acceleration`` —
  their ratio (ODI's "how much faster").
* the official labels of :mod:`forecast.verdict.official` (ESCAP gap, UNSD and
  Eurostat ratios), kept apart from the statistical probability.

``status`` is one of ``achieved`` (latest value meets the threshold),
``on_track`` (``p_meet`` ≥ 0.5), ``acceleration_needed`` (less likely than not,
but moving the right way at no more than :data:`OFF_TRACK_MULTIPLE` times the
observed pace), ``off_track`` (not moving the right way, or needing more than
that multiple), ``insufficient_data`` (no forecast or fewer than two years).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from forecast.config import BASE_YEAR
from forecast.domain import status as status_rule
from forecast.results import Forecast
from forecast.verdict import official

#: A 100 % target counts as met at or above this share (100 % after rounding to whole percent).
FULL_TARGET_MET = 0.995
#: Probability of meeting the target at or above which a target is "on track" (:mod:`forecast.domain.status`).
ON_TRACK_P = status_rule.ON_TRACK_P
#: Needing more than this multiple of the observed pace makes a target "off track".
OFF_TRACK_MULTIPLE = status_rule.OFF_TRACK_MULTIPLE
STATUSES = status_rule.STATUSES


@dataclass
class Attainment:
    """How one target stands (shares in [0, 1]; counts for T11; paces in percentage points a year).

    Attributes
    ----------
    target_id : str
    latest_value, latest_year : float, int
    median_2030, lo80_2030, hi80_2030 : float
        The forecast's point and 80 % interval in the target year.
    p_meet : float
        Probability of meeting the target (T11: of rising every year).
    first_year_met : int or None
    required_pace_pp, observed_pace_pp, acceleration : float or None
        Pace needed and seen (pp a year; counts a year for T11) and their ratio.
    escap_gap, escap_class, unsd_ratio, unsd_class, eurostat_ratio, eurostat_class
        The official labels (see :mod:`forecast.verdict.official`); ``official`` keeps
        each rule's full record (rule, version, notes).
    status : str
        One of :data:`STATUSES`.
    threshold_met : float or None
        The share judged as meeting the target (0.995 for 100 % targets).
    notes : list of str
    """

    target_id: str
    latest_value: float | None = None
    latest_year: int | None = None
    median_2030: float | None = None
    lo80_2030: float | None = None
    hi80_2030: float | None = None
    p_meet: float | None = None
    first_year_met: int | None = None
    required_pace_pp: float | None = None
    observed_pace_pp: float | None = None
    acceleration: float | None = None
    escap_gap: float | None = None
    escap_class: str | None = None
    unsd_ratio: float | None = None
    unsd_class: str | None = None
    eurostat_ratio: float | None = None
    eurostat_class: str | None = None
    status: str = "insufficient_data"
    threshold_met: float | None = None
    method: str | None = None
    official: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """A JSON-ready dict (numpy numbers turned into Python ones)."""
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, np.generic):
                out[k] = v.item()
        return out


def met_threshold(target) -> float | None:
    """The share at or above which ``target`` counts as met under its meeting rule (None for T11)."""
    if target.share is None:
        return None
    return target.met_share


def rule_note(target) -> str | None:
    """The attainment note stating a share target's meeting rule (None for T11)."""
    rule = target.meeting
    if target.threshold is None:
        return None
    if rule.rule == "rounded":
        cut = 100.0 * target.met_share
        return (f"Meeting rule: the share rounded to {rule.decimals} decimal(s) of a percent reaches "
                f"{target.threshold:g}% (met at {cut:g}% or more)"
                + ("; a share cannot pass 100%." if target.threshold >= 100 else "."))
    return f"Meeting rule: the share reaches {target.threshold:g}% exactly or more."


def progress_status(p_meet: float | None, *, achieved: bool, observed_pace: float | None,
                    acceleration: float | None) -> str:
    """The status code of the one status rule (:func:`forecast.domain.status.status`, whose
    parameters these are) at the reports' probability :data:`ON_TRACK_P`."""
    return status_rule.status_code(p_meet, achieved=achieved, observed_pace=observed_pace,
                                   acceleration=acceleration, p_required=ON_TRACK_P)


def observed_pace(series: pd.DataFrame) -> float | None:
    """Least-squares slope of the series per year, with a level step at each declared break.

    Returns None with fewer than two years (or fewer years than parameters).
    """
    years = series["year"].to_numpy(dtype=float)
    values = series["value"].to_numpy(dtype=float)
    breaks = series["break"].fillna(False).astype(bool).to_numpy() if "break" in series else np.zeros(len(years), bool)
    steps = [y for y, b in zip(years[1:], breaks[1:], strict=True) if b]
    cols = [np.ones(len(years)), years - years.mean()] + [(years >= b).astype(float) for b in steps]
    X = np.column_stack(cols)
    if len(years) < 2 or len(years) < X.shape[1]:
        return None
    if len(years) == X.shape[1] and steps:
        X = X[:, :2]  # too few points to separate a step from the slope: plain slope
    coef = np.linalg.lstsq(X, values, rcond=None)[0]
    return float(coef[1])


def _base_point(series: pd.DataFrame) -> tuple[int, float]:
    """The base year of the official rules: the first year from 2015 on (else the first year)."""
    later = series[series["year"] >= BASE_YEAR]
    row = (later if len(later) else series).iloc[0]
    return int(row["year"]), float(row["value"])


def _official(att: Attainment, target, series: pd.DataFrame) -> None:
    base_year, base = _base_point(series)
    latest_year, latest = int(series["year"].iloc[-1]), float(series["value"].iloc[-1])
    scale = 100.0 if target.kind == "share" else 1.0
    vb, vt = base * scale, latest * scale
    if target.threshold is None:
        unsd = official.growth_class(vb, vt, base_year, latest_year, "unsd")
        euro = official.growth_class(vb, vt, base_year, latest_year, "eurostat")
        esc = official.OfficialLabel(official.ESCAP_RULE, official.ESCAP_VERSION, None, "not_applicable",
                                     ["No numeric target: the ESCAP gap is not defined."])
    else:
        thr = float(target.threshold)
        esc = official.escap_gap(vb, vt, thr, base_year, latest_year, target.year)
        unsd = official.unsd_ratio(vb, vt, thr, base_year, latest_year, target.year)
        euro = official.eurostat_ratio(vb, vt, thr, base_year, latest_year, target.year)
        note = official.ceiling_note(vb, vt, base_year, latest_year, target.year)
        if note:
            att.notes.append(note)
    att.escap_gap, att.escap_class = esc.value, esc.label
    att.unsd_ratio, att.unsd_class = unsd.value, unsd.label
    att.eurostat_ratio, att.eurostat_class = euro.value, euro.label
    att.official = {"escap": esc.to_dict(), "unsd": unsd.to_dict(), "eurostat": euro.to_dict()}
    has_break = "break" in series and series["break"].fillna(False).astype(bool).iloc[1:].any()
    if has_break:
        att.notes.append("Official labels use the published values as they are; a series break lies between "
                         "the base and the latest year.")


def assess(target, series: pd.DataFrame, forecast: Forecast | None, as_of: int) -> Attainment:
    """Assess one target from its observed series and its forecast.

    Parameters
    ----------
    target : forecast.domain.targets.Target
    series : DataFrame
        ``year``, ``value`` (share in [0, 1], or the count for T11), optional ``break``.
    forecast : Forecast or None
        Forecast covering the target year (None when the series was too short).
    as_of : int
        Observations after this year are ignored.

    Returns
    -------
    Attainment
    """
    att = Attainment(target_id=target.id, method=None if forecast is None else forecast.method)
    obs = series[series["year"] <= int(as_of)].dropna(subset=["value"]).sort_values("year")
    if obs.empty:
        att.notes.append(f"No observation up to {as_of}.")
        return att
    att.latest_year = int(obs["year"].iloc[-1])
    att.latest_value = float(obs["value"].iloc[-1])
    thr = met_threshold(target)
    att.threshold_met = thr
    note = rule_note(target)
    if note:
        att.notes.append(note)
    scale = 100.0 if target.kind == "share" else 1.0
    pace = observed_pace(obs)
    att.observed_pace_pp = None if pace is None else pace * scale
    years_left = target.year - att.latest_year
    if thr is not None and years_left > 0:
        att.required_pace_pp = (thr - att.latest_value) * scale / years_left
        if att.observed_pace_pp and att.observed_pace_pp > 0 and att.required_pace_pp > 0:
            att.acceleration = att.required_pace_pp / att.observed_pace_pp
    if len(obs) >= 2:
        _official(att, target, obs)
    if forecast is None or len(obs) < 2:
        att.status = "insufficient_data"
        att.notes.append("Too few years of data for a forecast." if forecast is None else
                         "Fewer than two years of data.")
        if thr is not None and att.latest_value >= thr:
            att.status = "achieved"
        return att
    if target.year in set(np.asarray(forecast.years).tolist()):
        y = forecast.at(target.year)
        att.median_2030 = float(forecast.median.loc[target.year])
        att.lo80_2030, att.hi80_2030 = (float(v) for v in np.quantile(y, [0.1, 0.9]))
    if thr is None:  # direction-only (T11)
        path = forecast.years
        if path[0] == att.latest_year + 1 and np.all(np.diff(path) == 1) and path[-1] >= target.year:
            keep = path <= target.year
            sub = Forecast(path[keep], forecast.draws[:, keep], forecast.method, forecast.kind)
            att.p_meet = sub.prob_rising(att.latest_value)
        else:
            att.notes.append("The forecast does not cover every year to the target year: no probability of rising.")
        att.status = progress_status(att.p_meet, achieved=False, observed_pace=att.observed_pace_pp,
                                     acceleration=None)
        att.notes.append("No numeric target: met if the count rises every year to the target year.")
        return att
    if target.year in set(np.asarray(forecast.years).tolist()):
        att.p_meet = forecast.prob_at_least(thr, target.year)
    if att.latest_value >= thr:
        att.first_year_met = att.latest_year
        att.status = "achieved"
        return att
    att.first_year_met = forecast.first_year_at_least(thr)
    att.status = progress_status(att.p_meet, achieved=False, observed_pace=att.observed_pace_pp,
                                 acceleration=att.acceleration)
    return att
