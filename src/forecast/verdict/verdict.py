"""One verdict per target: one headline probability and one status from two components.

Two models answer "will the target be met?": the **trend** default
(:mod:`forecast.verdict.analysis`, ``Attainment.p_meet``) continues the indicator's own
history; the **engine** (:func:`forecast.stockflow.project` under the ``baseline``
scenario) simulates the workforce flow by flow. Reports show one of them, chosen by
:func:`choose` from the engine's hindcast for that target (``forecast hindcast``,
:mod:`forecast.stockflow.hindcast`):

* the engine, when its hindcast for the target **passes**: its 80 % intervals cover
  between :data:`COVERAGE80` of the observed values and its mean absolute error is at
  most :data:`MAE_RATIO` times the trend's on the same origins and horizons, with at
  least :data:`MIN_SCORED` scored forecasts;
* otherwise the trend, the reason recorded (engine hindcast failed, no engine
  projection, no hindcast at all);
* the engine alone when the trend has no forecast and the engine passed.

The status applies the one status rule (:func:`forecast.verdict.attainment.progress_status`)
to the headline probability. The rule and the components are pure data: they work
with whatever scores the hindcast produces, and ``summary.json`` keeps every component.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from forecast.verdict.attainment import progress_status

TREND, ENGINE = "trend", "engine"
#: Range of the share of observed values inside the engine's 80 % intervals for it to pass.
COVERAGE80 = (0.70, 0.90)
#: Largest ratio of the engine's MAE to the trend's MAE for the engine to pass.
MAE_RATIO = 1.2
#: Fewest scored (origin, horizon) pairs behind a target's hindcast for it to count.
MIN_SCORED = 5
#: Why the headline comes from where it does (codes; reports word them).
REASONS = ("engine_passed", "engine_coverage", "engine_mae", "engine_too_few", "no_hindcast", "no_engine",
           "no_trend", "no_component")


@dataclass(frozen=True)
class Component:
    """One model's answer for a target in its target year.

    Attributes
    ----------
    source : str
        :data:`TREND` or :data:`ENGINE`.
    p_meet : float or None
        Probability of meeting the target under its meeting rule.
    median, lo80, hi80 : float or None
        Median and 80 % interval in the target year (shares in [0, 1]; counts for T11).
    method : str or None
        The model (``default``, ``stockflow:baseline`` …).
    """

    source: str
    p_meet: float | None
    median: float | None = None
    lo80: float | None = None
    hi80: float | None = None
    method: str | None = None


@dataclass(frozen=True)
class HindcastScore:
    """The hindcast of one target: the engine's and the trend's errors on the same origins.

    Attributes
    ----------
    target_id : str
    engine_mae, trend_mae : float or None
        Mean absolute errors (percentage points; people for T11).
    engine_coverage80 : float or None
        Share of observed values inside the engine's 80 % intervals.
    trend_coverage80 : float or None
        The same for the trend (reported, not used by the rule).
    n_scored : int
        (origin, horizon) pairs scored.
    """

    target_id: str
    engine_mae: float | None
    trend_mae: float | None
    engine_coverage80: float | None
    trend_coverage80: float | None = None
    n_scored: int = 0

    @property
    def mae_ratio(self) -> float | None:
        """Engine MAE over trend MAE (None when either is missing or the trend's is 0)."""
        if self.engine_mae is None or self.trend_mae is None or not (_num(self.engine_mae) and _num(self.trend_mae)):
            return None
        if self.trend_mae == 0:
            return None
        return float(self.engine_mae) / float(self.trend_mae)


@dataclass
class Verdict:
    """The one answer reports give for a target.

    Attributes
    ----------
    target_id : str
    p_meet : float or None
        The headline probability of meeting the target.
    status : str
        From :func:`forecast.verdict.attainment.progress_status` on ``p_meet``.
    source : str or None
        Which component gave it (:data:`TREND`, :data:`ENGINE`; None when neither could).
    reason : str
        One of :data:`REASONS`.
    median, lo80, hi80 : float or None
        The chosen component's target-year median and 80 % interval.
    components : dict of str → Component
    hindcast : HindcastScore or None
    """

    target_id: str
    p_meet: float | None
    status: str
    source: str | None
    reason: str
    median: float | None = None
    lo80: float | None = None
    hi80: float | None = None
    components: dict = field(default_factory=dict)
    hindcast: HindcastScore | None = None

    def to_dict(self) -> dict:
        """A JSON-ready dict (components and hindcast as dicts)."""
        out = asdict(self)
        out["hindcast"] = None if self.hindcast is None else {**asdict(self.hindcast),
                                                              "mae_ratio": self.hindcast.mae_ratio}
        return out


def _num(x) -> bool:
    return x is not None and isinstance(x, int | float) and math.isfinite(float(x))


def engine_passes(score: HindcastScore | None) -> tuple[bool, str]:
    """Whether the engine's hindcast for a target passes the bars, and the reason code.

    Returns
    -------
    (bool, str)
        ``(True, "engine_passed")`` or ``(False, code)`` with code ``no_hindcast``,
        ``engine_too_few``, ``engine_coverage`` or ``engine_mae``.
    """
    if score is None or not _num(score.engine_coverage80) or score.mae_ratio is None:
        return False, "no_hindcast"
    if score.n_scored < MIN_SCORED:
        return False, "engine_too_few"
    lo, hi = COVERAGE80
    if score.engine_coverage80 is None or not lo <= float(score.engine_coverage80) <= hi:
        return False, "engine_coverage"
    if score.mae_ratio > MAE_RATIO:
        return False, "engine_mae"
    return True, "engine_passed"


def choose(trend: Component | None, engine: Component | None,
           score: HindcastScore | None) -> tuple[str | None, str]:
    """Which component gives the headline, and why (the rule of ``docs/methods.md`` §7).

    Parameters
    ----------
    trend, engine : Component or None
        None (or a component without ``p_meet``) when that model has no answer.
    score : HindcastScore or None
        The engine's hindcast for the target; None when no hindcast is available.

    Returns
    -------
    (source, reason)
        ``source`` is :data:`TREND`, :data:`ENGINE` or None; ``reason`` one of :data:`REASONS`.
    """
    has_trend = trend is not None and _num(trend.p_meet)
    has_engine = engine is not None and _num(engine.p_meet)
    passed, why = engine_passes(score) if has_engine else (False, "no_engine")
    if has_engine and passed:
        return ENGINE, "engine_passed"
    if has_trend:
        return TREND, why
    return None, "no_trend" if has_engine else "no_component"


def decide(target_id: str, trend: Component | None, engine: Component | None, score: HindcastScore | None,
           *, achieved: bool = False, observed_pace: float | None = None,
           acceleration: float | None = None) -> Verdict:
    """The verdict of one target from its components and the engine's hindcast score.

    Parameters
    ----------
    target_id : str
    trend, engine : Component or None
    score : HindcastScore or None
    achieved : bool
        The latest observed value already meets the target (status ``achieved``).
    observed_pace, acceleration : float or None
        As in :class:`forecast.verdict.attainment.Attainment` (for the status rule).

    Returns
    -------
    Verdict
    """
    source, reason = choose(trend, engine, score)
    chosen = {TREND: trend, ENGINE: engine}.get(source) if source else None
    p = None if chosen is None or chosen.p_meet is None else float(chosen.p_meet)
    status = progress_status(p, achieved=achieved, observed_pace=observed_pace, acceleration=acceleration)
    if chosen is None and not achieved:
        status = "insufficient_data"
    comps = {c.source: c for c in (trend, engine) if c is not None}
    return Verdict(target_id=target_id, p_meet=p, status=status, source=source, reason=reason,
                   median=None if chosen is None else chosen.median,
                   lo80=None if chosen is None else chosen.lo80,
                   hi80=None if chosen is None else chosen.hi80,
                   components=comps, hindcast=score)


def scores_from_hindcast(data: Mapping) -> dict[str, HindcastScore]:
    """Per-target scores from the document ``forecast hindcast --json`` writes.

    Reads ``data["by_target"]``: records ``{"model": "engine"|"trend", "target", "n", "mae",
    "cover80", ...}`` pooled over origins and horizons (:meth:`Hindcast.to_dict`). A target
    without both models' MAE is left out (the rule then falls back to the trend for it and
    says so).
    """
    by: dict[str, dict[str, Mapping]] = {}
    for rec in data.get("by_target") or []:
        if isinstance(rec, Mapping) and rec.get("model") in (TREND, ENGINE) and rec.get("target"):
            by.setdefault(str(rec["target"]), {})[str(rec["model"])] = rec
    out = {}
    for tid, recs in by.items():
        eng, tr = recs.get(ENGINE) or {}, recs.get(TREND) or {}
        score = HindcastScore(target_id=tid, engine_mae=eng.get("mae"), trend_mae=tr.get("mae"),
                              engine_coverage80=eng.get("cover80"), trend_coverage80=tr.get("cover80"),
                              n_scored=int(eng.get("n") or 0))
        if score.mae_ratio is not None:
            out[tid] = score
    return out
