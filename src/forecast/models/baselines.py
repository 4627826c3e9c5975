"""The baselines people actually use: last value, a straight line, the official CAGR.

* :class:`LastValue` — "it stays where it is" (a random walk for the intervals).
* :class:`StraightLine` — ordinary least squares on the year, the point forecast a
  spreadsheet's ``TREND()`` gives, with the textbook prediction interval.
* :class:`CAGR` — the compound annual growth rate between the first and the last
  point of the series, compounded forward: the "current pace maintained"
  extrapolation the UNSD / Eurostat / ESCAP progress rules use
  (``v̂ = v_t (1 + CAGR)^(Y − t)``). It knows nothing of the 100 % ceiling, so
  its draws are clipped there.
"""

from __future__ import annotations

import numpy as np

from forecast.models.base import (
    MIN_POINTS,
    SeriesData,
    TrendModel,
    break_notes,
    design,
    rebase,
    scaled_inv_chi2,
    usable_breaks,
)

#: Floor replacing zero values before taking logs in CAGR (Open SDG's 0.001, here on the share scale).
CAGR_FLOOR = 0.001


def ols_draws(X: np.ndarray, z: np.ndarray, Xnew: np.ndarray, n_draws: int, rng: np.random.Generator,
              weights: np.ndarray | None = None, noise_scale: np.ndarray | None = None):
    """Predictive draws of a (weighted) linear regression, parameter uncertainty included.

    ``σ²`` is drawn from its scaled inverse chi-square, the coefficients from
    their normal given ``σ²``, and a new observation's noise is added (scaled by
    ``noise_scale`` per row of ``Xnew`` when given). Returns ``(draws, point, sigma2)``.
    """
    w = np.ones(len(z)) if weights is None else weights
    sw = np.sqrt(w)
    Xw, zw = X * sw[:, None], z * sw
    XtX = Xw.T @ Xw
    XtX_inv = np.linalg.pinv(XtX)
    beta = XtX_inv @ (Xw.T @ zw)
    resid = zw - Xw @ beta
    df = len(z) - X.shape[1]
    s2 = float(resid @ resid / df) if df > 0 else 0.0
    s2 = max(s2, 1e-12)
    sig2 = scaled_inv_chi2(rng, df, s2, n_draws)
    L = np.linalg.cholesky(XtX_inv + 1e-12 * np.eye(len(beta)))
    coefs = beta[None, :] + np.sqrt(sig2)[:, None] * (rng.standard_normal((n_draws, len(beta))) @ L.T)
    mean = coefs @ Xnew.T
    ns = np.ones(Xnew.shape[0]) if noise_scale is None else noise_scale
    draws = mean + np.sqrt(sig2)[:, None] * ns[None, :] * rng.standard_normal(mean.shape)
    return draws, Xnew @ beta, s2


def _future_design(years: np.ndarray, breaks: list[int], centre: float) -> np.ndarray:
    return design(years.astype(float), breaks, centre)


class LastValue(TrendModel):
    """The last observed value carried forward.

    Intervals come from a random walk without drift whose step variance is the
    mean squared year-on-year change (changes across a series break excluded),
    drawn from its scaled inverse chi-square so the draws carry its uncertainty.
    """

    name = "last_value"
    min_points = 2

    def _fit(self, data: SeriesData) -> None:
        dy = np.diff(data.values) / np.diff(data.years)
        keep = ~data.breaks[1:]
        dy = dy[keep] if keep.any() else dy
        self.level_ = float(data.values[-1])
        self.step_var_ = float(np.mean(dy ** 2)) if len(dy) else 0.0
        self.df_ = max(len(dy), 1)
        if data.break_years:
            self.notes_.append(f"Series break in {data.break_years[-1]}: the last value is already on the "
                               "new definition; year-on-year changes across the break are not used.")

    def _point(self, years):
        return np.full(len(years), self.level_)

    def _draws(self, years, n_draws, rng):
        h = years - self.data_.years[-1]
        var = scaled_inv_chi2(rng, self.df_, max(self.step_var_, 1e-12), n_draws)
        steps = rng.standard_normal((n_draws, len(h))) * np.sqrt(var)[:, None]
        # a random walk: the noise of each year adds to the next (paths, not independent years)
        gaps = np.diff(np.concatenate([[0], h]))
        paths = self.level_ + np.cumsum(steps * np.sqrt(gaps)[None, :], axis=1)
        return paths, np.full(len(h), self.level_)


class StraightLine(TrendModel):
    """Ordinary least squares of the value on the year (a spreadsheet's ``TREND``).

    With a declared break the line gets one level step from the break year on,
    the slope being common to all years. Draws: the t-based prediction
    distribution (coefficients and residual variance drawn, then a new year's noise).
    """

    name = "straight_line"

    def _fit(self, data: SeriesData) -> None:
        self.breaks_ = usable_breaks(data)
        ignored = [b for b in data.break_years if b not in self.breaks_]
        self.centre_ = float(data.years.mean())
        self.X_ = design(data.years.astype(float), self.breaks_, self.centre_)
        coef, *_ = np.linalg.lstsq(self.X_, data.values, rcond=None)
        self.coef_ = coef
        self.slope_ = float(coef[1])
        scale = 100.0 if data.kind == "share" else 1.0
        self.notes_ += break_notes(self.breaks_, [c * scale for c in coef[2:]], ignored)

    def _point(self, years):
        return _future_design(years, self.breaks_, self.centre_) @ self.coef_

    def _draws(self, years, n_draws, rng):
        Xnew = _future_design(years, self.breaks_, self.centre_)
        draws, point, _ = ols_draws(self.X_, self.data_.values, Xnew, n_draws, rng)
        return draws, point


class CAGR(TrendModel):
    """Compound annual growth between the first and last point, compounded forward.

    ``CAGR = (v_t / v_b)^(1/(t − b)) − 1`` and ``v̂_{t+h} = v_t (1 + CAGR)^h``; zero
    values are replaced by 0.001 (share scale) before taking logs, as Open SDG
    does. Intervals: a random walk with drift on the log scale whose step
    variance is that of the year-on-year log growth rates, with the drift's own
    uncertainty added; clipped at 100 % (the rule itself ignores the ceiling).
    A break: the years before it are shifted on the log scale by the step
    estimated at the break, so the base value is on the new definition.
    """

    name = "cagr"
    min_points = 2

    def _fit(self, data: SeriesData) -> None:
        floor = CAGR_FLOOR if data.kind == "share" else 0.5
        logv = np.log(np.maximum(data.values, floor))
        self.breaks_ = usable_breaks(data) if data.n >= MIN_POINTS else []
        logv, steps = rebase(data, logv, self.breaks_)
        span = data.years[-1] - data.years[0]
        self.rate_ = float(np.exp((logv[-1] - logv[0]) / span) - 1.0)
        self.last_ = float(data.values[-1])
        g = np.diff(logv) / np.diff(data.years)
        self.growth_var_ = float(np.var(g, ddof=1)) if len(g) > 1 else float(g[0] ** 2 if len(g) else 0.0)
        self.df_ = max(len(g) - 1, 1)
        self.n_growth_ = max(len(g), 1)
        ignored = [b for b in data.break_years if b not in self.breaks_]
        self.notes_ += break_notes(self.breaks_, [self.last_ * (1 - np.exp(-s)) * 100 for s in steps], ignored)

    def _point(self, years):
        h = (years - self.data_.years[-1]).astype(float)
        base = max(self.last_, CAGR_FLOOR if self.data_.kind == "share" else 0.5)
        return base * (1.0 + self.rate_) ** h

    def _draws(self, years, n_draws, rng):
        h = (years - self.data_.years[-1]).astype(float)
        var = scaled_inv_chi2(rng, self.df_, max(self.growth_var_, 1e-12), n_draws)
        sd = np.sqrt(var)[:, None]
        drift = np.log1p(self.rate_) + sd / np.sqrt(self.n_growth_) * rng.standard_normal((n_draws, 1))
        gaps = np.diff(np.concatenate([[0.0], h]))
        walk = np.cumsum(sd * np.sqrt(gaps)[None, :] * rng.standard_normal((n_draws, len(h))), axis=1)
        base = max(self.last_, CAGR_FLOOR if self.data_.kind == "share" else 0.5)
        draws = base * np.exp(np.minimum(drift * h[None, :] + walk, 50.0))
        point = base * (1.0 + self.rate_) ** h
        return draws, point
