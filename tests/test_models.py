"""The trend models: one protocol, bounded shares, breaks, uncertainty, pooling and the default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.models import MODELS, DefaultModel, PooledLogit, default_model, get_model
from forecast.models.base import SeriesError, check_series
from forecast.models.calibration import (
    GROWTH_BOUNDS,
    HALF_LIFE,
    Calibration,
    combine,
    effective_size,
    era_ratios,
    error_growth,
    isotonic,
    learn_calibration,
    record_weights,
    shared_direction,
    simplex_grid,
)
from forecast.models.default import is_flat, rolling_records
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


def peer_series(n_series=12):
    return [share_series(0.3 + 0.04 * k, 0.01 + 0.002 * k, seed=100 + k) for k in range(n_series)]


#: Constructor arguments a model needs beyond the series (the global model learns from peers).
NEEDS = {"global_boost": lambda: {"peers": peer_series()}}


def make(name):
    """A new model by name, with the peers it needs."""
    return get_model(name, **NEEDS.get(name, dict)())


@pytest.mark.parametrize("name", list(MODELS))
def test_protocol_fit_returns_self_and_predict_returns_forecast(name):
    model = make(name)
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
    fc = make(name).fit(share_series(start, gain, noise=0.01)).predict(range(2026, 2041), n_draws=400)
    assert fc.draws.min() >= 0 and fc.draws.max() <= 1
    assert (fc.median >= 0).all() and (fc.median <= 1).all()


@pytest.mark.parametrize("name", list(MODELS))
def test_same_seed_same_draws(name):
    s = share_series()
    a = make(name).fit(s).predict(FUTURE, n_draws=200, seed=7).draws
    b = make(name).fit(s).predict(FUTURE, n_draws=200, seed=7).draws
    assert np.array_equal(a, b)


def test_registry_names_and_unknown_model():
    assert set(MODELS) >= {"last_value", "straight_line", "cagr", "logit_linear", "damped_logit",
                           "pooled_logit", "global_boost", "ets_damped_logit", "theta", "default"}
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
                                  "ets_damped_logit", "theta", "default"])
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
    _, _, _, h, _, ages = rolling_records([data], as_of=2021, max_h=8)
    P, Y, S, H, L, A = rolling_records([data], as_of=2025, max_h=8)
    assert len(h) < len(H)
    assert ages.min() >= 0 and A.min() == 0
    cal = learn_calibration(P, Y, S, H, levels=L, ages=A, min_records=2)
    assert isinstance(cal, Calibration) and cal.usable
    # origins are at least 3 points in and their outcome years never pass as_of=2021
    assert h.max() <= 2021 - 2018


@pytest.mark.parametrize("values,flat", [
    ([0.0, 0.0, 0.0, 0.0], True),
    ([0.42, 0.42, 0.42], True),
    ([0.0, 0.0, 0.0, 0.001], False),
    ([0.5, 0.6, 0.5], False),
    ([], False),
])
def test_a_window_is_flat_only_when_it_never_moved(values, flat):
    assert is_flat(np.array(values)) is flat


def test_windows_that_never_moved_are_not_learned_from():
    """Years at 0 % before a take-off give no past forecasts; windows that moved, however little, do."""
    rise = [0.01, 0.03, 0.06, 0.10, 0.15, 0.21]

    def levels_at_origins(before):
        data = check_series(pd.DataFrame({"year": np.arange(2014, 2026), "value": np.r_[before, rise]}))
        return rolling_records([data], as_of=2025, max_h=8)[4]

    flat = levels_at_origins(np.zeros(6))
    barely_moving = levels_at_origins(np.arange(6) * 1e-5)
    assert len(flat) > 0 and (flat >= 0.01).all()          # only origins from 2020 on (window reaches 0.01)
    assert (barely_moving < 0.01).sum() > 0                 # the same years, moving, are learned from


def _records(optimum_by_band: dict[float, int], n_by_band: dict[float, int], h: int = 1):
    """Past forecasts whose outcome equals component ``optimum`` exactly, at the given origin levels."""
    rng = np.random.default_rng(0)
    P, Y, L = [], [], []
    for level, n in n_by_band.items():
        pts = level + rng.normal(0, 0.05, size=(n, 4))
        P.append(pts)
        Y.append(pts[:, optimum_by_band[level]])
        L.append(np.full(n, level))
    P, Y, L = np.vstack(P), np.concatenate(Y), np.concatenate(L)
    return P, Y, np.full(len(Y), 0.02), np.full(len(Y), h), L


def test_a_sparse_level_band_borrows_its_neighbours_not_the_far_bands():
    # bands: <10 %, 10–30 %, 30–60 %, 60–85 %, >85 %; the 60–85 % band has 5 records of its own
    P, Y, S, H, L = _records({0.05: 1, 0.45: 3, 0.70: 3}, {0.05: 400, 0.45: 60, 0.70: 5})
    cal = learn_calibration(P, Y, S, H, levels=L, min_records=30)
    assert np.argmax(cal.weights[(-1, 1)]) == 1          # pooled: the many low-band records win
    assert np.argmax(cal.weights[(3, 1)]) == 3           # 60–85 %: borrowed from 30–60 %, next to it
    assert cal.counts[(3, 1)] == 65                      # its own 5 plus the neighbour's 60
    assert np.argmax(cal.weights[(0, 1)]) == 1
    assert np.argmax(cal.weights[(4, 1)]) == 3           # >85 %: reaches down to 60–85 %, then 30–60 %


@pytest.mark.parametrize("power,expected", [(0.5, 0.5), (1.0, 1.0), (1.2, 1.2), (3.0, GROWTH_BOUNDS[1]),
                                            (0.0, GROWTH_BOUNDS[0])])
def test_errors_grow_with_the_horizon_as_the_calibrated_horizons_show(power, expected):
    base = np.sort(np.random.default_rng(1).normal(size=400))
    errors = {(-1, h): base * h ** power for h in (1, 2, 3)}
    assert error_growth(errors) == pytest.approx(expected, abs=1e-9)


def test_a_horizon_without_records_borrows_a_shorter_one_widened_by_the_learned_growth():
    rng = np.random.default_rng(2)
    n = 200
    P = np.tile(rng.normal(0.3, 0.01, size=(n, 1)), (1, 4))
    # errors ∝ h: a trend's uncertainty, not a random walk's square root
    Y = np.concatenate([P[:, 0] + h * rng.normal(0, 0.01, n) for h in (1, 2)])
    cal = learn_calibration(np.vstack([P, P]), Y, np.full(2 * n, 0.01), np.repeat([1, 2], n), min_records=30)
    assert cal.growth == pytest.approx(1.0, abs=0.25)
    _, errs, widen = cal.for_horizon(6)
    assert widen == pytest.approx((6 / 2) ** cal.growth)
    assert len(errs) == n
    assert error_growth({(-1, 1): np.zeros(5)}) == GROWTH_BOUNDS[0]


@pytest.mark.parametrize("y,expected", [
    ([1, 2, 3], [1, 2, 3]),
    ([1, 3, 2], [1, 2.5, 2.5]),
    ([3, 2, 1], [2, 2, 2]),
    ([0.9, 0.95, 0.97, 0.96], [0.9, 0.95, 0.965, 0.965]),
    ([], []),
])
def test_isotonic_is_the_least_squares_non_decreasing_fit(y, expected):
    assert isotonic(np.array(y, dtype=float)) == pytest.approx(np.array(expected, dtype=float))


@pytest.mark.parametrize("paths,direction", [
    ([[1, 1], [2, 1], [3, 1]], 1),          # one rises, one is flat: never falls
    ([[3, 3], [2, 3], [1, 2]], -1),
    ([[1, 3], [2, 2], [3, 1]], 0),          # components disagree
    ([[1, 1], [1, 1]], 0),                  # nothing moves
    ([[1, 1]], 0),
])
def test_shared_direction_of_the_component_paths(paths, direction):
    assert shared_direction(np.array(paths, dtype=float)) == direction


def test_the_median_path_does_not_fall_when_every_component_rises():
    """Per-horizon weights that disagree (here: a heavier weight on the higher component at h=4) cannot make
    the median dip at the next year when all components rise."""
    h = np.arange(1, 6)
    points = np.column_stack([0.90 + 0.001 * h, 0.90 + 0.02 * h])            # both rise
    cal = Calibration()
    for k in h:
        cal.weights[(-1, int(k))] = np.array([0.0, 1.0]) if k == 4 else np.array([0.8, 0.2])
        cal.errors[(-1, int(k))] = np.linspace(-1, 1, 21)
        cal.counts[(-1, int(k))] = 21
    u = np.random.default_rng(0).uniform(size=(400, len(h)))
    draws, point = combine(points, 0.01, h, cal, u)
    assert (np.diff(point) >= -1e-12).all()
    assert np.median(draws, axis=0) == pytest.approx(point, abs=0.002)
    # without the shared direction the raw combination would dip after h=4
    raw = np.array([points[j] @ cal.weights[(-1, int(k))] for j, k in enumerate(h)])
    assert (np.diff(raw) < 0).any()


@pytest.mark.parametrize("ages,weights", [
    ([0], [1.0]),
    ([HALF_LIFE], [0.5]),
    ([0, 2 * HALF_LIFE], [1.0, 0.25]),
])
def test_past_forecasts_count_less_the_older_their_outcome(ages, weights):
    assert record_weights(np.array(ages)) == pytest.approx(weights)


@pytest.mark.parametrize("weights,size", [([1, 1, 1, 1], 4.0), ([1, 0, 0, 0], 1.0), ([2, 2], 2.0), ([], 0.0),
                                          ([1.0, 0.5], 1.5 ** 2 / 1.25)])
def test_effective_size_is_kish(weights, size):
    assert effective_size(np.array(weights, dtype=float)) == pytest.approx(size)


def test_recent_experience_outweighs_old_when_the_best_component_changed():
    """200 old past forecasts say component 0 is right, 60 recent ones say component 1."""
    old = _records({0.45: 0}, {0.45: 200})
    new = _records({0.45: 1}, {0.45: 60})
    P, Y, S, H, L = (np.concatenate([a, b]) for a, b in zip(old, new, strict=True))
    ages = np.r_[np.full(200, 12), np.zeros(60)]
    assert np.argmax(learn_calibration(P, Y, S, H, levels=L).weights[(-1, 1)]) == 0
    assert np.argmax(learn_calibration(P, Y, S, H, levels=L, ages=ages).weights[(-1, 1)]) == 1


def test_too_few_recent_past_forecasts_leave_the_horizon_uncalibrated():
    P, Y, S, H, L = _records({0.45: 1}, {0.45: 100})
    # 100 past forecasts, all 7.5 half-lives old but one: an effective size of about 2.4
    ages = np.r_[np.full(99, 15), [0]]
    assert not learn_calibration(P, Y, S, H, levels=L, ages=ages).usable


def _one_step(spread_by_age: dict[int, float], n: int = 200):
    rng = np.random.default_rng(4)
    errors = np.concatenate([sd * rng.standard_normal(n) for sd in spread_by_age.values()])
    ages = np.repeat(list(spread_by_age), n)
    return errors, ages


@pytest.mark.parametrize("h,expected", [(1, 1.0), (2, 1.0), (5, 2.0), (8, 2.0), (12, 1.0)])
def test_era_ratio_compares_todays_one_step_errors_with_those_when_a_horizons_records_were_made(h, expected):
    # one-year-ahead errors twice as spread in the last 4 years as in years 4–7 before; nothing older
    errors, ages = _one_step({a: (2.0 if a < 4 else 1.0) for a in range(8)})
    ratios = era_ratios(errors, ages, [h])
    # h = 2 compares ages 0–3 with 1–4 (mostly the same years); h = 8 compares with age 7 (the only one of
    # 7–10 there is); h = 12 has no one-year-ahead errors of ages 11–14, so nothing is rescaled
    if h == 2:
        assert 1.0 < ratios[2] < 1.3
    else:
        assert ratios[h] == pytest.approx(expected, rel=0.12)


def test_era_rescaling_widens_the_errors_but_keeps_the_median(monkeypatch):
    rng = np.random.default_rng(5)
    n = 240
    years_old = np.tile(np.arange(8), n // 8)
    base = rng.normal(0.4, 0.02, n)
    P = np.tile(base[:, None], (1, 5))
    h1 = base + np.where(years_old < 4, 0.02, 0.01) * rng.standard_normal(n)     # 1 year ahead, noisier lately
    h5 = base + 0.01 * rng.standard_normal(n) + 0.003                           # 5 years ahead, made long ago
    args = (np.vstack([P, P]), np.r_[h1, h5], np.full(2 * n, 0.01), np.repeat([1, 5], n))
    kw = {"ages": np.r_[years_old, years_old], "min_records": 10}
    rescaled = learn_calibration(*args, **kw)
    monkeypatch.setattr("forecast.models.calibration.era_ratios", lambda e, a, hs, m: {int(h): 1.0 for h in hs})
    plain = learn_calibration(*args, **kw)
    assert rescaled.ratios[5] > 1.4
    widths = [np.subtract(*c.quantile((-1, 5), [0.9, 0.1])) for c in (plain, rescaled)]
    assert widths[1] == pytest.approx(rescaled.ratios[5] * widths[0])
    assert rescaled.quantile((-1, 5), 0.5) == pytest.approx(plain.quantile((-1, 5), 0.5))
    assert rescaled.quantile((-1, 1), 0.5) == pytest.approx(plain.quantile((-1, 1), 0.5))


def test_local_logit_follows_the_last_four_years_only():
    # slow rise for six years, then a fast one: the local trend carries the fast one on
    values = np.r_[0.10 + 0.005 * np.arange(6), [0.16, 0.20, 0.25, 0.31]]
    frame = pd.DataFrame({"year": np.arange(2016, 2026), "value": values})
    local = get_model("local_logit").fit(frame).point(np.array([2027]))[0]
    whole = get_model("logit_linear").fit(frame).point(np.array([2027]))[0]
    last4 = get_model("logit_linear").fit(frame.tail(4)).point(np.array([2027]))[0]
    assert local == pytest.approx(last4)
    assert local > whole + 0.05


def test_local_logit_ignores_a_break_before_its_window():
    frame = pd.DataFrame({"year": np.arange(2016, 2026), "value": np.linspace(0.3, 0.6, 10),
                          "break": [False, False, True] + [False] * 7})
    model = get_model("local_logit").fit(frame)
    assert not any("Series break" in n for n in model.notes_)


def test_era_ratio_is_one_when_todays_one_step_errors_do_not_spread():
    """Rounded published values can make most recent errors exactly 0: that must not collapse the intervals."""
    errors, ages = _one_step({a: 1.0 for a in range(8)})
    errors[ages < 4] = 0.0
    assert era_ratios(errors, ages, [5]) == {5: 1.0}


def test_half_life_must_be_positive():
    with pytest.raises(ValueError, match="half_life"):
        record_weights(np.array([1.0]), half_life=0)
