"""The costed training plan in the annual run: computed once and cached, the same figures in
``summary.json``, on the summary, target and unit pages (both languages) and in the exports,
with no individual-level figure anywhere."""

import json
import re
import unicodedata
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from forecast import i18n
from forecast import stockflow as sf
from forecast.plan import needs, units
from forecast.reports import html, planpage, planrun
from forecast.reports.blocks import esc
from forecast.reports.pipeline import RunResults
from forecast.reports.runspec import RunSpecError, load_spec

UNITS = ["06001", "06002", "06003", "06004"]


@pytest.fixture(scope="module")
def roster():
    r = sf.random_roster(1500, year=2025, seed=9)
    rng = np.random.default_rng(0)
    # 06004 is tiny: its cells fall under 5 people
    r["unit_code"] = np.where(r["level"] == "tinh", "P01", rng.choice(UNITS, len(r), p=[0.33, 0.33, 0.332, 0.008]))
    return r


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("plan-cache")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    (folder / "dataset.yml").write_text("name: test\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def doc(roster, data_dir, cache):
    out = planrun.plan_document(SimpleNamespace(roster=roster), data_dir, p=0.6, n_draws=40, seed=1,
                                with_efforts=False, cache_dir=cache, history={})
    # one target's own effort (the full search of every target is the run's slowest part)
    out["efforts"] = [e.to_dict() for e in needs.effort_for_every_target(roster, p=0.6, n_draws=30, seed=1,
                                                                          targets=["T08"], history={})]
    return out


@pytest.fixture(scope="module")
def plan(doc):
    return planrun.plan_summary(doc)


@pytest.fixture(scope="module")
def res(plan):
    return RunResults(as_of=2025, lang="vi", data_dir="x", synthetic=True, meta={}, files={}, targets=[],
                      scenarios=[], communes=pd.DataFrame({"unit_code": UNITS, "name": [f"Xã {u}" for u in UNITS]}),
                      coverage=pd.DataFrame(), warnings=[], parameters={}, plan=plan)


def test_a_second_run_on_the_same_inputs_reads_the_plan_back_from_the_cache(roster, data_dir, cache, doc):
    again = planrun.plan_document(SimpleNamespace(roster=roster), data_dir, p=0.6, n_draws=40, seed=1,
                                  with_efforts=False, cache_dir=cache, history={})
    assert again["cached"] is True and len(list(cache.glob("plan-*.json"))) == 1
    assert again["plan"]["places_per_year"] == doc["plan"]["places_per_year"]
    assert again["plan"]["cost_total_vnd"] == doc["plan"]["cost_total_vnd"]


@pytest.mark.parametrize(("dataset", "p"), [(SimpleNamespace(roster=None), 0.8), (None, 0.8)])
def test_no_roster_means_no_plan(dataset, p, data_dir, cache):
    assert planrun.plan_document(dataset, data_dir, p=p, cache_dir=cache) is None
    assert planrun.plan_summary(None) is None


def test_the_summary_block_holds_the_plan_sections_numbers(doc, plan):
    section = doc["plan"]
    assert plan["places_per_year"] == section["places_per_year"]
    assert plan["cost_total_vnd"] == pytest.approx(section["cost_total_vnd"])
    assert sum(plan["cost_by_year_vnd"].values()) == pytest.approx(section["cost_total_vnd"])
    assert sum(plan["cost_by_programme_vnd"].values()) == pytest.approx(section["cost_total_vnd"])
    assert plan["probabilities"] == section["probabilities"]
    assert set(plan["unreachable"]) == set(section["unreachable"])
    assert plan["years"] == list(range(2026, 2031))


def test_summary_json_carries_the_same_plan(res, plan):
    data = json.loads(json.dumps(html.summary(res, {})))
    shown = data["plan"]
    assert shown["places_per_year"] == plan["places_per_year"]
    assert shown["cost_total_vnd"] == pytest.approx(plan["cost_total_vnd"])
    assert shown["cost_by_year_vnd"] == pytest.approx(plan["cost_by_year_vnd"])
    assert {k: v["status"] for k, v in shown["unit_costs"].items()} == {k: v["status"] for k, v in
                                                                       plan["unit_costs"].items()}


def test_the_units_allocations_add_up_to_the_provincial_places(plan):
    alloc = pd.DataFrame(plan["allocation"])
    per_programme = alloc.groupby("programme")["places_per_year"].sum()
    for pg, n in plan["places_per_year"].items():
        assert per_programme.get(pg, 0) == n or n == 0, pg
    assert (alloc["places_per_year"] >= 0).all()


def test_a_unit_page_lists_exactly_its_allocation(res, plan):
    for unit in UNITS:
        mine = planpage.unit_allocation(plan, unit)
        expected = {r["programme"]: r["places_per_year"] for r in plan["allocation"]
                    if r["unit"] == unit and r["places_per_year"] > 0}
        assert mine == expected
        page = planpage.unit_html(res, unit, "en")
        for pg, n in mine.items():
            assert i18n.t("plan.places_item", "en", programme=planpage.programme_name(pg, "en"), places=f"{n:,}") in page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_summary_page_shows_the_costed_plan(res, plan, lang):
    page = planpage.plan_html(res, lang)
    assert i18n.t("plan.heading", lang) in page and unicodedata.is_normalized("NFC", page)
    assert planpage.vnd(plan["cost_total_vnd"], lang) in page
    assert i18n.t("plan.basis_assumption", lang) in page        # the assumed unit costs are labelled
    for pg, n in plan["places_per_year"].items():
        if n > 0:
            assert planpage.programme_name(pg, lang) in page
    other = "en" if lang == "vi" else "vi"
    assert i18n.t("plan.heading", other) not in page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_target_pages_show_the_effort_line_t09_parts_and_t11_fields(res, lang):
    t08 = planpage.effort_html(res, "T08", lang)
    assert i18n.t("plan.effort_heading", lang) in t08
    assert re.search(r"(chỉ tiêu mỗi năm|places a year)", t08)
    t09 = planpage.effort_html(res, "T09", lang)
    assert esc(i18n.t("plan.t09_heading", lang)) in t09 and esc(i18n.t("plan.part.T09b", lang)) in t09
    t11 = planpage.effort_html(res, "T11", lang)
    assert esc(i18n.t("plan.t11_heading", lang)) in t11 and esc(i18n.t("plan.field.du_lich", lang)) in t11


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_without_a_plan_the_pages_say_so_and_add_nothing(res, lang):
    bare = SimpleNamespace(plan=None, communes=res.communes)
    assert i18n.t("plan.none", lang) in planpage.plan_html(bare, lang)
    assert planpage.effort_html(bare, "T01", lang) == "" and planpage.unit_html(bare, "06001", lang) == ""


def test_nothing_individual_level_reaches_the_summary_or_the_pages(roster, res, plan):
    text = json.dumps(plan, ensure_ascii=False)
    for banned in ("person_id", "birth_year", "numerator", "denominator", "people_short", "smallest_population"):
        assert banned not in text
    counts = units.unit_counts(roster)
    small = {(r.unit, r.target) for r in counts.itertuples() if r.denominator < units.MIN_CELL}
    assert small  # the fixture has cells under 5 people (06004, and T07 everywhere)
    shown = {(r["unit"], r["target"]) for r in plan["units"]}
    assert shown and not shown & small
    for unit in ("06004", "06003"):
        page = planpage.unit_html(res, unit, "en")
        rows = re.findall(r'<td data-label="Id">(T\d\d[abc]?)</td>', page)
        assert rows and not {(unit, tid) for tid in rows} & small
    for row in plan["t11_by_field"]:
        assert all(v is None or v >= units.MIN_CELL for k, v in row.items() if k != "year")


@pytest.mark.parametrize(("value", "ok"), [(0.8, True), (None, True), (0, False), (1.2, False), ("high", False)])
def test_the_run_spec_checks_the_plans_probability(tmp_path, value, ok):
    spec = tmp_path / "run.yml"
    shown = "" if value is None else json.dumps(value)
    spec.write_text(f"prepare:\n  plan_p: {shown}\nnotebooks:\n  - notebook: summary.ipynb\n", encoding="utf-8")
    if ok:
        assert load_spec(spec)["prepare"]["plan_p"] == value
    else:
        with pytest.raises(RunSpecError, match="plan_p"):
            load_spec(spec)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_workbook_and_the_report_carry_the_plan(tmp_path, plan, lang):
    from conftest import docx_cells, docx_paragraphs, make_results, written_exports

    from forecast.reports import xlsx as report_xlsx

    results = make_results(lang=lang)
    results.plan = plan
    data, wb, doc = written_exports(tmp_path, results, lang)
    name = report_xlsx.sheet_name("plan", lang, True)
    assert name.startswith("Kế hoạch đào tạo" if lang == "vi" else "Training plan")
    sheet = list(wb[name].iter_rows(values_only=True))
    cells = [c for row in sheet for c in row if c is not None]
    assert data["plan"]["cost_total_vnd"] in cells                       # the total in VND, as a number
    by_name: dict = {}
    for row in sheet:  # the first table: one row per programme (the allocation below repeats the names)
        by_name.setdefault(row[0], row)
    for pg, n in plan["places_per_year"].items():                        # places a year, each year 2026–2030
        assert list(by_name[planpage.programme_name(pg, lang)][1:6]) == [n] * 5
    assert i18n.t("plan.basis_assumption", lang) in cells
    text = docx_paragraphs(doc)
    tables = "\n".join(docx_cells(doc))
    assert i18n.t("plan.heading", lang) in text
    assert planpage.vnd(plan["cost_total_vnd"], lang) in tables


def test_the_plan_travels_in_the_runs_results_file_unchanged(tmp_path, res, plan):
    from forecast.reports import resultstore

    back = resultstore.load(resultstore.dump(res, tmp_path / "_results.json"))
    assert back.plan == plan


def _effort(**kw):
    base = {"target_id": "T01", "programmes": ["university"], "places_per_year": 120, "baseline_places": 80.0,
            "probability": 0.83, "baseline_probability": 0.4, "p_required": 0.8, "reachable": True,
            "cost_per_year_vnd": 7.2e9, "cost_total_vnd": 3.1e10, "cost_status": "assumption"}
    return {**base, **kw}


@pytest.mark.parametrize(("effort", "vi", "en"), [
    (_effort(), "Cần 120 chỉ tiêu mỗi năm", "120 places a year"),
    (_effort(), "31,0 tỷ đồng giai đoạn 2026–2030 (đơn giá GIẢ ĐỊNH)", "VND 31.0 bn over 2026–2030 (ASSUMED unit cost)"),
    (_effort(places_per_year=0, probability=0.97), "Đạt được ngay cả khi không mở lớp", "Met even with no places"),
    (_effort(reachable=False, places_per_year=21058, probability=0.3), "Chỉ đào tạo thì không đạt được",
     "Training alone cannot reach it"),
])
def test_the_effort_line_says_places_and_cost_or_why_not(effort, vi, en):
    plan = {"efforts": [effort], "probabilities": {}, "places_per_year": {}, "baseline_probabilities": {}}
    assert vi in " ".join(planpage.effort_sentences(plan, "T01", "vi"))
    assert en in " ".join(planpage.effort_sentences(plan, "T01", "en"))
