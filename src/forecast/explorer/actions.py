"""What the explorer's buttons do: the required effort, and saving, listing, loading and resetting scenarios.

A mixin of :class:`forecast.explorer.session.Session` (kept apart so that each module
holds one idea); every method works on the session's state.

May import domain … reports.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from forecast import config
from forecast.explorer.levers import (
    flat_levers,
    lever_changes,
    noted,
    renamed,
    short_label,
    with_fixed_levers,
)
from forecast.explorer.messages import probability as show_probability
from forecast.explorer.messages import probability_in_sentence, text
from forecast.explorer.parsing import InputError, scenario_path
from forecast.explorer.state import ViewState
from forecast.i18n import t
from forecast.plan.costs import ASSUMPTION, CostError, UnitCost, unit_costs, vnd
from forecast.plan.effort import UNREACHABLE, required_effort
from forecast.reports import fmt
from forecast.reports.planpage import programme_name
from forecast.reports.planpage import vnd as show_vnd
from forecast.stockflow import scenarios as scenario_files
from forecast.verdict.verdict import TREND

PROVINCE = config.PROVINCE_CODE


def programme_of(lever: str) -> str | None:
    """The programme of a capacity lever (``programmes.university.capacity`` → ``university``), else None."""
    parts = str(lever).split(".")
    ok = len(parts) == 3 and parts[0] == "programmes" and parts[2] == "capacity"
    return parts[1] if ok else None


def required_text(p_required: float, lang: str) -> str:
    """The required probability as the planner set it (``80%``; a setting, not an estimate)."""
    digits = 0 if abs(100 * p_required - round(100 * p_required)) < 1e-9 else 1
    return fmt.percent(p_required, digits, lang)


class Actions:
    """Effort and scenario-file actions of an explorer session (see :class:`~forecast.explorer.session.Session`)."""

    # provided by the session
    view: dict
    levers: dict
    base_levers: dict
    catalogue: dict
    targets: dict
    original: Any
    starting: Any
    start_year: int
    end_year: int
    n_draws: int
    seed: int
    _effort: Any
    _effort_cache: dict
    _engine_effort_cache: dict
    headline_for: Any
    reference_projection: Any
    _save_scenario: Any
    _load_scenario: Any
    _sliders: Any
    _unit_cost_table: dict | None = None  # data/costs.yml, read on first use

    def update(self, **changes: Any) -> ViewState:  # pragma: no cover - the session's
        raise NotImplementedError

    def _set_scenario(self, scenario: Any) -> None:  # pragma: no cover - the session's
        raise NotImplementedError

    def roster_for(self, unit: str) -> Any:  # pragma: no cover - the session's
        raise NotImplementedError

    def scenario_for(self, unit: str, levers: Mapping, scenario: Any = None, base: Mapping | None = None) -> Any:
        raise NotImplementedError  # pragma: no cover - the session's

    def _engine_kwargs(self) -> dict:  # pragma: no cover - the session's
        raise NotImplementedError

    def calibration_for(self, unit: str) -> Any:  # pragma: no cover - the session's
        raise NotImplementedError

    # -- slower actions on buttons ----------------------------------------------------------
    def unit_costs(self) -> dict[str, UnitCost]:
        """The programmes' unit costs with their provenance (:func:`forecast.plan.costs.unit_costs`), read once.

        Empty when ``data/costs.yml`` cannot be read: the screen then says that no cost is
        computed rather than inventing one.
        """
        if self._unit_cost_table is None:
            try:
                self._unit_cost_table = unit_costs()
            except (OSError, CostError):
                self._unit_cost_table = {}
        return self._unit_cost_table

    def required_effort(self) -> Any:
        """The training needed to meet the current target with the required probability ("what it takes").

        Runs :func:`forecast.plan.effort.required_effort` on the current scenario, unit and
        target, priced with :meth:`unit_costs` (the reports' unit costs, ASSUMED ones
        included); its bisection projects about 15 times (1–12 s on the demo province), so it
        runs on a button, not on every lever change, and is cached per view. For a unit,
        the places found are the unit's.

        Each trial value is judged by the probability the verdict shows (the reports' headline
        rule, :meth:`headline_for`), so that applying the value found gives the probability
        promised. Where that probability is the trend's (the engine failed its hindcast for
        the target) and the target is out of reach, the engine's own search is run too and
        kept for the explanation (:meth:`engine_effort`).
        """
        solver = self._effort or required_effort
        key = self._effort_key()
        if key not in self._effort_cache:
            tid, unit, p_req = self.view["target"], self.view["unit"], self.view["p_required"]
            # the province's search judges with the hindcast's spread, as ``forecast plan`` does
            cal = self.calibration_for(unit)
            run = dict(p=p_req, start_year=self.start_year, end_year=self.end_year, n_draws=self.n_draws,
                       seed=self.seed, costs=vnd(self.unit_costs()), **self._engine_kwargs(),
                       **({} if cal is None else {"calibration": cal}))
            roster, scenario = self.roster_for(unit), self.scenario_for(unit, self.levers)
            judge = self._headline_judge(unit, tid)
            effort = solver(roster, scenario, tid, **run, **({} if judge is None else {"judge": judge}))
            self._effort_cache[key] = effort
            if judge is not None and str(getattr(effort, "verdict", "")) == UNREACHABLE:
                self._engine_effort_cache[key] = solver(roster, scenario, tid, **run)
        return self._effort_cache[key]

    def engine_effort(self) -> Any:
        """The engine's own answer for the current view, when the headline's search found none (else None)."""
        return self._engine_effort_cache.get(self._effort_key())

    def _effort_key(self) -> tuple:
        # the scenario's own levers count too: a loaded scenario may differ beyond the sliders
        return (repr(sorted(self.base_levers.items())), self.view["target"], self.view["unit"],
                self.view["p_required"], tuple(sorted(self.levers.items())))

    def _headline_judge(self, unit: str, tid: str) -> Any:
        """How the search judges a trial projection: the verdict's probability when it is the trend's
        (moved by the engine's effect); None when the verdict is the engine's own (the solver's default)."""
        try:
            head = self.headline_for(unit, self.reference_projection(unit), tid)
        except Exception:  # noqa: BLE001 - a view without a headline keeps the engine's search
            return None
        if head.source != TREND or head.p is None:
            return None
        return lambda proj: self.headline_for(unit, proj, tid).p

    def lever_label(self, name: str, lang: str) -> str:
        """A lever's label in ``lang`` (several levers joined by ``+`` are labelled each)."""
        parts = []
        for part in str(name).split("+"):
            info = self.catalogue.get(part) or {}
            parts.append(str(info.get(f"label_{lang}", info.get(lang, part))))
        return " + ".join(parts)

    def effort_text(self, effort, lang: str | None = None) -> str:
        """An effort result in ``lang``: places a year per programme, the probability, the cost.

        An unreachable target is explained in words, and the top of the search range (the
        headcount, not a recommendation) is never shown as an answer, nor priced. The cost
        is the solver's: places × unit cost a year, and the simulated participants
        × unit cost over the plan years (as on the report pages); an ASSUMED unit cost
        is labelled so.
        """
        lang = lang or self.view["lang"]
        tid, req = self.view["target"], required_text(self.view["p_required"], lang)
        lever = self.lever_label(getattr(effort, "lever", ""), lang)
        if self.view["unit"] != PROVINCE:
            lever += text("unit_places", lang)
        prob = show_probability(getattr(effort, "probability", None), lang)
        if str(getattr(effort, "verdict", "")) == UNREACHABLE:
            # inside the sentence "< 1%", not "almost certainly not met"
            p_top = probability_in_sentence(getattr(effort, "probability", None), lang)
            engine = self.engine_effort()
            if engine is not None:  # the verdict is the trend's: say why more places barely move it
                line = text("effort_unreachable_trend", lang, tid=tid, req=req, lever=lever, p=p_top)
                if str(getattr(engine, "verdict", "")) != UNREACHABLE:
                    places = self._places_text(str(getattr(engine, "lever", "")), float(engine.value), lang)
                    line += " " + text("effort_engine_alone", lang, places=places,
                                       p=show_probability(getattr(engine, "probability", None), lang))
                return line
            return text("effort_unreachable", lang, tid=tid, req=req, lever=lever, p=p_top,
                        year=self.targets[tid].year)
        value = float(effort.value)
        places = self._places_text(str(getattr(effort, "lever", "")), value, lang)
        base = getattr(effort, "baseline_value", None)
        key = "effort_already" if base is not None and value < float(base) else "effort_reachable"
        line = text(key, lang, tid=tid, req=req, places=places, p=prob)
        cost = self._cost_text(effort, lang)
        return f"{line} {cost}" if cost else line

    def _places_text(self, lever: str, value: float, lang: str) -> str:
        """``Đại học (vừa làm vừa học) 268 chỉ tiêu/năm; …`` (a lever that is not a programme: ``label = value``)."""
        unit = text("unit_places", lang) if self.view["unit"] != PROVINCE else ""
        items = []
        for part in lever.split("+"):
            programme = programme_of(part)
            if programme is None:
                shown = fmt.number(value, 0 if value.is_integer() else 2, lang)
                items.append(text("lever_item", lang, lever=self.lever_label(part, lang) + unit, value=shown))
            else:
                # whole places: the solver's value is already whole for capacities
                items.append(t("plan.places_item", lang, programme=programme_name(programme, lang),
                               places=fmt.number(math.ceil(value - 1e-9), 0, lang)) + unit)
        return "; ".join(items)

    def _cost_text(self, effort, lang: str) -> str:
        """The effort's cost a year and over the plan years, or which programme has no unit cost."""
        table = self.unit_costs()
        programmes = [pg for pg in (programme_of(x) for x in str(getattr(effort, "lever", "")).split("+")) if pg]
        per_year, total = getattr(effort, "cost_per_year", None), getattr(effort, "cost", None)
        if per_year is None or per_year != per_year:
            missing = [pg for pg in programmes if pg not in table]
            return text("no_unit_cost", lang, items=", ".join(programme_name(pg, lang) for pg in missing)) \
                if missing else ""
        assumed = t("plan.effort_assumed", lang) if any(
            table[pg].status == ASSUMPTION for pg in programmes if pg in table) else ""
        if total is None or total != total:
            return text("effort_cost_year", lang, per_year=show_vnd(per_year, lang), assumed=assumed)
        return text("effort_cost", lang, per_year=show_vnd(per_year, lang), total=show_vnd(total, lang),
                    years=f"{self.start_year + 1}–{self.end_year}", assumed=assumed)

    def effort_levers(self, effort) -> dict:
        """The slider values that apply an effort result ("áp dụng giá trị này"); empty when unreachable.

        The solver's scenario holds the file value of each searched lever (capacities divided
        by the capacity factor); for a unit's view that is the province's slider value, since
        the unit's share is applied to the factor, not to the places.
        """
        if str(getattr(effort, "verdict", "")) == UNREACHABLE:
            return {}
        scenario_levers = getattr(getattr(effort, "scenario", None), "levers", None)
        out = {}
        for name in str(getattr(effort, "lever", "")).split("+"):
            if name not in self.levers:
                continue
            value = scenario_levers.get(name) if isinstance(scenario_levers, Mapping) else None
            out[name] = effort.value if value is None or isinstance(value, Mapping) else value
        return out

    # -- scenarios: save, list, load, reset ---------------------------------------------------
    def display_name(self) -> str:
        """The current scenario's display name: its Vietnamese label's short form ("Kịch bản cơ sở"), else its name."""
        return short_label(self.original)

    def save_scenario(self, name: str, directory: Path | None = None, overwrite: bool = False) -> Path:
        """Save the scenario built with the current levers; the file is ``<directory>/<slug>.yml``.

        Only the levers moved away from the starting scenario are written as fixed
        values; the others keep the file's settings (``from_history`` levers stay
        estimated, so next year's run re-estimates them from next year's data).

        Parameters
        ----------
        name : str
            The display name, Vietnamese letters welcome ("kịch bản A"); the file stem is
            its slug (``kich_ban_a``), also the scenario's ``name``; the display name is
            kept as its label.
        directory : Path, optional
            Default :func:`forecast.config.scenarios_dir`, where the annual run reads scenarios.
        overwrite : bool
            Replace an existing file (refused by default, so that ``baseline.yml`` is never
            replaced by a slip of the hand).

        Raises
        ------
        InputError
            For a name without a letter or digit, or an existing file; the message is in
            the view's language.
        """
        lang = self.view["lang"]
        display, path = scenario_path(Path(directory or config.scenarios_dir()), name, lang)
        if path.exists() and not overwrite:
            raise InputError(text("exists", lang, name=display, path=path.name))
        changes = lever_changes(self.levers, self.base_levers)
        scenario = renamed(with_fixed_levers(self.original, changes), path.stem, self.original, changes,
                           label=self.lever_label)
        scenario = noted(scenario, changes, f"set in the scenario explorer (starting from '{self.original.name}')")
        if dataclasses.is_dataclass(scenario) and {"label", "label_vi"} <= {f.name for f in
                                                                          dataclasses.fields(scenario)}:
            scenario = dataclasses.replace(cast(Any, scenario), label=display, label_vi=display)
        saver = self._save_scenario or scenario_files.save_scenario
        path.parent.mkdir(parents=True, exist_ok=True)
        saver(scenario, path)
        return path

    def saved_scenarios(self, directory: Path | None = None) -> dict[str, Path]:
        """Display name → file of every scenario in the folder (files that do not load are left out)."""
        folder = Path(directory or config.scenarios_dir())
        out = {}
        for path in sorted(folder.glob("*.yml")):
            try:
                scen = self._load_scenario(path)
            except Exception:  # noqa: BLE001 - a broken file is reported by `forecast validate`, not here
                continue
            shown = short_label(scen, path.stem)
            out[shown if shown not in out else f"{shown} ({path.stem})"] = path  # two files, one label: both kept
        return out

    def load(self, scenario) -> ViewState:
        """Put a saved scenario (name, file or object) into the controls and show it."""
        if isinstance(scenario, str | Path):
            scenario = self._load_scenario(scenario)
        self._set_scenario(scenario)
        loaded = flat_levers(self.base_levers, self._sliders)
        self.levers = {k: loaded.get(k, v) for k, v in self.levers.items()}  # the same sliders, new values
        return self.update()

    def reset(self) -> ViewState:
        """Back to the starting scenario, every lever at its starting value."""
        return self.load(self.starting)
