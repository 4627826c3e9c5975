"""The observations table: one row per (indicator, unit, year) with headcounts.

Shape (docs/architecture.md): ``indicator, unit_code, year, numerator, denominator,
value, source, flags``. ``numerator``/``denominator`` are headcounts (T11: a count in
``numerator``, no denominator); ``value`` is a published percent (0–100) carried only
by rows that have no counts (flag ``published_percent_only``). Aggregation is always by
counts: a share over several units is Σnumerators / Σdenominators, never an average of
percentages.

Flags (``;``-separated): ``published_percent_only``, ``break`` (first year of a new
population definition), ``rebased`` (mapped onto later units by
:func:`rebase`), ``partial`` (a rebased total missing some of its old units),
``synthetic``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import atomic, config
from forecast.domain.targets import indicator_ids, load_targets
from forecast.inputs import units as units_mod
from forecast.inputs.plausible import headcount_problems
from forecast.inputs.tables import (
    Problem,
    Table,
    ValidationError,
    parse_numbers,
    raise_if,
    read_text_table,
    slug,
)

OBS_COLUMNS = ["indicator", "unit_code", "year", "numerator", "denominator", "value", "source", "flags"]
KEY = ["indicator", "unit_code", "year"]
FLAGS = ("published_percent_only", "break", "rebased", "partial", "synthetic")
PROVINCE = "20"
#: Years an observation may carry: from the first year of the unit registry (2015, the
#: plan's history window) to the current year (returns describe the past).
MIN_YEAR = config.BASE_YEAR


def max_year() -> int:
    """Latest acceptable observation year: the current calendar year."""
    return dt.date.today().year


def _count_indicators() -> set[str]:

    return {t.id for t in load_targets() if t.kind == "count_direction"}


def _indicator_ids() -> list[str]:

    return indicator_ids()


def normalise_indicators(s: pd.Series) -> pd.Series:
    """Indicator ids as the project writes them: ``t6`` → ``T06``, ``T09A`` → ``T09a``."""
    s = s.astype(str).str.strip()
    m = s.str.extract(r"^[tT]\s*0*(\d{1,2})([a-cA-C]?)$")
    fixed = "T" + m[0].str.zfill(2) + m[1].str.lower()
    return fixed.where(m[0].notna(), s)


def empty_observations() -> pd.DataFrame:
    """An observations frame with no rows and the right columns and types."""
    return _typed(pd.DataFrame({c: [] for c in OBS_COLUMNS}))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in OBS_COLUMNS:
        if c not in df.columns:
            df[c] = np.nan if c in ("numerator", "denominator", "value") else ""
    df["indicator"] = df["indicator"].astype(str)
    df["unit_code"] = df["unit_code"].astype(str)
    df["year"] = pd.to_numeric(df["year"]).astype("int64")
    for c in ("numerator", "denominator", "value"):
        df[c] = pd.to_numeric(df[c]).astype("float64")
    for c in ("source", "flags"):
        df[c] = df[c].fillna("").astype(str)
    return df[OBS_COLUMNS].reset_index(drop=True)


def add_flag(flags: pd.Series, flag: str, mask=None) -> pd.Series:
    """``flags`` with ``flag`` appended where ``mask`` (default everywhere) and not already there."""
    mask = np.ones(len(flags), bool) if mask is None else np.asarray(mask, bool)
    has = flags.str.split(";").apply(lambda parts: flag in parts).to_numpy()
    add = mask & ~has
    new = np.where(flags == "", flag, flags + ";" + flag)
    return pd.Series(np.where(add, new, flags), index=flags.index)


def check_observations(table: Table, source: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a table of observations and return the clean frame.

    Rules (each problem located at its row and column): required columns present
    (``indicator, unit_code, year`` and ``numerator``+``denominator`` or ``value``);
    known indicator; year a whole number in [2000, this year]; unit code known and
    valid on 31 October of the year; counts numeric, whole, non-negative; numerator ≤
    denominator; denominator > 0; counts within the plausibility limits of
    :mod:`forecast.inputs.plausible` (a unit's size by level, no population above the unit's
    whole staff); T11 has a count and no denominator; percent values in
    0–100 and on one scale per indicator (no 0–1 shares mixed with percents); a row
    with counts and a value agrees within 0.5 point; no duplicate (indicator, unit,
    year).

    Parameters
    ----------
    table : Table
        As read by :func:`forecast.inputs.tables.read_text_table` (or the Excel readers).
    source : str, optional
        Value for the ``source`` column when the table has none (default the file name).

    Returns
    -------
    (frame, problems)
        ``frame`` has :data:`OBS_COLUMNS` (rows with problems left out).
    """
    df = table.frame
    cols = set(df.columns)
    problems: list[Problem] = []
    for c in ("indicator", "unit_code", "year"):
        if c not in cols:
            problems.append(table.whole(f"missing required column '{c}'", column=c, row=1))
    has_counts = "numerator" in cols
    if not has_counts and "value" not in cols:
        problems.append(table.whole("missing required column 'numerator' (or 'value' for published percentages)",
                                    column="numerator", row=1))
    if has_counts and "denominator" not in cols:
        problems.append(table.whole("missing required column 'denominator' (leave its cells empty for T11)",
                                    column="denominator", row=1))
    problems += _misspelt_headings(table, cols)
    if problems:
        return empty_observations(), problems
    n = len(df)
    blank = pd.Series([""] * n, index=df.index, dtype=object)
    flags_in = df["flags"] if "flags" in cols else blank
    bad = np.zeros(n, bool)

    ind = normalise_indicators(df["indicator"])
    known_ind = ind.isin(_indicator_ids())
    miss = ind == ""
    problems += table.at(miss, "indicator", "indicator is empty")
    problems += table.at(~known_ind & ~miss, "indicator",
                         "unknown indicator '{v}' (expected T01–T11, T09a, T09b, T09c)", v=df["indicator"])
    bad |= ~known_ind.to_numpy()

    years, ybad, ymsg = parse_numbers(df["year"])
    problems += table.at(ybad, "year", ymsg)
    yempty = years.isna() & ~ybad
    problems += table.at(yempty, "year", "year is empty")
    frac = years.notna() & (years % 1 != 0)
    problems += table.at(frac, "year", "year must be a whole number")
    hi = max_year()
    out = years.notna() & ~frac & ((years < MIN_YEAR) | (years > hi))
    problems += table.at(out, "year", f"year {{v}} is out of range ({MIN_YEAR}–{hi})", v=df["year"])
    ybadall = (ybad | yempty | frac | out).to_numpy()
    bad |= ybadall

    code = units_mod.normalise_codes(df["unit_code"])
    cempty = code == ""
    problems += table.at(cempty, "unit_code", "unit_code is empty")
    yr = years.where(~pd.Series(ybadall, index=df.index))
    res = units_mod.resolve_codes(code, yr)
    unknown = ~res["known"] & ~cempty
    problems += table.at(unknown, "unit_code", "unknown unit '{v}' (see data/units.csv)", v=code)
    notvalid = res["known"] & ~res["valid"] & ~pd.Series(ybadall, index=df.index)
    problems += table.at(notvalid, "unit_code",
                         "unit '{v}' did not exist on 31 October {y} (codes are reused: check the year or the unit "
                         "list of that year)", v=code, y=yr.astype("Int64").astype(str))
    bad |= (cempty | unknown | notvalid).to_numpy()
    if "unit_name" in cols:
        named = unit_name_messages(code, yr, df["unit_name"])
        wrong_name = (named != "").to_numpy()
        problems += table.at(wrong_name, "unit_name", named)
        bad |= wrong_name

    count_ind = ind.isin(_count_indicators())
    num = den = pd.Series(np.nan, index=df.index)
    thousands = pd.Series(False, index=df.index)  # counts written 1.234 for 1234: not compared below
    if has_counts:
        num, nbad, nmsg = parse_numbers(df["numerator"])
        den, dbad, dmsg = parse_numbers(df["denominator"])
        problems += table.at(nbad, "numerator", nmsg)
        problems += table.at(dbad, "denominator", dmsg)
        bad |= (nbad | dbad).to_numpy()
        rebased = flags_in.str.contains("rebased", regex=False)
        for col, v, raw in (("numerator", num, df["numerator"]), ("denominator", den, df["denominator"])):
            neg = v < 0
            problems += table.at(neg, col, f"{col} is negative")
            nonwhole = v.notna() & (v % 1 != 0) & ~neg & ~rebased
            dotted = raw.str.strip().str.fullmatch(r"\d{1,3}(\.\d{3})+")
            problems += table.at(nonwhole & dotted, col, "'{v}' has a thousands separator: "
                                 "write the headcount without it ({w})", v=raw, w=raw.str.strip().str.replace(".", ""))
            problems += table.at(nonwhole & ~dotted, col, "'{v}' is not a whole headcount", v=raw)
            bad |= (neg | nonwhole).to_numpy()
            thousands |= nonwhole & dotted
        share_rows = ~count_ind & known_ind
        # A thousands dot makes 1234 read as 1.234: comparing it would add a second, misleading
        # message ("14 is greater than the denominator 1.234") to the one above.
        gt = share_rows & num.notna() & den.notna() & (num > den) & ~thousands
        problems += table.at(gt, "numerator", "numerator {n} is greater than the denominator {d}",
                             n=df["numerator"], d=df["denominator"])
        zero = share_rows & (den == 0)
        problems += table.at(zero, "denominator", "denominator is 0: leave the row out when nobody is in "
                             "the population")
        need_den = share_rows & num.notna() & den.isna() & ~dbad
        problems += table.at(need_den, "denominator", "denominator is empty (only T11 is a count without one)")
        t11_den = count_ind & den.notna()
        problems += table.at(t11_den, "denominator", "T11 is a count: leave the denominator empty")
        den_no_num = den.notna() & num.isna() & ~nbad
        problems += table.at(den_no_num, "numerator", "numerator is empty")
        bad |= (gt | zero | need_den | t11_den | den_no_num).to_numpy()
        implausible, over = headcount_problems(table, ind, code, yr, res["level"].where(res["valid"]), num, den)
        problems += implausible
        bad |= over
    val = pd.Series(np.nan, index=df.index)
    if "value" in cols:
        val, vbad, vmsg = parse_numbers(df["value"], percent=True)
        problems += table.at(vbad, "value", vmsg)
        rng = val.notna() & ((val < 0) | (val > 100))
        problems += table.at(rng, "value", "percentage {v} is outside 0–100", v=df["value"])
        bad |= (vbad | rng).to_numpy()
        mixed = _mixed_scale(ind, val)
        problems += table.at(mixed, "value", "value {v} looks like a 0–1 share while other rows of this indicator "
                             "are percentages (0–100): use one scale, in percent", v=df["value"])
        bad |= mixed
        both = num.notna() & den.notna() & (den > 0) & val.notna()
        disagree = both & ((100 * num / den.where(den > 0) - val).abs() > 0.5) & ~thousands
        problems += table.at(disagree, "value", "value {v} disagrees with numerator/denominator ({p}%)",
                             v=df["value"], p=(100 * num / den.where(den > 0)).round(1).astype(str))
        bad |= disagree.to_numpy()
    nothing = num.isna() & den.isna() & val.isna()
    if has_counts:
        nothing &= ~(nbad | dbad)
    if "value" in cols:
        nothing &= ~vbad
    problems += table.at(nothing, "numerator" if has_counts else "value",
                         "the row has neither counts nor a value")
    bad |= nothing.to_numpy()

    keys = pd.DataFrame({"i": ind, "u": code, "y": years})
    dup = keys.duplicated(keep=False).to_numpy() & known_ind.to_numpy() & ~cempty.to_numpy()
    if dup.any():
        first_row = pd.Series(table.rows, index=df.index).groupby([keys["i"], keys["u"], keys["y"]]).transform("min")
        later = keys.duplicated(keep="first").to_numpy() & dup
        problems += table.at(later, "indicator", "duplicate row for ({i}, {u}, {y}): first given on row {r}",
                             i=ind, u=code, y=years.astype("Int64").astype(str), r=first_row)
        bad |= later

    src_default = source if source is not None else Path(table.path).name
    src = df["source"].where(df["source"].str.strip() != "", src_default) if "source" in cols else \
        pd.Series(src_default, index=df.index)
    out = pd.DataFrame({
        "indicator": ind, "unit_code": code, "year": years, "numerator": num,
        "denominator": den, "value": val, "source": src, "flags": flags_in.str.strip(),
    })
    out = out[~bad]
    pct_only = out["numerator"].isna() & out["value"].notna()
    out["flags"] = add_flag(out["flags"], "published_percent_only", pct_only)
    # A value beside counts is redundant once checked: the counts are the data.
    out.loc[~pct_only, "value"] = np.nan
    return _typed(out), problems


#: Words that name a unit's type; a name typed with or without them means the same unit.
_TYPE_WORDS = re.compile(r"^(xa|phuong|thi_tran|thanh_pho|huyen|tinh)_")


def _name_key(name: str) -> str:
    """A unit name reduced for comparison: accents, case, spacing and the type word dropped."""
    return _TYPE_WORDS.sub("", slug(name))


def unit_name_messages(codes: pd.Series, years: pd.Series, names: pd.Series) -> pd.Series:
    """Why a unit name does not fit the unit its code means in that year ("" where it fits).

    Codes are reused (a commune created on 1 July 2025 keeps a member's code), so a name
    written beside a code is checked against the registry's name *for the year*: a return
    for 2023 that says "Phường Kỳ Lừa" with code 06187 names a ward that only exists from
    2025, while 06187 meant Thị trấn Cao Lộc in 2023.

    Parameters
    ----------
    codes, years, names : Series
        Normalised unit codes, years (NaN when unknown) and the names as typed (empty = unchecked).
    """
    res = units_mod.resolve_codes(codes, years)
    given = names.fillna("").astype(str).str.strip()
    check = res["valid"] & (given != "")
    out = pd.Series("", index=codes.index, dtype=object)
    if not check.any():
        return out
    registry = units_mod.load_units()
    keys = registry["name"].map(_name_key)
    for i in np.flatnonzero(check.to_numpy()):
        idx = codes.index[i]
        typed, meant = given.iloc[i], str(res["name"].iloc[i])
        if _name_key(typed) == _name_key(meant):
            continue
        year = int(years.iloc[i])
        snap = units_mod.snapshot_date(year)
        # Names repeat across districts (three "Hoàng Văn Thụ"): prefer those with the same type word.
        exact = registry[registry["name"].map(slug) == slug(typed)]
        same = exact if len(exact) else registry[keys == _name_key(typed)]
        then = same[(same["valid_from"] <= snap) & (same["valid_to"].isna() | (same["valid_to"] >= snap))]
        later = same[same["valid_from"] > snap]
        if len(then):
            out[idx] = (f"'{typed}' was unit {', '.join(sorted(then['code']))} in {year}, but the code says "
                        f"{codes.iloc[i]} ('{meant}'): check the code")
        elif len(later):
            first = later.sort_values("valid_from").iloc[0]
            out[idx] = (f"'{typed}' exists only from {first['valid_from'].date().isoformat()} (code {first['code']}); "
                        f"on 31 October {year} code {codes.iloc[i]} meant '{meant}': check the year or the code")
        else:
            out[idx] = f"unit name '{typed}' does not match unit {codes.iloc[i]} in {year} ('{meant}')"
    return out


#: Columns an observations table may have (others, such as notes, are ignored).
KNOWN_COLUMNS = (*OBS_COLUMNS, "unit_name")


def _misspelt_headings(table: Table, cols: set) -> list[Problem]:
    """A heading that is not a known column but close to a missing one is a typo, not a notes column.

    Without this, a table headed ``numerater`` would be read as percentages only, and
    every row would be reported as having neither counts nor a value.
    """
    import difflib

    missing = [c for c in KNOWN_COLUMNS if c not in cols]
    problems = []
    for heading in sorted(cols - set(KNOWN_COLUMNS)):
        close = difflib.get_close_matches(heading, missing, n=1, cutoff=0.75)
        if close:
            problems.append(table.whole(f"unknown column '{heading}' (did you mean '{close[0]}'?)",
                                        column=heading, row=1))
    return problems


def _mixed_scale(ind: pd.Series, val: pd.Series) -> np.ndarray:
    """Rows whose value is in (0, 1) while the same indicator has values above 5 elsewhere.

    A heuristic: a true percentage below 1 % (e.g. 0.63 % doctorates) sits beside
    values of the same order, not beside values of 40–100 for the same indicator.
    """
    small = val.notna() & (val > 0) & (val < 1) & (val % 1 != 0)
    big = (val > 5).groupby(ind).transform("any")
    med = val.where(val > 5).groupby(ind).transform("median")
    return (small & big & (med > 20)).to_numpy()


def read_observations(path: Path | str) -> pd.DataFrame:
    """Read and check a tidy observations CSV.

    Parameters
    ----------
    path : path
        A CSV with at least ``indicator, unit_code, year`` and ``numerator, denominator``
        and/or ``value`` (see :func:`check_observations` for the rules). UTF-8 (with or
        without BOM), UTF-16 and Windows-1258 are read.

    Returns
    -------
    DataFrame
        :data:`OBS_COLUMNS`; value-only rows flagged ``published_percent_only``.

    Raises
    ------
    ValidationError
        With every problem of the file.
    """
    table, problems = read_text_table(path)
    if table is None:
        raise_if(problems)
        raise ValidationError([])  # not reached: an unreadable table always comes with a problem
    frame, more = check_observations(table)
    raise_if(problems + more)
    return frame


def write_observations(obs: pd.DataFrame, path: Path | str) -> Path:
    """Write an observations frame as UTF-8 CSV, atomically (temp file + rename)."""
    return atomic.write_text(path, _typed(obs).to_csv(index=False, lineterminator="\n"))


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate observation frames; duplicate keys across frames raise ValidationError."""
    frames = [_typed(f) for f in frames if f is not None and len(f)]
    if not frames:
        return empty_observations()
    out = pd.concat(frames, ignore_index=True)
    dup = out.duplicated(KEY, keep=False)
    if dup.any():
        d = out[dup].sort_values(KEY)
        problems = [Problem(str(r.source), None, None, "indicator",
                            f"({r.indicator}, {r.unit_code}, {r.year}) is given by more than one input file")
                    for r in d.itertuples()]
        raise ValidationError(problems)
    return out


def _break_years(indicator: str) -> int | None:

    for t in load_targets():
        if t.id == indicator or indicator in [p["id"] for p in t.parts]:
            return t.break_year
    return None


def series(obs: pd.DataFrame, indicator: str, unit: str = PROVINCE) -> pd.DataFrame:
    """One indicator's yearly series for one unit (default: the province).

    For the province, counts are summed over all units in a year unless rows with counts
    for unit ``20`` exist for that year (then those are used). Rows that carry only a published
    percent give ``value`` with empty counts. Shares are Σnumerator / Σdenominator, so
    the rows of different units must describe disjoint groups of people (each unit
    reports its own staff, as the annual returns do).

    Parameters
    ----------
    obs : DataFrame
        An observations frame.
    indicator : str
        ``T01`` … ``T11`` or ``T09a``/``T09b``/``T09c``.
    unit : str
        Unit code (default ``"20"``, the province).

    Returns
    -------
    DataFrame
        ``year, numerator, denominator, value, break``: ``value`` is the share in [0, 1]
        (the count for T11); ``break`` is True in the first observed year of a new
        population definition (the target's ``break_year``, or rows flagged ``break``).
    """
    cols = ["year", "numerator", "denominator", "value", "break"]
    d = obs[obs["indicator"] == indicator]
    is_count = indicator in _count_indicators()
    if unit == PROVINCE:
        own = d[d["unit_code"] == PROVINCE]
        own_counted = own.loc[own["numerator"].notna(), "year"]
        others = d[(d["unit_code"] != PROVINCE) & ~d["year"].isin(own_counted)]
        d = pd.concat([own, others])
    else:
        d = d[d["unit_code"] == str(unit)]
    if d.empty:
        return pd.DataFrame({c: pd.Series(dtype="bool" if c == "break" else ("int64" if c == "year" else "float64"))
                             for c in cols})
    counted = d[d["numerator"].notna()]
    g = counted.groupby("year").agg(numerator=("numerator", "sum"),
                                    denominator=("denominator", lambda s: s.sum(min_count=1)))
    pct = d[d["numerator"].isna() & d["value"].notna()]
    # A year with counts uses them; a percent-only year (e.g. a published figure) only
    # when no counts exist for it. Several percent-only rows cannot be pooled without
    # their sizes, so for the province only a row of unit 20 is used.
    pct = pct[~pct["year"].isin(g.index)]
    if unit == PROVINCE:
        pct = pct[pct["unit_code"] == PROVINCE]
    p = pct.groupby("year")["value"].first() / 100.0
    out = g.reindex(g.index.union(p.index))
    out.index.name = "year"
    if is_count:
        out["value"] = out["numerator"]
    else:
        out["value"] = out["numerator"] / out["denominator"]
    out.loc[p.index, "value"] = p
    out = out.reset_index()
    flagged = d.loc[d["flags"].str.contains("break", regex=False), "year"].unique()
    brk = out["year"].isin(flagged)
    by = _break_years(indicator)
    if by is not None:
        after = out.loc[out["year"] >= by, "year"]
        if len(after) and (out["year"] < by).any():
            brk |= out["year"] == after.min()
    out["break"] = brk.astype(bool)
    out["year"] = out["year"].astype("int64")
    return out[cols]


def rebase(obs: pd.DataFrame, to="2025-07-01", splits: dict[str, float] | None = None
           ) -> tuple[pd.DataFrame, list[str]]:
    """Map commune-level observations onto the units valid on ``to`` by summing counts.

    Rows of commune-level units that ended before ``to`` (through the 1 December 2024
    change and the 1 July 2025 rearrangement) are mapped with
    :func:`forecast.inputs.units.rebase_weights` and summed per (indicator, new unit, year);
    a split commune's counts are shared out with ``splits`` (default 0.5, stated in the
    notes). Percent-only rows cannot be summed and are left out (listed in the notes).
    Other rows (province, districts, agencies, units already current) are kept as they are.

    Returns
    -------
    (frame, notes)
        The re-based observations (flag ``rebased``; ``partial`` when some old units of a
        new one are missing that year) and human-readable notes on what was assumed.
    """
    obs = _typed(obs)
    to = pd.Timestamp(to)
    weights = units_mod.rebase_weights(to, splits)
    res = units_mod.resolve_codes(obs["unit_code"], obs["year"])
    snap = pd.to_datetime(obs["year"].astype(str) + "-10-31")
    old = (res["level"] == "xa") & res["valid"] & (snap < to)
    notes: list[str] = []
    pct = old & obs["numerator"].isna()
    if pct.any():
        notes.append(f"{int(pct.sum())} percent-only commune rows could not be re-based (percentages are never "
                     "averaged) and were left out")
    move = obs[old & ~pct].assign(valid_from=res.loc[old & ~pct, "valid_from"])
    keep = obs[~old]
    m = move.merge(weights, left_on=["unit_code", "valid_from"], right_on=["code", "valid_from"], how="inner")
    m["numerator"] = m["numerator"] * m["weight"]
    m["denominator"] = m["denominator"] * m["weight"]
    agg = m.groupby(["indicator", "new_code", "year"], as_index=False).agg(
        numerator=("numerator", "sum"),
        denominator=("denominator", lambda s: s.sum(min_count=1)),
        flags=("flags", lambda s: ";".join(sorted({f for x in s for f in x.split(";") if f}))),
    )
    # A new unit's total is partial when one of its old units sent nothing at all that year.
    # (An old unit that reported other indicators but has no row for this one simply had
    # nobody in that population, e.g. no one in the planning pool.)
    reported = m.groupby(["new_code", "year"], as_index=False)["unit_code"].nunique().rename(
        columns={"unit_code": "members"})
    exp_year = _expected_members(weights, agg[["new_code", "year"]].drop_duplicates())
    agg = agg.merge(reported, on=["new_code", "year"], how="left").merge(exp_year, on=["new_code", "year"],
                                                                         how="left")
    partial = agg["members"] < agg["expected"]
    agg["flags"] = add_flag(agg["flags"], "rebased")
    agg["flags"] = add_flag(agg["flags"], "partial", partial)
    if partial.any():
        notes.append(f"{int(partial.sum())} re-based rows miss some of their old units (flag 'partial')")
    share_text = ", ".join(f"{k}: {v:.2f}" for k, v in sorted({**units_mod.DEFAULT_SPLIT_SHARES,
                                                                **(splits or {})}.items()))
    agg["source"] = f"rebased to units of {to.date()} (split shares {share_text})"
    agg = agg.rename(columns={"new_code": "unit_code"})
    agg["value"] = np.nan
    out = pd.concat([keep, agg[OBS_COLUMNS]], ignore_index=True)
    dup = out.duplicated(KEY, keep=False)
    if dup.any():
        raise ValueError("re-based rows collide with rows already given for the new units: "
                         + ", ".join(f"{r.indicator}/{r.unit_code}/{r.year}" for r in out[dup].itertuples()))
    notes.insert(0, f"split communes shared out with shares {share_text} (share of the old unit's counts going to "
                 "the unit that received its part; an assumption, change it with --split CODE=SHARE)")
    return _typed(out.sort_values(KEY)), notes


def _expected_members(weights: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    w = weights.merge(pairs, on="new_code")
    units = units_mod.load_units()[["code", "valid_from", "valid_to"]]
    w = w.merge(units, on=["code", "valid_from"])
    snap = pd.to_datetime(w["year"].astype(str) + "-10-31")
    w = w[(w["valid_from"] <= snap) & (w["valid_to"].isna() | (w["valid_to"] >= snap))]
    return w.groupby(["new_code", "year"], as_index=False)["code"].nunique().rename(columns={"code": "expected"})
