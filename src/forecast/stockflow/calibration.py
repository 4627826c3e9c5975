"""The engine's intervals calibrated on its own past errors (its hindcast), without look-ahead.

The engine's draws carry the randomness of the flows and of the estimated rates
(:mod:`forecast.stockflow.uncertainty`), not the changes of course that a workforce's
history shows (a policy turned, a recruitment freeze came and went). Its hindcast measures
the whole error, so the missing part is learnt from it, the way the trend default learns
its intervals from its own past forecasts (``docs/methods.md`` §3).

**The rule (quantile matching on the transformed scale).** Values are read on the logit
scale for shares and the log scale for counts (T11). For a past forecast *i* (origin,
year) let ``e_i`` be the observed value minus the engine's median, and ``σ_i`` the engine's
own spread, ``(hi80 − lo80) / (2 z₈₀)`` with ``z₈₀ = 1.2816``. Adding an independent normal
``N(0, s²)`` to every path widens the 80 % interval to ``± z₈₀ √(σ_i² + s²)``, which covers
*i* exactly when ``s ≥ s_i = √max(0, (e_i / z₈₀)² − σ_i²)``. The extra spread of a horizon
is therefore the 80 % quantile of the ``s_i`` of its past forecasts: the smallest ``s``
with which 80 % of them would have been covered.

* Per target and horizon when the target has at least :data:`MIN_TARGET` past forecasts at
  that horizon, otherwise pooled over its kind (every share target; T11 alone for counts)
  with at least :data:`MIN_POOLED`.
* A horizon with too few past forecasts takes the nearest shorter one's (the shortest
  longer one's if none) scaled by ``(h / h′)^g``; ``g`` is fitted to the pooled values of the
  calibrated horizons (log-log slope, held in [0.5, 1.5]; 1 when it cannot be fitted).
* **No look-ahead:** the calibration for a projection from origin *o* uses only past
  forecasts whose outcome year is at most *o* (:func:`learn` filters them itself).

Each path gets ``s_h Z`` with one standard normal ``Z`` per path and target (the parts of
T09 share T09's), fully correlated across years so that paths stay usable for "first year
met", and drawn from the seed so two scenarios projected with the same seed get the same
``Z`` (common random numbers: a scenario's effect is not blurred by the calibration).
The engine's median is kept: the rule widens, it does not move.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecast.stockflow.projection import Projection
from forecast.stockflow.spec import TARGET_SPECS

#: The standard normal's 90 % quantile: an 80 % central interval is ± Z80 σ.
Z80 = 1.2815515655446004
#: Coverage the extra spread is matched to.
LEVEL = 0.80
#: Fewest past forecasts at a horizon for a target's own extra spread.
MIN_TARGET = 8
#: Fewest past forecasts at a horizon for the pooled extra spread of a kind.
MIN_POOLED = 5
#: Bounds of the growth exponent of the extra spread with the horizon.
GROWTH = (0.5, 1.5)
#: Shares are clipped away from 0 and 1 by this much before the logit.
EPS = 1e-3


def _kind(tid: str) -> str:
    return "count" if TARGET_SPECS[tid].kind == "count" else "share"


def transform(values, kind: str) -> np.ndarray:
    """The scale the extra spread is added on: logit for shares, log for counts."""
    v = np.asarray(values, dtype=float)
    if kind == "count":
        return np.log(np.maximum(v, 0.5))
    v = np.clip(v, EPS, 1 - EPS)
    return np.log(v / (1 - v))


def needed_spread(rows: pd.DataFrame) -> pd.Series:
    """Per past forecast, the smallest extra spread ``s_i`` that puts the observed value in the 80 % interval.

    ``rows`` has ``target``, ``observed``, ``median``, ``lo80``, ``hi80`` (the engine's own
    quantiles, as :func:`forecast.stockflow.hindcast.hindcast` stores them).
    """
    out = pd.Series(np.nan, index=rows.index, dtype=float)
    for kind, part in rows.groupby(rows["target"].map(_kind)):
        e = transform(part["observed"], kind) - transform(part["median"], kind)
        sigma = (transform(part["hi80"], kind) - transform(part["lo80"], kind)) / (2 * Z80)
        out.loc[part.index] = np.sqrt(np.maximum(0.0, (e / Z80) ** 2 - sigma ** 2))
    return out


@dataclass(frozen=True)
class SpreadCalibration:
    """Extra spread per target and horizon, learnt from forecasts observed by ``origin``.

    Attributes
    ----------
    origin : int
        Only past forecasts with an outcome year ≤ ``origin`` were used.
    pooled : dict of str → dict of int → float
        Per kind (``share``, ``count``), horizon → extra spread (logit or log scale).
    by_target : dict of str → dict of int → float
        Target → horizon → extra spread, where the target had enough past forecasts.
    growth : dict of str → float
        Per kind, the exponent ``g`` extending a kind's spread to horizons without records.
    n_records : int
        Past forecasts used.
    """

    origin: int
    pooled: dict = field(default_factory=dict)
    by_target: dict = field(default_factory=dict)
    growth: dict = field(default_factory=dict)
    n_records: int = 0

    def sigma(self, target_id: str, horizon: int) -> float:
        """The extra spread added at ``horizon`` years after the origin (0 when nothing was learnt)."""
        own = self.by_target.get(target_id) or {}
        if int(horizon) in own:
            return float(own[int(horizon)])
        kind = _kind(target_id) if target_id in TARGET_SPECS else "share"
        return _extend(self.pooled.get(kind) or {}, int(horizon), self.growth.get(kind, 1.0))

    def to_dict(self) -> dict:
        """JSON-ready (horizons as strings)."""
        def keys(d: Mapping) -> dict:
            return {str(h): round(float(v), 5) for h, v in sorted(d.items())}
        return {"origin": int(self.origin), "n_records": int(self.n_records),
                "pooled": {k: keys(v) for k, v in self.pooled.items()},
                "by_target": {t: keys(v) for t, v in self.by_target.items()},
                "growth": {k: round(float(v), 4) for k, v in self.growth.items()}}

    @classmethod
    def from_dict(cls, data: Mapping) -> SpreadCalibration:
        """The inverse of :meth:`to_dict`."""
        def keys(d: Mapping) -> dict:
            return {int(h): float(v) for h, v in d.items()}
        return cls(origin=int(data["origin"]), n_records=int(data.get("n_records", 0)),
                   pooled={k: keys(v) for k, v in (data.get("pooled") or {}).items()},
                   by_target={t: keys(v) for t, v in (data.get("by_target") or {}).items()},
                   growth={k: float(v) for k, v in (data.get("growth") or {}).items()})


def _extend(known: Mapping[int, float], horizon: int, growth: float) -> float:
    """A horizon's spread from the calibrated ones: its own, else the nearest shorter (or longer) scaled."""
    if not known:
        return 0.0
    if horizon in known:
        return float(known[horizon])
    shorter = [h for h in known if h < horizon]
    ref = max(shorter) if shorter else min(known)
    return float(known[ref]) * (horizon / ref) ** growth


def _per_horizon(rows: pd.DataFrame, need: pd.Series, minimum: int) -> dict[int, float]:
    out = {}
    for h, idx in rows.groupby("horizon").groups.items():
        s = need.loc[idx].dropna()
        if len(s) >= minimum:
            out[int(h)] = float(np.quantile(s, LEVEL))
    return out


def _growth(spread: Mapping[int, float]) -> float:
    pts = [(h, s) for h, s in spread.items() if s > 0]
    if len(pts) < 2:
        return 1.0
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    slope = float(np.polyfit(x, y, 1)[0])
    return float(np.clip(slope, *GROWTH))


def learn(rows: pd.DataFrame, origin: int) -> SpreadCalibration:
    """The extra spread for a projection from ``origin``, from the engine's past forecasts.

    Parameters
    ----------
    rows : DataFrame
        The engine's uncalibrated hindcast rows (``target``, ``origin``, ``year``,
        ``horizon``, ``observed``, ``median``, ``lo80``, ``hi80``), from any origins.
    origin : int
        Rows whose outcome ``year`` is after ``origin`` are dropped first (no look-ahead).

    Returns
    -------
    SpreadCalibration
    """
    seen = rows[(rows["year"] <= int(origin)) & rows["observed"].notna()]
    if seen.empty:
        return SpreadCalibration(origin=int(origin))
    need = needed_spread(seen)
    kinds = seen["target"].map(_kind)
    pooled, growth = {}, {}
    for kind in ("share", "count"):
        part = seen[kinds == kind]
        if part.empty:
            continue
        pooled[kind] = _per_horizon(part, need, MIN_POOLED)
        growth[kind] = _growth(pooled[kind])
    by_target = {}
    for tid, part in seen.groupby("target"):
        own = _per_horizon(part, need, MIN_TARGET)
        if own:
            by_target[str(tid)] = own
    return SpreadCalibration(origin=int(origin), pooled=pooled, by_target=by_target, growth=growth,
                             n_records=len(seen))


def path_normals(seed: int, target_id: str, n_draws: int) -> np.ndarray:
    """One standard normal per path for a target (T09's parts share T09's), from the seed."""
    key = zlib.crc32(target_id[:3].encode())
    return np.random.default_rng([int(seed), key, 15]).standard_normal(int(n_draws))


def calibrate(proj: Projection, cal: SpreadCalibration | None, seed: int = 0) -> Projection:
    """A copy of ``proj`` whose paths carry the extra spread of ``cal`` (counts stay integers).

    Shares: ``num′ = round(expit(logit(num/den) + s_h Z) · den)``; counts:
    ``num′ = round(num · exp(s_h Z))``, with ``h`` = year − start year. ``cal`` None or
    empty: ``proj`` unchanged.
    """
    if cal is None or (not cal.pooled and not cal.by_target):
        return proj
    horizons = np.asarray(proj.years, dtype=int) - int(proj.start_year)
    numerators = {}
    for tid, num in proj.numerators.items():
        s = np.array([cal.sigma(tid, int(h)) for h in horizons])
        n_draws = num.shape[0]
        shift = path_normals(seed, tid, n_draws)[:, None] * s[None, :]
        if _kind(tid) == "count":
            new = np.floor(num * np.exp(shift) + 0.5)
        else:
            den = np.asarray(proj.denominators[tid], dtype=float)
            safe = np.maximum(den, 1)
            p = np.clip(num / safe, 0.5 / safe, 1 - 0.5 / safe)
            z = np.log(p / (1 - p)) + shift
            new = np.where(den > 0, np.floor(safe / (1 + np.exp(-z)) + 0.5), num)
        numerators[tid] = new.astype(np.asarray(num).dtype, copy=False)
    notes = [*proj.notes, f"intervals calibrated on the engine's hindcast errors observed by {cal.origin} "
                          f"({cal.n_records} past forecasts; docs/stockflow.md)"]
    return replace(proj, numerators=numerators, notes=notes)


def calibrations(rows: pd.DataFrame, origins: Iterable[int]) -> dict[int, SpreadCalibration]:
    """:func:`learn` for each origin."""
    return {int(o): learn(rows, int(o)) for o in origins}
