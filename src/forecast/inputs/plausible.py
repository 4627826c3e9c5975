"""Plausibility limits: headcounts a unit can hold, and ages a person in post can have.

Every number of an input may be well formed and still absurd: one commune at 1e6 of 1e6
makes the province's share read as that commune's. The limits below are stated, generous
ceilings (several times what Lạng Sơn's units employ), so a value past one is a typing
error, a misplaced total or a probe, reported at its file, row and column:

- a headcount of one unit is at most :data:`MAX_STAFF` for the unit's level (commune,
  district, province and its agencies);
- an indicator's population in a unit and year is part of the unit's whole staff, which
  is T09's population ("all cadres, civil servants and public employees"): no
  denominator (and no T11 count) may exceed T09's denominator of the same unit and year;
- a person in a roster is :data:`MIN_AGE`–:data:`MAX_AGE` years old at the snapshot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.inputs.tables import Problem, Table

#: Largest headcount of one unit, by level. Lạng Sơn employs a few tens of thousands in all;
#: a commune-level unit some tens of cadres and civil servants and, since the communes took
#: over the schools in July 2025, some hundreds of public employees; a district some thousands.
#: Each ceiling is several times the largest real unit.
MAX_STAFF = {"xa": 5_000, "huyen": 15_000, "tinh": 100_000}
#: The indicator whose population is a unit's whole staff (and its parts, T09a–c).
WHOLE_STAFF = "T09"
#: Youngest and oldest plausible age (years) of a person on a roster at its snapshot.
MIN_AGE, MAX_AGE = 15, 80
_LEVEL_WORDS = {"xa": "a commune-level unit", "huyen": "a district-level unit", "tinh": "a province-level unit"}


def headcount_problems(table: Table, indicator: pd.Series, unit: pd.Series, year: pd.Series, level: pd.Series,
                       numerator: pd.Series, denominator: pd.Series) -> tuple[list[Problem], np.ndarray]:
    """Counts past the ceilings of this module, located at their cells.

    Parameters
    ----------
    table : Table
        The observations table (for locations).
    indicator, unit, year : Series
        Normalised indicator ids, unit codes and years of each row.
    level : Series
        The unit's level on 31 October of the year (``xa``, ``huyen``, ``tinh``; NaN when unknown).
    numerator, denominator : Series
        Parsed counts (NaN where empty or already reported as bad).

    Returns
    -------
    (problems, bad)
        Every problem, and a mask of the rows that have one.
    """
    problems: list[Problem] = []
    cap = level.map(MAX_STAFF).astype(float)
    what = level.map(_LEVEL_WORDS)
    bad = np.zeros(len(indicator), bool)
    for col, values in (("numerator", numerator), ("denominator", denominator)):
        over = (values > cap).to_numpy()  # NaN (unknown level or no count) compares False
        problems += table.at(over, col, col + " {v} is implausible for {w}, which cannot employ more than {m} "
                             "people: check for a typing error or a total put on a unit's row",
                             v=values.map("{:,.0f}".format), w=what, m=cap.map("{:,.0f}".format))
        bad |= over
    # The whole staff of each unit and year, where T09's denominator gives it.
    whole_rows = (indicator == WHOLE_STAFF) & denominator.notna()
    staff = pd.DataFrame({"unit": unit[whole_rows], "year": year[whole_rows], "staff": denominator[whole_rows],
                          "row": table.rows[whole_rows.to_numpy()]}).drop_duplicates(["unit", "year"])
    if len(staff):
        keys = pd.DataFrame({"unit": unit, "year": year})
        known = keys.merge(staff, on=["unit", "year"], how="left")
        whole, row = known["staff"].to_numpy(), known["row"].to_numpy()
        part = ~indicator.str.startswith(WHOLE_STAFF).to_numpy()
        # T11 is a count of people (its numerator); the others' populations are their denominators.
        population = np.where(denominator.notna(), denominator.to_numpy(), numerator.to_numpy())
        above = part & ~bad & (population > whole)  # NaN: no whole staff known, nothing compared
        column = np.where(denominator.notna().to_numpy(), "denominator", "numerator")
        for col in ("denominator", "numerator"):
            mask = above & (column == col)
            problems += table.at(mask, col, col + " {v} is more than the unit's whole staff in {y}, {s} (T09's "
                                 "denominator on row {r}): a part of the staff cannot outnumber it",
                                 v=pd.Series(population).map("{:,.0f}".format), y=year.astype("Int64"),
                                 s=pd.Series(whole).map(lambda x: "" if pd.isna(x) else f"{x:,.0f}"),
                                 r=pd.Series(row).map(lambda x: "" if pd.isna(x) else f"{x:.0f}"))
        bad |= above
    return problems, bad


def return_staff_problems(shown: str, groups: dict, staff: float, level: str, unit_code: str) -> list[Problem]:
    """A return's whole headcount against its unit's ceiling, located at the cells to check.

    Parameters
    ----------
    shown : str
        The return's file name as the user gave it.
    groups : dict
        ``{group number: (sheet, {row code: counts})}`` as the return reader holds them; each
        counts dict carries its ``total``, its row (``_row``) and the total's column (``_column``).
    staff : float
        The return's whole staff (T09's population: every group's total).
    level : str
        The unit's level (``xa``, ``huyen``, ``tinh``).
    unit_code : str
        For the message.

    Returns
    -------
    list of Problem
        Empty within the ceiling. Past it: every row whose own total passes the ceiling, at its
        'Tổng số (người)' cell; if no single row does, the largest row's cell, with the sum.
    """
    cap = MAX_STAFF.get(str(level))
    if cap is None or not staff > cap:
        return []
    cells = [(c["total"], sheet, c["_row"], c["_column"]) for sheet, rows in groups.values()
             for c in rows.values() if c.get("total") is not None and "_row" in c]
    head = (f"the return counts {staff:,.0f} people, implausible for {_LEVEL_WORDS.get(str(level), str(level))} "
            f"({unit_code}), which cannot employ more than {cap:,} people (forecast.inputs.plausible)")
    over = [c for c in cells if c[0] > cap]
    if not over and cells:
        over = [max(cells, key=lambda c: c[0])]
    if not over:
        return [Problem(shown, None, None, None, head)]
    return [Problem(shown, sheet, row, column, f"{head}; this row's total is {total:,.0f}: check it for a typing "
                    "error or a total of several units") for total, sheet, row, column in over]


def age_bounds(year: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The earliest and latest plausible birth year of a person on the roster of ``year``."""
    return year - MAX_AGE, year - MIN_AGE
