"""Peers fitted by statsmodels on the logit scale: damped-trend ETS and the Theta method.

Published implementations beside the workbench's own trends, so that the
default is compared with methods it did not write:

* :class:`ETSDampedLogit` — ``statsmodels.tsa.exponential_smoothing.ets.ETSModel``
  with additive errors and an additive damped trend, ETS(A,Ad,N), fitted by
  maximum likelihood to the logit of the share (Hyndman & Athanasopoulos,
  *FPP3* §8.2); its draws are statsmodels' simulated future paths.
* :class:`ThetaLogit` — ``statsmodels.tsa.forecasting.theta.ThetaModel`` (the
  Theta method of Assimakopoulos & Nikolopoulos, 2000, as Hyndman & Billah,
  2003, show it: simple exponential smoothing with drift) on the logit, without
  deseasonalising; its intervals are the ones statsmodels documents for it, normal
  with variance ``σ² (1 + α² (h − 1))``, with ``σ²`` the mean squared one-step
  error of the simple exponential smoothing at statsmodels' fitted ``α`` (the
  ``sigma2`` statsmodels offers refits an ARIMA model, a hundred times slower).

Working on the logit keeps forecasts inside (0, 1). A declared break is
re-based as a level shift first (as the other models do). Where statsmodels
cannot fit a window (too few points for the likelihood, a flat window, a
non-finite result) the model falls back to its simplest member, the last value
with random-walk intervals, and says so in the notes. The draws carry the
noise of the fitted model but not the uncertainty of its parameters.
Counts (T11) are fitted on the log scale in the same way.
"""

from __future__ import annotations

import warnings

import numpy as np

from forecast.models.base import (
    SeriesData,
    TrendModel,
    break_notes,
    from_link,
    rebase,
    to_link,
    usable_breaks,
)
from forecast.models.baselines import LastValue


def _link_series(data: SeriesData) -> tuple[np.ndarray, list[str]]:
    """The series on the link scale, earlier definitions re-based onto the newest, and notes on the breaks."""
    breaks = usable_breaks(data)
    z, steps = rebase(data, to_link(data.values, data.kind), breaks)
    last = to_link(data.values[-1:], data.kind)[0]
    unit = 100.0 if data.kind == "share" else 1.0
    pp = [float(data.values[-1] - from_link(np.array([last - s]), data.kind)[0]) * unit for s in steps]
    ignored = [b for b in data.break_years if b not in breaks]
    return z, break_notes(breaks, pp, ignored)


def ses_sigma2(z: np.ndarray, alpha: float) -> float:
    """Mean squared one-step error of simple exponential smoothing with weight ``alpha`` (level starts at z[0])."""
    level, sq = float(z[0]), []
    for x in z[1:]:
        sq.append((x - level) ** 2)
        level += alpha * (x - level)
    return float(np.mean(sq)) if sq else float("nan")


class _StatsmodelsPeer(TrendModel):
    """Shared fallback: the last value when statsmodels cannot fit the window."""

    fallback_note = ""

    def _fit(self, data: SeriesData) -> None:
        z, notes = _link_series(data)
        self.notes_ += notes
        self.fallback_: LastValue | None = None
        if float(np.ptp(z)) < 1e-12:
            self._fall_back(data, "the window never moved")
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._fit_link(z)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError, IndexError) as exc:
            self._fall_back(data, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    def _fall_back(self, data: SeriesData, why: str) -> LastValue:
        fallback = LastValue().fit(data)
        self.fallback_ = fallback
        self.notes_.append(f"{self.name}: statsmodels could not fit this window ({why}); the forecast is the last "
                           "value with random-walk intervals.")
        return fallback

    def _fit_link(self, z: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _link_draws(self, h: np.ndarray, n_draws: int, rng: np.random.Generator):  # pragma: no cover - abstract
        raise NotImplementedError

    def _link_point(self, h: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _point(self, years):
        if self.fallback_ is not None:
            return self.fallback_._point(years)
        return from_link(self._link_point(years - self.data_.years[-1]), self.data_.kind)

    def _draws(self, years, n_draws, rng):
        if self.fallback_ is not None:
            return self.fallback_._draws(years, n_draws, rng)
        h = (years - self.data_.years[-1]).astype(int)
        z = self._link_draws(h, n_draws, rng)
        if not np.isfinite(z).all():
            return self._fall_back(self.data_, "non-finite simulated paths")._draws(years, n_draws, rng)
        return from_link(z, self.data_.kind), self._point(years)


class ETSDampedLogit(_StatsmodelsPeer):
    """statsmodels' ETS(A,Ad,N) fitted by maximum likelihood on the logit (log for counts)."""

    name = "ets_damped_logit"

    def _fit_link(self, z: np.ndarray) -> None:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        res = ETSModel(z, error="add", trend="add", damped_trend=True).fit(disp=False)
        if not np.isfinite(res.forecast(1)).all():
            raise FloatingPointError("non-finite forecast")
        self.result_ = res

    def _link_point(self, h: np.ndarray) -> np.ndarray:
        return np.asarray(self.result_.forecast(int(h.max())))[h - 1]

    def _link_draws(self, h, n_draws, rng):
        sims = self.result_.simulate(int(h.max()), repetitions=n_draws, anchor="end",
                                     rng=np.random.default_rng(int(rng.integers(2**31))))
        return np.asarray(sims).T[:, h - 1]


class ThetaLogit(_StatsmodelsPeer):
    """statsmodels' Theta method (no seasonality) on the logit (log for counts)."""

    name = "theta"

    def _fit_link(self, z: np.ndarray) -> None:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        res = ThetaModel(z, period=1, deseasonalize=False).fit()
        alpha = float(res.params["alpha"])
        self.sigma2_ = ses_sigma2(z, alpha)
        if not (np.isfinite(self.sigma2_) and np.isfinite(np.asarray(res.forecast(1))).all()):
            raise FloatingPointError("non-finite fit")
        self.result_ = res

    def _link_point(self, h: np.ndarray) -> np.ndarray:
        return np.asarray(self.result_.forecast(int(h.max())))[h - 1]

    def _link_draws(self, h, n_draws, rng):
        alpha = float(self.result_.params["alpha"])
        sd = np.sqrt(self.sigma2_ * (1 + alpha ** 2 * (h - 1)))
        return self._link_point(h)[None, :] + sd[None, :] * rng.standard_normal((n_draws, len(h)))
