"""The series → model → attainment pass over all targets of one unit."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from forecast.domain.targets import load_targets
from forecast.verdict.analysis import TargetResult, analyse_targets
from forecast.verdict.attainment import STATUSES

START = {"T01": (0.85, 0.012), "T02": (0.55, 0.02), "T03": (0.80, 0.02), "T04": (0.70, 0.03),
         "T05": (0.85, 0.015), "T06": (0.75, 0.025), "T07": (0.20, 0.02), "T08": (0.60, 0.03),
         "T09": (0.40, 0.05), "T10": (0.60, 0.04)}


def observations(years=range(2018, 2026), seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for k, year in enumerate(years):
        for ind, (p0, gain) in START.items():
            den = 1000
            share = min(0.99, p0 + gain * k + rng.normal(0, 0.004))
            rows.append((ind, "20", year, round(share * den), den))
        rows.append(("T11", "20", year, 200 + 8 * k + int(rng.integers(0, 4)), np.nan))
    # a unit with only two years of one indicator
    rows += [("T02", "178", 2024, 50, 100), ("T02", "178", 2025, 52, 100)]
    obs = pd.DataFrame(rows, columns=["indicator", "unit_code", "year", "numerator", "denominator"])
    obs["value"] = np.nan
    obs["source"] = "test"
    obs["flags"] = ""
    return obs


@pytest.fixture(scope="module")
def results():
    return analyse_targets(observations(), as_of=2025, n_draws=500)


def test_one_result_per_target_in_order(results):
    assert [r.target.id for r in results] == [t.id for t in load_targets()]
    assert all(isinstance(r, TargetResult) for r in results)


def test_forecasts_run_to_the_target_year(results):
    for r in results:
        assert r.forecast is not None, r.target.id
        assert r.forecast.years[0] == 2026 and r.forecast.years[-1] == 2030
        assert r.attainment.status in STATUSES
        assert r.attainment.p_meet is not None
    json.dumps([r.to_dict() for r in results], default=float)


def test_shares_and_counts_keep_their_kind(results):
    by = {r.target.id: r for r in results}
    assert by["T11"].forecast.kind == "count" and by["T11"].forecast.draws.min() >= 0
    assert by["T01"].forecast.kind == "share" and by["T01"].forecast.draws.max() <= 1


def test_breaks_are_stated(results):
    """T01 has break_year 2025 in the targets file: the forecast says how the break was handled."""
    t01 = next(r for r in results if r.target.id == "T01")
    assert bool(t01.series["break"].iloc[-1])
    assert any("Series break in 2025" in n for n in t01.forecast.notes)


def test_too_short_series_are_insufficient_data():
    res = analyse_targets(observations(), as_of=2025, unit="178", n_draws=200)
    by = {r.target.id: r for r in res}
    assert by["T02"].forecast is None and by["T02"].attainment.status == "insufficient_data"
    assert by["T01"].attainment.status == "insufficient_data"


def test_as_of_cuts_the_data():
    res = analyse_targets(observations(), as_of=2022, n_draws=200)
    assert all(r.series["year"].max() == 2022 for r in res)
    assert res[0].forecast.years[0] == 2023


@pytest.mark.parametrize("method", ["straight_line", "logit_linear"])
def test_any_registered_method(method):
    res = analyse_targets(observations(), as_of=2025, method=method, n_draws=200)
    assert {r.forecast.method for r in res if r.forecast is not None} == {method}


def test_fast_enough_for_the_annual_run():
    obs = observations()
    t0 = time.perf_counter()
    analyse_targets(obs, as_of=2025, n_draws=2000)
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize(("counts", "forecast"), [
    ([0, 0, 0, 0, 0, 0, 0, 1], False),     # a commune's first postgraduate: no growth rate from zeros
    ([0, 0, 0, 0, 0, 0, 1, 2], False),     # two years above zero
    ([0, 0, 0, 0, 0, 1, 1, 2], True),      # three: a trend, bounded
    ([3, 4, 4, 5, 5, 6, 6, 7], True),
])
def test_a_count_target_needs_three_years_above_zero_for_a_trend(counts, forecast):
    obs = observations()
    rows = pd.DataFrame({"indicator": "T11", "unit_code": "06001", "year": range(2018, 2026), "numerator": counts,
                         "denominator": np.nan, "value": np.nan, "source": "test", "flags": ""})
    (t11,) = [r for r in analyse_targets(pd.concat([obs, rows], ignore_index=True), as_of=2025, unit="06001",
                                         n_draws=300) if r.target.id == "T11"]
    assert (t11.forecast is not None) is forecast
    assert bool(t11.series.attrs.get("sparse_count")) is not forecast
    if forecast:  # small numbers, but no explosion to millions
        assert float(np.quantile(t11.forecast.draws[:, -1], 0.9)) < 1000
    else:
        assert any("years above zero" in n for n in t11.attainment.notes)
