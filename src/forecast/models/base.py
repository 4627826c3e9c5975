"""What every trend model shares: input checking, working scales, breaks, draws.

The models follow the statsforecast / scikit-learn protocol: ``__init__`` only
stores arguments, ``fit(series)`` checks the series and stores fitted state in
attributes ending in ``_`` and returns ``self``, ``predict(years, levels,
n_draws, seed)`` returns a :class:`forecast.results.Forecast` whose draws include
parameter uncertainty.

A *series* is a frame with columns ``year`` and ``value`` (a share in [0, 1], or
a count for the direction-only T11) and optionally ``numerator``,
``denominator`` and ``break`` (True in the first year of a new population
definition). Internally it becomes a :class:`SeriesData` of plain arrays, which
the backtest also builds directly to avoid pandas overhead in its hot loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.results import Forecast

#: Shares are kept this far inside (0, 1) before taking logits.
EPS = 1e-4
#: Fewest points any trend model fits (two parameters plus one degree of freedom).
MIN_POINTS = 3


class SeriesError(ValueError):
    """A series cannot be fitted; the message says what is wrong with it."""


@dataclass(frozen=True)
class SeriesData:
    """A checked series as plain arrays (sorted by year).

    Attributes
    ----------
    years : ndarray of int
    values : ndarray of float
        Shares in [0, 1] (``kind="share"``) or non-negative counts (``kind="count"``).
    weights : ndarray of float or None
        Population size of each year (the denominator) when counts are known.
    breaks : ndarray of bool
        True in the first year of a new population definition.
    kind : {"share", "count"}
    """

    years: np.ndarray
    values: np.ndarray
    weights: np.ndarray | None
    breaks: np.ndarray
    kind: str = "share"

    @property
    def n(self) -> int:
        return len(self.years)

    @property
    def break_years(self) -> list[int]:
        """Break years that split the series (a break in its first year changes nothing)."""
        return [int(y) for y, b in zip(self.years[1:], self.breaks[1:], strict=True) if b]


def check_series(series, kind: str | None = None) -> SeriesData:
    """Turn a series frame into :class:`SeriesData`, collecting every problem.

    Parameters
    ----------
    series : DataFrame or SeriesData
        Columns ``year``, ``value`` and optionally ``numerator``, ``denominator``, ``break``.
    kind : {"share", "count"}, optional
        Defaults to ``"share"`` when every value lies in [0, 1], else ``"count"``.

    Returns
    -------
    SeriesData

    Raises
    ------
    SeriesError
        Naming every problem at once (missing columns, duplicate or non-integer
        years, missing or out-of-range values).
    """
    if isinstance(series, SeriesData):
        return series
    if not isinstance(series, pd.DataFrame):
        raise SeriesError(f"a series must be a DataFrame with columns year, value; got {type(series).__name__}")
    missing = [c for c in ("year", "value") if c not in series.columns]
    if missing:
        raise SeriesError(f"series lacks column(s) {', '.join(missing)}; it has {list(series.columns)}")
    frame = series.sort_values("year")
    problems = []
    years = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype=float)
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(years).any() or (years != np.round(years)).any():
        problems.append("column year holds non-integer entries")
    elif len(np.unique(years)) != len(years):
        dup = sorted({int(y) for y in years[pd.Series(years).duplicated().to_numpy()]})
        problems.append(f"duplicate years {dup}")
    if np.isnan(values).any():
        bad = [int(y) for y, v in zip(years, values, strict=True) if np.isnan(v) and not np.isnan(y)]
        problems.append(f"missing value in year(s) {bad}")
    if kind is None:
        kind = "share" if np.nanmax(values, initial=0.0) <= 1.0 else "count"
    if kind not in ("share", "count"):
        problems.append(f"kind must be 'share' or 'count', got {kind!r}")
    finite = values[~np.isnan(values)]
    if kind == "share" and ((finite < 0) | (finite > 1)).any():
        problems.append("a share series needs values in [0, 1] (percent values must be divided by 100)")
    if kind == "count" and (finite < 0).any():
        problems.append("a count series needs non-negative values")
    weights = None
    if "denominator" in frame.columns and kind == "share":
        den = pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(dtype=float)
        known = np.isfinite(den) & (den > 0)
        if (np.isfinite(den) & (den <= 0)).any():
            problems.append("column denominator must be positive where given")
        elif known.any():
            # years published as a percent only get the typical population of the other years
            weights = np.where(known, den, np.median(den[known]))
    breaks = (frame["break"].fillna(False).astype(bool).to_numpy() if "break" in frame.columns
              else np.zeros(len(frame), dtype=bool))
    if problems:
        raise SeriesError("; ".join(problems))
    return SeriesData(years.astype(int), values, weights, breaks, kind)


def check_years(years, last_year: int) -> np.ndarray:
    """Forecast years as a sorted int array strictly after ``last_year``."""
    out = np.asarray(sorted({int(y) for y in np.atleast_1d(years)}), dtype=int)
    if not len(out):
        raise ValueError("no forecast years given")
    if out[0] <= last_year:
        raise ValueError(f"forecast years must come after the last observed year {last_year}; got {out[0]}")
    return out


# -- working scales ---------------------------------------------------------
def to_link(values: np.ndarray, kind: str) -> np.ndarray:
    """Logit for shares (kept inside ``[EPS, 1-EPS]``), log for counts (kept ≥ 0.5)."""
    if kind == "share":
        p = np.clip(values, EPS, 1 - EPS)
        return np.log(p / (1 - p))
    return np.log(np.maximum(values, 0.5))


def from_link(z: np.ndarray, kind: str) -> np.ndarray:
    """Inverse of :func:`to_link`."""
    if kind == "share":
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return np.exp(np.clip(z, -30, 30))


def clip_values(x: np.ndarray, kind: str) -> np.ndarray:
    """Keep shares inside [0, 1] and counts non-negative."""
    return np.clip(x, 0.0, 1.0) if kind == "share" else np.maximum(x, 0.0)


# -- breaks -------------------------------------------------------------------
def design(years: np.ndarray, break_years: list[int], centre: float) -> np.ndarray:
    """Design matrix: intercept, centred year, and one step per break (1 from the break on).

    A step per break is the "level shift at the break, trend carried across":
    the slope is estimated from every year, the level is re-set at the break.
    """
    cols = [np.ones(len(years)), years - centre]
    cols += [(years >= b).astype(float) for b in break_years]
    return np.column_stack(cols)


def usable_breaks(data: SeriesData) -> list[int]:
    """Break years that leave enough points to estimate a trend plus one step each."""
    out: list[int] = []
    for b in data.break_years:
        if data.n >= MIN_POINTS + len(out) + 1:
            out.append(b)
    return out


def rebase(data: SeriesData, z: np.ndarray, break_years: list[int]) -> tuple[np.ndarray, list[float]]:
    """Shift the years before each break onto the newest definition (on the scale of ``z``).

    The steps come from an OLS fit of trend + steps, so earlier years keep
    informing the slope. Returns the re-based values and the estimated steps.
    """
    if not break_years:
        return z, []
    X = design(data.years.astype(float), break_years, data.years.mean())
    coef, *_ = np.linalg.lstsq(X, z, rcond=None)
    steps = list(coef[2:])
    out = z.copy()
    for b, s in zip(break_years, steps, strict=True):
        out = out + s * (data.years < b)
    return out, [float(s) for s in steps]


def break_notes(break_years: list[int], steps_pp: list[float], ignored: list[int]) -> list[str]:
    """Plain-language notes on the breaks handled (steps in percentage points)."""
    notes = []
    for b, s in zip(break_years, steps_pp, strict=True):
        notes.append(
            f"Series break in {b} (new population definition): level shift of {s:+.1f} pp estimated "
            "at the break; the trend is carried across from all years.")
    for b in ignored:
        notes.append(f"Series break in {b} ignored: too few points to estimate a level shift.")
    return notes


# -- random draws ---------------------------------------------------------------
def scaled_inv_chi2(rng: np.random.Generator, df: float, scale2: float, size: int) -> np.ndarray:
    """Draws of a variance whose estimate is ``scale2`` on ``df`` degrees of freedom."""
    df = max(df, 1.0)
    return df * scale2 / rng.chisquare(df, size=size)


def make_forecast(years, draws, method, kind, notes, point=None) -> Forecast:
    """Wrap draws into a Forecast, clipping them to the valid range first."""
    return Forecast(years=years, draws=clip_values(draws, kind), method=method,
                    kind="share" if kind == "share" else "count", notes=list(notes),
                    point=None if point is None else clip_values(np.asarray(point, dtype=float), kind))


class TrendModel:
    """Base class: the fit/predict protocol and the checks every model shares.

    Subclasses implement ``_fit(data)`` (set fitted attributes) and
    ``_draws(years, n_draws, rng)`` returning ``(draws, point)`` on the value scale.
    """

    name = "base"
    min_points = MIN_POINTS

    def fit(self, series, kind: str | None = None):
        """Fit the model to one series; returns ``self``.

        Parameters
        ----------
        series : DataFrame
            Columns ``year``, ``value`` (share in [0, 1] or a count), optional
            ``numerator``, ``denominator``, ``break``.
        kind : {"share", "count"}, optional
            Inferred from the values when omitted.
        """
        data = check_series(series, kind)
        if data.n < self.min_points:
            raise SeriesError(f"{self.name} needs at least {self.min_points} years of data; got {data.n}")
        self.data_ = data
        self.notes_: list[str] = []
        self._fit(data)
        return self

    def predict(self, years, levels=(80, 95), n_draws: int = 2000, seed: int = 0) -> Forecast:
        """Forecast ``years`` (after the last observed year) as simulated paths.

        Parameters
        ----------
        years : sequence of int
        levels : sequence of float
            Interval levels the caller will ask for (kept for the protocol; the
            draws serve any level through ``Forecast.summary_frame(levels)``).
        n_draws : int
            Number of simulated paths.
        seed : int
            Seed of the numpy Generator.
        """
        if not hasattr(self, "data_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(series) first")
        yrs = check_years(years, int(self.data_.years[-1]))
        rng = np.random.default_rng(seed)
        draws, point = self._draws(yrs, int(n_draws), rng)
        return make_forecast(yrs, draws, self.name, self.data_.kind, self.notes_, point)

    def point(self, years) -> np.ndarray:
        """The point forecast alone (no simulation; what the default's calibration needs)."""
        if not hasattr(self, "data_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(series) first")
        yrs = check_years(years, int(self.data_.years[-1]))
        if hasattr(self, "_point"):
            return clip_values(np.asarray(self._point(yrs), dtype=float), self.data_.kind)
        return self.predict(yrs, n_draws=1).median.to_numpy()

    def _fit(self, data: SeriesData) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draws(self, years, n_draws, rng):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({args})"
