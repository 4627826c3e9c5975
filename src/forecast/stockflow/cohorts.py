"""Roster snapshot → cohort counts: cells of (group × retirement year) with the count of
members in each state of every qualification dimension."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from forecast.domain import posts, retirement, vocabulary
from forecast.stockflow.spec import (
    DIMENSIONS,
    GROUP_KEYS,
    IT,
    LANGUAGE,
    ROSTER_COLUMNS,
    STANDARD,
    STATE_MEMBERS,
)

# ---------------------------------------------------------------------------------------
# Roster -> cohorts
# ---------------------------------------------------------------------------------------


def _factor(values, missing: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and labels of a text column, stripped, computed once per distinct value.

    Rosters are long and have few distinct values per column: every string operation runs
    on the distinct values only. Missing values get the label ``missing``.
    """
    codes, uniques = pd.factorize(pd.Series(values), use_na_sentinel=True)
    clean = [str(u).strip() for u in uniques]
    if (codes < 0).any():
        clean.append(missing)  # the sentinel -1 picks this last entry
    if not clean:
        return codes, np.array([], dtype=str)
    labels, lut = np.unique(np.array(clean, dtype=str), return_inverse=True)
    return lut.ravel()[codes], labels


def _text(values, missing: str = "") -> np.ndarray:
    """Stripped strings of a column (see :func:`_factor`)."""
    codes, labels = _factor(values, missing)
    return labels.astype(object)[codes]


#: 0/1 from a yes/no column (numbers, booleans or words such as ``co``/``khong``): the one
#: yes/no rule, :func:`forecast.domain.vocabulary.read_yes_no`.
_flag = vocabulary.flag


def _codes(values, mapping: dict, column: str, missing: str = "none") -> np.ndarray:
    """State codes of a column through ``mapping``; unknown values are named with their rows."""
    codes, labels = _factor(values, missing)
    bad = [str(v) for v in labels if v not in mapping]
    if bad:
        rows = list(np.flatnonzero(np.isin(labels[codes], bad))[:5])
        raise ValueError(f"roster column {column!r}: unknown value(s) {bad[:5]} (rows {rows})")
    lut = np.array([mapping[v] for v in labels], dtype=np.int64)
    return lut[codes]


def active_staff(roster: pd.DataFrame) -> pd.DataFrame:
    """Rows of people in post on 31 October of the snapshot year.

    The one rule, :func:`forecast.domain.posts.in_post` (hired by then, not yet left), so the
    engine starts from the values the observations report; a roster without dates or exit
    reasons counts everyone.
    """
    return roster[posts.in_post(roster).to_numpy()]


def retirement_years(roster: pd.DataFrame) -> np.ndarray:
    """The first 31 October snapshot at which each person has retired.

    A person reaching the statutory age in month ``m`` of year ``y`` counts as retired
    from the first day of month ``m + 1`` (:mod:`forecast.domain.retirement`), so they are gone
    from the ``y`` snapshot if ``m`` ≤ September, else from the ``y + 1`` snapshot.
    Computed once per distinct (birth year, birth month, sex).
    """
    sex_code, sex_labels = _factor(roster["sex"], "")
    by = roster["birth_year"].to_numpy(np.int64)
    bm = roster["birth_month"].to_numpy(np.int64)
    key = (by * 13 + bm) * len(sex_labels) + sex_code
    uniq, inv = np.unique(key, return_inverse=True)
    u_sex = sex_labels[uniq % len(sex_labels)]
    u_bm = (uniq // len(sex_labels)) % 13
    u_by = (uniq // len(sex_labels)) // 13
    ry, rm = retirement.retirement_date(u_by, u_bm, u_sex)
    return np.where(rm <= 9, ry, ry + 1)[inv.ravel()]


def _state_of(dim: str, blank: bool = True) -> dict[str, int]:
    """Roster code → state of ``dim`` (:data:`STATE_MEMBERS`); a blank cell is the first state."""
    out = {v: k for k, members in enumerate(STATE_MEMBERS[dim]) for v in members[dim]}
    return {**out, "": 0} if blank else out


#: Education code → 0 below university, 1 university, 2 post-graduate (split by field below).
_EDUCATION_STATE = {code: min(state, 2) for code, state in _state_of("education", blank=False).items()}


def states(roster: pd.DataFrame) -> pd.DataFrame:
    """Each person's state code on every qualification dimension (see :data:`DIMENSIONS`)."""
    edu = _codes(roster["education"], _EDUCATION_STATE, "education", missing="(empty)")
    key_field = _text(roster["field"], "khac") != "khac"
    education = np.where(edu == 2, np.where(key_field, 2, 3), edu)
    return pd.DataFrame({
        "education": education,
        "political_theory": _codes(roster["political_theory"], _state_of("political_theory"), "political_theory"),
        "state_mgmt": _codes(roster["state_mgmt"], _state_of("state_mgmt"), "state_mgmt"),
        "skills": (_flag(roster["foreign_language"]) * LANGUAGE + _flag(roster["it_skill"]) * IT
                   + _flag(roster["standard_training"]) * STANDARD),
        "standardised": _flag(roster["standardised"]),
    }, index=roster.index)


def _check_roster(roster: pd.DataFrame) -> None:
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise ValueError(f"roster lacks column(s) {missing} needed by the stock-flow engine")


_COHORT_CACHE: dict = {}


def _forget(key: int, _ref) -> None:
    """Drop a memoised roster's cohorts when the roster is collected (a weak reference's callback)."""
    _COHORT_CACHE.pop(key, None)


def _cohorts_cached(roster: pd.DataFrame) -> pd.DataFrame:
    """:func:`cohorts` memoised per roster object (the explorer projects one roster often).

    Keyed by the object's id, checked against a weak reference so that a new frame
    reusing a freed id is never served stale counts; a frame mutated in place is not
    detected, so callers treat rosters as immutable (the dataset loader does).
    """
    import weakref

    key = id(roster)
    hit = _COHORT_CACHE.get(key)
    if hit is not None and hit[0]() is roster and hit[1] == roster.shape:
        return hit[2]
    out = cohorts(roster)
    try:
        ref = weakref.ref(roster, partial(_forget, key))
    except TypeError:
        return out
    if len(_COHORT_CACHE) > 16:
        _COHORT_CACHE.clear()
    _COHORT_CACHE[key] = (ref, roster.shape, out)
    return out


def cohorts(roster: pd.DataFrame) -> pd.DataFrame:
    """Aggregate a roster snapshot into the cohort counts the engine starts from.

    Parameters
    ----------
    roster : DataFrame
        One row per person in the roster format of ``docs/architecture.md``; people with
        an ``exit_reason`` are left out (they left during the snapshot year).

    Returns
    -------
    DataFrame
        One row per (group, retirement year, joint qualification state) with ``count``:
        columns :data:`GROUP_KEYS`, ``retire_year`` (first snapshot without them) and one
        column per :data:`DIMENSIONS` entry holding state codes. Only aggregates: no
        individual record survives.
    """
    _check_roster(roster)
    active = active_staff(roster)
    # group on integer codes (fast on millions of rows), then put the labels back
    cols, labels = {}, {}
    for key, missing in (("category", ""), ("level", ""), ("leader", "none")):
        cols[key], lab = _factor(active[key], missing)
        labels[key] = np.where(lab == "", missing, lab).astype(object)
    cols["key_cadre"] = _flag(active["key_cadre"])
    cols["in_pool"] = _flag(active["in_pool"])
    cols["retire_year"] = retirement_years(active)
    frame = pd.DataFrame(cols)
    for dim, codes in states(active).items():
        frame[dim] = codes.to_numpy()
    keys = [*GROUP_KEYS, "retire_year", *DIMENSIONS]
    out = frame.groupby(keys, sort=False).size().rename("count").reset_index()
    for key, lab in labels.items():
        out[key] = lab[out[key].to_numpy()]
    out["key_cadre"] = out["key_cadre"].astype(int)
    out["in_pool"] = out["in_pool"].astype(int)
    # labels that differed only by spaces or emptiness now coincide: add them up
    return out.groupby(keys, sort=True)["count"].sum().reset_index()


