"""statsmodels peers on the logit scale: damped-trend ETS and the Theta method."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.models import ETSDampedLogit, ThetaLogit
from forecast.models.statsmodels_peers import ses_sigma2

YEARS = np.arange(2012, 2022)


def logistic(slope=0.2, start=-1.0, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    z = start + slope * (YEARS - YEARS[0]) + rng.normal(0, noise, len(YEARS))
    return pd.DataFrame({"year": YEARS, "value": 1 / (1 + np.exp(-z))})


@pytest.mark.parametrize("cls", [ETSDampedLogit, ThetaLogit])
def test_a_rising_share_keeps_rising_and_stays_below_one(cls):
    fc = cls().fit(logistic(0.3, 1.0, noise=0.02)).predict(range(2022, 2036), n_draws=500)
    med = fc.median.to_numpy()
    assert med[0] > 1 / (1 + np.exp(-(1.0 + 0.3 * 8)))        # above the level two years before the end
    assert (np.diff(med) >= -1e-9).all() and med[-1] < 1
    assert fc.draws.max() <= 1 and fc.draws.min() >= 0


def test_the_damped_trend_adds_less_each_year_on_the_logit_scale():
    fc = ETSDampedLogit().fit(logistic(0.2, noise=0.03, seed=2)).predict(range(2022, 2032), n_draws=200)
    z = np.log(fc.point / (1 - fc.point))
    steps = np.diff(z)
    assert steps[-1] <= steps[0] + 1e-9


def test_theta_intervals_widen_with_the_horizon():
    """σ²(1 + α²(h − 1)) grows with h (ETS's maximum-likelihood fit on 10 points often has no such growth)."""
    frame = ThetaLogit().fit(logistic(0.1, noise=0.05, seed=1)).predict(range(2022, 2030), n_draws=2000).summary_frame()
    width = (frame["hi-80"] - frame["lo-80"]).to_numpy()
    assert width[-1] > width[0]


@pytest.mark.parametrize("cls", [ETSDampedLogit, ThetaLogit])
def test_a_window_that_never_moved_falls_back_to_the_last_value_and_says_so(cls):
    flat = pd.DataFrame({"year": YEARS, "value": 0.42})
    fc = cls().fit(flat).predict([2022, 2023], n_draws=100)
    assert np.allclose(fc.median, 0.42)
    assert any("last value" in n for n in fc.notes)


@pytest.mark.parametrize("z,alpha,expected", [
    ([1.0, 1.0, 1.0], 0.5, 0.0),
    ([0.0, 1.0], 0.3, 1.0),                 # one error of 1
    ([0.0, 1.0, 1.0], 1.0, 0.5),            # alpha 1: the last value, errors 1 then 0
])
def test_ses_sigma2_is_the_mean_squared_one_step_error(z, alpha, expected):
    assert ses_sigma2(np.array(z), alpha) == pytest.approx(expected)
