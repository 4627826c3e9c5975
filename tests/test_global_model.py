"""The global model: trained across series on windows that end before the origin, never on the future."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.models import DefaultModel, GlobalBoost, GlobalPanel, calibrate
from forecast.models.base import SeriesData, SeriesError, check_series
from forecast.models.global_model import FEATURES, window_features, window_table


def logistic_panel(n_series=20, years=range(2000, 2016), slope=0.25, noise=0.03, seed=0) -> list[SeriesData]:
    """Shares on logistic paths with a common slope and their own starting level."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_series):
        a = rng.normal(-1.5, 0.7)
        yrs = np.array(list(years))
        z = a + slope * (yrs - yrs[0]) + rng.normal(0, noise, len(yrs))
        out.append(SeriesData(yrs, 1 / (1 + np.exp(-z)), None, np.zeros(len(yrs), dtype=bool)))
    return out


def altered_after(series: list[SeriesData], year: int, seed: int) -> list[SeriesData]:
    """The same series with every value after ``year`` shuffled across series and years and distorted."""
    rng = np.random.default_rng(seed)
    late = np.concatenate([s.values[s.years > year] for s in series])
    out = []
    for s in series:
        v = s.values.copy()
        after = s.years > year
        v[after] = np.clip(rng.choice(late, after.sum()) * rng.uniform(0.5, 1.5, after.sum()), 0, 1)
        out.append(SeriesData(s.years, v, None, s.breaks))
    return out


def as_frame(s: SeriesData) -> pd.DataFrame:
    return pd.DataFrame({"year": s.years, "value": s.values})


@pytest.mark.parametrize("origin", [2007, 2010])
def test_the_global_forecast_at_an_origin_ignores_everything_after_it(origin):
    series = logistic_panel()
    before = GlobalPanel.from_series(series).origin_points(origin)
    after = GlobalPanel.from_series(altered_after(series, origin, seed=origin)).origin_points(origin)
    assert before and before.keys() == after.keys()
    for k in before:
        np.testing.assert_array_equal(before[k], after[k])


def test_the_default_with_peers_ignores_the_peers_future():
    """Peers observed beyond the focal series' last year: shuffling those years changes nothing."""
    series = logistic_panel(n_series=12)
    focal = as_frame(series[0])
    focal = focal[focal["year"] <= 2010]
    peers = [as_frame(s) for s in series[1:]]
    shuffled = [as_frame(s) for s in altered_after(series[1:], 2010, seed=3)]
    a = DefaultModel(peers=peers).fit(focal).predict(range(2011, 2016), n_draws=300, seed=1)
    b = DefaultModel(peers=shuffled).fit(focal).predict(range(2011, 2016), n_draws=300, seed=1)
    np.testing.assert_array_equal(a.draws, b.draws)


def test_training_rows_have_outcomes_known_at_the_origin():
    panel = GlobalPanel.from_series(logistic_panel(n_series=5))
    rows = panel.training_rows(2008)
    assert len(rows) > 0
    assert (panel.table.target_year[rows] <= 2008).all()
    assert (panel.table.origin_year[rows] < 2008).all()


def test_window_features_of_an_exact_logistic_trend():
    years = np.arange(2010, 2016)
    z = -1.0 + 0.3 * (years - 2010)
    f = dict(zip(FEATURES, window_features(years, 1 / (1 + np.exp(-z))), strict=False))
    assert f["logit"] == pytest.approx(0.5)
    assert f["slope_last"] == pytest.approx(0.3) and f["slope_window"] == pytest.approx(0.3)
    assert f["noise"] == pytest.approx(0.0, abs=1e-9) and f["n_points"] == 6


def test_window_table_has_a_row_per_origin_and_horizon():
    s = logistic_panel(n_series=1, years=range(2000, 2006))[0]
    table = window_table([s], window=4, min_points=3, max_h=3)
    # origins 2002…2005 (at least 3 points), 3 horizons each; outcomes only inside the series
    assert table.X.shape == (4 * 3, len(FEATURES))
    assert np.isfinite(table.target).sum() == 3 + 2 + 1


def test_the_global_model_learns_a_shared_trend_a_short_series_cannot_show():
    """Every series rises by 0.25 logit a year; a 3-point noisy focal series still gets the shared rise."""
    peers = [as_frame(s) for s in logistic_panel(n_series=25, noise=0.02)]
    focal = pd.DataFrame({"year": [2013, 2014, 2015], "value": [0.40, 0.39, 0.40]})
    fc = GlobalBoost(peers=peers).fit(focal).predict([2020], n_draws=400)
    # 5 years at +0.25 logit a year from 0.40 would reach about 0.67
    assert 0.50 < fc.median.iloc[0] < 0.80
    assert any("Global model" in n for n in fc.notes)


def test_too_few_past_windows_are_refused_with_the_remedy():
    with pytest.raises(SeriesError, match="give it peer series"):
        GlobalBoost().fit(as_frame(logistic_panel(n_series=1, years=range(2010, 2016))[0]))


def test_it_serves_the_units_of_one_province():
    """Forty communes with five years each: the pool is enough, the forecasts stay in [0, 1]."""
    units = logistic_panel(n_series=40, years=range(2020, 2025), slope=0.15, noise=0.08, seed=4)
    pool = [check_series(as_frame(s), "share") for s in units]
    panel = GlobalPanel.from_series(pool)
    cal = calibrate(pool, 2024, "share", panel=panel)
    for s in pool[:3]:
        fc = DefaultModel(calibration=cal, panel=panel).fit(s).predict(range(2025, 2031), n_draws=200)
        assert ((fc.draws >= 0) & (fc.draws <= 1)).all()
        assert not any("global model had too few" in n for n in fc.notes)


def test_calibrate_refuses_a_panel_over_other_series():
    pool = logistic_panel(n_series=4)
    with pytest.raises(ValueError, match="same series"):
        calibrate(pool, 2015, panel=GlobalPanel.from_series(logistic_panel(n_series=4, seed=9)))
