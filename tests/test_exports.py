"""The Department's exports: bao-cao.docx, so-lieu.xlsx, summary.csv, tom-tat.pdf (issue 17, item 2).

Each file is written from hand-made results (``make_results``) and read back with the tool a
Department would use (python-docx, openpyxl, a CSV reader in Excel's Vietnamese dialect); the
figures must be those of ``summary.json``. The PDF brief is printed by headless Chromium once
per module (a few seconds) and must be exactly one A4 page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import make_results
from docx import Document

from forecast import config
from forecast.reports import brief, csvout, exportdata, exports
from forecast.reports import docx as report_docx
from forecast.reports import html as report

IDS = [f"T{i:02d}" for i in range(1, 12)]
FIGURES = ("latest_value", "median_2030", "lo80_2030", "hi80_2030", "p_meet")


def write_set(folder: Path, *, synthetic: bool = True, lang: str = "vi", pdf: bool = True) -> dict:
    res = make_results(synthetic=synthetic, lang=lang)
    data = report.write_summary(folder, res, report.provenance(res, started="s", finished="f", commit=None))
    if pdf:
        exports.write_exports(folder, data, res, lang)
    else:
        report_docx.write_docx(folder / exports.DOCX, data, res, lang, day=dt.date(2025, 11, 5))
    return {"res": res, "data": json.loads((folder / "summary.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def vi_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports-vi")
    return {"folder": folder, **write_set(folder)}


def test_the_run_writes_every_export(vi_set):
    names = {p.name for p in vi_set["folder"].iterdir()}
    assert {"bao-cao.docx", "so-lieu.xlsx", "so-lieu-don-vi.csv", "tom-tat.pdf", "summary.csv"} <= names
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]


# ---------------------------------------------------------------------------
# bao-cao.docx
# ---------------------------------------------------------------------------
def _sections(doc) -> dict[str, str]:
    """Text under each "Tnn." heading (Heading 3) up to the next heading."""
    out, current = {}, None
    for p in doc.paragraphs:
        if p.style.name.startswith("Heading"):
            m = re.match(r"(T\d\d)\. ", p.text)
            current = m.group(1) if m and p.style.name == "Heading 3" else None
            if current:
                out[current] = ""
        elif current:
            out[current] += p.text + "\n"
    return out


def test_docx_holds_every_target_with_the_figures_of_summary_json(vi_set):
    doc = Document(vi_set["folder"] / "bao-cao.docx")
    sections = _sections(doc)
    assert list(sections) == IDS
    for row in vi_set["data"]["targets"]:
        o = vi_set["res"].target(row["id"])
        expect = dict(row, kind=o.kind)
        for key in FIGURES:
            text = exportdata.text_cell(key, expect, "vi")
            assert text in sections[row["id"]], (row["id"], key, text)
    annex = doc.tables[2]  # heading block, signature block, annex 1
    assert [r.cells[0].text for r in annex.rows[1:]] == IDS
    for r, row in zip(annex.rows[1:], vi_set["data"]["targets"], strict=True):
        assert r.cells[6].text == exportdata.text_cell("p_meet", row, "vi")


def test_docx_structure_is_a_provincial_report(vi_set):
    doc = Document(vi_set["folder"] / "bao-cao.docx")
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == ["I. KẾT QUẢ THỰC HIỆN", "II. ĐÁNH GIÁ CHUNG", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ",
                  "IV. ĐỀ XUẤT, KIẾN NGHỊ", "PHỤ LỤC"]
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    head = doc.tables[0].rows[0].cells
    assert "SỞ NỘI VỤ" in head[0].text and "Số:" in head[0].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head[1].text and "Độc lập - Tự do - Hạnh phúc" in head[1].text
    assert "Lạng Sơn, ngày" in head[1].text
    assert "Nơi nhận:" in doc.tables[1].rows[0].cells[0].text
    assert any(p.style.name == "List Number" for p in doc.paragraphs)  # editable numbered tasks


def test_docx_layout_follows_decree_30(vi_set):
    doc = Document(vi_set["folder"] / "bao-cao.docx")
    first = doc.sections[0]
    assert (first.page_width.mm, first.page_height.mm) == (pytest.approx(210, abs=0.1), pytest.approx(297, abs=0.1))
    # Word keeps lengths in twentieths of a point: allow 0.1 mm of rounding at the decree's bounds
    for margin, (lo, hi) in (("top", (20, 25)), ("bottom", (20, 25)), ("left", (30, 35)), ("right", (15, 20))):
        mm = getattr(first, f"{margin}_margin").mm
        assert lo - 0.1 <= mm <= hi + 0.1, (margin, mm)
    assert first.different_first_page_header_footer  # no number on page 1
    header_xml = first.header._element.xml
    assert 'w:instr="PAGE"' in header_xml and 'w:val="center"' in header_xml
    assert not first.first_page_header._element.xml.count("PAGE")
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    assert doc.styles["Heading 1"].font.name == "Times New Roman"


@pytest.mark.parametrize("synthetic", [True, False])
def test_docx_states_synthetic_data_only_when_synthetic(tmp_path, synthetic):
    write_set(tmp_path, synthetic=synthetic, pdf=False)
    text = "\n".join(p.text for p in Document(tmp_path / "bao-cao.docx").paragraphs)
    assert ("Dữ liệu tổng hợp — minh họa" in text) is synthetic


# ---------------------------------------------------------------------------
# so-lieu.xlsx
# ---------------------------------------------------------------------------
def test_xlsx_has_the_figures_of_summary_json(vi_set):
    wb = openpyxl.load_workbook(vi_set["folder"] / "so-lieu.xlsx")
    assert wb.sheetnames == ["Chỉ tiêu (tổng hợp)", "Đơn vị (tổng hợp)", "Kịch bản (tổng hợp)",
                             "So với năm trước (tổng hợp)"]
    for ws in wb:
        assert ws["A1"].value == "Loại dữ liệu" and "DỮ LIỆU TỔNG HỢP" in ws["B1"].value
    ws = wb["Chỉ tiêu (tổng hợp)"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    headers = rows[0]
    assert headers[:3] == ("Mã chỉ tiêu", "Chỉ tiêu", "Mục tiêu năm 2030")
    col = {h: i for i, h in enumerate(headers)}
    by_id = {r[0]: r for r in rows[1:]}
    assert list(by_id) == IDS
    for row in vi_set["data"]["targets"]:
        for key in (*FIGURES, "required_pace", "observed_pace"):
            got = by_id[row["id"]][col[exportdata.header(key, "vi")]]
            assert got == (pytest.approx(row[key]) if row[key] is not None else None), (row["id"], key)
    p_col = col["Xác suất đạt"] + 1
    assert ws.cell(row=5, column=p_col).number_format == "0.0%"
    t11 = 5 + IDS.index("T11")
    assert ws.cell(row=t11, column=col["Giá trị mới nhất"] + 1).number_format == "#,##0"  # people, not %


def test_xlsx_real_data_has_no_synthetic_flag(tmp_path):
    res = make_results(synthetic=False)
    data = report.summary(res, {})
    from forecast.reports import xlsx

    wb = xlsx.workbook(data, res, "vi")
    assert all("tổng hợp" not in name for name in wb.sheetnames)
    assert "TỔNG HỢP" not in wb.active["B1"].value


# ---------------------------------------------------------------------------
# summary.csv
# ---------------------------------------------------------------------------
def test_summary_csv_is_utf8_with_bom_in_excels_vietnamese_dialect(vi_set):
    raw = (vi_set["folder"] / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")
    frame = csvout.read_csv(vi_set["folder"] / "summary.csv", "vi")
    assert list(frame["Mã chỉ tiêu"]) == IDS
    for row in vi_set["data"]["targets"]:
        got = frame.loc[frame["Mã chỉ tiêu"] == row["id"]].iloc[0]
        for key in FIGURES:
            assert got[csvout.header(key, "vi")] == pytest.approx(row[key]), (row["id"], key)
    first_row = raw.decode("utf-8-sig").splitlines()[1]
    assert ";" in first_row and re.search(r";0,\d", first_row)  # decimal comma, semicolons
    assert "on_track" not in raw.decode("utf-8") and "Đúng tiến độ" in raw.decode("utf-8")


def test_summary_csv_in_english_keeps_keys_and_points(tmp_path):
    write_set(tmp_path, lang="en", pdf=False)
    raw = (tmp_path / "summary.csv").read_text(encoding="utf-8")
    assert raw.startswith("\ufeffid,kind,threshold,")
    assert re.search(r",0\.\d", raw.splitlines()[1])


# ---------------------------------------------------------------------------
# tom-tat.pdf
# ---------------------------------------------------------------------------
def test_brief_is_one_page_with_a_line_per_target(vi_set):
    pdf = (vi_set["folder"] / "tom-tat.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and brief.pdf_pages(pdf) == 1
    page = brief.brief_html(vi_set["data"], vi_set["res"], "vi")
    assert page.count("<tr>") == 1 + len(IDS)
    for row in vi_set["data"]["targets"]:
        assert exportdata.text_cell("p_meet", row, "vi").replace(">", "&gt;") in page


def test_brief_that_overflows_a_page_is_an_error(vi_set, tmp_path, monkeypatch):
    long = brief.brief_html(vi_set["data"], vi_set["res"], "vi").replace("</tbody>", "<tr><td>x</td></tr>" * 120
                                                                          + "</tbody>")
    monkeypatch.setattr(brief, "brief_html", lambda *a, **k: long)
    with pytest.raises(brief.BriefError, match="2 pages|[3-9] pages"):
        brief.write_brief(tmp_path / "tom-tat.pdf", vi_set["data"], vi_set["res"], "vi")
    assert not (tmp_path / "tom-tat.pdf").exists()


def test_missing_chromium_fails_clearly(vi_set, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "chromium_executable", lambda: None)
    with pytest.raises(OSError, match="FORECAST_CHROMIUM"):
        brief.write_brief(tmp_path / "tom-tat.pdf", vi_set["data"], vi_set["res"], "vi")
    with pytest.raises(brief.BriefError, match="not found"):
        brief.print_pdf("<p>x</p>", Path("/nonexistent/chromium"))


@pytest.mark.parametrize("pdf, pages", [
    (b"<< /Type /Pages /Count 1 >> << /Type /Page >>", 1),
    (b"<</Type/Page>> <</Type/Page>> <</Type/Pages>>", 2),
    (b"<< /Type /Pages >>", 0),
])
def test_pdf_page_count(pdf, pages):
    assert brief.pdf_pages(pdf) == pages


@pytest.mark.slow
def test_forecast_run_publishes_the_exports(annual_run):
    """`forecast run` writes the four exports into the published folder, consistent with summary.json."""
    folder, code, stderr = annual_run
    assert code == 0, stderr
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert brief.pdf_pages((folder / "tom-tat.pdf").read_bytes()) == 1
    assert list(_sections(Document(folder / "bao-cao.docx"))) == IDS
    ws = openpyxl.load_workbook(folder / "so-lieu.xlsx").worksheets[0]
    values = list(ws.iter_rows(min_row=5, values_only=True))
    col = list(next(ws.iter_rows(min_row=4, max_row=4, values_only=True))).index("Xác suất đạt")
    assert [r[col] for r in values] == [pytest.approx(t["p_meet"]) if t["p_meet"] is not None else None
                                       for t in data["targets"]]
    assert (folder / "so-lieu-don-vi.csv").read_bytes().startswith(b"\xef\xbb\xbf")
