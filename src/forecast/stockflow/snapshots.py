"""The roster as of a year: the snapshot a projection starts from.

Tried in this order:

1. the roster itself when it is the snapshot of that year (no history read);
2. the dataset's roster history (:func:`forecast.inputs.roster.roster_as_of`: the
   ``roster_history.csv.gz`` of the dataset folder, one row per person and run of
   unchanged years);
3. the rows of that year when the roster holds yearly snapshots (a ``year`` column with
   several years);
4. a ``snapshots/roster_<year>.csv[.gz]`` file in the dataset's folder (what
   ``forecast synth --snapshots`` writes).

Without any of them a projection from that year is refused: relabelling the latest snapshot
as an earlier year would start every target from the wrong value.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.inputs import roster as roster_io


class NoSnapshot(ValueError):
    """The dataset holds no roster for the year asked."""


def roster_years(roster: pd.DataFrame | None) -> list[int]:
    """The snapshot years present in a roster frame (its ``year`` column)."""
    if roster is None or "year" not in roster or not len(roster):
        return []
    return sorted(int(y) for y in pd.to_numeric(roster["year"], errors="coerce").dropna().unique())


def _snapshot_file(folder: Path | None, year: int) -> Path | None:
    if folder is None:
        return None
    for name in (f"roster_{year}.csv.gz", f"roster_{year}.csv"):
        path = Path(folder) / "snapshots" / name
        if path.exists():
            return path
    return None


def available_years(dataset) -> list[int]:
    """Every year for which :func:`roster_snapshot` finds a roster."""
    years = set(roster_years(getattr(dataset, "roster", None)))
    if callable(getattr(dataset, "roster_years", None)):
        years |= set(dataset.roster_years())
    folder = getattr(dataset, "path", None)
    if folder is not None and (Path(folder) / "snapshots").is_dir():
        for path in (Path(folder) / "snapshots").glob("roster_*.csv*"):
            stem = path.name.split(".")[0].removeprefix("roster_")
            if stem.isdigit():
                years.add(int(stem))
    return sorted(years)


def roster_snapshot(dataset, year: int) -> pd.DataFrame:
    """The roster as of 31 October ``year``: one row per person, ``year`` column = ``year``.

    Parameters
    ----------
    dataset : Dataset or DataFrame
        A :class:`forecast.inputs.dataset.Dataset` (its roster, its folder's
        ``snapshots/``) or a bare roster frame.
    year : int
        The snapshot year.

    Returns
    -------
    DataFrame

    Raises
    ------
    NoSnapshot
        When no roster of that year is found; the message names the years available.
    """
    year = int(year)
    if isinstance(dataset, pd.DataFrame):
        frame, folder = dataset, None
    else:
        frame, folder = getattr(dataset, "roster", None), getattr(dataset, "path", None)
    years = roster_years(frame)
    if years == [year]:
        return frame
    if not isinstance(dataset, pd.DataFrame):
        out = roster_io.roster_as_of(dataset, year)
        if out is not None and len(out):
            return out
    if year in years:
        return frame[pd.to_numeric(frame["year"], errors="coerce") == year].reset_index(drop=True)
    path = _snapshot_file(folder, year)
    if path is not None:
        return roster_io.read_roster(path)
    known = available_years(dataset) if not isinstance(dataset, pd.DataFrame) else years
    where = f" in {folder}" if folder is not None else ""
    raise NoSnapshot(
        f"no roster snapshot for {year}{where}: the roster holds "
        f"{', '.join(map(str, known)) or 'no dated snapshot'}. A projection starts from the roster "
        f"as of its start year; add a roster history covering it (roster_history.csv.gz), that "
        f"year's snapshot (snapshots/roster_{year}.csv.gz) or start from "
        f"{known[-1] if known else 'the roster year'}.")
