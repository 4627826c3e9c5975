"""``so-lieu.xlsx``: the run's tables for Excel, one sheet per table, Vietnamese headers.

Sheets: the targets (the figures of ``summary.json``), the as-of year's counts by unit
(small cells hidden by :mod:`forecast.reports.suppression`: a hidden cell is empty and
flagged), when the run projected scenarios, the probability of each target by
scenario, what changed since the previous year's report set (every target's status and
probability in both years, as in the Word report's section I.3) and the training plan.
Shares and probabilities are stored as the fractions of ``summary.json`` and formatted as
percentages, so Excel computes with the real values. For a synthetic dataset every sheet's
name ends in "(tổng hợp)" and its first row says so, so a copied sheet keeps the flag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from forecast import atomic, i18n
from forecast.reports import exportdata, plangroups, planpage, yearchange
from forecast.reports.blocks import status_text
from forecast.reports.suppression import MIN_CELL

#: Excel number formats: a share or a probability, a pace, a headcount.
PERCENT = "0.0%"
PACE = "+0.00;-0.00;0.00"
#: A change in percentage points.
POINTS = "+0.0;-0.0;0.0"
COUNT = "#,##0"
#: Excel's limit on a sheet name.
SHEET_NAME_MAX = 31


def sheet_name(key: str, lang: str, synthetic: bool) -> str:
    """A sheet's name in ``lang``, ending in the synthetic flag for synthetic data (≤ 31 characters)."""
    name = i18n.t(f"export.sheet.{key}", lang)
    if synthetic:
        name += i18n.t("export.sheet.synthetic_suffix", lang)
    return name[:SHEET_NAME_MAX]


def _flag_row(ws: Worksheet, synthetic: bool, lang: str, title: str) -> None:
    flag = i18n.t("export.synthetic_cell" if synthetic else "export.real_cell", lang)
    ws.append([i18n.t("export.col.flag", lang), flag])
    ws["B1"].font = Font(bold=True, color="C00000" if synthetic else "000000")
    ws.append([title])
    ws.append([])


def _table(ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[object]],
           formats: Mapping[int, str]) -> None:
    """Append a header row and the rows; number formats by column index; widths to fit."""
    start = ws.max_row + 1
    ws.append(list(headers))
    for cell in ws[start]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in rows:
        ws.append([None if isinstance(v, float) and pd.isna(v) else v for v in r])
    for col, number_format in formats.items():
        for (cell,) in ws.iter_rows(min_row=start + 1, min_col=col + 1, max_col=col + 1):
            cell.number_format = number_format
    for i, h in enumerate(headers, start=1):
        longest = max([len(str(h)) // 2, *(len(str(r[i - 1] or "")) for r in rows)], default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)
    ws.freeze_panes = ws.cell(row=start + 1, column=1)


def _targets_sheet(ws: Worksheet, table: pd.DataFrame, lang: str) -> None:
    cols = exportdata.TARGET_COLUMNS
    rows = []
    for _, r in table.iterrows():
        rows.append([r[c] for c in cols])
    formats = {i: PERCENT for i, c in enumerate(cols) if c in (*exportdata.SHARE_COLUMNS, "p_meet")}
    formats.update({cols.index("required_pace"): PACE, cols.index("observed_pace"): PACE})
    _table(ws, [exportdata.header(c, lang) for c in cols], rows, formats)
    # T11 counts people, not a share: its cells are whole numbers
    for offset, (_, r) in enumerate(table.iterrows()):
        if r["kind"] == "count":
            row = ws.max_row - len(table) + 1 + offset
            for i, c in enumerate(cols):
                if c in exportdata.SHARE_COLUMNS:
                    ws.cell(row=row, column=i + 1).number_format = COUNT


def _units_sheet(ws: Worksheet, units: pd.DataFrame, lang: str, min_cell: int) -> None:
    cols = [*exportdata.UNIT_COLUMNS, "hidden"]
    hidden_word = i18n.t("report.hidden", lang)
    rows = [[*(r[c] for c in exportdata.UNIT_COLUMNS), hidden_word if (r["num_hidden"] or r["den_hidden"]) else ""]
            for _, r in units.iterrows()]
    _table(ws, [exportdata.header(c, lang) for c in cols], rows,
           {cols.index("numerator"): COUNT, cols.index("denominator"): COUNT, cols.index("share"): PERCENT})
    ws.append([])
    ws.append([i18n.t("export.units_note", lang, n=min_cell)])


def _scenarios_sheet(ws: Worksheet, data: Mapping, labels: Mapping[str, str], lang: str) -> None:
    names = list(data.get("scenarios") or [])
    rows = [[t["id"], *((t.get("scenario_p_meet") or {}).get(n) for n in names)] for t in data["targets"]]
    heads = [f"{i18n.t('export.scenario', lang)}: {labels.get(n) or n}" for n in names]
    _table(ws, [exportdata.header("id", lang), *heads], rows, {i + 1: PERCENT for i in range(len(names))})


def _plan_sheet(ws: Worksheet, plan: Mapping, names: Mapping[str, str], lang: str) -> None:
    """The costed training plan (``summary.json``'s ``plan``): places and cost in VND, by year, by unit."""
    t = i18n.t
    years = [str(y) for y in plan["years"]]
    head = [t("plan.col_programme", lang), *years, t("plan.col_unit_cost", lang), t("plan.col_cost_total", lang),
            t("plan.col_basis", lang)]
    rows = [[planpage.programme_name(pg, lang), *[int(n)] * len(years), plan["unit_costs"][pg]["vnd"],
             plan["cost_by_programme_vnd"][pg], planpage.basis_text(plan["unit_costs"][pg], lang)]
            for pg, n in plan["places_per_year"].items()]
    _table(ws, head, rows, {i: COUNT for i in range(1, len(years) + 3)})
    ws.append([])
    start = ws.max_row + 1
    ws.append([t("plan.col_year", lang), t("plan.col_participants", lang), t("plan.col_cost", lang)])
    for y in years:
        ws.append([int(y), round(sum(v[y] for v in plan["participants"].values())), plan["cost_by_year_vnd"][y]])
    ws.append([t("plan.total", lang), None, plan["cost_total_vnd"]])
    for _year, b, c in ws.iter_rows(min_row=start + 1, max_col=3):
        b.number_format = c.number_format = COUNT
    ws.append([])
    ws.append([t("plan.unit_alloc_heading", lang)])
    ws.append([t("plan.col_programme", lang), t("export.col.unit_code", lang), t("export.col.unit", lang),
               t("plan.col_places", lang)])
    for r in plan["allocation"]:
        if int(r["places_per_year"]) > 0:
            ws.append([planpage.programme_name(r["programme"], lang), r["unit"], names.get(r["unit"], r["unit"]),
                       int(r["places_per_year"])])
    ws.append([])
    for row in plangroups.sheet_rows(plan, lang):  # the places by population group (small parts hidden)
        ws.append(row)
    ws.append([])
    for sentence in [*planpage.plan_sentences(plan, lang), t("plan.unit_alloc_rule", lang)]:
        ws.append([sentence])


def _changes_sheet(ws: Worksheet, changes: Mapping | None, lang: str) -> None:
    """What changed since the previous report set: the section's sentences, then every target with
    both years' status and probability (fractions), the change in points, whether it moved and why
    (the rule of :mod:`forecast.verdict.yearchange`, as in the Word report's section I.3)."""
    parts = yearchange.section_parts(changes, lang)
    ws.append([next(part[1] for part in parts if part[0] == "para")])  # none / nothing moved / how many
    if not changes:
        return
    prev, cur = changes["previous_as_of"], changes["as_of"]
    absent = i18n.t("yearchange.absent", lang)
    rows = []
    for r in changes.get("targets") or []:
        before, after = r.get("change") != "added", r.get("change") != "removed"
        delta = r.get("delta_p")
        rows.append([r["target_id"],
                     status_text(r.get("status_from"), lang) if before else absent, r.get("p_from") if before else None,
                     status_text(r.get("status_to"), lang) if after else absent, r.get("p_to") if after else None,
                     None if delta is None else round(100 * float(delta), 1),
                     i18n.t("yearchange.yes" if r.get("moved") else "yearchange.no", lang),
                     yearchange.reason_text(r, lang) if r.get("moved") else ""])
    ws.append([])
    headers = [i18n.t("yearchange.col_target", lang),
               i18n.t("yearchange.col_status", lang, year=prev), i18n.t("yearchange.col_p", lang, year=prev),
               i18n.t("yearchange.col_status", lang, year=cur), i18n.t("yearchange.col_p", lang, year=cur),
               i18n.t("yearchange.col_delta_pp", lang), i18n.t("yearchange.col_moved", lang),
               i18n.t("yearchange.col_reason", lang)]
    _table(ws, headers, rows, {2: PERCENT, 4: PERCENT, 5: POINTS})
    ws.append([])
    for kind, *rest in parts:
        if kind == "note":
            ws.append([rest[0]])  # the rule


def workbook(data: Mapping, results, lang: str = "vi", min_cell: int = MIN_CELL) -> Workbook:
    """The workbook of a run (see the module's description).

    Parameters
    ----------
    data : mapping
        The content of ``summary.json``.
    results : RunResults
        The prepared results (target texts, unit rows).
    lang : str
        ``vi`` or ``en``.
    min_cell : int
        Smallest count shown in the per-unit sheet.
    """
    synthetic = bool(data.get("synthetic"))
    year = data["as_of"]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name("targets", lang, synthetic)
    _flag_row(ws, synthetic, lang, i18n.t("export.xlsx_title", lang, year=year))
    _targets_sheet(ws, exportdata.target_table(data, results, lang), lang)
    units = exportdata.unit_table(results, min_cell, year)
    if len(units):
        ws = wb.create_sheet(sheet_name("units", lang, synthetic))
        _flag_row(ws, synthetic, lang, i18n.t("export.annex2", lang, year=year))
        _units_sheet(ws, units, lang, min_cell)
    if data.get("scenarios"):
        ws = wb.create_sheet(sheet_name("scenarios", lang, synthetic))
        _flag_row(ws, synthetic, lang, i18n.t("export.col.p_meet", lang))
        labels = {s["name"]: s.get("label") for s in (results.scenarios or [])}
        _scenarios_sheet(ws, data, labels, lang)
    ws = wb.create_sheet(sheet_name("changes", lang, synthetic))
    _flag_row(ws, synthetic, lang, i18n.t("yearchange.heading", lang))
    _changes_sheet(ws, data.get("changes_since_previous"), lang)
    if data.get("plan"):
        ws = wb.create_sheet(sheet_name("plan", lang, synthetic))
        _flag_row(ws, synthetic, lang, i18n.t("plan.heading", lang))
        communes = getattr(results, "communes", None)
        names = ({} if communes is None or not len(communes) else
                 dict(zip(communes["unit_code"].astype(str), communes["name"].astype(str), strict=False)))
        _plan_sheet(ws, data["plan"], names, lang)
    return wb


def write_xlsx(path: Path, data: Mapping, results, lang: str = "vi", min_cell: int = MIN_CELL) -> Path:
    """Write ``so-lieu.xlsx`` atomically; return its path."""
    wb = workbook(data, results, lang, min_cell)
    return atomic.write_with(Path(path), wb.save)
