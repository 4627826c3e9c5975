"""Every unit's outlook with partial pooling toward the province, and the plan's places by unit.

Method (``docs/plan.md``): a unit's share is the province's share shifted on the logit scale by
the unit's *offset*, ``logit(s_u) = logit(S) + δ_u``. The offset observed in the snapshot,
``d_u = logit(ỹ_u) − logit(S)`` (``ỹ_u = (num_u + ½)/(den_u + 1)``), has the binomial sampling
variance ``v_u = 1/(den_u ỹ_u (1 − ỹ_u))``. Offsets vary between units with variance ``τ²``
(DerSimonian–Laird moment estimate over the units of the target), so the empirical-Bayes
estimate shrinks each toward the province: ``δ_u = w_u d_u``, ``w_u = τ²/(τ² + v_u)``, with
posterior variance ``w_u v_u``. A commune of 20 people moves little from the province; one of
2 000 keeps its own level. The same shrinkage is applied to a slope offset when a unit has
a series (:func:`shrink`; checked on the NUTS-2 panel in ``benchmarks/units.py``).

The 2030 forecast draws ``logit(s_u) = logit(S_draw) + δ_u + N(0, w_u v_u)`` from the province's
engine draws ``S_draw``; each unit's population keeps its snapshot share of the province's;
then, per draw, the units' numerators are scaled (capped at their population) so that they
sum to the province's numerator: the province is exactly the sum of its units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.domain.status import REQUIRED_P
from forecast.domain.targets import get_target
from forecast.inputs.roster import active_on, target_masks
from forecast.plan.effort import DEFAULT_LEVERS

#: Smallest group a report may show (people); smaller cells are suppressed.
MIN_CELL = 5


def _logit(x):
    x = np.clip(x, 1e-6, 1 - 1e-6)
    return np.log(x / (1 - x))


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def dl_tau2(est: np.ndarray, var: np.ndarray) -> float:
    """DerSimonian–Laird moment estimate of the between-unit variance of ``est`` (≥ 0)."""
    est, var = np.asarray(est, float), np.asarray(var, float)
    ok = np.isfinite(est) & np.isfinite(var) & (var > 0)
    est, var = est[ok], var[ok]
    if len(est) < 2:
        return 0.0
    w = 1.0 / var
    mean = np.sum(w * est) / np.sum(w)
    q = np.sum(w * (est - mean) ** 2)
    denom = np.sum(w) - np.sum(w ** 2) / np.sum(w)
    return float(max(0.0, (q - (len(est) - 1)) / denom)) if denom > 0 else 0.0


def shrink(est: np.ndarray, var: np.ndarray, toward: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Empirical-Bayes estimates toward ``toward``: ``(shrunk estimates, posterior variances)``.

    ``w = τ²/(τ² + var)`` with ``τ²`` from :func:`dl_tau2`; an infinite variance (no data) gives
    ``w = 0``: the estimate is ``toward``.
    """
    est, var = np.asarray(est, float), np.asarray(var, float)
    tau2 = dl_tau2(est - toward, var)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(np.isfinite(var), tau2 / (tau2 + var), 0.0)
    w = np.nan_to_num(w)
    post = np.full(len(var), tau2)
    fin = np.isfinite(var)
    post[fin] = w[fin] * var[fin]
    return toward + w * np.nan_to_num(est - toward), post


def unit_counts(roster: pd.DataFrame, unit_column: str = "unit_code") -> pd.DataFrame:
    """Numerator and denominator of every target by unit in the latest snapshot (in-post staff only).

    Returns
    -------
    DataFrame
        ``unit``, ``target``, ``numerator``, ``denominator`` (units with an empty population left out).
    """
    snap = roster[roster["year"] == roster["year"].max()] if "year" in roster else roster
    snap = snap[active_on(snap)] if "year" in snap else snap
    rows = []
    for tid, (pop, crit) in target_masks(snap).items():
        if crit is None:
            continue
        frame = pd.DataFrame({"unit": snap[unit_column].astype(str), "d": pop.astype(int),
                              "n": (pop & crit).astype(int)})
        g = frame.groupby("unit")[["n", "d"]].sum()
        g = g[g["d"] > 0]
        rows.append(pd.DataFrame({"unit": g.index, "target": tid, "numerator": g["n"].to_numpy(),
                                  "denominator": g["d"].to_numpy()}))
    return pd.concat(rows, ignore_index=True)


@dataclass
class UnitOutlook:
    """Units' 2030 forecasts for every share target.

    Attributes
    ----------
    table : DataFrame
        One row per (unit, target): snapshot counts and share, shrunk offset and its weight,
        2030 median share, 80 % interval, P(meet), people short now, ``suppressed`` (population < 5).
    numerators, denominators : dict of target → ndarray (n_draws, n_units)
        The 2030 draws (units in the order of ``units[target]``); they sum to the province's.
    units : dict of target → list of str
    """

    table: pd.DataFrame
    numerators: dict
    denominators: dict
    units: dict


def _rake(target_num: np.ndarray, weights: np.ndarray, caps: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Per draw, numerators proportional to ``weights`` summing to ``target_num``, each ≤ its cap."""
    out = np.zeros_like(weights)
    free = np.ones_like(weights, dtype=bool)
    left = target_num.astype(float).copy()
    for _ in range(rounds):
        w = np.where(free, weights, 0.0)
        tot = w.sum(axis=1, keepdims=True)
        add = np.where(tot > 0, w / np.maximum(tot, 1e-12), 0.0) * left[:, None]
        new = out + add
        over = new > caps
        out = np.where(over, caps, new)
        left = target_num - out.sum(axis=1)
        free &= ~over
        if not over.any() or np.all(np.abs(left) < 1e-9):
            break
    return out


def unit_outlook(roster: pd.DataFrame, projection, p: float = REQUIRED_P, unit_column: str = "unit_code",
                 seed: int = 0) -> UnitOutlook:
    """Forecast and probability of meeting each share target for every unit, pooled toward the province.

    Parameters
    ----------
    roster : DataFrame
        The snapshot (with ``unit_column``).
    projection : Projection
        The province's engine projection (baseline or a plan's scenario); its last year is forecast.
    p : float
        The probability a unit is flagged against (``below_p``).
    seed : int
        Seed of the offsets' posterior draws.

    Returns
    -------
    UnitOutlook
    """
    counts = unit_counts(roster, unit_column)
    rng = np.random.default_rng(seed)
    rows, nums, dens, order = [], {}, {}, {}
    for tid, g in counts.groupby("target", sort=False):
        target = get_target(tid[:3])
        if target.threshold is None or tid not in projection.numerators:
            continue
        cut = float(target.meeting.cut(target.threshold) or 0.0)  # share targets always have a cut
        n, d = g["numerator"].to_numpy(float), g["denominator"].to_numpy(float)
        prov = n.sum() / d.sum()
        y = (n + 0.5) / (d + 1.0)
        est, var = _logit(y) - _logit(prov), 1.0 / (d * y * (1 - y))
        delta, post = shrink(est, var)
        pn, pd_ = projection.numerators[tid][:, -1].astype(float), projection.denominators[tid][:, -1].astype(float)
        share = np.where(pd_ > 0, pn / np.maximum(pd_, 1), prov)
        logits = _logit(share)[:, None] + delta[None, :] + rng.standard_normal((len(share), len(d))) * np.sqrt(post)
        den = pd_[:, None] * (d / d.sum())[None, :]
        # a unit's own sampling noise (binomial on its population), then scaled to the province's total
        expected = rng.binomial(np.round(den).astype(np.int64), _expit(logits)).astype(float) + 1e-9 * den
        num = _rake(pn, expected, den)
        unit_share = np.where(den > 0, num / np.maximum(den, 1e-12), 0.0)
        q10, q50, q90 = np.quantile(unit_share, [0.1, 0.5, 0.9], axis=0)
        pmeet = (unit_share >= cut - 1e-12).mean(axis=0)
        w = np.divide(delta, est, out=np.zeros_like(delta), where=np.abs(est) > 1e-12)
        nums[tid], dens[tid], order[tid] = num, den, list(g["unit"])
        for i, u in enumerate(g["unit"]):
            rows.append({"unit": u, "target": tid, "numerator": int(n[i]), "denominator": int(d[i]),
                         "share": n[i] / d[i], "offset_raw": est[i], "offset_pooled": delta[i],
                         "pooling_weight": w[i], "median_2030": q50[i], "low_2030": q10[i], "high_2030": q90[i],
                         "p_meet": pmeet[i], "below_p": pmeet[i] < p, "cut": cut,
                         "people_short": max(0, int(np.ceil(cut * d[i] - 1e-9)) - int(n[i])),
                         "suppressed": d[i] < MIN_CELL})
    return UnitOutlook(pd.DataFrame(rows), nums, dens, order)


def ranked_units(outlook: UnitOutlook) -> pd.DataFrame:
    """Units furthest from the targets first: by the mean 2030 gap to the targets, then by people short.

    ``gap_2030`` is the mean, over the unit's share targets, of how far the median 2030 share
    falls below the target's meeting cut (0 when above); ``people_short`` sums the people who
    would have to gain the qualification for the snapshot share to reach the cut.
    """
    t = outlook.table[~outlook.table["target"].str.match(r"T09[abc]")].copy()  # T09 counts the parts once
    t["gap"] = np.maximum(0.0, t["cut"] - t["median_2030"])
    g = t.groupby("unit").agg(gap_2030=("gap", "mean"), people_short=("people_short", "sum"),
                              targets=("target", "size"), targets_below_p=("below_p", "sum"),
                              mean_p_meet=("p_meet", "mean"), smallest_population=("denominator", "min"))
    g = g.sort_values(["gap_2030", "people_short"], ascending=False).reset_index()
    g["rank"] = np.arange(1, len(g) + 1)
    return g


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing exactly to ``total`` (Hamilton's method)."""
    weights = np.asarray(weights, float)
    if total < 0 or (weights < 0).any():
        raise ValueError("largest_remainder needs a non-negative total and weights")
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), int)
    quota = total * weights / weights.sum()
    base = np.floor(quota).astype(int)
    rest = total - base.sum()
    order = np.lexsort((np.arange(len(quota)), -(quota - base)))  # ties: first unit first
    base[order[:rest]] += 1
    return base


def allocate(places: Mapping[str, int], outlook: UnitOutlook) -> pd.DataFrame:
    """Each programme's yearly places shared over units in proportion to their gaps.

    Rule: a programme's weight at a unit is the people short, summed over the share targets the
    programme moves (:data:`forecast.plan.effort.DEFAULT_LEVERS`); when no unit is short it is
    the people without the qualification. A programme serving only the count target (post-graduate
    study, T11) has no share to fall short of: it is shared in proportion to each unit's in-post
    headcount (the population of T09, everyone). Integer places by largest remainder, summing
    exactly to the plan's.
    """
    table = outlook.table
    rows = []
    for pg, total in places.items():
        served = [t for t, levers in DEFAULT_LEVERS.items() if f"programmes.{pg}.capacity" in levers
                  and t in set(table["target"])]
        if total <= 0:
            continue
        if not served:
            everyone = table[table["target"] == "T09"].groupby("unit")["denominator"].sum()
            alloc = largest_remainder(int(total), everyone.to_numpy(float))
            rows += [{"programme": pg, "unit": u, "places_per_year": int(a), "weight": float(w)}
                     for u, a, w in zip(everyone.index, alloc, everyone.to_numpy(float), strict=True)]
            continue
        sub = table[table["target"].isin(served)]
        by_unit = sub.groupby("unit").agg(short=("people_short", "sum"),
                                          without=("denominator", "sum"), have=("numerator", "sum"))
        weights = by_unit["short"].to_numpy(float)
        if weights.sum() <= 0:
            weights = (by_unit["without"] - by_unit["have"]).to_numpy(float)
        alloc = largest_remainder(int(total), weights)
        rows += [{"programme": pg, "unit": u, "places_per_year": int(a), "weight": float(w)}
                 for u, a, w in zip(by_unit.index, alloc, weights, strict=True)]
    return pd.DataFrame(rows, columns=["programme", "unit", "places_per_year", "weight"])
