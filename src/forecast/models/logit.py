"""Bounded trends for shares: logit-linear quasi-binomial GLM and a damped logit trend.

Both work on the logit scale, so a share's forecast slows down as it nears
100 % and never leaves [0, 1] (Hyndman & Athanasopoulos, *FPP2* §12.3). For the
count of T11 the same models run on the log scale (quasi-Poisson), so counts stay
positive.

* :class:`LogitLinear` — ``logit p_t = α + β (t − t̄)`` fitted as a
  quasi-binomial GLM by iteratively reweighted least squares: with counts, each
  year's population ``N_t`` is its prior weight; the dispersion ``φ`` (Pearson
  χ² / residual df) turns the tiny binomial variance of thousands of staff into
  the observed year-to-year noise (METHODS §4.2).
* :class:`DampedLogit` — Holt's damped-trend exponential smoothing,
  ETS(A,Ad,N), on the logit: the slope fades by ``φ`` a year, so the forecast
  levels off instead of running on (METHODS §4.1). With 4–12 points ``φ`` is
  fixed (0.9 by default) and the smoothing weights are chosen from a small grid.
"""

from __future__ import annotations

import numpy as np

from forecast.models.base import (
    SeriesData,
    TrendModel,
    break_notes,
    design,
    from_link,
    rebase,
    scaled_inv_chi2,
    to_link,
    usable_breaks,
)


def irls(X: np.ndarray, y: np.ndarray, m: np.ndarray, kind: str, max_iter: int = 30):
    """Fit a quasi-binomial (shares, logit link) or quasi-Poisson (counts, log link) GLM.

    Parameters
    ----------
    X : ndarray (n, k)
    y : ndarray (n,)
        Shares in [0, 1] or counts.
    m : ndarray (n,)
        Prior weights (population sizes, or ones).
    kind : {"share", "count"}

    Returns
    -------
    beta : ndarray (k,)
    cov_unscaled : ndarray (k, k)
        ``(X' W X)^{-1}``; multiply by the dispersion for the covariance.
    phi : float
        Pearson dispersion estimate (``χ² / (n − k)``).
    """
    eta = to_link(y, kind)
    beta = np.linalg.lstsq(X, eta, rcond=None)[0]
    for _ in range(max_iter):
        eta = np.clip(X @ beta, -15, 15)
        mu = from_link(eta, kind)
        v = mu * (1 - mu) if kind == "share" else mu
        v = np.maximum(v, 1e-10)
        w = m * v
        z = eta + (y - mu) / v
        sw = np.sqrt(w)
        new = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]
        if np.max(np.abs(new - beta)) < 1e-8:
            beta = new
            break
        beta = new
    eta = np.clip(X @ beta, -15, 15)
    mu = from_link(eta, kind)
    v = np.maximum(mu * (1 - mu) if kind == "share" else mu, 1e-10)
    w = m * v
    cov = np.linalg.pinv((X * w[:, None]).T @ X)
    df = len(y) - X.shape[1]
    phi = float(np.sum(m * (y - mu) ** 2 / v) / df) if df > 0 else 1.0
    return beta, cov, max(phi, 1e-10)


def _scale(kind: str) -> float:
    return 100.0 if kind == "share" else 1.0


class LogitLinear(TrendModel):
    """Logit-linear trend fitted as a quasi-binomial GLM on counts.

    Parameters
    ----------
    use_counts : bool
        Weight each year by its population (the denominator) when counts are
        given (default True); otherwise all years weigh the same.

    Notes
    -----
    Draws: the dispersion from its scaled inverse chi-square on ``n − k`` df,
    the coefficients from ``N(β̂, φ (X'WX)^{-1})``, then a new year's noise on the
    logit scale with variance ``φ / (N p (1 − p))`` (``N`` the latest population).
    A declared break adds a level step from the break year (slope common).
    """

    name = "logit_linear"

    def __init__(self, use_counts: bool = True):
        self.use_counts = use_counts

    def _fit(self, data: SeriesData) -> None:
        self.breaks_ = usable_breaks(data)
        ignored = [b for b in data.break_years if b not in self.breaks_]
        self.centre_ = float(data.years.mean())
        X = design(data.years.astype(float), self.breaks_, self.centre_)
        m = data.weights if (self.use_counts and data.weights is not None) else np.ones(data.n)
        self.beta_, self.cov_, self.phi_ = irls(X, data.values, m, data.kind)
        self.weight_last_ = float(m[-1])
        self.df_ = data.n - X.shape[1]
        self.slope_ = float(self.beta_[1])
        last = float(from_link(X[-1] @ self.beta_, data.kind))
        steps = []
        for s in self.beta_[2:]:
            before = float(from_link(X[-1] @ self.beta_ - s, data.kind))
            steps.append((last - before) * _scale(data.kind))
        self.notes_ += break_notes(self.breaks_, steps, ignored)
        if data.weights is not None and self.use_counts:
            self.notes_.append(f"Quasi-binomial GLM weighted by each year's population; dispersion φ = {self.phi_:.1f}.")

    def _point(self, years):
        return from_link(design(years.astype(float), self.breaks_, self.centre_) @ self.beta_, self.data_.kind)

    def _draws(self, years, n_draws, rng):
        kind = self.data_.kind
        Xnew = design(years.astype(float), self.breaks_, self.centre_)
        phi = scaled_inv_chi2(rng, self.df_, self.phi_, n_draws)
        L = np.linalg.cholesky(self.cov_ + 1e-12 * np.eye(len(self.beta_)))
        coefs = self.beta_[None, :] + np.sqrt(phi)[:, None] * (rng.standard_normal((n_draws, len(self.beta_))) @ L.T)
        eta = coefs @ Xnew.T
        mu = from_link(eta, kind)
        v = np.maximum(mu * (1 - mu) if kind == "share" else mu, 1e-6)
        noise_sd = np.sqrt(phi[:, None] / (self.weight_last_ * v))
        draws = from_link(eta + noise_sd * rng.standard_normal(eta.shape), kind)
        return draws, from_link(Xnew @ self.beta_, kind)


class LocalLogit(LogitLinear):
    """The logit-linear trend fitted on the last few points only (a local slope).

    Where a share is on its S-curve changes over time; the slope of its last
    ``points`` years follows a take-off or a slowdown sooner than the slope of
    the whole window. A break on the first of those years is ignored (every
    point then has the new definition).

    Parameters
    ----------
    points : int
        Years at the end of the series the trend is fitted on (4 by default).
    use_counts : bool
        Weight each year by its population when counts are given.
    """

    name = "local_logit"

    def __init__(self, points: int = 4, use_counts: bool = True):
        self.points = points
        self.use_counts = use_counts

    def _fit(self, data: SeriesData) -> None:
        if self.points < 3:
            raise ValueError(f"points must be at least 3, got {self.points}")
        k = min(int(self.points), data.n)
        weights = None if data.weights is None else data.weights[-k:]
        # SeriesData.break_years ignores a break on the first year kept
        super()._fit(SeriesData(data.years[-k:], data.values[-k:], weights, data.breaks[-k:], data.kind))


#: Smoothing grid of the damped trend: level weight α and trend weight β* (β = α β*).
ALPHAS = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
BETAS = np.array([0.05, 0.2, 0.5])


def damped_filter(z: np.ndarray, years: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: float):
    """Run ETS(A,Ad,N) for several (α, β) at once; gaps of several years are stepped over.

    Returns the final level and slope and the one-step errors for each pair.
    """
    t = years.astype(float)
    X = np.column_stack([np.ones(len(t)), t - t[0]])
    b0 = np.linalg.lstsq(X, z, rcond=None)[0]
    level = np.full(alpha.shape, b0[0])
    slope = np.full(alpha.shape, b0[1])
    errors = np.zeros((len(z),) + alpha.shape)
    for i in range(len(z)):
        gap = 1 if i == 0 else int(t[i] - t[i - 1])
        damp = sum(phi ** j for j in range(1, gap + 1))
        pred = level + damp * slope if i else level
        e = z[i] - pred
        errors[i] = e
        # the slope carried to year i is φ^gap b; the level update follows ETS(A,Ad,N)
        carried = (phi ** gap) * slope if i else slope
        level = pred + alpha * e
        slope = carried + alpha * beta * e
    return level, slope, errors


class DampedLogit(TrendModel):
    """Damped trend, ETS(A,Ad,N), on the logit scale (log for counts).

    Parameters
    ----------
    phi : float
        Damping factor per year (0.9 by default; METHODS §4.1 suggests 0.8–0.98).

    Notes
    -----
    ``α`` and ``β*`` minimise the one-step squared error over a 5 × 3 grid (few
    points cannot support a finer search). Draws simulate the state-space
    recursion with the residual variance drawn from its scaled inverse
    chi-square and the final slope perturbed by its regression standard error
    (parameter uncertainty). Breaks: the years before a break are shifted by the
    step estimated at the break (trend carried across).
    """

    name = "damped_logit"

    def __init__(self, phi: float = 0.9):
        self.phi = phi

    def _fit(self, data: SeriesData) -> None:
        if not 0 < self.phi <= 1:
            raise ValueError(f"phi must lie in (0, 1], got {self.phi}")
        kind = data.kind
        z = to_link(data.values, kind)
        self.breaks_ = usable_breaks(data)
        z, steps = rebase(data, z, self.breaks_)
        a = np.repeat(ALPHAS, len(BETAS))
        b = np.tile(BETAS, len(ALPHAS))
        level, slope, errors = damped_filter(z, data.years, a, b, self.phi)
        sse = np.sum(errors[1:] ** 2, axis=0)
        k = int(np.argmin(sse))
        self.alpha_, self.beta_ = float(a[k]), float(a[k] * b[k])
        self.level_, self.slope_ = float(level[k]), float(slope[k])
        self.df_ = max(data.n - 3, 1)
        self.sigma2_ = max(float(sse[k]) / self.df_, 1e-10)
        t = data.years.astype(float)
        self.slope_se_ = float(np.sqrt(self.sigma2_ / np.sum((t - t.mean()) ** 2)))
        last = float(data.values[-1])
        ignored = [bk for bk in data.break_years if bk not in self.breaks_]
        self.notes_ += break_notes(
            self.breaks_,
            [(last - float(from_link(to_link(np.array([last]), kind)[0] - s, kind))) * _scale(kind) for s in steps],
            ignored)

    def _point(self, years):
        h = (years - self.data_.years[-1]).astype(float)
        # ℓ + b (φ + φ² + … + φ^h)
        cum = np.array([sum(self.phi ** j for j in range(1, int(k) + 1)) for k in h])
        return from_link(self.level_ + self.slope_ * cum, self.data_.kind)

    def _draws(self, years, n_draws, rng):
        kind = self.data_.kind
        h = years - self.data_.years[-1]
        sig2 = scaled_inv_chi2(rng, self.df_, self.sigma2_, n_draws)
        sd = np.sqrt(sig2)
        level = np.full(n_draws, self.level_)
        slope = self.slope_ + self.slope_se_ * np.sqrt(sig2 / self.sigma2_) * rng.standard_normal(n_draws)
        point_level, point_slope = self.level_, self.slope_
        out = np.empty((n_draws, len(h)))
        points = np.empty(len(h))
        step, col = 0, 0
        while col < len(h):
            step += 1
            e = sd * rng.standard_normal(n_draws)
            pred = level + self.phi * slope
            level = pred + self.alpha_ * e
            slope = self.phi * slope + self.beta_ * e
            point_level = point_level + self.phi * point_slope
            point_slope = self.phi * point_slope
            if step == h[col]:
                out[:, col] = pred + e
                points[col] = point_level
                col += 1
        return from_link(out, kind), from_link(points, kind)
