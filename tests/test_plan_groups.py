"""The plan's places by population group: measured on the engine's own enrolments, adding up to each
programme's places, reaching only groups the programme can serve, small parts hidden, shown on the
summary page, in the workbooks, the report and the plan's JSON."""

import re

import numpy as np
import pandas as pd
import pytest

from forecast import i18n
from forecast import stockflow as sf
from forecast.plan import groups, joint
from forecast.reports import plangroups, planpage, planrun
from forecast.reports.pipeline import RunResults
from forecast.stockflow import scenarios as sc
from forecast.stockflow.layout import matches
from forecast.stockflow.spec import GROUP_KEYS, PROGRAMMES


@pytest.fixture(scope="module")
def roster():
    return sf.random_roster(1200, year=2025, seed=9)


@pytest.fixture(scope="module")
def plan(roster):
    # a small search: few draws, two rounds (the split is read off whatever plan it verifies)
    return joint.least_cost_plan(roster, p=0.6, n_draws=30, seed=1, history={}, max_iterations=2)


@pytest.fixture(scope="module")
def summary(plan):
    return planrun.plan_summary(planrun._jsonable({"plan": plan.to_dict(), "draws": 30, "seed": 1}))


def _scenario(**places):
    return sc.load_scenario("baseline").with_levers({f"programmes.{k}.capacity": v for k, v in places.items()})


# --- the engine's record -----------------------------------------------------------------------------
def test_recording_by_group_changes_no_draw_and_adds_up_to_the_enrolments(roster):
    scen = _scenario(university=150, standardisation=40)
    plain = sf.project(roster, scen, None, 2028, n_draws=20, seed=3, history={})
    rec = sf.project(roster, scen, None, 2028, n_draws=20, seed=3, history={}, by_group=True)
    assert plain.enrolments_by_group is None
    for tid in plain.numerators:
        assert np.array_equal(plain.numerators[tid], rec.numerators[tid])
    got = rec.enrolments_by_group.groupby(["year", "programme"])["enrolled"].sum()
    want = rec.enrolments.set_index(["year", "programme"])["enrolled"]
    assert np.allclose(got, want.loc[got.index])
    assert (want.drop(got.index) == 0).all()  # a programme-year with no group row enrolled no one


def test_the_engine_enrols_only_groups_the_programme_admits(roster):
    rec = sf.project(roster, _scenario(standardisation=80, political_theory_senior=60), None, 2027, n_draws=20,
                     seed=3, history={}, by_group=True)
    frame = rec.enrolments_by_group
    for pg, part in frame.groupby("programme"):
        assert matches(part[list(GROUP_KEYS)], PROGRAMMES[pg].eligible).all(), pg


def test_no_place_goes_to_a_group_that_already_holds_the_qualification(roster):
    # every public employee outside the leader posts holds a degree: no university place reaches them in
    # the first year (recruits, who may lack one, arrive after the year's enrolments)
    r = roster.copy()
    r.loc[(r["category"] == "vien_chuc") & (r["leader"] == "none"), "education"] = "dai_hoc"
    rec = sf.project(r, _scenario(university=300), None, 2027, n_draws=20, seed=3, history={}, by_group=True)
    split = groups.places_by_group(rec.enrolments_by_group, {"university": 300}, (2026, 2027))
    first = split[split["year"] == 2026].set_index("group")["places"]
    assert "vien_chuc" not in first.index or first["vien_chuc"] == 0
    assert first.sum() == 300 and first.drop("vien_chuc", errors="ignore").drop(groups.UNFILLED).sum() > 0


# --- the split of the verified plan --------------------------------------------------------------------
def test_each_programme_year_adds_up_exactly_to_the_programmes_places(plan):
    split = plan.by_group
    sums = split.groupby(["programme", "year"])["places"].sum()
    for pg, n in plan.places.items():
        for year in range(joint.YEARS[0], joint.YEARS[1] + 1):
            assert sums.get((pg, year), 0) == n, (pg, year)


def test_the_parts_are_the_simulated_intake_and_unused_places_are_apart(plan):
    split = plan.by_group
    taken = split[split["group"] != groups.UNFILLED].groupby(["programme", "year"])["places"].sum()
    intake = split.groupby(["programme", "year"])["enrolled"].sum()
    places = pd.Series(plan.places)
    for (pg, year), k in taken.items():
        assert k == min(places[pg], round(intake[(pg, year)]))
    assert (split.loc[split["group"] != groups.UNFILLED, "places"] <= split.loc[
        split["group"] != groups.UNFILLED, "enrolled"] + 1).all()  # rounding moves a part by under one


def test_every_group_with_places_is_one_the_programme_can_serve(plan, roster):
    served = plan.by_group[(plan.by_group["places"] > 0) & (plan.by_group["group"] != groups.UNFILLED)]
    for pg, part in served.groupby("programme"):
        assert set(part["group"]) <= groups.eligible_groups(pg, roster), pg
    pt = served[served["programme"].str.startswith("political_theory")]
    assert "vien_chuc" not in set(pt["group"])  # political theory is for cadres and civil servants
    std = served[served["programme"] == "standardisation"]
    assert set(std["group"]) <= {"can_bo_chu_chot_cap_xa", "can_bo_cap_xa", "lanh_dao_cap_so", "lanh_dao_cap_phong"}


@pytest.mark.parametrize("row, group", [
    ({"category": "cong_chuc", "level": "xa", "leader": "none", "key_cadre": 0, "in_pool": 1}, "cbcc_cap_xa"),
    ({"category": "can_bo", "level": "xa", "leader": "none", "key_cadre": 1, "in_pool": 0}, "can_bo_chu_chot_cap_xa"),
    ({"category": "can_bo", "level": "xa", "leader": "none", "key_cadre": 0, "in_pool": 0}, "can_bo_cap_xa"),
    ({"category": "cong_chuc", "level": "tinh", "leader": "so", "key_cadre": 0, "in_pool": 1}, "lanh_dao_cap_so"),
    ({"category": "cong_chuc", "level": "huyen", "leader": "none", "key_cadre": 0, "in_pool": 1},
     "cbcc_trong_quy_hoach"),
    ({"category": "can_bo", "level": "tinh", "leader": "none", "key_cadre": 0, "in_pool": 0}, "cbcc_tinh_huyen"),
    ({"category": "vien_chuc", "level": "xa", "leader": "phong", "key_cadre": 0, "in_pool": 0}, "lanh_dao_cap_phong"),
    ({"category": "vien_chuc", "level": "tinh", "leader": "none", "key_cadre": 0, "in_pool": 0}, "vien_chuc"),
])
def test_everyone_is_in_the_first_group_whose_population_holds_them(row, group):
    assert list(groups.group_codes(pd.DataFrame([row]))) == [group]


def test_a_projection_without_the_record_is_refused(roster):
    proj = sf.project(roster, _scenario(), None, 2027, n_draws=5, seed=0, history={})
    with pytest.raises(ValueError, match="by_group=True"):
        groups.places_by_group(proj.enrolments_by_group, {"university": 10}, (2026, 2027))


# --- small parts hidden ----------------------------------------------------------------------------------
@pytest.mark.parametrize("parts, hidden", [
    ([10, 20, 30], [False, False, False]),
    ([0, 12, 7], [False, False, False]),         # a zero part says nothing about anyone
    ([10, 3, 20], [True, True, False]),          # one hidden part alone: the next smallest goes too
    ([2, 2, 50, 9], [True, True, False, True]),  # hidden parts adding to under 5: one more
    ([4, 0, 30], [True, False, True]),           # only zeros left besides: the positive part goes
    ([3], [True]),                               # nothing to hide it with
    ([6, 1, 1, 1, 1, 1, 40], [False, True, True, True, True, True, False]),
])
def test_small_parts_are_hidden_with_enough_others(parts, hidden):
    assert list(plangroups.hide_small_parts(parts)) == hidden


def test_hiding_needs_a_threshold_of_at_least_one():
    with pytest.raises(ValueError, match="min_cell"):
        plangroups.hide_small_parts([1, 2], min_cell=0)


def test_the_summary_block_shows_no_part_under_five_and_none_recoverable(plan, summary):
    rows = summary["places_by_group"]
    assert rows and {r["group"] for r in rows} <= {*groups.GROUPS, groups.UNFILLED}
    assert all(r["places"] is None or r["places"] == 0 or r["places"] >= 5 for r in rows)
    raw = plan.by_group
    assert ((raw["places"] > 0) & (raw["places"] < 5)).any()  # the fixture has small parts to hide
    for (pg, year), part in pd.DataFrame(rows).groupby(["programme", "year"]):
        hidden = part[part["hidden"]]
        total = raw[(raw["programme"] == pg) & (raw["year"] == year)]["places"]
        assert len(hidden) != 1
        if len(hidden):  # what subtraction gives back is a total of at least 5
            assert total.sum() - part["places"].fillna(0).sum() >= 5
    assert all(set(r) == {"programme", "year", "group", "places", "hidden"} for r in rows)


# --- the outputs -----------------------------------------------------------------------------------------
def _res(summary, lang):
    return RunResults(as_of=2025, lang=lang, data_dir="x", synthetic=True, meta={}, files={}, targets=[],
                      scenarios=[], communes=pd.DataFrame(), coverage=pd.DataFrame(), warnings=[], parameters={},
                      plan=summary)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_summary_page_shows_the_table_by_population_group(summary, lang):
    page = planpage.plan_html(_res(summary, lang), lang)
    assert i18n.t("plan.groups_heading", lang) in page
    table = re.search(r'<table class="plan-groups">.*?</table>', page, re.S).group(0)
    assert i18n.t("plan.group.vien_chuc", lang) in table and i18n.t("plan.group.cbcc_cap_xa", lang) in table
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', table)
    hidden = i18n.t("report.hidden", lang)
    assert hidden in cells
    shown = [int(c.replace(".", "").replace(",", "")) for c in cells if c != hidden]
    assert shown and all(v == 0 or v >= 5 for v in shown)
    if lang == "vi":  # thousands with a dot, the Vietnamese way, and no English word
        from vietnamese_text import english_words, page_text

        assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", c) for c in cells)
        assert english_words(page_text(plangroups.groups_html(summary, lang))) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_runs_workbook_and_report_carry_the_table(tmp_path, summary, lang):
    from conftest import docx_cells, docx_paragraphs, make_results, written_exports

    from forecast.reports import xlsx as report_xlsx

    results = make_results(lang=lang)
    results.plan = summary
    data, wb, doc = written_exports(tmp_path, results, lang)
    sheet = list(wb[report_xlsx.sheet_name("plan", lang, True)].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(sheet) if row[0] == i18n.t("plan.groups_heading", lang))
    body = [row for row in sheet[start + 2:] if row[1] is not None and row[0] != i18n.t("plan.groups_intro", lang)]
    head, rows = plangroups.groups_table(summary, lang)
    assert list(sheet[start + 1][:len(head)]) == head and len(body) == len(rows)
    numbers = [v for row in body for v in row[2:7] if isinstance(v, int)]
    assert numbers and all(v == 0 or v >= 5 for v in numbers)
    assert i18n.t("plan.groups_heading", lang) in docx_paragraphs(doc)
    cells = set(docx_cells(doc))
    assert i18n.t("plan.group.vien_chuc", lang) in cells


def test_the_plan_commands_workbook_and_json_hide_small_parts(tmp_path, plan):
    import openpyxl

    from forecast.commands import plan as plan_cmd

    wb = openpyxl.load_workbook(plan_cmd.write_xlsx(plan, tmp_path / "plan.xlsx"))
    rows = list(wb["places_by_group"].iter_rows(values_only=True))
    assert rows[0][:5] == ("programme", "year", "group", "places", "hidden")
    places = [r[3] for r in rows[1:]]
    assert any(p is None for p in places) and all(p is None or p == 0 or p >= 5 for p in places)
    published = plangroups.suppressed(plan_cmd._group_rows(plan))
    assert [r["places"] for r in published] == places
