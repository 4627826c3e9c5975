"""The engine's cells for a cohort frame: groups, retirement buckets, starting counts and
the cells of every programme, target and succession-pool pair.

None of it depends on the scenario or the number of draws, so it is built once per
cohort frame and years (the explorer and the effort solver project one roster many times).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd

from forecast.stockflow.spec import (
    COUNT,
    DIMENSIONS,
    GROUP_KEYS,
    LEADER_POSTS,
    PROGRAMMES,
    TARGET_SPECS,
    Programme,
)

#: The names :func:`layout` returns (the engine keeps them as attributes).
NAMES = ("groups", "G", "B", "C", "base", "cell_group", "cell_bucket", "leader_group", "leader_needs",
         "appointed", "target_cells", "target_groups", "prog_cells", "prog_tiers", "pool_pairs")

_CACHE: dict = {}


def _forget(cache: dict, key, _ref) -> None:
    """Drop a memoised entry when its frame is collected (a weak reference's callback)."""
    cache.pop(key, None)


def matches(groups: pd.DataFrame, spec: Mapping) -> np.ndarray:
    """Which groups (rows) have every attribute of ``spec`` among its allowed values."""
    ok = np.ones(len(groups), dtype=bool)
    for key, allowed in spec.items():
        ok &= groups[key].isin(list(allowed)).to_numpy()
    return ok


def layout(coh: pd.DataFrame, start_year: int, end_year: int) -> dict:
    """The cells of ``coh`` projected from ``start_year`` to ``end_year``: ``{name: value}`` for :data:`NAMES`.

    Memoised per cohort frame and years, with the same weak-reference guard as
    :func:`forecast.stockflow.cohorts._cohorts_cached` (an entry dies with its frame);
    the values are shared by every projection, which only reads them.
    """
    key = (id(coh), start_year, end_year)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is coh:
        return hit[1]
    out = _build(coh, start_year, end_year)
    try:
        ref = weakref.ref(coh, partial(_forget, _CACHE, key))
    except TypeError:
        return out
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[key] = (ref, out)
    return out


def _build(coh: pd.DataFrame, start_year: int, end_year: int) -> dict:
    groups = coh[list(GROUP_KEYS)].drop_duplicates().reset_index(drop=True)
    G = len(groups)
    B = end_year - start_year + 1  # buckets: retire in start+1 … end, or later
    gidx = coh.merge(groups.reset_index().rename(columns={"index": "g"}), on=list(GROUP_KEYS))["g"]
    bucket = np.clip(coh["retire_year"].to_numpy() - (start_year + 1), 0, B - 1)
    cell = gidx.to_numpy() * B + bucket
    C = G * B
    base = {}  # starting counts (states, cells), before the draw axis
    for dim, names in DIMENSIONS.items():
        arr = np.zeros((len(names), C), dtype=COUNT)
        np.add.at(arr, (coh[dim].to_numpy(), cell), coh["count"].to_numpy())
        base[dim] = arr
    cell_group = np.repeat(np.arange(G), B)
    leader_group = groups["leader"].isin(LEADER_POSTS).to_numpy()
    # leader groups by the state-management programme their post needs (CVCC or CVC+)
    so = (groups["leader"] == "so").to_numpy()
    leader_needs = [(rows, need) for rows, need in ((np.flatnonzero(leader_group & so), [2]),
                                                    (np.flatnonzero(leader_group & ~so), [1, 2])) if rows.size]
    # posts filled by appointment rather than recruitment
    appointed = leader_group | (groups["in_pool"].to_numpy() == 1) | (groups["key_cadre"].to_numpy() == 1)
    target_cells, target_groups = {}, {}
    for tid, spec in TARGET_SPECS.items():
        gmask = matches(groups, spec.population)
        target_cells[tid] = np.flatnonzero(gmask[cell_group])
        target_groups[tid] = np.flatnonzero(gmask)
    return {"groups": groups, "G": G, "B": B, "C": C, "base": base, "cell_group": cell_group,
            "cell_bucket": np.tile(np.arange(B), G), "leader_group": leader_group, "leader_needs": leader_needs,
            "appointed": appointed, "target_cells": target_cells, "target_groups": target_groups,
            "prog_cells": {n: matches(groups, p.eligible)[cell_group] for n, p in PROGRAMMES.items()},
            "prog_tiers": {n: _tiers(groups, p)[cell_group] for n, p in PROGRAMMES.items()},
            "pool_pairs": _pool_cells(groups, leader_group, B)}


def _tiers(groups: pd.DataFrame, prog: Programme) -> np.ndarray:
    """Priority tier of every group for a programme (0 first; groups in no tier last)."""
    tiers = np.full(len(groups), len(prog.priority), dtype=int)
    for i, spec in reversed(list(enumerate(prog.priority))):
        tiers[matches(groups, spec)] = i
    return tiers


def _pool_cells(g: pd.DataFrame, leader_group: np.ndarray, B: int) -> tuple | None:
    """Cells of the (non-leader) pool groups and of the ordinary groups they swap with."""
    keys = ["category", "level", "leader", "key_cadre"]
    ordinary = g[(g["in_pool"] == 0)].reset_index().set_index(keys)["index"]
    pool = g[(g["in_pool"] == 1) & ~leader_group]
    pairs = [(i, ordinary.get(tuple(r))) for i, r in zip(pool.index, pool[keys].itertuples(index=False),
                                                           strict=True)]
    pairs = [(i, int(o)) for i, o in pairs if o is not None and np.ndim(o) == 0]
    if not pairs:
        return None
    p, o = np.array(pairs).T
    bucket = np.arange(B)
    return (p[:, None] * B + bucket).ravel(), (o[:, None] * B + bucket).ravel()
