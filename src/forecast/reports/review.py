"""Sections of the data-review, commune and targets pages, as HTML strings (see :mod:`.notebook`).

Privacy: per-unit cells counting fewer than ``min_cell`` people (default 5) are hidden
(:func:`suppression`) and the page says so (:func:`privacy_html`).
"""

from __future__ import annotations

import re

import pandas as pd

from forecast import i18n
from forecast.domain.targets import load_targets
from forecast.reports import fmt, plots
from forecast.reports.blocks import (
    heading_html,
    list_html,
    paragraph_html,
    synthetic_mark,
    table_html,
    threshold_text,
    value,
)
from forecast.reports.suppression import masked, suppress

t = i18n.t


# ---------------------------------------------------------------------------
# data review
# ---------------------------------------------------------------------------
def coverage_html(res, lang: str) -> str:
    """The coverage heat map (units reporting each indicator by year)."""
    cov = res.coverage
    fig = plots.coverage_chart(cov, lang=lang, title=" ")
    years = list(cov.columns) or [res.as_of]
    return heading_html(t("report.coverage", lang)) + plots.figure_html(
        fig, alt=t("report.coverage_alt", lang, n=len(cov), y0=min(years), y1=max(years)),
        caption=t("report.coverage", lang), mark=synthetic_mark(res, lang))


def validation_html(res, lang: str) -> str:
    """What validation found: the count of input files, and any non-blocking notes (in ``lang``)."""
    n_data = sum(1 for k in res.files if k.startswith("dataset/"))
    parts = [heading_html(t("report.validation", lang)), paragraph_html(t("report.valid_ok", lang, n=n_data))]
    if res.warnings:
        parts += [paragraph_html(t("report.valid_warn", lang)),
                  list_html([i18n.translate_note(w, lang) for w in res.warnings[:50]])]
    return "\n".join(parts)


def breaks_html(res, lang: str) -> str:
    """Which targets have a series break and when."""
    by_year: dict[int, list[str]] = {}
    for o in res.targets:
        if o.break_year:
            by_year.setdefault(int(o.break_year), []).append(o.id)
    return heading_html(t("report.breaks", lang)) + "".join(
        paragraph_html(t("report.breaks_text", lang, y=y, ids=", ".join(ids))) for y, ids in sorted(by_year.items()))


def suppression(frame: pd.DataFrame, min_cell: int) -> tuple[pd.Series, pd.Series]:
    """Which count cells of a unit table to hide: ``(numerator_hidden, denominator_hidden)`` masks.

    The one rule of every output (:func:`forecast.reports.suppression.suppress`): small
    counts and small complements, then secondary cells so that no hidden cell can be
    recovered from the province's total; ``frame`` must hold the whole group (every
    unit of the year), not one unit's row.
    """
    hide = suppress(frame, min_cell)
    return hide["num_hidden"], hide["den_hidden"]


def privacy_html(lang: str, min_cell: int) -> str:
    """The page's statement about suppressed cells."""
    return paragraph_html(t("report.privacy", lang, n=min_cell), cls="privacy")


def short_unit_name(name: str) -> str:
    """A commune's name without its type word, for small panels (``Xã Thất Khê`` → ``Thất Khê``)."""
    name = str(name)
    for prefix, short in (("Xã ", ""), ("Phường ", "P. "), ("Thị trấn ", "TT. ")):
        if name.startswith(prefix):
            return short + name[len(prefix):]
    return name


def commune_multiples_html(res, target_id: str, lang: str, min_cell: int = 5) -> str:
    """Small multiples of one commune-level indicator, one panel per commune (small cells hidden)."""
    o = res.target(target_id)
    if o.units is None or not len(o.units):
        return ""
    names = dict(zip(res.communes["unit_code"], res.communes["name"], strict=False))
    units = masked(o.units, min_cell)  # the one rule, over every unit of each year
    data = units[units["unit_code"].isin(names)].copy()
    data["unit"] = data["unit_code"].map(names).map(short_unit_name)
    fig = plots.small_multiples(data, threshold=o.threshold, kind=o.kind, lang=lang, min_cell=min_cell)
    thr = threshold_text(o.threshold, lang)
    return heading_html(t("report.multiples", lang, id=o.id)) + plots.figure_html(
        fig, alt=t("report.multiples_alt", lang, n=data["unit"].nunique(), id=o.id, thr=thr),
        caption=t("report.multiples", lang, id=o.id) + ". " + t("report.privacy", lang, n=min_cell),
        mark=synthetic_mark(res, lang))


# ---------------------------------------------------------------------------
# one commune
# ---------------------------------------------------------------------------
def commune_name(res, unit_code: str) -> str:
    """The unit's name (its code when the registry has none)."""
    match = res.communes.loc[res.communes["unit_code"] == unit_code, "name"]
    return str(match.iloc[0]) if len(match) else str(unit_code)


def commune_title_text(res, unit_code: str, lang: str) -> str:
    """The heading of a commune's report."""
    return t("report.commune_title", lang, name=commune_name(res, unit_code), code=unit_code)


def commune_table_html(res, unit_code: str, lang: str, min_cell: int = 5) -> str:
    """The commune's shares in the as-of year beside the province and the target (small cells hidden)."""
    head = [t("report.col_id", lang), t("report.col_num", lang), t("report.col_den", lang),
            t("report.col_share", lang), t("report.col_province", lang), t("report.col_target", lang)]
    rows = []
    hidden = t("report.hidden", lang)
    for o in res.targets:
        if o.units is None:
            continue
        year = o.units[o.units["year"] == res.as_of]
        num_hidden, den_hidden = suppression(year, min_cell)  # over every unit: secondary cells
        here = (year["unit_code"] == unit_code).to_numpy()
        if not here.any():
            continue
        now, num_hidden, den_hidden = year[here], num_hidden[here], den_hidden[here]
        r = now.iloc[0]
        prov = o.series.loc[o.series["year"] == res.as_of, "value"] if len(o.series) else pd.Series(dtype=float)
        num = hidden if bool(num_hidden.iloc[0]) else fmt.number(r["numerator"], 0, lang)
        share = hidden if bool(num_hidden.iloc[0]) else value(r["value"], o.kind, lang)
        den = hidden if bool(den_hidden.iloc[0]) else fmt.number(r["denominator"], 0, lang)
        rows.append([o.id, num, den, share, value(prov.iloc[0] if len(prov) else None, o.kind, lang),
                     threshold_text(o.threshold, lang)])
    intro = paragraph_html(t("report.commune_intro", lang, year=res.as_of))
    if not rows:
        return intro + paragraph_html(t("report.commune_none", lang, year=res.as_of))
    return intro + table_html(head, rows, numeric={1, 2, 3, 4, 5})


def commune_chart_html(res, unit_code: str, lang: str, min_cell: int = 5) -> str:
    """The commune's indicators over the years, one small panel each (small cells hidden)."""
    parts = []
    for o in res.targets:
        if o.units is None or o.kind != "share":
            continue
        units = masked(o.units, min_cell)  # the one rule, over every unit of each year
        sub = units[units["unit_code"] == unit_code]
        if len(sub):
            parts.append(sub.assign(unit=f"{o.id} ({fmt.percent(o.threshold, 0, lang)})"))
    if not parts:
        return ""
    data = pd.concat(parts, ignore_index=True)
    fig = plots.small_multiples(data, threshold=None, kind="share", lang=lang, min_cell=min_cell, col_wrap=4)
    ids = ", ".join(dict.fromkeys(u.split(" ")[0] for u in data["unit"]))
    cap = t("report.commune_caption", lang, name=commune_name(res, unit_code), ids=ids, n=min_cell)
    return plots.figure_html(fig, alt=cap, caption=cap, mark=synthetic_mark(res, lang))


# ---------------------------------------------------------------------------
# the plan's targets
# ---------------------------------------------------------------------------
def clause_text(clause: str, lang: str) -> str:
    """Where a target stands in the plan (``II.1, gạch đầu dòng 2`` in ``data/targets.yml``), in ``lang``."""
    m = re.fullmatch(r"\s*(?P<section>[IVX]+(?:\.\d+)*),\s*gạch đầu dòng\s+(?P<n>\d+)\s*", str(clause))
    return t("report.clause", lang, **m.groupdict()) if m else str(clause)


def targets_table_html(lang: str = "vi") -> str:
    """The plan's targets T01–T11 as an HTML table (text escaped)."""
    head = [t("report.col_id", lang), t("report.col_target", lang), t("report.col_threshold", lang),
            t("report.col_year", lang), t("report.col_clause", lang)]
    rows = []
    for tg in load_targets():
        thr = (t("report.rising", lang) if tg.threshold is None else
               t("report.threshold_at_least", lang, thr=fmt.percent(tg.threshold / 100, 0, lang)))
        rows.append([tg.id, tg.text(lang), thr, str(tg.year), clause_text(tg.clause, lang)])
    return table_html(head, rows, cls="targets")
