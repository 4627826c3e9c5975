"""Re-basing history onto the 65 communes of 1 July 2025: counts are summed, never percentages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import cli
from forecast.inputs.observations import OBS_COLUMNS, read_observations, rebase, series

HEADER = "indicator,unit_code,year,numerator,denominator,source\n"


def _obs(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["indicator", "unit_code", "year", "numerator", "denominator"])
    df["value"], df["source"], df["flags"] = np.nan, "t", ""
    return df[OBS_COLUMNS]


def test_cli_sums_the_three_old_units_of_xa_binh_gia(tmp_path, capsys):
    src = tmp_path / "obs.csv"
    src.write_text(HEADER + "T06,06100,2023,10,12,r\nT06,06106,2023,8,9,r\nT06,06112,2023,20,22,r\n",
                   encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli.main(["rebase", str(src), "--to", "2025-07-01", "--out", str(out)]) == 0
    got = read_observations(out)
    assert len(got) == 1
    row = got.iloc[0]
    assert (row.unit_code, row.year, row.numerator, row.denominator) == ("06112", 2023, 38.0, 43.0)
    assert row["flags"] == "rebased"
    printed = capsys.readouterr().out
    assert "0.50" in printed and "--split" in printed  # the assumed split shares are stated


def test_the_december_2024_code_change_is_followed():
    # 2023: 05995 is TT Thất Khê, 06040 is xã Đại Đồng (split between Thất Khê and Đội Cấn).
    obs = _obs([("T06", "05995", 2023, 30, 40), ("T06", "06040", 2023, 10, 20), ("T06", "06025", 2023, 5, 10)])
    out, _ = rebase(obs)
    got = out.set_index("unit_code")[["numerator", "denominator"]]
    assert got.loc["06040"].tolist() == [35.0, 50.0]   # Thất Khê: TT Thất Khê + half of Đại Đồng (+ Chi Lăng, Chí Minh absent)
    assert got.loc["06004"].tolist() == [10.0, 20.0]   # Quốc Khánh: Đội Cấn + half of Đại Đồng


def test_split_share_parameter_and_default(tmp_path, capsys):
    src = tmp_path / "obs.csv"
    src.write_text(HEADER + "T06,06622,2023,10,20,r\n", encoding="utf-8")  # Bính Xá
    out = tmp_path / "out.csv"
    assert cli.main(["rebase", str(src), "--out", str(out), "--split", "06622=0.3"]) == 0
    got = read_observations(out).set_index("unit_code")
    assert got.loc["06613", "denominator"] == pytest.approx(6.0)    # part -> Đình Lập
    assert got.loc["06625", "denominator"] == pytest.approx(14.0)   # remainder -> Kiên Mộc
    assert "06622: 0.30" in got.loc["06613", "source"]


def test_percentages_are_never_averaged():
    obs = _obs([("T06", "06100", 2023, 1, 10), ("T06", "06106", 2023, 90, 100), ("T06", "06112", 2023, 0, 1)])
    out, _ = rebase(obs)
    assert series(out, "T06", "06112")["value"].iloc[0] == pytest.approx(91 / 111)


def test_percent_only_rows_are_left_out_with_a_note():
    obs = _obs([("T06", "06100", 2023, 1, 10)])
    pct = obs.assign(numerator=np.nan, denominator=np.nan, value=50.0, flags="published_percent_only",
                     unit_code="06106")
    out, notes = rebase(pd.concat([obs, pct], ignore_index=True))
    assert len(out) == 1 and any("percent-only" in n for n in notes)


def test_incomplete_groups_are_flagged_partial():
    out, notes = rebase(_obs([("T06", "06100", 2023, 1, 10)]))
    assert out["flags"].iloc[0] == "rebased;partial"
    assert any("partial" in n for n in notes)


def test_other_rows_pass_through_unchanged():
    obs = _obs([("T01", "P05", 2023, 30, 32), ("T01", "178", 2023, 30, 40), ("T06", "06112", 2025, 55, 60),
                ("T06", "20", 2023, 500, 600)])
    out, _ = rebase(obs)
    pd.testing.assert_frame_equal(out.sort_values(["indicator", "unit_code", "year"]).reset_index(drop=True),
                                  obs.sort_values(["indicator", "unit_code", "year"]).reset_index(drop=True),
                                  check_dtype=False)


def test_t11_counts_are_summed_without_a_denominator():
    out, _ = rebase(_obs([("T11", "06100", 2023, 1, np.nan), ("T11", "06106", 2023, 2, np.nan),
                          ("T11", "06112", 2023, 3, np.nan)]))
    assert out["numerator"].tolist() == [6.0] and out["denominator"].isna().all()


def test_whole_province_total_is_unchanged_by_rebasing():
    from forecast.inputs.units import units_on

    codes = units_on("2023-10-31", "xa")["code"]
    rng = np.random.default_rng(1)
    den = rng.integers(5, 50, len(codes))
    obs = _obs([("T06", c, 2023, int(d * 0.7), int(d)) for c, d in zip(codes, den, strict=True)])
    out, _ = rebase(obs)
    assert out["unit_code"].nunique() == 65
    assert out["denominator"].sum() == pytest.approx(obs["denominator"].sum())
    assert not out["flags"].str.contains("partial").any()


@pytest.mark.parametrize("args, fragment, code", [
    (["--split", "06622"], "CODE=SHARE", 1),
    (["--split", "06622=2"], "between 0 and 1", 1),
    (["--to", "not-a-date"], "not a date", 2),   # a bad option value is bad usage (exit 2, issue 20)
])
def test_cli_refuses_bad_arguments_and_writes_nothing(tmp_path, capsys, args, fragment, code):
    src = tmp_path / "obs.csv"
    src.write_text(HEADER + "T06,06100,2023,10,12,r\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli.main(["rebase", str(src), "--out", str(out), *args]) == code
    assert fragment in capsys.readouterr().err and not out.exists()


def test_cli_writes_nothing_for_invalid_input(tmp_path, capsys):
    src = tmp_path / "obs.csv"
    src.write_text(HEADER + "T06,06100,2023,13,12,r\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli.main(["rebase", str(src), "--out", str(out)]) == 1
    assert f"{src}:2:numerator" in capsys.readouterr().err and not out.exists()


def test_an_empty_population_is_not_a_missing_unit():
    # 06106 reported T06 but has nobody in the planning pool (no T03 row): T03 is complete.
    obs = _obs([("T03", "06100", 2023, 1, 2), ("T03", "06112", 2023, 2, 2),
                ("T06", "06100", 2023, 1, 2), ("T06", "06106", 2023, 1, 2), ("T06", "06112", 2023, 1, 2)])
    out, _ = rebase(obs)
    assert (out["flags"] == "rebased").all()
