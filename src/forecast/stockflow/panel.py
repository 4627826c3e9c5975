"""Levers estimated from consecutive roster snapshots (a person panel).

When the dataset holds the roster as of several years, the people present in two
consecutive snapshots show, group by group, who completed each programme, who was
appointed to a post and with which qualifications, and who left the succession pool
while staying in post. ``flows.csv`` only has category × level; the panel sees the full
group (leader post, key cadre, pool membership) the targets are defined on:

* ``allocation_weights`` by full group: each programme's completion rate in the group
  relative to the programme's overall rate, drawn toward 1 by one pseudo-completion
  (as :func:`forecast.stockflow.history.place_weights` does on category × level);
* ``appointee_mix``: the qualification states of the people newly in each appointed post
  (department and division leaders, key commune cadres, the succession pool) at the
  snapshot after their appointment, by post, level and category;
* ``pool_review_rate``: the yearly share of the succession pool reviewed out of it
  while staying in post (the pool is revised every year).

Only snapshots up to the start year are read, so a projection from a past year uses
nothing that happened after it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from forecast.stockflow.cohorts import _flag, _text, active_staff, states
from forecast.stockflow.snapshots import NoSnapshot, roster_snapshot
from forecast.stockflow.spec import DIMENSIONS, GROUP_KEYS, LEADER_POSTS, PROGRAMMES
from forecast.stockflow.uncertainty import EXCEPTIONAL_YEARS

#: Group keys of an appointed post (its kind); category and level are added to them.
POST_KEYS = ("leader", "key_cadre", "in_pool")


def frame(roster: pd.DataFrame) -> pd.DataFrame:
    """Active staff: person id, group keys and state codes."""
    a = active_staff(roster)
    out = pd.DataFrame({"person_id": a["person_id"].astype(str).to_numpy(),
                        "category": _text(a["category"]), "level": _text(a["level"]),
                        "leader": _text(a["leader"], "none"), "key_cadre": _flag(a["key_cadre"]).astype(int),
                        "in_pool": _flag(a["in_pool"]).astype(int)})
    out["leader"] = np.where(out["leader"] == "", "none", out["leader"])
    st = states(a)
    for dim in DIMENSIONS:
        out[dim] = st[dim].to_numpy()
    return out


def _completed(dim: str, move: tuple, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Who made ``move`` (or went past it) between two snapshots, among those in its start state."""
    a, b = move
    start = before == a
    if dim == "skills":
        return start & ((after & (b - a)) > 0)
    if dim == "education" and b == 2:  # the key-field post-graduate degree only
        return start & (after == 2)
    return start & (after >= b)


class Pair(NamedTuple):
    """Two consecutive snapshots: the year of the second, the active staff of each."""

    year: int
    before: pd.DataFrame
    after: pd.DataFrame


def panel_pairs(dataset, until: int, years: int = 3) -> list[Pair]:
    """The last ``years`` pairs of consecutive snapshots up to ``until`` (the year 2025 of the
    reorganisation left out as a second snapshot: its changes are moves, not flows)."""
    frames = {}
    for y in range(until - years - 1, until + 1):
        try:
            snap = roster_snapshot(dataset, y)
        except NoSnapshot:
            continue
        if "person_id" in snap:
            frames[y] = frame(snap)
    pairs = []
    for y in sorted(frames):
        if y - 1 in frames and y not in EXCEPTIONAL_YEARS:  # 2025: moves of the reorganisation, not flows
            pairs.append(Pair(y, frames[y - 1], frames[y]))
    return pairs[-years:]


def eligible_trend(pairs: list, now: pd.DataFrame) -> dict:
    """Per programme, the eligible staff in ``now`` (the start snapshot, :func:`frame`) over their
    mean in the window's earlier snapshots.

    Places estimated as the mean completions of the window are scaled by this ratio: where
    the staff still to train shrink (or grow), so do the completions at a steady rate.
    """
    if not pairs:
        return {}
    out = {}
    for name, prog in PROGRAMMES.items():
        counts = [_eligible(f, prog) for f in [p.before for p in pairs] + [now]]
        past = float(np.mean(counts[:-1]))
        if past > 0:
            out[name] = counts[-1] / past
    return out


def _eligible(frame: pd.DataFrame, prog) -> int:
    ok = np.ones(len(frame), dtype=bool)
    for key, allowed in prog.eligible.items():
        ok &= frame[key].isin(list(allowed)).to_numpy()
    return int((frame[prog.dimension].isin([a for a, _ in prog.moves]).to_numpy() & ok).sum())


def group_weights_from_panel(pairs: list) -> pd.DataFrame | None:
    """Each programme's allocation weight per full group (``programme``, :data:`GROUP_KEYS`, ``weight``)."""
    if not pairs:
        return None
    rows = []
    dims = list(DIMENSIONS)
    # the people in both snapshots of each pair, once: states before and "<dim>_after"
    merged = [before.merge(after[["person_id", *dims]], on="person_id", suffixes=("", "_after"))
              for _, before, after in pairs]
    for name, prog in PROGRAMMES.items():
        done, elig = [], []
        for both in merged:
            ok = np.ones(len(both), dtype=bool)
            for key, allowed in prog.eligible.items():
                ok &= both[key].isin(list(allowed)).to_numpy()
            b0, b1 = both[prog.dimension].to_numpy(), both[f"{prog.dimension}_after"].to_numpy()
            e = np.zeros(len(both))
            u = np.zeros(len(both))
            for move in prog.moves:
                e += (b0 == move[0]) & ok
                u += _completed(prog.dimension, move, b0, b1) & ok
            keys = both[list(GROUP_KEYS)]
            elig.append(keys.assign(n=e).groupby(list(GROUP_KEYS))["n"].sum())
            done.append(keys.assign(n=u).groupby(list(GROUP_KEYS))["n"].sum())
        E = pd.concat(elig, axis=1).sum(axis=1)
        U = pd.concat(done, axis=1).sum(axis=1).reindex(E.index, fill_value=0)
        E, U = E[E > 0], U[E > 0]
        if not len(E) or U.sum() <= 0:
            continue
        r = float(U.sum() / E.sum())
        w = (U + 1.0) / (E * r + 1.0)
        for key, x in w.items():
            rows.append((name, *key, round(float(x), 4)))
    if not rows:
        return None
    return pd.DataFrame(rows, columns=["programme", *GROUP_KEYS, "weight"])


def _appointed(frame: pd.DataFrame) -> np.ndarray:
    return (frame["leader"].isin(LEADER_POSTS) | (frame["key_cadre"] == 1) | (frame["in_pool"] == 1)).to_numpy()


def appointee_mix(pairs: list) -> pd.DataFrame | None:
    """States of the people newly in an appointed post, counted by post, category, level, dimension and state.

    A person is newly in a post when the post's keys (leader, key cadre, pool membership)
    differ from theirs in the snapshot before, or when they were not in it.
    """
    rows = []
    for _, before, after in pairs:
        prev = before.set_index("person_id")[list(POST_KEYS)]
        a = after[_appointed(after)]
        was = prev.reindex(a["person_id"])
        same = (was.to_numpy() == a[list(POST_KEYS)].to_numpy()).all(axis=1)
        new = a[~same]
        if len(new):
            rows.append(new)
    if not rows:
        return None
    new = pd.concat(rows, ignore_index=True)
    out = []
    for dim in DIMENSIONS:
        g = new.groupby([*POST_KEYS, "category", "level", dim]).size().rename("count").reset_index()
        out.append(g.rename(columns={dim: "state"}).assign(dimension=dim))
    return pd.concat(out, ignore_index=True)[[*POST_KEYS, "category", "level", "dimension", "state", "count"]]


def new_leader_share(mix: pd.DataFrame | None) -> dict | None:
    """Per leader post, the share of new leaders holding the post's programme (CVCC; CVC or CVCC)."""
    if mix is None:
        return None
    sm = mix[(mix["dimension"] == "state_mgmt") & mix["leader"].isin(LEADER_POSTS)]
    out = {}
    for post, need in (("so", (2,)), ("phong", (1, 2))):
        rows = sm[sm["leader"] == post]
        if rows["count"].sum() >= 10:
            out[post] = float(rows.loc[rows["state"].isin(need), "count"].sum() / rows["count"].sum())
    return out or None


def pool_review_rate(pairs: list) -> float | None:
    """Yearly share of the succession pool out of it at the next snapshot while still in post (not a leader)."""
    stayed = left = 0
    for _, before, after in pairs:
        pool = before[(before["in_pool"] == 1) & ~before["leader"].isin(LEADER_POSTS)]
        now = after.set_index("person_id").reindex(pool["person_id"])
        present = now["in_pool"].notna().to_numpy()
        out = present & (now["in_pool"].to_numpy() == 0) & ~now["leader"].isin(LEADER_POSTS).to_numpy()
        stayed += int(present.sum())
        left += int(out.sum())
    if stayed < 20:
        return None
    return left / stayed
