"""``bao-cao.docx``: a draft of the Department's report on the plan, for a secretary to finish.

Structured like a provincial report on a plan's implementation (``../shared/plan/REPORT_FORMAT.md``):
the heading block (issuing body and number on the left, the national motto, place and date
on the right), "BÁO CÁO" and its subject; I. results per target with the figures, the
forecast, the probability and status (the one headline verdict of ``summary.json``) and
what it would take; II. overall assessment; III. directions and tasks; IV. proposals;
recipients and signature; annexes with the tables. Laid out per Decree 30/2020/NĐ-CP,
Appendix I: A4 portrait, margins 20/20/30/15 mm (top, bottom, left, right), Times New
Roman 14 (13 in tables), page numbers centred in the top margin from page 2.

Headings are Word's own "Heading 1–3" styles and the tasks a "List Number" list, so the
secretary edits them as usual; figures are in Word tables, never images. Synthetic data
are stated in a shaded bold paragraph under the subject and in the annexes' titles.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from forecast import atomic, i18n
from forecast.reports import exportdata, plangroups, planpage, yearchange
from forecast.reports.suppression import MIN_CELL

t = i18n.t

#: Decree 30/2020 layout (Appendix I).
FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
PAGE_MM = (210, 297)
#: Annex 1 columns (the full table is in so-lieu.xlsx).
ANNEX_COLUMNS = ("id", "threshold", "latest_value", "median_2030", "lo80_2030", "hi80_2030", "p_meet", "status")
#: The parts of the report are numbered I.–IV. (customary in Vietnamese administrative reports).
ROMAN = ("I", "II", "III", "IV")
#: The document's symbol after its number: a report (BC) of the Department of Home Affairs (SNV).
SYMBOL = "BC-SNV"
#: Statuses counted as good news in II. (met or on course).
GOOD = ("met", "achieved", "on_track")


def _font(run_or_style, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    """Times New Roman, black, for every script (theme fonts removed: they override the name)."""
    f = run_or_style.font
    f.name = FONT
    f.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    _font(normal, BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.first_line_indent = None
    for name, size in (("Heading 1", 14), ("Heading 2", 14), ("Heading 3", 14), ("Title", 14)):
        style = doc.styles[name]
        _font(style, size, bold=True, italic=False)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
    for name in ("List Number", "List Bullet"):
        _font(doc.styles[name], BODY_PT)


def _page_number_header(section) -> None:
    """A centred PAGE field in the header of every page but the first."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    p._p.append(field)
    _font(p.style, BODY_PT)


def _layout(section, landscape: bool = False) -> None:
    w, h = PAGE_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(h), Mm(w)) if landscape else (Mm(w), Mm(h))
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    # schema order matters to Word: tblBorders goes before these siblings
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                           "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _line(cell, text: str, size: float, bold: bool = False, italic: bool = False, first: bool = False):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run(text), size, bold=bold, italic=italic)
    return p


def _heading_block(doc, lang: str, day: _dt.date) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(65), Mm(100)
    _line(left, t("export.issuer_top", lang), 13, first=True)
    _line(left, t("export.issuer", lang), 13, bold=True)
    _line(left, "", 6)
    _line(left, t("export.number", lang, symbol=SYMBOL), 13)
    _line(right, t("export.motto1", lang), 13, bold=True, first=True)
    _line(right, t("export.motto2", lang), 14, bold=True)
    _line(right, "", 6)
    place = t("export.place_date", lang, d=f"{day.day:02d}", m=f"{day.month:02d}", y=day.year)
    _line(right, place, 14, italic=True)


def _para(doc, text: str, *, bold: bool = False, italic: bool = False, center: bool = False,
          style: str | None = None, size: float = BODY_PT):
    p = doc.add_paragraph(style=style)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _font(p.add_run(text), size, bold=bold, italic=italic)
    return p


#: The elements a paragraph's ``w:shd`` must precede (WordprocessingML schema order of ``w:pPr``).
_AFTER_SHD = ("w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
              "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
              "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
              "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
              "w:sectPr", "w:pPrChange")


def _shade(paragraph, fill: str = "FFF2CC") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    ppr.insert_element_before(shd, *_AFTER_SHD)  # schema order matters to Word


def _grid(doc, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A bordered table with a bold header row repeated on each page."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    hdr = table.rows[0]
    tr_pr = hdr._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, h in zip(hdr.cells, headers, strict=True):
        _font(cell.paragraphs[0].add_run(h), TABLE_PT, bold=True)
    for r in rows:
        cells = table.add_row().cells
        for cell, v in zip(cells, r, strict=True):
            _font(cell.paragraphs[0].add_run(v), TABLE_PT)


def _target_section(doc, row: Mapping, lang: str) -> None:
    doc.add_heading(f"{row['id']}. {row['text']}", level=3)
    latest = exportdata.text_cell("latest_value", row, lang)
    _para(doc, t("export.target_fact", lang, year=exportdata.text_cell("latest_year", row, lang), latest=latest,
                 thr=exportdata.text_cell("threshold", row, lang)))
    _para(doc, t("export.target_forecast", lang, median=exportdata.text_cell("median_2030", row, lang),
                 lo=exportdata.text_cell("lo80_2030", row, lang), hi=exportdata.text_cell("hi80_2030", row, lang),
                 p=exportdata.text_cell("p_meet", row, lang), status=row["status"]))
    _para(doc, t("export.target_action", lang, action=row["action"]))


def _year_changes(doc, changes: Mapping | None, lang: str) -> None:
    """Section I.3: what changed since the previous year's report set (:mod:`forecast.reports.yearchange`)."""
    for part in yearchange.section_parts(changes, lang):
        kind = part[0]
        if kind == "heading":
            doc.add_heading("3. " + part[1], level=2)
        elif kind == "table":
            _para(doc, part[3], italic=True, size=TABLE_PT)
            _grid(doc, part[1], part[2])
        elif kind == "note":
            _para(doc, part[1], italic=True, size=TABLE_PT)
        else:
            _para(doc, part[1])


def document(data: Mapping, results, lang: str = "vi", min_cell: int = MIN_CELL, day: _dt.date | None = None):
    """The report as a python-docx ``Document`` (see the module's description).

    Parameters
    ----------
    data : mapping
        The content of ``summary.json`` (the figures, the probability and the status).
    results : RunResults
        The prepared results (target texts, unit rows for annex 2).
    lang : str
        ``vi`` or ``en``.
    min_cell : int
        Smallest count shown in annex 2 (:mod:`forecast.reports.suppression`).
    day : date, optional
        The date in the heading block (default today).
    """
    day = day or _dt.date.today()
    year = data["as_of"]
    table = exportdata.target_table(data, results, lang)
    rows = table.to_dict("records")
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _layout(section)
    _page_number_header(section)
    _heading_block(doc, lang, day)
    _para(doc, "", size=6)
    _para(doc, t("export.doc_type", lang), bold=True, center=True)
    _para(doc, t("export.subject", lang, year=year), bold=True, center=True)
    if data.get("synthetic"):
        _shade(_para(doc, t("page.synthetic_notice", lang), bold=True))
    _para(doc, t("export.draft", lang), italic=True, size=12)
    _para(doc, t("export.intro", lang, year=year))

    doc.add_heading(f"{ROMAN[0]}. " + t("export.h1", lang), level=1)
    doc.add_heading("1. " + t("export.h1_overview", lang), level=2)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    _para(doc, t("export.overview", lang, n=len(rows), counts="; ".join(f"{k}: {v}" for k, v in counts.items())))
    _para(doc, t("export.method_note", lang), italic=True, size=12)
    doc.add_heading("2. " + t("export.h1_targets", lang), level=2)
    for r in rows:
        _target_section(doc, r, lang)
    _year_changes(doc, data.get("changes_since_previous"), lang)

    good = [r["id"] for r in rows if r["status_code"] in GOOD]
    weak = [r["id"] for r in rows if r["status_code"] not in GOOD]
    doc.add_heading(f"{ROMAN[1]}. " + t("export.h2", lang), level=1)
    for key, text in (("export.h2_strengths", t("export.strengths", lang, ids=", ".join(good) or t("export.none", lang))),
                      ("export.h2_limits", t("export.limits", lang, ids=", ".join(weak) or t("export.none", lang))),
                      ("export.h2_causes", t("export.causes", lang))):
        doc.add_heading(t(key, lang), level=2)
        _para(doc, text)

    doc.add_heading(f"{ROMAN[2]}. " + t("export.h3", lang), level=1)
    for r in rows:
        if r["status_code"] not in GOOD:
            _para(doc, t("export.task", lang, id=r["id"], action=r["action"]), style="List Number")
    plan = data.get("plan")
    if plan:  # the costed training plan (forecast.reports.planrun): what to buy each year, and its cost
        doc.add_heading(t("plan.heading", lang), level=2)
        for sentence in planpage.plan_sentences(plan, lang):
            _para(doc, sentence)
        for head, body in (planpage.places_table(plan, lang), planpage.cost_table(plan, lang)):
            _grid(doc, head, body)
            _para(doc, "", size=6)
        head, body = plangroups.groups_table(plan, lang)
        if body:  # the places by population group (small parts hidden)
            doc.add_heading(t("plan.groups_heading", lang), level=3)
            _para(doc, plangroups.notes(lang)[0])
            _grid(doc, head, body)
            _para(doc, plangroups.notes(lang)[1], size=9)
    doc.add_heading(f"{ROMAN[3]}. " + t("export.h4", lang), level=1)
    low = [r["id"] for r in rows if r["p_meet"] is not None and r["p_meet"] < 0.5]
    _para(doc, t("export.proposal", lang, ids=", ".join(low)) if low else t("export.proposal_none", lang),
          style="List Number")

    sign = doc.add_table(rows=1, cols=2)
    _no_borders(sign)
    left, right = sign.rows[0].cells
    p = left.paragraphs[0]
    _font(p.add_run(t("export.recipients", lang)), 12, bold=True, italic=True)
    for item in t("export.recipient_list", lang).split("|"):
        _font(left.add_paragraph().add_run(item), 11)
    _line(right, t("export.signer", lang), 14, bold=True, first=True)

    annex = doc.add_section()
    _layout(annex, landscape=True)
    doc.add_heading(t("export.annex", lang), level=1)
    flag = " — " + t("chart.synthetic", lang) if data.get("synthetic") else ""
    doc.add_heading(t("export.annex1", lang) + flag, level=2)
    _grid(doc, [exportdata.header(c, lang) for c in ANNEX_COLUMNS],
          [[exportdata.text_cell(c, r, lang) for c in ANNEX_COLUMNS] for r in rows])
    units = exportdata.unit_table(results, min_cell, year)
    if len(units):
        doc.add_heading(t("export.annex2", lang, year=year) + flag, level=2)
        cols = ("id", "unit", "numerator", "denominator", "share")
        _grid(doc, [exportdata.header(c, lang) for c in cols],
              [[exportdata.unit_cell(c, r, lang) for c in cols] for r in units.to_dict("records")])
        _para(doc, t("export.units_note", lang, n=min_cell), italic=True, size=12)
    return doc


def write_docx(path: Path, data: Mapping, results, lang: str = "vi", min_cell: int = MIN_CELL,
               day: _dt.date | None = None) -> Path:
    """Write ``bao-cao.docx`` atomically; return its path."""
    doc = document(data, results, lang, min_cell, day)
    return atomic.write_with(Path(path), doc.save)
