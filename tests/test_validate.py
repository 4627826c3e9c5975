"""`forecast validate`: every rule has a good and a bad example, problems are located.

Each bad example is one data line after the header ``indicator,unit_code,year,
numerator,denominator,value``; the problem must name line 2 (the header is line 1)
and the column, as a text editor shows them.
"""

from __future__ import annotations

import time
import unicodedata

import numpy as np
import pandas as pd
import pytest

from forecast import cli
from forecast.inputs.tables import Problem, ValidationError, decode_text
from forecast.inputs.validate import validate_path, validate_paths

HEADER = "indicator,unit_code,year,numerator,denominator,value"


def _problems(tmp_path, text: str, name: str = "obs.csv", encoding: str = "utf-8") -> list[Problem]:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return validate_path(path)


# (rule, good line, bad line, column, fragment of the message)
RULES = [
    ("unknown indicator", "T06,06112,2023,10,12,", "T99,06112,2023,10,12,", "indicator", "unknown indicator"),
    ("empty indicator", "T06,06112,2023,10,12,", ",06112,2023,10,12,", "indicator", "indicator is empty"),
    ("unknown unit", "T06,06112,2023,10,12,", "T06,99999,2023,10,12,", "unit_code", "unknown unit"),
    ("unit not valid that year", "T06,05995,2023,10,12,", "T06,05995,2025,10,12,", "unit_code", "did not exist"),
    ("year too early", "T06,06112,2015,10,12,", "T06,06112,2014,10,12,", "year", "out of range"),
    ("year in the future", "T06,06112,2024,10,12,", "T06,06112,2999,10,12,", "year", "out of range"),
    ("year not a number", "T06,06112,2023,10,12,", "T06,06112,năm 2023,10,12,", "year", "not a number"),
    ("non-numeric count", "T06,06112,2023,12,15,", "T06,06112,2023,12 người,15,", "numerator", "not a number"),
    ("decimal comma", "T06,06112,2023,12,15,", 'T06,06112,2023,"12,5",15,', "numerator", "decimal comma"),
    ("thousands dot", "T06,06112,2023,1234,2000,", "T06,06112,2023,1.234,2000,", "numerator", "thousands"),
    ("fractional headcount", "T06,06112,2023,12,15,", "T06,06112,2023,12.5,15,", "numerator", "whole"),
    ("negative count", "T06,06112,2023,0,15,", "T06,06112,2023,-1,15,", "numerator", "negative"),
    ("negative denominator", "T06,06112,2023,0,15,", "T06,06112,2023,0,-15,", "denominator", "negative"),
    ("numerator above denominator", "T06,06112,2023,15,15,", "T06,06112,2023,16,15,", "numerator", "greater"),
    ("denominator zero", "T06,06112,2023,0,1,", "T06,06112,2023,0,0,", "denominator", "is 0"),
    ("share without denominator", "T06,06112,2023,3,4,", "T06,06112,2023,3,,", "denominator", "empty"),
    ("T11 count with a denominator", "T11,06112,2023,3,,", "T11,06112,2023,3,4,", "denominator", "T11"),
    ("nothing on the row", "T06,06112,2023,3,4,", "T06,06112,2023,,,", "numerator", "neither"),
    ("percent above 100", "T06,20,2023,,,100", "T06,20,2023,,,100.5", "value", "outside 0–100"),
    ("percent below 0", "T06,20,2023,,,0", "T06,20,2023,,,-3", "value", "outside 0–100"),
    ("value disagreeing with counts", "T06,06112,2023,10,20,50", "T06,06112,2023,10,20,75", "value", "disagrees"),
]


@pytest.mark.parametrize("rule, good, bad, column, fragment", RULES, ids=[r[0] for r in RULES])
def test_each_rule_accepts_the_good_and_locates_the_bad(tmp_path, rule, good, bad, column, fragment):
    assert _problems(tmp_path, f"{HEADER}\n{good}\n") == []
    found = _problems(tmp_path, f"{HEADER}\n{bad}\n")
    assert any(p.row == 2 and p.column == column and fragment in p.message for p in found), found


def test_mixed_percent_scales_are_refused_but_small_true_percents_are_not(tmp_path):
    mixed = f"{HEADER}\nT02,20,2021,,,87\nT02,20,2022,,,0.88\n"
    found = _problems(tmp_path, mixed)
    assert [(p.row, p.column) for p in found] == [(3, "value")]
    assert "0–1 share" in found[0].message
    # 0.63 % doctorates beside other small percentages is a true percentage.
    small = f"{HEADER}\nT11,20,2021,,,0.63\nT11,20,2022,,,0.7\n"
    assert _problems(tmp_path, small) == []


def test_duplicate_keys_name_the_first_line(tmp_path):
    found = _problems(tmp_path, f"{HEADER}\nT06,06112,2023,1,2,\nT06,06100,2023,1,2,\nT06,6112,2023,1,2,\n")
    assert len(found) == 1
    assert (found[0].row, found[0].column) == (4, "indicator")
    assert "first given on row 2" in found[0].message


@pytest.mark.parametrize("header, missing", [
    ("unit_code,year,numerator,denominator", "indicator"),
    ("indicator,year,numerator,denominator", "unit_code"),
    ("indicator,unit_code,numerator,denominator", "year"),
    ("indicator,unit_code,year,numerator", "denominator"),
    ("indicator,unit_code,year,source", "numerator"),
])
def test_missing_required_columns_are_named(tmp_path, header, missing):
    found = _problems(tmp_path, header + "\n" + ",".join(["x"] * len(header.split(","))) + "\n")
    assert any(p.column == missing and "missing required column" in p.message and p.row == 1 for p in found)


def test_percent_only_rows_are_accepted(tmp_path):
    assert _problems(tmp_path, "indicator,unit_code,year,value,source\nT06,20,2024,92.4,https://example.org\n") == []


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = f"{HEADER}\nT06,06112,2023,16,15,\nT99,06112,2023,1,2,\nT06,99999,2023,1,2,\nT06,06112,2999,1,2,\n"
    found = _problems(tmp_path, text)
    assert [p.row for p in found] == [2, 3, 4, 5]


def test_blank_lines_and_a_total_line_are_skipped_without_shifting_line_numbers(tmp_path):
    text = f"{HEADER}\nT06,06112,2023,10,12,\n,,,,,\n\nT06,06100,2023,13,12,\nTổng cộng,,,23,24,\n"
    found = _problems(tmp_path, text)
    assert [(p.row, p.column) for p in found] == [(5, "numerator")]


# --- encodings Excel on Windows produces ------------------------------------------------

GOOD = f"{HEADER},source\nT06,06112,2023,10,12,,Báo cáo của Ủy ban nhân dân xã\n"


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed, tone marks as combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out.append((base + "".join(c for c in d if c in tones)).encode("cp1258"))
    return b"".join(out)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-no-bom", "cp1258", "utf-16-tab"])
def test_excel_encodings_are_read(tmp_path, encoding):
    if encoding == "cp1258":
        raw = _cp1258(GOOD)
    elif encoding == "utf-16-le-no-bom":
        raw = GOOD.encode("utf-16-le")
    elif encoding == "utf-16-tab":
        raw = GOOD.replace(",", "\t").encode("utf-16")
    else:
        raw = GOOD.encode(encoding)
    text, _ = decode_text(raw)
    assert "Ủy ban nhân dân" in text and unicodedata.is_normalized("NFC", text)
    (tmp_path / "obs.csv").write_bytes(raw)
    assert validate_path(tmp_path / "obs.csv") == []


def test_an_undecodable_file_gets_a_located_hint_to_save_as_utf8(tmp_path):
    (tmp_path / "obs.csv").write_bytes(b"indicator,unit_code\n\x81\x8d\x8f\x90,1\n")
    found = validate_path(tmp_path / "obs.csv")
    assert len(found) == 1 and "UTF-8" in found[0].message and found[0].path.endswith("obs.csv")


def test_decomposed_vietnamese_is_normalised_to_nfc(tmp_path):
    from forecast.inputs.observations import read_observations

    nfd = unicodedata.normalize("NFD", GOOD)
    (tmp_path / "obs.csv").write_text(nfd, encoding="utf-8")
    obs = read_observations(tmp_path / "obs.csv")
    assert obs["source"].iloc[0] == unicodedata.normalize("NFC", "Báo cáo của Ủy ban nhân dân xã")


@pytest.mark.parametrize("name, content, fragment", [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"  \n\n", "empty"),
    ("binary.csv", b"\x00\x01\x02\x03PK", "not a text file"),
    ("notes.docx", b"whatever", "unsupported file type"),
    ("bom_only.csv", b"\xef\xbb\xbf", "empty"),
    ("header_only.csv", b"indicator,unit_code,year,numerator,denominator\n", "no data rows"),
    ("same_heading_twice.csv", b"indicator,year,unit_code,year,numerator,denominator\nT06,2023,06112,2023,1,2\n",
     "heading appears twice"),
    ("nbsp_thousands.csv", "indicator,unit_code,year,numerator,denominator\nT06,06112,2023,1\u00a0234,2000\n"
     .encode(), "thousands separator"),
])
def test_unreadable_files_give_a_problem_not_a_traceback(tmp_path, name, content, fragment):
    (tmp_path / name).write_bytes(content)
    found = validate_path(tmp_path / name)
    assert len(found) == 1 and fragment in found[0].message


def test_missing_path(tmp_path):
    assert "no such file" in validate_path(tmp_path / "nope.csv")[0].message


def test_problem_format():
    assert str(Problem("a.xlsx", "Biểu 1", 7, "D (Thạc sĩ)", "bad")) == "a.xlsx:Biểu 1:7:D (Thạc sĩ): bad"
    assert str(Problem("a.csv", None, 3, "year", "bad")) == "a.csv:3:year: bad"
    assert str(Problem("a.csv", None, None, None, "empty")) == "a.csv:-:-: empty"
    assert "a.csv:3:year: bad" in str(ValidationError([Problem("a.csv", None, 3, "year", "bad")]))


# --- the command -----------------------------------------------------------------------------

def test_cli_names_both_bad_lines_and_exits_nonzero(tmp_path, capsys):
    path = tmp_path / "returns.csv"
    path.write_text("indicator,unit_code,year,numerator,denominator,source\n"
                    "T06,06112,2023,10,12,a\n"
                    "T06,06100,2023,13,12,a\n"      # numerator > denominator on line 3
                    "T42,06106,2023,1,2,a\n",        # unknown indicator on line 4
                    encoding="utf-8")
    code = cli.main(["validate", str(path)])
    out = capsys.readouterr().out.splitlines()
    assert code != 0
    assert any(line.startswith(f"{path}:3:numerator:") for line in out), out
    assert any(line.startswith(f"{path}:4:indicator:") for line in out), out


def test_cli_exits_zero_on_a_clean_file(tmp_path, capsys):
    path = tmp_path / "clean.csv"
    path.write_text("indicator,unit_code,year,numerator,denominator,source\nT06,06112,2023,10,12,a\n"
                    "T11,20,2023,5,,a\n", encoding="utf-8")
    assert cli.main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_cli_checks_several_kinds_of_file_at_once(tmp_path, capsys):
    (tmp_path / "a.csv").write_text(f"{HEADER}\nT99,06112,2023,1,2,\n", encoding="utf-8")
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")
    (tmp_path / "r.csv").write_text("person_id,year\nx,2023\n", encoding="utf-8")
    assert cli.main(["validate", str(tmp_path / "a.csv"), str(tmp_path / "b.xlsx"), str(tmp_path / "r.csv")]) == 1
    out = capsys.readouterr().out
    assert "a.csv:2:indicator" in out and "b.xlsx:-:-:" in out and "r.csv:1:birth_year: missing required" in out


def test_100k_rows_validate_within_a_few_seconds(tmp_path):
    rng = np.random.default_rng(0)
    n = 100_000
    from forecast.inputs.units import units_on

    codes = units_on("2023-10-31", "xa")["code"].to_numpy()
    frame = pd.DataFrame({"indicator": rng.choice(["T01", "T06", "T09a"], n), "unit_code": rng.choice(codes, n),
                          "year": rng.integers(2015, 2025, n), "numerator": 5, "denominator": 10, "source": "x"})
    frame.to_csv(tmp_path / "big.csv", index=False)
    start = time.perf_counter()
    found = validate_paths([tmp_path / "big.csv"])
    elapsed = time.perf_counter() - start
    # Only 3 x 200 x 10 keys exist, so most rows are duplicates: every one is reported.
    assert len(found) == n - frame[["indicator", "unit_code", "year"]].drop_duplicates().shape[0]
    assert elapsed < 10, elapsed


def test_excel_separator_hint_line_and_semicolons(tmp_path):
    found = _problems(tmp_path, "sep=;\nindicator;unit_code;year;numerator;denominator\nT06;06112;2023;3;2\n")
    assert [(p.row, p.column) for p in found] == [(3, "numerator")]  # the hint line counts as line 1


def test_in_memory_frames_get_the_same_checks():
    from forecast.inputs.observations import check_observations
    from forecast.inputs.tables import table_from_frame

    frame = pd.DataFrame({"indicator": ["T06", "t9a"], "unit_code": ["06112", 6100], "year": [2023, 2023],
                          "numerator": [3, 1], "denominator": [2, 2]})
    clean, found = check_observations(table_from_frame(frame, "generated"))
    assert [str(p).split(": ")[0] for p in found] == ["generated:2:numerator"]
    assert clean[["indicator", "unit_code"]].values.tolist() == [["T09a", "06100"]]


def test_a_line_with_too_many_cells_is_located(tmp_path):
    found = _problems(tmp_path, "indicator,unit_code,year,numerator,denominator\nT06,06112,2023,1,2\n"
                                "T06,06100,2023,1,2,5,6\n")
    assert len(found) == 1 and found[0].row == 3 and "quotes" in found[0].message
