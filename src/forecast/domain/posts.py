"""Who is in post on a date: the one rule of observations, returns, the engine and the explorer.

A roster is the list of 31 October of its ``year`` and also lists that year's leavers; every
count of the workbench (a target's population, a unit's headcount, the engine's start) keeps
the people in post on the day only.
"""

from __future__ import annotations

import pandas as pd

from forecast.domain.vocabulary import is_blank

#: The day of the year a roster and an annual return describe (31 October).
SNAPSHOT_MONTH, SNAPSHOT_DAY = 10, 31


def snapshot_day(year: int) -> pd.Timestamp:
    """31 October of ``year``, the day a roster or return of that year describes."""
    return pd.Timestamp(int(year), SNAPSHOT_MONTH, SNAPSHOT_DAY)


def _dates(values: pd.Series) -> pd.Series:
    """A date column as Timestamps (text dates in ISO form are read; unreadable ones are unknown)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return pd.to_datetime(values, errors="coerce")


def in_post(roster: pd.DataFrame, on: pd.Timestamp | str | None = None) -> pd.Series:
    """Whether each row's person is in post on a day.

    The rule: hired by the day (or hire date unknown) and not yet left — no exit date
    and no exit reason, or an exit date after the day. A stated reason without a date
    means the person left during the roster's year.

    Parameters
    ----------
    roster : DataFrame
        Roster rows; the columns ``hire_date``, ``exit_date`` (Timestamps or ISO text),
        ``exit_reason`` and ``year`` are used when present (an absent column says nothing,
        so a roster without any of them has everyone in post).
    on : Timestamp or str, optional
        The day; default 31 October of each row's ``year`` (:func:`snapshot_day`), or no
        day when the roster has no ``year`` (then only the exit reason counts).

    Returns
    -------
    Series of bool
        Aligned with ``roster``.
    """
    day: pd.Series | pd.Timestamp | None
    if on is not None:
        day = pd.Timestamp(on)
    elif "year" in roster.columns:
        day = pd.to_datetime(roster["year"].astype("int64").astype(str) + f"-{SNAPSHOT_MONTH}-{SNAPSHOT_DAY}")
    else:
        day = None
    ok = pd.Series(True, index=roster.index)
    reason_left = ~is_blank(roster["exit_reason"]) if "exit_reason" in roster.columns else None
    if day is not None and "hire_date" in roster.columns:
        hire = _dates(roster["hire_date"])
        ok &= hire.isna() | (hire <= day)
    if day is not None and "exit_date" in roster.columns:
        exit_ = _dates(roster["exit_date"])
        left = exit_.notna() & (exit_ <= day)
        if reason_left is not None:
            left |= exit_.isna() & reason_left
        ok &= ~left
    elif reason_left is not None:
        ok &= ~reason_left
    return ok


__all__ = ["SNAPSHOT_DAY", "SNAPSHOT_MONTH", "in_post", "snapshot_day"]
