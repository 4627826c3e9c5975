"""Target attainment: probability, first year, paces, 100 % targets, T11 and the status."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from forecast.domain.targets import get_target
from forecast.results import Forecast
from forecast.verdict.attainment import (
    FULL_TARGET_MET,
    STATUSES,
    assess,
    met_threshold,
    observed_pace,
)

YEARS = np.arange(2026, 2031)


def series(values, start=2018, breaks=None):
    years = np.arange(start, start + len(values))
    return pd.DataFrame({"year": years, "value": values,
                         "break": np.isin(years, breaks or [])})


def forecast_from(paths, years=YEARS, kind="share"):
    return Forecast(years=years, draws=np.asarray(paths, dtype=float), method="test", kind=kind)


def const_forecast(values_by_year, n=100):
    return forecast_from(np.tile(values_by_year, (n, 1)))


def test_probability_is_the_share_of_paths_meeting_the_threshold():
    t = get_target("T02")  # 70 %
    paths = np.vstack([np.full((30, 5), 0.72), np.full((70, 5), 0.68)])
    att = assess(t, series([0.60, 0.62, 0.64, 0.66]), forecast_from(paths), as_of=2021)
    assert att.p_meet == pytest.approx(0.30)
    assert att.median_2030 == pytest.approx(0.68)


@pytest.mark.parametrize("value_2030,met", [(0.996, True), (0.995, True), (0.9949, False), (1.0, True)])
def test_a_100_percent_target_is_met_within_rounding(value_2030, met):
    t = get_target("T03")
    assert met_threshold(t) == FULL_TARGET_MET
    att = assess(t, series([0.90, 0.92, 0.94]), const_forecast(np.full(5, value_2030)), as_of=2020)
    assert att.p_meet == (1.0 if met else 0.0)
    assert any("99.5%" in n for n in att.notes)


def test_first_year_met_and_paces():
    t = get_target("T01")  # 95 %
    path = np.array([0.92, 0.94, 0.95, 0.96, 0.97])
    att = assess(t, series([0.86, 0.88, 0.90]), const_forecast(path), as_of=2025)
    assert att.first_year_met == 2028
    assert att.observed_pace_pp == pytest.approx(2.0)
    # 5 points in 10 years (2020 → 2030)
    assert att.required_pace_pp == pytest.approx(0.5)
    assert att.acceleration == pytest.approx(0.25)
    assert att.status == "on_track"


@pytest.mark.parametrize("values,paths,status", [
    ([0.96, 0.96, 0.97], np.full(5, 0.97), "achieved"),
    ([0.80, 0.84, 0.88], np.full(5, 0.96), "on_track"),
    ([0.80, 0.81, 0.82], np.full(5, 0.87), "acceleration_needed"),
    ([0.85, 0.84, 0.83], np.full(5, 0.80), "off_track"),
    ([0.50, 0.505, 0.51], np.full(5, 0.53), "off_track"),   # needs about 8 times the pace seen
])
def test_status(values, paths, status):
    att = assess(get_target("T01"), series(values), const_forecast(paths), as_of=2020)
    assert att.status == status
    assert att.status in STATUSES


def test_no_forecast_means_insufficient_data():
    att = assess(get_target("T06"), series([0.80]), None, as_of=2020)
    assert att.status == "insufficient_data" and att.p_meet is None


def test_t11_probability_of_rising_every_year():
    t = get_target("T11")
    rising = np.tile(np.arange(101, 106), (60, 1))
    falling = np.tile([101, 102, 101, 103, 104], (40, 1))
    fc = forecast_from(np.vstack([rising, falling]), kind="count")
    att = assess(t, series([90, 95, 100], start=2023), fc, as_of=2025)
    assert att.p_meet == pytest.approx(0.6)
    assert att.required_pace_pp is None and att.escap_class == "not_applicable"
    assert att.unsd_class == "substantial"
    assert att.status == "on_track"


def test_official_labels_are_kept_with_rule_and_version():
    att = assess(get_target("T01"), series([0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.80, 0.80], start=2015),
                 const_forecast(np.full(5, 0.85)), as_of=2022)
    assert att.unsd_ratio is not None and att.unsd_class
    assert att.official["eurostat"]["version"]
    d = att.to_dict()
    json.dumps(d)
    for key in ("target_id", "latest_value", "latest_year", "median_2030", "lo80_2030", "hi80_2030", "p_meet",
                "first_year_met", "required_pace_pp", "observed_pace_pp", "acceleration", "escap_gap",
                "escap_class", "unsd_ratio", "unsd_class", "eurostat_ratio", "eurostat_class", "status", "notes"):
        assert key in d


def test_observed_pace_steps_over_a_break():
    s = series([0.50, 0.52, 0.54, 0.56, 0.50, 0.52], start=2020, breaks=[2024])
    assert observed_pace(s) == pytest.approx(0.02)
    assert observed_pace(series([0.5])) is None


def test_observations_after_as_of_are_ignored():
    att = assess(get_target("T02"), series([0.60, 0.62, 0.64, 0.90]), const_forecast(np.full(5, 0.7)), as_of=2020)
    assert att.latest_year == 2020 and att.latest_value == pytest.approx(0.64)
