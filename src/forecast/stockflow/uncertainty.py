"""Parameter uncertainty: the rates estimated from a few years of flows, drawn once per path.

A baseline's places and exit rates are means of the last few years of ``flows.csv``; the
years differ, so the mean is uncertain, and the level itself moves over time (the
history's own rolling means do). Each simulation path therefore draws its own levels:

* training places of programme *p*: a multiplicative factor ``exp(X_h)`` on the places of
  projected year *h* (1, 2, …), where ``X_h = σ_p (Z_0 + Z_1 + … + Z_h)`` is a random walk
  started from the estimation error of the mean: ``σ_p = s_p / √k`` with ``s_p`` the
  standard deviation of the log yearly completions in the programme's population (every
  year of flows up to the start, the reorganisation year 2025 left out) and ``k`` the
  number of years averaged. The spread of the level at horizon *h* is ``σ_p √(1 + h)``;
* other exits of category *c*: a factor ``exp(σ_c Z)`` constant along the path, with
  ``σ_c = s_c / √k`` from the yearly exit rates.

The normal variates are the quantiles of the engine's counter-based uniforms (keyed by
seed, programme and year), so two scenarios projected with the same seed draw the same
levels (common random numbers), and more places in a scenario mean more places in every
path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

#: Flow years left out of the spread: the 2025 reorganisation is no ordinary year.
EXCEPTIONAL_YEARS = (2025,)
#: Fewest yearly values from which a spread is estimated.
MIN_YEARS = 3


def log_spread(values: np.ndarray) -> float | None:
    """Standard deviation of the logarithms of positive yearly values (None with fewer than 3)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if len(v) < MIN_YEARS:
        return None
    return float(np.std(np.log(v), ddof=1))


def yearly(frame: pd.DataFrame, until: int | None) -> pd.Series:
    """Yearly sums of ``count`` in ``frame`` (years up to ``until``, exceptional years left out)."""
    f = frame[~frame["year"].isin(EXCEPTIONAL_YEARS)]
    if until is not None:
        f = f[f["year"] <= until]
    return f.groupby("year")["count"].sum()


def standard_error(series: pd.Series, window: int) -> float | None:
    """``s / √k``: the log spread of the yearly values over the mean of ``k = window`` years."""
    s = log_spread(series.to_numpy())
    if s is None:
        return None
    return round(s / np.sqrt(max(1, min(window, len(series)))), 4)


def drift(series: pd.Series, window: int) -> float | None:
    """Standard deviation of the year-on-year change of the log ``window``-year rolling mean.

    How far the level a baseline would have estimated moved from one year to the next in
    the past: sampling noise (about ``s·√2 / k`` for independent years) and any real shift
    of policy alike. None with fewer than two changes.
    """
    v = series.sort_index().to_numpy(dtype=float)
    k = max(1, min(window, len(v)))
    if len(v) < k + 2 or (v <= 0).any():
        return None
    roll = np.convolve(v, np.ones(k) / k, mode="valid")
    return round(float(np.std(np.diff(np.log(roll)), ddof=1)), 4)


def group_spread(rows: pd.DataFrame, window: int) -> dict | None:
    """Level error and drift of a programme's places, as they reach the groups that take them.

    The places of a programme reach each group (category × level) in amounts that vary from
    year to year far more than their total (the groups' ups and downs partly cancel), and a
    target is read on a few groups: the spread is each group's own (:func:`standard_error`,
    :func:`drift`), averaged with the group's completions as weights.
    """
    keys = [k for k in ("category", "level") if k in rows]
    parts = rows.groupby(keys) if keys else [((), rows)]
    level = drift_ = weight = 0.0
    for _, g in parts:
        by_year = yearly(g, None)
        se = standard_error(by_year, window)
        if se is None:
            continue
        w = float(by_year.sum())
        level += w * se
        drift_ += w * (drift(by_year, window) or 0.0)
        weight += w
    if weight <= 0:
        return None
    return {"level": round(level / weight, 4), "drift": round(drift_ / weight, 4)}


def hire_share_spread(hired_year: pd.Series, graduate: pd.Series, category: pd.Series, until: int,
                      window: int, span: int = 8) -> dict:
    """Per category, the logit-scale level error and drift of the recruits' university share.

    From the staff in post at the start by the year they were hired (the last ``span`` years):
    the share of each year's hires holding a university degree or more, on the logit scale;
    level = its spread over √k, drift = the spread of the year-on-year change of its k-year
    rolling mean (as for the places).
    """
    out = {}
    frame = pd.DataFrame({"year": hired_year, "grad": graduate.astype(float), "category": category})
    frame = frame[(frame["year"] > until - span) & (frame["year"] <= until)]
    for cat, rows in frame.groupby("category"):
        by = rows.groupby("year")["grad"].agg(["mean", "size"])
        by = by[by["size"] >= 20]
        if len(by) < window + 2:
            continue
        p = by["mean"].clip(0.01, 0.99)
        z = np.log(p / (1 - p))
        level = float(np.std(z, ddof=1) / np.sqrt(window))
        roll = np.convolve(z.to_numpy(), np.ones(window) / window, mode="valid")
        out[str(cat)] = {"level": round(level, 4), "drift": round(float(np.std(np.diff(roll), ddof=1)), 4)}
    return out


def normals(streams, key: str, year: int, n_draws: int) -> np.ndarray:
    """Standard normal variates of one (key, year) stream, one per draw (common random numbers)."""
    return ndtri(streams.uniform_at(f"param-{key}", year, np.arange(n_draws, dtype=np.uint64)))


def walk_factors(streams, key: str, sigma: float, step: float, first_year: int, n_years: int,
                 n_draws: int) -> np.ndarray:
    """Multiplicative factors (n_years, n_draws) of a level with a random-walk log error.

    Year *h* (1-based) gets ``exp(σ Z_0 + δ (Z_1 + … + Z_h))`` (``δ`` = ``step``); the median factor is 1.
    """
    z = np.stack([normals(streams, key, first_year - 1 + h, n_draws) for h in range(n_years + 1)])
    z[0] *= sigma
    z[1:] *= step
    return np.exp(np.cumsum(z, axis=0)[1:])


def path_factor(streams, key: str, sigma: float, n_draws: int) -> np.ndarray:
    """A factor ``exp(σ Z)`` per draw, constant along the path."""
    return np.exp(sigma * normals(streams, key, 0, n_draws))
