"""The explorer's state and its update callback: :class:`Explorer` and :class:`ViewState`.

A planner moves the levers of a scenario, picks a target, a unit and the probability the
Department requires; :meth:`Explorer.update` returns everything the screen shows (one
probability per target, read by the reports' rule: :mod:`forecast.explorer.headline`; the
projected 2030 level and the gap to the target, the verdict, the
chart's table and figure). Speed comes from caching: the trend forecasts do not depend
on the levers and are computed once per unit; projections are cached per (scenario,
unit, levers), so only a new combination runs the engine; one figure is reused.

The engine, the analysis, the effort solver and the scenario files are injectable
(keyword arguments of :class:`Explorer`), so the logic is tested against small fakes.

May import every stage below it (domain … reports).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast import config, stockflow
from forecast.domain import posts
from forecast.domain import status as status_rule
from forecast.domain.targets import load_targets
from forecast.explorer.actions import Actions
from forecast.explorer.figure import FanFigure
from forecast.explorer.headline import Headline, Headlines
from forecast.explorer.levers import (
    CAPACITY_FACTOR,
    SLIDER_LEVERS,
    flat_levers,
    lever_changes,
    lever_specs,
    lever_values,
    pinned,
    vietnamese_labels,
)
from forecast.explorer.messages import text
from forecast.explorer.parsing import check_required
from forecast.explorer.state import ViewState
from forecast.inputs.dataset import load_dataset
from forecast.inputs.units import units_on
from forecast.reports import fmt
from forecast.stockflow import scenarios as scenario_files
from forecast.stockflow.calibration import SpreadCalibration, calibrate
from forecast.stockflow.scenarios import LEVERS, estimate_baseline
from forecast.verdict.analysis import analyse_targets

#: Keys of :meth:`Explorer.update` that are not scenario levers.
VIEW_KEYS = ("target", "unit", "p_required", "lang")
#: Number of projections kept in memory (each holds n_draws × years per target).
CACHE_SIZE = 64
PROVINCE = config.PROVINCE_CODE


# -- checks of the view's inputs (small pure functions: return the clean value or raise) ----


def check_probability(p: object, lang: str = "vi") -> float:
    """The required probability as a share in 50 %–95 % (:func:`~forecast.explorer.parsing.check_required`).

    Raises :class:`~forecast.explorer.parsing.InputError` (a ``ValueError``) in ``lang`` otherwise.
    """
    return check_required(p, lang)


def level_at(forecast, year: int) -> tuple[float, float, float] | None:
    """Median and 80 % band of ``forecast`` in ``year`` (None without a forecast or that year)."""
    if forecast is None:
        return None
    draws = getattr(forecast, "draws", None)
    if not isinstance(draws, np.ndarray):  # not a Forecast: through its summary
        frame = forecast.summary_frame((80,))
        if year not in frame.index:
            return None
        row = frame.loc[year]
        return float(row["median"]), float(row["lo-80"]), float(row["hi-80"])
    # the same numbers as ``summary_frame((80,))``'s row, from that year's column alone: the
    # table needs every target's level at each update, and the frame costs ten times more
    hits = np.flatnonzero(np.asarray(forecast.years) == int(year))
    if not len(hits):
        return None
    col = draws[:, hits[0]]
    point = getattr(forecast, "point", None)
    median = float(point[hits[0]]) if point is not None else float(np.median(col))
    a = (100 - 80) / 200
    lo, hi = np.quantile(col, [a, 1 - a])
    return median, float(lo), float(hi)


def monte_carlo_error(p: float | None, n_draws: int) -> float | None:
    """Standard error of a probability estimated as a share of ``n_draws`` draws: √(p(1−p)/n).

    None when no probability is shown as a figure (missing, or outside 1 %–99 %, where the
    screen shows words instead).
    """
    if p is None or p != p or not 0.01 <= p <= 0.99:
        return None
    return math.sqrt(p * (1.0 - p) / max(int(n_draws), 1))


def precision_text(p: float | None, n_draws: int, lang: str) -> str:
    """The shown probability's Monte-Carlo error in words ("" when no figure is shown)."""
    se = monte_carlo_error(p, n_draws)
    if se is None:
        return ""
    return text("precision", lang, n=fmt.number(n_draws, 0, lang), pp=fmt.number(100 * se, 1, lang))


def _n_paths(forecast, default: int) -> int:
    """How many paths a probability was counted on (the engine's draws, or the trend's)."""
    draws = getattr(forecast, "draws", None)
    return int(draws.shape[0]) if isinstance(draws, np.ndarray) and draws.ndim == 2 else int(default)


# -- the explorer -----------------------------------------------------------------------------


class Session(Headlines, Actions):
    """The scenario explorer behind ``notebooks/explore.ipynb``.

    Parameters
    ----------
    dataset : Dataset, optional
        Anything with ``observations`` and ``roster`` (see :mod:`forecast.inputs.dataset`);
        by default the folder ``data_dir`` (or the demo province) is loaded.
    scenario : str, Path or Scenario
        The starting scenario: a name in ``data/scenarios/``, a file, or an object.
    target, unit : str
        The starting target id and unit code (``"20"`` = the whole province).
    p_required : float
        The probability of meeting the target the Department requires (default 0.8, 0.5–0.95).
    lang : {"vi", "en"}
        Language of the verdict, the labels and the chart.
    n_draws, seed : int
        Simulation size and seed of the projection. The seed is fixed while the
        levers move, so projections share random numbers and differences between
        lever values are the levers' effect, not noise.
    as_of : int, optional
        Year of the latest data (default: the latest year in the observations).
    end_year : int
        Last projection year (the plan's 2030).
    data_dir : str or Path, optional
        Data folder to load when ``dataset`` is not given.
    project, analyse, effort, estimate, load_scenario, save_scenario, list_units : callable, optional
        The engine (:func:`forecast.stockflow.project`), the trend analysis
        (:func:`forecast.verdict.analysis.analyse_targets`), the effort solver
        (:func:`forecast.plan.effort.required_effort`), the history estimator
        (:func:`forecast.stockflow.scenarios.estimate_baseline`), the scenario file functions and
        the unit names (:func:`forecast.inputs.units.units_on`). Defaults are the project's
        own; tests inject fakes. An injected engine gets no history unless
        ``estimate`` is given too.
    targets : list of Target, optional
        Default: :func:`forecast.domain.targets.load_targets`.
    lever_catalogue : mapping, optional
        Labels and ranges of the levers (default: :data:`forecast.stockflow.scenarios.LEVERS`).
    sliders : tuple of str, optional
        Levers offered as sliders (default :data:`SLIDER_LEVERS`).
    calibration : SpreadCalibration, optional
        The extra spread of the engine's own hindcast (the annual run's,
        :func:`forecast.verdict.runhindcast.for_run`): the province's projections carry it,
        as the reports' and ``forecast simulate --calibration run``'s do. It was learned for
        the province's aggregates from the roster's latest year; a unit's projections and a
        projection from another year keep the engine's own spread.
    scores : mapping of str → HindcastScore, optional
        The engine's hindcast per target (``for_run(...).scores``): with them the headline
        follows the reports' rule (:mod:`forecast.explorer.headline`); without them (or for
        a unit) it is the trend's, moved by the levers' effect in the engine.

    Notes
    -----
    Levers marked ``from_history`` in the scenario file start at the value estimated
    from the dataset (what the engine really uses), not at the file's fallback.

    A unit's view projects that unit's staff only; training places stay the
    province's figures on the sliders and the unit receives its headcount share of
    them (the capacity factor is multiplied by the share), so a commune of 30 staff is
    not handed the whole province's places.
    """

    def __init__(self, dataset=None, *, scenario="baseline", target: str = "T06", unit: str = PROVINCE,
                 p_required: float = status_rule.REQUIRED_P, lang: str = "vi", n_draws: int = config.EXPLORE_DRAWS, seed: int = 0,
                 as_of: int | None = None, end_year: int = config.TARGET_YEAR, data_dir=None,
                 project=None, analyse=None, effort=None, estimate=None, load_scenario=None,
                 save_scenario=None, list_units=None, targets=None, lever_catalogue=None,
                 sliders: tuple[str, ...] | None = SLIDER_LEVERS, calibration: SpreadCalibration | None = None,
                 scores: Mapping | None = None):
        if dataset is None:
            dataset = load_dataset(Path(data_dir) if data_dir else None)
        self.dataset = dataset
        if estimate is None and project is None:
            estimate = estimate_baseline
        self._project = project or stockflow.project
        self._analyse = analyse or analyse_targets
        self._effort = effort
        self._load_scenario = load_scenario or scenario_files.load_scenario
        if isinstance(scenario, str | Path):
            scenario = self._load_scenario(scenario)
        self._save_scenario = save_scenario
        self._list_units = list_units
        self._unit_names: dict | None = None
        self._unit_counts: pd.Series | None = None
        self.targets = {t.id: t for t in (targets or load_targets())}
        self.n_draws = int(n_draws)
        self.seed = int(seed)
        self.end_year = int(end_year)
        obs = dataset.observations
        self.as_of = int(as_of if as_of is not None else obs["year"].max())
        roster = getattr(dataset, "roster", None)
        if roster is None:
            raise ValueError("the dataset has no roster: the scenario explorer needs one for the stock-flow engine")
        self.start_year = int(roster["year"].max()) if "year" in roster else self.as_of
        # the history (exit rates, recruits' qualifications, recent training places) is
        # estimated once: it does not depend on the levers
        self.history = estimate(dataset) if estimate is not None else None
        self.starting = scenario  # what "reset" returns to
        self._sliders = sliders
        self.calibration = calibration
        self.scores = dict(scores or {})
        self._reference = None  # the headline's reference scenario (baseline), loaded on first use
        self._record_cache: dict[str, dict] = {}
        self._set_scenario(scenario)
        if lever_catalogue is None:
            try:
                lever_catalogue = LEVERS
            except (ImportError, AttributeError):
                lever_catalogue = {}
        self.catalogue = vietnamese_labels(lever_catalogue)
        self.specs = lever_specs(self.base_levers, self.catalogue, sliders)
        self.levers = flat_levers(self.base_levers, sliders)
        self.view = {"target": "", "unit": "", "p_required": 0.0, "lang": "vi"}
        self.view.update(target=self._check_target(target), unit=self._check_unit(unit),
                         p_required=check_probability(p_required, fmt.check_lang(lang)), lang=lang)
        self._trend_cache: dict[str, dict] = {}
        self._projection_cache: OrderedDict = OrderedDict()
        self._effort_cache: dict = {}
        self._engine_effort_cache: dict = {}  # the engine's own answer where the headline's has none
        self._figure: FanFigure | None = None
        self.state: ViewState | None = None
        self._ui: Any = None  # the screen, built by the app on first display

    # -- checks ---------------------------------------------------------------------------
    def _check_target(self, target_id: str) -> str:
        if target_id not in self.targets:
            raise ValueError(f"unknown target {target_id!r}; known: {', '.join(self.targets)}")
        return target_id

    def unit_counts(self) -> pd.Series:
        """Staff in post per unit code (computed once: the roster does not change)."""
        if self._unit_counts is None:
            self._unit_counts = self._active(self.dataset.roster)["unit_code"].astype(str).value_counts()
        return self._unit_counts

    def unit_codes(self) -> list[str]:
        """Units the explorer can show: the province, then every unit with staff in post."""
        codes = sorted(self.unit_counts().index)
        return [PROVINCE, *[c for c in codes if c != PROVINCE]]

    @staticmethod
    def _active(roster: pd.DataFrame) -> pd.DataFrame:
        """Staff in post at the snapshot (the roster also lists that year's leavers): :func:`posts.in_post`."""
        return roster[posts.in_post(roster)]

    def _check_unit(self, unit: str) -> str:
        unit = str(unit)
        if unit != PROVINCE and unit not in self.unit_counts().index:
            known = self.unit_codes()
            raise ValueError(f"unit {unit!r} has no staff in the roster; choose one of {', '.join(known[:12])}"
                             + (" …" if len(known) > 12 else ""))
        return unit

    def unit_names(self) -> dict[str, str]:
        """Unit code → display name (the code itself when the registry does not know it); cached."""
        if self._unit_names is not None:
            return self._unit_names
        names = {}
        lister = self._list_units
        if lister is None:
            try:
                lister = units_on
            except (ImportError, AttributeError):
                lister = None
        if lister is not None:
            try:
                table = lister(pd.Timestamp(f"{self.as_of}-10-31").date())
                names = dict(zip(table["code"].astype(str), table["name"].astype(str), strict=False))
            except Exception:  # noqa: BLE001 - names are a nicety; codes still work
                names = {}
        self._unit_names = {c: (names.get(c, c) if c != PROVINCE else "") for c in self.unit_codes()}
        return self._unit_names

    # -- the computations (cached) --------------------------------------------------------
    def trend(self, unit: str) -> dict:
        """Trend results of every target for ``unit`` (target id → TargetResult), cached.

        The trend forecast does not depend on the levers, so a lever change never
        recomputes it; only the first visit of a unit does.
        """
        if unit not in self._trend_cache:
            results = self._analyse(self.dataset.observations, self.as_of, unit=unit)
            self._trend_cache[unit] = {getattr(r.target, "id", r.target): r for r in results}
        return self._trend_cache[unit]

    def roster_for(self, unit: str) -> pd.DataFrame:
        """The roster of ``unit`` (the whole roster for the province)."""
        roster = self.dataset.roster
        if unit == PROVINCE:
            return roster
        return roster[roster["unit_code"].astype(str) == unit]

    def unit_share(self, unit: str) -> float:
        """The unit's share of the province's staff in post (1 for the province)."""
        if unit == PROVINCE:
            return 1.0
        counts = self.unit_counts()
        return float(counts.get(unit, 0)) / max(int(counts.sum()), 1)

    def _set_scenario(self, scenario) -> None:
        """Make ``scenario`` the one the sliders start from (its estimated levers pinned)."""
        self.original = scenario
        self.scenario = pinned(scenario, self.history)
        self.base_levers = lever_values(self.scenario)

    def scenario_for(self, unit: str, levers: Mapping, scenario=None, base: Mapping | None = None):
        """The scenario the engine runs for ``unit`` with the slider values ``levers``.

        ``scenario`` and ``base`` (its lever values) default to the current scenario; a
        unit's view scales the capacity factor by the unit's share of the staff.
        """
        scenario = self.scenario if scenario is None else scenario
        base = self.base_levers if base is None else base
        changes = lever_changes(levers, base)
        share = self.unit_share(unit)
        if share < 1.0 and CAPACITY_FACTOR in base:
            factor = changes.get(CAPACITY_FACTOR, base[CAPACITY_FACTOR])
            changes[CAPACITY_FACTOR] = float(factor) * share
        return scenario.with_levers(**changes) if changes else scenario

    def calibration_for(self, unit: str) -> SpreadCalibration | None:
        """The hindcast's spread for ``unit``'s projections: the province's from the calibration's year only."""
        cal = self.calibration
        if unit != PROVINCE or cal is None or int(cal.origin) != int(self.start_year):
            return None
        return cal

    def _engine_kwargs(self) -> dict:
        return {} if self.history is None else {"history": self.history}

    def projection(self, unit: str, levers: Mapping, scenario=None):
        """The stock-flow projection of ``unit`` under the slider values ``levers`` (cached).

        ``scenario`` defaults to the current one (a compared scenario passes its own,
        pinned). The seed stays the same for every combination (common random numbers).
        """
        scenario = self.scenario if scenario is None else scenario
        # keyed by the scenario's content, so a loaded or compared scenario never reuses another's run
        key = (repr(sorted(lever_values(scenario).items())), unit,
               tuple(sorted((k, float(v)) for k, v in levers.items())))
        if key in self._projection_cache:
            self._projection_cache.move_to_end(key)
            return self._projection_cache[key]
        run = self.scenario_for(unit, levers, scenario, lever_values(scenario))
        proj = self._project(self.roster_for(unit), run, self.start_year, end_year=self.end_year,
                             n_draws=self.n_draws, seed=self.seed, **self._engine_kwargs())
        # the same Z for every lever value (seeded): a lever's effect is not blurred by the spread
        proj = calibrate(proj, self.calibration_for(unit), seed=self.seed)
        self._projection_cache[key] = proj
        while len(self._projection_cache) > CACHE_SIZE:
            self._projection_cache.popitem(last=False)
        return proj

    # -- probabilities ----------------------------------------------------------------------
    def _p_trend(self, result) -> float | None:
        if result is None:
            return None
        p = getattr(getattr(result, "attainment", None), "p_meet", None)
        if p is not None and not (isinstance(p, float) and math.isnan(p)):
            return float(p)
        target = self.targets[getattr(result.target, "id", result.target)]
        fc = getattr(result, "forecast", None)
        if fc is None:
            return None
        if target.threshold is None:
            last = result.series.dropna(subset=["value"])["value"]
            return fc.prob_rising(float(last.iloc[-1])) if len(last) else None
        return fc.prob_at_least(target.met_share, target.year)  # the meeting rule (data/targets.yml)

    @staticmethod
    def _applies(proj, target_id: str) -> bool:
        """Whether the projected unit has anyone in the target's population at the start.

        A commune has no department leaders (T07): its "probability" would be a
        meaningless 0, so the target is shown as not applicable instead.
        """
        start = getattr(proj, "start", None)
        if not isinstance(start, Mapping) or target_id not in start:
            return True
        _num, den = start[target_id]
        return den is None or den > 0

    def _p_scenario(self, proj, target_id: str) -> float | None:
        if not self._applies(proj, target_id):
            return None
        try:
            p = proj.p_meet(target_id)
        except (KeyError, ValueError):
            return None
        return None if p is None or (isinstance(p, float) and math.isnan(p)) else float(p)

    def _scenario_forecast(self, proj, target_id: str):
        if not self._applies(proj, target_id):
            return None
        try:
            return proj.forecast(target_id)
        except (KeyError, ValueError):
            return None

    def probabilities(self, unit: str, proj, p_required: float,
                      heads: Mapping[str, Headline] | None = None) -> pd.DataFrame:
        """One row per target: the one probability ``p`` and the check against ``p_required``.

        ``p`` is the reports' answer for the levers' scenario (:mod:`forecast.explorer.headline`),
        ``source`` the model it comes from, ``level``/``gap`` its target-year median; the
        components stay for context: ``p_trend`` (the trend alone) and ``p_scenario`` (the
        engine alone under the levers, calibrated for the province).
        """
        heads = self.headlines(unit, proj) if heads is None else heads
        trend = self.trend(unit)
        rows = []
        for tid, t in self.targets.items():
            head = heads[tid]
            p, median = head.p, head.median
            rows.append({"target": tid, "threshold": t.threshold, "p": p, "source": head.source,
                         "p_trend": self._p_trend(trend.get(tid)), "p_scenario": self._p_scenario(proj, tid),
                         "level": median, "gap": None if median is None or t.threshold is None else median - t.share,
                         "meets": None if p is None else
                         status_rule.status_code(p, p_required=p_required) == "on_track"})
        return pd.DataFrame(rows)

    # -- words ------------------------------------------------------------------------------
    def _subject(self, unit: str, lang: str) -> str:
        if unit == PROVINCE:
            return text("province_subject", lang)
        return self.unit_names().get(unit) or unit

    def threshold_text(self, target_id: str, lang: str) -> str:
        """``95%`` (decimal comma in Vietnamese) or "rising every year" for T11."""
        t = self.targets[target_id]
        if t.threshold is None:
            return text("rising", lang)
        return fmt.percent(t.share, 0 if float(t.threshold).is_integer() else 1, lang)

    def level_text(self, target_id: str, level: tuple | None, lang: str) -> str:
        """The projected level in the target year, its 80 % range and the gap to the target, in words."""
        if level is None:
            return ""
        t = self.targets[target_id]
        median, lo, hi = level
        if t.threshold is None:
            shown = [fmt.number(v, 0, lang) for v in (median, lo, hi)]
            gap = text("rising", lang)
        else:
            shown = [fmt.percent(v, 1, lang) for v in (median, lo, hi)]
            diff = median - t.share
            pp = fmt.number(abs(diff) * 100, 1, lang)
            gap = text("gap_met" if diff >= 0 else "gap_short", lang, pp=pp)
        return text("level_line", lang, year=t.year, level=shown[0], lo=shown[1], hi=shown[2], gap=gap)

    # -- the figure -------------------------------------------------------------------------
    def _chart_table(self, target_id: str, trend_fc, scen_fc) -> pd.DataFrame:
        t = self.targets[target_id]
        parts = []
        for name, fc in (("trend", trend_fc), ("scenario", scen_fc)):
            if fc is None:
                continue
            frame = fc.summary_frame((80, 95)).reset_index()
            frame.insert(0, "series", name)
            parts.append(frame)
        cols = ["series", "year", "mean", "median", "lo-80", "hi-80", "lo-95", "hi-95"]
        table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
        table["threshold"] = t.share
        return table

    def _draw(self, target_id: str, unit: str, lang: str, series, trend_fc, scen_fc):
        """Draw the fan chart into the one reused figure."""
        t = self.targets[target_id]
        if self._figure is None:
            self._figure = FanFigure()
        forecasts = [(text("trend", lang), trend_fc), (text("scenario", lang), scen_fc)]
        self._figure.draw(series, forecasts, threshold=t.share, target_year=t.year,
                          kind="share" if t.kind == "share" else "count", lang=lang,
                          title=f"{target_id} · {text('province', lang) if unit == PROVINCE else self._subject(unit, lang)}")
        return self._figure.fig

    # -- the callback -----------------------------------------------------------------------
    def update(self, **changes) -> ViewState:
        """Apply control changes and return the new view (the widgets' callback).

        Parameters
        ----------
        **changes
            Lever values by name, and/or ``target``, ``unit``, ``p_required``, ``lang``.
            Values not given keep their current setting.

        Returns
        -------
        ViewState

        Raises
        ------
        ValueError
            For an unknown key or a bad value (nothing is changed then).
        """
        start = time.perf_counter()
        unknown = sorted(set(changes) - set(VIEW_KEYS) - set(self.levers))
        if unknown:
            raise ValueError(f"unknown control(s) {', '.join(unknown)}; levers: {', '.join(self.levers)}; "
                             f"view: {', '.join(VIEW_KEYS)}")
        view = dict(self.view)
        if "target" in changes:
            view["target"] = self._check_target(changes["target"])
        if "unit" in changes:
            view["unit"] = self._check_unit(changes["unit"])
        if "lang" in changes:
            view["lang"] = fmt.check_lang(changes["lang"])
        if "p_required" in changes:
            view["p_required"] = check_probability(changes["p_required"], view["lang"])
        levers = dict(self.levers)
        levers.update({k: v for k, v in changes.items() if k in self.levers})
        tid, unit, lang, p_req = view["target"], view["unit"], view["lang"], view["p_required"]

        ref = self.reference_projection(unit)  # the headline's baseline first: the levers' run is the engine's last
        proj = self.projection(unit, levers)
        result = self.trend(unit).get(tid)
        trend_fc = getattr(result, "forecast", None)
        heads = self.headlines(unit, proj, paths_for=tid)
        head = heads[tid]
        # the chart's scenario fan is the paths behind the one probability shown
        scen_fc = head.forecast
        moved = proj is not ref
        probs = self.probabilities(unit, proj, p_req, heads)
        row = probs.set_index("target").loc[tid]
        p_trend = None if pd.isna(row["p_trend"]) else float(row["p_trend"])
        p_scen = None if pd.isna(row["p_scenario"]) else float(row["p_scenario"])
        p = head.p
        level = level_at(scen_fc if scen_fc is not None else trend_fc, self.targets[tid].year)
        if level is not None and head.median is not None:
            level = (head.median, level[1], level[2])
        figure = self._draw(tid, unit, lang, getattr(result, "series", None), trend_fc, scen_fc)
        self.view, self.levers = view, levers
        self.state = ViewState(
            target_id=tid, unit=unit, lang=lang, p_required=p_req, levers=dict(levers),
            p_trend=p_trend, p_scenario=p_scen, p=p, source=head.source,
            source_text=self.source_text(head, moved, lang, unit), probabilities=probs,
            table=self._chart_table(tid, trend_fc, scen_fc),
            verdict=self.verdict(tid, unit, p, p_trend, p_req, lang, head, moved), figure=figure,
            level=None if level is None else level[0], level_lo=None if level is None else level[1],
            level_hi=None if level is None else level[2],
            gap=None if level is None or self.targets[tid].threshold is None else level[0] - self.targets[tid].share,
            level_text=self.level_text(tid, level, lang),
            scenario_name=self.display_name() + (text("modified", lang) if lever_changes(levers, self.base_levers)
                                                 else ""),
            precision=precision_text(p, _n_paths(scen_fc, self.n_draws), lang), seconds=time.perf_counter() - start)
        return self.state

    def png(self) -> bytes:
        """The current view's chart as PNG bytes, as the widget shows it (only changed parts redrawn)."""
        self.current()
        assert self._figure is not None  # current() drew it
        return self._figure.png()

    def current(self) -> ViewState:
        """The current view (computed on first call)."""
        return self.state if self.state is not None else self.update()

