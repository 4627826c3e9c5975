"""Partial pooling of levels and slopes across units (communes, districts, departments).

Short series (4–12 points) give noisy slopes. The pooled model fits the
logit-linear quasi-binomial GLM of :mod:`forecast.models.logit` to the focal
series *and* to its peers (the same indicator in other units), estimates how
much levels and slopes really differ between units, and shrinks the focal
unit's (level, slope) towards the peers' average by empirical Bayes
(METHODS §4.3):

    θ̂_d ~ N(θ_d, V_d),   θ_d ~ N(μ, Σ)
    μ = mean of the peers' θ̂_d,  Σ = cov(θ̂_d) − mean(V_d)   (made positive definite)
    θ_i | data ~ N(P (Σ⁻¹ μ + V_i⁻¹ θ̂_i), P),   P = (Σ⁻¹ + V_i⁻¹)⁻¹

θ is (logit level at the focal series' last year, slope per year), so levels
and slopes are pooled separately (a unit with a well-measured level keeps it).
Breaks are re-based on the logit scale before fitting (level shift at the break,
trend carried across). Without at least three usable peers the model is the
plain logit-linear fit, and says so in the notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.models.base import (
    MIN_POINTS,
    SeriesData,
    TrendModel,
    break_notes,
    check_series,
    design,
    from_link,
    rebase,
    scaled_inv_chi2,
    to_link,
    usable_breaks,
)
from forecast.models.logit import irls

#: Fewest peers with a usable fit for pooling to take place.
MIN_PEERS = 3


def unit_estimate(data: SeriesData, centre: float):
    """(level at ``centre``, slope), their covariance and the GLM dispersion of one series."""
    breaks = usable_breaks(data)
    z, _ = rebase(data, to_link(data.values, data.kind), breaks)
    y = from_link(z, data.kind) if breaks else data.values
    X = design(data.years.astype(float), [], centre)
    m = data.weights if data.weights is not None else np.ones(data.n)
    beta, cov, phi = irls(X, y, m, data.kind)
    return beta, phi * cov, phi, float(m[-1])


def peer_prior(peers: pd.DataFrame | list, centre: float, kind: str | None = None):
    """The peers' mean (level, slope) ``μ`` and between-unit covariance ``Σ``.

    Parameters
    ----------
    peers : DataFrame with a ``unit`` column, or list of SeriesData
    centre : float
        Year at which levels are compared (the focal series' last year).

    Returns
    -------
    (mu, sigma, n_units) or None when fewer than :data:`MIN_PEERS` units fit.
    """
    if isinstance(peers, pd.DataFrame):
        if "unit" not in peers.columns:
            raise ValueError("peers need a 'unit' column naming each series")
        items = [check_series(g.drop(columns="unit"), kind) for _, g in peers.groupby("unit", sort=True)]
    else:
        items = list(peers)
    thetas, covs = [], []
    for d in items:
        if d.n < MIN_POINTS:
            continue
        beta, cov, _, _ = unit_estimate(d, centre)
        if np.all(np.isfinite(beta)) and np.all(np.isfinite(cov)):
            thetas.append(beta)
            covs.append(cov)
    if len(thetas) < MIN_PEERS:
        return None
    th = np.array(thetas)
    mu = th.mean(axis=0)
    sigma = np.cov(th.T) - np.mean(covs, axis=0)
    vals, vecs = np.linalg.eigh((sigma + sigma.T) / 2)
    # a between-unit variance estimated below zero means "no real difference": keep a small floor
    floor = np.array([1e-4, 1e-6])
    sigma = vecs @ np.diag(np.maximum(vals, floor.min())) @ vecs.T + np.diag(floor)
    return mu, sigma, len(thetas)


class PooledLogit(TrendModel):
    """Logit-linear trend with the level and slope shrunk towards peer units.

    Parameters
    ----------
    peers : DataFrame, optional
        Long frame of the peer series (columns ``unit``, ``year``, ``value`` and
        optionally ``numerator``, ``denominator``, ``break``); the focal unit
        may be among them.
    prior : tuple (mu, sigma), optional
        A precomputed :func:`peer_prior` (the backtest reuses one per origin);
        it must be centred at the focal series' last year.
    """

    name = "pooled_logit"

    def __init__(self, peers: pd.DataFrame | None = None, prior: tuple | None = None):
        self.peers = peers
        self.prior = prior

    def _fit(self, data: SeriesData) -> None:
        centre = float(data.years[-1])
        theta, V, phi, m_last = unit_estimate(data, centre)
        breaks = usable_breaks(data)
        if breaks:
            _, steps = rebase(data, to_link(data.values, data.kind), breaks)
            last = float(data.values[-1])
            pp = [(last - float(from_link(to_link(np.array([last]), data.kind)[0] - s, data.kind)))
                  * (100.0 if data.kind == "share" else 1.0) for s in steps]
            self.notes_ += break_notes(breaks, pp, [])
        prior = self.prior
        if prior is None and self.peers is not None:
            prior = peer_prior(self.peers, centre, data.kind)
        if prior is None:
            self.theta_, self.cov_ = theta, V
            self.notes_.append("Pooled model: fewer than three peer units with data, so no pooling "
                               "(plain logit-linear fit).")
        else:
            mu, sigma = prior[0], prior[1]
            s_inv = np.linalg.inv(sigma)
            v_inv = np.linalg.pinv(V + 1e-12 * np.eye(2))
            P = np.linalg.inv(s_inv + v_inv)
            self.theta_ = P @ (s_inv @ mu + v_inv @ theta)
            self.cov_ = P
            shrink = 1.0 - (self.theta_[1] - mu[1]) / (theta[1] - mu[1]) if theta[1] != mu[1] else 1.0
            self.notes_.append(f"Pooled model: slope shrunk {100 * shrink:.0f}% of the way towards the peer "
                               f"average ({100 * (theta[1]):.2f} → {100 * self.theta_[1]:.2f} logit-points a year).")
        self.unpooled_ = theta
        self.phi_ = phi
        self.weight_last_ = m_last
        self.df_ = max(data.n - 2, 1)

    def _draws(self, years, n_draws, rng):
        kind = self.data_.kind
        h = (years - self.data_.years[-1]).astype(float)
        L = np.linalg.cholesky(self.cov_ + 1e-12 * np.eye(2))
        coefs = self.theta_[None, :] + rng.standard_normal((n_draws, 2)) @ L.T
        eta = coefs[:, :1] + coefs[:, 1:] * h[None, :]
        phi = scaled_inv_chi2(rng, self.df_, self.phi_, n_draws)
        mu = from_link(eta, kind)
        v = np.maximum(mu * (1 - mu) if kind == "share" else mu, 1e-6)
        draws = from_link(eta + np.sqrt(phi[:, None] / (self.weight_last_ * v)) * rng.standard_normal(eta.shape), kind)
        return draws, from_link(self.theta_[0] + self.theta_[1] * h, kind)
