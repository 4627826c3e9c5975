"""The staff roster (one row per person) and its aggregation into observations.

A roster is the Department of Home Affairs' list of cadres (cán bộ), civil servants
(công chức) and public employees (viên chức) as of 31 October of its ``year``. Persons
are pseudonymous (``person_id``); no names are needed. Fields and codes are listed in
:data:`ROSTER_COLUMNS` and :data:`ENUMS` (docs/architecture.md, "Roster").

The skill fields ``foreign_language``, ``it_skill`` and ``standard_training`` are 0/1:
whether the person meets the requirement of their grade, title and job position
(Plan 165/KH-UBND target T09); ``standardised`` is 0/1 for commune-level cadres
standardised in expertise, state management and work skills (T10).

:func:`aggregate` turns a roster into the same observations table the annual returns
give, by unit and year, with the target definitions of docs/architecture.md.
Province totals are not added: :func:`forecast.inputs.observations.series` sums units.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecast.domain import definitions, posts, retirement, vocabulary
from forecast.inputs import units as units_mod
from forecast.inputs.observations import OBS_COLUMNS, _typed
from forecast.inputs.tables import (
    Problem,
    Table,
    ValidationError,
    parse_numbers,
    per_distinct,
    raise_if,
    read_text_table,
    slug_series,
)

ROSTER_COLUMNS = [
    "person_id", "birth_year", "birth_month", "sex", "category", "level", "unit_code", "leader",
    "key_cadre", "in_pool", "education", "field", "political_theory", "state_mgmt", "foreign_language",
    "it_skill", "standard_training", "standardised", "hire_date", "exit_date", "exit_reason", "year",
]
#: Columns that may be absent (``birth_month`` defaults to unknown; dates to empty).
OPTIONAL = ("birth_month", "hire_date", "exit_date", "exit_reason")
FLAG_COLUMNS = vocabulary.FLAG_COLUMNS
DATE_COLUMNS = ("hire_date", "exit_date")

# The codes, the words people type for them and the yes/no words: forecast.domain.vocabulary.
ENUMS = vocabulary.ENUMS
ALIASES = vocabulary.ALIASES
TRUE_WORDS = vocabulary.YES_WORDS
FALSE_WORDS = vocabulary.NO_WORDS
UNIVERSITY_PLUS = vocabulary.UNIVERSITY_PLUS
POSTGRAD = vocabulary.POSTGRAD
MIN_HIRE_AGE = 18


@per_distinct  # once per distinct date: a big roster repeats them
def _parse_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO (2020-03-15) or Vietnamese day-first (15/03/2020) dates; returns (dates, bad mask)."""
    t = s.fillna("").astype(str).str.strip().str.replace(r"\s00:00:00$", "", regex=True)
    iso = pd.to_datetime(t, format="%Y-%m-%d", errors="coerce")
    dmy = pd.to_datetime(t, format="%d/%m/%Y", errors="coerce")
    d = iso.fillna(dmy)
    return d, (t != "") & d.isna()


def check_roster(table: Table) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a roster table and return the clean, typed frame.

    Rules: required columns present (named); ``person_id`` filled and unique per
    snapshot year; ``birth_year`` (or ``birth_date``) plausible; codes in :data:`ENUMS`
    (Vietnamese words accepted, e.g. "Cán bộ", "Nữ"); flags 0/1; unit known and valid
    on 31 October of the year, at the stated level; dates readable; born before hired
    and at least 18 at hire; exit after hire, with a reason; ``key_cadre`` only for
    commune-level cadres; a person still in post is not above the statutory retirement
    age at the snapshot (Decree 135/2020, :mod:`forecast.domain.retirement`).

    Returns
    -------
    (frame, problems)
        The frame has :data:`ROSTER_COLUMNS` with typed values (rows with problems kept
        out); ``problems`` lists every problem found.
    """

    df = table.frame.copy()
    problems: list[Problem] = []
    if "birth_date" in df.columns and "birth_year" not in df.columns:
        bd, bbad = _parse_dates(df["birth_date"])
        problems += table.at(bbad, "birth_date", "'{v}' is not a date (use 1980-05-31 or 31/05/1980)",
                             v=df["birth_date"])
        df["birth_year"] = bd.dt.year.astype("Int64").astype(str).replace("<NA>", "")
        df["birth_month"] = bd.dt.month.astype("Int64").astype(str).replace("<NA>", "")
    required = [c for c in ROSTER_COLUMNS if c not in OPTIONAL]
    missing = [c for c in required if c not in df.columns]
    for c in missing:
        problems.append(table.whole(f"missing required column '{c}'", column=c, row=1))
    if missing:
        return pd.DataFrame(columns=ROSTER_COLUMNS), problems
    for c in OPTIONAL:
        if c not in df.columns:
            df[c] = ""
    n = len(df)
    bad = np.zeros(n, bool)
    out = pd.DataFrame(index=df.index)

    pid = df["person_id"].str.strip()
    problems += table.at(pid == "", "person_id", "person_id is empty")
    bad |= (pid == "").to_numpy()
    out["person_id"] = pid

    year, ybad, ymsg = parse_numbers(df["year"])
    problems += table.at(ybad, "year", ymsg)
    yout = ~ybad & (year.isna() | (year % 1 != 0) | (year < 2000) | (year > 2100))
    problems += table.at(yout, "year", "snapshot year '{v}' is missing or not a year", v=df["year"])
    bad |= (ybad | yout).to_numpy()
    out["year"] = year

    by, bybad, bymsg = parse_numbers(df["birth_year"])
    problems += table.at(bybad, "birth_year", bymsg)
    byout = ~bybad & (by.isna() | (by % 1 != 0) | (by < 1930) | (by > year - 15))
    problems += table.at(byout, "birth_year", "birth year '{v}' is missing or implausible",
                         v=df["birth_year"])
    bm, bmbad, bmmsg = parse_numbers(df["birth_month"])
    problems += table.at(bmbad, "birth_month", bmmsg)
    bmout = bm.notna() & ((bm < 1) | (bm > 12) | (bm % 1 != 0))
    problems += table.at(bmout, "birth_month", "birth month must be 1–12")
    bad |= (bybad | byout | bmbad | bmout).to_numpy()
    out["birth_year"] = by
    out["birth_month"] = bm

    for col, allowed in ENUMS.items():
        if col == "exit_reason":
            continue
        s = slug_series(df[col]).replace(ALIASES.get(col, {}))
        wrong = ~s.isin(allowed)
        problems += table.at(wrong, col, "'{v}' is not one of " + ", ".join(allowed), v=df[col])
        bad |= wrong.to_numpy()
        out[col] = s

    for col in FLAG_COLUMNS:
        yes, recognised = vocabulary.yes_no(df[col])
        ok = pd.Series(recognised, index=df.index)
        problems += table.at(~ok, col, "'{v}' is not 0 or 1", v=df[col])
        bad |= ~recognised
        out[col] = pd.Series(yes, index=df.index).astype("int64")

    code = units_mod.normalise_codes(df["unit_code"])
    res = units_mod.resolve_codes(code, year.where(~(ybad | yout)))
    unknown = ~res["known"]
    problems += table.at(unknown, "unit_code", "unknown unit '{v}' (see data/units.csv)", v=code)
    invalid = res["known"] & ~res["valid"] & ~(ybad | yout)
    problems += table.at(invalid, "unit_code", "unit '{v}' did not exist on 31 October of the snapshot year",
                         v=code)
    mislevel = res["valid"] & (code != units_mod.config.PROVINCE_CODE) & (res["level"] != out["level"]) & \
        out["level"].isin(ENUMS["level"])
    problems += table.at(mislevel, "level", "level '{v}' but unit {u} is at level '{w}'",
                         v=out["level"], u=code, w=res["level"])
    bad |= (unknown | invalid | mislevel).to_numpy()
    out["unit_code"] = code

    key_wrong = (out["key_cadre"] == 1) & ~((out["level"] == "xa") & (out["category"] == "can_bo"))
    problems += table.at(key_wrong, "key_cadre", "key_cadre = 1 is only for commune-level cadres (can_bo, xa)")
    bad |= key_wrong.to_numpy()

    hire, hbad = _parse_dates(df["hire_date"])
    exit_, ebad = _parse_dates(df["exit_date"])
    problems += table.at(hbad, "hire_date", "'{v}' is not a date (use 2010-09-01 or 01/09/2010)",
                         v=df["hire_date"])
    problems += table.at(ebad, "exit_date", "'{v}' is not a date (use 2010-09-01 or 01/09/2010)",
                         v=df["exit_date"])
    bad |= (hbad | ebad).to_numpy()
    birth_idx = by * 12 + (bm.fillna(1) - 1)  # earliest possible birth month when unknown
    hire_idx = hire.dt.year * 12 + hire.dt.month - 1
    early = hire.notna() & by.notna() & (hire_idx < birth_idx)
    problems += table.at(early, "hire_date", "hired before being born (birth {v})", v=df["birth_year"])
    young = hire.notna() & by.notna() & ~early & (hire_idx - (by * 12 + bm.fillna(12) - 1) < MIN_HIRE_AGE * 12)
    problems += table.at(young, "hire_date", f"hired before the age of {MIN_HIRE_AGE}")
    before = exit_.notna() & hire.notna() & (exit_ < hire)
    problems += table.at(before, "exit_date", "exit date is before the hire date")
    reason = slug_series(df["exit_reason"])
    no_reason = exit_.notna() & (reason == "")
    problems += table.at(no_reason, "exit_reason", "exit_reason is empty while exit_date is set")
    bad_reason = (reason != "") & ~reason.isin(ENUMS["exit_reason"])
    problems += table.at(bad_reason, "exit_reason", "'{v}' is not one of " + ", ".join(ENUMS["exit_reason"]),
                         v=df["exit_reason"])
    orphan = (reason != "") & exit_.isna() & ~ebad
    problems += table.at(orphan, "exit_date", "exit_reason is set but exit_date is empty")
    bad |= (early | young | before | no_reason | bad_reason | orphan).to_numpy()
    out["hire_date"] = hire
    out["exit_date"] = exit_
    out["exit_reason"] = reason

    snap = pd.to_datetime(year.astype("Int64").astype(str).where(year.notna() & ~(ybad | yout)) + "-10-31",
                          errors="coerce")
    active = snap.notna() & (exit_.isna() | (exit_ > snap)) & by.notna() & ~(bybad | byout | bmbad | bmout) & \
        out["sex"].isin(ENUMS["sex"])
    if active.any():
        idx = np.flatnonzero(active.to_numpy())
        # Latest possible birth month when unknown, so no one is flagged by a guess.
        ry, rm = retirement.retirement_date(by.iloc[idx].astype(int), bm.iloc[idx].fillna(12).astype(int),
                                            out["sex"].iloc[idx].to_numpy())
        past = (ry * 12 + rm) < (snap.iloc[idx].dt.year * 12 + snap.iloc[idx].dt.month).to_numpy()
        over = np.zeros(n, bool)
        over[idx[past]] = True
        problems += table.at(over, "birth_year",
                             "in post on 31 October {y} but above the statutory retirement age (born {b}, Decree "
                             "135/2020): check the birth year or set exit_date", y=year.astype("Int64"),
                             b=df["birth_year"])
        bad |= over

    keys = pd.DataFrame({"p": pid, "y": year})
    dup = keys.duplicated(keep="first").to_numpy() & (pid != "").to_numpy()
    problems += table.at(dup, "person_id", "person_id '{v}' appears twice in the same snapshot year", v=pid)
    bad |= dup

    clean = out[~bad][ROSTER_COLUMNS].reset_index(drop=True)
    clean["year"] = clean["year"].astype("int64")
    clean["birth_year"] = clean["birth_year"].astype("int64")
    clean["birth_month"] = clean["birth_month"].astype("Int64")
    return clean, problems


def read_roster(path: Path | str) -> pd.DataFrame:
    """Read and check a roster CSV (``.csv`` or ``.csv.gz``).

    Returns
    -------
    DataFrame
        :data:`ROSTER_COLUMNS`, typed (years int, flags 0/1, dates Timestamps).

    Raises
    ------
    ValidationError
        With every problem of the file (see :func:`check_roster`).
    """
    table, problems = read_text_table(path)
    if table is None:
        raise_if(problems)
        raise ValidationError([])  # not reached: an unreadable table always comes with a problem
    frame, more = check_roster(table)
    raise_if(problems + more)
    return frame


def active_on(roster: pd.DataFrame) -> pd.Series:
    """Who is in post on 31 October of their row's snapshot year (:func:`forecast.domain.posts.in_post`)."""
    return posts.in_post(roster)


def target_masks(r: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series | None]]:
    """Population and criterion masks of every indicator (:mod:`forecast.domain.definitions`).

    Returns
    -------
    dict
        indicator id -> (population mask, criterion mask); T11 has population = everyone
        and counts the criterion only.
    """
    return definitions.roster_masks(r)


def aggregate(roster: pd.DataFrame, year: int | None = None, source: str = "roster") -> pd.DataFrame:
    """Count a roster into observations, by unit and year.

    Parameters
    ----------
    roster : DataFrame
        A checked roster (:func:`read_roster`).
    year : int, optional
        Keep this snapshot year only (default: every year in the roster).
    source : str
        Text for the ``source`` column.

    Returns
    -------
    DataFrame
        :data:`forecast.inputs.observations.OBS_COLUMNS`; one row per (indicator, unit, year)
        whose population is not empty (T11: every unit of the roster, count possibly 0).
        Only people in post on 31 October of the year are counted.
    """

    r = roster if year is None else roster[roster["year"] == int(year)]
    r = r[active_on(r)]
    if r.empty:
        return _typed(pd.DataFrame(columns=OBS_COLUMNS))
    masks = target_masks(r)
    cols = {}
    for ind, (pop, crit) in masks.items():
        cols[(ind, "d")] = pop.astype("int64")
        cols[(ind, "n")] = (pop & crit).astype("int64")
    wide = pd.DataFrame(cols, index=r.index)
    sums = wide.groupby([r["unit_code"], r["year"]]).sum()
    frames = []
    for ind in masks:
        f = pd.DataFrame({"indicator": ind, "unit_code": sums.index.get_level_values(0),
                          "year": sums.index.get_level_values(1),
                          "numerator": sums[(ind, "n")].to_numpy().astype(float),
                          "denominator": sums[(ind, "d")].to_numpy().astype(float)})
        if ind == "T11":
            f["denominator"] = np.nan
        else:
            f = f[f["denominator"] > 0]
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["value"] = np.nan
    out["source"] = source
    out["flags"] = ""
    return _typed(out.sort_values(["indicator", "unit_code", "year"]))


# --- roster history ----------------------------------------------------------------------
#
# A roster history holds every 31 October return of a period in few rows: one row per
# person and *spell*, a run of consecutive returns over which the person's record did not
# change. The columns are the roster's, with ``from_year`` and ``to_year`` (the first and
# the last return the row holds for, both included) in place of ``year``
# (docs/architecture.md, "Roster history"). Reading and checking the file:
# :mod:`forecast.inputs.roster_history`.

#: Columns of a roster history (:func:`forecast.inputs.roster_history.read_roster_history`).
#: The spell, then what may change from one return to the next, then who the person is
#: (this order also compresses best: a person's consecutive rows share their tails).
HISTORY_COLUMNS = [
    "person_id", "from_year", "to_year",
    "unit_code", "level", "leader", "key_cadre", "in_pool", "education", "political_theory", "state_mgmt",
    "foreign_language", "it_skill", "standard_training", "standardised",
    "birth_year", "birth_month", "sex", "category", "field", "hire_date", "exit_date", "exit_reason",
]


def history_years(history: pd.DataFrame) -> tuple[int, int]:
    """The first and last return a roster history covers (``min(from_year)``, ``max(to_year)``)."""
    if history.empty:
        raise ValueError("the roster history is empty")
    return int(history["from_year"].min()), int(history["to_year"].max())


def snapshot(history: pd.DataFrame, year: int) -> pd.DataFrame:
    """The roster as of 31 October ``year``, derived from a roster history.

    Parameters
    ----------
    history : DataFrame
        A checked history (:func:`forecast.inputs.roster_history.read_roster_history`).
    year : int
        The return's year, within :func:`history_years`.

    Returns
    -------
    DataFrame
        :data:`ROSTER_COLUMNS`, typed like :func:`read_roster`'s result: one row per person
        in post on that day, ``year`` = ``year``. Exits after that day are blanked (an
        ``exit_date`` and ``exit_reason`` the return could not have known), so a projection
        started from the snapshot sees only what was known then.

    Raises
    ------
    ValueError
        When ``year`` lies outside the years the history covers.
    """
    year = int(year)
    first, last = history_years(history)
    if not first <= year <= last:
        raise ValueError(f"the roster history covers {first}–{last}, not {year}")
    rows = history[(history["from_year"] <= year) & (history["to_year"] >= year)]
    out = rows.drop(columns=["from_year", "to_year"]).assign(year=year)
    later = out["exit_date"].notna() & (out["exit_date"] > units_mod.snapshot_date(year))
    out["exit_date"] = out["exit_date"].mask(later)
    out["exit_reason"] = out["exit_reason"].mask(later, "")
    out["year"] = out["year"].astype("int64")
    # A checked history holds only people in post over their rows; this keeps a hand-made one honest.
    return out[active_on(out)][ROSTER_COLUMNS].reset_index(drop=True)


def roster_as_of(dataset, year: int) -> pd.DataFrame | None:
    """The roster of a :class:`~forecast.inputs.dataset.Dataset` as of 31 October ``year``.

    From the dataset's roster history when it has one covering ``year``; else its roster's
    rows of that year; else None (no roster known for that year).
    """
    history = getattr(dataset, "roster_history", None)
    if history is not None and not history.empty:
        first, last = history_years(history)
        if first <= int(year) <= last:
            return snapshot(history, year)
    roster = getattr(dataset, "roster", None)
    if roster is not None and (roster["year"] == int(year)).any():
        return roster[roster["year"] == int(year)].reset_index(drop=True)
    return None


__all__ = ["ROSTER_COLUMNS", "ENUMS", "read_roster", "check_roster", "aggregate", "active_on", "target_masks",
           "ValidationError", "HISTORY_COLUMNS", "history_years", "snapshot", "roster_as_of"]
