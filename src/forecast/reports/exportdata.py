"""The tables the Department's exports share (``so-lieu.xlsx``, ``bao-cao.docx``, ``tom-tat.pdf``).

The per-target table holds ``summary.json``'s figures unchanged (shares as fractions in
[0, 1], paces in percentage points a year) beside their Vietnamese words; the per-unit
table is the as-of year's counts by unit with small cells hidden by the one rule of
:mod:`forecast.reports.suppression`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from forecast import i18n
from forecast.reports import fmt
from forecast.reports.blocks import status_label, threshold_text, value, what_it_takes
from forecast.reports.suppression import MIN_CELL, masked

#: Columns of the per-target table, in order; values as in ``summary.json``.
TARGET_COLUMNS = ("id", "text", "threshold", "latest_year", "latest_value", "median_2030", "lo80_2030",
                  "hi80_2030", "p_meet", "status", "required_pace", "observed_pace", "action")
#: Columns holding a share in [0, 1] (a percentage in a spreadsheet) for share targets.
SHARE_COLUMNS = ("threshold", "latest_value", "median_2030", "lo80_2030", "hi80_2030")
#: Columns of the per-unit table.
UNIT_COLUMNS = ("id", "unit_code", "unit", "year", "numerator", "denominator", "share")


def target_table(data: Mapping, results, lang: str) -> pd.DataFrame:
    """One row per target: the figures of ``summary.json`` and, in words, the status and the action.

    Parameters
    ----------
    data : mapping
        The content of ``summary.json`` (:func:`forecast.reports.html.summary`).
    results : RunResults
        The run's prepared results (target texts and the action sentence).
    lang : str
        ``vi`` or ``en``.
    """
    rows = []
    for row in data["targets"]:
        o = results.target(row["id"])
        rows.append({"id": row["id"], "text": o.text.get(lang) or o.text.get("vi"),
                     "threshold": row.get("threshold"), "latest_year": row.get("latest_year"),
                     "latest_value": row.get("latest_value"), "median_2030": row.get("median_2030"),
                     "lo80_2030": row.get("lo80_2030"), "hi80_2030": row.get("hi80_2030"),
                     "p_meet": row.get("p_meet"), "status": status_label(row.get("status"), lang),
                     "required_pace": row.get("required_pace"), "observed_pace": row.get("observed_pace"),
                     "action": what_it_takes(o, lang), "kind": o.kind, "status_code": row.get("status")})
    return pd.DataFrame(rows)


def unit_table(results, min_cell: int = MIN_CELL, year: int | None = None) -> pd.DataFrame:
    """The as-of year's counts by unit for every target with unit rows; hidden cells are missing.

    Suppression runs over every unit of each target and year (the group that adds up to
    the province's published total), then the year is selected.
    """
    year = results.as_of if year is None else year
    names = dict(zip(results.communes["unit_code"], results.communes["name"], strict=False))
    parts = []
    for o in results.targets:
        if o.units is None or not len(o.units):
            continue
        m = masked(o.units, min_cell)
        m = m[m["year"] == year]
        parts.append(pd.DataFrame({"id": o.id, "unit_code": m["unit_code"].astype(str),
                                   "unit": m["unit_code"].map(names).fillna(m["unit_code"]).astype(str),
                                   "year": m["year"].astype(int), "numerator": m["numerator"],
                                   "denominator": m["denominator"], "share": m["value"],
                                   "num_hidden": m["num_hidden"], "den_hidden": m["den_hidden"]}))
    if not parts:
        return pd.DataFrame(columns=[*UNIT_COLUMNS, "num_hidden", "den_hidden"])
    return pd.concat(parts, ignore_index=True)


def header(column: str, lang: str) -> str:
    """A column's header in ``lang``."""
    return i18n.t(f"export.col.{column}", lang)


def text_cell(column: str, row: Mapping, lang: str) -> str:
    """A per-target cell as text (``95,1%``, ``+1,2 điểm phần trăm/năm``, ``–`` when missing)."""
    v = row.get(column)
    if isinstance(v, float) and np.isnan(v):
        v = None  # a DataFrame row holds NaN where summary.json holds null
    kind = row.get("kind", "share")
    if column == "threshold":
        return threshold_text(v, lang)
    if column in SHARE_COLUMNS:
        return value(v, kind, lang)
    if column == "p_meet":
        return fmt.probability(v, lang)
    if column in ("required_pace", "observed_pace"):
        return fmt.points(v, 1, lang)
    if column == "latest_year":
        return fmt.MISSING if v is None or (isinstance(v, float) and np.isnan(v)) else str(int(v))
    return fmt.MISSING if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def unit_cell(column: str, row: Mapping, lang: str) -> str:
    """A per-unit cell as text: the word for "hidden" in a hidden cell, empty when missing."""
    v = row.get(column)
    if (column in ("numerator", "share") and row.get("num_hidden")) or (column == "denominator"
                                                                          and row.get("den_hidden")):
        return i18n.t("report.hidden", lang)
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if column == "share":
        return fmt.percent(v, 1, lang)
    if column in ("numerator", "denominator"):
        return fmt.number(v, 0, lang)
    return str(v)
