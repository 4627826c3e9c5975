"""The default's calibration: combination weights and scaled error distributions learned from past forecasts.

Public interface (what the backtest, the annual analysis and the hindcast use):

* :func:`learn_calibration` turns scored past forecasts (component points, outcomes, the series'
  scales, horizons, levels at the origin, ages) into a :class:`Calibration`: weights per level band
  and horizon, chosen on a grid of the simplex to minimise the age-weighted mean absolute error,
  and the combination's scaled errors, rescaled by era (:func:`era_ratios`).
* :func:`combine` turns component points and a calibration into draws and a median path;
  :func:`copula_uniforms` gives the uniforms that tie a path's years together.
* :func:`series_scale` is the scale a series' errors are divided by before they are pooled.

``docs/methods.md`` §3 has the full account. Imports only numpy and scipy: the
calibration knows nothing of the models whose forecasts it weighs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations_with_replacement

import numpy as np
from scipy.stats import norm

from forecast.models.base import clip_values, from_link

#: Fewest scored past forecasts (effective number, see :func:`effective_size`) at a horizon before its
#: weights and errors are learned.
MIN_RECORDS = 30
#: Correlation of the Gaussian copula tying a path's years together.
PATH_RHO = 0.9
#: Past forecasts count with weight ``0.5 ** (age / HALF_LIFE)``, ``age`` the years from their outcome
#: to the forecast origin: how trends carry on changes over time (an S-curve's phase), so recent
#: experience counts most (discounted learning of combination weights).
HALF_LIFE = 2.0
#: Past forecasts whose outcome is this many years old or older are not used.
MAX_AGE = 16
#: Width in years of the windows of one-year-ahead errors compared by the era rescaling
#: (:func:`era_ratios`): the latest ``RECENT_YEARS`` against those when a horizon's records were made.
RECENT_YEARS = 4
#: Bounds of the level bands (share at the origin) within which weights and errors are learned
#: separately: where a share stands on its S-curve decides which trend shape carries on.
LEVEL_BANDS = (0.10, 0.30, 0.60, 0.85)
#: Grid step of the simplex search for the weights.
WEIGHT_STEP = 0.1



def record_weights(ages: np.ndarray, half_life: float = HALF_LIFE) -> np.ndarray:
    """Weight of each past forecast by the age of its outcome: ``0.5 ** (age / half_life)``.

    ``half_life=inf`` weighs every past forecast the same.
    """
    if not half_life > 0:
        raise ValueError(f"half_life must be positive, got {half_life}")
    return 0.5 ** (np.asarray(ages, dtype=float) / half_life)


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` (the count itself when all weights are equal)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if len(w) and w.any() else 0.0


#: Shares are kept this far inside (0, 1) on the scale the errors are measured on.
ERROR_EPS = 0.001


#: Scale the pooled errors live on: "value" (percentage points) or "link" (logit / log).
ERROR_SCALE = "value"
#: Floor of a series' scale on each error scale (share kind; counts use 1 % of the level).
SCALE_FLOOR = {"value": 0.01, "link": 0.05}


def error_link(values: np.ndarray, kind: str) -> np.ndarray:
    """The scale forecast errors are measured on: logit for shares, log for counts.

    Shares are kept inside ``[0.001, 0.999]`` (0.1 pp from the bounds), so a
    published 0 % does not produce an unbounded error.
    """
    if ERROR_SCALE == "value":
        return np.asarray(values, dtype=float)
    if kind == "share":
        p = np.clip(values, ERROR_EPS, 1 - ERROR_EPS)
        return np.log(p / (1 - p))
    return np.log(np.maximum(values, 0.5))


def error_unlink(z: np.ndarray, kind: str) -> np.ndarray:
    """Inverse of :func:`error_link` (within the clipping)."""
    return np.asarray(z, dtype=float) if ERROR_SCALE == "value" else from_link(z, kind)


def series_scale(values: np.ndarray, years: np.ndarray, kind: str = "share", breaks=None) -> float:
    """The scale a series' forecast errors are divided by before they are pooled.

    Root mean square of the year-on-year changes on the error scale (logit for
    shares, log for counts; changes across a break left out), floored at 0.01 so
    that flat series still get a usable scale. On the logit scale a share moving
    fast from near zero and one creeping near 100 % get comparable errors.
    """
    z = error_link(np.asarray(values, dtype=float), kind)
    dz = np.diff(z) / np.maximum(np.diff(years), 1)
    if breaks is not None and len(dz):
        keep = ~np.asarray(breaks, dtype=bool)[1:]
        dz = dz[keep] if keep.any() else dz
    rms = float(np.sqrt(np.mean(dz ** 2))) if len(dz) else 0.0
    floor = SCALE_FLOOR[ERROR_SCALE]
    if kind == "count" and ERROR_SCALE == "value":
        floor = max(0.01 * abs(float(values[-1])), 1.0)
    return max(rms, floor)


def level_band(level: float | np.ndarray, kind: str = "share") -> np.ndarray:
    """Index of the level band of a share at the origin (counts all fall in band 0)."""
    if kind != "share":
        return np.zeros(np.shape(level), dtype=int)
    return np.searchsorted(np.asarray(LEVEL_BANDS), level, side="right")


def simplex_grid(k: int, step: float = WEIGHT_STEP) -> np.ndarray:
    """Every weight vector of ``k`` non-negative entries summing to 1 on a grid of ``step``."""
    n = int(round(1 / step))
    rows = []
    for combo in combinations_with_replacement(range(k), n):
        rows.append(np.bincount(combo, minlength=k) / n)
    return np.array(rows)


def best_weights(points: np.ndarray, outcomes: np.ndarray, weights: np.ndarray,
                 step: float = WEIGHT_STEP) -> np.ndarray:
    """Weights on the simplex grid of ``step`` minimising the weighted mean absolute error.

    The loss is convex in the weights, so the search need not visit every grid
    point (3,003 of them for six components at 0.1): it starts from the best point
    of the grid twice as coarse, then moves ``step`` of weight from one component
    to another (or two such moves at once, when no single one helps) while that
    lowers the loss. On a convex loss this ends at, or next to, the best point of
    the fine grid, at a fraction of the cost.

    Parameters
    ----------
    points : ndarray (n, k)
        Component point forecasts.
    outcomes : ndarray (n,)
    weights : ndarray (n,)
        Weight of each past forecast.
    step : float
        Grid step of the result.
    """
    P = np.asarray(points, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    wts = np.asarray(weights, dtype=float)
    k = P.shape[1]
    n_steps = int(round(1 / step))
    coarse = simplex_grid(k, 2 * step) if n_steps % 2 == 0 and k > 2 else simplex_grid(k, step)
    w = coarse[int(np.argmin(wts @ np.abs(y[:, None] - P @ coarse.T)))].copy()
    if k < 2:
        return w
    pairs = np.array([(i, j) for i in range(k) for j in range(k) if i != j])
    moves = step * (P[:, pairs[:, 1]] - P[:, pairs[:, 0]])       # (n, pairs): weight from i to j
    # two moves at once, for a valley no single move descends (e.g. from one component to two others)
    a, b = np.triu_indices(len(pairs), 1)
    a, b = a[pairs[a, 1] != pairs[b, 0]], b[pairs[a, 1] != pairs[b, 0]]
    a, b = a[pairs[a, 0] != pairs[b, 1]], b[pairs[a, 0] != pairs[b, 1]]
    fit = P @ w
    loss = float(wts @ np.abs(y - fit))
    for _ in range(8 * n_steps):
        single = wts @ np.abs(y[:, None] - fit[:, None] - moves)
        single[w[pairs[:, 0]] < step - 1e-9] = np.inf
        best = int(np.argmin(single))
        if single[best] < loss - 1e-12 * max(abs(loss), 1.0):
            chosen = [best]
            loss = float(single[best])
        elif not len(a):
            break
        else:
            need = np.zeros((len(a), k))
            np.add.at(need, (np.arange(len(a)), pairs[a, 0]), step)
            np.add.at(need, (np.arange(len(a)), pairs[b, 0]), step)
            double = wts @ np.abs(y[:, None] - fit[:, None] - moves[:, a] - moves[:, b])
            double[(need > w[None, :] + 1e-9).any(axis=1)] = np.inf
            best = int(np.argmin(double))
            if not double[best] < loss - 1e-12 * max(abs(loss), 1.0):
                break
            chosen = [int(a[best]), int(b[best])]
            loss = float(double[best])
        for m in chosen:
            i, j = pairs[m]
            w[i] -= step
            w[j] += step
            fit = fit + moves[:, m]
    return np.round(w * n_steps) / n_steps


#: Bounds of the exponent with which errors grow with the horizon when a horizon borrows a
#: shorter one: 0.5 is a random walk's square root, 1 a trend's linear growth.
GROWTH_BOUNDS = (0.5, 1.5)


def error_growth(errors: dict, positions: dict | None = None) -> float:
    """Exponent ``g`` of the growth of the errors' spread with the horizon, ``spread(h) ∝ h**g``.

    Fitted by least squares on the log of the 10–90 % range of the pooled
    scaled errors against the log of the horizon, over the calibrated
    horizons; :data:`GROWTH_BOUNDS` hold it between a random walk's 0.5 and 1.5.
    With fewer than two calibrated horizons it is 0.5.

    Parameters
    ----------
    errors : dict (int, int) -> ndarray
        Sorted scaled errors by ``(band, h)``; the pooled entries (band ``-1``) are used.
    positions : dict (int, int) -> ndarray, optional
        Their weighted plotting positions (equal weights when omitted).
    """
    hs = sorted(h for (b, h) in errors if b == -1)
    if len(hs) < 2:
        return GROWTH_BOUNDS[0]
    pos = positions or {}
    spread = np.array([np.subtract(*weighted_quantile(errors[(-1, h)], pos.get((-1, h)), [0.9, 0.1]))
                       for h in hs])
    if not (spread > 0).all():
        return GROWTH_BOUNDS[0]
    slope = float(np.polyfit(np.log(hs), np.log(spread), 1)[0])
    return float(np.clip(slope, *GROWTH_BOUNDS))


def plotting_positions(weights: np.ndarray) -> np.ndarray:
    """Mid-point plotting positions of sorted values with these weights, in (0, 1)."""
    w = np.asarray(weights, dtype=float)
    c = np.cumsum(w)
    return (c - 0.5 * w) / c[-1]


def weighted_quantile(sorted_values: np.ndarray, positions: np.ndarray | None, q) -> np.ndarray:
    """Quantiles ``q`` of sorted values at the given plotting positions (linear interpolation)."""
    v = np.asarray(sorted_values, dtype=float)
    pos = plotting_positions(np.ones(len(v))) if positions is None else positions
    return np.interp(q, pos, v)


def era_ratios(one_step_errors: np.ndarray, ages: np.ndarray, horizons, min_records: int = MIN_RECORDS) -> dict:
    """How much harder one-year-ahead forecasting has become since each horizon's records were made.

    A horizon-``h`` past forecast with an outcome of age ``a`` was made at an
    origin ``h`` years before, when the one-year-ahead forecasts then being
    scored had outcomes of age about ``a + h − 1``. The ratio for ``h`` is the
    10–90 % range of the scaled one-year-ahead errors with outcome ages
    ``0 … RECENT_YEARS − 1`` over that of ages ``h − 1 … h + RECENT_YEARS − 2``
    (unweighted, plain percentiles); 1 where either window has fewer than
    ``min_records`` errors or a range of 0.

    Returns
    -------
    dict int -> float
    """
    e, a = np.asarray(one_step_errors, dtype=float), np.asarray(ages)
    now = e[a < RECENT_YEARS]
    out = {}
    for h in horizons:
        ratio = 1.0
        then = e[(a >= h - 1) & (a < h - 1 + RECENT_YEARS)]
        if h > 1 and len(now) >= min_records and len(then) >= min_records:
            spread_then = float(np.subtract(*np.percentile(then, [90, 10])))
            spread_now = float(np.subtract(*np.percentile(now, [90, 10])))
            if spread_then > 0 and spread_now > 0:
                ratio = spread_now / spread_then
        out[int(h)] = ratio
    return out


@dataclass
class Calibration:
    """Weights and scaled error distributions by level band and horizon, learned from past forecasts.

    Keys are ``(band, h)``; band ``-1`` pools every level band.

    Attributes
    ----------
    weights : dict (int, int) -> ndarray
        Component weights (in :data:`COMPONENTS` order).
    errors : dict (int, int) -> ndarray
        Sorted scaled errors ``(y − ŷ) / scale`` of the combination.
    positions : dict (int, int) -> ndarray
        Their plotting positions, from the past forecasts' weights (:func:`record_weights`).
    counts : dict (int, int) -> int
        Number of scored past forecasts behind each entry (a band's entry may
        include its neighbouring bands' forecasts).
    source : str
        Plain-language description of where the records came from.
    growth : float
        Exponent of the growth of the errors with the horizon (:func:`error_growth`),
        used when a horizon borrows a shorter one.
    ratios : dict int -> float
        Era rescaling of each horizon's errors (:func:`era_ratios`).
    """

    weights: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    positions: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    source: str = ""
    growth: float = GROWTH_BOUNDS[0]
    ratios: dict = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return bool(self.weights)

    @property
    def n_records(self) -> int:
        """Scored past forecasts behind the pooled entries."""
        return sum(v for (b, _), v in self.counts.items() if b == -1)

    def entry(self, h: int, band: int = -1) -> tuple[tuple[int, int], float]:
        """The key of the entry used for horizon ``h`` in level ``band``, and a widening factor.

        The band's own entry is preferred, then the pooled one; a horizon
        without enough records borrows the nearest shorter one ``h'`` (the
        shortest longer one if there is none), its errors, median included,
        multiplied by ``(h / h') ** growth`` (:attr:`growth`, learned from the
        calibrated horizons).
        """
        for key in ((band, h), (-1, h)):
            if key in self.weights:
                return key, 1.0
        shorter = sorted({k for (_, k) in self.weights if k < h})
        k = shorter[-1] if shorter else min(k for (_, k) in self.weights)
        for key in ((band, k), (-1, k)):
            if key in self.weights:
                return key, float((h / k) ** self.growth)
        raise KeyError(h)  # pragma: no cover - the pooled entry exists whenever the band's does

    def for_horizon(self, h: int, band: int = -1):
        """Weights, sorted scaled errors and widening factor for horizon ``h`` in level ``band``.

        The errors are not equally weighted: their quantiles are :meth:`quantile`'s.
        """
        key, widen = self.entry(h, band)
        return self.weights[key], self.errors[key], widen

    def quantile(self, key: tuple[int, int], q) -> np.ndarray:
        """Quantiles ``q`` of the scaled errors of entry ``key`` (weighted)."""
        return weighted_quantile(self.errors[key], self.positions.get(key), q)


def learn_calibration(points: np.ndarray, outcomes: np.ndarray, scales: np.ndarray, horizons: np.ndarray,
                      levels: np.ndarray | None = None, ages: np.ndarray | None = None,
                      min_records: int = MIN_RECORDS, source: str = "", kind: str = "share",
                      half_life: float = HALF_LIFE, era: bool = True) -> Calibration:
    """Learn weights and scaled errors by level band and horizon from scored past forecasts.

    Parameters
    ----------
    points : ndarray (n, k)
        Component point forecasts of each past forecast (value scale).
    outcomes : ndarray (n,)
        What was then observed.
    scales : ndarray (n,)
        The series' scale at the origin (:func:`series_scale`).
    horizons : ndarray (n,)
        Years ahead of each forecast.
    levels : ndarray (n,), optional
        The value at the origin (decides the level band); all pooled when omitted.
    ages : ndarray (n,), optional
        Years from each outcome to the origin being calibrated; past forecasts
        are weighted by :func:`record_weights` and the errors rescaled by era
        (:func:`era_ratios`). All weigh the same, unrescaled, when omitted.
    min_records : int
        Fewest past forecasts (effective number) behind an entry.
    half_life : float
        Of the weights of past forecasts (:func:`record_weights`); for sensitivity checks.
    era : bool
        Rescale the errors by era (:func:`era_ratios`); ``False`` for sensitivity checks.

    Returns
    -------
    Calibration
        Empty (``usable`` False) when no horizon has an effective number of
        ``min_records`` past forecasts (:func:`effective_size`).

    Notes
    -----
    Each horizon with enough records gets a pooled entry (band ``-1``) and, for
    shares with ``levels``, one entry per level band. A band with too few
    records of its own borrows the bands next to it, one step further each
    time, until there are enough: the dynamics of a share at 70 % resemble
    those at 50 % more than those at 5 %. The weights minimise the weighted
    mean absolute error of the combined point forecast on the value scale.
    """
    cal = Calibration(source=source)
    ok = np.isfinite(points).all(axis=1) & np.isfinite(outcomes) & np.isfinite(scales)
    points, outcomes, scales, horizons = points[ok], outcomes[ok], scales[ok], horizons[ok]
    ages = None if ages is None else np.asarray(ages)[ok]
    wts = np.ones(len(outcomes)) if ages is None else record_weights(ages, half_life)
    banded = levels is not None and kind == "share"
    bands = level_band(np.asarray(levels)[ok], kind) if banded else np.full(len(outcomes), -1)
    n_bands = len(LEVEL_BANDS) + 1

    def errors_of(sel, w):
        return (error_link(outcomes[sel], kind) - error_link(points[sel] @ w, kind)) / scales[sel]

    def learn(sel, key):
        w = best_weights(points[sel], outcomes[sel], wts[sel])
        e = errors_of(sel, w)
        order = np.argsort(e, kind="stable")
        cal.weights[key] = w
        cal.errors[key] = e[order]
        cal.positions[key] = plotting_positions(wts[sel][order])
        cal.counts[key] = int(sel.sum())

    for h in np.unique(horizons):
        at_h = horizons == h
        if effective_size(wts[at_h]) < min_records:
            continue
        learn(at_h, (-1, int(h)))
        for band in range(n_bands) if banded else ():
            for reach in range(n_bands):
                sel = at_h & (np.abs(bands - band) <= reach)
                if effective_size(wts[sel]) >= min_records:
                    learn(sel, (band, int(h)))
                    break
    if era and ages is not None and (-1, 1) in cal.weights:
        one = horizons == 1
        cal.ratios = era_ratios(errors_of(one, cal.weights[(-1, 1)]), ages[one],
                                sorted({h for (_, h) in cal.weights}), min_records)
        for key in list(cal.errors):
            # widened around the median, so the point forecast stays where it is
            m = float(cal.quantile(key, 0.5))
            cal.errors[key] = m + (cal.errors[key] - m) * cal.ratios[key[1]]
    # how the errors grow with the horizon, in today's era (after the rescaling)
    cal.growth = error_growth(cal.errors, cal.positions)
    return cal


def isotonic(y: np.ndarray) -> np.ndarray:
    """Least-squares non-decreasing fit to ``y`` (pool-adjacent-violators)."""
    blocks = []                                  # [mean, size]
    for v in np.asarray(y, dtype=float):
        blocks.append([v, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m2, n2), (m1, n1) = blocks.pop(), blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    return np.concatenate([np.full(n, m) for m, n in blocks]) if blocks else np.empty(0)


def shared_direction(points: np.ndarray) -> int:
    """+1 when every component's path never falls, −1 when none ever rises, else 0.

    ``points`` has one row per year (in order) and one column per component.
    """
    steps = np.diff(np.asarray(points, dtype=float), axis=0)
    if steps.size == 0:
        return 0
    if (steps >= -1e-12).all() and (steps > 1e-12).any():
        return 1
    if (steps <= 1e-12).all() and (steps < -1e-12).any():
        return -1
    return 0


def combine(points: np.ndarray, scale: float, horizons: np.ndarray, cal: Calibration, u: np.ndarray,
            kind: str = "share", level: float | None = None):
    """Calibrated draws and point forecasts from component points.

    Parameters
    ----------
    points : ndarray (n_years, k)
        Component point forecasts, years in increasing order.
    scale : float
    horizons : ndarray (n_years,)
    cal : Calibration
    u : ndarray (n_draws, n_years)
        Uniform numbers (the copula); quantiles of the scaled errors are taken at them.
    kind : {"share", "count"}
    level : float, optional
        The value at the origin (selects the level band); pooled band when omitted.

    Returns
    -------
    draws : ndarray (n_draws, n_years)
    point : ndarray (n_years,)
        The median of each year's distribution.

    Notes
    -----
    Weights and errors are learned horizon by horizon, so with few past
    forecasts the median path can wobble. When every component's path moves
    in one direction (:func:`shared_direction`), the median path is made
    monotone in that direction by isotonic regression and each year's
    distribution is shifted with its median.
    """
    z_draws = np.empty(u.shape)
    z_point = np.empty(len(horizons))
    band = -1 if level is None else int(level_band(level, kind))
    for j, h in enumerate(horizons):
        key, widen = cal.entry(int(h), band)
        centre = error_link(np.array([points[j] @ cal.weights[key]]), kind)[0]
        z_draws[:, j] = centre + scale * widen * cal.quantile(key, u[:, j])
        z_point[j] = centre + scale * widen * float(cal.quantile(key, 0.5))
    direction = shared_direction(points)
    if direction:
        shift = direction * isotonic(direction * z_point) - z_point
        z_point = z_point + shift
        z_draws = z_draws + shift
    return clip_values(error_unlink(z_draws, kind), kind), clip_values(error_unlink(z_point, kind), kind)


def copula_uniforms(rng: np.random.Generator, n_draws: int, n_years: int, rho: float = PATH_RHO) -> np.ndarray:
    """Uniforms whose normal scores share a common factor (correlation ``rho`` between years)."""
    common = rng.standard_normal((n_draws, 1))
    own = rng.standard_normal((n_draws, n_years))
    return norm.cdf(np.sqrt(rho) * common + np.sqrt(1 - rho) * own)


