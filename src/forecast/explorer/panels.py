"""The explorer's panels: required effort, scenarios (save, load, reset, compare), the one-lever sweep, the guide.

Each panel holds its widgets and calls the explorer (``screen.ex``); the screen
(:class:`forecast.explorer.widgets.Widgets`) places them. Messages come from
:mod:`forecast.explorer.messages` in the current language.

May import domain … reports and the explorer's own modules.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from typing import Any

import ipywidgets as w

from forecast import config
from forecast.explorer.actions import required_text
from forecast.explorer.compare import compare, plan_years, sweep, sweep_png, sweep_values
from forecast.explorer.messages import probability as show_probability
from forecast.explorer.messages import text
from forecast.explorer.parsing import InputError, parse_number, show_number
from forecast.i18n import t
from forecast.plan.costs import UnitCost
from forecast.reports import fmt
from forecast.reports.planpage import basis_text, programme_name, vnd
from forecast.reports.planrun import assumed_per_day


def _escape(s: object) -> str:
    return html.escape(str(s))


def _table(head: list[str], rows: list[list[str]], css: str) -> str:
    return (f"<table class='{css}'><thead><tr>" + "".join(f"<th>{_escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join("<tr>" + "".join(f"<td>{_escape(c)}</td>" for c in r) + "</tr>"
                                               for r in rows) + "</tbody></table>")


def _level(value: Any, threshold: Any, lang: str) -> str:
    if value is None or value != value:
        return ""
    return fmt.number(value, 0, lang) if threshold is None else fmt.percent(value, 1, lang)


def _gap(value: Any, lang: str) -> str:
    return "" if value is None or value != value else fmt.points(100 * value, 1, lang, unit=False)


class EffortPanel:
    """The required-effort button, its answer in words and "áp dụng giá trị này"."""

    def __init__(self, screen: Any):
        self.screen = screen
        self.button = w.Button(icon="calculator", layout=w.Layout(width="auto"))
        self.out = w.HTML()
        self.out.add_class("fx-effort")
        self.apply = w.Button(icon="check", layout=w.Layout(width="auto", display="none"))
        self._values: dict = {}
        self.seconds: float | None = None  # how long the last search took (the benchmark reads it)
        self.button.on_click(self._on_effort)
        self.apply.on_click(self._on_apply)
        self.widget = w.VBox([self.button, self.out, self.apply])

    def relabel(self, lang: str) -> None:
        self.button.description = text("effort_button", lang)
        self.apply.description = text("apply_button", lang)

    def clear(self) -> None:
        """Forget the shown answer (the target, unit or probability changed)."""
        self.out.value = ""
        self._values = {}
        self.apply.layout.display = "none"

    def _on_effort(self, _button: object) -> None:
        ex, lang = self.screen.ex, self.screen.lang.value
        self.clear()
        state = ex.state
        if state is not None and state.target_id == ex.view["target"] and (state.p is None or state.p != state.p):
            # nothing to aim at: the verdict says why (not applicable, or no trend); no search runs
            self.out.value = _escape(text("effort_no_answer", lang, why=state.verdict))
            return
        # sent to the browser before the search starts: it projects about 15 times
        self.out.value = _escape(text("effort_busy", lang, tid=ex.view["target"],
                                      req=required_text(ex.view["p_required"], lang)))
        self.button.disabled = True
        start = time.perf_counter()
        try:
            effort = ex.required_effort()
            self.seconds = time.perf_counter() - start
            took = text("effort_time", lang, s=fmt.number(self.seconds, 1, lang))
            self.out.value = (f"{_escape(ex.effort_text(effort, lang))} "
                              f"<span style='color:#555;font-size:85%'>{_escape(took)}</span>")
            self._values = ex.effort_levers(effort)
        except Exception as exc:  # noqa: BLE001 - the message is for the planner
            self.out.value = _escape(text("error", lang, msg=exc))
            return
        finally:
            self.button.disabled = False
        self.apply.layout.display = "" if self._values else "none"

    def _on_apply(self, _button: object) -> None:
        ex, lang = self.screen.ex, self.screen.lang.value
        values = dict(self._values)
        if not values:
            return
        try:
            state = ex.update(**values)
        except Exception as exc:  # noqa: BLE001
            self.screen.say(text("error", lang, msg=exc), error=True)
            return
        self.screen.show_state(state)
        shown = ", ".join(f"{ex.lever_label(k, lang)} = {show_number(float(v), lang)}" for k, v in values.items())
        self.screen.say(text("applied", lang, lever=shown, value="").rstrip(" =."))
        self.clear()


#: A control's label at its own width: Vietnamese labels ("Kịch bản đã lưu") are not cut to "Kịch bản đ…".
_LABEL_FITS = {"description_width": "initial"}


class ScenarioPanel:
    """Save under a (Vietnamese) name, load a saved scenario, reset, compare two to four."""

    def __init__(self, screen: Any):
        self.screen = screen
        ex = screen.ex
        self.name = w.Text(value=f"{ex.display_name()} mới", continuous_update=True, style=_LABEL_FITS)
        self.name.add_class("fx-name")
        self.save_button = w.Button(icon="save", layout=w.Layout(width="auto"))
        self.saved = w.Dropdown(options=[], layout=w.Layout(width="75%"), style=_LABEL_FITS)
        self.saved.add_class("fx-saved")
        self.load_button = w.Button(icon="folder-open", layout=w.Layout(width="auto"))
        self.reset_button = w.Button(icon="undo", layout=w.Layout(width="auto"))
        self.pick = w.SelectMultiple(options=[], rows=4, layout=w.Layout(width="75%"), style=_LABEL_FITS)
        self.compare_button = w.Button(icon="columns", layout=w.Layout(width="auto"))
        self.result = w.HTML()
        self.result.add_class("fx-compare")
        self.save_button.on_click(self._on_save)
        self.load_button.on_click(self._on_load)
        self.reset_button.on_click(self._on_reset)
        self.compare_button.on_click(self._on_compare)
        self.widget = w.VBox([w.HBox([self.name, self.save_button]), w.HBox([self.saved, self.load_button]),
                              self.reset_button, w.HBox([self.pick, self.compare_button]), self.result])
        self.refresh_list()

    def relabel(self, lang: str) -> None:
        self.name.description = text("name", lang)
        self.save_button.description = text("save_button", lang)
        self.load_button.description = text("load_button", lang)
        self.reset_button.description = text("reset_button", lang)
        self.compare_button.description = text("compare_button", lang)
        self.saved.description = text("saved_list", lang)
        self.pick.description = text("compare_pick", lang)

    def refresh_list(self) -> None:
        """The saved scenarios offered for loading and comparing."""
        names = list(self.screen.ex.saved_scenarios())
        self.saved.options = names
        self.pick.options = names

    def _on_save(self, _button: object) -> None:
        ex, lang = self.screen.ex, self.screen.lang.value
        try:
            path = ex.save_scenario(self.name.value)
        except InputError as exc:
            self.screen.say(str(exc), error=True)
            return
        except Exception as exc:  # noqa: BLE001
            self.screen.say(text("error", lang, msg=exc), error=True)
            return
        self.refresh_list()
        self.screen.say(text("saved", lang, name=self.name.value.strip(), path=path.name))

    def _on_load(self, _button: object) -> None:
        ex, lang = self.screen.ex, self.screen.lang.value
        name = self.saved.value
        if not name:
            self.screen.say(text("pick_scenario", lang), error=True)
            return
        path = ex.saved_scenarios().get(name)
        if path is None:
            self.screen.say(text("unknown_scenario", lang, name=name or ""), error=True)
            return
        try:
            state = ex.load(path)
        except Exception as exc:  # noqa: BLE001
            self.screen.say(text("error", lang, msg=exc), error=True)
            return
        self.screen.show_state(state)
        self.screen.say(text("loaded", lang, name=name))

    def _on_reset(self, _button: object) -> None:
        ex, lang = self.screen.ex, self.screen.lang.value
        state = ex.reset()
        self.screen.show_state(state)
        self.screen.say(text("reset", lang, name=ex.display_name()))

    def _on_compare(self, _button: object) -> None:
        ex, lang = self.screen.ex, self.screen.lang.value
        try:
            table = compare(ex, list(self.pick.value))
        except Exception as exc:  # noqa: BLE001
            self.result.value = f"<span style='color:#b00'>{_escape(exc)}</span>"
            return
        self.result.value = comparison_html(table, ex.targets[ex.view["target"]].threshold, lang,
                                            costs=ex.unit_costs(), years=plan_years(ex),
                                            unit_view=ex.view["unit"] != config.PROVINCE_CODE)


def _money(x: Any, lang: str) -> str:
    return "" if x is None or x != x else vnd(float(x), lang)


def comparison_html(table: Any, threshold: Any, lang: str, *, costs: Mapping[str, UnitCost] | None = None,
                    years: tuple[int, int] = (config.TARGET_YEAR - 4, config.TARGET_YEAR),
                    unit_view: bool = False) -> str:
    """A comparison (:func:`forecast.explorer.compare.compare`) as HTML in ``lang``.

    Two tables side by side by scenario: the target's level, gap and probability with the
    places and cost a year and over the plan years; then each programme's places a year
    with its unit cost and what that rests on (the act, or GIẢ ĐỊNH / ASSUMPTION), and the
    notes that say how the cost is computed.
    """
    costs = costs or {}
    period = f"{years[0]}–{years[1]}"
    head = [text("scenario", lang), text("level_2030", lang, year=config.TARGET_YEAR), text("gap", lang),
            text("p_headline", lang), text("places_total", lang), text("cost_per_year", lang),
            text("cost_period", lang, years=period)]
    records = table.to_dict("records")
    assumed = t("plan.effort_assumed", lang)
    rows = [[r["scenario"], _level(r["level"], threshold, lang), _gap(r["gap"], lang),
             show_probability(r["p"], lang), fmt.number(r["places"], 0, lang),
             _money(r["cost_per_year"], lang) + (assumed if r["cost_assumed"] else ""),
             _money(r["cost_total"], lang) + (assumed if r["cost_assumed"] else "")] for r in records]
    parts = [_table(head, rows, "fx-compare-table")]
    programmes = [pg for pg in dict.fromkeys(pg for r in records for pg in r["places_by_programme"])
                  if any(r["places_by_programme"].get(pg, 0) > 0 for r in records)]
    if programmes:
        head = [t("plan.col_programme", lang), t("plan.col_unit_cost", lang), t("plan.col_basis", lang),
                *[str(r["scenario"]) for r in records]]
        rows = [[programme_name(pg, lang), fmt.number(costs[pg].vnd, 0, lang) if pg in costs else fmt.MISSING,
                 basis_text(costs[pg].to_dict(), lang) if pg in costs else "",
                 *[fmt.number(r["places_by_programme"].get(pg, 0), 0, lang) for r in records]]
                for pg in programmes]
        parts.append(f"<p><b>{_escape(text('places_heading', lang))}</b></p>" + _table(head, rows, "fx-places-table"))
    notes = [text("cost_note", lang, years=period, n=years[1] - years[0] + 1)]
    if any(r["cost_assumed"] for r in records):
        per_day = assumed_per_day()
        if per_day is not None:
            notes.append(t("plan.assumption_note", lang, per_day=t("plan.vnd", lang, x=fmt.number(per_day, 0, lang))))
    unpriced = list(dict.fromkeys(pg for r in records for pg in r["unpriced"]))
    if unpriced:
        notes.append(text("no_unit_cost", lang, items=", ".join(programme_name(pg, lang) for pg in unpriced)))
    if unit_view:
        notes.append(text("province_places", lang))
    parts.extend(f"<p style='color:#555;font-size:85%'>{_escape(n)}</p>" for n in notes)
    return "".join(parts)


class SweepPanel:
    """One lever over a range of values: probability and target-year level as a table and a chart."""

    def __init__(self, screen: Any):
        self.screen = screen
        specs = screen.ex.specs
        self.lever = w.Dropdown(options=[], layout=w.Layout(width="100%"), style=_LABEL_FITS)
        self.lo = w.Text(layout=w.Layout(width="30%"))
        self.hi = w.Text(layout=w.Layout(width="30%"))
        self.steps = w.BoundedIntText(value=6, min=2, max=21, layout=w.Layout(width="30%"))
        self.button = w.Button(icon="line-chart", layout=w.Layout(width="auto"))
        self.result = w.HTML()
        self.result.add_class("fx-sweep")
        self.image = w.Image(format="png")
        self._specs = {s.name: s for s in specs}
        self.lever.observe(self._on_lever, names="value")
        self.button.on_click(self._on_sweep)
        self.widget = w.VBox([self.lever, w.HBox([self.lo, self.hi, self.steps]), self.button, self.result,
                              self.image])

    def relabel(self, lang: str) -> None:
        current = self.lever.value
        self.lever.options = [(s.label(lang), s.name) for s in self._specs.values()]
        if current in self._specs:
            self.lever.value = current
        elif self._specs:  # a lever is always chosen: the button never does nothing
            self.lever.value = next(iter(self._specs))
        self.lever.description = text("sweep_lever", lang)
        self.lo.description, self.hi.description = text("sweep_from", lang), text("sweep_to", lang)
        self.steps.description = text("sweep_steps", lang)
        self.button.description = text("sweep_button", lang)
        self._on_lever()

    def _on_lever(self, _change: object = None) -> None:
        spec = self._specs.get(self.lever.value)
        if spec is None:
            return
        lang = self.screen.lang.value
        self.lo.value = show_number(spec.minimum, lang, percent=spec.percent, integer=spec.integer)
        self.hi.value = show_number(spec.maximum, lang, percent=spec.percent, integer=spec.integer)

    def _on_sweep(self, _button: object) -> None:
        ex, lang = self.screen.ex, self.screen.lang.value
        spec = self._specs.get(self.lever.value)
        if spec is None:
            self.result.value = f"<span style='color:#b00'>{_escape(text('pick_lever', lang))}</span>"
            return
        try:
            lo, hi = (parse_number(box.value, lang, percent=spec.percent, integer=spec.integer)
                      for box in (self.lo, self.hi))
            values = sweep_values(lo, hi, int(self.steps.value), spec.integer)
            self.result.value = text("busy", lang)
            table = sweep(ex, spec.name, values)
        except Exception as exc:  # noqa: BLE001 - InputError's message is already in the planner's language
            self.result.value = f"<span style='color:#b00'>{_escape(exc)}</span>"
            return
        target = ex.targets[ex.view["target"]]
        head = [text("lever_value", lang), text("p_headline", lang),
                text("level_2030", lang, year=target.year), text("gap", lang)]
        rows = [[show_number(r["value"], lang, percent=spec.percent, integer=spec.integer),
                 show_probability(r["p"], lang), _level(r["level"], target.threshold, lang),
                 _gap(r["gap"], lang)] for r in table.to_dict("records")]
        self.result.value = _table(head, rows, "fx-sweep-table")
        self.image.value = sweep_png(table, lever_label=spec.label(lang), threshold=target.share, lang=lang,
                                     year=target.year)


class GuidePanel:
    """A short guide to the screen, in the current language."""

    def __init__(self) -> None:
        self.widget = w.HTML()

    def relabel(self, lang: str) -> None:
        self.widget.value = f"<p>{_escape(text('guide', lang))}</p>"
