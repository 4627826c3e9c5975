"""Issue 20's remaining cases: plausibility limits, bounded simulate options, the thousands dot,
ids differing only in case, names built from data, and the fast cell checks of big files.

Each table pairs inputs that must pass with inputs that must fail at a named row and column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.cli import main
from forecast.commands import simulate
from forecast.explorer.exports import export_stem
from forecast.inputs import cells
from forecast.inputs.tables import read_text_table
from forecast.inputs.validate import validate_path

TESTS = Path(__file__).resolve().parent
HEADER = "indicator,unit_code,year,numerator,denominator,value"


def _obs(tmp_path: Path, *lines: str) -> list:
    path = tmp_path / "obs.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return validate_path(path)


# --- plausibility limits per indicator (issue item 7) ---------------------------------------

# (case, lines, [(row, column, fragment)]); an empty list: the lines are valid.
HEADCOUNTS = [
    ("a commune of 5,000", ["T02,06112,2023,1200,5000,"], []),
    ("a commune of 5,001", ["T02,06112,2023,10,5001,"], [(2, "denominator", "cannot employ more than 5,000")]),
    ("a commune count far too big", ["T11,06112,2023,6000,,"],
     [(2, "numerator", "numerator 6,000 is implausible for a commune-level unit")]),
    ("a district of 15,000", ["T02,180,2023,100,15000,"], []),
    ("a district of 20,000", ["T02,180,2023,100,20000,"], [(2, "denominator", "a district-level unit")]),
    ("the province of 90,000", ["T09,20,2023,100,90000,"], []),
    ("the province at 1e6 of 1e6", ["T06,20,2023,1000000,1000000,"],
     [(2, "numerator", "a province-level unit"), (2, "denominator", "a province-level unit")]),
    ("populations within the whole staff", ["T09,06112,2023,20,40,", "T06,06112,2023,30,40,", "T11,06112,2023,4,,"],
     []),
    ("a population above the whole staff", ["T09,06112,2023,20,40,", "T06,06112,2023,30,41,"],
     [(3, "denominator", "more than the unit's whole staff in 2023, 40 (T09's denominator on row 2)")]),
    ("a T11 count above the whole staff", ["T09,06112,2023,20,40,", "T11,06112,2023,45,,"],
     [(3, "numerator", "numerator 45 is more than the unit's whole staff")]),
    ("the whole staff of another year", ["T09,06112,2022,20,40,", "T06,06112,2023,30,41,"], []),
]


@pytest.mark.parametrize(("case", "lines", "expected"), HEADCOUNTS, ids=[c[0] for c in HEADCOUNTS])
def test_headcounts_within_the_stated_limits(tmp_path, case, lines, expected):
    found = _obs(tmp_path, *lines)
    assert [(p.row, p.column) for p in found] == [(r, c) for r, c, _ in expected], found
    for p, (_, _, fragment) in zip(found, expected, strict=True):
        assert fragment in p.message and "obs.csv" in p.path


def test_every_implausible_row_is_reported_at_once(tmp_path):
    found = _obs(tmp_path, "T02,06112,2023,10,9000,", "T02,06100,2023,10,9000,", "T02,180,2023,10,90000,")
    assert [(p.row, p.column) for p in found] == [(2, "denominator"), (3, "denominator"), (4, "denominator")]


GOOD_ROSTER = {
    "person_id": "x1", "birth_year": "1985", "birth_month": "6", "sex": "nu", "category": "cong_chuc",
    "level": "xa", "unit_code": "06112", "leader": "none", "key_cadre": "0", "in_pool": "0",
    "education": "dai_hoc", "field": "khac", "political_theory": "so_cap", "state_mgmt": "none",
    "foreign_language": "1", "it_skill": "1", "standard_training": "1", "standardised": "0",
    "hire_date": "2010-09-01", "exit_date": "", "exit_reason": "", "year": "2023",
}


def _roster(tmp_path: Path, rows: list[dict]) -> list:
    path = tmp_path / "roster.csv"
    pd.DataFrame([{**GOOD_ROSTER, **r} for r in rows]).to_csv(path, index=False)
    return validate_path(path)


NEXT_YEAR = str(dt.date.today().year + 1)
# (case, changes to a good row, column or None when valid, fragment)
ROSTER_LIMITS = [
    ("aged 15", {"birth_year": "2008", "hire_date": ""}, None, ""),
    ("aged 14", {"birth_year": "2009", "hire_date": ""}, "birth_year", "an age of 15–80 at the snapshot"),
    ("aged 80 and gone", {"birth_year": "1943", "hire_date": "1970-01-01", "exit_date": "2023-01-31",
                          "exit_reason": "huu"}, None, ""),
    ("aged 81", {"birth_year": "1942", "hire_date": "1970-01-01", "exit_date": "2023-01-31",
                 "exit_reason": "huu"}, "birth_year", "missing or implausible (an age of 15–80"),
    ("a snapshot of this year", {"year": str(dt.date.today().year), "unit_code": "20", "level": "tinh"}, None, ""),
    ("a snapshot in the future", {"year": NEXT_YEAR}, "year", f"(2000–{dt.date.today().year})"),
]


@pytest.mark.parametrize(("case", "changes", "column", "fragment"), ROSTER_LIMITS, ids=[c[0] for c in ROSTER_LIMITS])
def test_roster_ages_and_years_within_limits(tmp_path, case, changes, column, fragment):
    found = _roster(tmp_path, [changes])
    if column is None:
        assert found == []
        return
    assert any(p.row == 2 and p.column == column and fragment in p.message for p in found), found


# --- simulate: bounded options, refused before any work (issue item 13) ------------------------

@pytest.mark.parametrize(("args", "fragment"), [
    (["--draws", "100000000"], "--draws 100000000: expected 1 to 10,000"),
    (["--draws", "0"], "expected 1 to 10,000"),
    (["--start-year", "1900"], "--start-year 1900 is outside 2015–"),
    (["--start-year", "2999"], "--start-year 2999 is outside"),
    (["--end-year", "2046"], "--end-year 2046 is outside"),
    (["--start-year", "2024", "--end-year", "2024"], "--end-year 2024 is outside 2025–2045"),
])
def test_simulate_refuses_options_out_of_range_with_exit_2_before_any_work(tmp_path, monkeypatch, capsys, args,
                                                                          fragment):
    def no_work(*_a, **_k):
        raise AssertionError("the dataset was loaded before the options were checked")

    monkeypatch.setattr(simulate, "load_dataset", no_work)
    monkeypatch.setattr(simulate.sc, "load_scenario", no_work)
    out = tmp_path / "x.json"
    assert main(["simulate", *args, "--json", str(out)]) == 2
    assert fragment in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("draws", "start", "end"), [(1, None, 2030), (10_000, 2024, 2045), (1000, 2015, 2016)])
def test_simulate_accepts_options_in_range(draws, start, end):
    assert simulate.option_problem(draws, start, end) is None


# --- a thousands dot: one clear message, not a second misleading one (issue item 14) -----------

@pytest.mark.parametrize(("line", "column", "message"), [
    ("T06,06112,2023,14,1.234,", "denominator", "'1.234' has a thousands separator: write the headcount without it "
                                                "(1234)"),
    ("T06,180,2023,1.234,2000,61.7", "numerator", "'1.234' has a thousands separator: write the headcount "
                                                    "without it (1234)"),
])
def test_a_thousands_dot_gives_one_message_naming_the_number_meant(tmp_path, line, column, message):
    found = _obs(tmp_path, line)
    assert [(p.row, p.column, p.message) for p in found] == [(2, column, message)]


def test_a_thousands_dot_in_a_return_total_is_not_also_called_empty():
    found = validate_path(TESTS / "data" / "bad" / "return_thousands_dot.xlsx")
    assert len(found) == 1 and found[0].row == 7 and "(1012)" in found[0].message


def test_a_true_decimal_is_still_compared_with_its_numerator(tmp_path):
    found = _obs(tmp_path, "T06,06112,2023,14,12.5,")
    assert {p.column for p in found} == {"numerator", "denominator"}  # not whole, and 14 > 12.5


# --- person ids differing only in case (issue item 14) -----------------------------------------

@pytest.mark.parametrize(("ids", "years", "expected"), [
    (["A0001", "A0002"], ["2023", "2023"], []),
    (["A0001", "a0001"], ["2023", "2024"], []),
    (["A0001", "A0001"], ["2023", "2023"], [(3, "appears twice in the same snapshot year")]),
    (["A0001", "a0001"], ["2023", "2023"], [(3, "person_id 'a0001' is 'A0001' (row 2) in other letter case")]),
    (["nv-7", "x", "NV-7"], ["2023", "2023", "2023"], [(4, "'NV-7' is 'nv-7' (row 2)")]),
])
def test_person_ids_differing_only_in_case_are_one_person(tmp_path, ids, years, expected):
    found = _roster(tmp_path, [{"person_id": i, "year": y} for i, y in zip(ids, years, strict=True)])
    assert [(p.row, p.column) for p in found] == [(r, "person_id") for r, _ in expected], found
    for p, (_, fragment) in zip(found, expected, strict=True):
        assert fragment in p.message


# --- file names built from data stay in their folder (issue item 8) ----------------------------

@pytest.mark.parametrize(("scenario", "target", "unit", "stem"), [
    ("baseline", "T02", "20", "baseline_T02_20_20260101-000000"),
    ("../../etc/passwd", "T06", "06112", "etc_passwd_T06_06112_20260101-000000"),
    ("x", "../T06", "..", "x_t06_x_20260101-000000"),
    ("x", "T06", "a/../../b", "x_T06_a_b_20260101-000000"),
])
def test_export_names_from_data_are_plain_names_inside_the_folder(tmp_path, scenario, target, unit, stem):
    got = export_stem(scenario, target, unit, tmp_path, dt.datetime(2026, 1, 1))
    assert got == stem
    assert (tmp_path / f"{got}.png").resolve().parent == tmp_path.resolve()


# --- the fast whole-column checks agree with the cell-by-cell ones ------------------------------

CELLS = [["a", "b"], [" a", "b"], ["a", "b "], ["a\tb", "c"], ["a", "\u00a0b"], ["Việt", "Nam"], ["x", ""],
         ["", ""], ["a\nb", "c"], ["a\n", "c"], [], ["x\x00", "y"], [None, "y"], ["only"]]


@pytest.mark.parametrize("values", CELLS)
def test_edge_space_and_blank_cells_match_the_cell_by_cell_answer(values):
    arr = np.array(values, dtype=object)
    frame = pd.DataFrame({"a": arr, "b": arr[::-1]}) if len(arr) else pd.DataFrame({"a": arr, "b": arr})
    trimmed, blank, first = cells.trim_and_find_blank(frame)
    expected = frame.apply(lambda c: c.map(lambda v: v.strip() if isinstance(v, str) else v))
    pd.testing.assert_frame_equal(trimmed, expected)
    filled = (expected != "").to_numpy()
    assert blank.tolist() == (~filled.any(axis=1)).tolist()
    for i in range(len(frame)):
        assert first[i] == (None if blank[i] else expected.iloc[i, filled[i].argmax()])


@pytest.mark.parametrize(("values", "changed"), [(["A1", "B2"], False), (["a1", "B2"], True), (["ß"], True),
                                                  (["12", "-"], False)])
def test_upper_keys_only_when_case_matters(values, changed):
    got = cells.upper_keys(np.array(values, dtype=object))
    assert (got is not None) == changed
    if changed:
        assert got.tolist() == [v.upper() for v in values]


def test_a_clean_table_is_neither_copied_nor_compared_cell_by_cell(tmp_path):
    frame = pd.DataFrame({"a": np.arange(5000).astype(str).astype(object), "b": "x"})
    trimmed, blank, first = cells.trim_and_find_blank(frame)
    assert trimmed is frame and not blank.any() and (first == frame["a"].to_numpy()).all()
    path = tmp_path / "t.csv"
    frame.assign(c="").to_csv(path, index=False)
    table, problems = read_text_table(path)
    assert problems == [] and table.rows[0] == 2 and table.rows[-1] == 5001


def test_validate_imports_only_its_own_command(tmp_path):
    """``forecast validate`` does not pay for importing the models, reports and explorer."""
    import subprocess
    import sys

    path = tmp_path / "o.csv"
    path.write_text(f"{HEADER}\nT06,06112,2023,10,12,\n", encoding="utf-8")
    code = ("import sys; from forecast.cli import main; rc = main(['validate', '-q', sys.argv[1]]); "
            "print(rc, sorted(m for m in sys.modules if m.split('.')[:2] in (['forecast', 'reports'], "
            "['forecast', 'explorer'], ['forecast', 'models'])))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 []"


@pytest.mark.parametrize(("people", "fragment"), [(100, None), (5001, "the return counts 5,001 people, implausible "
                                                                      "for a commune-level unit (06112), which cannot "
                                                                      "employ more than 5,000 people")])
def test_a_return_counting_more_people_than_a_commune_can_employ_is_refused_at_its_cell(tmp_path, people, fragment):
    from forecast.inputs.returns import read_return, write_return_from_roster
    from forecast.inputs.roster import read_roster

    pd.DataFrame([{**GOOD_ROSTER, "person_id": f"p{i}"} for i in range(people)]).to_csv(tmp_path / "r.csv", index=False)
    write_return_from_roster(read_roster(tmp_path / "r.csv"), "06112", 2023, tmp_path / "r.xlsx")
    frame, problems = read_return(tmp_path / "r.xlsx")
    if fragment is None:
        assert problems == [] and len(frame)
    else:
        (problem,) = problems
        assert fragment in problem.message and frame.empty
        # located: the sheet, row and 'Tổng số (người)' column of the row holding the people
        assert problem.sheet == "CBCC cấp xã" and problem.row == 7
        assert problem.column and problem.column.endswith("(Tổng số (người))")
        assert "this row's total is 5,001" in problem.message
