"""Whole-column questions about text cells, answered without a Python call per cell.

A million-row roster has 22 million cells. Asking each of them "do you start with a
space?" from Python costs tens of seconds; joining a column into one string (one C
loop) and searching that string answers the same question in milliseconds. The
answers here are conservative: a True may be a false alarm (the caller then takes the
exact, slower path), a False is always right.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Joins the cells of a column: a character no cell of a checked text file holds.
_SEP = "\x00"
#: A separator (or either end) beside white space: a cell that starts or ends with it.
_EDGE_SPACE = re.compile(r"(?:\A|\x00)\s|\s(?:\x00|\Z)")
#: ASCII characters ``str.isspace`` accepts (``\s`` of a ``str`` pattern matches the same).
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _joined(values: np.ndarray) -> str | None:
    """The cells joined by NUL, or None when a cell is not text or holds a NUL itself."""
    try:
        joined = _SEP.join(values)
    except TypeError:  # a cell that is not text (a missing value from a workbook)
        return None
    return joined if joined.count(_SEP) == max(len(values) - 1, 0) else None


def _edge_space(joined: str | None) -> bool:
    """Whether some cell of a joined column may start or end with white space (what
    ``str.strip`` removes); True when the column could not be joined."""
    if joined is None:
        return True
    if joined.isascii() and not any(ch in joined for ch in _ASCII_SPACE):
        return False  # the usual machine export: not one space anywhere in the column
    return _EDGE_SPACE.search(joined) is not None


def may_start_with(values: np.ndarray, words: tuple[str, ...]) -> bool:
    """Whether some cell may start with one of ``words`` (compared in lower case).

    False when none of the words occurs anywhere in the column (lower-cased), so the
    caller's exact per-cell match is needed only for a column that holds one.
    """
    joined = _joined(values)
    if joined is None:
        return True
    low = joined.lower()
    return any(w in low for w in words)


def upper_keys(values: np.ndarray) -> np.ndarray | None:
    """The cells in upper case, to compare identifiers regardless of case.

    Returns
    -------
    ndarray of object or None
        None when upper case changes no cell (so comparing the cells as they are is the
        same); else the upper-cased cells, aligned with ``values``.
    """
    joined = _joined(values)
    if joined is None:
        upper = np.array([str(v).upper() for v in values], dtype=object)
        return None if bool((upper == np.asarray(values, dtype=object)).all()) else upper
    up = joined.upper()
    if up == joined:
        return None
    parts = up.split(_SEP) if len(values) else []
    return np.array(parts, dtype=object)


def _strip(col: pd.Series) -> pd.Series:
    """The cells trimmed: per distinct value when few (fast), else cell by cell."""
    uniq = pd.unique(col)
    if len(uniq) * 4 < len(col):
        return col.map({u: u.strip() if isinstance(u, str) else u for u in uniq})
    return col.str.strip()


def trim_and_find_blank(df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Trim the cells of a table of text and find its blank rows and each row's first filled cell.

    Each column is joined into one string once, which tells whether any cell has white
    space to trim and whether any cell is empty: a clean, full column (most of a big
    export) is neither copied nor compared cell by cell.

    Returns
    -------
    (frame, blank, first)
        The frame (the same object when no cell needed trimming; else with the trimmed
        columns replaced), a mask of rows with no filled cell, and each row's first filled
        cell (None for blank rows).
    """
    n = len(df)
    first = np.full(n, None, dtype=object)
    unset = np.ones(n, bool)  # rows whose first filled cell is not known yet
    changed = {}
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        values = col.to_numpy()
        joined = _joined(values)
        trim = _edge_space(joined)
        if trim:
            col = _strip(col)
            values = col.to_numpy()
            changed[j] = col
        full = not trim and joined is not None and n > 0 and joined[:1] != _SEP and joined[-1:] != _SEP and \
            (_SEP + _SEP) not in joined and (n > 1 or joined != "")
        if not unset.any():
            continue
        if full:  # every cell of the column is filled
            first[unset] = values[unset]
            unset[:] = False
        else:
            filled = unset & (values != "")
            first[filled] = values[filled]
            unset &= ~filled
    if changed:  # only the trimmed columns are replaced: a big clean file is not copied
        df = df.copy(deep=False)
        for j, col in changed.items():
            df.isetitem(j, col)
    return df, unset, first


def factorize_text(values: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of a column of text cells; a missing cell counts as empty text.

    ``uniques[codes]`` gives the column back (missing cells as ``""``). Unlike
    ``pd.factorize(..., use_na_sentinel=False)`` this makes no separate pass over the column
    to find missing values, which halves the time on a million object cells.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    uniques = np.asarray(uniques, dtype=object)
    if len(codes) and codes.min() < 0:
        uniques = np.append(uniques, np.array([""], dtype=object))
        codes = np.where(codes < 0, len(uniques) - 1, codes)
    return codes, uniques
