"""Rebuild the project's unit registry and crosswalk from the workplace's shared folder.

Run by a maintainer when the shared geography files change (not at test time)::

    .venv/bin/python scripts/build_tables.py [--shared PATH]

Writes ``data/units.csv``, ``data/crosswalk_2025.csv`` and
``data/reference/public_figures.csv`` (atomically). The inputs are
the statistics office's lists of 1/11/2024 and 1/3/2025, the December 2024 change list
and the 1 July 2025 crosswalk (see ``shared/geography/README.md``). The provincial
departments are the project's own coding (``P01`` …), written out below.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import tempfile
import unicodedata
from pathlib import Path

from forecast import config

OPEN = ""
START = "2015-01-01"  # stated simplification: the 2024 list is taken as valid back to 2015
BEFORE_DEC = "2024-11-30"
DEC = "2024-12-01"
BEFORE_JUL = "2025-06-30"
JUL = "2025-07-01"
BEFORE_MAR = "2025-02-28"
MAR = "2025-03-01"

TYPES = {"phường": "phuong", "thị trấn": "thi_tran", "xã": "xa", "thành phố": "thanh_pho", "huyện": "huyen"}
TYPE_PREFIX = {"xa": "Xã", "phuong": "Phường", "thi_tran": "Thị trấn"}

DEPT_SOURCE = "project coding (P..); list to be checked against the province's decisions"
# (code, name, type, valid_from, valid_to, note). A merged department reuses the code of
# its lead member with a new validity period, the convention the 2025 commune codes follow.
DEPARTMENTS = [
    ("P01", "Văn phòng Ủy ban nhân dân tỉnh", "co_quan", START, OPEN, ""),
    ("P02", "Sở Nội vụ", "so", START, BEFORE_MAR, "merged 1/3/2025 into P02 Sở Nội vụ (new)"),
    ("P02", "Sở Nội vụ", "so", MAR, OPEN, "from 1/3/2025: Sở Nội vụ + Sở Lao động - Thương binh và Xã hội"),
    ("P03", "Sở Tư pháp", "so", START, OPEN, ""),
    ("P04", "Sở Kế hoạch và Đầu tư", "so", START, BEFORE_MAR, "merged 1/3/2025 into P05 Sở Tài chính"),
    ("P05", "Sở Tài chính", "so", START, BEFORE_MAR, "merged 1/3/2025 into P05 Sở Tài chính (new)"),
    ("P05", "Sở Tài chính", "so", MAR, OPEN, "from 1/3/2025: Sở Tài chính + Sở Kế hoạch và Đầu tư"),
    ("P06", "Sở Công Thương", "so", START, OPEN, ""),
    ("P07", "Sở Nông nghiệp và Phát triển nông thôn", "so", START, BEFORE_MAR,
     "merged 1/3/2025 into P07 Sở Nông nghiệp và Môi trường"),
    ("P07", "Sở Nông nghiệp và Môi trường", "so", MAR, OPEN,
     "from 1/3/2025: Sở Nông nghiệp và PTNT + Sở Tài nguyên và Môi trường"),
    ("P08", "Sở Tài nguyên và Môi trường", "so", START, BEFORE_MAR,
     "merged 1/3/2025 into P07 Sở Nông nghiệp và Môi trường"),
    ("P09", "Sở Giao thông vận tải", "so", START, BEFORE_MAR, "merged 1/3/2025 into P10 Sở Xây dựng"),
    ("P10", "Sở Xây dựng", "so", START, BEFORE_MAR, "merged 1/3/2025 into P10 Sở Xây dựng (new)"),
    ("P10", "Sở Xây dựng", "so", MAR, OPEN, "from 1/3/2025: Sở Xây dựng + Sở Giao thông vận tải"),
    ("P11", "Sở Thông tin và Truyền thông", "so", START, BEFORE_MAR,
     "merged 1/3/2025 into P12 Sở Khoa học và Công nghệ"),
    ("P12", "Sở Khoa học và Công nghệ", "so", START, BEFORE_MAR,
     "merged 1/3/2025 into P12 Sở Khoa học và Công nghệ (new)"),
    ("P12", "Sở Khoa học và Công nghệ", "so", MAR, OPEN,
     "from 1/3/2025: Sở Khoa học và Công nghệ + Sở Thông tin và Truyền thông"),
    ("P13", "Sở Lao động - Thương binh và Xã hội", "so", START, BEFORE_MAR,
     "merged 1/3/2025 into P02 Sở Nội vụ (social protection to P16 Sở Y tế)"),
    ("P14", "Sở Văn hóa, Thể thao và Du lịch", "so", START, OPEN, ""),
    ("P15", "Sở Giáo dục và Đào tạo", "so", START, OPEN, ""),
    ("P16", "Sở Y tế", "so", START, OPEN, ""),
    ("P17", "Sở Ngoại vụ", "so", START, OPEN, "kept as a separate department (assumption)"),
    ("P18", "Thanh tra tỉnh", "co_quan", START, OPEN, ""),
    ("P19", "Ban Dân tộc", "ban", START, BEFORE_MAR, "became P19 Sở Dân tộc và Tôn giáo on 1/3/2025"),
    ("P19", "Sở Dân tộc và Tôn giáo", "so", MAR, OPEN,
     "from 1/3/2025: Ban Dân tộc + religious affairs of Sở Nội vụ"),
    ("P20", "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn", "ban", START, OPEN, ""),
]

UNIT_COLUMNS = ["code", "name", "type", "level", "parent", "valid_from", "valid_to", "source"]
CROSSWALK_COLUMNS = ["change_date", "new_unit_no", "new_code", "new_unit_name", "new_unit_type", "old_code",
                     "old_unit_name", "old_unit_type", "old_district", "extent", "source_url"]
RES_1246 = "Nghị quyết 1246/NQ-UBTVQH15 (effective 1/12/2024); shared/geography/changes_2024-12.csv"


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s.strip())


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: _nfc(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def _type(vi: str) -> str:
    return TYPES[vi.lower()]


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    os.replace(tmp, path)


def build_units(geo: Path) -> list[dict]:
    """Rows of the unit registry (province, districts, communes in each period, departments)."""
    nov = _read(geo / "langson_units_2024-11-01.csv")
    mar = _read(geo / "langson_units_2025-03-01.csv")
    xwalk = _read(geo / "langson_commune_crosswalk_2025.csv")
    src_nov = "GSO list 01/11/2024 (shared/geography/langson_units_2024-11-01.csv)"
    src_mar = "GSO list 01/03/2025 (shared/geography/langson_units_2025-03-01.csv)"
    src_jul = "Nghị quyết 1672/NQ-UBTVQH15; Công văn 1027/CTK-CSCL (shared/geography/langson_commune_crosswalk_2025.csv)"

    rows = [dict(code=config.PROVINCE_CODE, name="Tỉnh Lạng Sơn", type="tinh", level="tinh", parent="",
                 valid_from=START, valid_to=OPEN, source="national list of administrative units")]
    seen = set()
    for r in nov:
        if r["district_code"] not in seen:
            seen.add(r["district_code"])
            rows.append(dict(code=r["district_code"], name=r["district_name"], type=_type(r["district_type"]),
                             level="huyen", parent=config.PROVINCE_CODE, valid_from=START, valid_to=BEFORE_JUL,
                             source=src_nov))
    mar_by_code = {r["unit_code"]: r for r in mar}
    for r in nov:
        later = mar_by_code.get(r["unit_code"])
        same = later is not None and later["unit_name"] == r["unit_name"]
        rows.append(dict(code=r["unit_code"], name=r["unit_name"], type=_type(r["unit_type"]), level="xa",
                         parent=r["district_code"], valid_from=START,
                         valid_to=BEFORE_JUL if same else BEFORE_DEC, source=src_nov))
    nov_pairs = {(r["unit_code"], r["unit_name"]) for r in nov}
    for r in mar:
        if (r["unit_code"], r["unit_name"]) not in nov_pairs:  # TT Thất Khê under its new code 06040
            rows.append(dict(code=r["unit_code"], name=r["unit_name"], type=_type(r["unit_type"]), level="xa",
                             parent=r["district_code"], valid_from=DEC, valid_to=BEFORE_JUL,
                             source=src_mar + "; " + RES_1246))
    new_seen = set()
    for r in xwalk:
        if r["new_code"] not in new_seen:
            new_seen.add(r["new_code"])
            rows.append(dict(code=r["new_code"], name=f"{TYPE_PREFIX[r['new_unit_type']]} {r['new_unit_name']}",
                             type=r["new_unit_type"], level="xa", parent=config.PROVINCE_CODE, valid_from=JUL,
                             valid_to=OPEN, source=src_jul))
    for code, name, typ, vf, vt, note in DEPARTMENTS:
        rows.append(dict(code=code, name=name, type=typ, level="tinh", parent=config.PROVINCE_CODE,
                         valid_from=vf, valid_to=vt, source=DEPT_SOURCE + (f"; {note}" if note else "")))
    return rows


def build_crosswalk(geo: Path) -> list[dict]:
    """The December 2024 changes (old code -> code on 1/12/2024) and the 1 July 2025 crosswalk."""
    changes = _read(geo / "changes_2024-12.csv")
    dec = []
    # What the changes file states in words, as (old code, old name) -> [(new code, extent)].
    targets = {
        ("05995", "Thị trấn Thất Khê"): [("06040", "whole")],
        ("06007", "Xã Vĩnh Tiến"): [("05998", "whole")],
        ("06040", "Xã Đại Đồng"): [("06040", "part"), ("06025", "remainder")],
        ("06295", "Xã Đồng Giáp"): [("06286", "whole")],
        ("06301", "Xã Tràng Các"): [("06286", "whole")],
        ("06454", "Xã Sơn Hà"): [("06385", "whole")],
        ("06574", "Xã Tĩnh Bắc"): [("06559", "whole")],
    }
    mar = {r["unit_code"]: r for r in _read(geo / "langson_units_2025-03-01.csv")}
    for c in changes:
        for new_code, extent in targets[(c["unit_code"], c["unit_name"])]:
            new = mar[new_code]
            dec.append(dict(change_date=DEC, new_unit_no="", new_code=new_code, new_unit_name=new["unit_name"],
                            new_unit_type=_type(new["unit_type"]), old_code=c["unit_code"],
                            old_unit_name=c["unit_name"], old_unit_type=_type(c["unit_type"]),
                            old_district=c["district_name"], extent=extent, source_url=RES_1246))
    jul = [dict(change_date=JUL, **r) for r in _read(geo / "langson_commune_crosswalk_2025.csv")]
    return dec + jul


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=config.shared_dir(), help="the shared folder")
    args = parser.parse_args(argv)
    geo = args.shared / "geography"
    units = build_units(geo)
    xwalk = build_crosswalk(geo)
    _write(config.units_file(), UNIT_COLUMNS, units)
    _write(config.crosswalk_file(), CROSSWALK_COLUMNS, xwalk)
    # The published reference figures are copied as they are (NFC), with their source URLs.
    ref_rows = _read(args.shared / "reference" / "public_figures.csv")
    _write(config.reference_file(), list(ref_rows[0]), ref_rows)
    print(f"wrote {config.units_file()} ({len(units)} rows) and {config.crosswalk_file()} ({len(xwalk)} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
