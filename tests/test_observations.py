"""The observations table: the tidy CSV is taken as is; series aggregate by counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.inputs.observations import (
    OBS_COLUMNS,
    normalise_indicators,
    read_observations,
    series,
    write_observations,
)
from forecast.inputs.tables import ValidationError

DATA = Path(__file__).parent / "data"


def _obs(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["indicator", "unit_code", "year", "numerator", "denominator", "value", "flags"])
    df["source"] = "test"
    return df[OBS_COLUMNS]


def test_the_issue_columns_are_accepted_as_they_are():
    obs = read_observations(DATA / "observations_ok.csv")
    assert list(obs.columns) == OBS_COLUMNS
    assert obs["unit_code"].tolist()[:3] == ["06100", "06106", "06112"]  # leading zeros kept
    t11 = obs[obs["indicator"] == "T11"]
    assert t11["numerator"].tolist() == [3.0] and t11["denominator"].isna().all()
    assert (obs["flags"] == "").all()


def test_percent_only_rows_are_flagged(tmp_path):
    p = tmp_path / "pub.csv"
    p.write_text("indicator,unit_code,year,value,source\nT06,20,2024,92.4,https://example.org/a\n", encoding="utf-8")
    obs = read_observations(p)
    assert obs["flags"].tolist() == ["published_percent_only"]
    assert obs["value"].tolist() == [92.4] and obs["numerator"].isna().all()
    assert obs["source"].tolist() == ["https://example.org/a"]


def test_source_defaults_to_the_file_name(tmp_path):
    p = tmp_path / "xa_binh_gia_2023.csv"
    p.write_text("indicator,unit_code,year,numerator,denominator\nT06,06112,2023,1,2\n", encoding="utf-8")
    assert read_observations(p)["source"].tolist() == ["xa_binh_gia_2023.csv"]


def test_invalid_file_raises_with_every_problem(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("indicator,unit_code,year,numerator,denominator\nT06,06112,2023,3,2\nT77,06112,2023,1,2\n",
                 encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        read_observations(p)
    assert [pr.row for pr in err.value.problems] == [2, 3]


@pytest.mark.parametrize("raw, expected", [("T06", "T06"), ("t6", "T06"), (" T09A ", "T09a"), ("T9b", "T09b"),
                                           ("T11", "T11"), ("X1", "X1")])
def test_indicator_ids_are_normalised(raw, expected):
    assert normalise_indicators(pd.Series([raw])).iloc[0] == expected


def test_province_share_is_sum_of_numerators_over_sum_of_denominators():
    obs = _obs([
        ("T06", "06112", 2023, 9, 10, np.nan, ""),     # 90 %
        ("T06", "06100", 2023, 10, 100, np.nan, ""),   # 10 %
    ])
    s = series(obs, "T06")
    assert s["value"].iloc[0] == pytest.approx(19 / 110)  # not the mean of 90 % and 10 %
    assert s[["numerator", "denominator"]].iloc[0].tolist() == [19, 110]


def test_province_rows_win_over_the_sum_of_units_in_their_year():
    obs = _obs([
        ("T06", "20", 2023, 50, 100, np.nan, ""),
        ("T06", "06112", 2023, 9, 10, np.nan, ""),
        ("T06", "06112", 2024, 9, 10, np.nan, ""),
        ("T06", "06100", 2024, 1, 10, np.nan, ""),
    ])
    s = series(obs, "T06").set_index("year")
    assert s.loc[2023, "value"] == pytest.approx(0.5)
    assert s.loc[2024, "value"] == pytest.approx(0.5) and s.loc[2024, "denominator"] == 20


def test_series_of_one_unit():
    obs = _obs([("T06", "06112", 2023, 9, 10, np.nan, ""), ("T06", "06100", 2023, 1, 10, np.nan, "")])
    assert series(obs, "T06", unit="06112")["value"].tolist() == [0.9]


def test_t11_series_is_the_count():
    obs = _obs([("T11", "06112", 2023, 3, np.nan, np.nan, ""), ("T11", "P05", 2023, 4, np.nan, np.nan, "")])
    s = series(obs, "T11")
    assert s["value"].tolist() == [7] and s["denominator"].isna().all()


def test_percent_only_years_fill_in_only_where_no_counts_exist():
    obs = _obs([
        ("T02", "20", 2019, np.nan, np.nan, 60.0, "published_percent_only"),
        ("T02", "20", 2020, np.nan, np.nan, 99.0, "published_percent_only"),
        ("T02", "P15", 2020, 65, 100, np.nan, ""),
    ])
    s = series(obs, "T02").set_index("year")
    assert s.loc[2019, "value"] == pytest.approx(0.60) and np.isnan(s.loc[2019, "numerator"])
    # 2020: the province row is percent-only, but the counts of units decide.
    assert s.loc[2020, "value"] == pytest.approx(0.65)


def test_break_marks_the_first_year_of_the_new_definition():
    rows = [("T06", "20", y, 50 + y - 2020, 100, np.nan, "") for y in (2022, 2023, 2024, 2025, 2026)]
    s = series(_obs(rows), "T06")
    assert s.loc[s["break"], "year"].tolist() == [2025]  # T06.break_year
    rows = [("T02", "20", y, 50, 100, np.nan, "break" if y == 2024 else "") for y in (2023, 2024, 2025)]
    s = series(_obs(rows), "T02")
    assert s.loc[s["break"], "year"].tolist() == [2024]  # a row flagged 'break'


def test_no_break_without_earlier_years():
    rows = [("T06", "20", y, 50, 100, np.nan, "") for y in (2025, 2026)]
    assert not series(_obs(rows), "T06")["break"].any()


def test_empty_series_has_the_columns():
    s = series(_obs([]), "T06")
    assert list(s.columns) == ["year", "numerator", "denominator", "value", "break"] and s.empty


def test_write_then_read_round_trip(tmp_path):
    obs = read_observations(DATA / "observations_ok.csv")
    out = write_observations(obs, tmp_path / "sub" / "obs.csv")
    again = read_observations(out)
    pd.testing.assert_frame_equal(obs, again)
    assert not list((tmp_path / "sub").glob("*.tmp"))
