"""Write the corpus of bad inputs in ``tests/data/bad/`` (deterministically).

Every file is a *good* input (:func:`good_observations`, :func:`good_roster`,
:func:`good_return`) with one defect of the kind hand-filled spreadsheets and
exported rosters carry: wrong headers, merged cells, formulas, text in number cells,
thousands dots and decimal commas, blank and total rows, hidden and renamed sheets,
0–1 shares beside percentages, impossible counts and dates, unknown units, empty,
non-Excel, UTF-16 and Windows-1258 files. ``tests/data/bad/EXPECTED.csv`` (kept by hand)
says where each file's error must be located and what it must say;
``tests/test_bad_inputs.py`` checks both.

The workbooks are byte-for-byte reproducible: zip entry times and the document
properties are pinned, so running the script again changes nothing in git.

Usage::

    python scripts/make_bad_corpus.py            # rewrite tests/data/bad/
    python scripts/make_bad_corpus.py OUTDIR     # write elsewhere

The 100 000-row file is not committed: ``tests/test_bad_inputs.py`` generates it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import itertools
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BAD_DIR = ROOT / "tests" / "data" / "bad"
FIXED_TIME = (2025, 1, 1, 0, 0, 0)

# --- good inputs ---------------------------------------------------------------------------

OBS_HEADER = ["indicator", "unit_code", "year", "numerator", "denominator", "value", "source", "flags"]
#: A valid observations table: two communes of 2023 (codes valid then) and the province.
GOOD_OBS = [
    ["T06", "06112", "2023", "18", "23", "", "Thị trấn Bình Gia", ""],
    ["T06", "06100", "2023", "14", "20", "", "Xã Hoàng Văn Thụ", ""],
    ["T04", "06112", "2023", "9", "11", "", "Thị trấn Bình Gia", ""],
    ["T04", "06100", "2023", "8", "10", "", "Xã Hoàng Văn Thụ", ""],
    ["T01", "20", "2023", "1650", "1800", "", "Sở Nội vụ", ""],
    ["T11", "20", "2023", "52", "", "", "Sở Nội vụ", ""],
]

ROSTER_HEADER = [
    "person_id", "birth_year", "birth_month", "sex", "category", "level", "unit_code", "leader", "key_cadre",
    "in_pool", "education", "field", "political_theory", "state_mgmt", "foreign_language", "it_skill",
    "standard_training", "standardised", "hire_date", "exit_date", "exit_reason", "year",
]
#: A valid roster snapshot of 2023: three people of commune 06112 and two at the province.
GOOD_ROSTER = [
    ["A0001", "1980", "4", "nam", "can_bo", "xa", "06112", "none", "1", "1", "dai_hoc", "nong_nghiep",
     "trung_cap", "cv", "1", "1", "1", "1", "2005-09-01", "", "", "2023"],
    ["A0002", "1988", "11", "nu", "cong_chuc", "xa", "06112", "none", "0", "0", "dai_hoc", "khac", "so_cap",
     "cv", "0", "1", "1", "0", "2012-03-15", "", "", "2023"],
    ["A0003", "1975", "1", "nu", "can_bo", "xa", "06112", "none", "0", "1", "trung_cap", "khac", "trung_cap",
     "none", "0", "1", "0", "1", "1998-07-01", "", "", "2023"],
    ["A0004", "1972", "6", "nam", "cong_chuc", "tinh", "20", "so", "0", "1", "thac_si", "thuong_mai",
     "cao_cap", "cvcc", "1", "1", "1", "0", "1996-10-01", "", "", "2023"],
    ["A0005", "1990", "2", "nu", "vien_chuc", "tinh", "20", "none", "0", "0", "dai_hoc", "du_lich", "none",
     "none", "1", "1", "1", "0", "2015-08-20", "", "", "2023"],
]

#: The commune sheet of a valid return (Biểu 03), row label -> counts in template column order C..V.
RETURN_UNIT, RETURN_NAME, RETURN_YEAR = "06112", "Thị trấn Bình Gia", 2023
COMMUNE_SHEET = "CBCC cấp xã"
GOOD_COUNTS = {
    # total, TS, ThS, ĐH, CĐ, TC, SC, chưa; LLCT cao, trung, sơ; QLNN cvcc, cvc, cv;
    # ngoại ngữ, tin học, bồi dưỡng, cả ba; chuẩn hóa; sau ĐH trọng điểm
    "Cán bộ chủ chốt": [6, 0, 1, 4, 0, 1, 0, 0, 2, 4, 0, 0, 1, 3, 4, 5, 5, 4, 5, 1],
    "Cán bộ khác": [5, 0, 0, 3, 1, 1, 0, 0, 0, 3, 2, 0, 0, 2, 3, 4, 4, 3, 3, 0],
    "Công chức": [12, 0, 1, 9, 1, 1, 0, 0, 0, 5, 6, 0, 1, 8, 9, 11, 10, 9, 0, 1],
}


FLOWS_HEADER = ["year", "category", "level", "flow", "count"]
#: A valid flows table: one group over two years.
GOOD_FLOWS = [
    ["2023", "cong_chuc", "xa", "headcount", "1500"],
    ["2023", "cong_chuc", "xa", "university", "1320"],
    ["2024", "cong_chuc", "xa", "headcount", "1520"],
    ["2024", "cong_chuc", "xa", "hires", "63"],
    ["2024", "cong_chuc", "xa", "exit_huu", "41"],
    ["2024", "cong_chuc", "xa", "university", "1350"],
]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """Comma-separated text (cells with a comma or quote are quoted), lines ending in LF."""
    def cell(v: str) -> str:
        v = str(v)
        return '"' + v.replace('"', '""') + '"' if ("," in v or '"' in v or "\n" in v) else v
    return "".join(",".join(cell(v) for v in row) + "\n" for row in [header, *rows])


def good_observations() -> str:
    return csv_text(OBS_HEADER, GOOD_OBS)


def good_roster() -> str:
    return csv_text(ROSTER_HEADER, GOOD_ROSTER)


def good_return():
    """A filled, valid annual return of a commune (an openpyxl Workbook)."""
    from openpyxl import load_workbook

    from forecast.inputs.returns import write_template

    buf = Path(_tmpdir()) / "template.xlsx"
    write_template(buf, unit_code=RETURN_UNIT, year=RETURN_YEAR)
    wb = load_workbook(buf)
    ws = wb[COMMUNE_SHEET]
    for r in range(5, 5 + len(GOOD_COUNTS)):
        for j, v in enumerate(GOOD_COUNTS[ws.cell(row=r, column=2).value], start=3):
            ws.cell(row=r, column=j, value=v)
    return wb


_TMP: list = []


def _tmpdir() -> str:
    import tempfile

    if not _TMP:
        _TMP.append(tempfile.TemporaryDirectory(prefix="bad-corpus-"))
    return _TMP[0].name


# --- writing -----------------------------------------------------------------------------


def save_workbook(wb, path: Path) -> None:
    """Save a workbook with pinned timestamps (zip entries and document properties)."""
    fixed = dt.datetime(*FIXED_TIME)
    wb.properties.created = fixed
    wb.properties.creator = "scripts/make_bad_corpus.py"
    raw = io.BytesIO()
    wb.save(raw)
    _pin_zip(raw.getvalue(), path)


def _pin_zip(data: bytes, path: Path) -> None:
    """Rewrite a zip with fixed entry times and a fixed ``dcterms:modified`` (openpyxl stamps 'now')."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2025-01-01T00:00:00Z\2", body)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    path.write_bytes(out.getvalue())


def cp1258_bytes(text: str) -> bytes:
    """Encode Vietnamese text as Windows-1258 does: base letters plus combining tone marks.

    Python's ``cp1258`` codec has no precomposed toned letters (ờ, ạ, …): like Word and
    Excel, write the letter and its tone mark separately where needed.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(codecs.encode(ch, "cp1258"))
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            # keep a precomposed vowel (ơ, ư, â, ê, ô, ă) when cp1258 has it, add the tone mark
            for keep in itertools.chain.from_iterable(
                    itertools.combinations(marks, k) for k in range(len(marks), -1, -1)):
                rest = [m for m in marks if m not in keep]
                try:
                    out.append(codecs.encode(unicodedata.normalize("NFC", base + "".join(keep)), "cp1258")
                               + codecs.encode("".join(rest), "cp1258"))
                    break
                except UnicodeEncodeError:
                    continue
            else:
                raise
    return b"".join(out)


# --- the defects ---------------------------------------------------------------------------


def _obs(rows_edit) -> str:
    rows = [list(r) for r in GOOD_OBS]
    rows_edit(rows)
    return csv_text(OBS_HEADER, rows)


def _set_obs(i: int, col: str, value: str):
    def edit(rows):
        rows[i][OBS_HEADER.index(col)] = value
    return edit


def _flows(i: int, col: str, value: str) -> str:
    rows = [list(r) for r in GOOD_FLOWS]
    rows[i][FLOWS_HEADER.index(col)] = value
    return csv_text(FLOWS_HEADER, rows)


def _roster(edit) -> str:
    rows = [list(r) for r in GOOD_ROSTER]
    edit(rows)
    return csv_text(ROSTER_HEADER, rows)


def _set_roster(i: int, col: str, value: str):
    def edit(rows):
        rows[i][ROSTER_HEADER.index(col)] = value
    return edit


def text_files() -> dict[str, bytes]:
    """The CSV corpus: file name -> bytes."""
    files: dict[str, str | bytes] = {}
    good = good_observations()
    # headers
    files["obs_missing_year_column.csv"] = "\n".join(
        ",".join(c for k, c in enumerate(line.split(",")) if k != 2) for line in good.splitlines()) + "\n"
    files["obs_misspelt_header.csv"] = good.replace("numerator", "numerater", 1)
    files["obs_no_header_row.csv"] = good.split("\n", 1)[1]
    files["obs_duplicate_heading.csv"] = good.replace("source,flags", "source,year", 1)
    # text in number cells
    files["obs_text_in_number.csv"] = _obs(_set_obs(1, "denominator", "20 người"))
    files["obs_thousands_dot.csv"] = _obs(_set_obs(4, "denominator", "1.800"))
    files["obs_decimal_comma_percent.csv"] = csv_text(
        OBS_HEADER, [["T07", "20", "2022", "", "", "12,5", "báo cáo", ""], *GOOD_OBS])
    # layout
    lines = good.splitlines()
    files["obs_blank_rows_inside.csv"] = "\n".join(
        [*lines[:3], ",,,,,,,", "", lines[3], lines[4].replace(",8,10,", ",8,,"), *lines[5:]]) + "\n"
    files["obs_total_row_at_bottom.csv"] = good + "T06,Tổng cộng,2023,32,43,,,\n"
    files["obs_ragged_row.csv"] = good + "T04,20,2023,10,12,,Sở Nội vụ,,extra\n"
    files["obs_trailing_comma_every_row.csv"] = "\n".join(
        [lines[0], *(line + "," for line in lines[1:])]) + "\n"
    # scales and impossible numbers
    files["obs_percent_0_1_beside_0_100.csv"] = csv_text(OBS_HEADER, [
        ["T07", "20", "2019", "", "", "31.5", "báo cáo", ""], ["T07", "20", "2020", "", "", "34", "báo cáo", ""],
        ["T07", "20", "2021", "", "", "0.36", "báo cáo", ""], ["T07", "20", "2022", "", "", "39.2", "báo cáo", ""]])
    files["obs_percent_above_100.csv"] = csv_text(OBS_HEADER, [["T08", "20", "2022", "", "", "112", "báo cáo", ""]])
    files["obs_numerator_above_denominator.csv"] = _obs(_set_obs(0, "numerator", "32"))
    files["obs_negative_count.csv"] = _obs(_set_obs(2, "numerator", "-3"))
    files["obs_zero_denominator.csv"] = _obs(lambda r: (_set_obs(3, "numerator", "0")(r),
                                                        _set_obs(3, "denominator", "0")(r)))
    files["obs_fractional_headcount.csv"] = _obs(_set_obs(0, "numerator", "17.5"))
    files["obs_value_disagrees_with_counts.csv"] = _obs(_set_obs(0, "value", "95"))
    files["obs_t11_with_denominator.csv"] = _obs(_set_obs(5, "denominator", "1800"))
    files["obs_duplicate_rows.csv"] = good + ",".join(GOOD_OBS[1]) + "\n"
    files["obs_absurd_magnitude.csv"] = _obs(lambda r: (_set_obs(0, "numerator", "1e300")(r),
                                                        _set_obs(0, "denominator", "1e300")(r)))
    files["obs_number_beyond_float.csv"] = _obs(_set_obs(1, "numerator", "1e400"))
    # what the rows name
    files["obs_unknown_unit.csv"] = _obs(_set_obs(1, "unit_code", "06999"))
    files["obs_commune_name_as_code.csv"] = _obs(_set_obs(1, "unit_code", "Phường Kỳ Lừa"))
    # 06187 was Thị trấn Cao Lộc in 2023; Phường Kỳ Lừa took the code on 1 July 2025
    names = ["Phường Kỳ Lừa", "Xã Hoàng Văn Thụ", "Thị trấn Bình Gia", "Xã Hoàng Văn Thụ", "Tỉnh Lạng Sơn",
             "Tỉnh Lạng Sơn"]
    rows = [["T06", "06187", *GOOD_OBS[0][2:]], *GOOD_OBS[1:]]
    files["obs_new_commune_name_in_2023.csv"] = csv_text(
        [*OBS_HEADER, "unit_name"], [[*r, n] for r, n in zip(rows, names, strict=True)])
    files["obs_unit_gone_before_year.csv"] = _obs(lambda r: (_set_obs(1, "unit_code", "05995")(r),
                                                             _set_obs(1, "year", "2025")(r)))
    files["obs_unknown_indicator.csv"] = _obs(_set_obs(2, "indicator", "T12"))
    files["obs_year_in_future.csv"] = _obs(_set_obs(4, "year", "2035"))
    # encodings and non-CSV bytes
    files["obs_utf16_text_in_number.csv"] = codecs.BOM_UTF16_LE + _obs(
        _set_obs(1, "denominator", "20 người")).replace("\n", "\r\n").encode("utf-16-le")
    files["obs_cp1258_text_in_number.csv"] = cp1258_bytes(
        _obs(_set_obs(1, "denominator", "20 người")).replace("\n", "\r\n"))
    files["obs_empty.csv"] = b""
    files["obs_header_only.csv"] = ",".join(OBS_HEADER) + "\n"
    files["obs_binary_with_csv_name.csv"] = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4
    # rosters
    files["roster_missing_column.csv"] = "\n".join(
        ",".join(c for k, c in enumerate(line.split(",")) if k != 3) for line in good_roster().splitlines()) + "\n"
    files["roster_birth_after_hire.csv"] = _roster(_set_roster(1, "hire_date", "1985-09-01"))
    files["roster_above_retirement_age.csv"] = _roster(lambda r: (_set_roster(2, "birth_year", "1962")(r),
                                                                  _set_roster(2, "hire_date", "1985-07-01")(r)))
    files["roster_impossible_date.csv"] = _roster(_set_roster(4, "hire_date", "2015-02-30"))
    files["roster_exit_before_hire.csv"] = _roster(lambda r: (_set_roster(1, "exit_date", "2010-01-01")(r),
                                                              _set_roster(1, "exit_reason", "nghi_viec")(r)))
    files["roster_duplicate_person.csv"] = good_roster() + ",".join(GOOD_ROSTER[0]) + "\n"
    files["roster_bad_code.csv"] = _roster(_set_roster(3, "sex", "không rõ"))
    files["roster_unknown_unit.csv"] = _roster(_set_roster(0, "unit_code", "06999"))
    files["roster_text_in_year.csv"] = _roster(_set_roster(2, "birth_year", "1975 (ước)"))
    # flows
    files["flows_text_in_count.csv"] = _flows(3, "count", "63 người")
    files["flows_negative_count.csv"] = _flows(4, "count", "-22")
    files["flows_unknown_flow.csv"] = _flows(4, "flow", "nghỉ hưu")
    files["flows_stock_above_headcount.csv"] = _flows(5, "count", "1600")
    files["flows_duplicate_row.csv"] = csv_text(FLOWS_HEADER, [*GOOD_FLOWS, GOOD_FLOWS[3]])
    # a lone carriage return in the header line (issue 14 item 5)
    files["obs_control_character_in_header.csv"] = b"indicator,unit_code\r\x01\nT06,06112\n"
    return {k: (v.encode("utf-8") if isinstance(v, str) else v) for k, v in files.items()}


def _cell(ws, ref: str, value):
    ws[ref] = value


def workbook_files() -> dict[str, object]:
    """The Excel corpus: file name -> Workbook, or bytes for files that are not workbooks."""
    from openpyxl import Workbook

    files: dict[str, object] = {}

    def edited(fn):
        wb = good_return()
        fn(wb)
        return wb

    cs = COMMUNE_SHEET
    files["return_missing_column.xlsx"] = edited(lambda wb: _cell(wb[cs], "E3", "Thạc sỹ (ThS)"))
    files["return_headers_renamed.xlsx"] = edited(lambda wb: (_cell(wb[cs], "B3", "Đối tượng"),
                                                             _cell(wb[cs], "C3", "Tổng")))
    files["return_merged_cells.xlsx"] = edited(lambda wb: wb[cs].merge_cells("Q5:Q6"))
    files["return_formula_without_value.xlsx"] = edited(lambda wb: _cell(wb[cs], "C7", "=SUM(D7:J7)"))
    files["return_text_in_number.xlsx"] = edited(lambda wb: _cell(wb[cs], "F7", "9 người"))
    files["return_thousands_dot.xlsx"] = edited(lambda wb: _cell(wb[cs], "C7", "1.012"))
    files["return_decimal_comma.xlsx"] = edited(lambda wb: _cell(wb[cs], "Q6", "3,5"))
    files["return_share_instead_of_count.xlsx"] = edited(lambda wb: _cell(wb[cs], "R7", 0.92))

    def blank_rows(wb):
        wb[cs].insert_rows(6, amount=2)  # two blank rows between the first and second data row
        _cell(wb[cs], "D9", -1)          # the Công chức row is now row 9
    files["return_blank_rows_inside.xlsx"] = edited(blank_rows)

    def total_row(wb):
        ws = wb[cs]
        _cell(ws, "A8", 4)
        _cell(ws, "B8", "Toàn đơn vị")  # a total row the reader cannot recognise as one
        for j, v in enumerate([sum(c[k] for c in GOOD_COUNTS.values()) for k in range(20)], start=3):
            ws.cell(row=8, column=j, value=v)
    files["return_total_row_at_bottom.xlsx"] = edited(total_row)

    def hidden_sheet(wb):
        old = wb.copy_worksheet(wb[cs])
        old.title = "CBCC cấp xã 2022"
        old["C5"] = 7
        old.sheet_state = "hidden"
    files["return_hidden_sheet.xlsx"] = edited(hidden_sheet)

    def renamed_sheet(wb):
        ws = wb[cs]
        ws.title = "Sheet3"
        _cell(ws, "A1", "Cán bộ, công chức cấp xã")  # the 'Biểu 03' title was typed over
    files["return_sheet_renamed.xlsx"] = edited(renamed_sheet)
    files["return_numerator_above_total.xlsx"] = edited(lambda wb: _cell(wb[cs], "F6", 8))
    files["return_negative_count.xlsx"] = edited(lambda wb: _cell(wb[cs], "L5", -2))
    files["return_duplicate_row.xlsx"] = edited(lambda wb: (_cell(wb[cs], "B7", "Cán bộ khác")))
    files["return_unknown_unit.xlsx"] = edited(lambda wb: _cell(wb["Thông tin"], "B4", "06999"))
    files["return_new_commune_name_in_2023.xlsx"] = edited(lambda wb: (_cell(wb["Thông tin"], "B4", "06187"),
                                                                      _cell(wb["Thông tin"], "B5", "Phường Kỳ Lừa")))
    files["return_year_missing.xlsx"] = edited(lambda wb: _cell(wb["Thông tin"], "B6", None))
    # one stray cell at the bottom of a sheet (issue 20 item 1: it made the reader fill ~4.6 GB)
    files["return_stray_cell_far_down.xlsx"] = edited(lambda wb: _cell(wb[cs], "B1048576", "x"))
    files["return_stray_cell_last_column.xlsx"] = edited(lambda wb: _cell(wb[cs], "XFD1048576", 0))

    def no_info(wb):
        del wb["Thông tin"]
    files["return_no_info_sheet.xlsx"] = edited(no_info)

    other = Workbook()
    other.active.title = "Sheet1"
    other.active["A1"] = "Danh sách cán bộ"
    files["return_unrelated_workbook.xlsx"] = other
    files["return_empty.xlsx"] = b""
    files["return_is_csv_renamed.xlsx"] = good_observations().encode("utf-8")
    files["return_old_xls_format.xlsx"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr(zipfile.ZipInfo("hello.txt", date_time=FIXED_TIME), "not a workbook")
    files["return_zip_not_workbook.xlsx"] = broken.getvalue()
    return files


def write_corpus(folder: Path = BAD_DIR) -> list[Path]:
    """Write every corpus file into ``folder``; return the paths written (sorted)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in text_files().items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    for name, wb in workbook_files().items():
        if isinstance(wb, bytes):
            (folder / name).write_bytes(wb)
        else:
            save_workbook(wb, folder / name)
        written.append(folder / name)
    return sorted(written)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else BAD_DIR
    paths = write_corpus(target)
    print(f"wrote {len(paths)} files to {target}")
