"""What the report notebooks call, so that notebooks stay thin (no logic in cells).

Each public function displays one section of a report, drawn from the prepared results
(:class:`forecast.reports.pipeline.RunResults`) in the report language. The sections are
built as HTML strings by :mod:`.sections` (summary, target, scenarios), :mod:`.review`
(data review, commune, the plan's targets) and :mod:`.verdict_page` (the verdict); every
text comes from the message catalogue :mod:`forecast.i18n` (``nbk.t(key, lang)``).

Privacy: reports show aggregates only. Any per-unit cell counting fewer than
``min_cell`` people (default 5) is suppressed and the page says so.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from IPython.display import HTML, display

from forecast import config, i18n
from forecast.reports import fmt, pipeline, planpage, planrun, plots, review, sections, yearchange
from forecast.reports.blocks import (  # noqa: F401 - re-exported for notebooks and tests
    esc,
    scenario_label,
    status_label,
    table_html,
    what_it_takes,
)
from forecast.reports.review import commune_name, short_unit_name, suppression  # noqa: F401 - re-exported
from forecast.reports.sections import official_labels  # noqa: F401 - re-exported

#: The catalogue's look-up: ``nbk.t("report.summary_title", lang)``.
t = i18n.t


def setup(lang: str = "vi") -> None:
    """Common notebook setup: quiet warnings, plotting style, language check."""
    fmt.check_lang(lang)
    warnings.filterwarnings("ignore")
    plots.style()


def load(results: str = "", *, data_dir: str = "", as_of: int | None = None, lang: str = "vi"):
    """The run's prepared results: the runner's JSON results file, or prepared now when run by hand.

    Parameters
    ----------
    results : str
        Path given by ``forecast run`` (only ``_results.json`` in the run's ``.tmp-<year>-<pid>``
        folder is accepted, and reading it runs no code: :mod:`forecast.reports.resultstore`);
        empty when the notebook is opened interactively, in which case the data folder
        (default: the demo province) is analysed here.
    """
    if results:
        return pipeline.load_results(Path(results))
    folder = Path(data_dir) if data_dir else config.demo_dir()
    return pipeline.prepare_results(folder, as_of=as_of or None, lang=lang, plan_p=planrun.DEFAULT_P)


def show(html_text: str) -> None:
    """Display safe HTML in the notebook output."""
    if html_text:
        display(HTML(fmt.nfc(html_text)))


def title(text: str) -> None:
    """The page heading (``<h1>``, also used as the page title)."""
    show(f"<h1>{esc(text)}</h1>")


def heading(text: str, level: int = 2) -> None:
    """A section heading."""
    show(f"<h{level}>{esc(text)}</h{level}>")


def paragraph(text: str, cls: str = "") -> None:
    """A paragraph of escaped prose."""
    attr = f' class="{esc(cls)}"' if cls else ""
    show(f"<p{attr}>{esc(text)}</p>")


# --- the provincial summary ------------------------------------------------------------------
def headline(res, lang: str) -> None:
    """The summary's first sentence: how many targets are likely / unlikely to be met."""
    show(sections.headline_html(res, lang))


def summary_table(res, lang: str) -> None:
    """The leader's table: every target with status, probability and what it would take."""
    show(sections.summary_table_html(res, lang))


def status_rules(res, lang: str) -> None:
    """What each status means (thresholds) and the international measures, named as such."""
    show(sections.status_rules_html(lang))
    show(sections.international_html(res, lang))


def status_figure(res, lang: str) -> None:
    """The status grid of all targets (figure with alt text and caption)."""
    show(sections.status_figure_html(res, lang))


def training_plan(res, lang: str) -> None:
    """The costed training plan: places by programme and year, cost, probabilities, units furthest behind."""
    show(planpage.plan_html(res, lang))


def year_changes(res, lang: str) -> None:
    """What changed since the previous as-of year's report set in the output folder (a note when there is none)."""
    show(yearchange.section_html(getattr(res, "year_changes", None), lang))


# --- one target --------------------------------------------------------------------------------
def target_effort(res, target_id: str, lang: str) -> None:
    """What training the target would take (its own effort and its part in the plan; T09 parts, T11 by field)."""
    show(planpage.effort_html(res, target_id, lang))


def target_title(res, target_id: str, lang: str) -> None:
    """The heading of a target's report."""
    title(sections.target_title_text(res, target_id, lang))


def fan_chart(res, target_id: str, lang: str) -> None:
    """The target's fan chart with caption and alt text."""
    show(sections.fan_chart_html(res, target_id, lang))


def target_facts(res, target_id: str, lang: str) -> None:
    """Probability, pace, international measures, expected year, what it would take."""
    show(sections.target_facts_html(res, target_id, lang))


def target_history(res, target_id: str, lang: str) -> None:
    """The observed series as a table, the target's notes and the models' notes."""
    show(sections.target_history_html(res, target_id, lang))


# --- scenarios ---------------------------------------------------------------------------------
def scenario_table(res, lang: str) -> None:
    """The verdict beside each scenario's change, and what each scenario assumes."""
    show(sections.scenario_table_html(res, lang))


def scenario_charts(res, lang: str) -> None:
    """One chart per target comparing the scenarios' projections (targets the engine models)."""
    show(sections.scenario_charts_html(res, lang))


# --- data review -------------------------------------------------------------------------------
def coverage(res, lang: str) -> None:
    """The coverage heat map (units reporting each indicator by year)."""
    show(review.coverage_html(res, lang))


def validation_summary(res, lang: str) -> None:
    """What validation found, in the report language."""
    show(review.validation_html(res, lang))


def breaks(res, lang: str) -> None:
    """Which targets have a series break and when."""
    show(review.breaks_html(res, lang))


def privacy_note(lang: str, min_cell: int) -> None:
    """The page's statement about suppressed cells."""
    show(review.privacy_html(lang, min_cell))


def commune_multiples(res, target_id: str, lang: str, min_cell: int = 5) -> None:
    """Small multiples of one commune-level indicator, one panel per commune (small cells hidden)."""
    show(review.commune_multiples_html(res, target_id, lang, min_cell))


# --- one commune -------------------------------------------------------------------------------
def commune_title(res, unit_code: str, lang: str) -> None:
    """The heading of a commune's report."""
    title(review.commune_title_text(res, unit_code, lang))


def commune_table(res, unit_code: str, lang: str, min_cell: int = 5) -> None:
    """The commune's shares beside the province and the target (small cells hidden)."""
    show(review.commune_table_html(res, unit_code, lang, min_cell))


def unit_plan(res, unit_code: str, lang: str) -> None:
    """The unit's forecast and probability under the plan, its rank and the places allocated to it."""
    show(planpage.unit_html(res, unit_code, lang))


def commune_chart(res, unit_code: str, lang: str, min_cell: int = 5) -> None:
    """The commune's indicators over the years, one small panel each (small cells hidden)."""
    show(review.commune_chart_html(res, unit_code, lang, min_cell))


# --- the plan's targets ------------------------------------------------------------------------
def show_targets_table(lang: str = "vi") -> None:
    """Display the plan's targets T01–T11 as an HTML table (text escaped)."""
    show(review.targets_table_html(lang))
