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
from forecast.inputs import plausible
from forecast.inputs import units as units_mod
from forecast.inputs.cells import factorize_text, upper_keys
from forecast.inputs.observations import OBS_COLUMNS, _typed, max_year
from forecast.inputs.tables import (
    Problem,
    Table,
    ValidationError,
    parse_numbers,
    per_distinct,
    raise_if,
    read_text_table,
    slug,
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


def _by_distinct(s: pd.Series, func) -> tuple[np.ndarray, np.ndarray]:
    """``func`` of each distinct cell of ``s``: (codes, results), ``results[codes]`` aligns with ``s``.

    A million-row roster holds a few hundred distinct codes or words per column: each is
    read once, and the per-row arrays are NumPy takes (no Python call per row).
    """
    codes, uniques = factorize_text(s)
    return codes, np.array([func(u) for u in uniques], dtype=object)


def _snapshot_days(year: pd.Series) -> pd.Series:
    """31 October of each (whole) year; NaT where the year is missing."""
    months = ((year.fillna(1970) - 1970) * 12 + 9).to_numpy(dtype="int64").astype("datetime64[M]")
    days = pd.Series(months.astype("datetime64[ns]") + np.timedelta64(30, "D"), index=year.index)
    return days.where(year.notna())


def _distinct_rows(*arrays: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct combinations of aligned arrays: (inverse, columns of the distinct rows).

    ``[c[inverse] for c in columns]`` gives the arrays back. Missing values form a value of
    their own.
    """
    key = np.zeros(len(arrays[0]), np.int64)
    uniques = []
    for a in arrays:
        codes, u = pd.factorize(a, use_na_sentinel=False)
        key = key * max(len(u), 1) + codes  # a few hundred values per column: no overflow
        uniques.append((u, max(len(u), 1)))
    inverse, distinct = pd.factorize(key)
    columns, rest = [], distinct
    for u, size in reversed(uniques):
        columns.append(np.asarray(u)[rest % size] if len(u) else np.asarray(u))
        rest = rest // size
    return inverse, columns[::-1]


def _over_retirement_age(by: pd.Series, bm: pd.Series, sex: tuple[np.ndarray, np.ndarray], year: pd.Series,
                         active: np.ndarray) -> np.ndarray:
    """Rows in post on 31 October of ``year`` but past the statutory retirement age.

    Computed once per distinct (birth year, birth month, sex, year): a roster repeats them.
    The latest possible birth month is assumed when it is unknown, so no one is flagged by a guess.
    """
    over = np.zeros(len(by), bool)
    idx = np.flatnonzero(active)
    if not len(idx):
        return over
    sex_codes, sexes = sex
    inverse, (dby, dbm, dsex, dyear) = _distinct_rows(
        by.to_numpy()[idx].astype("int64"), bm.fillna(12).to_numpy()[idx].astype("int64"), sex_codes[idx],
        year.to_numpy()[idx].astype("int64"))
    ry, rm = retirement.retirement_date(dby, dbm, sexes[dsex])
    past = (ry * 12 + rm) < (dyear * 12 + 10)  # retired before the snapshot month (October)
    over[idx] = past[inverse]
    return over


def check_roster(table: Table, *, frame: bool = True) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a roster table and return the clean, typed frame.

    Rules: required columns present (named); ``person_id`` filled and unique per
    snapshot year, also ignoring case (``a0001`` and ``A0001`` are one person); the
    snapshot year from 2000 to this year; ``birth_year`` (or ``birth_date``) plausible (an
    age of 15–80 at the snapshot, :mod:`forecast.inputs.plausible`); codes in :data:`ENUMS`
    (Vietnamese words accepted, e.g. "Cán bộ", "Nữ"); flags 0/1; unit known and valid
    on 31 October of the year, at the stated level; dates readable; born before hired
    and at least 18 at hire; exit after hire, with a reason; ``key_cadre`` only for
    commune-level cadres; a person still in post is not above the statutory retirement
    age at the snapshot (Decree 135/2020, :mod:`forecast.domain.retirement`).

    Cells are trimmed by the readers (:func:`forecast.inputs.tables.read_text_table`).
    Every check works on the distinct values of a column (or of a few columns together)
    and spreads the answer back with NumPy, so a million-row roster is checked in seconds.

    Parameters
    ----------
    table : Table
        The roster as read (:func:`forecast.inputs.tables.read_text_table`).
    frame : bool
        False when only the problems are wanted (``forecast validate``): the returned frame
        is then empty, which spares a copy of every column of a big roster.

    Returns
    -------
    (frame, problems)
        The frame has :data:`ROSTER_COLUMNS` with typed values (rows with problems kept
        out); ``problems`` lists every problem found.
    """

    df = table.frame  # read only: new columns go to ``cols`` (no copy of a big table)
    cols: dict[str, pd.Series] = {c: df[c] for c in df.columns}
    problems: list[Problem] = []
    if "birth_date" in cols and "birth_year" not in cols:
        bd, bbad = _parse_dates(df["birth_date"])
        problems += table.at(bbad, "birth_date", "'{v}' is not a date (use 1980-05-31 or 31/05/1980)",
                             v=df["birth_date"])
        cols["birth_year"] = bd.dt.year.astype("Int64").astype(str).replace("<NA>", "")
        cols["birth_month"] = bd.dt.month.astype("Int64").astype(str).replace("<NA>", "")
    required = [c for c in ROSTER_COLUMNS if c not in OPTIONAL]
    missing = [c for c in required if c not in cols]
    for c in missing:
        problems.append(table.whole(f"missing required column '{c}'", column=c, row=1))
    if missing:
        return pd.DataFrame(columns=ROSTER_COLUMNS), problems
    n = len(df)
    for c in OPTIONAL:
        if c not in cols:
            cols[c] = pd.Series(np.full(n, "", dtype=object), index=df.index)
    bad = np.zeros(n, bool)
    out: dict[str, pd.Series] = {}

    pid = cols["person_id"]
    pcodes, pids = factorize_text(pid)
    no_id = (pids == "")[pcodes]
    problems += table.at(no_id, "person_id", "person_id is empty")
    bad |= no_id
    out["person_id"] = pid

    year, ybad, ymsg = _numbers(cols["year"])
    problems += table.at(ybad, "year", ymsg)
    last = max_year()  # a roster describes a 31 October that has come
    yout = ~ybad & (year.isna() | (year % 1 != 0) | (year < 2000) | (year > last))
    problems += table.at(yout, "year", f"snapshot year '{{v}}' is missing or not a year (2000–{last})",
                         v=cols["year"])
    year_bad = (ybad | yout).to_numpy()
    bad |= year_bad
    out["year"] = year

    by, bybad, bymsg = _numbers(cols["birth_year"])
    problems += table.at(bybad, "birth_year", bymsg)
    earliest, latest = plausible.age_bounds(year)
    byout = ~bybad & (by.isna() | (by % 1 != 0) | (by < 1930) | (by < earliest) | (by > latest))
    problems += table.at(byout, "birth_year", "birth year '{v}' is missing or implausible (an age of "
                         f"{plausible.MIN_AGE}–{plausible.MAX_AGE} at the snapshot)", v=cols["birth_year"])
    bm, bmbad, bmmsg = _numbers(cols["birth_month"])
    problems += table.at(bmbad, "birth_month", bmmsg)
    bmout = bm.notna() & ((bm < 1) | (bm > 12) | (bm % 1 != 0))
    problems += table.at(bmout, "birth_month", "birth month must be 1–12")
    birth_bad = (bybad | byout | bmbad | bmout).to_numpy()
    bad |= birth_bad
    out["birth_year"] = by
    out["birth_month"] = bm

    enum: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # column -> (codes, distinct values as codes)

    def among(col: str, values) -> np.ndarray:
        codes, mapped = enum[col]
        return np.isin(mapped, list(values))[codes]

    for col, allowed in ENUMS.items():
        aliases = ALIASES.get(col, {})
        enum[col] = _by_distinct(cols[col], lambda u, a=aliases: a.get(slug(u), slug(u)))
        if col == "exit_reason":
            continue
        wrong = ~among(col, allowed)
        problems += table.at(wrong, col, "'{v}' is not one of " + ", ".join(allowed), v=cols[col])
        bad |= wrong
        out[col] = pd.Series(enum[col][1][enum[col][0]], index=df.index)

    for col in FLAG_COLUMNS:
        yes, recognised = vocabulary.yes_no(cols[col])
        problems += table.at(~recognised, col, "'{v}' is not 0 or 1", v=cols[col])
        bad |= ~recognised
        out[col] = pd.Series(yes.astype("int64"), index=df.index)

    ucodes, given = factorize_text(cols["unit_code"])
    normal = units_mod.normalise_codes(pd.Series(given, dtype=object)).to_numpy()
    code = pd.Series(normal[ucodes], index=df.index)
    res = _resolve_distinct(ucodes, normal, year.where(~pd.Series(year_bad, index=df.index)).to_numpy(), *enum["level"])
    unknown = ~res["known"]
    problems += table.at(unknown, "unit_code", "unknown unit '{v}' (see data/units.csv)", v=code)
    invalid = res["known"] & ~res["valid"] & ~year_bad
    problems += table.at(invalid, "unit_code", "unit '{v}' did not exist on 31 October of the snapshot year",
                         v=code)
    level = out["level"]
    mislevel = res["mislevel"]
    problems += table.at(mislevel, "level", "level '{v}' but unit {u} is at level '{w}'",
                         v=level, u=code, w=res["level"])
    bad |= unknown | invalid | mislevel
    out["unit_code"] = code

    key_wrong = (out["key_cadre"].to_numpy() == 1) & ~(among("level", ["xa"]) & among("category", ["can_bo"]))
    problems += table.at(key_wrong, "key_cadre", "key_cadre = 1 is only for commune-level cadres (can_bo, xa)")
    bad |= key_wrong

    hire, hbad = _parse_dates(cols["hire_date"])
    exit_, ebad = _parse_dates(cols["exit_date"])
    problems += table.at(hbad, "hire_date", "'{v}' is not a date (use 2010-09-01 or 01/09/2010)",
                         v=cols["hire_date"])
    problems += table.at(ebad, "exit_date", "'{v}' is not a date (use 2010-09-01 or 01/09/2010)",
                         v=cols["exit_date"])
    bad |= (hbad | ebad).to_numpy()
    birth_idx = by * 12 + (bm.fillna(1) - 1)  # earliest possible birth month when unknown
    hire_idx = hire.dt.year * 12 + hire.dt.month - 1
    early = hire.notna() & by.notna() & (hire_idx < birth_idx)
    problems += table.at(early, "hire_date", "hired before being born (birth {v})", v=cols["birth_year"])
    young = hire.notna() & by.notna() & ~early & (hire_idx - (by * 12 + bm.fillna(12) - 1) < MIN_HIRE_AGE * 12)
    problems += table.at(young, "hire_date", f"hired before the age of {MIN_HIRE_AGE}")
    before = exit_.notna() & hire.notna() & (exit_ < hire)
    problems += table.at(before, "exit_date", "exit date is before the hire date")
    rcodes, rslugs = _by_distinct(cols["exit_reason"], slug)  # (not aliased: the codes are written out)
    reason = pd.Series(rslugs[rcodes], index=df.index)
    no_reason_given = (rslugs == "")[rcodes]
    no_reason = exit_.notna() & no_reason_given
    problems += table.at(no_reason, "exit_reason", "exit_reason is empty while exit_date is set")
    bad_reason = ~no_reason_given & ~np.isin(rslugs, list(ENUMS["exit_reason"]))[rcodes]
    problems += table.at(bad_reason, "exit_reason", "'{v}' is not one of " + ", ".join(ENUMS["exit_reason"]),
                         v=cols["exit_reason"])
    orphan = ~no_reason_given & exit_.isna() & ~ebad
    problems += table.at(orphan, "exit_date", "exit_reason is set but exit_date is empty")
    bad |= (early | young | before | no_reason | orphan).to_numpy() | bad_reason
    out["hire_date"] = hire
    out["exit_date"] = exit_
    out["exit_reason"] = reason

    snap = _snapshot_days(year.where(~pd.Series(year_bad, index=df.index)))
    active = (snap.notna() & (exit_.isna() | (exit_ > snap)) & by.notna()).to_numpy() & ~birth_bad & \
        among("sex", ENUMS["sex"])
    over = _over_retirement_age(by, bm, enum["sex"], year, active)
    problems += table.at(over, "birth_year",
                         "in post on 31 October {y} but above the statutory retirement age (born {b}, Decree "
                         "135/2020): check the birth year or set exit_date", y=year.astype("Int64"),
                         b=cols["birth_year"])
    bad |= over

    dup, case_dup, first = _duplicate_ids(pcodes, pids, year, no_id)
    problems += table.at(dup, "person_id", "person_id '{v}' appears twice in the same snapshot year", v=pid)
    problems += table.at(case_dup, "person_id", "person_id '{v}' is '{w}' (row {r}) in other letter case: ids are "
                         "compared ignoring case, so this person appears twice in the same snapshot year",
                         v=pid, w=pid.to_numpy()[first], r=table.rows[first])
    bad |= dup | case_dup

    if not frame:
        return pd.DataFrame(columns=ROSTER_COLUMNS), problems
    keep = None if not bad.any() else ~bad  # a valid roster's columns are taken as they are (no copy)
    typed = {"year": "int64", "birth_year": "int64", "birth_month": "Int64"}
    columns = {c: np.asarray(out[c]) if keep is None else np.asarray(out[c])[keep] for c in ROSTER_COLUMNS}
    columns.update({c: pd.array(columns[c], dtype=t) for c, t in typed.items()})
    return pd.DataFrame(columns, copy=False), problems  # copy=False: the columns are not merged into one block


def _numbers(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`forecast.inputs.tables.parse_numbers` of the distinct cells, spread back over ``s``."""
    codes, uniques = factorize_text(s)
    v, b, m = parse_numbers(pd.Series(uniques, dtype=object))
    return (pd.Series(v.to_numpy()[codes], index=s.index), pd.Series(b.to_numpy()[codes], index=s.index),
            pd.Series(m.to_numpy()[codes], index=s.index, dtype=object))


def _resolve_distinct(ucodes: np.ndarray, normal: np.ndarray, year: np.ndarray, lcodes: np.ndarray,
                      levels: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`forecast.inputs.units.resolve_codes` once per distinct (unit code, year, stated level).

    ``ucodes`` index the normalised codes ``normal``; ``lcodes`` the stated levels ``levels``.
    Returns per-row arrays ``known``, ``valid``, ``level`` (the unit's) and ``mislevel`` (a
    valid unit other than the province whose level is not the stated one, when that is a level).
    """
    inverse, (du, dyear, dl) = _distinct_rows(ucodes, year, lcodes)
    code = normal[du] if len(du) else np.array([], object)
    res = units_mod.resolve_codes(pd.Series(code, dtype=object), pd.Series(dyear, dtype=float))
    stated = levels[dl] if len(dl) else np.array([], object)
    unit_level = res["level"].to_numpy()
    mislevel = res["valid"].to_numpy() & (code != units_mod.province_code()) & (unit_level != stated) & \
        np.isin(stated, list(ENUMS["level"]))
    return {"known": res["known"].to_numpy()[inverse], "valid": res["valid"].to_numpy()[inverse],
            "level": unit_level[inverse], "mislevel": mislevel[inverse]}


def _duplicate_ids(pcodes: np.ndarray, pids: np.ndarray, year: pd.Series,
                   no_id: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Second and later rows of a person in one snapshot year.

    ``pcodes`` index the distinct ids ``pids`` (:func:`pandas.factorize` of the column).

    Returns
    -------
    (same, case, first)
        ``same``: the id repeats exactly; ``case``: it repeats only when letter case is
        ignored (``a0001`` after ``A0001``); ``first``: for each row, the position of the
        first row with its id (in any case) and year, for the message.
    """
    ycodes = pd.factorize(year.to_numpy(), use_na_sentinel=False)[0].astype("int64")
    width = ycodes.max(initial=0) + 1
    same = pd.Series(pcodes.astype("int64") * width + ycodes).duplicated().to_numpy() & ~no_id
    upper = upper_keys(pids)
    if upper is None:  # no id changes in upper case: the exact comparison says it all
        return same, np.zeros(len(pcodes), bool), np.zeros(len(pcodes), np.intp)
    ucodes = pd.factorize(upper, use_na_sentinel=False)[0].astype("int64")[pcodes]
    key = ucodes * width + ycodes
    case = pd.Series(key).duplicated().to_numpy() & ~same & ~no_id
    first = pd.Series(np.arange(len(key))).groupby(key).transform("min").to_numpy() if case.any() \
        else np.zeros(len(key), np.intp)
    return same, case, first


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
