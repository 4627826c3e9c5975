"""Sections of the summary, target and scenario pages, as HTML strings (see :mod:`.notebook`).

Each function takes the prepared results (:class:`forecast.reports.pipeline.RunResults`)
and the report language and returns safe HTML: headings, prose, tables and figures
(inline 2× PNG with alt text, caption and, for synthetic data, the synthetic mark).
"""

from __future__ import annotations

import pandas as pd

from forecast import i18n
from forecast.domain import status as status_rule
from forecast.reports import fmt, palette, plots, verdict_page
from forecast.reports.blocks import (
    Markup,
    esc,
    heading_html,
    list_html,
    model_name,
    paragraph_html,
    scenario_description,
    scenario_label,
    status_html,
    status_label,
    status_text,
    summary_row,
    synthetic_mark,
    table_html,
    threshold_text,
    tidy,
    value,
    what_it_takes,
)
from forecast.verdict import official

t = i18n.t

#: The international progress measures: (key in the attainment record, catalogue key, English version).
MEASURES = (("escap", "official.escap", official.ESCAP_VERSION),
            ("unsd", "official.unsd", official.UNSD_VERSION),
            ("eurostat", "official.eurostat", official.EUROSTAT_VERSION))


# ---------------------------------------------------------------------------
# the provincial summary
# ---------------------------------------------------------------------------
def headline_html(res, lang: str) -> str:
    """The summary's first sentence: how many targets are likely / unlikely to be met."""
    ps = [summary_row(o).get("p_meet") for o in res.targets]
    known = [p for p in ps if p is not None]
    return paragraph_html(t("report.headline", lang, year=res.as_of, n=len(res.targets),
                            n_likely=sum(p >= 0.5 for p in known), n_unlikely=sum(p < 0.1 for p in known)))


def summary_table_html(res, lang: str) -> str:
    """The leader's table: every target with status, probability and what it would take.

    One probability column: the verdict's (:mod:`forecast.verdict.verdict`, put on the page by
    :mod:`.verdict_page`); the rule is stated under the table and the components stay in
    ``summary.json``.
    """
    head = [t("report.col_id", lang), t("report.col_target", lang), t("report.col_latest", lang),
            t("report.col_2030", lang), t("report.col_p", lang), t("report.col_status", lang),
            t("report.col_pace", lang), t("report.col_take", lang)]
    rows = []
    for o in res.targets:
        r = summary_row(o)
        latest = value(r.get("latest_value"), o.kind, lang)
        if r.get("latest_year"):
            latest += f" ({r['latest_year']})"
        y = o.year
        f2030 = value(r.get(f"median_{y}"), o.kind, lang)
        if r.get(f"lo80_{y}") is not None:
            f2030 += f" ({value(r[f'lo80_{y}'], o.kind, lang, 0)}–{value(r[f'hi80_{y}'], o.kind, lang, 0)})"
        pace = (f"{fmt.points(r.get('required_pace'), 1, lang, unit=False)} / "
                f"{fmt.points(r.get('observed_pace'), 1, lang, unit=False)}"
                if o.kind == "share" else t("report.rising", lang))
        rows.append([o.id, o.text[lang], latest, f2030, verdict_page.probability_cell(o, lang),
                     status_html(r.get("status"), lang), pace, what_it_takes(o, lang)])
    return (table_html(head, rows, numeric={2, 3, 4}, cls="targets summary")
            + paragraph_html(verdict_page.rule_text(lang), cls="meta"))


def status_rules_html(lang: str) -> str:
    """What each status means, with the thresholds of the one status rule (:mod:`forecast.domain.status`)."""
    p = fmt.percent(status_rule.ON_TRACK_P, 0, lang)
    m = fmt.number(status_rule.OFF_TRACK_MULTIPLE, 0, lang)
    items = [Markup(f'<span class="status status-{code}">'
                    f'{esc(t(f"rules.{code}", lang, symbol=palette.status_symbol(code), p=p, m=m))}</span>')
             for code in status_rule.STATUSES]
    return (heading_html(t("report.rules_heading", lang)) + paragraph_html(t("rules.intro", lang))
            + list_html(items, cls="rules") + paragraph_html(t("rules.colours", lang), cls="meta"))


def _measure_cell(att: dict, key: str, lang: str) -> str:
    label = att.get(f"{key}_class")
    if not label:
        return fmt.MISSING
    number = att.get(f"{key}_gap" if key == "escap" else f"{key}_ratio")
    shown = fmt.number(number, 2, lang) if number is not None else fmt.MISSING
    return t("report.intl_value", lang, value=shown, label=status_label(label, lang))


def international_html(res, lang: str) -> str:
    """The ESCAP, UNSD and Eurostat measures of every target, named as such, with rule and version."""
    head = [t("report.col_id", lang), *[t(f"{cat}.name", lang) for _, cat, _ in MEASURES]]
    rows = [[o.id, *[_measure_cell(o.attainment or {}, key, lang) for key, _, _ in MEASURES]] for o in res.targets]
    parts = [heading_html(t("report.intl_heading", lang)), paragraph_html(t("report.intl_intro", lang)),
             table_html(head, rows, numeric={1, 2, 3}, cls="measures")]
    for _, cat, _ in MEASURES:
        parts.append(f"<p><strong>{esc(t(f'{cat}.name', lang))}.</strong> {esc(t(f'{cat}.rule', lang))} "
                     f"{esc(t('report.intl_version', lang, version=t(f'{cat}.version', lang)))}</p>")
    return "\n".join(parts)


def status_figure_html(res, lang: str) -> str:
    """The status grid of all targets (figure with alt text and caption)."""
    rows = []
    for o in res.targets:
        r = summary_row(o)
        rows.append({"id": o.id, "p_meet": r.get("p_meet") if r.get("p_meet") is not None else float("nan"),
                     "status": r.get("status"),
                     "required_pace": r.get("required_pace") if o.kind == "share" else None,
                     "observed_pace": r.get("observed_pace") if o.kind == "share" else None})
    fig = plots.status_grid(pd.DataFrame(rows), lang=lang)
    items = "; ".join(f"{r['id']} {fmt.probability(r['p_meet'], lang)} {status_text(r['status'], lang)}"
                      for r in rows)
    return plots.figure_html(fig, alt=t("report.grid_alt", lang, items=items),
                             caption=t("report.grid_caption", lang), mark=synthetic_mark(res, lang))


# ---------------------------------------------------------------------------
# one target
# ---------------------------------------------------------------------------
def target_title_text(res, target_id: str, lang: str) -> str:
    """The heading of a target's report."""
    o = res.target(target_id)
    return t("report.target_title", lang, id=o.id, text=o.text[lang])


def fan_chart_html(res, target_id: str, lang: str) -> str:
    """The target's fan chart with caption and alt text."""
    o = res.target(target_id)
    r = summary_row(o)
    fig = plots.fan_chart(o.series, o.forecast, threshold=o.threshold, target_year=o.year,
                          kind=o.kind, break_year=o.break_year, lang=lang)
    brk = t("report.fan_break", lang, y=o.break_year) if o.break_year else ""
    y = o.year
    alt = t("report.fan_alt", lang, id=o.id, latest=value(r.get("latest_value"), o.kind, lang),
            ly=r.get("latest_year") or fmt.MISSING, year=y, med=value(r.get(f"median_{y}"), o.kind, lang),
            lo=value(r.get(f"lo80_{y}"), o.kind, lang), hi=value(r.get(f"hi80_{y}"), o.kind, lang),
            thr=threshold_text(o.threshold, lang))
    return plots.figure_html(fig, alt=alt, caption=t("report.fan_caption", lang, id=o.id, year=y, brk=brk),
                             mark=synthetic_mark(res, lang))


def official_labels(outcome, lang: str) -> list[str]:
    """``ESCAP: Cần tăng tốc`` etc., one item per international measure the attainment record carries."""
    att = outcome.attainment or {}
    names = {"escap": "ESCAP", "unsd": "UNSD", "eurostat": "Eurostat"}
    return [f"{names[key]}: {status_label(att[f'{key}_class'], lang)}" for key, _, _ in MEASURES
            if att.get(f"{key}_class")]


def target_facts_html(res, target_id: str, lang: str) -> str:
    """Probability, pace, international measures, expected year and scenario probabilities, as a list."""
    o = res.target(target_id)
    if o.forecast is None and not o.attainment:
        return paragraph_html(t("report.no_forecast", lang))
    r = summary_row(o)
    items: list[str] = [Markup(esc(t("report.facts_p", lang, year=o.year, p=verdict_page.probability_cell(o, lang)))
                               + " " + status_html(r.get("status"), lang))]
    if o.kind == "share":
        items.append(t("report.facts_pace", lang, req=fmt.points(r.get("required_pace"), 1, lang),
                       obs=fmt.points(r.get("observed_pace"), 1, lang)))
        first = r.get("first_year_met")
        if first is None and o.forecast is not None and o.threshold is not None:
            first = o.forecast.first_year_at_least(o.threshold)
        items.append(t("report.facts_first", lang, y=first) if first else t("report.facts_never", lang, y=o.year))
    labels = official_labels(o, lang)
    if labels:
        items.append(t("report.facts_label", lang, label="; ".join(labels)))
    if r.get("method"):
        items.append(t("report.facts_method", lang, m=model_name(r["method"], lang, res.scenarios)))
    # scenarios are shown as changes from this probability (verdict_page.target_verdict)
    items.append(what_it_takes(o, lang))
    return list_html(items)


def target_history_html(res, target_id: str, lang: str) -> str:
    """The observed series as a table (counts and shares by year), the target's notes, the models' notes."""
    o = res.target(target_id)
    parts = [heading_html(t("report.history", lang))]
    s = o.series
    if s is None or not len(s):
        return parts[0] + paragraph_html(t("report.no_forecast", lang))
    rows = []
    for _, row in s.sort_values("year").iterrows():
        rows.append([str(int(row["year"])), fmt.number(row.get("numerator"), 0, lang),
                     fmt.number(row.get("denominator"), 0, lang), value(row.get("value"), o.kind, lang)])
    head = [t("report.col_year", lang), t("report.col_num", lang), t("report.col_den", lang),
            t("report.col_share", lang) if o.kind == "share" else t("report.col_count", lang)]
    parts.append(table_html(head, rows, numeric={1, 2, 3}))
    notes = o.notes.get(lang)
    if notes:
        parts += [heading_html(t("report.notes", lang), 3), list_html([notes])]
    # the models and the rules write English notes; the catalogue words each in the report language
    model_notes = [*(getattr(o.forecast, "notes", []) or []), *((o.attainment or {}).get("notes") or [])]
    if model_notes:
        worded = dict.fromkeys(i18n.translate_note(n, lang) for n in model_notes)
        parts += [heading_html(t("report.model_notes", lang), 3), list_html(list(worded), cls="meta")]
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------
def scenario_table_html(res, lang: str) -> str:
    """One probability per target (the verdict) and each scenario as a change from it; what each assumes."""
    if not res.scenarios:
        return paragraph_html(t("report.scen_none", lang))
    head, rows = verdict_page.scenario_grid(res, lang)
    parts = [heading_html(t("report.scen_table", lang)),
             table_html([tidy(h, lang) for h in head], rows, numeric=set(range(1, len(head))), cls="scenarios"),
             paragraph_html(verdict_page.rule_text(lang), cls="meta"),
             heading_html(t("report.scen_descriptions", lang), 3)]
    items = []
    for s in res.scenarios:
        desc = scenario_description(s, lang)
        items.append(f"{scenario_label(s, lang)}: {desc}" if desc else scenario_label(s, lang))
    parts.append(list_html(items, cls="meta"))
    return "\n".join(parts)


def scenario_charts_html(res, lang: str) -> str:
    """One chart per target comparing the scenarios' projections (targets the engine models)."""
    out = []
    labels = {s["name"]: scenario_label(s, lang) for s in res.scenarios}
    for o in res.targets:
        projections = {labels.get(n, n): v["forecast"] for n, v in o.scenarios.items()
                       if v.get("forecast") is not None}
        if not projections:
            continue
        if o.forecast is not None:  # the trend forecast first, as the yardstick
            projections = {t("report.trend", lang): o.forecast, **projections}
        fig = plots.scenario_chart(o.series, projections, threshold=o.threshold, target_year=o.year,
                                   kind=o.kind, lang=lang, title=f"{o.id}")
        items = "; ".join(f"{name} {value(fc.median.iloc[-1], o.kind, lang)}" for name, fc in projections.items())
        hist = o.series.dropna(subset=["value"]) if o.series is not None and len(o.series) else None
        last = int(hist["year"].max()) if hist is not None and len(hist) else res.as_of
        out.append(plots.figure_html(fig, alt=t("report.scen_alt", lang, id=o.id, items=items),
                                     caption=t("report.scen_caption", lang, id=o.id, last=last),
                                     mark=synthetic_mark(res, lang)))
    return "\n".join(out)
