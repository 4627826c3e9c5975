"""The roster: one row per person, checked, and counted with the target definitions."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from forecast.inputs.observations import series
from forecast.inputs.roster import ROSTER_COLUMNS, aggregate, read_roster
from forecast.inputs.tables import ValidationError
from forecast.inputs.validate import validate_path

DATA = Path(__file__).parent / "data"
GOOD = {
    "person_id": "x1", "birth_year": "1985", "birth_month": "6", "sex": "nu", "category": "cong_chuc",
    "level": "xa", "unit_code": "06112", "leader": "none", "key_cadre": "0", "in_pool": "0",
    "education": "dai_hoc", "field": "khac", "political_theory": "so_cap", "state_mgmt": "none",
    "foreign_language": "1", "it_skill": "1", "standard_training": "1", "standardised": "0",
    "hire_date": "2010-09-01", "exit_date": "", "exit_reason": "", "year": "2023",
}


def _write(tmp_path, rows: list[dict], name="roster.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# (rule, changes to the good row, column, fragment)
BAD = [
    ("empty id", {"person_id": ""}, "person_id", "empty"),
    ("sex code", {"sex": "x"}, "sex", "not one of"),
    ("category code", {"category": "hop_dong"}, "category", "not one of"),
    ("level code", {"level": "thon"}, "level", "not one of"),
    ("education code", {"education": "pho_thong"}, "education", "not one of"),
    ("field code", {"field": "y_te"}, "field", "not one of"),
    ("political theory code", {"political_theory": "cao"}, "political_theory", "not one of"),
    ("state management code", {"state_mgmt": "cvccc"}, "state_mgmt", "not one of"),
    ("leader code", {"leader": "to"}, "leader", "not one of"),
    ("flag not 0/1", {"it_skill": "2"}, "it_skill", "not 0 or 1"),
    ("birth year text", {"birth_year": "198x"}, "birth_year", "not a number"),
    ("birth year implausible", {"birth_year": "1890"}, "birth_year", "implausible"),
    ("birth month", {"birth_month": "13"}, "birth_month", "1–12"),
    ("unknown unit", {"unit_code": "99999"}, "unit_code", "unknown unit"),
    ("unit not valid in the year", {"unit_code": "05995", "year": "2025"}, "unit_code", "did not exist"),
    ("level differs from the unit's", {"level": "tinh"}, "level", "at level 'xa'"),
    ("key cadre outside the commune cadres", {"key_cadre": "1"}, "key_cadre", "only for commune-level cadres"),
    ("impossible date", {"hire_date": "2010-02-30"}, "hire_date", "not a date"),
    ("hired before birth", {"hire_date": "1980-01-01"}, "hire_date", "before being born"),
    ("hired as a child", {"hire_date": "1995-01-01"}, "hire_date", "before the age of 18"),
    ("exit before hire", {"exit_date": "2009-01-01", "exit_reason": "nghi_viec"}, "exit_date", "before the hire"),
    ("exit without reason", {"exit_date": "2023-01-01"}, "exit_reason", "empty"),
    ("reason without exit", {"exit_reason": "huu"}, "exit_date", "exit_date is empty"),
    ("unknown exit reason", {"exit_date": "2023-01-01", "exit_reason": "bo_viec"}, "exit_reason", "not one of"),
    ("above retirement age", {"birth_year": "1960", "sex": "nu"}, "birth_year", "retirement age"),
    ("snapshot year", {"year": "20x3"}, "year", "not a number"),
]


def test_the_good_row_is_valid(tmp_path):
    assert validate_path(_write(tmp_path, [GOOD])) == []


@pytest.mark.parametrize("rule, change, column, fragment", BAD, ids=[b[0] for b in BAD])
def test_each_roster_rule_locates_the_bad_row(tmp_path, rule, change, column, fragment):
    path = _write(tmp_path, [GOOD, {**GOOD, "person_id": "x2", **change}])
    found = validate_path(path)
    assert any(p.row == 3 and p.column == column and fragment in p.message for p in found), found
    assert all(p.row == 3 for p in found), found  # the good row stays clean


def test_duplicate_person_in_one_snapshot(tmp_path):
    found = validate_path(_write(tmp_path, [GOOD, GOOD, {**GOOD, "year": "2024"}]))
    assert [(p.row, p.column) for p in found] == [(3, "person_id")]


def test_someone_who_left_may_be_past_retirement_age(tmp_path):
    retired = {**GOOD, "birth_year": "1960", "sex": "nu", "exit_date": "2015-07-01", "exit_reason": "huu"}
    assert validate_path(_write(tmp_path, [retired])) == []


def test_missing_columns_are_named(tmp_path):
    row = {k: v for k, v in GOOD.items() if k not in ("education", "unit_code")}
    found = validate_path(_write(tmp_path, [row]))
    assert {p.column for p in found} == {"education", "unit_code"}
    assert all("missing required column" in p.message for p in found)


def test_vietnamese_words_and_decomposed_unicode_are_accepted(tmp_path):
    words = {**GOOD, "sex": "Nữ", "category": "Công chức", "level": "Cấp xã", "education": "Đại học",
             "political_theory": "Sơ cấp", "state_mgmt": "Chuyên viên", "hire_date": "01/09/2010"}
    words = {k: unicodedata.normalize("NFD", v) for k, v in words.items()}
    r = read_roster(_write(tmp_path, [words]))
    assert r.loc[0, ["sex", "category", "level", "education", "political_theory", "state_mgmt"]].tolist() == [
        "nu", "cong_chuc", "xa", "dai_hoc", "so_cap", "cv"]
    assert r.loc[0, "hire_date"] == pd.Timestamp("2010-09-01")


def test_birth_date_may_replace_birth_year_and_month(tmp_path):
    row = {k: v for k, v in GOOD.items() if k not in ("birth_year", "birth_month")}
    r = read_roster(_write(tmp_path, [{**row, "birth_date": "1985-06-15"}]))
    assert (r.loc[0, "birth_year"], r.loc[0, "birth_month"]) == (1985, 6)


def test_gzipped_roster(tmp_path):
    path = tmp_path / "roster.csv.gz"
    pd.DataFrame([GOOD]).to_csv(path, index=False, compression="gzip")
    assert list(read_roster(path).columns) == ROSTER_COLUMNS


def test_invalid_roster_raises(tmp_path):
    with pytest.raises(ValidationError):
        read_roster(_write(tmp_path, [{**GOOD, "sex": "?"}]))


# --- aggregation ------------------------------------------------------------------------------

def test_aggregate_applies_the_target_definitions():
    r = read_roster(DATA / "roster_ok.csv")
    obs = aggregate(r).set_index(["indicator", "unit_code"])[["numerator", "denominator"]]
    # Worked by hand from tests/data/roster_ok.csv (p004 left in May 2023: not counted).
    expected = {
        ("T01", "P05"): (1, 1), ("T01", "181"): (1, 1),            # tỉnh/huyện cb/cc with university+
        ("T03", "06112"): (1, 1), ("T03", "P05"): (1, 1), ("T03", "181"): (1, 1),
        ("T04", "06112"): (1, 1), ("T04", "06100"): (0, 1),        # commune cadres with trung cấp+ LLCT
        ("T05", "06112"): (1, 1),                                  # key cadres with university+
        ("T06", "06112"): (1, 2), ("T06", "06100"): (0, 1),
        ("T07", "P05"): (1, 1), ("T08", "181"): (1, 1),
        ("T09", "06112"): (1, 2), ("T09a", "06112"): (2, 2), ("T09b", "06112"): (1, 2), ("T09c", "06112"): (2, 2),
        ("T09", "181"): (0, 1), ("T09c", "181"): (0, 1), ("T09", "06100"): (0, 1), ("T09b", "06100"): (1, 1),
        ("T10", "06112"): (1, 1), ("T10", "06100"): (0, 1),
    }
    for key, (num, den) in expected.items():
        assert obs.loc[key].tolist() == [num, den], key
    assert ("T02", "P15") not in obs.index  # the only viên chức had left
    t11 = obs.loc["T11"]
    assert t11.loc["P05", "numerator"] == 1 and t11["numerator"].sum() == 1 and t11["denominator"].isna().all()


def test_province_share_from_a_roster_is_pooled_over_units():
    r = read_roster(DATA / "roster_ok.csv")
    s = series(aggregate(r), "T06")
    assert (s["numerator"].iloc[0], s["denominator"].iloc[0]) == (1, 3)


def test_aggregate_keeps_only_the_requested_year():
    r = read_roster(DATA / "roster_ok.csv")
    two = pd.concat([r, r.assign(year=2024)], ignore_index=True)
    assert set(aggregate(two)["year"]) == {2023, 2024}
    assert set(aggregate(two, year=2024)["year"]) == {2024}
    assert aggregate(two, year=2022).empty


def test_people_hired_after_the_snapshot_are_not_counted():
    r = read_roster(DATA / "roster_ok.csv")
    late = r.assign(hire_date=pd.Timestamp("2023-11-15"))
    assert aggregate(late).query("indicator != 'T11'").empty


def test_a_100k_row_roster_validates_within_a_few_seconds(tmp_path):
    import time

    import numpy as np

    n = 100_000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame([GOOD] * n)
    frame["person_id"] = [f"p{i}" for i in range(n)]
    frame["birth_year"] = rng.integers(1970, 1991, n)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    start = time.perf_counter()
    assert validate_path(path) == []
    assert time.perf_counter() - start < 15
