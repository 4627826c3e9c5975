"""Small-cell suppression of per-unit tables, primary and secondary: one rule for every output.

A per-unit cell is the count of people of one unit (a commune or an agency) in one year
for one indicator: ``numerator`` people meet the criterion out of ``denominator``. The
HTML pages, the charts, ``so-lieu-don-vi.csv``, ``so-lieu.xlsx`` and ``bao-cao.docx``
all ask :func:`suppress` which cells to hide, so no output shows what another hides.

The rule, for a threshold ``k`` (``min_cell``, default 5 people):

1. **Primary.** A denominator under ``k`` is hidden, with its numerator. A numerator
   under ``k`` is hidden, and so is a numerator whose *complement* (``denominator -
   numerator``, the people who do not meet the criterion) is under ``k``: 6 of 7 would
   otherwise point at the one person without a degree. A hidden numerator hides the
   share too (share × total gives the numerator back).
2. **Secondary.** The province's totals are published, so within each group of cells
   that add up to a published total (the same indicator and year) a hidden numerator
   or denominator must not be alone: the total minus the shown cells would give it
   back. While a group holds exactly one hidden numerator (or denominator), or its
   hidden numerators, their complements or its hidden denominators add up to fewer
   than ``k`` people, the shown cell with the smallest count is hidden as well.
   A hidden denominator always hides its numerator (a shown numerator and share
   would give the total back), and the loop runs until nothing changes.

If a group has too few shown cells to complete step 2 (say, a single unit), every
count of the group is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Cells counting fewer people than this are hidden (the reports' ``min_cell`` default).
MIN_CELL = 5


def primary(frame: pd.DataFrame, min_cell: int = MIN_CELL) -> tuple[pd.Series, pd.Series]:
    """The cells hidden for their own size: ``(numerator_hidden, denominator_hidden)`` masks.

    Parameters
    ----------
    frame : DataFrame
        ``numerator`` and ``denominator`` columns (missing values are never hidden).
    min_cell : int
        Smallest count shown.
    """
    num, den = frame["numerator"], frame["denominator"]
    den_hidden = den.notna() & (den < min_cell)
    complement = den - num
    num_hidden = den_hidden | (num.notna() & ((num < min_cell) | (complement.notna() & (complement < min_cell))))
    return num_hidden.astype(bool), den_hidden.astype(bool)


def _too_revealing(hidden: np.ndarray, counts: np.ndarray, min_cell: int) -> bool:
    """A group's hidden cells can be recovered, alone or as a total under ``min_cell``."""
    n = int(hidden.sum())
    return n == 1 or (n > 1 and float(np.nansum(counts[hidden])) < min_cell)


def _grow(hidden: np.ndarray, counts: np.ndarray, present: np.ndarray) -> bool:
    """Hide the shown cell with the smallest count; False when none is left."""
    candidates = np.flatnonzero(present & ~hidden)
    if not len(candidates):
        return False
    hidden[candidates[np.argmin(counts[candidates])]] = True
    return True


def hide_parts(parts: np.ndarray | list[float], min_cell: int = MIN_CELL) -> np.ndarray:
    """The rule on the parts of one published total: the parts to hide, as a boolean array.

    Parts of 1 to ``min_cell - 1`` are hidden; then, while the hidden parts could be recovered
    from the total (one alone, or several adding up to under ``min_cell``), the smallest positive
    shown part is hidden too (a zero only when no positive part is left).
    """
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell}")
    x = np.asarray(parts, dtype=float)
    hidden = (x > 0) & (x < min_cell)
    key = np.where(x > 0, x, np.inf)  # zeros last
    while _too_revealing(hidden, x, min_cell):
        if not _grow(hidden, key, np.ones_like(hidden)):
            break
    return hidden


def _secondary(num: np.ndarray, den: np.ndarray, num_hidden: np.ndarray, den_hidden: np.ndarray,
               min_cell: int) -> None:
    """Step 2 of the rule on one group, in place."""
    num_present, den_present = ~np.isnan(num), ~np.isnan(den)
    complement = den - num
    while True:
        num_hidden |= den_hidden
        if _too_revealing(den_hidden, den, min_cell):
            if not _grow(den_hidden, den, den_present):
                den_hidden |= den_present  # nothing left to hide with: hide the whole group
                num_hidden |= num_present
                return
            continue
        if _too_revealing(num_hidden, num, min_cell) or _too_revealing(num_hidden, complement, min_cell):
            if not _grow(num_hidden, num, num_present):
                num_hidden |= num_present
                den_hidden |= den_present
                return
            continue
        return


def suppress(frame: pd.DataFrame, min_cell: int = MIN_CELL, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """The cells of a per-unit table to hide, primary and secondary (see the module's rule).

    Parameters
    ----------
    frame : DataFrame
        One row per unit and group: ``numerator``, ``denominator`` and the ``by`` columns.
    min_cell : int
        Smallest count shown (at least 1).
    by : sequence of str
        Columns naming a group of cells that add up to a published total (the indicator's
        year; add the indicator when a frame holds several).

    Returns
    -------
    DataFrame
        ``num_hidden`` and ``den_hidden`` boolean columns on ``frame``'s index. A hidden
        numerator also hides the share.
    """
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell}")
    num_hidden, den_hidden = primary(frame, min_cell)
    out = pd.DataFrame({"num_hidden": num_hidden, "den_hidden": den_hidden}, index=frame.index)
    keys = [c for c in by if c in frame.columns]
    groups = frame.groupby(keys, sort=False, dropna=False).indices if keys else {None: np.arange(len(frame))}
    for positions in groups.values():
        num = frame["numerator"].to_numpy(dtype=float)[positions]
        den = frame["denominator"].to_numpy(dtype=float)[positions]
        nh = out["num_hidden"].to_numpy()[positions].copy()
        dh = out["den_hidden"].to_numpy()[positions].copy()
        if nh.any() or dh.any():
            _secondary(num, den, nh, dh, min_cell)
        out.iloc[positions, 0] = nh
        out.iloc[positions, 1] = dh
    return out


def masked(frame: pd.DataFrame, min_cell: int = MIN_CELL, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """``frame`` with hidden ``numerator``, ``denominator`` and ``value`` cells set to missing.

    The form the exports write (a hidden cell is an empty cell), with the masks of
    :func:`suppress` kept as ``num_hidden`` / ``den_hidden``.
    """
    hide = suppress(frame, min_cell, by)
    out = frame.copy()
    for col in ("numerator", "denominator", "value"):
        if col in out:
            out[col] = out[col].astype(float)
    out.loc[hide["num_hidden"], [c for c in ("numerator", "value") if c in out]] = np.nan
    out.loc[hide["den_hidden"], "denominator"] = np.nan
    return out.assign(num_hidden=hide["num_hidden"], den_hidden=hide["den_hidden"])
