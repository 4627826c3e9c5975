"""The plan's places by population group in the reports: small parts hidden, tables for every output.

:func:`forecast.plan.groups.places_by_group` splits each programme's yearly places over the
population groups (measured on the verified plan's simulated enrolments). Before any of it
leaves the workbench, :func:`suppressed` hides the small parts. A programme's places in a year
are published (the plan's table), and its groups' parts add up to them, so the rule is that of
:mod:`forecast.reports.suppression` for parts of a published total:

1. *Primary.* A part of 1 to ``min_cell − 1`` places is hidden.
2. *Secondary.* While the hidden parts of a programme and year are a single one, or add up to
   fewer than ``min_cell`` places (the published total minus the shown parts gives them back),
   the smallest shown part is hidden too (a part of 0 last); with none left, all are hidden.

Zero parts are shown (a group the programme's places do not reach says nothing about anyone).
The summary block, the pages, the workbooks, the report and ``forecast plan --json`` all take
the parts from :func:`suppressed`; no share or simulated mean of a hidden part is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from forecast import i18n
from forecast.reports import fmt
from forecast.reports.blocks import heading_html, paragraph_html, table_html
from forecast.reports.suppression import MIN_CELL, hide_parts

t = i18n.t


#: Which parts of a published total to hide: the report-wide rule (:func:`forecast.reports.suppression.hide_parts`).
hide_small_parts = hide_parts


def suppressed(rows: Sequence[Mapping], min_cell: int = MIN_CELL) -> list[dict]:
    """The places-by-group rows fit to publish: ``programme``, ``year``, ``group``, ``places`` (None when
    hidden) and ``hidden``; within each programme and year the rule of :func:`hide_small_parts`."""
    by_key: dict[tuple, list[Mapping]] = {}
    for r in rows:
        by_key.setdefault((r["programme"], int(r["year"])), []).append(r)
    out = []
    for (pg, year), part in by_key.items():
        hidden = hide_small_parts([float(r["places"]) for r in part], min_cell)
        out += [{"programme": pg, "year": year, "group": r["group"], "places": None if h else int(r["places"]),
                 "hidden": bool(h)} for r, h in zip(part, hidden, strict=True)]
    return out


def group_name(code: str, lang: str) -> str:
    """A population group's name in the report language (its code when the catalogue has none)."""
    key = f"plan.group.{code}"
    return t(key, lang) if i18n.has(key) else code.replace("_", " ")


def programme_name(code: str, lang: str) -> str:
    """A programme's name in the report language (its code when the catalogue has none)."""
    key = f"plan.programme.{code}"
    return t(key, lang) if i18n.has(key) else code.replace("_", " ")


def group_rows(plan: Mapping) -> list[tuple[str, str, dict]]:
    """``(programme, group, {year: places or None})`` in the order of the rows, groups with some place only."""
    table: dict[tuple[str, str], dict] = {}
    for r in plan.get("places_by_group") or []:
        table.setdefault((r["programme"], r["group"]), {})[int(r["year"])] = r["places"]
    return [(pg, g, by_year) for (pg, g), by_year in table.items()
            if any(v is None or v > 0 for v in by_year.values())]


def groups_table(plan: Mapping, lang: str) -> tuple[list[str], list[list[str]]]:
    """Head and rows: programme, population group, places each year (hidden parts say so)."""
    years = [int(y) for y in plan["years"]]
    head = [t("plan.col_programme", lang), t("plan.col_group", lang), *[str(y) for y in years]]
    hidden = t("report.hidden", lang)
    rows = [[programme_name(pg, lang), group_name(g, lang),
             *[hidden if by_year.get(y, 0) is None else fmt.number(by_year.get(y, 0), 0, lang) for y in years]]
            for pg, g, by_year in group_rows(plan)]
    return head, rows


def notes(lang: str, min_cell: int = MIN_CELL) -> list[str]:
    """How the split is measured, and which parts are hidden."""
    return [t("plan.groups_intro", lang), t("plan.groups_hidden", lang, n=min_cell)]


def groups_html(plan: Mapping, lang: str) -> str:
    """The summary's table "Chỉ tiêu theo nhóm đối tượng" (empty when the plan has no split)."""
    head, rows = groups_table(plan, lang)
    if not rows:
        return ""
    intro, hidden = notes(lang)
    return "\n".join([heading_html(t("plan.groups_heading", lang), 3), paragraph_html(intro),
                      table_html(head, rows, numeric=set(range(2, len(head))), cls="plan-groups",
                                 caption=t("plan.groups_heading", lang)),
                      paragraph_html(hidden, cls="meta")])


def sheet_rows(plan: Mapping, lang: str) -> list[list]:
    """The table for a workbook: the heading, the head and a row per programme and group (numbers as
    numbers, hidden parts as the word), then the notes."""
    years = [int(y) for y in plan["years"]]
    hidden = t("report.hidden", lang)
    out: list[list] = [[t("plan.groups_heading", lang)], groups_table(plan, lang)[0]]
    out += [[programme_name(pg, lang), group_name(g, lang),
             *[hidden if by_year.get(y, 0) is None else int(by_year.get(y, 0)) for y in years]]
            for pg, g, by_year in group_rows(plan)]
    out += [[s] for s in notes(lang)]
    return out
