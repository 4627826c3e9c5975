"""The Excel annual-return template and its reader.

Each October the province's departments, agencies and commune People's Committees
report their staff's qualifications to the Department of Home Affairs (Plan
165/KH-UBND, section IV.7). :func:`write_template` produces the workbook a unit fills
in: a sheet "Thông tin" (unit code, year, who filled it in) and one sheet per
population group ("Biểu 01" … "Biểu 05"), with headcounts as the unit's HR office keeps
them (education level, political theory, state-management programme, language/IT,
standard training, standardisation, post-graduates in the key fields) and a notes
column. :func:`read_return` turns a filled workbook into observations.

The reader never writes to the file it reads (raw data is immutable). It finds sheets
by the "Biểu NN" title in cell A1 (so renamed sheets still work), columns by their
headings and rows by their labels (so moved columns and blank or total rows do no
harm), and reports every problem with its sheet, row and column letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import atomic
from forecast.domain import definitions, posts, vocabulary
from forecast.inputs import units as units_mod
from forecast.inputs.observations import MIN_YEAR, OBS_COLUMNS, _typed, combine, max_year, unit_name_messages
from forecast.inputs.plausible import return_staff_problems
from forecast.inputs.tables import (
    TOTAL_ROW,
    Problem,
    nfc,
    normalise_heading,
    parse_numbers,
    raise_if,
)
from forecast.inputs.workbook import Limits, Sheet, open_workbook

INFO_SHEET = "Thông tin"
INFO_FIELDS = [
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Tên đơn vị"),
    ("year", "Năm báo cáo"),
    ("prepared_by", "Người lập biểu"),
    ("prepared_on", "Ngày lập"),
    ("notes", "Ghi chú"),
]

#: (field, heading). ``total`` is the group's headcount; the rest count people in it.
COLUMNS = [
    ("label", "Nhóm"),
    ("total", "Tổng số (người)"),
    ("tien_si", "Tiến sĩ"),
    ("thac_si", "Thạc sĩ"),
    ("dai_hoc", "Đại học"),
    ("cao_dang", "Cao đẳng"),
    ("trung_cap", "Trung cấp"),
    ("so_cap", "Sơ cấp"),
    ("chua_dao_tao", "Chưa qua đào tạo"),
    ("llct_cao_cap", "LLCT: Cao cấp, cử nhân"),
    ("llct_trung_cap", "LLCT: Trung cấp"),
    ("llct_so_cap", "LLCT: Sơ cấp"),
    ("qlnn_cvcc", "QLNN: Chuyên viên cao cấp"),
    ("qlnn_cvc", "QLNN: Chuyên viên chính"),
    ("qlnn_cv", "QLNN: Chuyên viên"),
    ("ngoai_ngu", "Đáp ứng yêu cầu ngoại ngữ"),
    ("tin_hoc", "Đáp ứng yêu cầu tin học"),
    ("boi_duong", "Đã bồi dưỡng theo tiêu chuẩn ngạch, chức danh, vị trí việc làm"),
    ("ca_ba", "Đáp ứng cả ngoại ngữ, tin học và bồi dưỡng"),
    ("chuan_hoa", "Đã chuẩn hóa (cán bộ cấp xã)"),
    ("sau_dh_trong_diem", "Thạc sĩ, tiến sĩ thuộc lĩnh vực trọng điểm"),
    ("notes", "Ghi chú"),
]
COUNT_FIELDS = [f for f, _ in COLUMNS if f not in ("label", "notes")]
EDUCATION = list(vocabulary.EDUCATION)
UNIVERSITY_PLUS = list(definitions.CRITERIA["dai_hoc_tro_len"].return_fields)
LLCT = ["llct_cao_cap", "llct_trung_cap", "llct_so_cap"]
QLNN = ["qlnn_cvcc", "qlnn_cvc", "qlnn_cv"]


@dataclass(frozen=True)
class Group:
    """One population group: one sheet of the return."""

    number: int
    sheet: str
    title: str
    rows: tuple  # (row code, label)


GROUPS = [
    Group(1, "CBCC tỉnh, huyện", "Cán bộ, công chức cấp tỉnh, cấp huyện",
          (("can_bo", "Cán bộ"), ("cong_chuc", "Công chức"))),
    Group(2, "Viên chức", "Viên chức trong các đơn vị sự nghiệp công lập", (("vien_chuc", "Viên chức"),)),
    Group(3, "CBCC cấp xã", "Cán bộ, công chức cấp xã",
          (("chu_chot", "Cán bộ chủ chốt"), ("can_bo_khac", "Cán bộ khác"), ("cong_chuc", "Công chức"))),
    Group(4, "Lãnh đạo", "Lãnh đạo cấp sở, cấp phòng và tương đương",
          (("so", "Lãnh đạo cấp sở và tương đương"), ("phong", "Lãnh đạo cấp phòng và tương đương"))),
    Group(5, "Quy hoạch", "Cán bộ, công chức trong quy hoạch", (("pool", "Cán bộ, công chức trong quy hoạch"),)),
]

#: How each indicator is computed from a return: ([(group, rows or None = all)], numerator fields),
#: the denominator being the groups' totals. Derived from :mod:`forecast.domain.definitions` (each
#: population's return rows, each criterion's return fields). The population groups 1–3 together
#: hold everyone (T09, T11); groups 4 and 5 overlap them.
RULES = {tid: (list(d.population.return_rows), list(d.criterion.return_fields))
         for tid, d in definitions.definitions().items()}
_TITLE = re.compile(r"^\s*biểu\s*0*(\d+)", re.IGNORECASE)


def _col_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


# --- template ------------------------------------------------------------------------------

def write_template(path: Path | str, unit_code: str | None = None, year: int | None = None) -> Path:
    """Write the annual-return workbook a unit fills in (atomically).

    Parameters
    ----------
    path : path
        Output ``.xlsx``.
    unit_code, year : optional
        Prefill the unit (checked against the registry for that year) and year.

    Returns
    -------
    Path
        The written file.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    name = ""
    if unit_code is not None:
        when = units_mod.snapshot_date(year) if year else pd.Timestamp.today()
        unit = units_mod.resolve(unit_code, when)
        unit_code, name = unit.code, unit.name
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    info["A1"] = "BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH 165/KH-UBND: CHẤT LƯỢNG ĐỘI NGŨ CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC"
    info["A1"].font = Font(bold=True)
    info["A2"] = ("Số liệu tính đến ngày 31 tháng 10 của năm báo cáo. Gửi Sở Nội vụ trước ngày 30/10. "
                  "Điền số người (số nguyên, không ghi chữ, không dùng dấu phân cách hàng nghìn); để trống dòng "
                  "không có người. Không đổi tên các cột và các dòng.")
    info["A2"].alignment = Alignment(wrap_text=True)
    prefill = {"unit_code": unit_code or "", "unit_name": name, "year": year or ""}
    for i, (field, label) in enumerate(INFO_FIELDS, start=4):
        info.cell(row=i, column=1, value=label).font = Font(bold=True)
        cell = info.cell(row=i, column=2, value=prefill.get(field) or None)
        if field == "unit_code":
            cell.number_format = "@"  # keep leading zeros of commune codes
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 50
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for g in GROUPS:
        ws = wb.create_sheet(g.sheet)
        ws["A1"] = f"Biểu {g.number:02d}. {g.title}"
        ws["A1"].font = Font(bold=True)
        ws["A2"] = "Đơn vị tính: người. Mỗi người chỉ tính ở trình độ cao nhất; cột (3) = tổng các cột (4)–(10)."
        ws.cell(row=3, column=1, value="STT")
        for j, (_field, heading) in enumerate(COLUMNS, start=2):
            c = ws.cell(row=3, column=j, value=heading)
            c.font = Font(bold=True)
            c.fill = head_fill
            c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            ws.cell(row=4, column=j, value=f"({j})").alignment = Alignment(horizontal="center")
        ws.cell(row=4, column=1, value="(1)")
        ws.row_dimensions[3].height = 75
        for k, (_code, label) in enumerate(g.rows, start=1):
            ws.cell(row=4 + k, column=1, value=k)
            ws.cell(row=4 + k, column=2, value=label)
        ws.column_dimensions["B"].width = 38
        for j in range(3, len(COLUMNS) + 2):
            ws.column_dimensions[_col_letter(j)].width = 12
        ws.column_dimensions[_col_letter(len(COLUMNS) + 1)].width = 30
        ws.freeze_panes = "C5"
        # Excel itself refuses anything but a whole number >= 0 in the count cells.
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="Số người", error="Nhập số nguyên không âm (số người).")
        dv.add(f"C5:{_col_letter(len(COLUMNS))}{4 + len(g.rows)}")
        ws.add_data_validation(dv)
    return atomic.write_with(path, wb.save)


# --- reader --------------------------------------------------------------------------------

def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _find_info(ws, shown: str) -> tuple[dict, list[Problem]]:
    problems = []
    labels = {normalise_heading(lab): field for field, lab in INFO_FIELDS}
    found: dict[str, tuple[object, int]] = {}
    for r in ws.row_numbers(1, 40):
        key = normalise_heading(_cell_text(ws.value(r, 1)))
        if key in labels:
            found[labels[key]] = (ws.value(r, 2), r)
    info: dict = {}
    for field in ("unit_code", "year"):
        label = dict(INFO_FIELDS)[field]
        if field not in found or found[field][0] in (None, ""):
            row = found[field][1] if field in found else None
            problems.append(Problem(shown, ws.title, row, "B" if row else None, f"'{label}' is not filled in"))
            continue
        v, row = found[field]
        if field == "year":
            vals, bad, msg = parse_numbers(pd.Series([_cell_text(v)]))
            y = vals.iloc[0]
            if bad.iloc[0] or pd.isna(y) or y % 1:
                problems.append(Problem(shown, ws.title, row, "B", f"'{label}': {msg.iloc[0] or 'not a year'}"))
            else:
                info["year"], info["year_row"] = int(y), row
        else:
            info["unit_code"], info["unit_row"] = units_mod.normalise_code(_cell_text(v)), row
    name, row = found.get("unit_name", (None, None))
    if _cell_text(name).strip():
        info["unit_name"], info["name_row"] = _cell_text(name).strip(), row
    return info, problems


def _has_return_columns(ws) -> bool:
    """Whether a sheet carries the group sheets' heading row ('Nhóm' and 'Tổng số (người)')."""
    wanted = {normalise_heading("Nhóm"), normalise_heading("Tổng số (người)")}
    for r in ws.row_numbers(1, 15):
        if wanted <= {normalise_heading(_cell_text(v)) for c, v in ws.row(r).items() if c <= 40}:
            return True
    return False


def _group_of(ws) -> Group | None:
    m = _TITLE.match(nfc(_cell_text(ws.value(1, 1))).strip())
    if m:
        n = int(m.group(1))
        return next((g for g in GROUPS if g.number == n), None)
    name = normalise_heading(ws.title)
    return next((g for g in GROUPS if normalise_heading(g.sheet) == name), None)


def _read_group(ws: Sheet, group: Group, shown: str) -> tuple[dict, list[Problem]]:
    """Counts of one group sheet: {row code: {field: float}} and the problems found."""
    problems: list[Problem] = []
    headings = {normalise_heading(h): f for f, h in COLUMNS}
    header_row, colmap = None, {}
    for r in ws.row_numbers(1, 15):
        hits = {headings[normalise_heading(_cell_text(v))]: c for c, v in sorted(ws.row(r).items())
                if normalise_heading(_cell_text(v)) in headings}
        if "total" in hits and "label" in hits:
            header_row, colmap = r, hits
            break
    if header_row is None:
        return {}, [Problem(shown, ws.title, None, None, "cannot find the heading row (with 'Nhóm' and "
                            "'Tổng số (người)'): do not rename the columns")]
    for f, h in COLUMNS:
        if f not in colmap and f != "notes":
            problems.append(Problem(shown, ws.title, header_row, None, f"missing column '{h}'"))
    if problems:
        return {}, problems  # the rows cannot be checked against each other without every column
    merged = set()
    for min_row, min_col, max_row, max_col in ws.merged:
        if max_row > header_row + 1:
            # bounded: merged ranges only matter inside the filled area (a range reaching
            # row 1 048 576 would otherwise mean a million entries)
            for r in range(max(min_row, header_row + 1), min(max_row, ws.max_row) + 1):
                for c in range(min_col, min(max_col, ws.max_column) + 1):
                    merged.add((r, c))
    labels = {normalise_heading(lab): code for code, lab in group.rows}
    out: dict = {}
    seen_rows: dict = {}
    for r in ws.row_numbers(header_row + 1):
        vals = {f: ws.value(r, c) for f, c in colmap.items()}
        label = _cell_text(vals.get("label")).strip()
        cells_filled = any(_cell_text(vals.get(f)).strip() for f in COUNT_FIELDS if f in colmap)
        if not label and not cells_filled:
            continue  # blank row
        if re.fullmatch(r"\(\d+\)", label):
            continue  # the column-number line under the headings
        if TOTAL_ROW.match(label) or TOTAL_ROW.match(_cell_text(ws.value(r, 1))):
            continue  # a total line the unit added
        code = labels.get(normalise_heading(label))
        if code is None:
            problems.append(Problem(shown, ws.title, r, f"{_col_letter(colmap['label'])} (Nhóm)",
                                    f"unknown row '{label}' (expected: {', '.join(lab for _, lab in group.rows)})"))
            continue
        if code in seen_rows:
            problems.append(Problem(shown, ws.title, r, f"{_col_letter(colmap['label'])} (Nhóm)",
                                    f"row '{label}' appears twice (first on row {seen_rows[code]})"))
            continue
        seen_rows[code] = r
        counts, row_problems = _row_counts(ws, r, colmap, merged, shown)
        problems += row_problems
        if not row_problems and counts.get("total") is not None:
            problems += _row_consistency(ws.title, r, counts, colmap, shown)
            out[code] = {**counts, "_row": r, "_column": f"{_col_letter(colmap['total'])} (Tổng số (người))"}
    return out, problems


def _row_counts(ws: Sheet, r: int, colmap: dict, merged: set, shown: str) -> tuple[dict, list[Problem]]:
    problems = []
    counts: dict = {}
    heading = dict(COLUMNS)
    for f in COUNT_FIELDS:
        if f not in colmap:
            continue
        c = colmap[f]
        where = f"{_col_letter(c)} ({heading[f]})"
        v = ws.value(r, c)
        if (r, c) in merged:
            problems.append(Problem(shown, ws.title, r, where, "merged cells in a number column: unmerge them and "
                                    "give each cell its own number"))
            continue
        if v is None:
            fv = ws.formula(r, c)
            if isinstance(fv, str) and fv.startswith("="):
                problems.append(Problem(shown, ws.title, r, where, f"formula {fv} has no saved value: open the file "
                                        "in Excel and save it again"))
            counts[f] = None
            continue
        if isinstance(v, bool) or not isinstance(v, int | float | str):
            problems.append(Problem(shown, ws.title, r, where, f"'{v}' is not a number"))
            continue
        if isinstance(v, str):
            vals, bad, msg = parse_numbers(pd.Series([v]))
            if bad.iloc[0]:
                problems.append(Problem(shown, ws.title, r, where, msg.iloc[0]))
                continue
            x = vals.iloc[0]
            if pd.isna(x):
                counts[f] = None
                continue
            if re.fullmatch(r"\d{1,3}(\.\d{3})+", v.strip()):
                problems.append(Problem(shown, ws.title, r, where, f"'{v}' has a thousands separator: write the "
                                        f"headcount without it ({v.strip().replace('.', '')})"))
                continue
        else:
            x = float(v)
        if x < 0:
            problems.append(Problem(shown, ws.title, r, where, "a headcount cannot be negative"))
        elif x % 1:
            problems.append(Problem(shown, ws.title, r, where, f"{v} is not a whole number of people"))
        else:
            counts[f] = x
    # (a total cell with a problem of its own is absent from ``counts``, and already reported)
    if "total" in counts and counts["total"] is None and any(counts.get(f) for f in COUNT_FIELDS):
        c = colmap["total"]
        problems.append(Problem(shown, ws.title, r, f"{_col_letter(c)} (Tổng số (người))",
                                "'Tổng số (người)' is empty while other cells of the row are filled"))
    return counts, problems


def _row_consistency(sheet: str, r: int, counts: dict, colmap: dict, shown: str) -> list[Problem]:
    """Counts of one row against each other: parts never exceed the whole."""
    problems = []
    heading = dict(COLUMNS)
    total = counts["total"]

    def val(f):
        return counts.get(f) or 0.0

    for f in COUNT_FIELDS:
        if f != "total" and val(f) > total:
            problems.append(Problem(shown, sheet, r, f"{_col_letter(colmap[f])} ({heading[f]})",
                                    f"{val(f):g} is more than the group's total {total:g}"))
    # Everyone has exactly one highest education level, so those columns must add up to the
    # total (a blank education block would otherwise read as "nobody has a degree").
    edu = sum(val(f) for f in EDUCATION)
    if edu != total:
        problems.append(Problem(shown, sheet, r, f"{_col_letter(colmap['total'])} (Tổng số (người))",
                                f"the education levels add up to {edu:g}, not the total {total:g} (each person "
                                "counts once, at the highest level)"))
    for name, fields in (("political theory levels", LLCT), ("state-management programmes", QLNN)):
        s = sum(val(f) for f in fields)
        if s > total:
            problems.append(Problem(shown, sheet, r, f"{_col_letter(colmap['total'])} (Tổng số (người))",
                                    f"the {name} add up to {s:g}, more than the total {total:g}"))
    if val("ca_ba") > min(val("ngoai_ngu"), val("tin_hoc"), val("boi_duong")):
        problems.append(Problem(shown, sheet, r, f"{_col_letter(colmap['ca_ba'])} ({heading['ca_ba']})",
                                "more people meet all three requirements than meet one of them"))
    if val("sau_dh_trong_diem") > val("thac_si") + val("tien_si"):
        problems.append(Problem(shown, sheet, r, f"{_col_letter(colmap['sau_dh_trong_diem'])} "
                                f"({heading['sau_dh_trong_diem']})", "more than the unit's thạc sĩ + tiến sĩ"))
    return problems


def read_return(path: Path | str, display: str | None = None,
                limits: Limits | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one filled annual-return workbook into observations.

    Parameters
    ----------
    path : path
        The ``.xlsx`` a unit sent (only read, never modified).
    display : str, optional
        How to name the file in problems (default the path as given).
    limits : Limits, optional
        Size limits of the workbook (:class:`forecast.inputs.workbook.Limits`): past them,
        a located problem instead of reading on.

    Returns
    -------
    (observations, problems)
        Observations (:data:`forecast.inputs.observations.OBS_COLUMNS`, source = file name) for
        every indicator whose population the return covers, and every problem found.
    """

    path = Path(path)
    shown = display or str(path)
    sheets, problems = open_workbook(path, shown, limits)
    if sheets is None:
        return _typed(pd.DataFrame(columns=OBS_COLUMNS)), problems
    info: dict | None = None
    groups: dict = {}
    # Visible sheets first: when a group has a hidden copy too (often last year's), the copy is
    # the one reported, not the sheet the unit sees and filled.
    for ws in sorted(sheets, key=lambda w: w.state != "visible"):
        is_info = normalise_heading(ws.title) == normalise_heading(INFO_SHEET) or \
            normalise_heading(_cell_text(ws.value(4, 1))) == normalise_heading("Mã đơn vị")
        g = None if is_info else _group_of(ws)
        if is_info:
            info, p = _find_info(ws, shown)
            problems += p
            continue
        if g is None:
            if _has_return_columns(ws):
                # A renamed group sheet whose title was typed over: reading on would drop its counts.
                problems.append(Problem(shown, ws.title, 1, "A", "the sheet has the return's columns but no "
                                        "'Biểu NN' title in A1 and not a sheet name of the template: write the "
                                        "title back (e.g. 'Biểu 03. …') so the group is known"))
            continue  # a sheet of the unit's own (notes, working): not part of the return
        if g.number in groups:
            hidden = ws.state != "visible"
            problems.append(Problem(shown, ws.title, 1, "A", f"a second {'hidden ' if hidden else ''}sheet for "
                                    f"Biểu {g.number:02d} (first: '{groups[g.number][0]}')"
                                    + ("; unhide it and delete it if it is an old copy" if hidden else "")))
            continue
        counts, p = _read_group(ws, g, shown)
        problems += p
        groups[g.number] = (ws.title, counts)
    if info is None:
        problems.append(Problem(shown, None, None, None, f"no '{INFO_SHEET}' sheet with the unit code and year"))
    elif "unit_code" in info and "year" in info:
        res = units_mod.resolve_codes(pd.Series([info["unit_code"]]), pd.Series([info["year"]]))
        if not res["known"].iloc[0]:
            problems.append(Problem(shown, INFO_SHEET, info["unit_row"], "B",
                                    f"unknown unit '{info['unit_code']}' (see data/units.csv)"))
        elif not res["valid"].iloc[0]:
            problems.append(Problem(shown, INFO_SHEET, info["unit_row"], "B",
                                    f"unit '{info['unit_code']}' did not exist on 31 October {info['year']}"))

        if info.get("unit_name"):
            msg = unit_name_messages(pd.Series([info["unit_code"]]), pd.Series([info["year"]]),
                                     pd.Series([info["unit_name"]])).iloc[0]
            if msg:
                problems.append(Problem(shown, INFO_SHEET, info["name_row"], "B", msg))

        if not MIN_YEAR <= info["year"] <= max_year():
            problems.append(Problem(shown, INFO_SHEET, info["year_row"], "B",
                                    f"year {info['year']} is out of range ({MIN_YEAR}–{max_year()})"))
    if not groups and not problems:
        problems.append(Problem(shown, None, None, None, "no 'Biểu 01'…'Biểu 05' sheet found"))
    elif not problems and not any(counts for _sheet, counts in groups.values()):
        problems.append(Problem(shown, None, None, None, "no headcounts filled in: every 'Biểu' sheet is empty"))
    if problems:
        return _typed(pd.DataFrame(columns=OBS_COLUMNS)), problems
    rows = []
    for ind, (parts, num_fields) in RULES.items():
        num = den = 0.0
        covered = False
        for gnum, row_codes in parts:
            counts = groups.get(gnum, (None, {}))[1]
            for code, c in counts.items():
                if row_codes is not None and code not in row_codes:
                    continue
                covered = True
                den += c["total"]
                num += sum(c.get(f) or 0.0 for f in num_fields)
        if not covered:
            continue
        if ind == "T11":
            rows.append((ind, num, np.nan))
        elif den > 0:
            rows.append((ind, num, den))
    out = pd.DataFrame(rows, columns=["indicator", "numerator", "denominator"])
    assert info is not None  # no 'Thông tin' sheet is a problem, returned above
    level = units_mod.resolve_codes(pd.Series([info["unit_code"]]), pd.Series([info["year"]]))["level"].iloc[0]
    # T09's population (everyone) against the unit's ceiling, located at the rows' total cells
    implausible = return_staff_problems(shown, groups, out["denominator"].max(), level, info["unit_code"])
    if implausible:
        return _typed(pd.DataFrame(columns=OBS_COLUMNS)), implausible
    out = out.assign(unit_code=info["unit_code"], year=info["year"], value=np.nan, source=path.name, flags="")
    return _typed(out), []


def read_returns(paths: list[Path]) -> pd.DataFrame:
    """Read several returns into one observations frame; ValidationError lists every problem."""

    frames, problems = [], []
    for p in paths:
        f, pr = read_return(p)
        frames.append(f)
        problems += pr
    raise_if(problems)
    return combine(frames)


def return_counts(roster: pd.DataFrame, unit_code: str, year: int) -> dict:
    """The counts a unit would write in its return, from a checked roster.

    Parameters
    ----------
    roster : DataFrame
        As :func:`forecast.inputs.roster.read_roster` returns it.
    unit_code : str
        The reporting unit.
    year : int
        The snapshot year (people in post on 31 October).

    Returns
    -------
    dict
        ``{group number: {row code: {field: count}}}`` for the rows that have people.
    """

    r = roster[(roster["year"] == int(year)) & (roster["unit_code"] == str(unit_code))]
    r = r[posts.in_post(r)]
    cbcc = r["category"].isin(["can_bo", "cong_chuc"])
    xa = r["level"] == "xa"
    rows = {
        1: {"can_bo": (r["category"] == "can_bo") & ~xa, "cong_chuc": (r["category"] == "cong_chuc") & ~xa},
        2: {"vien_chuc": r["category"] == "vien_chuc"},
        3: {"chu_chot": (r["category"] == "can_bo") & xa & (r["key_cadre"] == 1),
            "can_bo_khac": (r["category"] == "can_bo") & xa & (r["key_cadre"] != 1),
            "cong_chuc": (r["category"] == "cong_chuc") & xa},
        4: {"so": r["leader"] == "so", "phong": r["leader"] == "phong"},
        5: {"pool": cbcc & (r["in_pool"] == 1)},
    }
    lang, it_, std = r["foreign_language"] == 1, r["it_skill"] == 1, r["standard_training"] == 1
    columns = {
        "total": pd.Series(True, index=r.index),
        **{e: r["education"] == e for e in EDUCATION},
        "llct_cao_cap": r["political_theory"] == "cao_cap",
        "llct_trung_cap": r["political_theory"] == "trung_cap",
        "llct_so_cap": r["political_theory"] == "so_cap",
        "qlnn_cvcc": r["state_mgmt"] == "cvcc", "qlnn_cvc": r["state_mgmt"] == "cvc", "qlnn_cv": r["state_mgmt"] == "cv",
        "ngoai_ngu": lang, "tin_hoc": it_, "boi_duong": std, "ca_ba": definitions.CRITERIA["nn_th_bd"].mask(r),
        "chuan_hoa": r["standardised"] == 1,
        "sau_dh_trong_diem": definitions.CRITERIA["sau_dai_hoc_linh_vuc_trong_diem"].mask(r),
    }
    out: dict = {}
    for g, members in rows.items():
        for code, m in members.items():
            if m.sum() == 0:
                continue
            out.setdefault(g, {})[code] = {f: int((m & c).sum()) for f, c in columns.items()}
    return out


def write_return_from_roster(roster: pd.DataFrame, unit_code: str, year: int, path: Path | str) -> Path:
    """Fill the template with one unit's counts from a roster (e.g. for a demonstration dataset).

    The written workbook reads back (:func:`read_return`) into the same observations as
    :func:`forecast.inputs.roster.aggregate` gives for that unit and year.
    """
    from openpyxl import load_workbook

    path = Path(path)
    write_template(path, unit_code=unit_code, year=year)
    wb = load_workbook(path)
    info = wb[INFO_SHEET]
    for row in info.iter_rows(min_row=1, max_row=20, max_col=2):
        if normalise_heading(_cell_text(row[0].value)) == normalise_heading("Năm báo cáo"):
            row[1].value = int(year)
    col = {f: j for j, (f, _h) in enumerate(COLUMNS, start=2)}
    for g in GROUPS:
        ws = wb[g.sheet]
        counts = return_counts(roster, unit_code, year).get(g.number, {})
        for k, (code, _label) in enumerate(g.rows, start=1):
            for f, v in counts.get(code, {}).items():
                ws.cell(row=4 + k, column=col[f], value=v)
    return atomic.write_with(path, wb.save)
