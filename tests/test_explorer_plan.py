"""The explorer and the costed training plan (issues 16 and 18): the required probability p as a
control, places and cost a year side by side for compared scenarios, and "what it takes" on a button.

Driven with the fakes of ``tests/test_explorer.py`` and small unit-cost tables built here, so the
figures are checked against places × unit cost computed by hand.
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import pytest
from test_explorer import Calls, FakeScenario, make

from forecast import explorer
from forecast.cli import UserError
from forecast.commands import explore
from forecast.explorer import P_REQUIRED_RANGE, InputError, check_required, training_costs
from forecast.explorer.compare import plan_years
from forecast.explorer.panels import comparison_html
from forecast.plan.costs import ASSUMPTION, LEGAL, UnitCost

COSTS = {
    "postgraduate": UnitCost("postgraduate", 100e6, LEGAL, "Resolution 15/2022/NQ-HĐND"),
    "university": UnitCost("university", 60e6, ASSUMPTION, "no published amount found", "ASSUMPTION: 200 days"),
}
UNI, PG, IT = "programmes.university.capacity", "programmes.postgraduate.capacity", "programmes.it.capacity"


# -- the required probability p ---------------------------------------------------------------------

def test_the_required_probability_defaults_to_80_percent_within_50_to_95():
    ex, _ = make()
    assert ex.view["p_required"] == 0.8 and P_REQUIRED_RANGE == (0.5, 0.95)


@pytest.mark.parametrize("typed, lang, value", [
    ("80%", "vi", 0.80),
    ("80", "vi", 0.80),  # a bare number in a percentage field is a percentage
    ("82,5%", "vi", 0.825),  # the decimal comma
    ("82.5%", "en", 0.825),
    ("82,5", "en", 0.825),  # a comma not grouping thousands is a decimal mark in English too
    ("50%", "vi", 0.50),  # both ends are allowed
    ("95 %", "vi", 0.95),
    (0.9, "vi", 0.90),  # what the slider holds
])
def test_good_required_probabilities_are_taken(typed, lang, value):
    assert check_required(typed, lang) == pytest.approx(value)


@pytest.mark.parametrize("typed, lang, message", [
    ("49%", "vi", "49% nằm ngoài khoảng cho phép 50% – 95%"),
    ("96%", "en", "96% is outside the allowed range 50% – 95%"),
    ("0,8", "vi", "“0,8” là 0,8% hay 80%\\? Hãy gõ kèm dấu %"),  # asked: never taken as 0.8 % or 80 %
    ("0,8%", "vi", "nằm ngoài khoảng cho phép 50% – 95%"),
    ("cao", "vi", "“cao” không phải là một số"),
    ("", "en", "is not a number"),
    ("80%%", "vi", "không phải là một số"),
    (1.0, "vi", "Xác suất yêu cầu phải từ 50% đến 95%, nhận được “100%”"),
    (0.3, "en", "The required probability must be between 50% and 95%, got “30%”"),
    (None, "vi", "phải từ 50% đến 95%"),
    (True, "vi", "phải từ 50% đến 95%"),
    (float("nan"), "en", "must be between 50% and 95%"),
])
def test_bad_required_probabilities_are_refused_in_the_current_language(typed, lang, message):
    with pytest.raises(InputError, match=message):
        check_required(typed, lang)


@pytest.mark.parametrize("lang, p, says", [
    ("vi", 0.6, "(yêu cầu 60%)"),
    ("vi", 0.95, "(yêu cầu 95%)"),
    ("en", 0.6, "(required 60%)"),
])
def test_the_verdict_states_the_required_probability(lang, p, says):
    ex, _ = make()
    state = ex.update(p_required=p, lang=lang, training_places=0)  # little training: short of the target
    assert says in state.verdict


@pytest.mark.parametrize("lang, typed, taken, error", [
    ("vi", "60%", 0.6, ""),
    ("vi", "82,5", 0.825, ""),
    ("en", "90%", 0.9, ""),
    ("vi", "97%", 0.8, "97% nằm ngoài khoảng cho phép 50% – 95%; giá trị cũ được giữ nguyên."),
    ("en", "97%", 0.8, "97% is outside the allowed range 50% – 95%; the previous value is kept."),
    ("vi", "nhiều", 0.8, "“nhiều” không phải là một số"),
])
def test_the_probability_box_takes_typed_percentages_and_refuses_the_rest_in_place(lang, typed, taken, error):
    ex, _ = make(lang=lang)
    ex.widget()
    ui = ex._ui
    ui.p_row.box.value = typed
    assert ex.view["p_required"] == pytest.approx(taken)
    assert error in ui.p_row.error.value and (error or ui.p_row.error.value == "")


# -- places and cost of compared scenarios ----------------------------------------------------------

@pytest.mark.parametrize("levers, places, per_year, assumed, unpriced", [
    ({PG: 10}, {"postgraduate": 10.0}, 10 * 100e6, False, ()),
    ({PG: 10, "training_capacity_factor": 2.0}, {"postgraduate": 20.0}, 20 * 100e6, False, ()),
    ({PG: 10, UNI: 300}, {"postgraduate": 10.0, "university": 300.0}, 10 * 100e6 + 300 * 60e6, True, ()),
    ({UNI: {"cong_chuc": 100, "vien_chuc": 50}}, {"university": 150.0}, 150 * 60e6, True, ()),  # per category
    ({PG: 10, IT: 5}, {"postgraduate": 10.0, "it": 5.0}, 10 * 100e6, False, ("it",)),  # IT has no unit cost
    ({IT: 5}, {"it": 5.0}, None, False, ("it",)),
    ({IT: 0, PG: 0}, {"it": 0.0, "postgraduate": 0.0}, None, False, ()),  # no places, nothing unpriced
    ({"hiring_freeze": 1}, {}, None, False, ()),  # not a programme
])
def test_training_cost_is_places_times_unit_cost(levers, places, per_year, assumed, unpriced):
    money = training_costs(levers, COSTS, n_years=5)
    assert money.places == places and money.total_places == sum(places.values())
    assert money.cost_per_year == (None if per_year is None else pytest.approx(per_year))
    assert money.cost_total == (None if per_year is None else pytest.approx(5 * per_year))
    assert (money.assumed, money.unpriced) == (assumed, unpriced)


def _scenarios():
    return [FakeScenario("it_dao_tao", {"training_places": 0, "hiring_freeze": 0, UNI: 100, PG: 20}),
            FakeScenario("nhieu_dao_tao", {"training_places": 400, "hiring_freeze": 0, UNI: 500, PG: 60, IT: 30})]


def test_compared_scenarios_cost_their_places_times_the_unit_cost_for_every_plan_year():
    ex, _ = make()
    table = ex.compare(_scenarios(), costs=COSTS)
    assert plan_years(ex) == (2026, 2030)
    for row in table.to_dict("records"):
        places = row["places_by_programme"]
        by_hand = sum(n * COSTS[pg].vnd for pg, n in places.items() if pg in COSTS)
        assert row["cost_per_year"] == pytest.approx(by_hand)
        assert row["cost_total"] == pytest.approx(5 * by_hand)
        assert row["places"] == sum(places.values()) and row["cost_assumed"]  # university is assumed
    fewer, more = table.to_dict("records")
    assert fewer["places_by_programme"] == {"university": 100.0, "postgraduate": 20.0}
    assert fewer["cost_per_year"] == pytest.approx(100 * 60e6 + 20 * 100e6)
    assert more["unpriced"] == ("it",) and fewer["unpriced"] == ()


@pytest.mark.parametrize("lang, says", [
    ("vi", ["Tổng chỉ tiêu đào tạo mỗi năm", "Kinh phí mỗi năm (chỉ tiêu × đơn giá)", "Kinh phí 2026–2030",
            "8,0 tỷ đồng (đơn giá GIẢ ĐỊNH)", "40,0 tỷ đồng (đơn giá GIẢ ĐỊNH)",
            "Chỉ tiêu đào tạo mỗi năm theo chương trình", "<td>Đại học (vừa làm vừa học)</td><td>60.000.000</td>"
            "<td>GIẢ ĐỊNH</td><td>100</td><td>500</td>", "Theo văn bản: 15/2022/NQ-HĐND",
            "Chưa có đơn giá cho: Tin học", "giai đoạn 2026–2030 = 5 năm"]),
    ("en", ["Training places a year, all programmes", "Cost 2026–2030", "VND 8.0 bn (ASSUMED unit cost)",
            "<td>ASSUMPTION</td>", "Set by: 15/2022/NQ-HĐND", "No unit cost for: IT"]),
])
def test_the_comparison_shows_places_by_programme_and_labels_assumed_costs(lang, says):
    ex, _ = make(lang=lang)
    table = ex.compare(_scenarios(), costs=COSTS)
    html = comparison_html(table, 95, lang, costs=COSTS, years=plan_years(ex))
    for phrase in says:
        assert phrase in html


def test_a_units_comparison_says_the_places_and_cost_are_the_provinces():
    ex, _ = make()
    ex.update(unit="20101")
    table = ex.compare(_scenarios(), costs=COSTS)
    assert "Chỉ tiêu và kinh phí là của toàn tỉnh" in comparison_html(table, 95, "vi", costs=COSTS,
                                                                     years=plan_years(ex), unit_view=True)


# -- what it takes, on a button ---------------------------------------------------------------------

def _solver(calls, lever=UNI, value=268.0, verdict="reachable", per_year=268 * 60e6, total=5.1e10):
    def solve(roster, scenario, target_id, p=0.8, **engine):
        calls.effort.append((target_id, p, engine.get("costs")))
        return SimpleNamespace(lever=lever, value=value, probability=0.803, verdict=verdict, baseline_value=190.0,
                               cost=total, cost_per_year=per_year, scenario=None)
    return solve


def test_the_effort_search_gets_the_required_probability_and_the_unit_costs():
    calls = Calls()
    ex, _ = make(calls, effort=_solver(calls))
    ex._unit_cost_table = COSTS
    ex.update(p_required=0.9)
    ex.required_effort()
    assert calls.effort == [("T06", 0.9, {"postgraduate": 100e6, "university": 60e6})]


@pytest.mark.parametrize("solver, lang, says, never", [
    (dict(), "vi", ["Nhu cầu đào tạo cho T06 (xác suất yêu cầu 80%): Đại học (vừa làm vừa học) 268 chỉ tiêu/năm; "
                    "xác suất đạt 80,3%.", "Kinh phí: 16,1 tỷ đồng mỗi năm (số chỉ tiêu × đơn giá); 51,0 tỷ đồng "
                    "giai đoạn 2026–2030 (số người thực học theo mô phỏng", "(đơn giá GIẢ ĐỊNH)."], []),
    (dict(), "en", ["University degree (part-time) 268 places a year", "VND 16.1 bn a year (places × unit cost); "
                    "VND 51.0 bn over 2026–2030 (the simulated participants", "(ASSUMED unit cost)."], []),
    (dict(lever=PG, per_year=268 * 100e6), "vi", ["Sau đại học (lĩnh vực trọng điểm) 268 chỉ tiêu/năm"],
     ["GIẢ ĐỊNH"]),  # a legal unit cost is not labelled assumed
    (dict(lever=IT, per_year=None, total=None), "vi", ["Chưa có đơn giá cho: Tin học"], ["Kinh phí:"]),
    (dict(verdict="unreachable with these levers", value=21058.0), "vi", ["Không thể đạt T06"],
     ["21.058", "Kinh phí"]),  # the search ceiling is neither shown nor priced
])
def test_what_it_takes_says_places_per_programme_and_cost(solver, lang, says, never):
    calls = Calls()
    ex, _ = make(calls, effort=_solver(calls, **solver), lang=lang)
    ex._unit_cost_table = COSTS
    line = ex.effort_text(ex.required_effort(), lang)
    for phrase in says:
        assert phrase in line
    for phrase in never:
        assert phrase not in line


def test_the_button_shows_progress_while_searching_then_the_answer_and_its_time():
    calls = Calls()
    ex, _ = make(calls, effort=_solver(calls))
    ex._unit_cost_table = COSTS
    ex.widget()
    ui = ex._ui
    seen = []
    solve = ex._effort

    def spying(*args, **kwargs):
        seen.append((ui.effort_out.value, ui.effort_button.disabled))
        return solve(*args, **kwargs)

    ex._effort = spying
    assert ui.effort_button.description == "Tính nhu cầu đào tạo"
    ui.effort_button.click()
    assert seen == [("⏳ Đang tính nhu cầu đào tạo cho T06 với xác suất yêu cầu 80% (khoảng 15 lần chạy mô hình, "
                     "mất vài giây)…", True)]
    assert "Đại học (vừa làm vừa học) 268 chỉ tiêu/năm" in ui.effort_out.value
    assert "Tính trong" in ui.effort_out.value and ui.effort.seconds is not None
    assert not ui.effort_button.disabled


def test_changing_the_required_probability_clears_the_answer_and_the_next_search_uses_it():
    calls = Calls()
    ex, _ = make(calls, effort=_solver(calls))
    ex.widget()
    ui = ex._ui
    ui.effort_button.click()
    ui.p_row.box.value = "90%"
    assert ui.effort_out.value == ""
    ui.effort_button.click()
    assert [p for _tid, p, _c in calls.effort] == [0.8, 0.9]


# -- p on opening: `forecast explore --p` ----------------------------------------------------------

@pytest.mark.parametrize("env, params, expected", [
    ({}, {}, 0.8),
    ({"FORECAST_EXPLORE_P": "0.9"}, {}, 0.9),  # the command's --p reaches the kernel
    ({"FORECAST_EXPLORE_P": "0.9"}, {"p_required": 0.7}, 0.7),  # a notebook parameter set away from 0.8 wins
])
def test_the_launcher_takes_the_required_probability_from_the_command(env, params, expected):
    assert explorer.settings(**params, environ=env)["p_required"] == expected


@pytest.mark.parametrize("argv, ok", [
    (["explore", "--p", "0.9"], True),
    (["explore", "--p", "0.5"], True),
    (["explore", "--p", "0.96"], False),
    (["explore", "--p", "0.3"], False),
])
def test_forecast_explore_passes_p_and_refuses_it_outside_50_to_95(argv, ok, monkeypatch):
    parser = argparse.ArgumentParser()
    explore.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    assert explore.environment(args)["FORECAST_EXPLORE_P"] == repr(float(argv[-1]))
    if not ok:
        with pytest.raises(UserError, match="--p must be between 0.5 and 0.95"):
            explore.run(args)


# -- what it takes gives the probability the verdict then shows --------------------------------------

def _judged_solver(calls, judged, engine_value=268.0):
    """A solver out of reach by the verdict's probability, within reach by the engine's own."""
    def solve(roster, scenario, target_id, p=0.8, **engine):
        judge = engine.get("judge")
        judged.append(judge)
        if judge is not None:
            return SimpleNamespace(lever=UNI, value=21058.0, probability=0.727, verdict="unreachable with these levers",
                                   baseline_value=190.0, cost=None, cost_per_year=None, scenario=None)
        return SimpleNamespace(lever=UNI, value=engine_value, probability=0.8, verdict="reachable", baseline_value=190.0,
                               cost=None, cost_per_year=None, scenario=None)
    return solve


@pytest.mark.parametrize(("lang", "says"), [
    ("vi", ["Không thể đạt T06 với xác suất 80%", "mô hình xu hướng", "xác suất đạt chỉ là 72,7%",
            "Riêng mô hình dòng nhân lực (chưa qua kiểm định quá khứ, chỉ để tham khảo) cho rằng cần Đại học "
            "(vừa làm vừa học) 268 chỉ tiêu/năm"]),
    ("en", ["T06 cannot be met with probability 80%", "the trend's", "a probability of 72.7%",
            "The stock-flow model alone (not validated by its hindcast, for reference only) would need University "
            "degree (part-time) 268 places a year"]),
])
def test_under_a_trend_verdict_the_search_judges_by_it_and_says_why_more_places_fall_short(lang, says):
    calls, judged = Calls(), []
    ex, _ = make(calls, effort=_judged_solver(calls, judged), lang=lang)
    ex._unit_cost_table = COSTS
    effort = ex.required_effort()
    assert [j is not None for j in judged] == [True, False]  # the verdict's search, then the engine's own
    line = ex.effort_text(effort, lang)
    for phrase in says:
        assert phrase in line, line
    assert "21.058" not in line and "21,058" not in line
    assert ex.effort_levers(effort) == {}  # nothing to apply
    ex.required_effort()
    assert len(judged) == 2  # both answers cached for the view


def test_the_searchs_judge_is_the_probability_the_view_shows_for_the_same_levers():
    calls, judged = Calls(), []
    ex, _ = make(calls, effort=_judged_solver(calls, judged))
    ex.required_effort()
    judge = judged[0]
    for places in (100, 250, 400):
        state = ex.update(training_places=places)
        shown = state.probabilities.set_index("target").loc["T06", "p"]
        assert judge(ex.projection(ex.view["unit"], ex.levers)) == pytest.approx(shown)


def test_loading_with_no_scenario_picked_asks_for_one_and_a_sweep_always_has_a_lever():
    ex, _ = make(Calls())
    ex.widget()
    ui = ex._ui
    ui.scenarios.saved.options = []
    ui.scenarios.load_button.click()
    assert "Hãy chọn một kịch bản đã lưu trong danh sách để nạp." in ui.message.value
    assert "“”" not in ui.message.value
    assert ui.sweep.lever.value in {s.name for s in ex.specs}  # the button never does nothing
