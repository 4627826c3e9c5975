"""A data folder → :class:`Dataset`: the one input shape every later model reads.

A dataset folder holds (docs/architecture.md, "Dataset folder"):

* ``dataset.yml``: ``name``, ``synthetic`` (true/false), ``description_vi``,
  ``description_en``, ``source``;
* ``observations.csv`` (tidy observations) and/or ``returns/`` (filled annual-return
  workbooks ``*.xlsx`` or tidy ``*.csv``);
* optionally ``roster.csv`` or ``roster.csv.gz`` (the latest snapshot) and ``flows.csv``
  (yearly hires, exits and upgrades, for the stock-flow baseline).

:func:`load_dataset` checks everything, collects every problem of every file and
raises one :class:`~forecast.inputs.tables.ValidationError`; nothing is half-loaded. When a
folder has a roster but no observations, the observations are the roster's aggregate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from forecast import config
from forecast.inputs.observations import add_flag, check_observations, combine, empty_observations
from forecast.inputs.returns import read_return
from forecast.inputs.roster import aggregate, check_roster
from forecast.inputs.tables import (
    Problem,
    ValidationError,
    file_kind,
    parse_numbers,
    raise_if,
    read_text_table,
)

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
    """

    observations: pd.DataFrame
    roster: pd.DataFrame | None
    flows: pd.DataFrame | None
    meta: dict
    synthetic: bool
    files: list[Path] = field(default_factory=list)
    path: Path | None = None

    @property
    def name(self) -> str:
        """The dataset's name from ``dataset.yml``."""
        return str(self.meta.get("name", ""))

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
        meta = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        return {}, [Problem(shown, None, mark.line + 1 if mark else None, None, f"not valid YAML: {exc}")]
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
    obs = folder / "observations.csv"
    flows = folder / "flows.csv"
    return {"observations": obs if obs.exists() else None, "returns": ret_files, "roster": roster,
            "flows": flows if flows.exists() else None}



def _read_checked(path, check):
    """Read a text table and run ``check`` on it: (frame or None, problems)."""
    table, problems = read_text_table(path)
    if table is None:
        return None, problems
    frame, more = check(table)
    return frame, problems + more

def _load(folder: Path) -> tuple[Dataset | None, list[Problem]]:

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
    if found["flows"] is not None:
        files.append(found["flows"])
        flows, p = _read_checked(found["flows"], _check_flows)
        problems += p
    if found["observations"] is None and not found["returns"] and found["roster"] is None:
        problems.append(Problem(str(folder), None, None, None,
                                "no observations.csv, returns/ or roster.csv: nothing to read"))
    if problems:
        return None, problems
    try:
        obs = combine(frames)
    except ValidationError as exc:
        return None, exc.problems
    if obs.empty and roster is not None:
        obs = aggregate(roster, source=found["roster"].name)
    synthetic = bool(meta.get("synthetic", False))
    if synthetic and not obs.empty:
        obs["flags"] = add_flag(obs["flags"], "synthetic")
    if obs.empty:
        obs = empty_observations()
    return Dataset(observations=obs, roster=roster, flows=flows, meta=meta, synthetic=synthetic,
                   files=files, path=folder), []


def _check_flows(table) -> tuple[pd.DataFrame, list[Problem]]:
    """Light checks of ``flows.csv``: a ``year`` column of years, other columns numeric or text codes."""

    df = table.frame
    if "year" not in df.columns:
        return df, [table.whole("missing required column 'year'", column="year", row=1)]
    years, bad, msg = parse_numbers(df["year"])
    problems = table.at(bad, "year", msg)
    problems += table.at(~bad & (years.isna() | (years % 1 != 0)), "year", "year is empty or not a whole number")
    out = df.copy()
    out["year"] = years
    for c in df.columns:
        if c == "year":
            continue
        vals, vbad, _ = parse_numbers(df[c])
        if not vbad.any():  # a numeric column: keep it numeric
            out[c] = vals
    return out, problems


def check_dataset(path: Path | str) -> list[Problem]:
    """Every problem of a dataset folder (empty list when it loads)."""
    _ds, problems = _load(Path(path))
    return problems


def load_dataset(path: Path | str | None = None) -> Dataset:
    """Load and check a dataset folder.

    Parameters
    ----------
    path : path, optional
        Defaults to :func:`forecast.config.demo_dir` (the synthetic demo province).

    Returns
    -------
    Dataset

    Raises
    ------
    ValidationError
        With every problem of every file in the folder.
    """
    ds, problems = _load(Path(path) if path is not None else config.demo_dir())
    raise_if(problems)
    return ds
