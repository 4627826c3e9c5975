"""The report notebooks: committed clean, thin, declared in the run, and executed on fixture data."""

import re
from pathlib import Path

import nbformat
import pytest

from forecast import config
from forecast.reports import notebook as nbk
from forecast.reports.pipeline import load_spec, notebook_parameters

NOTEBOOKS = sorted(p for p in config.notebooks_dir().glob("*.ipynb") if p.name != "explore.ipynb")


@pytest.fixture
def shown(monkeypatch):
    """Collects what the helpers display (as HTML text) instead of sending it to a kernel."""
    out: list[str] = []
    monkeypatch.setattr(nbk, "display", lambda obj: out.append(obj.data))
    return out


def _html(shown) -> str:
    return "".join(shown)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    params = notebook_parameters(path)
    assert {"as_of", "lang", "data_dir", "results"} <= set(params)
    code = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    for src in code:                                          # cells call into forecast, no logic of their own
        assert "def " not in src and "class " not in src and "import pandas" not in src


def test_every_notebook_is_part_of_the_annual_run():
    spec = load_spec()
    assert {e["notebook"] for e in spec["notebooks"]} == {p.name for p in NOTEBOOKS}


def test_unit_names_are_escaped(results, shown):
    results.communes.loc[0, "name"] = "<script>alert(1)</script>"
    code = results.communes.loc[0, "unit_code"]
    nbk.commune_title(results, code, "vi")
    nbk.commune_chart(results, code, "vi")
    out = _html(shown)
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out


@pytest.mark.parametrize(("lang", "hidden_word", "note"), [("vi", "ẩn", "dưới 5 người"), ("en", "hidden", "fewer than 5")])
def test_small_cells_are_suppressed_and_the_page_says_so(results, shown, lang, hidden_word, note):
    tiny = "06019"                                            # the fixture's unit of 3 people
    nbk.privacy_note(lang, 5)
    nbk.commune_table(results, tiny, lang, 5)
    out = _html(shown)
    assert note in out
    rows = out.split("<tr>")[2:]
    assert rows and all(re.search(rf'<td class="num"[^>]*>{hidden_word}</td>', r) for r in rows)


def test_large_cells_are_shown(results, shown):
    """Rows whose count and complement are both 5 or more keep every cell (secondary suppression
    hides only what could reveal a small cell; docs/reports.md, "Small cells")."""
    nbk.commune_table(results, "06040", "en", 5)
    rows = _html(shown).split("<tr>")[2:]
    assert any("hidden</td>" not in r for r in rows)


@pytest.mark.parametrize(("lang", "words"), [("vi", ["Mục tiêu", "Xác suất đạt", "Cần làm gì"]),
                                             ("en", ["Target", "Chance of meeting", "What it would take"])])
def test_summary_table_lists_all_targets_in_the_language(results, shown, lang, words):
    nbk.summary_table(results, lang)
    out = _html(shown)
    for i in range(1, 12):
        assert re.search(rf"<td[^>]*>T{i:02d}</td>", out)
    for w in words:
        assert w in out
    if lang == "vi":
        t01_row = re.search(r"<td[^>]*>T01</td>(.*?)</tr>", out).group(1)
        assert re.search(r"\d,\d", t01_row)                     # decimal comma in the T01 row


@pytest.mark.parametrize("target_id", ["T01", "T11"])
def test_target_sections_have_figure_alt_and_caption(results, shown, target_id):
    nbk.target_title(results, target_id, "vi")
    nbk.fan_chart(results, target_id, "vi")
    nbk.target_facts(results, target_id, "vi")
    out = _html(shown)
    assert out.count("<h1>") == 1 and 'alt="' in out and "<figcaption>" in out


def test_what_it_takes_reads_the_pace(results):
    o = results.target("T07")                                  # behind: required pace above observed
    o.attainment.update(required_pace_pp=3.0, observed_pace_pp=1.0, status="off_track")
    sentence = nbk.what_it_takes(o, "vi")
    assert "+3,0 điểm phần trăm/năm" in sentence and "gấp 3,0 lần" in sentence


@pytest.mark.slow
def test_every_notebook_ran_on_the_fixture_data(annual_run):
    folder, code, err = annual_run
    assert code == 0, err
    executed = {p.name for p in (folder / "notebooks").glob("*.ipynb")}
    spec = load_spec()
    for entry in spec["notebooks"]:
        stem = Path(entry["notebook"]).stem
        prefix = entry.get("output", stem).split("{")[0]
        assert any(name.startswith(prefix) for name in executed), entry["notebook"]
    assert {f"target-T{i:02d}.ipynb" for i in range(1, 12)} <= executed
    assert any(name.startswith("commune-") for name in executed)
