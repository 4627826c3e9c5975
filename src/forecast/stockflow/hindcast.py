"""Hindcast: the engine started at past years, scored against what was observed.

From each *origin* year the baseline scenario is estimated from the roster as of the origin
and the flows up to it (:func:`forecast.stockflow.history.estimate_baseline` with
``until``), projected to ``end_year`` (2024 by default: the last year before the 2025
reorganisation) and compared with the observed province values, target by target and
horizon by horizon. A trend model is started at the same origins on the same series and scored the same way:
the caller passes it as ``trend`` (the stock-flow stage sits below the trend models; ``forecast
hindcast`` passes the trend default, :func:`forecast.commands.hindcast.trend_default`).

Scores: the absolute error of the median (percentage points for shares, people for T11) and
whether the observed value lies in the central 80 % and 95 % intervals of the draws.

Years at or after a target's break year (the first year of a new population definition,
flagged ``break`` in the observations: T01, T04, T05, T06 and T10 in 2025 on the demo) are
never scored, whatever ``end_year``: neither model knows the new definition.

**Calibrated intervals, scored out of sample.** The engine is also started at every
earlier roster year (``history_origins``, 2015–2017 on the demo before the first scored
origin 2018); its uncalibrated errors (model ``engine_raw``) teach
:mod:`forecast.stockflow.calibration` the extra spread. The calibrated forecast from a
scored origin *o* (model ``engine``) uses only errors whose outcome year is at most *o*:
strictly earlier origins, outcomes already observed at *o*, never the outcomes it is scored
on. Both are reported, ``engine_raw`` as the "before".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.inputs.observations import series
from forecast.stockflow import calibration as cal_mod
from forecast.stockflow import scenarios as sc
from forecast.stockflow.simulation import project
from forecast.stockflow.snapshots import NoSnapshot
from forecast.stockflow.spec import TARGET_SPECS

#: Origins scored by default (each needs the roster as of that year).
DEFAULT_ORIGINS = (2018, 2019, 2020, 2021, 2022)
#: Last year scored by default: 2025 brought the reorganisation that redefined several populations.
DEFAULT_END = 2024
#: Fewest years of movements in the flows before a roster year serves as a calibration origin.
MIN_MOVEMENT_YEARS = 1
#: Central interval levels scored (percent).
LEVELS = (80, 95)
#: The models compared: the engine calibrated out of sample, the trend default, the engine before calibration.
ENGINE, TREND, RAW = "engine", "trend", "engine_raw"
#: A trend model for the hindcast: ``trend(frames, origin, years)`` gets every target's observed
#: series (year, numerator, denominator, value, break) up to and including ``origin`` and returns,
#: per target it forecasts, draws of shape (n_draws, len(years)).
TrendFn = Callable[[dict, int, list], dict]


@dataclass
class Hindcast:
    """Every scored forecast of a hindcast and its summaries.

    Attributes
    ----------
    rows : DataFrame
        One row per (model, target, origin, year): ``horizon``, ``observed``, ``median``,
        ``lo80``, ``hi80``, ``lo95``, ``hi95``, ``error`` (median − observed, in percentage
        points for shares and people for T11), ``in80``, ``in95``.
    origins : list of int
    end_year : int
    notes : list of str
    """

    rows: pd.DataFrame
    origins: list
    end_year: int
    notes: list = field(default_factory=list)
    #: The engine's uncalibrated rows from every origin run (calibration origins included).
    records: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Per scored origin, the calibration its ``engine`` rows used.
    calibrations: dict = field(default_factory=dict)

    def calibration(self, origin: int) -> cal_mod.SpreadCalibration:
        """The extra spread for a projection from ``origin`` (outcomes observed by then; no look-ahead)."""
        return cal_mod.learn(self.records, int(origin))

    def scores(self, by: Iterable[str] = ("model", "target", "horizon")) -> pd.DataFrame:
        """MAE and interval coverage grouped by ``by`` (columns ``n``, ``mae``, ``cover80``, ``cover95``)."""
        return _summarise(self.rows, list(by))

    def pooled(self, targets: Iterable[str] | None = None) -> pd.DataFrame:
        """Scores pooled over targets, origins and horizons, per model.

        ``targets`` defaults to the share targets T01–T10 (their parts T09a–c left out, so that
        T09 does not weigh four times).
        """
        keep = list(targets) if targets is not None else share_targets()
        return _summarise(self.rows[self.rows["target"].isin(keep)], ["model"])

    def mae_ratio(self, targets: Iterable[str] | None = None) -> float:
        """The engine's pooled MAE over the trend default's (share targets by default)."""
        p = self.pooled(targets).set_index("model")["mae"]
        if ENGINE not in p or TREND not in p or not p[TREND] > 0:
            return float("nan")
        return float(p[ENGINE] / p[TREND])

    def to_dict(self) -> dict:
        """A JSON-ready document: settings, pooled scores, per-target scores and every row."""
        pooled = self.pooled()
        return {
            "origins": [int(o) for o in self.origins], "end_year": int(self.end_year),
            "notes": list(self.notes),
            "pooled_share_targets": pooled.to_dict("records"),
            "mae_ratio_engine_over_trend": self.mae_ratio(),
            "calibrations": {str(o): c.to_dict() for o, c in self.calibrations.items()},
            "by_target": self.scores(("model", "target")).to_dict("records"),
            "by_target_horizon": self.scores().to_dict("records"),
            "rows": self.rows.to_dict("records"),
        }


def share_targets() -> list[str]:
    """The share targets pooled by default: T01–T10 without the parts of T09."""
    return [t for t, s in TARGET_SPECS.items() if s.kind == "share" and len(t) == 3]


def _summarise(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=[*by, "n", "mae", "cover80", "cover95"])
    g = rows.assign(abs_error=rows["error"].abs()).groupby(by, sort=True)
    out = pd.DataFrame({"n": g.size(), "mae": g["abs_error"].mean(), "cover80": g["in80"].mean(),
                        "cover95": g["in95"].mean()})
    return out.reset_index()


def _quantile_rows(draws: np.ndarray, years: np.ndarray) -> pd.DataFrame:
    q = np.quantile(draws, [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
    return pd.DataFrame({"year": years.astype(int), "median": q[0], "lo80": q[1], "hi80": q[2],
                         "lo95": q[3], "hi95": q[4]})


def _scored_years(frame: pd.DataFrame, origin: int, end_year: int) -> np.ndarray:
    """Observed years after ``origin`` up to ``end_year``, stopping before the series' first break."""
    years = frame["year"].to_numpy(int)
    breaks = years[frame["break"].to_numpy(bool) & (years > origin)]
    stop = min(end_year, int(breaks.min()) - 1) if breaks.size else end_year
    return years[(years > origin) & (years <= stop)]


def _kind(tid: str) -> str:
    return "count" if TARGET_SPECS[tid].kind == "count" else "share"


def _scale(tid: str) -> float:
    """Errors in percentage points for shares, in people for counts."""
    return 1.0 if _kind(tid) == "count" else 100.0


def _rows(name: str, tid: str, origin: int, q: pd.DataFrame, scored: np.ndarray, observed: pd.Series) -> pd.DataFrame:
    q = q[q["year"].isin(scored)].copy()
    q["observed"] = observed.reindex(q["year"]).to_numpy()
    q.insert(0, "model", name)
    q.insert(1, "target", tid)
    q.insert(2, "origin", origin)
    q.insert(4, "horizon", q["year"] - origin)
    return q


def _score(out: pd.DataFrame) -> pd.DataFrame:
    if out.empty:
        return out
    scale = out["target"].map(_scale)
    out["error"] = (out["median"] - out["observed"]) * scale
    out["in80"] = (out["lo80"] <= out["observed"]) & (out["observed"] <= out["hi80"])
    out["in95"] = (out["lo95"] <= out["observed"]) & (out["observed"] <= out["hi95"])
    return out


def movement_years(flows: pd.DataFrame | None) -> list[int]:
    """Years of ``flows.csv`` holding movements (recruits or exits), not only year-end stocks."""
    if flows is None or flows.empty or "flow" not in flows:
        return []
    moved = flows["flow"].astype(str)
    keep = (moved == "hires") | moved.str.startswith("exit_")
    return sorted({int(y) for y in flows.loc[keep, "year"]})


def default_history_origins(dataset, origins: Iterable[int], record_end: int) -> list[int]:
    """The calibration's extra origins: roster years before ``record_end`` that are not scored origins.

    Only years with at least :data:`MIN_MOVEMENT_YEARS` years of movements in the flows up to
    them: before that the baseline has no flow to estimate its levers from (the demo's 2015
    holds year-end stocks only), so a run from there is not the forecast being calibrated.
    """
    years = dataset.roster_years() if hasattr(dataset, "roster_years") else []
    moved = movement_years(getattr(dataset, "flows", None))
    return [int(y) for y in years if int(y) < record_end and int(y) not in set(origins)
            and sum(m <= int(y) for m in moved) >= MIN_MOVEMENT_YEARS]


def hindcast(dataset, origins: Iterable[int] = DEFAULT_ORIGINS, end_year: int = DEFAULT_END,
             n_draws: int = 300, seed: int = 0, scenario="baseline", trend: TrendFn | None = None,
             unit: str = "20", calibrate: bool = True, history_origins: Iterable[int] | None = None,
             record_end: int | None = None) -> Hindcast:
    """Start the engine's baseline (and a trend model) at each origin; score them against the observations.

    Parameters
    ----------
    dataset : Dataset
        With observations, flows and the roster as of every origin
        (:func:`forecast.stockflow.snapshots.roster_snapshot`).
    origins : iterable of int
        Snapshot years the scored projections start from.
    end_year : int
        Last year scored (years from a target's break year on are never scored).
    n_draws, seed : int
        The engine's draws and seed.
    scenario : Scenario or str
        The engine's scenario (``baseline``: every lever from the history up to the origin).
    trend : callable, optional
        The trend model scored beside the engine (see :data:`TrendFn`); None: the engine alone.
    unit : str
        Unit whose observed series are scored (``"20"``: the province, which the engine projects).
    calibrate : bool
        Also score the engine with intervals calibrated on its errors observed by each origin
        (model ``engine``; the uncalibrated one is ``engine_raw``). False: ``engine`` is the raw engine.
    history_origins : iterable of int, optional
        Extra origins run only to learn the calibration (default: every other roster year
        before ``record_end``, :func:`default_history_origins`).
    record_end : int, optional
        Last outcome year of the calibration records (default ``end_year``); later years
        serve a calibration for a later origin (the annual run's), never the scores.

    Returns
    -------
    Hindcast

    Raises
    ------
    ValueError
        When an origin has no roster snapshot or is not before ``end_year`` (every problem named).
    """
    origins = sorted({int(o) for o in origins})
    record_end = int(end_year if record_end is None else max(record_end, end_year))
    problems = [f"origin {o} is not before the end year {end_year}" for o in origins if o >= end_year]
    if problems:
        raise ValueError("; ".join(problems))
    if isinstance(scenario, str):
        scenario = sc.load_scenario(scenario)
    extra = [] if not calibrate else (default_history_origins(dataset, origins, record_end)
                                      if history_origins is None else
                                      sorted({int(o) for o in history_origins} - set(origins)))
    # records serve the scored origins' calibrations (outcomes up to the last scored origin) and, when
    # record_end goes further, a later origin's (the annual run's)
    limit = record_end if record_end > end_year else max(origins, default=end_year)
    extra = [o for o in extra if o < limit]
    obs = dataset.observations
    frames = {tid: series(obs, tid, unit).dropna(subset=["value"]).reset_index(drop=True) for tid in TARGET_SPECS}
    rows, notes, records = [], [], []
    projections = {}
    for origin in sorted({*origins, *extra}):
        try:
            projections[origin] = project(dataset, scenario, start_year=origin, end_year=record_end,
                                          n_draws=n_draws, seed=seed)
        except NoSnapshot as exc:
            if origin in origins:
                problems.append(str(exc))
    if problems:
        raise ValueError("\n".join(problems))
    for origin, proj in projections.items():  # the engine's own errors, every origin run, up to record_end
        for tid in TARGET_SPECS:
            scored = _scored_years(frames[tid], origin, record_end)
            if scored.size:
                records.append(_rows(RAW, tid, origin, _quantile_rows(proj.draws(tid), proj.years), scored,
                                     frames[tid].set_index("year")["value"]))
    raw = _score(pd.concat(records, ignore_index=True)) if records else pd.DataFrame()
    cals = {o: cal_mod.learn(raw, o) for o in origins} if calibrate and not raw.empty else {}
    for origin in origins:
        proj = projections[origin]
        calibrated = cal_mod.calibrate(proj, cals.get(origin), seed=seed) if calibrate else proj
        years = list(range(origin + 1, end_year + 1))
        past = {tid: f[f["year"] <= origin] for tid, f in frames.items()}
        trend_draws = trend(past, origin, years) if trend is not None else {}
        for tid in TARGET_SPECS:
            frame = frames[tid]
            scored = _scored_years(frame, origin, end_year)
            if not scored.size:
                continue
            observed = frame.set_index("year")["value"]
            candidates = [(ENGINE, _quantile_rows(calibrated.draws(tid), calibrated.years))]
            if calibrate:
                candidates.append((RAW, _quantile_rows(proj.draws(tid), proj.years)))
            if tid in trend_draws:
                candidates.append((TREND, _quantile_rows(np.asarray(trend_draws[tid]), np.asarray(years))))
            rows += [_rows(name, tid, origin, q, scored, observed) for name, q in candidates]
    out = _score(pd.concat(rows, ignore_index=True)) if rows else pd.DataFrame()
    breaks = sorted({tid for tid, f in frames.items() if f["break"].any()})
    if breaks:
        first = {tid: int(frames[tid].loc[frames[tid]["break"], "year"].min()) for tid in breaks}
        notes.append("not scored from their break year on (new population definition): "
                     + ", ".join(f"{t} ({y})" for t, y in first.items()))
    notes.append(f"engine: scenario '{scenario.name}', {n_draws} draws, seed {seed}, levers estimated from the "
                 "roster as of each origin and the flows up to it"
                 + (f"; trend: {getattr(trend, '__doc__', '') or 'the trend model'}".split("\n")[0] if trend else ""))
    if calibrate:
        notes.append("engine intervals calibrated out of sample: from origin o, on the errors of the engine started "
                     f"at earlier roster years ({', '.join(map(str, sorted(projections)))}) whose outcome year "
                     "is at most o (engine_raw: before calibration)")
    return Hindcast(rows=out, origins=origins, end_year=int(end_year), notes=notes, records=raw,
                    calibrations=cals)


def _fmt(x: float, pct: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    return f"{100 * x:.0f} %" if pct else f"{x:.2f}"


def markdown_tables(h: Hindcast) -> str:
    """The hindcast as Markdown: pooled share targets, per target and per horizon (engine vs trend)."""
    lines = []
    pooled = h.pooled().set_index("model")
    lines += ["| share targets T01–T10, pooled | forecasts | MAE (pp) | 80 % coverage | 95 % coverage |",
              "|---|---|---|---|---|"]
    labels = {ENGINE: "engine (calibrated)", RAW: "engine before calibration", TREND: "trend"}
    for model in (ENGINE, RAW, TREND):
        if model in pooled.index:
            r = pooled.loc[model]
            lines.append(f"| {labels[model]} | {int(r['n'])} | {_fmt(r['mae'])} | {_fmt(r['cover80'], True)} | "
                         f"{_fmt(r['cover95'], True)} |")
    lines += ["", f"Engine MAE / trend MAE: **{_fmt(h.mae_ratio())}** (bar ≤ 1.2); engine 80 % coverage bar: 70–90 %.",
              ""]
    per = h.scores(("model", "target")).set_index(["target", "model"])
    lines += ["| target | forecasts | MAE engine | MAE trend | 80 % cover engine (before) | 80 % cover trend | "
              "95 % cover engine (before) | 95 % cover trend |", "|---|---|---|---|---|---|---|---|"]
    for tid in TARGET_SPECS:
        if (tid, ENGINE) not in per.index:
            continue
        e = per.loc[(tid, ENGINE)]
        t = per.loc[(tid, TREND)] if (tid, TREND) in per.index else None
        r = per.loc[(tid, RAW)] if (tid, RAW) in per.index else None
        unit = " people" if _kind(tid) == "count" else ""

        def before(col: str, r=r) -> str:
            return f" ({_fmt(r[col], True)})" if r is not None else ""
        lines.append(f"| {tid} | {int(e['n'])} | {_fmt(e['mae'])}{unit} | "
                     f"{_fmt(t['mae']) + unit if t is not None else '–'} | {_fmt(e['cover80'], True)}{before('cover80')} | "
                     f"{_fmt(t['cover80'], True) if t is not None else '–'} | {_fmt(e['cover95'], True)}{before('cover95')} | "
                     f"{_fmt(t['cover95'], True) if t is not None else '–'} |")
    rows = h.rows[h.rows["target"].isin(share_targets())]
    by_h = _summarise(rows, ["model", "horizon"]).set_index(["horizon", "model"])
    lines += ["", "| horizon (years) | MAE engine | MAE trend | 80 % cover engine | 80 % cover trend |",
              "|---|---|---|---|---|"]
    for hz in sorted({int(x) for x in by_h.index.get_level_values(0)}):
        e = by_h.loc[(hz, ENGINE)] if (hz, ENGINE) in by_h.index else None
        t = by_h.loc[(hz, TREND)] if (hz, TREND) in by_h.index else None
        lines.append(f"| {hz} | {_fmt(e['mae']) if e is not None else '–'} | {_fmt(t['mae']) if t is not None else '–'} | "
                     f"{_fmt(e['cover80'], True) if e is not None else '–'} | "
                     f"{_fmt(t['cover80'], True) if t is not None else '–'} |")
    return "\n".join(lines) + "\n"
