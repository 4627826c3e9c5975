"""How programme places and recruits are shared over groups, from the history's estimates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.stockflow.spec import COUNT, DIMENSIONS, GROUP_KEYS, LEADER_POSTS, PROGRAMMES


def _key(value) -> str:
    """A group attribute as text, numbers without a decimal part (``1`` and ``1.0`` alike)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


_DERIVED: dict = {}


def derived(kind: str, groups: pd.DataFrame, estimated: Any, build: Callable[[pd.DataFrame, Any], dict]) -> dict:
    """``build(groups, estimated)``, memoised per (groups, estimated) pair of objects.

    The allocation weights and the appointees' mixes depend on the cohort groups and on
    the history's frames, not on the levers; the explorer and the effort solver project
    one roster with one history many times. The entry holds both objects, so their ids
    cannot be reused while it lives; the arrays returned are read-only, since every
    projection shares them.
    """
    if estimated is None:
        return build(groups, estimated)
    key = (kind, id(groups), id(estimated))
    hit = _DERIVED.get(key)
    if hit is not None and hit[0] is groups and hit[1] is estimated:
        return hit[2]
    value = build(groups, estimated)
    for arr in value.values():
        arr.flags.writeable = False
    if len(_DERIVED) > 32:
        _DERIVED.clear()
    _DERIVED[key] = (groups, estimated, value)
    return value


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
    # weights by category × level (flows.csv) or by full group (the roster snapshots' panel)
    keys = [k for k in GROUP_KEYS if k in estimated.columns]
    mine = [tuple(_key(v) for v in row) for row in groups[keys].itertuples(index=False)]
    for name, rows in estimated.groupby("programme"):
        if name not in PROGRAMMES:
            continue
        table = {tuple(_key(v) for v in row[:-1]): float(row[-1])
                 for row in rows[[*keys, "weight"]].itertuples(index=False)}
        w = np.array([table.get(k, 1.0) for k in mine])
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
    # the observed part depends on the groups and the history only: built once per pair
    mix = {dim: m.copy() for dim, m in derived("recruits", groups, estimated, observed_recruit_mix).items()}
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


def observed_recruit_mix(groups: pd.DataFrame, estimated) -> dict:
    """Per group, the state probabilities of recent recruits on each dimension (G, K), before the levers.

    See :func:`recruit_mix`; groups with no recent recruit (or no history) hold the first
    state of every dimension.
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
                found = tables.get((cat, lev, dim))
                if found is None or found.sum() <= 0:
                    found = tables.get((cat, None, dim))  # no recent recruit at this level
                if found is not None and found.sum() > 0:
                    mix[dim][i] = found / found.sum()
    return mix

def with_drawn_share(mix: dict, shift: np.ndarray) -> dict:
    """Recruits' mixes whose university share is moved per draw by ``shift`` (G, D) on the logit scale.

    The education mix becomes (G, 4, D): below university ``1 − share``, the degrees in their
    proportions times ``share``; the other dimensions are unchanged.
    """
    edu = mix["education"]  # (G, 4)
    share = np.clip(edu[:, 1:].sum(axis=1), 1e-6, 1 - 1e-6)
    new = 1.0 / (1.0 + np.exp(-(np.log(share / (1 - share))[:, None] + shift)))  # (G, D)
    plus = edu[:, 1:, None] / share[:, None, None] * new[:, None, :]
    return {**mix, "education": np.concatenate([(1 - new)[:, None, :], plus], axis=1)}


def appointee_mix(groups: pd.DataFrame, estimated) -> dict:
    """Per appointed group, the observed state mix of its recent appointees: {dimension: (G, K)}.

    ``estimated``: the ``appointee_mix`` frame of :func:`forecast.stockflow.panel.appointee_mix`
    (post keys, category, level, dimension, state, count). A group is matched on its post
    keys, category and level, else on its post keys and level, else on its post keys alone;
    rows of groups with no match (or not appointed) are NaN (the engine then uses the mix of
    the group appointed from).
    """
    out = {dim: np.full((len(groups), len(names)), np.nan) for dim, names in DIMENSIONS.items()}
    if estimated is None or not len(estimated):
        return out
    post = ["leader", "key_cadre", "in_pool"]
    tables: dict = {}
    for row in estimated.itertuples(index=False):
        base = tuple(_key(getattr(row, k)) for k in post)
        for key in ((*base, row.category, row.level), (*base, None, row.level), (*base, None, None)):
            v = tables.setdefault((key, row.dimension), np.zeros(len(DIMENSIONS[row.dimension])))
            v[int(row.state)] += float(row.count)
    appointed = (groups["leader"].isin(LEADER_POSTS) | (groups["key_cadre"] == 1) | (groups["in_pool"] == 1))
    for i, g in enumerate(groups.itertuples(index=False)):
        if not appointed.iat[i]:
            continue
        base = tuple(_key(getattr(g, k)) for k in post)
        for dim in DIMENSIONS:
            for key in ((*base, g.category, g.level), (*base, None, g.level), (*base, None, None)):
                v = tables.get((key, dim))
                if v is not None and v.sum() >= 10:  # too few appointees: try a wider match
                    out[dim][i] = v / v.sum()
                    break
    return out


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


def _fill_level(rest: np.ndarray, w_row: np.ndarray, left: np.ndarray) -> np.ndarray:
    """The level ``λ`` (per draw) at which shares ``min(1, λ·w)`` of the eligible fill ``left`` places.

    Water-filling: ``λ`` solves ``Σ_rows min(rest, λ·w·rest) = left`` (or is ``2 / min w``
    when every eligible person fits, a level at which every share is 1): places go in
    proportion to eligible × weight, and those a group cannot use (all its eligible staff
    enrolled) go to the others in the same proportions. The sum is increasing in ``λ``, so ``λ`` and every share are
    nondecreasing in ``left``: more places never enrol fewer people in any group.
    Rows of equal weight saturate together, so ``λ`` is found on the few weight classes:
    with the classes by decreasing weight, the first ``s`` saturated gives
    ``λ_s = (left − Σ_{k<s} E_k) / Σ_{k≥s} w_k E_k``, and ``λ`` is the first ``λ_s`` with
    ``λ_s · w_s < 1``.

    Parameters
    ----------
    rest : ndarray (R, D)
        Eligible staff per row and draw.
    w_row : ndarray (R,)
        Positive weight of each row.
    left : ndarray (D,)
        Places per draw.

    Returns
    -------
    ndarray (D,)
        ``λ`` per draw; the share of a row is ``min(1, λ·w)``.
    """
    # called for every programme and year: plain ufuncs and methods (numpy's Python-level
    # helpers such as np.unique and np.vstack cost more than the arithmetic here)
    sw = np.sort(w_row)
    new_w = np.empty(sw.size, dtype=bool)
    new_w[0] = True
    np.not_equal(sw[1:], sw[:-1], out=new_w[1:])
    wk = sw[new_w]
    cls = np.searchsorted(wk, w_row)
    wk, cls = wk[::-1], len(wk) - 1 - cls  # decreasing weight
    # sums per class in one pass: rows of a class come in runs (rows are by move, then cell)
    edge = np.empty(cls.size, dtype=bool)
    edge[0] = True
    np.not_equal(cls[1:], cls[:-1], out=edge[1:])
    starts = edge.nonzero()[0]
    runs = np.add.reduceat(rest, starts, axis=0, dtype=COUNT)  # counts fit, see COUNT
    run_cls = cls[starts]
    # the runs sorted by class, summed per class in one call (every class has a run); whole
    # numbers: exact in float64 whatever the order of the additions
    order = run_cls.argsort(kind="stable")
    bounds = np.searchsorted(run_cls[order], np.arange(len(wk)))
    E = np.add.reduceat(runs[order], bounds, axis=0, dtype=np.float64)  # (K, D)
    done = np.zeros_like(E)  # Σ_{k<s} E_k
    np.cumsum(E[:-1], axis=0, out=done[1:])
    tail = np.cumsum((wk[:, None] * E)[::-1], axis=0)[::-1]  # Σ_{k≥s} w_k E_k
    # λ ≥ 1/w_min enrols everyone: 2/w_min stands for "unbounded" (finite, and safely past 1)
    full = 2.0 / wk[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(tail > 0, (np.asarray(left, dtype=np.float64) - done) / tail, full)
    fits = lam * wk[:, None] < 1.0
    first = fits.argmax(axis=0)
    lam = np.where(np.logical_or.reduce(fits, axis=0), lam[first, np.arange(E.shape[1])], full)
    return np.minimum(np.maximum(lam, 0.0), full)  # np.clip, without its Python layers


def _uniform_first(shape) -> np.ndarray:
    out = np.zeros(shape)
    out[0] = 1.0
    return out


