"""Published reference figures (Vietnam-wide and other provinces) with their sources.

The province's own shares are not public; reports show these published figures beside
them as context, always with the page they came from. The table
(``data/reference/public_figures.csv``, copied from the workplace's shared folder; see
``data/reference/README.md``) has one figure a row: ``geography, level, population,
indicator, year, value, unit (percent|count), source_url, source_title``.

:data:`COMPARABLE` says which published indicators measure the same thing as a target
(same population definition and criterion, as far as the source states them); only
those are offered as reference lines by :func:`reference_series`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from forecast import config
from forecast.inputs.tables import nfc

REFERENCE_COLUMNS = ["geography", "level", "population", "indicator", "year", "value", "unit", "source_url",
                     "source_title"]
#: Target id -> (level, indicator) pairs of the published table that measure it.
#: T06 (commune-level cadres and civil servants with university+): the national figure
#: "university or higher" and other provinces' "university or postgraduate" shares.
COMPARABLE = {
    "T06": [("commune", "university_or_higher_pct"), ("commune", "university_or_postgrad_pct")],
}
#: Figures the shared README calls suspect (kept in the table, never offered as a line).
SUSPECT = [("Vietnam", "commune", "university_pct", 2020)]


def read_reference(path: Path | str | None = None) -> pd.DataFrame:
    """Read the reference table.

    Returns
    -------
    DataFrame
        :data:`REFERENCE_COLUMNS` plus ``suspect`` (bool); text in NFC, ``year`` int,
        ``value`` float (percent 0–100 or a count, see ``unit``).

    Raises
    ------
    ValueError
        If a column is missing, a value is not numeric, or a row has no source URL.
    """
    path = Path(path or config.reference_file())
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in REFERENCE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    df = df[REFERENCE_COLUMNS].apply(lambda c: c.map(nfc).str.strip())
    df["year"] = pd.to_numeric(df["year"], errors="raise").astype("int64")
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype("float64")
    nosrc = df["source_url"] == ""
    if nosrc.any():
        raise ValueError(f"{path}: rows {list(df.index[nosrc] + 2)} have no source_url")
    bad_unit = ~df["unit"].isin(["percent", "count"])
    if bad_unit.any():
        raise ValueError(f"{path}: rows {list(df.index[bad_unit] + 2)} have a unit other than percent/count")
    key = list(zip(df["geography"], df["level"], df["indicator"], df["year"], strict=True))
    df["suspect"] = [k in SUSPECT for k in key]
    return df


@lru_cache(maxsize=2)
def _cached(path: str) -> pd.DataFrame:
    return read_reference(path)


def load_reference() -> pd.DataFrame:
    """The project's reference table (cached; a copy is returned)."""
    return _cached(str(config.reference_file())).copy()


def reference_series(target_id: str) -> pd.DataFrame:
    """Published figures comparable with one target, for a reference line in reports.

    Parameters
    ----------
    target_id : str
        ``T01`` … ``T11``.

    Returns
    -------
    DataFrame
        ``geography, level, population, year, value`` (a share in [0, 1]), ``percent``,
        ``source_url``, ``source_title``; empty when no published figure measures the target.
    """
    ref = load_reference()
    pairs = COMPARABLE.get(target_id, [])
    mask = pd.Series(False, index=ref.index)
    for level, indicator in pairs:
        mask |= (ref["level"] == level) & (ref["indicator"] == indicator)
    out = ref[mask & ~ref["suspect"] & (ref["unit"] == "percent")].copy()
    out["percent"] = out["value"]
    out["value"] = out["value"] / 100.0
    cols = ["geography", "level", "population", "year", "value", "percent", "source_url", "source_title"]
    return out[cols].sort_values(["geography", "year"]).reset_index(drop=True)
