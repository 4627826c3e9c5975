"""How programme places and recruits are shared over groups, from the history's estimates."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from forecast.stockflow.spec import DIMENSIONS, PROGRAMMES


def group_weights(groups: pd.DataFrame, estimated) -> dict:
    """Per-group allocation weights of each programme (G,), from the history's estimates.

    ``estimated`` is the ``allocation_weights`` frame of
    :func:`forecast.stockflow.scenarios.estimate_baseline` (programme, category, level, weight);
    groups it does not cover weigh 1. A programme whose weights are all equal is left
    out: its places are shared in proportion to the eligible counts, as without history.
    """
    out: dict = {}
    if estimated is None or not len(estimated):
        return out
    cat = groups["category"].astype(str).to_numpy()
    lev = groups["level"].astype(str).to_numpy()
    for name, rows in estimated.groupby("programme"):
        if name not in PROGRAMMES:
            continue
        table = {(str(c), str(v)): float(w) for c, v, w in
                 rows[["category", "level", "weight"]].itertuples(index=False)}
        w = np.array([table.get((c, v), 1.0) for c, v in zip(cat, lev, strict=True)])
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError(f"allocation weights of programme {name!r} must be positive numbers")
        if np.ptp(w) > 0:
            out[name] = w
    return out


def recruit_mix(groups: pd.DataFrame, estimated, levers: Mapping) -> dict:
    """Per group, the state probabilities of recruits on each dimension: (G, K).

    ``estimated``: a DataFrame from :func:`forecast.stockflow.scenarios.estimate_baseline` with
    ``category, level, dimension, state, share`` (shares among recent recruits), or None.
    Defaults without history: recruits hold none of the in-service qualifications; their
    university share is the lever ``recruit_university_share``.
    """
    mix = {}
    for dim, names in DIMENSIONS.items():
        m = np.zeros((len(groups), len(names)))
        m[:, 0] = 1.0
        mix[dim] = m
    if estimated is not None and len(estimated):
        # counts of recent recruits per (category, level, dimension) and per (category, dimension)
        # (row by row in the frame's order within each key, the keys in sorted order: the
        # additions of a groupby, without its per-group overhead; the engine builds this
        # at every projection)
        by_key: dict = {}
        for cat, lev, dim, state, count in zip(
                estimated["category"], estimated["level"], estimated["dimension"],
                estimated["state"].to_numpy(int), estimated["count"].to_numpy(float), strict=True):
            if dim in DIMENSIONS and not (pd.isna(cat) or pd.isna(lev)):  # groupby drops missing keys
                by_key.setdefault((cat, lev, dim), []).append((state, count))
        tables: dict = {}
        for (cat, lev, dim) in sorted(by_key):
            v = np.zeros(len(DIMENSIONS[dim]))
            for state, count in by_key[(cat, lev, dim)]:
                v[state] += count
            tables[(cat, lev, dim)] = v
            tables[(cat, None, dim)] = tables.get((cat, None, dim), 0) + v
        for i, (cat, lev) in enumerate(zip(groups["category"], groups["level"], strict=True)):
            for dim in DIMENSIONS:
                v = tables.get((cat, lev, dim))
                if v is None or v.sum() <= 0:
                    v = tables.get((cat, None, dim))  # no recent recruit at this level
                if v is not None and v.sum() > 0:
                    mix[dim][i] = v / v.sum()
    share = levers.get("recruit_university_share")
    if share is not None:
        share = _per_category(share, groups, "recruit_university_share")
        edu = mix["education"]
        plus = edu[:, 1:].sum(axis=1)
        shape = np.where(plus[:, None] > 0, edu[:, 1:] / np.maximum(plus[:, None], 1e-12),
                         np.array([1.0, 0.0, 0.0])[None, :])
        edu = np.concatenate([(1 - share)[:, None], share[:, None] * shape], axis=1)
        mix["education"] = edu
    return mix

def _per_category(value, groups: pd.DataFrame, name: str) -> np.ndarray:
    """A lever given as a number or as {category or 'default': number} → one value per group."""
    if isinstance(value, Mapping):
        default = value.get("default")
        out = []
        for cat in groups["category"]:
            v = value.get(cat, default)
            if v is None:
                raise ValueError(f"lever {name}: no value for category {cat!r} and no 'default'")
            out.append(float(v))
        return np.asarray(out)
    return np.full(len(groups), float(value))
