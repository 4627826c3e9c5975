"""The trend models: one protocol, bounded shares, breaks, uncertainty, pooling and the default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.models import MODELS, DefaultModel, PooledLogit, default_model, get_model
from forecast.models.base import SeriesError, check_series
from forecast.models.default import Calibration, learn_calibration, rolling_records, simplex_grid
from forecast.results import Forecast

YEARS = list(range(2016, 2026))
FUTURE = list(range(2026, 2031))
SINGLE = [m for m in MODELS if m not in ("default",)]


def share_series(start=0.6, gain=0.02, n=10, noise=0.004, seed=1, den=800):
    rng = np.random.default_rng(seed)
    years = np.arange(2025 - n + 1, 2026)
    value = np.clip(start + gain * np.arange(n) + rng.normal(0, noise, n), 0, 1)
    return pd.DataFrame({"year": years, "value": value, "numerator": np.round(value * den),
                         "denominator": float(den), "break": False})


@pytest.mark.parametrize("name", list(MODELS))
def test_protocol_fit_returns_self_and_predict_returns_forecast(name):
    model = get_model(name)
    assert not [k for k in vars(model) if k.endswith("_")], "__init__ must only store arguments"
    assert model.fit(share_series()) is model
    fc = model.predict(FUTURE, n_draws=300, seed=3)
    assert isinstance(fc, Forecast)
    assert fc.draws.shape == (300, len(FUTURE))
    assert list(fc.summary_frame().columns) == ["mean", "median", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert fc.method == name


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("start,gain", [(0.9, 0.03), (0.05, -0.01), (0.97, 0.005)])
def test_shares_stay_inside_zero_one(name, start, gain):
    fc = get_model(name).fit(share_series(start, gain, noise=0.01)).predict(range(2026, 2041), n_draws=400)
    assert fc.draws.min() >= 0 and fc.draws.max() <= 1
    assert (fc.median >= 0).all() and (fc.median <= 1).all()


@pytest.mark.parametrize("name", list(MODELS))
def test_same_seed_same_draws(name):
    s = share_series()
    a = get_model(name).fit(s).predict(FUTURE, n_draws=200, seed=7).draws
    b = get_model(name).fit(s).predict(FUTURE, n_draws=200, seed=7).draws
    assert np.array_equal(a, b)


def test_registry_names_and_unknown_model():
    assert set(MODELS) >= {"last_value", "straight_line", "cagr", "logit_linear", "damped_logit",
                           "pooled_logit", "default"}
    assert isinstance(default_model(), DefaultModel)
    with pytest.raises(KeyError, match="known: last_value"):
        get_model("prophet")


@pytest.mark.parametrize("frame,message", [
    (pd.DataFrame({"year": [2020, 2021, 2022]}), "lacks column"),
    (pd.DataFrame({"year": [2020, 2020, 2022], "value": [0.1, 0.2, 0.3]}), "duplicate years"),
    (pd.DataFrame({"year": [2020, 2021.5, 2022], "value": [0.1, 0.2, 0.3]}), "non-integer"),
    (pd.DataFrame({"year": [2020, 2021, 2022], "value": [0.1, None, 0.3]}), "missing value"),
    (pd.DataFrame({"year": [2020, 2021, 2022], "value": [0.1, -0.2, 0.3]}), "in \\[0, 1\\]"),
    (pd.DataFrame({"year": [2020, 2021, 2022], "value": [0.1, 0.2, 0.3], "denominator": [10, 0, 10]}),
     "positive"),
])
def test_bad_series_are_refused_with_the_reason(frame, message):
    with pytest.raises(SeriesError, match=message):
        check_series(frame, kind="share" if "denominator" in frame or "value" not in frame else None)


def test_percent_values_are_refused_as_shares():
    with pytest.raises(SeriesError, match="divided by 100"):
        check_series(pd.DataFrame({"year": [1, 2, 3], "value": [40.0, 50.0, 60.0]}), kind="share")


@pytest.mark.parametrize("name", ["straight_line", "logit_linear", "damped_logit"])
def test_too_few_points(name):
    with pytest.raises(SeriesError, match="at least 3"):
        get_model(name).fit(share_series(n=2))


def test_forecast_years_must_follow_the_data():
    model = get_model("straight_line").fit(share_series())
    with pytest.raises(ValueError, match="after the last observed year"):
        model.predict([2024, 2026])
    with pytest.raises(RuntimeError, match="not fitted"):
        get_model("straight_line").predict(FUTURE)


def test_straight_line_is_the_spreadsheet_trend():
    s = share_series(noise=0.01)
    slope, icpt = np.polyfit(s["year"], s["value"], 1)
    fc = get_model("straight_line").fit(s).predict(FUTURE, n_draws=50)
    assert np.allclose(fc.median.to_numpy(), icpt + slope * np.array(FUTURE))


def test_cagr_compounds_the_first_to_last_growth():
    s = pd.DataFrame({"year": [2015, 2018, 2022], "value": [0.70, 0.74, 0.80]})
    rate = (0.80 / 0.70) ** (1 / 7) - 1
    fc = get_model("cagr").fit(s).predict([2023, 2030], n_draws=50)
    assert fc.median.loc[2030] == pytest.approx(0.80 * (1 + rate) ** 8)


def test_logit_linear_recovers_an_exact_logistic_trend():
    years = np.arange(2015, 2025)
    p = 1 / (1 + np.exp(-(-1.0 + 0.3 * (years - 2015))))
    s = pd.DataFrame({"year": years, "value": p, "denominator": 1000.0})
    model = get_model("logit_linear").fit(s)
    assert model.slope_ == pytest.approx(0.3, abs=1e-6)
    expected = 1 / (1 + np.exp(-(-1.0 + 0.3 * 15)))
    assert model.predict([2030], n_draws=50).median.iloc[0] == pytest.approx(expected, abs=1e-6)


def test_counts_weight_the_glm():
    """A year with a large population pulls the quasi-binomial fit harder than a small one."""
    s = pd.DataFrame({"year": [2020, 2021, 2022, 2023], "value": [0.50, 0.52, 0.60, 0.56],
                      "denominator": [100.0, 100.0, 100.0, 100.0]})
    heavy = s.assign(denominator=[100.0, 100.0, 10000.0, 100.0])
    p_even = get_model("logit_linear").fit(s).predict([2022 + 2], n_draws=10)
    p_heavy = get_model("logit_linear").fit(heavy).predict([2024], n_draws=10)
    assert p_heavy.median.iloc[0] > p_even.median.iloc[0]


def test_damped_trend_slows_down():
    s = share_series(0.3, 0.03, noise=0.0)
    damped = get_model("damped_logit").fit(s).predict(range(2026, 2046), n_draws=50).median.to_numpy()
    linear = get_model("logit_linear").fit(s).predict(range(2026, 2046), n_draws=50).median.to_numpy()
    assert np.diff(damped)[-1] < 0.5 * np.diff(damped)[0]
    assert damped[-1] < linear[-1]


def test_intervals_widen_with_the_horizon_and_carry_parameter_uncertainty():
    fc = get_model("straight_line").fit(share_series(noise=0.01)).predict(range(2026, 2036), n_draws=4000)
    width = (fc.conf_int(80)["hi"] - fc.conf_int(80)["lo"]).to_numpy()
    assert width[-1] > width[0] * 1.2


@pytest.mark.parametrize("name", ["straight_line", "logit_linear", "damped_logit", "cagr", "pooled_logit",
                                  "default"])
def test_a_declared_break_is_a_level_shift_with_the_trend_carried_across(name):
    years = np.arange(2017, 2026)
    value = 0.50 + 0.02 * (years - 2017) - 0.08 * (years >= 2025)
    s = pd.DataFrame({"year": years, "value": value, "break": years == 2025})
    fc = get_model(name).fit(s).predict([2026, 2027], n_draws=400)
    assert any("Series break in 2025" in n for n in fc.notes)
    # the new level (0.58) goes on rising at about 2 points a year
    assert fc.median.loc[2027] == pytest.approx(0.62, abs=0.03)
    unflagged = get_model("straight_line").fit(s.assign(**{"break": False})).predict([2027], n_draws=10)
    assert abs(unflagged.median.iloc[0] - 0.62) > 0.03 or name != "straight_line"


def test_counts_stay_positive_on_the_log_scale():
    s = pd.DataFrame({"year": range(2018, 2026), "value": [120, 130, 128, 140, 151, 160, 158, 170]})
    for name in ("logit_linear", "damped_logit", "straight_line", "default"):
        fc = get_model(name).fit(s, kind="count").predict(range(2026, 2031), n_draws=300)
        assert fc.kind == "count" and fc.draws.min() >= 0
        assert fc.median.loc[2030] > 170


def test_pooling_shrinks_an_extreme_slope_towards_the_peers():
    peers = pd.concat([share_series(0.5, 0.01, seed=k).assign(unit=f"u{k}") for k in range(8)])
    focal = share_series(0.5, 0.05, n=4, noise=0.02, seed=99)
    alone = get_model("logit_linear").fit(focal).slope_
    pooled = PooledLogit(peers=peers).fit(focal)
    assert pooled.theta_[1] < alone
    assert any("shrunk" in n for n in pooled.notes_)
    assert any("no pooling" in n for n in PooledLogit().fit(focal).notes_)


def test_simplex_grid_sums_to_one():
    g = simplex_grid(3, 0.25)
    assert np.allclose(g.sum(axis=1), 1) and (g >= 0).all() and len(g) == 15


def test_default_learns_from_peers_and_says_so():
    peers = [share_series(0.4 + 0.03 * k, 0.02, n=10, seed=k) for k in range(9)]
    model = default_model(peers=peers).fit(share_series())
    assert model.calibration_.usable
    assert any("rolling-origin backtest" in n for n in model.notes_)
    fc = model.predict(FUTURE, n_draws=500)
    assert 0.6 < fc.median.loc[2030] <= 1.0


def test_default_falls_back_to_a_mixture_without_history():
    fc = default_model().fit(share_series(n=4)).predict(FUTURE, n_draws=200)
    assert any("too little history" in n for n in fc.notes)


def test_calibration_uses_only_outcomes_up_to_the_last_year():
    data = check_series(share_series(n=10))
    _, _, _, h, _ = rolling_records([data], as_of=2021, max_h=8)
    P, Y, S, H, L = rolling_records([data], as_of=2025, max_h=8)
    assert len(h) < len(H)
    cal = learn_calibration(P, Y, S, H, levels=L, min_records=2)
    assert isinstance(cal, Calibration) and cal.usable
    # origins are at least 3 points in and their outcome years never pass as_of=2021
    assert h.max() <= 2021 - 2018
