"""From the generator's people to the dataset's tables: yearly rosters, the roster history,
observations and flows; :func:`generate` runs the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.domain.targets import load_targets
from forecast.inputs import units
from forecast.inputs.roster import HISTORY_COLUMNS, ROSTER_COLUMNS, aggregate
from forecast.synth.calibration import parameters
from forecast.synth.generator import _Generator
from forecast.synth.people import (
    CATEGORIES,
    DEFAULT_SEED,
    DISCLAIMER_EN,
    DISCLAIMER_VI,
    EDUCATION,
    EXIT_REASONS,
    FIELDS,
    FIRST_YEAR,
    GENERATOR_VERSION,
    LAST_YEAR,
    LEADERS,
    LEVELS,
    POLITICAL_THEORY,
    STATE_MGMT,
    _standardised,
    expected_headcount,
    load_geography,
    posts_per_commune,
)


def _iso(months: np.ndarray) -> np.ndarray:
    y, m = months // 12, months % 12 + 1
    out = np.char.add(np.char.add(np.char.zfill(y.astype(str), 4), "-"), np.char.zfill(m.astype(str), 2))
    return np.char.add(out, "-01")


def _roster_frame(gen: _Generator, year: int) -> pd.DataFrame:
    """The roster snapshot of ``year``: everyone active on 31 October (state as of that day)."""

    p = gen.p
    act = p.exit_m < 0
    sel = np.flatnonzero(act)
    a = {k: v[sel] for k, v in p.arrays.items()}
    std = _standardised(a["education"], a["political_theory"], a["state_mgmt"])
    df = pd.DataFrame({
        "person_id": np.char.add("P", np.char.zfill(a["pid"].astype(str), 6)),
        "birth_year": a["birth_year"], "birth_month": a["birth_month"],
        "sex": np.where(a["female"] == 1, "nu", "nam"),
        "category": np.array(CATEGORIES)[a["category"]], "level": np.array(LEVELS)[a["level"]],
        "unit_code": np.array(gen.geo.codes)[a["unit"]], "leader": np.array(LEADERS)[a["leader"]],
        "key_cadre": a["key_cadre"], "in_pool": a["in_pool"],
        "education": np.array(EDUCATION)[a["education"]], "field": np.array(FIELDS)[a["field"]],
        "political_theory": np.array(POLITICAL_THEORY)[a["political_theory"]],
        "state_mgmt": np.array(STATE_MGMT)[a["state_mgmt"]],
        "foreign_language": a["foreign_language"], "it_skill": a["it_skill"],
        "standard_training": a["standard_training"], "standardised": std.astype(np.int64),
        "hire_date": _iso(a["hire_m"]), "exit_date": "", "exit_reason": "", "year": year,
    })
    return df.sort_values("person_id", kind="stable").reset_index(drop=True)[list(ROSTER_COLUMNS)]


@dataclass
class SynthResult:
    """What :func:`generate` returns.

    Attributes
    ----------
    seed, scale : int, float
        The arguments of :func:`generate`.
    rosters : dict of int to DataFrame
        The 31 October roster of every year (:data:`~forecast.inputs.roster.ROSTER_COLUMNS`, text cells).
    history : DataFrame
        The same rosters as one roster history (:func:`roster_history`).
    observations, flows : DataFrame
        The annual returns aggregated from the rosters; the yearly flows.
    meta : dict
        The ``dataset.yml`` content.
    """

    seed: int
    scale: float
    rosters: dict[int, pd.DataFrame]
    observations: pd.DataFrame
    flows: pd.DataFrame
    meta: dict
    history: pd.DataFrame


def _exits_frame(gen: _Generator) -> pd.DataFrame:
    """``person_id, exit_date, exit_reason`` of everyone who left by the last return."""
    p = gen.p
    left = np.flatnonzero(p.exit_m >= 0)
    return pd.DataFrame({
        "person_id": np.char.add("P", np.char.zfill(p.pid[left].astype(str), 6)),
        "exit_date": _iso(p.exit_m[left]),
        "exit_reason": np.array(EXIT_REASONS)[p.exit_reason[left]],
    })


def roster_history(rosters: dict[int, pd.DataFrame], exits: pd.DataFrame) -> pd.DataFrame:
    """Yearly rosters as one roster history: a row per person and run of consecutive
    returns with the same record (``from_year``, ``to_year``).

    Parameters
    ----------
    rosters : dict of int to DataFrame
        Consecutive yearly rosters (text cells, ``exit_date`` empty: everyone in post).
    exits : DataFrame
        ``person_id, exit_date, exit_reason`` of the people who left; written on every
        row of the person (a person's exit is a fact about the person, not the spell).

    Returns
    -------
    DataFrame
        :data:`~forecast.inputs.roster.HISTORY_COLUMNS`, sorted by person and year;
        :func:`forecast.inputs.roster.snapshot` gives back each roster.
    """
    allr = pd.concat([r for _, r in sorted(rosters.items())], ignore_index=True)
    allr = allr.sort_values(["person_id", "year"], kind="stable").reset_index(drop=True)
    state = [c for c in ROSTER_COLUMNS if c != "year"]
    # Compare integer codes, not text: 11 years of a province are a few hundred thousand rows.
    codes = np.column_stack([pd.factorize(allr[c])[0] for c in state])
    year = allr["year"].to_numpy()
    # A new row starts with a new person, a gap in the years, or any change of the record
    # (person_id is one of the state columns).
    same = np.r_[False, (codes[1:] == codes[:-1]).all(axis=1) & (year[1:] == year[:-1] + 1)]
    spell = np.cumsum(~same)
    rows = allr[~same].copy()
    years = allr.groupby(spell)["year"].agg(["min", "max"])
    rows["from_year"] = years["min"].to_numpy()
    rows["to_year"] = years["max"].to_numpy()
    ex = exits.set_index("person_id")
    rows["exit_date"] = rows["person_id"].map(ex["exit_date"]).fillna("").to_numpy()
    rows["exit_reason"] = rows["person_id"].map(ex["exit_reason"]).fillna("").to_numpy()
    return rows[HISTORY_COLUMNS].reset_index(drop=True)


def _flows_frame(gen: _Generator) -> pd.DataFrame:
    rows = []
    for year, flow, counts in gen.flows:
        for k, c in enumerate(counts):
            rows.append((year, CATEGORIES[k // 3], LEVELS[k % 3], flow, int(c)))
    df = pd.DataFrame(rows, columns=["year", "category", "level", "flow", "count"])
    df = df.groupby(["year", "category", "level", "flow"], as_index=False, sort=True)["count"].sum()
    # Rows for groups that never exist (e.g. commune viên chức before 2025) say nothing.
    stock = df[df["flow"] == "headcount"].set_index(["year", "category", "level"])["count"]
    keep = df.set_index(["year", "category", "level"]).index.isin(stock[stock > 0].index) | (df["count"] > 0)
    return df[keep].reset_index(drop=True)


def _typed_roster(r: pd.DataFrame) -> pd.DataFrame:
    """The roster as :func:`forecast.inputs.roster.read_roster` would return it (dates as Timestamps)."""
    r = r.copy()
    r["hire_date"] = pd.to_datetime(r["hire_date"], format="%Y-%m-%d")
    r["exit_date"] = pd.NaT
    r["exit_reason"] = ""
    return r


def _observations(rosters: dict[int, pd.DataFrame], seed: int) -> pd.DataFrame:

    # One call over every snapshot: aggregate counts by (unit, year).
    obs = aggregate(_typed_roster(pd.concat([r for _, r in sorted(rosters.items())], ignore_index=True)))
    obs["source"] = f"forecast synth --seed {seed}"
    # `break` marks the first year of a target's new population definition (data/targets.yml).

    break_year = {t.id: t.break_year for t in load_targets() if t.break_year}
    first = obs["year"].to_numpy() == obs["indicator"].map(break_year).fillna(-1).to_numpy()
    obs["flags"] = np.where(first, "synthetic;break", "synthetic")
    return obs.sort_values(["indicator", "year", "unit_code"], kind="stable").reset_index(drop=True)


def province_size(prm: dict, all_communes: int, scale: float = 1.0, staff: int | None = None,
                  communes: int | None = None) -> float:
    """The generator's ``scale`` for a province asked by size.

    Parameters
    ----------
    prm : dict
        The parameters (:func:`forecast.synth.calibration.parameters`).
    all_communes : int
        The registry's communes before the 2025 merger.
    scale : float
        Size relative to Lạng Sơn; only without ``staff`` and ``communes``.
    staff : int, optional
        The 2015 headcount wanted (about; the draws decide the exact figure).
    communes : int, optional
        How many of the registry's communes the province has, each with its full posts;
        the levels above are then sized to make up ``staff`` (or in proportion to the
        communes when ``staff`` is not given).

    Returns
    -------
    float
        The scale of the levels above the commune (of every level without ``communes``).

    Raises
    ------
    ValueError
        For sizes that cannot be made; the message says why.
    """
    if staff is None and communes is None:
        out = float(scale)
    elif scale != 1.0:
        raise ValueError("give a scale or a size (staff, communes), not both")
    elif staff is not None and staff < 1:
        raise ValueError(f"staff must be a positive number of people, got {staff}")
    elif communes is not None and not 1 <= communes <= all_communes:
        raise ValueError(f"communes must be between 1 and the registry's {all_communes}, got {communes}")
    elif communes is None:
        assert staff is not None  # one of the two is given
        out = staff / expected_headcount(prm, all_communes)
    elif staff is None:
        out = communes / all_communes
    else:
        own = communes * posts_per_commune(prm)
        if staff <= own:
            raise ValueError(f"staff {staff} does not exceed the {communes} communes' own posts (about {own:.0f}): "
                             "give more staff or fewer communes")
        out = (staff - own) / float(sum(prm["headcount_2015"].values()))
    if not 0 < out <= 4:
        raise ValueError(f"scale must be in (0, 4], got {out:g}")
    return out


def generate(seed: int = DEFAULT_SEED, scale: float = 1.0, params: dict | None = None,
             keep_snapshots: bool = True, staff: int | None = None, communes: int | None = None) -> SynthResult:
    """Generate the synthetic province.

    Parameters
    ----------
    seed : int
        Seed of the numpy random generator; the same seed gives the same data.
    scale : float
        Size relative to a Lạng Sơn-sized province (1.0 ≈ 25,000 people); smaller values
        give a quick small province with the same units (for tests).
    params : dict, optional
        Overrides of :func:`forecast.synth.calibration.parameters`.
    keep_snapshots : bool
        Keep every year's roster in the result (the observations need them anyway).
    staff, communes : int, optional
        A province of another size instead of ``scale`` (:func:`province_size`): about
        ``staff`` people in 2015 and ``communes`` of the registry's communes.

    Returns
    -------
    SynthResult

    Raises
    ------
    ValueError
        For a size that cannot be made (:func:`province_size`).
    """
    prm = parameters()
    prm.update(params or {})
    geo = load_geography()
    all_communes = len(geo.on(units.snapshot_date(FIRST_YEAR), "xa"))
    scale = province_size(prm, all_communes, scale, staff, communes)
    gen = _Generator(int(seed), scale, prm, geo, communes=communes)
    gen.initial()
    gen.snapshot_flows(FIRST_YEAR)
    rosters = {FIRST_YEAR: _roster_frame(gen, FIRST_YEAR)}
    for year in range(FIRST_YEAR + 1, LAST_YEAR + 1):
        gen.step(year)
        rosters[year] = _roster_frame(gen, year)
    obs = _observations(rosters, seed)
    meta = dataset_meta(seed, scale, staff, communes)
    history = roster_history(rosters, _exits_frame(gen))
    if not keep_snapshots:
        rosters = {LAST_YEAR: rosters[LAST_YEAR]}
    return SynthResult(int(seed), scale, rosters, obs, _flows_frame(gen), meta, history)


def dataset_meta(seed: int, scale: float = 1.0, staff: int | None = None, communes: int | None = None) -> dict:
    """The ``dataset.yml`` content of a generated dataset."""
    if staff is None and communes is None:
        src = f"forecast synth --seed {seed}" + (f" --scale {scale:g}" if scale != 1.0 else "")
    else:
        src = f"forecast synth --seed {seed}" + (f" --staff {staff}" if staff is not None else "") + \
            (f" --communes {communes}" if communes is not None else "")
    meta = {
        "name": "Tỉnh mô phỏng / Synthetic demonstration province",
        "synthetic": True,
        "description_vi": DISCLAIMER_VI,
        "description_en": DISCLAIMER_EN,
        "source": src,
        "generator": "forecast.synth",
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "scale": float(scale),
        "years": [FIRST_YEAR, LAST_YEAR],
        "roster_year": LAST_YEAR,
        "roster_history_years": [FIRST_YEAR, LAST_YEAR],
    }
    if staff is not None or communes is not None:
        meta.update({"staff": staff, "communes": communes})
    return meta
