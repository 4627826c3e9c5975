"""Property-based tests of the readers and validators (hypothesis).

Two properties: arbitrary input never crashes a reader or a validator (every outcome is
a list of located problems, one line each), and a valid table survives a round trip
(write → read gives the same observations), whatever encoding Excel saved it in.
"""

from __future__ import annotations

import codecs
import string

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from forecast.domain.targets import indicator_ids
from forecast.inputs import units as units_mod
from forecast.inputs.observations import (
    OBS_COLUMNS,
    check_observations,
    read_observations,
    write_observations,
)
from forecast.inputs.plausible import MAX_STAFF, WHOLE_STAFF
from forecast.inputs.returns import RULES, read_return, write_template
from forecast.inputs.roster import ROSTER_COLUMNS, check_roster
from forecast.inputs.tables import Problem, Table, decode_text, parse_numbers
from forecast.inputs.validate import validate_path

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

#: What hand-filled cells contain: numbers in every local spelling, words, formulas, blanks.
NASTY = ["", " ", "\u00a0", "0", "-0", "12", "-3", "12.5", "12,5", "1.234", "1,234", "1 234", "12 người",
         "nan", "NaN", "inf", "-inf", "1e308", "1e-308", "0x10", "٣", "１２", "=SUM(C5:C9)", "#REF!", "Tổng cộng",
         "T06", "t6", "T09A", "20", "06112", "6112", "06187", "P05", "2023", "2023.0", "31/10/2023",
         "2015-02-30", "nam", "Nữ", "can_bo", "Cán bộ", "xa", "1", "x", "có", "không", "<script>alert(1)</script>",
         "\"quoted, comma\"", "a\nb", "ư" * 300, "\ufeffindicator"]
cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
OBS_HEADINGS = [*OBS_COLUMNS, "unit_name", "notes", "numerater", ""]
ROSTER_HEADINGS = [*ROSTER_COLUMNS, "birth_date", "name"]


def _table(columns: list[str], rows: list[list[str]], path: str = "fuzz.csv") -> Table:
    frame = pd.DataFrame(rows, columns=columns, dtype=object) if rows else pd.DataFrame(columns=columns)
    return Table(frame.astype(str), np.arange(len(frame)) + 2, {c: c for c in columns}, path)


@st.composite
def tables(draw, headings):
    columns = draw(st.lists(st.sampled_from(headings), min_size=1, max_size=len(headings), unique=True))
    rows = draw(st.lists(st.lists(cells, min_size=len(columns), max_size=len(columns)), max_size=12))
    return columns, rows


def _assert_located(problems: list, n_rows: int) -> None:
    for p in problems:
        assert isinstance(p, Problem)
        assert p.row is None or 1 <= p.row <= n_rows + 1, p
        assert "\n" not in str(p), p
        assert not p.message.startswith("could not be checked"), p   # an internal error, caught


# --- never crash ---------------------------------------------------------------------------


@FAST
@given(tables(OBS_HEADINGS))
def test_any_table_checks_as_observations_without_crashing(table):
    columns, rows = table
    frame, problems = check_observations(_table(columns, rows))
    _assert_located(problems, len(rows))
    assert list(frame.columns) == OBS_COLUMNS
    assert len(frame) <= len(rows)


@FAST
@given(tables(ROSTER_HEADINGS))
def test_any_table_checks_as_a_roster_without_crashing(table):
    columns, rows = table
    frame, problems = check_roster(_table(columns, rows))
    _assert_located(problems, len(rows))
    assert len(frame) <= len(rows)


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_fail_with_a_message(raw):
    try:
        text, encoding = decode_text(raw)
    except ValueError as exc:
        assert str(exc)
    else:
        assert isinstance(text, str) and encoding


@FAST
@given(content=st.one_of(st.binary(max_size=3000),
                         st.lists(st.lists(cells, min_size=1, max_size=9), max_size=10).map(
                             lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8"))),
       name=st.sampled_from(["x.csv", "x.xlsx", "x.csv.gz", "x.txt", "x.xls", "x.pdf"]))
# issue 14 item 5: a lone carriage return made the CSV module fail inside the header line
@example(content=b"\r\x01", name="x.csv")
@example(content=b"a,b\r\x01\n1,2\n", name="x.csv")
# issue 20 item 6: a separator at the end of every row
@example(content=b"a,b\n1,2,\n3,4,\n", name="x.csv")
def test_any_file_validates_to_located_problems_never_an_exception(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    problems = validate_path(path)
    _assert_located(problems, 10_000)
    assert all(p.path == str(path) for p in problems)


@FAST
@given(st.lists(cells, max_size=20), st.booleans())
@example(["\t"], False)  # a tab alone is an empty cell, like blanks
@example(["7"] * 30 + ["x", ""], False)  # a repetitive column: parsed once per distinct cell
def test_parse_numbers_accepts_only_plain_numbers(texts, percent):
    s = pd.Series(texts, dtype=object)
    values, bad, messages = parse_numbers(s, percent=percent)
    assert len(values) == len(bad) == len(messages) == len(s)
    for text, v, b, m in zip(texts, values, bad, messages, strict=True):
        if b:
            assert np.isnan(v) and m, text
        elif text.strip(" \t\u00a0%" if percent else " \t\u00a0") == "":  # blanks, tabs: an empty cell
            assert np.isnan(v)
        else:
            assert v == float(text.strip().replace("\u00a0", "").rstrip("%").strip()), text


# --- valid tables round-trip -----------------------------------------------------------------

_UNITS = {y: units_mod.units_on(f"{y}-10-31")["code"].tolist() for y in range(2015, 2026)}
_INDICATORS = indicator_ids()


@st.composite
def valid_observations(draw):
    n = draw(st.integers(1, 25))
    keys = draw(st.lists(st.tuples(st.sampled_from(_INDICATORS), st.integers(2015, 2025)), min_size=n, max_size=n))
    rows, seen, staff = [], set(), {}
    for ind, year in keys:
        code = draw(st.sampled_from(_UNITS[year]))
        if (ind, code, year) in seen:
            continue
        seen.add((ind, code, year))
        if draw(st.booleans()) or ind == "T11":
            # A plausible unit: its whole staff (T09's population) within every level's ceiling,
            # and every other population part of it (inputs/plausible.py).
            whole = staff.setdefault((code, year), draw(st.integers(1, min(MAX_STAFF.values()))))
            den = whole if ind == WHOLE_STAFF else draw(st.integers(1, whole))
            num = draw(st.integers(0, den if ind != "T11" else min(500, whole)))
            rows.append([ind, code, year, float(num), np.nan if ind == "T11" else float(den), np.nan,
                         draw(st.sampled_from(["Sở Nội vụ", "báo cáo 2023", "x"])), ""])
        else:
            pct = round(draw(st.floats(1, 100, allow_nan=False)), 1)
            rows.append([ind, code, year, np.nan, np.nan, pct, "báo cáo", "published_percent_only"])
    return pd.DataFrame(rows, columns=OBS_COLUMNS)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    key = ["indicator", "unit_code", "year"]
    pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True),
                                  check_dtype=False)


@FAST
@given(valid_observations())
def test_valid_observations_round_trip(tmp_path, obs):
    path = write_observations(obs, tmp_path / "obs.csv")
    _same(read_observations(path), obs.assign(year=obs["year"].astype("int64")))


ENCODINGS = {
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16 (Excel 'Unicode text')": lambda text: codecs.BOM_UTF16_LE + text.replace(",", "\t").encode("utf-16-le"),
    "utf-16 CSV": lambda text: codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"),
    "semicolons": lambda text: text.replace(",", ";").encode("utf-8"),
}


@FAST
@given(valid_observations(), st.sampled_from(sorted(ENCODINGS)))
def test_valid_observations_read_the_same_in_every_excel_encoding(tmp_path, obs, encoding):
    plain = tmp_path / "plain.csv"
    write_observations(obs, plain)
    text = plain.read_text(encoding="utf-8")  # no cell holds a comma, semicolon or tab
    other = tmp_path / "other.csv"
    other.write_bytes(ENCODINGS[encoding](text))
    _same(read_observations(other), read_observations(plain))


_COMMUNES_2023 = units_mod.units_on("2023-10-31", level="xa")["code"].tolist()


@st.composite
def commune_counts(draw):
    """Consistent counts for the three rows of a commune return (Biểu 03)."""
    rows = {}
    for label in ("Cán bộ chủ chốt", "Cán bộ khác", "Công chức"):
        total = draw(st.integers(0, 60))
        left = total
        edu = []
        for _ in range(6):  # everyone once, at the highest level: the seven levels add up to the total
            k = draw(st.integers(0, left))
            edu.append(k)
            left -= k
        edu.append(left)
        llct = [draw(st.integers(0, total))]
        llct.append(draw(st.integers(0, total - llct[0])))
        llct.append(draw(st.integers(0, total - sum(llct))))
        qlnn = [draw(st.integers(0, total))]
        qlnn.append(draw(st.integers(0, total - qlnn[0])))
        qlnn.append(draw(st.integers(0, total - sum(qlnn))))
        skills = [draw(st.integers(0, total)) for _ in range(3)]
        both = draw(st.integers(0, min(skills)))
        std = draw(st.integers(0, total))
        post = draw(st.integers(0, edu[0] + edu[1]))
        rows[label] = [total, *edu, *llct, *qlnn, *skills, both, std, post]
    return draw(st.sampled_from(_COMMUNES_2023)), rows


@SLOW
@given(commune_counts())
def test_a_filled_return_reads_back_to_its_counts(tmp_path, case):
    from openpyxl import load_workbook

    code, rows = case
    path = write_template(tmp_path / "r.xlsx", unit_code=code, year=2023)
    wb = load_workbook(path)
    ws = wb["CBCC cấp xã"]
    for r in range(5, 8):
        for j, v in enumerate(rows[ws.cell(row=r, column=2).value], start=3):
            ws.cell(row=r, column=j, value=v)
    wb.save(path)
    obs, problems = read_return(path)
    assert problems == []
    fields = ["total", "tien_si", "thac_si", "dai_hoc", "cao_dang", "trung_cap", "so_cap", "chua_dao_tao",
              "llct_cao_cap", "llct_trung_cap", "llct_so_cap", "qlnn_cvcc", "qlnn_cvc", "qlnn_cv", "ngoai_ngu",
              "tin_hoc", "boi_duong", "ca_ba", "chuan_hoa", "sau_dh_trong_diem"]
    codes = {"Cán bộ chủ chốt": "chu_chot", "Cán bộ khác": "can_bo_khac", "Công chức": "cong_chuc"}
    counts = {codes[label]: dict(zip(fields, v, strict=True)) for label, v in rows.items()}
    got = obs.set_index("indicator")
    for ind, (parts, num_fields) in RULES.items():
        members = [c for g, sel in parts if g == 3 for c in counts if sel is None or c in sel]
        if not members:
            assert ind not in got.index
            continue
        den = sum(counts[c]["total"] for c in members)
        num = sum(counts[c][f] for c in members for f in num_fields)
        if ind == "T11":
            assert got.loc[ind, "numerator"] == num
        elif den == 0:
            assert ind not in got.index
        else:
            assert (got.loc[ind, "numerator"], got.loc[ind, "denominator"]) == (num, den), ind


def test_the_nasty_cells_include_what_the_issue_names():
    """The fuzzers draw the spellings the issue lists (a guard against trimming NASTY)."""
    for value in ("12 người", "1.234", "12,5", "=SUM(C5:C9)", "Tổng cộng", "<script>alert(1)</script>"):
        assert value in NASTY
    assert set(string.digits) <= set("".join(NASTY))
