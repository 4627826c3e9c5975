"""Report content of the plan: tables and sentences in both languages, no cell under 5 people."""

import unicodedata

import numpy as np
import pandas as pd
import pytest

from forecast import stockflow as sf
from forecast.plan import joint, needs, report, units


@pytest.fixture(scope="module")
def roster():
    r = sf.random_roster(1500, year=2025, seed=9)
    rng = np.random.default_rng(0)
    r["unit_code"] = np.where(r["level"] == "tinh", "P01", rng.choice(["06001", "06002", "06003", "06004"], len(r),
                                                                      p=[0.33, 0.33, 0.332, 0.008]))
    return r


@pytest.fixture(scope="module")
def plan(roster):
    return joint.least_cost_plan(roster, p=0.6, n_draws=40, seed=1, history={}, max_iterations=3)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_plan_table_has_every_programme_and_year_and_labels_assumptions(plan, lang):
    table = report.plan_table(plan, lang)
    assert len(table) == len(plan.places)
    assert {str(y) for y in range(2026, 2031)} <= set(table.columns)
    basis = table.iloc[:, -1]
    assert basis.str.contains("ASSUMPTION").sum() == len(plan.places) - 1  # all but post-graduate
    text = " ".join(report.plan_sentences(plan, lang))
    assert unicodedata.is_normalized("NFC", text) and ("GIẢ ĐỊNH" in text if lang == "vi" else "ASSUMPTION" in text)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_effort_lines_say_places_and_cost_or_why_not(roster, lang):
    efforts = needs.effort_for_every_target(roster, p=0.6, n_draws=30, seed=1, targets=["T08"], history={})
    line = report.effort_line(efforts[0], lang)
    assert line.startswith("T08: ")
    if efforts[0].reachable:
        assert ("chỉ tiêu/năm" if lang == "vi" else "places a year") in line


def test_no_unit_cell_under_five_people(roster):
    proj = sf.project(roster, "baseline", 2025, 2030, n_draws=40, seed=0, history={})
    out = units.unit_outlook(roster, proj)
    table = report.unit_table(out, units.ranked_units(out), units.allocate({"university": 30}, out))
    small = out.table["denominator"] < units.MIN_CELL
    assert small.any()  # the fixture has a tiny commune
    shown = table.dropna(subset=["denominator"])
    assert (shown["denominator"] >= units.MIN_CELL).all()
    assert table.loc[table["denominator"].isna(), ["share", "p_meet"]].isna().all().all()


def test_t11_breakdown_suppresses_small_counts(roster):
    table = report.t11_by_field(roster)
    values = table.to_numpy().ravel()
    assert all(v is None or v >= units.MIN_CELL for v in values)


def test_what_changed_names_moves_and_reasons(tmp_path):
    before = {"targets": [{"id": "T01", "status": "on_track", "p_meet": 0.9, "latest_year": 2024, "threshold": 0.95},
                          {"id": "T02", "status": "off_track", "p_meet": 0.2, "latest_year": 2024, "threshold": 0.7},
                          {"id": "T03", "status": "on_track", "p_meet": 0.8, "latest_year": 2024, "threshold": 1.0}]}
    now = {"targets": [{"id": "T01", "status": "off_track", "p_meet": 0.5, "latest_year": 2025, "threshold": 0.95},
                       {"id": "T02", "status": "off_track", "p_meet": 0.25, "latest_year": 2025, "threshold": 0.7},
                       {"id": "T03", "status": "off_track", "p_meet": 0.4, "latest_year": 2024, "threshold": 0.99}]}
    moved = report.what_changed(before, now, lang="en")
    assert moved["target"].tolist() == ["T01", "T03"]
    assert moved["reason"].tolist() == ["new data", "definition change"]
    assert report.what_changed(tmp_path / "missing.json", now).empty


def test_the_plan_section_is_one_json_document(roster):
    import json

    from forecast.plan import section

    sec = section.plan_section(roster, p=0.6, n_draws=30, seed=1, history={})
    doc = json.loads(json.dumps(sec.to_dict()))
    assert set(doc) == {"plan", "efforts", "units", "ranked_units", "allocation", "t09_parts", "t11_by_field"}
    alloc = pd.DataFrame(doc["allocation"])
    for pg, n in doc["plan"]["places_per_year"].items():
        if n and pg in set(alloc["programme"]):
            assert alloc.loc[alloc["programme"] == pg, "places_per_year"].sum() == n
    assert all(r["denominator"] is None or r["denominator"] >= units.MIN_CELL for r in doc["units"])
