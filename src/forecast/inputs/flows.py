"""``flows.csv``: the yearly stocks and flows of staff the stock-flow baseline learns from.

One row per year, category, level and flow, with a headcount (an older wide layout,
``year`` and one column of counts per flow, is read too, with the same checks of years
and counts)::

    year,category,level,flow,count
    2024,cong_chuc,xa,headcount,1520
    2024,cong_chuc,xa,exit_huu,41

Flows are stocks (``headcount``, ``university``, ``masters``, ``leaders_so``, ``leaders_phong``)
or movements (``hires``, ``exit_<reason>``, ``transfer_in``/``transfer_out``, ``promoted_<post>``,
``upgrade_<what>``). They are checked like observations, every problem located: the
columns, years in range, known codes, counts that are whole non-negative numbers below
:data:`MAX_COUNT`, one row per key, stocks within their headcount, a year's exits within
the staff there was to leave, and, when the folder has a roster, a headcount in the
roster's year close to the roster's own count.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from forecast.domain import vocabulary
from forecast.inputs.observations import MIN_YEAR, max_year
from forecast.inputs.tables import Problem, Table, parse_numbers

FLOW_COLUMNS = ("year", "category", "level", "flow", "count")
#: Stocks: people present on the reporting date (the other flows are movements during the year).
STOCKS = ("headcount", "university", "masters", "leaders_so", "leaders_phong")
#: Names a flow may have.
FLOW_NAME = re.compile(r"^(headcount|university|masters|leaders_(so|phong)|hires|exit_[a-z0-9_]+|"
                       r"transfer_(in|out)|promoted_[a-z0-9_]+|upgrade_[a-z0-9_]+)$")
#: Largest count of one row: the whole province employs a few tens of thousands.
MAX_COUNT = 1_000_000
#: How far a flows headcount may stray from the roster's count of the same year and group.
ROSTER_TOLERANCE = 0.5


def check_flows(table: Table, roster: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check ``flows.csv`` and return it typed (``year`` and ``count`` numeric).

    Parameters
    ----------
    table : Table
        The file as read by :func:`forecast.inputs.tables.read_text_table`.
    roster : DataFrame, optional
        The folder's checked roster (``year``, ``category``, ``level``), for the headcount check.

    Returns
    -------
    (frame, problems)
    """
    df = table.frame
    if "flow" not in df.columns and "count" not in df.columns and "year" in df.columns:
        return _check_wide(table)
    missing = [c for c in FLOW_COLUMNS if c not in df.columns]
    if missing:
        return df, [table.whole(f"missing required column '{c}'", column=c, row=1) for c in missing]
    problems: list[Problem] = []
    years, ybad, ymsg = parse_numbers(df["year"])
    problems += table.at(ybad, "year", ymsg)
    bad_year = ~ybad & (years.isna() | (years % 1 != 0) | (years < MIN_YEAR) | (years > max_year()))
    problems += table.at(bad_year, "year", f"year {{y}} is empty or outside {MIN_YEAR}–{max_year()}",
                         y=df["year"])
    for column, known in (("category", vocabulary.CATEGORIES), ("level", vocabulary.LEVELS)):
        unknown = ~df[column].isin(known)
        problems += table.at(unknown, column, f"'{{v}}' is not one of {', '.join(known)}", v=df[column])
    bad_flow = ~df["flow"].map(lambda f: bool(FLOW_NAME.match(f)))
    problems += table.at(bad_flow, "flow", "unknown flow '{v}' (headcount, university, masters, leaders_so, "
                         "leaders_phong, hires, exit_<reason>, transfer_in, transfer_out, promoted_<post>, "
                         "upgrade_<what>)", v=df["flow"])
    counts, cbad, cmsg = parse_numbers(df["count"], limit=MAX_COUNT)
    problems += table.at(cbad, "count", cmsg)
    problems += table.at(~cbad & counts.isna(), "count", "count is empty")
    problems += table.at(counts < 0, "count", "a count of people cannot be negative ({v})", v=df["count"])
    problems += table.at((counts >= 0) & (counts % 1 != 0), "count", "'{v}' is not a whole number of people",
                         v=df["count"])
    out = df.copy()
    out["year"] = years
    out["count"] = counts
    key = ["year", "category", "level", "flow"]
    dup = out.duplicated(key, keep="first") & out["year"].notna()
    if dup.any():
        first = out.reset_index().groupby(key, dropna=False)["index"].transform("first").to_numpy()
        problems += table.at(dup, "flow", "a second row for ({y}, {c}, {lv}, {f}): first given on row {r}",
                             y=df["year"], c=df["category"], lv=df["level"], f=df["flow"],
                             r=pd.Series(table.rows[first]))
    if problems:
        return out, problems
    problems += _consistency(table, out)
    if roster is not None:
        problems += _against_roster(table, out, roster)
    return out, problems


def _check_wide(table: Table) -> tuple[pd.DataFrame, list[Problem]]:
    """The older wide layout (``year[,category,level],hires,exits,…``): years, codes, and counts in
    every other column."""
    df = table.frame
    years, ybad, ymsg = parse_numbers(df["year"])
    problems = table.at(ybad, "year", ymsg)
    problems += table.at(~ybad & (years.isna() | (years % 1 != 0) | (years < MIN_YEAR) | (years > max_year())),
                         "year", f"year {{y}} is empty or outside {MIN_YEAR}–{max_year()}", y=df["year"])
    out = df.copy()
    out["year"] = years
    for column, known in (("category", vocabulary.CATEGORIES), ("level", vocabulary.LEVELS)):
        if column in df.columns:
            problems += table.at(~df[column].isin(known), column, f"'{{v}}' is not one of {', '.join(known)}",
                                 v=df[column])
    for column in df.columns.drop(["year", *({"category", "level"} & set(df.columns))]):
        counts, cbad, cmsg = parse_numbers(df[column], limit=MAX_COUNT)
        problems += table.at(cbad, column, cmsg)
        problems += table.at(counts < 0, column, "a count of people cannot be negative ({v})", v=df[column])
        problems += table.at((counts >= 0) & (counts % 1 != 0), column, "'{v}' is not a whole number of people",
                             v=df[column])
        out[column] = counts
    return out, problems


def _consistency(table: Table, flows: pd.DataFrame) -> list[Problem]:
    """Stocks within the headcount; a year's exits within the staff there was to leave."""
    group = ["year", "category", "level"]
    wide = flows.pivot_table(index=group, columns="flow", values="count", aggfunc="sum")
    head = flows[group].merge(wide.get("headcount", pd.Series(dtype=float)).rename("_head"),
                              left_on=group, right_index=True, how="left")["_head"].to_numpy()
    is_stock = flows["flow"].isin(STOCKS) & (flows["flow"] != "headcount")
    over = is_stock.to_numpy() & (flows["count"].to_numpy() > head)
    problems = table.at(over, "count", "{f} {n:g} is more than the headcount {h:g} of the same year and group",
                        f=flows["flow"], n=flows["count"], h=pd.Series(head))
    # exits of year t leave the staff of year t − 1 plus that year's hires
    exits = flows["flow"].str.startswith("exit_") | (flows["flow"] == "transfer_out")
    total_exits = flows[exits].groupby(group)["count"].sum()
    before = wide.get("headcount", pd.Series(dtype=float)).rename("before")
    before.index = before.index.set_levels(before.index.levels[0] + 1, level=0) if len(before) else before.index
    hires = wide.get("hires", pd.Series(dtype=float))
    room = before.add(hires.reindex(before.index).fillna(0.0), fill_value=0.0)
    excess = (total_exits - room.reindex(total_exits.index)).dropna()
    excess = excess[excess > 0]
    if len(excess):
        where = flows.set_index(group).index.isin(excess.index) & (flows["flow"] == "headcount").to_numpy()
        problems += table.at(where, "count", "the year's exits add up to more than the previous year's "
                             "headcount plus the year's hires")
    return problems


def _against_roster(table: Table, flows: pd.DataFrame, roster: pd.DataFrame) -> list[Problem]:
    """The headcount in the roster's year against the roster's own count, by category and level."""
    if not {"year", "category", "level"} <= set(roster.columns) or roster.empty:
        return []
    counted = roster.groupby(["year", "category", "level"]).size().rename("roster")
    head = flows[flows["flow"] == "headcount"].set_index(["year", "category", "level"])["count"]
    both = pd.concat([head.rename("flows"), counted], axis=1, join="inner")
    far = both[(both["flows"] - both["roster"]).abs() > ROSTER_TOLERANCE * both["roster"]]
    if far.empty:
        return []
    keys = flows.set_index(["year", "category", "level"]).index
    mask = keys.isin(far.index) & (flows["flow"] == "headcount").to_numpy()
    roster_n = np.array([far["roster"].get(k, np.nan) for k in keys], dtype=float)
    return table.at(mask, "count", "headcount {n:g} is far from the roster's {r:g} people of the same year "
                    "and group", n=flows["count"], r=pd.Series(roster_n))
