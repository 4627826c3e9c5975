"""The explorer's screen: ipywidgets over an :class:`~forecast.explorer.app.Explorer` (thin: no computation here).

Each lever is a slider with a text box beside it: the box shows the value as the planner
reads it (``96%``, ``1,5``, ``1.000``) and takes a typed value through
:func:`forecast.explorer.parsing.parse_number`; a value it cannot take is refused with a
message in the current language and the previous value stays. A lever change
recomputes only the results (chart, verdict, level, table); labels are rewritten only
when the language changes, which keeps the messages to the browser small.

The panels for scenarios, the sweep and the guide are in :mod:`forecast.explorer.panels`.

May import domain … reports and the explorer's own modules.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from forecast import config
from forecast.explorer.levers import LeverSpec, lever_groups
from forecast.explorer.messages import probability as show_probability
from forecast.explorer.messages import text
from forecast.explorer.panels import EffortPanel, GuidePanel, ScenarioPanel, SweepPanel
from forecast.explorer.parsing import P_REQUIRED_RANGE, InputError, parse_number, show_number
from forecast.explorer.state import ViewState
from forecast.reports import fmt

PROVINCE = "20"


def escape(s: object) -> str:
    """HTML-escaped text (every value the screen shows goes through it)."""
    return html.escape(str(s))


class LeverRow:
    """One lever: its label, a slider without readout, a text box that shows and takes the value."""

    def __init__(self, spec: LeverSpec, value: float, lang: str, on_value: Callable[[], None]):
        self.spec = spec
        cls = w.IntSlider if spec.integer else w.FloatSlider
        self.slider = cls(value=value, min=min(spec.minimum, value), max=max(spec.maximum, value), step=spec.step,
                          continuous_update=False, readout=False, layout=w.Layout(width="62%"))
        self.box = w.Text(value=show_number(value, lang, percent=spec.percent, integer=spec.integer),
                          continuous_update=False, layout=w.Layout(width="30%"))
        self.box.add_class(f"fx-input-{css_name(spec.name)}")
        self.slider.add_class(f"fx-slider-{css_name(spec.name)}")
        self.label = w.HTML()
        self.error = w.HTML()
        self.error.add_class("fx-input-error")
        self._lang = lang
        self._quiet = False
        self._on_value = on_value
        self.slider.observe(self._slid, names="value")
        self.box.observe(self._typed, names="value")
        self.widget = w.VBox([self.label, w.HBox([self.slider, self.box]), self.error])

    def relabel(self, lang: str) -> None:
        """Label and shown value in ``lang``."""
        self._lang = lang
        self.label.value = f"<b>{escape(self.spec.label(lang))}</b>"
        self._show(self.slider.value)

    def _show(self, value: float) -> None:
        self._quiet = True
        try:
            self.box.value = show_number(value, self._lang, percent=self.spec.percent, integer=self.spec.integer)
        finally:
            self._quiet = False

    def _slid(self, change: dict) -> None:
        self.error.value = ""
        self._show(change["new"])
        self._on_value()

    def _typed(self, change: dict) -> None:
        if self._quiet:
            return
        try:
            value = parse_number(change["new"], self._lang, percent=self.spec.percent, integer=self.spec.integer,
                                 minimum=self.slider.min, maximum=self.slider.max)
        except InputError as exc:
            self.error.value = f"<span style='color:#b00'>{escape(exc)}</span>"
            self._show(self.slider.value)  # the previous value stays, in words and on the slider
            return
        self.error.value = ""
        if value == self.slider.value:
            self._show(value)
            return
        self.slider.value = int(value) if self.spec.integer else value


def css_name(key: str) -> str:
    """A lever key as a CSS class fragment (``programmes.it.capacity`` → ``programmes-it-capacity``)."""
    return "".join(ch if ch.isalnum() else "-" for ch in key)


class Widgets:
    """The ipywidgets front of an explorer (every computation is the explorer's)."""

    def __init__(self, explorer: Any):
        self.ex = explorer
        lang = explorer.view["lang"]
        self.target = w.Dropdown(options=self._target_options(lang), value=explorer.view["target"],
                                 layout=w.Layout(width="100%"))
        self.unit = w.Dropdown(options=self._unit_options(lang), value=explorer.view["unit"])
        # typed as a percentage like the levers (50%–95%, issue 16); out of range is refused in words
        p_spec = LeverSpec("p_required", "Xác suất yêu cầu", "Probability required", P_REQUIRED_RANGE[0],
                           P_REQUIRED_RANGE[1], 0.01, percent=True)
        self.p_row = LeverRow(p_spec, explorer.view["p_required"], lang, self._on_change)
        self.p_required = self.p_row.slider
        self.lang = w.ToggleButtons(options=[("Tiếng Việt", "vi"), ("English", "en")], value=lang)
        self.rows = {s.name: LeverRow(s, explorer.levers[s.name], lang, self._on_change) for s in explorer.specs}
        self.levers = {k: row.slider for k, row in self.rows.items()}
        self.lever_labels = {k: row.label for k, row in self.rows.items()}
        self.banner = w.HTML()
        self.status = w.HTML()
        self.status.add_class("fx-status")
        self.verdict = w.HTML()
        self.verdict.add_class("fx-verdict")
        self.level = w.HTML()
        self.level.add_class("fx-level")
        self.image = w.Image(format="png")
        self.image.add_class("fx-chart")
        self.table = w.HTML()
        self.message = w.HTML()
        self.message.add_class("fx-message")
        self.effort = EffortPanel(self)
        self.effort_button, self.effort_out = self.effort.button, self.effort.out
        self.scenarios = ScenarioPanel(self)
        self.name, self.save_button = self.scenarios.name, self.scenarios.save_button
        self.export_button = w.Button(icon="download", layout=w.Layout(width="auto"))
        self.export_button.on_click(self._on_export)
        self.sweep = SweepPanel(self)
        self.guide = GuidePanel()
        self._quiet = False  # set while the screen itself moves controls, so that is not taken for a planner's move
        for control in (self.target, self.unit, self.lang):
            control.observe(self._on_change, names="value")
        groups = lever_groups(explorer.specs)
        self._group_keys = [key for key, _ in groups]
        self.groups = w.Accordion(children=[w.VBox([self.rows[n].widget for n in names]) for _, names in groups])
        if self.groups.children:
            self.groups.selected_index = 0
        self.sections = w.Accordion(children=[self.scenarios.widget, self.sweep.widget, self.guide.widget])
        left = w.VBox([self.target, self.unit, self.p_row.widget, self.lang, self.groups, self.sections],
                      layout=w.Layout(width="42%"))
        right = w.VBox([self.banner, self.status, self.verdict, self.level, self.image, self.table,
                        self.effort.widget, self.export_button, self.message], layout=w.Layout(width="58%"))
        self.title = w.HTML()  # the app's heading, in the view's language (the launcher has no prose cell)
        self.title.add_class("fx-title")
        self.box = w.VBox([self.title, w.HBox([left, right])])
        self.box.add_class("fx-explorer")
        self.relabel(lang)
        self.refresh(self.ex.current())

    # -- labels --------------------------------------------------------------------------------
    def _target_options(self, lang: str) -> list:
        return [(f"{t.id} – {t.text(lang)}", t.id) for t in self.ex.targets.values()]

    def _unit_options(self, lang: str) -> list:
        names = self.ex.unit_names()
        return [(text("province", lang) if c == PROVINCE else f"{c} {names[c]}".strip(), c)
                for c in self.ex.unit_codes()]

    def relabel(self, lang: str) -> None:
        """Every label in ``lang`` (only on a change of language: option lists are long)."""
        self._quiet = True
        try:
            self.target.options = self._target_options(lang)
            self.unit.options = self._unit_options(lang)
            self.target.value, self.unit.value = self.ex.view["target"], self.ex.view["unit"]
        finally:
            self._quiet = False
        self.title.value = f"<h2 style='margin:0.2em 0 0.6em 0'>{escape(text('title', lang))}</h2>"
        # results and messages of the other language would stay behind: cleared (the buttons redo them)
        self.message.value = ""
        for row in (self.p_row, *self.rows.values()):
            row.error.value = ""
        self.scenarios.result.value = ""
        self.sweep.result.value, self.sweep.image.value = "", b""
        self.effort.clear()
        self.target.description = text("target", lang)
        self.unit.description = text("unit", lang)
        self.lang.description = text("lang", lang)
        self.p_row.relabel(lang)
        for row in self.rows.values():
            row.relabel(lang)
        for i, key in enumerate(self._group_keys):
            self.groups.set_title(i, text(f"group_{key}", lang))
        for i, key in enumerate(("section_scenarios", "section_sweep", "section_guide")):
            self.sections.set_title(i, text(key, lang))
        self.export_button.description = text("export_button", lang)
        self.effort.relabel(lang)
        self.scenarios.relabel(lang)
        self.sweep.relabel(lang)
        self.guide.relabel(lang)
        synthetic = bool(getattr(self.ex.dataset, "synthetic", False))
        self.banner.value = f"<p style='color:#b00'>{escape(text('synthetic', lang))}</p>" if synthetic else ""

    # -- the update ----------------------------------------------------------------------------
    def values(self) -> dict:
        """What the controls hold now, as :meth:`Explorer.update` takes it."""
        values = {"target": self.target.value, "unit": self.unit.value, "p_required": self.p_required.value,
                  "lang": self.lang.value}
        values.update({k: s.value for k, s in self.levers.items()})
        return values

    def _on_change(self, _change: object = None) -> None:
        if self._quiet:
            return
        started = time.perf_counter()
        lang, before = self.lang.value, dict(self.ex.view)
        self.status.value = text("busy", lang)  # the busy indicator, sent before computing
        try:
            state = self.ex.update(**self.values())
        except Exception as exc:  # noqa: BLE001 - show the planner the message, keep the screen alive
            self.status.value = escape(text("error", lang, msg=exc))
            return
        if state.lang != before["lang"]:
            self.relabel(state.lang)
        else:
            self.message.value = ""  # "loaded …", "back to …", "exported …" belong to the screen before this move
        if any(state_value != before[k] for k, state_value in (("target", state.target_id), ("unit", state.unit),
                                                               ("p_required", state.p_required))):
            self.effort.clear()  # an effort answer belongs to the target it was computed for
        self.refresh(state, seconds=time.perf_counter() - started)

    def set_levers(self, values: dict) -> None:
        """Move sliders to ``values`` without an update per slider, then update once."""
        self._quiet = True
        try:
            for key, value in values.items():
                if key in self.rows:
                    row = self.rows[key]
                    row.slider.max = max(row.slider.max, value)
                    row.slider.min = min(row.slider.min, value)
                    row._quiet = True
                    row.slider.unobserve(row._slid, names="value")
                    try:
                        row.slider.value = value
                    finally:
                        row.slider.observe(row._slid, names="value")
                        row._quiet = False
                    row._show(value)
        finally:
            self._quiet = False

    def show_state(self, state: ViewState) -> None:
        """Controls and results after the explorer's state moved by itself (load, reset, apply)."""
        self.set_levers(state.levers)
        self.refresh(state)

    def refresh(self, state: ViewState, seconds: float | None = None) -> None:
        """The results of ``state``: chart, verdict, level and gap, table, status.

        ``seconds``: the time the status line reports (default the update's own); a lever change
        passes the whole handler's, chart and table included.
        """
        self.image.value = self.ex.png()
        # the probability and its status in bold; where it comes from after it, in plain text
        rest = state.source_text if state.source_text and state.verdict.endswith(state.source_text) else ""
        lead = state.verdict[:len(state.verdict) - len(rest)]
        self.verdict.value = f"<p><b>{escape(lead)}</b>{escape(rest)}</p>"
        self.level.value = (f"<p>{escape(state.level_text)}</p>" if state.level_text else "") + (
            f"<p style='color:#555;font-size:85%'>{escape(state.precision)}</p>" if state.precision else "")
        self.table.value = probability_table_html(state, self.ex.targets)
        shown = state.seconds if seconds is None else seconds
        self.status.value = text("done", state.lang, s=fmt.number(shown, 2, state.lang))

    def say(self, message: str, error: bool = False) -> None:
        """A message under the buttons (red for an error)."""
        style = " style='color:#b00'" if error else ""
        self.message.value = f"<span{style}>{escape(message)}</span>"

    def _on_export(self, _button: object) -> None:
        lang = self.lang.value
        try:
            paths = self.ex.export()
            folder = next(iter(paths.values())).parent
            self.say(text("exported", lang, paths=", ".join(p.name for p in paths.values()), folder=folder))
        except Exception as exc:  # noqa: BLE001
            self.say(text("error", lang, msg=exc), error=True)


def probability_table_html(state: ViewState, targets: dict) -> str:
    """Every target's 2030 level, gap and its one probability as a small HTML table in the view's language.

    The probability is the reports' answer for the levers (``p``) with the model it comes from;
    the trend's own probability follows as context.
    """
    lang = state.lang
    head = [text("target", lang), text("threshold", lang), text("level_2030", lang, year=config.TARGET_YEAR), text("gap", lang),
            text("p_headline", lang), text("source", lang), text("meets", lang), text("p_trend", lang)]
    rows = []
    for r in state.probabilities.to_dict("records"):
        t = targets[r["target"]]
        thr = text("rising", lang) if t.threshold is None else fmt.percent(
            t.share, 0 if float(t.threshold).is_integer() else 1, lang)
        meets = "" if r["meets"] is None or r["meets"] != r["meets"] else text("yes" if r["meets"] else "no", lang)
        level, gap = r.get("level"), r.get("gap")
        level_s = "" if level is None or level != level else (
            fmt.number(level, 0, lang) if t.threshold is None else fmt.percent(level, 1, lang))
        gap_s = "" if gap is None or gap != gap else fmt.points(100 * gap, 1, lang, unit=False)
        bold = " style='font-weight:bold'" if r["target"] == state.target_id else ""
        source = r.get("source")
        cells = [r["target"], thr, level_s, gap_s, show_probability(r.get("p"), lang),
                 text(f"source_{source}", lang) if source in ("engine", "trend") else "", meets,
                 show_probability(r["p_trend"], lang)]
        rows.append(f"<tr{bold}>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return ("<table class='fx-table'><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
