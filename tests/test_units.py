"""The unit registry matches the official lists and keeps codes apart by validity period."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.inputs import units
from forecast.inputs.units import DEFAULT_SPLIT_SHARES, rebase_weights, resolve, units_on


@pytest.mark.parametrize("date, level, expected", [
    ("2024-10-31", "xa", 200),   # GSO list of 1/11/2024
    ("2024-12-01", "xa", 194),   # after Resolution 1246 (1/12/2024)
    ("2025-03-01", "xa", 194),   # GSO list of 1/3/2025
    ("2025-06-30", "xa", 194),
    ("2025-07-01", "xa", 65),    # Resolution 1672: 61 xã + 4 phường
    ("2025-10-31", "xa", 65),
    ("2024-10-31", "huyen", 11),
    ("2025-06-30", "huyen", 11),
    ("2025-07-01", "huyen", 0),  # the district level no longer exists
])
def test_number_of_units_per_period(date, level, expected):
    assert len(units_on(date, level)) == expected


def test_the_65_new_units_are_61_xa_and_4_phuong():
    new = units_on("2025-07-01", "xa")
    assert new["type"].value_counts().to_dict() == {"xa": 61, "phuong": 4}
    assert set(new.loc[new["type"] == "phuong", "name"]) == {
        "Phường Tam Thanh", "Phường Lương Văn Tri", "Phường Kỳ Lừa", "Phường Đông Kinh"}


def test_commune_list_of_2024_agrees_with_the_official_file(tmp_path):
    shared = units.config.shared_dir() / "geography" / "langson_units_2024-11-01.csv"
    if not shared.exists():
        pytest.skip("shared geography folder not available")
    official = pd.read_csv(shared, dtype=str)
    ours = units_on("2024-10-31", "xa")
    assert set(ours["code"]) == set(official["unit_code"])


@pytest.mark.parametrize("code, date, name", [
    ("06040", "2024-10-31", "Xã Đại Đồng"),          # before the December 2024 change
    ("06040", "2025-03-01", "Thị trấn Thất Khê"),    # TT Thất Khê took the code on 1/12/2024
    ("06040", "2025-10-31", "Xã Thất Khê"),          # the new 2025 unit
    ("05995", "2024-10-31", "Thị trấn Thất Khê"),
    ("05986", "2025-10-31", "Phường Tam Thanh"),     # code of former xã Hoàng Đồng
    ("20", "2030-01-01", "Tỉnh Lạng Sơn"),
    ("6112", "2023-10-31", "Thị trấn Bình Gia"),     # Excel dropped the leading zero
])
def test_resolve_picks_the_unit_valid_on_the_date(code, date, name):
    assert resolve(code, date).name == name


@pytest.mark.parametrize("code, date, fragment", [
    ("05995", "2025-10-31", "names no unit"),
    ("99999", "2024-10-31", "unknown unit code"),
    ("178", "2025-10-31", "names no unit"),  # districts ended on 30/6/2025
])
def test_resolve_refuses_codes_not_valid_then(code, date, fragment):
    with pytest.raises(KeyError, match=fragment):
        resolve(code, date)


def test_no_code_has_overlapping_validity_periods():
    reg = units.load_units().sort_values(["code", "valid_from"])
    prev_end = reg.groupby("code")["valid_to"].shift()
    same = reg["code"].eq(reg["code"].shift())
    overlap = same & (prev_end.isna() | (prev_end >= reg["valid_from"]))
    assert not overlap.any(), reg[overlap]


def test_parents_exist_when_their_children_start():
    reg = units.load_units()
    for row in reg[reg["parent"] != ""].itertuples():
        assert resolve(row.parent, row.valid_from).code == row.parent


def test_departments_are_project_coded_before_and_after_the_march_2025_merger():
    before = units_on("2025-02-28", "tinh")
    after = units_on("2025-03-01", "tinh")
    dept_before = before[before["code"].str.startswith("P")]
    dept_after = after[after["code"].str.startswith("P")]
    assert dept_before["code"].str.fullmatch(r"P\d{2}").all()
    assert len(dept_after) < len(dept_before)  # the merger reduced their number
    assert (units.load_units().query("code.str.startswith('P')")["source"].str.contains("project coding")).all()


def test_resolve_codes_is_the_vectorised_resolve():
    codes = pd.Series(["06040", "06040", "05995", "12345"])
    years = pd.Series([2024, 2025, 2025, 2024])
    res = units.resolve_codes(codes, years)
    assert res["known"].tolist() == [True, True, True, False]
    assert res["valid"].tolist() == [True, True, False, False]
    assert res["name"].iloc[0] == "Xã Đại Đồng" and res["name"].iloc[1] == "Xã Thất Khê"


def test_crosswalk_covers_every_unit_of_june_2025_once_or_by_parts():
    xw = units.load_crosswalk()
    july = xw[xw["change_date"] == pd.Timestamp("2025-07-01")]
    assert set(july["old_code"]) == set(units_on("2025-06-30", "xa")["code"])
    assert set(july["new_code"]) == set(units_on("2025-07-01", "xa")["code"])
    split = july[july["extent"] != "whole"]
    assert set(split["old_code"]) == {"06622", "06625"}  # Bính Xá, Kiên Mộc


def test_rebase_weights_conserve_every_old_unit():
    w = rebase_weights("2025-07-01")
    assert w.groupby(["code", "valid_from"])["weight"].sum().round(12).eq(1.0).all()
    assert set(w["new_code"]) <= set(units_on("2025-07-01", "xa")["code"])
    # 200 units before December 2024 plus TT Thất Khê under its new code.
    assert len(w.groupby(["code", "valid_from"])) == 201


@pytest.mark.parametrize("old, valid_from, expected", [
    ("06100", "2015-01-01", {"06112": 1.0}),                    # Hoàng Văn Thụ -> Bình Gia
    ("05995", "2015-01-01", {"06040": 1.0}),                    # TT Thất Khê (old code) -> Thất Khê
    ("06040", "2024-12-01", {"06040": 1.0}),                    # TT Thất Khê (new code) -> Thất Khê
    ("06040", "2015-01-01", {"06040": 0.5, "06004": 0.5}),      # xã Đại Đồng split, then -> Quốc Khánh
    ("06007", "2015-01-01", {"06001": 1.0}),                    # Vĩnh Tiến -> Khánh Long -> Đoàn Kết
    ("06622", "2015-01-01", {"06613": 0.5, "06625": 0.5}),      # Bính Xá split
])
def test_rebase_weights_follow_both_changes(old, valid_from, expected):
    w = rebase_weights("2025-07-01")
    got = w[(w["code"] == old) & (w["valid_from"] == pd.Timestamp(valid_from))]
    assert dict(zip(got["new_code"], got["weight"], strict=True)) == pytest.approx(expected)


def test_split_share_is_a_parameter():
    w = rebase_weights("2025-07-01", splits={"06622": 0.2})
    got = w[w["code"] == "06622"].set_index("new_code")["weight"]
    assert got["06613"] == pytest.approx(0.2) and got["06625"] == pytest.approx(0.8)
    assert DEFAULT_SPLIT_SHARES["06622"] == 0.5


def test_split_share_outside_0_1_is_refused():
    with pytest.raises(ValueError, match="06622"):
        rebase_weights("2025-07-01", splits={"06622": 1.5})


def test_tables_are_what_the_build_script_makes_from_the_shared_files():
    import importlib.util

    geo = units.config.shared_dir() / "geography"
    if not geo.exists():
        pytest.skip("shared geography folder not available")
    spec = importlib.util.spec_from_file_location("build_tables",
                                                  units.config.project_root() / "scripts" / "build_tables.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    made = pd.DataFrame(build.build_units(geo)).astype(str)
    committed = pd.read_csv(units.config.units_file(), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(made, committed)
    made = pd.DataFrame(build.build_crosswalk(geo)).astype(str)
    committed = pd.read_csv(units.config.crosswalk_file(), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(made, committed)
