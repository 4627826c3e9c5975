"""Report pages, index, method notes and summary files, from hand-made results (no models run)."""

import json
import re
import unicodedata

import pytest

from forecast.reports import html as report


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_is_self_contained_and_declares_its_language(lang):
    doc = report.page("Tiêu đề <x>", "<p>body</p>", lang=lang)
    assert f'<html lang="{lang}">' in doc
    assert '<meta charset="utf-8">' in doc and 'name="viewport"' in doc
    assert "Tiêu đề &lt;x&gt;" in doc
    assert not re.search(r'<(script|link)\b', doc)            # no script, no external stylesheet
    assert not re.search(r'(src|href)="https?://', doc)       # nothing fetched from the network


def test_page_text_is_nfc():
    decomposed = unicodedata.normalize("NFD", "Số liệu Lạng Sơn")
    doc = report.page("t", f"<p>{decomposed}</p>")
    assert "Số liệu Lạng Sơn" in doc and unicodedata.is_normalized("NFC", doc)


@pytest.mark.parametrize(("lang", "as_of_text", "method_word", "notice", "other_notice"), [
    ("vi", "Số liệu đến:</strong> 30/10/2025", "Phương pháp", "Dữ liệu tổng hợp — minh họa", "Synthetic data"),
    ("en", "Data as of:</strong> 2025-10-30", "Method", "Synthetic data — for illustration", "Dữ liệu"),
])
def test_header_states_as_of_source_notice_method_and_link(results, lang, as_of_text, method_word, notice,
                                                           other_notice):
    head = report.page_header(results, lang)
    assert as_of_text in head
    assert "Tỉnh thử nghiệm" in head                            # the dataset's name
    assert notice in head and other_notice not in head          # the notice in the page's language only
    assert method_word in head
    assert 'href="methods.html"' in head


def test_header_states_synthetic_data_instead_of_the_generator_command(results):
    results.meta = {"name": "Tỉnh mô phỏng / Synthetic demonstration province", "source": "forecast synth --seed 165"}
    vi, en = report.page_header(results, "vi"), report.page_header(results, "en")
    assert "forecast synth" not in vi + en and "--seed" not in vi + en
    assert "Tỉnh mô phỏng — bộ số liệu tổng hợp" in vi and "Synthetic demonstration province" not in vi
    assert "Synthetic demonstration province — a synthetic dataset" in en


def test_header_names_the_source_of_real_data(results):
    results.synthetic = False
    results.meta = {"name": "Sở Nội vụ", "source": "Báo cáo năm 2025 của các đơn vị"}
    head = report.page_header(results, "vi")
    assert "Sở Nội vụ — Báo cáo năm 2025 của các đơn vị" in head


def test_header_has_no_synthetic_notice_for_real_data(results):
    results.synthetic = False
    assert "notice" not in report.page_header(results, "vi")


def test_header_escapes_data_derived_text(results):
    results.synthetic = False
    results.meta = {"name": "<script>alert(1)</script>", "source": "x & y"}
    head = report.page_header(results, "vi")
    assert "<script>" not in head and "&lt;script&gt;" in head and "x &amp; y" in head


def test_index_links_pages_by_section(results):
    pages = [{"title": "Tóm tắt", "href": "summary.html", "group": "main"},
             {"title": "T01", "href": "target-T01.html", "group": "targets"},
             {"title": "Xã <b>", "href": "commune-06040.html", "group": "communes"}]
    doc = report.index_page(pages, results, "vi")
    hrefs = re.findall(r'href="([^"]+)"', doc)
    for p in pages:
        assert p["href"] in hrefs
    assert {"summary.json", "summary.csv", "methods.html"} <= set(hrefs)
    assert "Xã &lt;b&gt;" in doc


@pytest.mark.parametrize(("lang", "file", "heading"), [("vi", "methods.vi.md", "Phương pháp"),
                                                       ("en", "methods.md", "Methods")])
def test_methods_page_renders_the_notes_of_its_language(tmp_path, monkeypatch, results, lang, file, heading):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / file).write_text(f"# {heading}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>x</script>\n",
                                          encoding="utf-8")
    monkeypatch.setenv("FORECAST_ROOT", str(tmp_path))
    out = tmp_path / "methods.html"
    report.write_methods_page(out, results, lang)
    doc = out.read_text(encoding="utf-8")
    assert f"<h1>{heading}</h1>" in doc and "<table>" in doc
    assert '<div class="table-wrap"' in doc                  # wide tables scroll in their own box
    assert "<script>" not in doc


def test_maintainers_comments_in_the_notes_are_not_shown():
    body = report.markdown_to_html("a\n\n<!-- sensitivity:start -->\n| x |\n|---|\n| 1 |\n<!-- sensitivity:end -->\n")
    assert "sensitivity" not in body and "<table>" in body


def test_methods_page_exists_even_without_notes(tmp_path, monkeypatch, results):
    monkeypatch.setenv("FORECAST_ROOT", str(tmp_path))
    report.write_methods_page(tmp_path / "methods.html", results, "en")
    assert "not part of this release" in (tmp_path / "methods.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_method_notes_exist_in_both_languages(lang):
    from forecast import config

    assert config.methods_file_for(lang).is_file()


def test_the_vietnamese_method_notes_follow_the_english_ones():
    """Same sections in the same order, and every figure of a section in its translation too."""
    from forecast import config

    def sections(path):
        text = path.read_text(encoding="utf-8")
        # the benchmark table is rewritten in the English notes by benchmarks/accuracy.py; the
        # Vietnamese notes keep a dated copy
        text = re.sub(r"<!-- sensitivity:start -->.*?<!-- sensitivity:end -->", "", text, flags=re.S)
        parts = re.split(r"^## ", text, flags=re.M)[1:]
        return [set(re.findall(r"\d+(?:[.,]\d+)?", re.sub(r"(\d)[.,](\d)", r"\1.\2", p))) for p in parts]

    en, vi = sections(config.methods_file_for("en")), sections(config.methods_file_for("vi"))
    assert len(vi) == len(en)
    for k, (a, b) in enumerate(zip(en, vi, strict=True), start=1):
        assert a <= b, f"section {k}: figures missing from the Vietnamese notes: {sorted(a - b)}"


def test_page_css_prints_on_a4_and_keeps_status_colours():
    css = report.PAGE_CSS
    assert "size: A4 portrait" in css and "@media print" in css
    assert "break-before: page" in css                       # sections start on a new page
    assert ".status-on_track" in css and "STATUS_CSS" not in css


def test_summary_lists_every_target_with_the_required_fields(tmp_path, results):
    prov = report.provenance(results, started="s", finished="f", commit=None)
    data = report.write_summary(tmp_path, results, prov)
    on_disk = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert on_disk == data
    assert data["as_of"] == 2025 and data["synthetic"] is True and data["lang"] == "vi"
    assert [t["id"] for t in data["targets"]] == [f"T{i:02d}" for i in range(1, 12)]
    for key in ("latest_value", "latest_year", "median_2030", "lo80_2030", "hi80_2030", "p_meet", "status",
                "official_label", "required_pace", "observed_pace", "scenario_p_meet", "p_meet_scenario"):
        assert key in data["targets"][0], key
    t01 = data["targets"][0]
    assert t01["lo80_2030"] <= t01["median_2030"] <= t01["hi80_2030"]
    assert t01["p_meet_scenario"] == t01["scenario_p_meet"]["baseline"]
    assert set(data["provenance"]) >= {"inputs_sha256", "package_version", "git_commit", "parameters",
                                       "started", "finished"}
    csv = (tmp_path / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("\ufeffMã chỉ tiêu;Loại chỉ tiêu;Mục tiêu năm 2030") and len(csv) == 12


def test_summary_is_json_clean(results, tmp_path):
    results.targets[0].attainment["p_meet"] = float("nan")
    data = report.summary(results, {})
    assert data["targets"][0]["p_meet"] is None
    json.dumps(data, allow_nan=False)


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    report.atomic_write_text(tmp_path / "a.html", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["a.html"]
    assert (tmp_path / "a.html").stat().st_mode & 0o777 == 0o644
