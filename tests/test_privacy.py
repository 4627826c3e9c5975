"""Privacy: reports show aggregates only, never a person's id, name or birth date, and per-unit
tables hide cells counting fewer than ``min_cell`` people (and say so).

The end-to-end test plants marker values in a roster (pseudonymous ids ``ZZPRIV…``, a
name, a birth date, a notes column), runs the annual run on it and searches every byte
of every output — HTML, executed notebooks, JSON, CSV and the PNG images inside them —
for the markers. The same *hostile* run carries script-like unit names for
``tests/test_xss.py`` (:func:`hostile_run` builds it once per session).
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import FIXTURE_COMMUNES, build_dataset, make_results

from forecast import config

#: Marker values planted in the roster; none may appear in any output.
MARKER_ID = "ZZPRIV"                 # prefix of every planted person_id
MARKER_NAME = "Nguyễn Văn Mẫu"
MARKER_BIRTH = ("1971-11-11", "11/11/1971")
MARKER_NOTE = "ZZGHICHU bệnh án riêng"
MARKERS = (MARKER_ID, MARKER_NAME, *MARKER_BIRTH, MARKER_NOTE)

#: Unit names and metadata that try to inject HTML (checked by tests/test_xss.py).
XSS_UNIT_NAMES = {FIXTURE_COMMUNES[0]: "<script>alert(1)</script>",
                  FIXTURE_COMMUNES[1]: "<img src=x onerror=alert(2)>",
                  FIXTURE_COMMUNES[2]: 'Xã "Bắc" & <b onmouseover=alert(3)>Sơn</b>'}
XSS_META = {"name": "<script>alert(4)</script> Tỉnh thử", "source": "<img src=x onerror=alert(5)>",
            "description_vi": "<script>alert(6)</script>", "description_en": "<svg onload=alert(7)>"}
XSS_SCENARIO_DESCRIPTION = "<script>alert(8)</script> mô tả kịch bản"

#: The cheapest run that reads the roster (scenarios) and shows per-unit tables (communes).
HOSTILE_SPEC = {
    "prepare": {"n_draws": 200, "seed": 3, "scenarios": ["baseline"]},
    "parameters": {"min_cell": 5},
    "notebooks": [
        {"notebook": "summary.ipynb", "output": "summary"},
        {"notebook": "scenarios.ipynb", "output": "scenarios"},
        {"notebook": "data_review.ipynb", "output": "data-review"},
        {"notebook": "target.ipynb", "output": "target-T06", "parameters": {"target_id": "T06"}},
        {"notebook": "commune.ipynb", "output": "commune-{unit_code}", "over": "communes", "group": "communes"},
    ],
}


def plant_markers(roster_csv: Path) -> pd.DataFrame:
    """Rewrite a roster with marker ids, a name and notes column, and exact birth dates."""
    r = pd.read_csv(roster_csv, dtype=str, keep_default_na=False)
    r["person_id"] = [f"{MARKER_ID}{i:06d}" for i in range(len(r))]
    r.loc[0, ["birth_year", "birth_month"]] = ["1971", "11"]
    # a birth_date column beside birth_year: exported rosters carry both; neither may leak
    r.insert(2, "birth_date", r["birth_year"] + "-" + r["birth_month"].str.zfill(2) + "-15")
    r.loc[0, "birth_date"] = MARKER_BIRTH[0]
    r["ho_ten"] = [MARKER_NAME if i == 0 else f"Người số {i}" for i in range(len(r))]
    r["ghi_chu"] = ""
    r.loc[0, "ghi_chu"] = f"{MARKER_NOTE}; sinh {MARKER_BIRTH[1]}"
    r.to_csv(roster_csv, index=False, lineterminator="\n")
    return r


def _hostile_project_data(dest: Path) -> Path:
    """A copy of the project's tables (no demo) with script-like commune names and scenario text."""
    shutil.copytree(config.data_dir(), dest, ignore=shutil.ignore_patterns("demo"))
    units = pd.read_csv(dest / "units.csv", dtype=str, keep_default_na=False)
    for code, name in XSS_UNIT_NAMES.items():
        units.loc[units["code"] == code, "name"] = name
    units.to_csv(dest / "units.csv", index=False, lineterminator="\n")
    baseline = dest / "scenarios" / "baseline.yml"
    text = baseline.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^description_vi: .*$", "description_vi: " + json.dumps(XSS_SCENARIO_DESCRIPTION,
                                                                               ensure_ascii=False), text)
    baseline.write_text(text, encoding="utf-8")
    return dest


def hostile_run(tmp_path_factory) -> dict:
    """Run the annual run once per session on the hostile data; later callers reuse it.

    Returns
    -------
    dict
        ``report`` (the published folder), ``data`` (the dataset), ``code``, ``stderr``.
    """
    base = tmp_path_factory.getbasetemp() / "hostile-run"
    done = base / "done.json"
    if done.exists():
        info = json.loads(done.read_text(encoding="utf-8"))
        return {**info, "report": Path(info["report"]), "data": Path(info["data"])}
    if base.exists():
        shutil.rmtree(base)
    data = build_dataset(base / "data")
    plant_markers(data / "roster.csv")
    meta = yaml.safe_load((data / "dataset.yml").read_text(encoding="utf-8"))
    meta.update(XSS_META)
    (data / "dataset.yml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    obs = pd.read_csv(data / "observations.csv", dtype=str, keep_default_na=False)
    obs["source"] = "<script>alert(9)</script>"
    obs.to_csv(data / "observations.csv", index=False, lineterminator="\n")
    project_data = _hostile_project_data(base / "project-data")
    spec = base / "run.yml"
    spec.write_text(yaml.safe_dump(HOSTILE_SPEC, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = base / "reports"
    from forecast.cli import main

    saved = os.environ.get("FORECAST_DATA")
    os.environ["FORECAST_DATA"] = str(project_data)  # notebook kernels inherit it
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", "--data", str(data), "--out", str(out), "--spec", str(spec), "--jobs", "2",
                         "--quiet"])
    finally:
        if saved is None:
            os.environ.pop("FORECAST_DATA", None)
        else:
            os.environ["FORECAST_DATA"] = saved
    folders = [p for p in out.iterdir() if p.is_dir() and p.name.isdigit()] if out.exists() else []
    info = {"report": str(folders[0]) if folders else "", "data": str(data), "code": code, "stderr": err.getvalue()}
    done.write_text(json.dumps(info), encoding="utf-8")
    return {**info, "report": Path(info["report"]), "data": data}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    run = hostile_run(tmp_path_factory)
    assert run["code"] == 0, run["stderr"]
    return run


# --- searching every output byte -----------------------------------------------------------------

_B64 = re.compile(rb"(?:data:image/[a-z+]+;base64,|\"image/png\":\s*\")([A-Za-z0-9+/=\\n]+)")


def blobs(path: Path):
    """The file's bytes and every base64 image embedded in it (decoded), as (label, bytes)."""
    raw = path.read_bytes()
    yield path.name, raw
    for k, m in enumerate(_B64.finditer(raw)):
        data = m.group(1).replace(b"\\n", b"")
        try:
            yield f"{path.name}#image{k}", base64.b64decode(data + b"=" * (-len(data) % 4))
        except ValueError:
            continue
    if path.suffix == ".png":
        yield path.name, raw


def marker_forms(marker: str) -> set[bytes]:
    """The byte spellings a leaked marker could take: UTF-8 (NFC and NFD), JSON-escaped, HTML-escaped."""
    forms = {marker, unicodedata.normalize("NFD", marker), json.dumps(marker)[1:-1], html.escape(marker)}
    return {f.encode("utf-8") for f in forms}


def find_markers(folder: Path) -> list[tuple[str, str]]:
    """(file or embedded image, marker) for every marker found under ``folder``."""
    hits = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for label, data in blobs(path):
            for marker in MARKERS:
                if any(form in data for form in marker_forms(marker)):
                    hits.append((label, marker))
    return hits


@pytest.mark.slow
def test_the_marker_search_finds_markers_where_they_are(hostile, tmp_path):
    """A control: the search does find the planted markers, in the input and in an embedded image."""
    assert {m for _f, m in find_markers(hostile["data"])} == set(MARKERS)
    png = b"\x89PNG\r\n\x1a\n" + b"tEXtComment\x00" + MARKER_BIRTH[0].encode()
    page = tmp_path / "page.html"
    page.write_bytes(b'<img src="data:image/png;base64,' + base64.b64encode(png) + b'">')
    assert find_markers(tmp_path) == [("page.html#image0", MARKER_BIRTH[0])]


@pytest.mark.slow
def test_no_person_id_name_or_birth_date_appears_in_any_output(hostile):
    report = hostile["report"]
    files = [p for p in report.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".html", ".ipynb", ".json", ".csv"} <= kinds
    n_images = sum(1 for p in files for label, _ in blobs(p) if "#image" in label)
    print(f"\nsearched {len(files)} files and {n_images} embedded images for {len(MARKERS)} markers")
    assert n_images > 0
    assert find_markers(report) == []


@pytest.mark.slow
def test_the_roster_did_reach_the_reports(hostile):
    """The run used the roster (scenario projections come from it), so the search above is not vacuous."""
    summary = json.loads((hostile["report"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenarios"] == ["baseline"]
    assert any(t["scenario_p_meet"].get("baseline") is not None for t in summary["targets"])
    assert any(key.endswith("/roster.csv") for key in summary["provenance"]["inputs_sha256"])


# --- small cells ---------------------------------------------------------------------------------

_NUMBER_CELL = re.compile(r'<td class="num"[^>]*>([^<]*)</td>')


def _counts_in_unit_tables(page_html: str) -> list[str]:
    """The 'meeting' and 'total' cells of every per-unit table row (the columns that count people)."""
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", page_html, re.S):
        cells = _NUMBER_CELL.findall(row)
        if len(cells) >= 2:
            out += cells[:2]
    return out


def _is_small(cell: str, min_cell: int) -> bool:
    digits = re.sub(r"[.,\s\u00a0]", "", cell)
    return digits.isdigit() and 0 < int(digits) < min_cell


@pytest.mark.slow
def test_commune_pages_hide_small_cells_and_say_so(hostile):
    pages = sorted(hostile["report"].glob("commune-*.html"))
    assert len(pages) == len(FIXTURE_COMMUNES)
    tiny = hostile["report"] / f"commune-{FIXTURE_COMMUNES[-1]}.html"   # the fixture's 3-person commune
    text = tiny.read_text(encoding="utf-8")
    assert "các ô có dưới 5 người được ẩn" in text
    assert ">ẩn<" in text
    for page in pages:
        small = [c for c in _counts_in_unit_tables(page.read_text(encoding="utf-8")) if _is_small(c, 5)]
        assert small == [], f"{page.name}: cells under 5 people shown: {small}"


class _Shown:
    """Collects what notebook helpers display."""

    def __init__(self):
        self.html = []

    def __call__(self, obj):
        self.html.append(obj.data)


@pytest.mark.parametrize("min_cell", [5, 20, 35])
def test_the_suppression_threshold_is_a_parameter(monkeypatch, min_cell):
    from forecast.reports import notebook as nbk

    res = make_results()
    shown = _Shown()
    monkeypatch.setattr(nbk, "display", shown)
    nbk.privacy_note("vi", min_cell)
    for code in FIXTURE_COMMUNES:
        nbk.commune_table(res, code, "vi", min_cell)
    page = "\n".join(shown.html)
    assert f"các ô có dưới {min_cell} người được ẩn" in page
    counts = _counts_in_unit_tables(page)
    assert counts, "no per-unit table was drawn"
    assert [c for c in counts if _is_small(c, min_cell)] == []
    units = pd.concat([o.units for o in res.targets if o.units is not None])
    latest = units[units["year"] == res.as_of]
    if (latest["denominator"] < min_cell).any():
        assert "ẩn" in counts


@pytest.mark.slow
def test_summary_files_hold_aggregates_only(hostile):
    """summary.json / summary.csv have one row per target and no unit- or person-level field."""
    summary = json.loads((hostile["report"] / "summary.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in summary["targets"]] == [f"T{i:02d}" for i in range(1, 12)]
    frame = pd.read_csv(hostile["report"] / "summary.csv", sep=";", encoding="utf-8-sig")  # the --lang vi dialect
    assert len(frame) == 11
    personal = {"person_id", "birth_year", "birth_month", "birth_date", "ho_ten", "ghi_chu", "name", "unit_code"}
    assert personal.isdisjoint(frame.columns)
    assert personal.isdisjoint(k for t in summary["targets"] for k in t)
