"""The registry of Lạng Sơn's units and the crosswalks between periods.

A unit is identified by its code **and** its validity period, because codes are
reused: Thị trấn Thất Khê took xã Đại Đồng's code 06040 on 1 December 2024
(Nghị quyết 1246/NQ-UBTVQH15), and each of the 65 commune-level units created on
1 July 2025 (Nghị quyết 1672/NQ-UBTVQH15) keeps the code of one of its members.

Which unit a code means in an observation is decided by the observation's year:
annual returns describe the state on 31 October (Plan 165/KH-UBND, section IV.7),
so the unit valid on 31 October of that year is the one meant (for 2024 that is the
list before the December change; for 2025 the new units of 1 July).

Files: ``data/units.csv`` (columns ``code, name, type, level, parent, valid_from,
valid_to, source``; ``valid_to`` empty = still valid) and ``data/crosswalk_2025.csv``
(the December 2024 changes and the 1 July 2025 crosswalk, one row per (old unit, new
unit) pair, ``extent`` = ``whole``/``part``/``remainder``). Both are rebuilt by
``scripts/build_tables.py`` from the statistics office's lists.

A dataset folder of another province carries its own registry (:func:`dataset_registry`):
``units.csv`` and ``crosswalk.csv`` in the folder, or the files ``dataset.yml`` names under
``units: {registry: ..., crosswalk: ...}``; while it is active (a context, so one worker
process can load provinces one after another) every function here reads it instead of
Lạng Sơn's.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from forecast import config
from forecast.inputs.tables import per_distinct

UNIT_COLUMNS = ["code", "name", "type", "level", "parent", "valid_from", "valid_to", "source"]
LEVELS = ("tinh", "huyen", "xa")
#: Dates of the two territorial changes the registry models.
DECEMBER_2024 = pd.Timestamp("2024-12-01")
JULY_2025 = pd.Timestamp("2025-07-01")
#: Observations describe the state on 31 October of their year.
SNAPSHOT_MONTH, SNAPSHOT_DAY = 10, 31

#: Default share of a split commune's counts that goes to the unit receiving the *part*
#: (the rest goes to the unit receiving the remainder). The resolutions give no area or
#: population for the parts, so this is an assumption the user can change
#: (``forecast rebase --split CODE=SHARE``). Keys are old codes as they were before the
#: change: 06622 Bính Xá (part -> 06613 Đình Lập), 06625 Kiên Mộc (part -> 06637 Châu
#: Sơn), and 06040 xã Đại Đồng before 1/12/2024 (part -> TT Thất Khê, rest -> Đội Cấn).
DEFAULT_SPLIT_SHARES = {"06622": 0.5, "06625": 0.5, "06040": 0.5}
#: The share of a split unit not listed in the split shares (a dataset's own registry).
DEFAULT_SPLIT_SHARE = 0.5

#: A dataset folder's own registry files (default names; ``dataset.yml`` may name others).
DATASET_UNITS_FILE, DATASET_CROSSWALK_FILE = "units.csv", "crosswalk.csv"

#: The registry in force: (units file, crosswalk file), or None for the project's (Lạng Sơn's).
_ACTIVE: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("forecast_registry", default=None)


@dataclass(frozen=True)
class Unit:
    """One unit in one validity period.

    Attributes
    ----------
    code : str
        ``20`` province, 3-digit district, 5-digit commune, ``P..`` provincial agency.
    name, type, level, parent : str
        ``type`` e.g. ``xa``/``phuong``/``thi_tran``/``huyen``/``so``; ``level`` one of
        ``tinh``/``huyen``/``xa``; ``parent`` the code of the unit above.
    valid_from, valid_to : datetime.date or None
        First and last day of validity (``valid_to`` None = still valid).
    """

    code: str
    name: str
    type: str
    level: str
    parent: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str = ""


def snapshot_date(year: int) -> pd.Timestamp:
    """The reference date of an annual return: 31 October of ``year``."""
    return pd.Timestamp(int(year), SNAPSHOT_MONTH, SNAPSHOT_DAY)


def read_units(path: Path | str | None = None) -> pd.DataFrame:
    """Read a unit registry file.

    Parameters
    ----------
    path : path, optional
        Defaults to :func:`forecast.config.units_file`.

    Returns
    -------
    DataFrame
        Columns of :data:`UNIT_COLUMNS`; codes as strings (leading zeros kept),
        ``valid_from``/``valid_to`` as Timestamps (``valid_to`` NaT when open).
    """
    path = Path(path or config.units_file())
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in UNIT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    df["valid_from"] = pd.to_datetime(df["valid_from"], format="%Y-%m-%d")
    df["valid_to"] = pd.to_datetime(df["valid_to"].replace("", None), format="%Y-%m-%d")
    return df[UNIT_COLUMNS]


@lru_cache(maxsize=4)
def _cached_units(path: str) -> pd.DataFrame:
    return read_units(path)


def registry_files(data_dir: Path | str) -> tuple[Path, Path] | None:
    """A dataset folder's own registry: (units file, crosswalk file), or ``None`` (it uses Lạng Sơn's).

    ``dataset.yml`` may name the files (``units: {registry: FILE, crosswalk: FILE}``, relative
    to the folder); otherwise :data:`DATASET_UNITS_FILE` in the folder is the registry and
    :data:`DATASET_CROSSWALK_FILE` its crosswalk (without one, the registry has no changes).

    Raises
    ------
    ValueError
        ``dataset.yml`` names a registry file that is not there.
    """
    folder = Path(data_dir)
    named: dict = {}
    with contextlib.suppress(OSError, yaml.YAMLError):  # the dataset's own check reports a bad dataset.yml
        meta = yaml.safe_load((folder / "dataset.yml").read_text(encoding="utf-8"))
        named = meta.get("units") or {} if isinstance(meta, dict) else {}
    named = named if isinstance(named, dict) else {}
    registry = folder / str(named.get("registry", DATASET_UNITS_FILE))
    crosswalk = folder / str(named.get("crosswalk", DATASET_CROSSWALK_FILE))
    for key, path in (("registry", registry), ("crosswalk", crosswalk)):
        if key in named and not path.is_file():
            raise ValueError(f"{folder / 'dataset.yml'}: units.{key}: {path.name} is not in the folder")
    if not registry.is_file():
        return None
    return registry, crosswalk


@contextlib.contextmanager
def dataset_registry(data_dir: Path | str | None) -> Iterator[tuple[Path, Path] | None]:
    """Within the block, the registry is the dataset folder's own (:func:`registry_files`), if it has one."""
    files = registry_files(data_dir) if data_dir is not None else None
    token = _ACTIVE.set((str(files[0]), str(files[1])) if files else None)
    try:
        yield files
    finally:
        _ACTIVE.reset(token)


def _units_path() -> str:
    active = _ACTIVE.get()
    return active[0] if active else str(config.units_file())


def load_units() -> pd.DataFrame:
    """The unit registry in force (cached; a copy is returned): a dataset's own, else the project's."""
    return _cached_units(_units_path()).copy()


def province_code() -> str:
    """The code of the province unit of the registry in force (``20``, Lạng Sơn, for the project's)."""
    units = load_units()
    top = units.loc[(units["level"] == "tinh") & (units["parent"] == ""), "code"]
    return str(top.iloc[0]) if len(top) else config.PROVINCE_CODE


def _valid_mask(units: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    return (units["valid_from"] <= when) & (units["valid_to"].isna() | (units["valid_to"] >= when))


def units_on(date, level: str | None = None) -> pd.DataFrame:
    """The units valid on ``date``.

    Parameters
    ----------
    date : date-like
        E.g. ``"2024-10-31"``.
    level : {"tinh", "huyen", "xa"}, optional
        Keep one level only (``tinh`` holds the province and its agencies).

    Returns
    -------
    DataFrame
        Registry rows, one per unit valid that day.
    """
    units = load_units()
    out = units[_valid_mask(units, pd.Timestamp(date))]
    if level is not None:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
        out = out[out["level"] == level]
    return out.reset_index(drop=True)


def _to_unit(row: pd.Series) -> Unit:
    vt = row["valid_to"]
    return Unit(code=row["code"], name=row["name"], type=row["type"], level=row["level"],
                parent=row["parent"], valid_from=row["valid_from"].date(),
                valid_to=None if pd.isna(vt) else vt.date(), source=row["source"])


def resolve(code: str, date) -> Unit:
    """The unit that ``code`` meant on ``date``.

    Raises
    ------
    KeyError
        If the code is unknown, or names no unit valid on that date (the message lists
        the periods in which the code was valid).
    """
    units = load_units()
    code = normalise_code(code)
    rows = units[units["code"] == code]
    if rows.empty:
        raise KeyError(f"unknown unit code {code!r}")
    hit = rows[_valid_mask(rows, pd.Timestamp(date))]
    if hit.empty:
        periods = "; ".join(_period(r) for _, r in rows.iterrows())
        raise KeyError(f"unit code {code!r} names no unit on {pd.Timestamp(date).date()} (valid: {periods})")
    return _to_unit(hit.iloc[0])


def _period(row) -> str:
    end = "" if pd.isna(row["valid_to"]) else row["valid_to"].date().isoformat()
    return f"{row['name']} {row['valid_from'].date().isoformat()}..{end}"


def normalise_code(code) -> str:
    """A unit code as text; a 4-digit number gets back the leading zero Excel drops."""
    s = str(code).strip()
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    if s.isdigit() and len(s) == 4:
        s = s.zfill(5)
    return s


@per_distinct  # once per distinct code: a big roster repeats a few hundred
def normalise_codes(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_code`."""
    s = codes.astype(str).str.strip()
    s = s.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    four = s.str.fullmatch(r"\d{4}")
    return s.where(~four, s.str.zfill(5))


def resolve_codes(codes: pd.Series, years: pd.Series) -> pd.DataFrame:
    """Resolve many (code, year) pairs at once (vectorised, for validation).

    Parameters
    ----------
    codes : Series of str
        Unit codes (already normalised).
    years : Series of int
        Observation years; the unit valid on 31 October of the year is meant.

    Returns
    -------
    DataFrame
        Indexed like ``codes``: ``known`` (the code exists in some period), ``valid``
        (it names a unit on the snapshot date), and the unit's ``name``, ``level``,
        ``type``, ``valid_from`` (NaN/NaT when not valid).
    """
    units = load_units()
    left = pd.DataFrame({"code": codes.to_numpy(), "year": years.to_numpy(), "_i": np.arange(len(codes))})
    known = left["code"].isin(units["code"]).to_numpy()
    snap = pd.to_datetime(
        left["year"].astype("Int64").astype(str).where(left["year"].notna(), None) + "-10-31", errors="coerce")
    left["snap"] = snap
    m = left.merge(units[["code", "name", "level", "type", "valid_from", "valid_to"]], on="code", how="inner")
    m = m[(m["valid_from"] <= m["snap"]) & (m["valid_to"].isna() | (m["valid_to"] >= m["snap"]))]
    m = m.drop_duplicates("_i").set_index("_i")
    out = pd.DataFrame(index=np.arange(len(codes)))
    out["known"] = known
    out["valid"] = out.index.isin(m.index)
    for col in ("name", "level", "type", "valid_from"):
        out[col] = m[col].reindex(out.index)
    out.index = codes.index
    return out


def read_crosswalk(path: Path | str | None = None) -> pd.DataFrame:
    """Read the crosswalk file (December 2024 changes and the 1 July 2025 rearrangement).

    Returns
    -------
    DataFrame
        One row per (old unit, new unit) pair: ``change_date`` (Timestamp), ``old_code``,
        ``new_code``, names and types, ``extent`` (``whole``/``part``/``remainder``),
        ``source_url``.
    """
    path = Path(path or config.crosswalk_file())
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    df["change_date"] = pd.to_datetime(df["change_date"], format="%Y-%m-%d")
    return df


@lru_cache(maxsize=4)
def _cached_crosswalk(path: str) -> pd.DataFrame:
    return read_crosswalk(path)


def load_crosswalk() -> pd.DataFrame:
    """The crosswalk in force (cached; a copy is returned): a dataset's own, else the project's.

    A dataset registry without a crosswalk file has no territorial changes (an empty crosswalk).
    """
    active = _ACTIVE.get()
    path = active[1] if active else str(config.crosswalk_file())
    if active and not Path(path).is_file():
        return _cached_crosswalk(str(config.crosswalk_file())).iloc[0:0].copy()
    return _cached_crosswalk(path).copy()


def _step_weights(step: pd.DataFrame, splits: dict[str, float]) -> pd.DataFrame:
    """old_code -> new_code weights of one change date (split shares applied)."""
    w = step[["old_code", "new_code", "extent"]].copy()
    share = w["old_code"].map(splits).fillna(DEFAULT_SPLIT_SHARE)
    w["weight"] = np.where(w["extent"] == "part", share,
                           np.where(w["extent"] == "remainder", 1.0 - share, 1.0))
    return w


def rebase_weights(to="2025-07-01", splits: dict[str, float] | None = None) -> pd.DataFrame:
    """How each commune-level unit's counts map onto the units valid on ``to``.

    Composes the changes of the crosswalk dated on or before ``to`` (1 December 2024,
    then 1 July 2025). A unit untouched by a change maps onto itself.

    Parameters
    ----------
    to : date-like
        The date whose units are the target (default 1 July 2025: the 65 new units).
    splits : dict, optional
        Share (0–1) of a split unit's counts going to the unit that receives the *part*,
        by old code; defaults to :data:`DEFAULT_SPLIT_SHARES` (0.5 each).

    Returns
    -------
    DataFrame
        Columns ``code``, ``valid_from`` (identify the old unit), ``new_code``, ``weight``
        (the weights of one old unit sum to 1).
    """
    to = pd.Timestamp(to)
    shares = dict(DEFAULT_SPLIT_SHARES)
    for k, v in (splits or {}).items():
        if not 0.0 <= float(v) <= 1.0:
            raise ValueError(f"split share for {k} must be in [0, 1], got {v}")
        shares[normalise_code(k)] = float(v)
    units = load_units()
    xa = units[(units["level"] == "xa") & (units["valid_from"] < to)]
    xwalk = load_crosswalk()
    # Start: every commune-level unit valid before `to`, mapped onto itself.
    cur = pd.DataFrame({"code": xa["code"], "valid_from": xa["valid_from"], "state": xa["valid_from"],
                        "new_code": xa["code"], "weight": 1.0})
    for when in sorted(xwalk["change_date"].unique()):
        when = pd.Timestamp(when)
        if when > to:
            break
        step = _step_weights(xwalk[xwalk["change_date"] == when], shares)
        # `state` is the date whose units `new_code` refers to: only a code meaning a unit of
        # before this change may move through it (06040 meant xã Đại Đồng before 1/12/2024
        # and TT Thất Khê after: the latter must not take the former's path).
        before = cur["state"] < when
        moving = before & cur["new_code"].isin(step["old_code"])
        moved = cur[moving].merge(step, left_on="new_code", right_on="old_code", suffixes=("", "_s"))
        moved = moved.assign(new_code=moved["new_code_s"], weight=moved["weight"] * moved["weight_s"])
        cur = pd.concat([cur[~moving], moved[cur.columns]], ignore_index=True)
        cur.loc[cur["state"] < when, "state"] = when
    valid_then = units_on(to, level="xa")["code"]
    out = cur[cur["new_code"].isin(valid_then)]
    out = out.groupby(["code", "valid_from", "new_code"], as_index=False)["weight"].sum()
    return out
