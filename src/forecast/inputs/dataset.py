"""A data folder → :class:`Dataset`: the one input shape every later model reads.

A dataset folder holds (docs/architecture.md, "Dataset folder"):

* ``dataset.yml``: ``name``, ``synthetic`` (true/false), ``description_vi``,
  ``description_en``, ``source``;
* ``observations.csv`` (tidy observations) and/or ``returns/`` (filled annual-return
  workbooks ``*.xlsx`` or tidy ``*.csv``);
* optionally ``roster.csv`` or ``roster.csv.gz`` (the latest snapshot),
  ``roster_history.csv`` or ``roster_history.csv.gz`` (every return of a period, one row per
  person and run of unchanged years: docs/architecture.md, "Roster history") and
  ``flows.csv`` (yearly hires, exits and upgrades, for the stock-flow baseline).

:func:`load_dataset` checks everything, collects every problem of every file and
raises one :class:`~forecast.inputs.tables.ValidationError`; nothing is half-loaded. The
one exception is the roster history, large and needed by few commands: it is read and
checked in full on first use (:attr:`Dataset.roster_history`), or at once with
``load_dataset(path, history=True)`` and by :func:`check_dataset` (``forecast validate``).
When a folder has a history or a roster but no observations, the observations are their
aggregate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecast import config
from forecast.inputs.flows import check_flows
from forecast.inputs.observations import add_flag, check_observations, combine, empty_observations
from forecast.inputs.returns import read_return
from forecast.inputs.roster import ROSTER_COLUMNS, aggregate, check_roster, history_years, snapshot
from forecast.inputs.roster_history import check_roster_history
from forecast.inputs.tables import (
    Problem,
    ValidationError,
    YamlError,
    file_kind,
    load_yaml,
    raise_if,
    read_text_table,
)
from forecast.inputs.units import dataset_registry

META_FILE = "dataset.yml"
META_REQUIRED = ("name", "synthetic")
META_OPTIONAL = ("description_vi", "description_en", "source")


@dataclass
class Dataset:
    """A checked data folder.

    Attributes
    ----------
    observations : DataFrame
        :data:`forecast.inputs.observations.OBS_COLUMNS` (flag ``synthetic`` on every row of a
        synthetic dataset).
    roster : DataFrame or None
        :data:`forecast.inputs.roster.ROSTER_COLUMNS`, when the folder has one.
    flows : DataFrame or None
        ``flows.csv`` as read (columns as the stock-flow engine defines them).
    meta : dict
        The contents of ``dataset.yml``.
    synthetic : bool
        Whether the data are invented (reports must say so).
    files : list of Path
        Every input file read, for provenance (:meth:`provenance`).
    path : Path
        The folder.
    roster_history : DataFrame or None
        :data:`forecast.inputs.roster.HISTORY_COLUMNS`, when the folder has a roster
        history; :meth:`roster_as_of` gives any year's roster from it. The largest file
        and not needed by most commands, it is read and checked on first use unless
        :func:`load_dataset` was asked for it (``forecast validate`` always checks it); a
        problem then raises :class:`~forecast.inputs.tables.ValidationError` at that point.
    history_file : Path or None
        The roster history file, when there is one.
    """

    observations: pd.DataFrame
    roster: pd.DataFrame | None
    flows: pd.DataFrame | None
    meta: dict
    synthetic: bool
    files: list[Path] = field(default_factory=list)
    path: Path | None = None
    history_file: Path | None = None
    _history: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def roster_history(self) -> pd.DataFrame | None:
        """The roster history (read and checked on first use; None without one)."""
        if self._history is None and self.history_file is not None:
            with dataset_registry(Path(self.history_file).parent):  # read later: its folder's registry again
                frame, problems = _read_checked(self.history_file, check_roster_history)
            raise_if(problems)
            self._history = frame
        return self._history

    @roster_history.setter
    def roster_history(self, frame: pd.DataFrame | None) -> None:
        self._history = frame

    @property
    def name(self) -> str:
        """The dataset's name from ``dataset.yml``."""
        return str(self.meta.get("name", ""))

    def roster_years(self) -> list[int]:
        """The years whose roster :meth:`roster_as_of` can give (from the history, else the roster's own)."""
        history = self.roster_history
        if history is not None and not history.empty:
            first, last = history_years(history)
            return list(range(first, last + 1))
        if self.roster is not None and not self.roster.empty:
            return sorted(int(y) for y in self.roster["year"].unique())
        return []

    def roster_as_of(self, year: int) -> pd.DataFrame:
        """The roster as of 31 October ``year``.

        From the roster history (:func:`forecast.inputs.roster.snapshot`) when the folder
        has one, else the roster file's rows of that year.

        Raises
        ------
        ValueError
            When no roster of that year is known; the message names the years there are.
        """
        year = int(year)
        if year not in self.roster_years():
            years = self.roster_years()
            known = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "no year")
            raise ValueError(f"no roster as of 31 October {year} in {self.path}: the dataset has rosters for "
                             f"{known} (a roster_history.csv.gz gives every year it covers)")
        history = self.roster_history
        if history is not None and not history.empty:
            return snapshot(history, year)
        assert self.roster is not None  # roster_years() is empty otherwise
        return self.roster[self.roster["year"] == year].reset_index(drop=True)

    def provenance(self) -> list[dict]:
        """``[{"path", "sha256", "bytes"}]`` of every input file, paths relative to the folder."""
        out = []
        for f in self.files:
            digest = hashlib.sha256(Path(f).read_bytes()).hexdigest()
            rel = Path(f).relative_to(self.path) if self.path and Path(f).is_relative_to(self.path) else Path(f)
            out.append({"path": rel.as_posix(), "sha256": digest, "bytes": Path(f).stat().st_size})
        return out


def _read_meta(folder: Path) -> tuple[dict, list[Problem]]:
    path = folder / META_FILE
    shown = str(path)
    if not path.exists():
        return {}, [Problem(shown, None, None, None, f"missing {META_FILE} (name, synthetic, description_vi, "
                            "description_en, source)")]
    try:
        meta = load_yaml(path, shown) or {}
    except YamlError as exc:  # includes aliases, refused: a few lines could expand to billions of nodes
        return {}, [exc.problem]
    if not isinstance(meta, dict):
        return {}, [Problem(shown, None, 1, None, "expected key: value lines")]
    problems = [Problem(shown, None, None, k, f"missing key '{k}'") for k in META_REQUIRED if k not in meta]
    if "synthetic" in meta and not isinstance(meta["synthetic"], bool):
        problems.append(Problem(shown, None, None, "synthetic", "synthetic must be true or false"))
    return meta, problems


def _inputs(folder: Path) -> dict:
    returns = folder / "returns"
    ret_files = sorted(p for p in returns.iterdir() if p.is_file() and file_kind(p) in ("excel", "text")
                       and not p.name.startswith(("~$", "."))) if returns.is_dir() else []
    roster = next((folder / n for n in ("roster.csv", "roster.csv.gz") if (folder / n).exists()), None)
    history = next((folder / n for n in ("roster_history.csv", "roster_history.csv.gz") if (folder / n).exists()),
                   None)
    obs = folder / "observations.csv"
    flows = folder / "flows.csv"
    return {"observations": obs if obs.exists() else None, "returns": ret_files, "roster": roster,
            "flows": flows if flows.exists() else None, "history": history}



def _read_checked(path, check):
    """Read a text table and run ``check`` on it: (frame or None, problems)."""
    table, problems = read_text_table(path)
    if table is None:
        return None, problems
    frame, more = check(table)
    return frame, problems + more

def _load(folder: Path, history: bool = True) -> tuple[Dataset | None, list[Problem]]:
    """Read and check a folder; the roster history only with ``history`` (else left for
    :attr:`Dataset.roster_history` to read on first use)."""

    problems: list[Problem] = []
    if not folder.is_dir():
        return None, [Problem(str(folder), None, None, None, "no such dataset folder")]
    meta, p = _read_meta(folder)
    problems += p
    files = [folder / META_FILE] if (folder / META_FILE).exists() else []
    found = _inputs(folder)
    frames = []
    if found["observations"] is not None:
        files.append(found["observations"])
        f, p = _read_checked(found["observations"], check_observations)
        frames.append(f)
        problems += p
    for r in found["returns"]:
        files.append(r)
        if file_kind(r) == "excel":
            f, p = read_return(r)
        else:
            f, p = _read_checked(r, check_observations)
        frames.append(f)
        problems += p
    roster = flows = None
    if found["roster"] is not None:
        files.append(found["roster"])
        roster, p = _read_checked(found["roster"], check_roster)
        problems += p
    hist = None
    if found["history"] is not None:
        files.append(found["history"])
        # Needed now to check it, or when nothing else gives the observations.
        if history or (found["observations"] is None and not found["returns"]):
            hist, p = _read_checked(found["history"], check_roster_history)
            problems += p
    if hist is not None and roster is not None and not problems:
        problems += _roster_matches_history(roster, hist, found["roster"], found["history"])
    if found["flows"] is not None:
        files.append(found["flows"])
        # checked like observations, and against the roster when there is one
        flows, p = _read_checked(found["flows"], lambda t: check_flows(t, roster))
        problems += p
    if found["observations"] is None and not found["returns"] and found["roster"] is None and \
            found["history"] is None:
        problems.append(Problem(str(folder), None, None, None,
                                "no observations.csv, returns/, roster.csv or roster_history.csv: nothing to read"))
    if problems:
        return None, problems
    try:
        obs = combine(frames)
    except ValidationError as exc:
        return None, exc.problems
    if obs.empty and hist is not None and not hist.empty:
        # every return the history covers, counted like a roster of several years
        first, last = history_years(hist)
        every = pd.concat([snapshot(hist, y) for y in range(first, last + 1)], ignore_index=True)
        obs = aggregate(every, source=found["history"].name)
    elif obs.empty and roster is not None:
        obs = aggregate(roster, source=found["roster"].name)
    synthetic = bool(meta.get("synthetic", False))
    if synthetic and not obs.empty:
        obs["flags"] = add_flag(obs["flags"], "synthetic")
    if obs.empty:
        obs = empty_observations()
    return Dataset(observations=obs, roster=roster, flows=flows, meta=meta, synthetic=synthetic,
                   files=files, path=folder, history_file=found["history"], _history=hist), []


def _roster_matches_history(roster: pd.DataFrame, history: pd.DataFrame, roster_file: Path,
                            history_file: Path) -> list[Problem]:
    """A folder's roster and its history must tell the same story for the roster's year(s):
    the same people with the same records (exits after the snapshot aside)."""
    if roster.empty or history.empty:
        return []
    first, last = history_years(history)
    problems = []
    for year in sorted(int(y) for y in roster["year"].unique()):
        if not first <= year <= last:
            continue
        mine = roster[roster["year"] == year].set_index("person_id")
        theirs = snapshot(history, year).set_index("person_id")
        only = sorted(set(mine.index) ^ set(theirs.index))
        if only:
            problems.append(Problem(str(roster_file), None, None, "person_id",
                                    f"{len(only)} people are in the {year} roster or in {history_file.name}'s "
                                    f"{year} snapshot but not both (e.g. '{only[0]}')"))
        both = mine.index.intersection(theirs.index)
        cols = [c for c in ROSTER_COLUMNS if c not in ("person_id", "year", "exit_date", "exit_reason")]
        a, b = mine.loc[both, cols], theirs.loc[both, cols]
        differ = (a != b) & ~(a.isna() & b.isna())
        for c in cols:
            if differ[c].any():
                example = differ.index[differ[c].to_numpy()][0]
                problems.append(Problem(str(roster_file), None, None, c,
                                        f"{int(differ[c].sum())} people's '{c}' in the {year} roster differs from "
                                        f"{history_file.name} (e.g. '{example}')"))
    return problems


def check_dataset(path: Path | str) -> list[Problem]:
    """Every problem of a dataset folder (empty list when it loads)."""
    with dataset_registry(path):  # the folder's own unit registry, if it has one
        _ds, problems = _load(Path(path), history=True)
    return problems


def load_dataset(path: Path | str | None = None, history: bool = False) -> Dataset:
    """Load and check a dataset folder.

    Parameters
    ----------
    path : path, optional
        Defaults to :func:`forecast.config.demo_dir` (the synthetic demo province).
    history : bool
        Read and check the roster history now (default: on first use of
        :attr:`Dataset.roster_history`, as most commands never need it).

    Returns
    -------
    Dataset

    Raises
    ------
    ValidationError
        With every problem of every file in the folder.
    """
    folder = Path(path) if path is not None else config.demo_dir()
    with dataset_registry(folder):  # the folder's own unit registry, if it has one
        ds, problems = _load(folder, history=history)
    raise_if(problems)
    assert ds is not None  # _load returns a dataset whenever it finds no problem
    return ds
