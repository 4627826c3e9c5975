"""The Excel annual return: the template, the reader, and what units do to workbooks."""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from forecast import cli
from forecast.inputs.returns import (
    COLUMNS,
    GROUPS,
    INFO_SHEET,
    read_return,
    write_return_from_roster,
    write_template,
)
from forecast.inputs.roster import aggregate, read_roster

DATA = Path(__file__).parent / "data"
COMMUNE_SHEET = "CBCC cấp xã"
# Key cadres, other cadres, civil servants of a commune: columns C.. in template order.
FILL = {
    "Cán bộ chủ chốt": [10, 0, 1, 7, 1, 1, 0, 0, 2, 7, 1, 0, 0, 1, 8, 9, 9, 8, 6, 1],
    "Cán bộ khác": [5, 0, 0, 3, 1, 1, 0, 0, 0, 4, 1, 0, 0, 0, 3, 4, 5, 3, 2, 0],
    "Công chức": [8, 0, 0, 8, 0, 0, 0, 0, 0, 2, 3, 0, 0, 2, 5, 8, 8, 5, 0, 0],
}


@pytest.fixture(scope="module")
def filled_once(tmp_path_factory) -> Path:
    """A commune's filled return (06112, 2025), written once per module; tests copy it."""
    path = tmp_path_factory.mktemp("returns") / "return.xlsx"
    write_template(path, unit_code="06112", year=2025)
    wb = load_workbook(path)
    ws = wb[COMMUNE_SHEET]
    for r in range(5, 8):
        for j, v in enumerate(FILL[ws.cell(r, 2).value]):
            ws.cell(r, 3 + j, v)
    wb.save(path)
    return path


@pytest.fixture
def filled(tmp_path, filled_once):
    """Make private copies of the filled return: ``filled("name.xlsx")``."""
    def make(name="return.xlsx") -> Path:
        return Path(shutil.copy(filled_once, tmp_path / name))
    return make


def _edit(path: Path, fn) -> Path:
    wb = load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def test_template_has_vietnamese_headings_and_one_sheet_per_group(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [INFO_SHEET] + [g.sheet for g in GROUPS]
    ws = wb[COMMUNE_SHEET]
    headings = [ws.cell(3, j).value for j in range(2, len(COLUMNS) + 2)]
    for word in ("Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp", "LLCT: Trung cấp",
                 "QLNN: Chuyên viên chính", "Ghi chú"):
        assert word in headings
    assert all(unicodedata.is_normalized("NFC", h) for h in headings)


def test_cli_template_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert cli.main(["template", str(out), "--unit", "06112", "--year", "2025"]) == 0
    assert load_workbook(out)[INFO_SHEET]["B5"].value == "Xã Bình Gia"
    assert cli.main(["template", str(out)]) == 1
    assert cli.main(["template", str(out), "--force"]) == 0
    assert cli.main(["template", str(tmp_path / "t.csv")]) == 1
    assert cli.main(["template", str(tmp_path / "u.xlsx"), "--unit", "99999"]) == 1


def test_a_filled_return_reads_into_observations(filled):
    obs, problems = read_return(filled())
    assert problems == []
    got = obs.set_index("indicator")[["numerator", "denominator"]]
    assert got.loc["T04"].tolist() == [13, 15]   # trung cấp+ LLCT among 15 cadres
    assert got.loc["T05"].tolist() == [8, 10]    # university+ among 10 key cadres
    assert got.loc["T06"].tolist() == [19, 23]
    assert got.loc["T10"].tolist() == [8, 15]
    assert got.loc["T09"].tolist() == [16, 23]
    assert got.loc["T11", "numerator"] == 1 and pd.isna(got.loc["T11", "denominator"])
    assert set(obs["unit_code"]) == {"06112"} and set(obs["year"]) == {2025}
    assert "T01" not in got.index  # the commune filled no provincial/district sheet


def test_reading_never_changes_the_file(filled):
    path = filled()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    read_return(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("unit", ["06112", "06100", "P05", "181"])
def test_a_return_gives_the_same_observations_as_the_roster(tmp_path, unit):
    roster = read_roster(DATA / "roster_ok.csv")
    path = write_return_from_roster(roster, unit, 2023, tmp_path / f"{unit}.xlsx")
    from_return, problems = read_return(path)
    assert problems == []
    from_roster = aggregate(roster).query("unit_code == @unit")
    cols = ["indicator", "unit_code", "year", "numerator", "denominator"]
    pd.testing.assert_frame_equal(from_return[cols].sort_values("indicator").reset_index(drop=True),
                                  from_roster[cols].sort_values("indicator").reset_index(drop=True))


# --- what units do to workbooks: (name, edit, sheet, row, column prefix, fragment) -------------

def _set(sheet, cell, value):
    def fn(wb):
        wb[sheet][cell] = value
    return fn


BAD_EDITS = [
    ("text in a number cell", _set(COMMUNE_SHEET, "D6", "12 người"), COMMUNE_SHEET, 6, "D", "not a number"),
    ("thousands dot", _set(COMMUNE_SHEET, "C7", "1.234"), COMMUNE_SHEET, 7, "C", "thousands separator"),
    ("decimal comma", _set(COMMUNE_SHEET, "C7", "12,5"), COMMUNE_SHEET, 7, "C", "decimal comma"),
    ("fractional people", _set(COMMUNE_SHEET, "C7", 8.5), COMMUNE_SHEET, 7, "C", "whole number"),
    ("negative", _set(COMMUNE_SHEET, "F7", -1), COMMUNE_SHEET, 7, "F", "negative"),
    ("part above total", _set(COMMUNE_SHEET, "F7", 9), COMMUNE_SHEET, 7, "F", "more than the group's total"),
    ("education above total", _set(COMMUNE_SHEET, "H7", 1), COMMUNE_SHEET, 7, "C", "education levels add up"),
    ("education left blank", lambda wb: [setattr(wb[COMMUNE_SHEET].cell(7, c), "value", None) for c in range(4, 11)],
     COMMUNE_SHEET, 7, "C", "not the total"),
    ("all three above one", _set(COMMUNE_SHEET, "T7", 8), COMMUNE_SHEET, 7, "T", "all three"),
    ("formula without cached value", _set(COMMUNE_SHEET, "F5", "=C5-1"), COMMUNE_SHEET, 5, "F", "no saved value"),
    ("unknown row label", _set(COMMUNE_SHEET, "B7", "Hợp đồng 68"), COMMUNE_SHEET, 7, "B", "unknown row"),
    ("total missing", _set(COMMUNE_SHEET, "C7", None), COMMUNE_SHEET, 7, "C", "is empty while"),
    ("unknown unit", _set(INFO_SHEET, "B4", "99999"), INFO_SHEET, 4, "B", "unknown unit"),
    ("unit of another period", _set(INFO_SHEET, "B4", "05995"), INFO_SHEET, 4, "B", "did not exist"),
    ("year missing", _set(INFO_SHEET, "B6", None), INFO_SHEET, 6, "B", "not filled in"),
    ("year as text", _set(INFO_SHEET, "B6", "năm nay"), INFO_SHEET, 6, "B", "not a number"),
]


@pytest.mark.parametrize("name, edit, sheet, row, col, fragment", BAD_EDITS, ids=[b[0] for b in BAD_EDITS])
def test_bad_cells_are_located(filled, name, edit, sheet, row, col, fragment):
    path = _edit(filled(), edit)
    obs, problems = read_return(path)
    assert obs.empty
    assert any(p.sheet == sheet and p.row == row and (p.column or "").startswith(col) and fragment in p.message
               for p in problems), problems


def test_merged_number_cells_are_refused(filled):
    path = _edit(filled(), lambda wb: wb[COMMUNE_SHEET].merge_cells("D6:D7"))
    _obs, problems = read_return(path)
    assert any(p.row == 7 and p.column.startswith("D") and "merged" in p.message for p in problems), problems


GOOD_EDITS = [
    ("blank row inside", lambda wb: wb[COMMUNE_SHEET].insert_rows(6)),
    ("total row at the bottom", lambda wb: (_set(COMMUNE_SHEET, "B9", "Tổng cộng")(wb),
                                            _set(COMMUNE_SHEET, "C9", 23)(wb))),
    ("renamed sheet", lambda wb: setattr(wb[COMMUNE_SHEET], "title", "Xa")),
    ("hidden sheet", lambda wb: setattr(wb[COMMUNE_SHEET], "sheet_state", "hidden")),
    ("extra sheet of the unit's own", lambda wb: wb.create_sheet("Ghi chép")),
    ("decomposed Vietnamese labels", lambda wb: _set(COMMUNE_SHEET, "B5",
                                                     unicodedata.normalize("NFD", "Cán bộ chủ chốt"))(wb)),
    ("numbers typed as text", _set(COMMUNE_SHEET, "C7", "8")),
    ("unit code typed as a number", _set(INFO_SHEET, "B4", 6112)),
    ("notes", _set(COMMUNE_SHEET, "W5", "Hai người đang học đại học")),
]


@pytest.mark.parametrize("name, edit", GOOD_EDITS, ids=[g[0] for g in GOOD_EDITS])
def test_harmless_edits_read_the_same(filled, name, edit):
    clean, _ = read_return(filled("clean.xlsx"))
    edited, problems = read_return(_edit(filled("edited.xlsx"), edit))
    assert problems == []
    cols = ["indicator", "unit_code", "year", "numerator", "denominator"]
    pd.testing.assert_frame_equal(edited[cols], clean[cols])


@pytest.mark.parametrize("content, fragment", [
    (b"", "empty"),
    (b"indicator,unit_code\nT06,06112\n", "not an Excel .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-format .xls"),
    (b"PK\x03\x04broken zip", "not an Excel"),
])
def test_files_that_are_not_workbooks(tmp_path, content, fragment):
    path = tmp_path / "return.xlsx"
    path.write_bytes(content)
    obs, problems = read_return(path)
    assert obs.empty and len(problems) == 1 and fragment in problems[0].message


def test_workbook_without_the_info_sheet(filled):
    path = _edit(filled(), lambda wb: wb.remove(wb[INFO_SHEET]))
    _obs, problems = read_return(path)
    assert any(INFO_SHEET in p.message for p in problems)


def test_validate_command_reads_workbooks(filled, capsys):
    good = filled("good.xlsx")
    bad = _edit(filled("bad.xlsx"), _set(COMMUNE_SHEET, "D6", "12 người"))
    assert cli.main(["validate", str(good)]) == 0
    assert cli.main(["validate", str(good), str(bad)]) == 1
    assert f"{bad}:{COMMUNE_SHEET}:6:D (Tiến sĩ):" in capsys.readouterr().out


def test_an_unfilled_template_is_refused(tmp_path):
    path = write_template(tmp_path / "t.xlsx", unit_code="06112", year=2025)
    _obs, problems = read_return(path)
    assert len(problems) == 1 and "no headcounts" in problems[0].message


def _random_roster(seed: int, n: int = 300) -> pd.DataFrame:
    """A random valid roster of a few units (people under retirement age, in post)."""
    import numpy as np

    from forecast.inputs.roster import ENUMS

    rng = np.random.default_rng(seed)
    units = {"06112": "xa", "06100": "xa", "P05": "tinh", "181": "huyen"}
    code = rng.choice(list(units), n)
    level = np.array([units[c] for c in code])
    category = np.where(level == "xa", rng.choice(["can_bo", "cong_chuc"], n),
                        rng.choice(["can_bo", "cong_chuc", "vien_chuc"], n))
    key = (level == "xa") & (category == "can_bo") & (rng.random(n) < 0.4)
    frame = pd.DataFrame({
        "person_id": [f"r{i}" for i in range(n)], "birth_year": rng.integers(1970, 1995, n),
        "birth_month": rng.integers(1, 13, n), "sex": rng.choice(["nam", "nu"], n), "category": category,
        "level": level, "unit_code": code, "leader": rng.choice(["none", "none", "phong", "so"], n),
        "key_cadre": key.astype(int), "in_pool": (rng.random(n) < 0.3).astype(int),
        "education": rng.choice(ENUMS["education"], n), "field": rng.choice(ENUMS["field"], n),
        "political_theory": rng.choice(ENUMS["political_theory"], n), "state_mgmt": rng.choice(ENUMS["state_mgmt"], n),
        "foreign_language": rng.integers(0, 2, n), "it_skill": rng.integers(0, 2, n),
        "standard_training": rng.integers(0, 2, n), "standardised": rng.integers(0, 2, n),
        "hire_date": "2018-09-01", "exit_date": "", "exit_reason": "", "year": 2023,
    })
    return frame


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_returns_and_roster_agree_on_random_rosters(tmp_path, seed):
    path = tmp_path / "roster.csv"
    _random_roster(seed).to_csv(path, index=False)
    roster = read_roster(path)
    cols = ["indicator", "unit_code", "year", "numerator", "denominator"]
    for unit in ("06112", "P05"):
        from_return, problems = read_return(write_return_from_roster(roster, unit, 2023, tmp_path / f"{unit}.xlsx"))
        assert problems == []
        from_roster = aggregate(roster).query("unit_code == @unit")
        pd.testing.assert_frame_equal(from_return[cols].sort_values("indicator").reset_index(drop=True),
                                      from_roster[cols].sort_values("indicator").reset_index(drop=True))


def test_renamed_headings_are_reported(filled):
    path = _edit(filled(), _set(COMMUNE_SHEET, "E3", "ThS"))
    _obs, problems = read_return(path)
    assert [(p.sheet, p.row, p.message) for p in problems] == [(COMMUNE_SHEET, 3, "missing column 'Thạc sĩ'")]
    path = _edit(filled("b.xlsx"), _set(COMMUNE_SHEET, "C3", "Tổng"))
    _obs, problems = read_return(path)
    assert any(p.sheet == COMMUNE_SHEET and "heading row" in p.message for p in problems)
