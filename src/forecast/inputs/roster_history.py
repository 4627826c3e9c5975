"""Reading and checking a roster history file (docs/architecture.md, "Roster history").

A roster history holds every 31 October return of a period in few rows: one row per
person and *spell* (a run of consecutive returns over which the person's record did not
change), with the roster's columns and ``from_year``/``to_year`` in place of ``year``.
:func:`forecast.inputs.roster.snapshot` derives any year's roster from it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.inputs import units as units_mod
from forecast.inputs.roster import HISTORY_COLUMNS, OPTIONAL, ROSTER_COLUMNS, _parse_dates, check_roster
from forecast.inputs.tables import Problem, Table, ValidationError, parse_numbers, raise_if, read_text_table


def _by_value(func, s: pd.Series) -> tuple[pd.Series, ...]:
    """``func`` applied to the distinct cells of ``s`` only, its Series results spread back
    over ``s`` (a history repeats a person's dates and years on every row)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    results = func(pd.Series(uniques, dtype=object))
    return tuple(pd.Series(r.to_numpy()[codes], index=s.index) for r in results)


def _history_problems(table: Table, to_year: pd.Series) -> list[Problem]:
    """The checks a history adds to the roster's: the first year, the unit at the first
    return, hire and exit dates against the spell, overlapping spells of one person."""
    df = table.frame
    problems: list[Problem] = []
    fy, fbad, fmsg = _by_value(parse_numbers, df["from_year"])
    fbad = fbad.astype(bool)
    problems += table.at(fbad, "from_year", fmsg)
    fout = ~fbad & (fy.isna() | (fy % 1 != 0) | (fy < 2000) | (fy > 2100))
    problems += table.at(fout, "from_year", "first year '{v}' is missing or not a year", v=df["from_year"])
    ok = ~(fbad | fout) & to_year.notna()
    after = ok & (fy > to_year)
    problems += table.at(after, "from_year", "from_year {v} is after to_year {w}", v=df["from_year"], w=df["to_year"])
    ok &= ~after
    # The unit must exist on every 31 October of the spell. The roster checks did the last
    # return; the registry's periods of a code follow each other without gaps, so the first
    # return completes the check.
    (code,) = _by_value(lambda u: (units_mod.normalise_codes(u),), df["unit_code"])
    res = units_mod.resolve_codes(code, fy.where(ok))
    gone = ok & res["known"] & ~res["valid"]
    problems += table.at(gone, "unit_code", "unit '{v}' did not exist on 31 October {y} (from_year)", v=code,
                         y=fy.astype("Int64"))
    first_snap = pd.to_datetime(fy.astype("Int64").astype(str).where(ok) + "-10-31", errors="coerce")
    last_snap = pd.to_datetime(to_year.astype("Int64").astype(str).where(ok) + "-10-31", errors="coerce")
    empty = pd.Series("", index=df.index)
    hire = _by_value(_parse_dates, df["hire_date"] if "hire_date" in df else empty)[0]
    exit_ = _by_value(_parse_dates, df["exit_date"] if "exit_date" in df else empty)[0]
    late = ok & hire.notna() & (hire > first_snap)
    problems += table.at(late, "hire_date", "hired on {v}, after 31 October {y} (from_year): not in post at that "
                         "return", v=hire.dt.strftime("%Y-%m-%d"), y=fy.astype("Int64"))
    left = ok & exit_.notna() & (exit_ <= last_snap)
    problems += table.at(left, "exit_date", "left on {v}, not after 31 October {y} (to_year): end the row at the "
                         "last return before the exit", v=exit_.dt.strftime("%Y-%m-%d"), y=to_year.astype("Int64"))
    # Spells of one person must not overlap (two rows ending the same year are reported by
    # the roster checks already, as a person twice in one snapshot year).
    keys = pd.DataFrame({"p": df["person_id"].str.strip(), "f": fy, "t": to_year})[ok]
    keys = keys.sort_values(["p", "f", "t"], kind="stable")
    prev_t = keys.groupby("p")["t"].shift()
    overlap = keys.index[((keys["f"] <= prev_t) & (keys["t"] != prev_t)).to_numpy()]
    mask = df.index.isin(overlap)
    problems += table.at(mask, "from_year", "person_id '{v}' has another row covering {y}: the rows of one person "
                         "must not overlap", v=df["person_id"], y=fy.astype("Int64"))
    return problems


def check_roster_history(table: Table) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a roster history table (:data:`HISTORY_COLUMNS`) and return the typed frame.

    Each row is checked as a roster row of its ``to_year`` by :func:`check_roster` (codes,
    flags, dates, statutory age, unit valid on 31 October of that year; problems about the
    year name the column ``to_year``), and also: ``from_year`` is a year not after
    ``to_year``; the unit existed on 31 October of ``from_year``; the person was hired by
    31 October of ``from_year`` and had not left by 31 October of ``to_year``; the rows of
    one person do not overlap.

    Returns
    -------
    (frame, problems)
        The frame has :data:`HISTORY_COLUMNS`, typed as :func:`read_roster` types a roster
        (``from_year``/``to_year`` int); it is empty when there is any problem.
    """
    df = table.frame
    problems = [table.whole(f"missing required column '{c}'", column=c, row=1)
                for c in ("from_year", "to_year") if c not in df.columns]
    if "year" in df.columns:
        problems.append(table.whole("a roster history has 'from_year' and 'to_year' instead of 'year'",
                                    column="year", row=1))
    if problems:
        return pd.DataFrame(columns=HISTORY_COLUMNS), problems
    as_roster = Table(df.assign(year=df["to_year"]), table.rows, {**table.letters, "year": "to_year"}, table.path,
                      table.sheet)
    frame, problems = check_roster(as_roster)
    if any(c not in df.columns for c in ROSTER_COLUMNS if c not in OPTIONAL and c != "year"):
        return pd.DataFrame(columns=HISTORY_COLUMNS), problems  # named by check_roster; nothing more to check
    to_year, tbad, _ = _by_value(parse_numbers, df["to_year"])
    tbad = tbad.astype(bool)
    problems += _history_problems(table, to_year.where(~tbad & (to_year % 1 == 0)))
    if problems:
        return pd.DataFrame(columns=HISTORY_COLUMNS), problems
    # No problem: check_roster kept every row, in order.
    frame = frame.rename(columns={"year": "to_year"})
    frame["from_year"] = pd.to_numeric(df["from_year"]).astype("int64").to_numpy()
    return frame[HISTORY_COLUMNS], problems


def read_roster_history(path: Path | str) -> pd.DataFrame:
    """Read and check a roster history CSV (``.csv`` or ``.csv.gz``).

    Returns
    -------
    DataFrame
        :data:`HISTORY_COLUMNS`, typed.

    Raises
    ------
    ValidationError
        With every problem of the file (see :func:`check_roster_history`).
    """
    table, problems = read_text_table(path)
    if table is None:
        raise ValidationError(problems)
    frame, more = check_roster_history(table)
    raise_if(problems + more)
    return frame

