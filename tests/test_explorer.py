"""The scenario explorer: its update callback, verdicts, caches, saving and exporting.

Most tests drive :class:`forecast.explorer.Explorer` with small fakes of the engine and
the trend analysis (built here), so they specify the explorer's own behaviour. The
tests marked ``slow`` run the real engine on the demo province and execute
``notebooks/explore.ipynb`` with papermill.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml

from forecast import config, explorer
from forecast.domain.targets import load_targets
from forecast.explorer import Explorer, ViewState, clean
from forecast.explorer.session import precision_text
from forecast.results import Forecast

ROOT = Path(__file__).resolve().parents[1]
YEARS = list(range(2026, 2031))
TARGETS = load_targets()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- fakes ------------------------------------------------------------------------------------

@dataclasses.dataclass
class FakeScenario:
    name: str
    levers: dict

    def with_levers(self, **changes):
        unknown = set(changes) - set(self.levers)
        if unknown:
            raise KeyError(unknown)
        return FakeScenario(self.name, {**self.levers, **changes})


class FakeProjection:
    """Shares rise with the training lever; the same seed gives the same noise (common random numbers)."""

    def __init__(self, roster, scenario, seed, n_draws):
        rng = np.random.default_rng(seed)
        noise = rng.normal(0, 0.03, size=(n_draws, len(YEARS)))
        steps = np.arange(1, len(YEARS) + 1)
        lift = 0.02 * scenario.levers.get("training_places", 0) / 100 - 0.01 * scenario.levers.get("hiring_freeze", 0)
        self.draws = {}
        for k, t in enumerate(TARGETS):
            base = 0.6 + 0.03 * k % 0.3
            if t.threshold is None:
                self.draws[t.id] = 50 + steps * (1 + 10 * lift) + 5 * noise
            else:
                self.draws[t.id] = np.clip(base + steps * (0.01 + lift) + noise, 0, 1)
        self.n_staff = len(roster)

    def forecast(self, target_id):
        return Forecast(YEARS, self.draws[target_id], "fake-stockflow")

    def p_meet(self, target_id):
        t = next(t for t in TARGETS if t.id == target_id)
        fc = self.forecast(target_id)
        return fc.prob_rising(50.0) if t.threshold is None else fc.prob_at_least(t.share, t.year)


class Calls:
    """Records every call of the injected engine and analysis."""

    def __init__(self):
        self.project, self.analyse, self.effort = [], [], []

    def fake_project(self, roster, scenario, start_year, end_year=2030, n_draws=1000, seed=0, **engine):
        self.project.append({"n": len(roster), "levers": dict(scenario.levers), "seed": seed,
                             "n_draws": n_draws, "start_year": start_year, **engine})
        return FakeProjection(roster, scenario, seed, n_draws)

    def fake_analyse(self, observations, as_of, unit="20"):
        self.analyse.append(unit)
        out = []
        for t in TARGETS:
            series = pd.DataFrame({"year": [2022, 2023, 2024, 2025], "value": [0.5, 0.55, 0.6, 0.62],
                                   "denominator": [100, 100, 100, 100]})
            rng = np.random.default_rng(1)
            fc = Forecast(YEARS, np.clip(0.62 + rng.normal(0.01, 0.03, (200, len(YEARS))).cumsum(axis=1), 0, 1),
                          "fake-trend")
            out.append(SimpleNamespace(target=t, series=series, forecast=fc,
                                       attainment=SimpleNamespace(p_meet=0.25)))
        return out

    def fake_effort(self, roster, scenario, target_id, p=0.8, **engine):
        self.effort.append((target_id, p, dict(scenario.levers)))
        return SimpleNamespace(lever="training_places", value=320.0, probability=0.81, verdict="reachable",
                               baseline_value=float(scenario.levers["training_places"]), cost=4.5e9,
                               cost_per_year=1.5e9, scenario=None)


def fake_saver(scenario, path):
    Path(path).write_text(yaml.safe_dump({"name": scenario.name, "levers": scenario.levers}), encoding="utf-8")


ROSTER = pd.DataFrame({"person_id": range(12), "unit_code": ["P01"] * 5 + ["20101"] * 4 + ["20102"] * 3,
                       "year": 2025})
OBS = pd.DataFrame({"indicator": ["T06"], "unit_code": ["20"], "year": [2025], "numerator": [60.0],
                    "denominator": [100.0]})
CATALOGUE = {"training_places": {"label_vi": "Chỉ tiêu đào tạo đại học/năm", "label_en": "University places a year",
                                 "min": 0, "max": 400, "step": 10},
             "hiring_freeze": {"vi": "Dừng tuyển dụng", "en": "Hiring freeze", "min": 0, "max": 1, "step": 1}}


def make(calls=None, **kwargs):
    calls = calls or Calls()
    defaults = dict(scenario=FakeScenario("baseline", {"training_places": 100, "hiring_freeze": 0}),
                    project=calls.fake_project, analyse=calls.fake_analyse, effort=calls.fake_effort,
                    save_scenario=fake_saver, list_units=lambda date: pd.DataFrame(
                        {"code": ["20101"], "name": ["Xã Hữu Lũng"]}),
                    lever_catalogue=CATALOGUE, n_draws=300)
    defaults.update(kwargs)
    dataset = SimpleNamespace(observations=OBS, roster=ROSTER)
    return Explorer(dataset, **defaults), calls


# -- the update callback ------------------------------------------------------------------------

def test_update_returns_the_whole_view():
    ex, _ = make()
    state = ex.update()
    assert isinstance(state, ViewState)
    assert state.target_id == "T06" and state.unit == "20" and state.lang == "vi"
    assert set(state.probabilities["target"]) == {t.id for t in TARGETS}
    assert set(state.table["series"]) == {"trend", "scenario"}
    assert list(state.table.columns[:8]) == ["series", "year", "mean", "median", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert state.p_trend == pytest.approx(0.25)
    assert 0 <= state.p_scenario <= 1
    assert state.figure.axes, "the fan chart was drawn"


@pytest.mark.parametrize("lang, starts, required, source, never", [
    ("vi", "Với các đòn bẩy này, khả năng toàn tỉnh đạt mục tiêu T06 (95%) vào năm 2030 là 25,0%", "80%",
     "Xác suất theo mô hình xu hướng: chưa có kết quả kiểm định quá khứ", "xu hướng hiện nay"),
    ("en", "With these levers, the probability that the province meets target T06 (95%) by 2030 is 25.0%", "80%",
     "Probability from the trend model: no hindcast of the stock-flow model", "current trend"),
])
def test_verdict_is_one_plain_line_with_one_probability_and_its_source(lang, starts, required, source, never):
    ex, _ = make()  # no hindcast scores: by the reports' rule the headline is the trend's (fake: 25 %)
    state = ex.update(lang=lang)
    assert state.verdict.startswith(starts)
    assert required in state.verdict and source in state.verdict and never not in state.verdict
    assert "\n" not in state.verdict


@pytest.mark.parametrize("p_scenario, p_required, lang, status", [
    (0.35, 0.8, "vi", "cần tăng tốc (yêu cầu 80%)"),
    (0.85, 0.8, "vi", "đạt mức yêu cầu 80%"),
    (0.80, 0.8, "en", "at or above the required 80%"),
    (0.795, 0.8, "en", "acceleration needed (required 80%)"),
])
def test_verdict_status_compares_the_probability_with_the_requirement(p_scenario, p_required, lang, status):
    ex, _ = make()
    line = ex.verdict("T06", "20", p_scenario, 0.2, p_required, lang)
    assert line.endswith(status + ".")


@pytest.mark.parametrize("lang, shown", [("vi", "T06 (92,5%)"), ("en", "T06 (92.5%)")])
def test_fractional_thresholds_use_the_languages_decimal_mark(lang, shown):
    ex, _ = make()
    ex.targets["T06"] = dataclasses.replace(ex.targets["T06"], threshold=92.5)
    assert shown in ex.verdict("T06", "20", 0.5, 0.2, 0.8, lang)


def test_verdict_for_the_direction_only_target_says_rising():
    ex, _ = make()
    assert "T11 (tăng hằng năm)" in ex.update(target="T11").verdict
    assert "T11 (rising every year)" in ex.update(lang="en").verdict


def test_verdict_names_the_commune_from_the_unit_registry():
    ex, _ = make()
    assert "khả năng Xã Hữu Lũng đạt mục tiêu" in ex.update(unit="20101").verdict


def test_a_target_whose_population_the_unit_lacks_is_not_applicable():
    calls = Calls()

    def project_without_leaders(*args, **kwargs):
        proj = calls.fake_project(*args, **kwargs)
        proj.start = {t.id: (3, 0 if t.id == "T07" else 10) for t in TARGETS}  # no department leader
        return proj

    def analyse_without_t07(*args, **kwargs):
        return [r for r in calls.fake_analyse(*args, **kwargs) if r.target.id != "T07"]

    ex, _ = make(calls, project=project_without_leaders, analyse=analyse_without_t07)
    state = ex.update(target="T07", unit="20101")
    assert state.p_scenario is None and state.p_trend is None
    assert state.verdict == "Mục tiêu T07 không áp dụng cho Xã Hữu Lũng: không có số liệu và không có người thuộc đối tượng."
    assert state.probabilities.set_index("target").loc["T06", "p_scenario"] is not None
    assert set(state.table["series"]) == set()  # nothing to draw
    ex.widget()
    ex._ui.effort_button.click()  # nothing to aim at: no search, the reason instead
    assert calls.effort == []
    assert ex._ui.effort_out.value == ("Mục tiêu T07 không áp dụng cho Xã Hữu Lũng: không có số liệu và không có "
                                       "người thuộc đối tượng. Vì vậy không tính nhu cầu đào tạo cho mục tiêu này.")
    assert ex._ui.effort.apply.layout.display == "none"


def test_unit_view_projects_only_that_units_staff():
    calls = Calls()
    ex, _ = make(calls)
    ex.update(unit="P01")
    assert calls.project[-1]["n"] == 5
    ex.update(unit="20")
    assert calls.project[-1]["n"] == len(ROSTER)


@pytest.mark.parametrize("changes, message", [
    ({"training_place": 120}, "unknown control(s) training_place"),
    ({"target": "T99"}, "unknown target 'T99'"),
    ({"unit": "99999"}, "unit '99999' has no staff"),
    ({"p_required": 1.0}, "phải từ 50% đến 95%, nhận được “100%”"),
    ({"p_required": 0}, "phải từ 50% đến 95%, nhận được “0%”"),
    ({"p_required": 0.3}, "phải từ 50% đến 95%"),
    ({"p_required": 0.97}, "phải từ 50% đến 95%, nhận được “97%”"),
    ({"p_required": "high"}, "“high” không phải là một số"),
    ({"p_required": "97%"}, "97% nằm ngoài khoảng cho phép 50% – 95%"),
    ({"lang": "fr"}, "language must be one of"),
])
def test_bad_controls_are_refused_and_change_nothing(changes, message):
    ex, _ = make()
    before = ex.update(training_places=150)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ex.update(**changes)
    assert ex.view == {"target": "T06", "unit": "20", "p_required": 0.8, "lang": "vi"}
    assert ex.levers["training_places"] == 150 and ex.state is before


def test_levers_reach_the_engine_with_a_fixed_seed_and_draw_count():
    calls = Calls()
    ex, _ = make(calls, seed=7)
    for value in (100, 150, 200):
        ex.update(training_places=value)
    assert [c["levers"]["training_places"] for c in calls.project] == [100, 150, 200]
    assert {c["seed"] for c in calls.project} == {7}  # common random numbers across lever values
    assert {c["n_draws"] for c in calls.project} == {300}
    assert {c["start_year"] for c in calls.project} == {2025}  # the roster's snapshot year


def test_lever_changes_never_recompute_the_trend_and_repeat_values_hit_the_cache():
    calls = Calls()
    ex, _ = make(calls)
    for value in (100, 150, 100, 150, 200):
        ex.update(training_places=value)
    ex.update(p_required=0.9)
    ex.update(lang="en")
    assert calls.analyse == ["20"]  # one trend analysis for the unit
    assert len(calls.project) == 3  # three distinct lever combinations
    ex.update(unit="P01")
    ex.update(unit="20")
    assert calls.analyse == ["20", "P01"]


@pytest.mark.parametrize("target", ["T01", "T06", "T11"])
def test_higher_training_never_lowers_a_probability_with_common_random_numbers(target):
    # with the fake engine's monotone response this checks that the explorer
    # keeps the seed and reads each target's probability from the right projection
    ex, _ = make(target=target)
    probs = [ex.update(training_places=v).probabilities.set_index("target")["p_scenario"]
             for v in (0, 100, 200, 300, 400)]
    for lower, higher in zip(probs, probs[1:], strict=False):
        assert (higher >= lower).all()


def test_probabilities_mark_which_targets_meet_the_requirement():
    ex, _ = make()
    probs = ex.update(training_places=400, p_required=0.6).probabilities
    assert (probs["meets"] == (probs["p"] >= 0.6)).all()  # the one probability shown, not a component


# -- required effort (on a button, cached) --------------------------------------------------------

def test_required_effort_is_cached_per_view_and_described_in_both_languages():
    calls = Calls()
    ex, _ = make(calls)
    ex.update(training_places=120, p_required=0.9)
    effort = ex.required_effort()
    ex.required_effort()
    assert calls.effort == [("T06", 0.9, {"training_places": 120, "hiring_freeze": 0})]
    vi = ex.effort_text(effort, "vi")
    en = ex.effort_text(effort, "en")
    assert ("University places a year = 320; probability 81.0%. Cost: VND 1.5 bn a year (places × unit cost); "
            "VND 4.5 bn over 2026–2030 (the simulated participants × unit cost: places left unused are not "
            "paid).") in en
    assert ("Chỉ tiêu đào tạo đại học/năm = 320; xác suất đạt 81,0%. Kinh phí: 1,5 tỷ đồng mỗi năm (số chỉ tiêu × "
            "đơn giá); 4,5 tỷ đồng giai đoạn 2026–2030 (số người thực học theo mô phỏng × đơn giá: chỉ tiêu không "
            "dùng hết không tính).") in vi


def _effort(verdict="reachable", value=320.0, baseline=100.0, probability=0.81, scenario_value=None):
    scenario = None if scenario_value is None else FakeScenario("x", {"training_places": scenario_value})
    return SimpleNamespace(lever="training_places", value=value, probability=probability, verdict=verdict,
                           baseline_value=baseline, cost=None, cost_per_year=None, scenario=scenario)


@pytest.mark.parametrize("effort, says, never", [
    (_effort("unreachable with these levers", value=21058.0, probability=0.004),
     ["Không thể đạt T06", "chỉ bằng “Chỉ tiêu đào tạo đại học/năm”", "xác suất đạt chỉ là < 1%", "nghỉ hưu"],
     ["21.058", "21058", "gần như chắc chắn"]),  # a bound in the sentence, not "almost certainly not met"
    (_effort(value=40.0, baseline=100.0), ["đã đạt xác suất yêu cầu", "= 40"], []),
    (_effort(value=320.0), ["= 320", "xác suất đạt 81,0%"], ["Không thể"]),
])
def test_effort_results_explain_unreachable_in_words_and_never_show_the_search_ceiling(effort, says, never):
    ex, _ = make()
    line = ex.effort_text(effort, "vi")
    assert all(s in line for s in says), line
    assert not any(n in line for n in never), line


@pytest.mark.parametrize("effort, applied", [
    (_effort(value=320.0, scenario_value=320), {"training_places": 320}),
    (_effort(value=320.0), {"training_places": 320.0}),  # no scenario: the value itself
    (_effort("unreachable with these levers", value=21058.0), {}),  # nothing to apply
])
def test_an_effort_result_offers_the_slider_values_that_apply_it(effort, applied):
    ex, _ = make()
    assert ex.effort_levers(effort) == applied


def test_the_effort_answer_is_applied_on_a_click_and_cleared_when_the_target_changes():
    ex, _ = make()
    ex.widget()
    ui = ex._ui
    ui.effort_button.click()
    assert "Nhu cầu đào tạo cho T06" in ui.effort_out.value
    assert ui.effort.apply.layout.display == "" and ui.effort.apply.description == "Áp dụng giá trị này"
    ui.effort.apply.click()
    assert ui.levers["training_places"].value == 320 and ex.levers["training_places"] == 320
    assert ui.rows["training_places"].box.value == "320"
    ui.effort_button.click()
    ui.target.value = "T02"
    assert ui.effort_out.value == "" and ui.effort.apply.layout.display == "none"


# -- saving the scenario -------------------------------------------------------------------------

def test_save_writes_the_current_levers_under_the_new_name(tmp_path):
    ex, _ = make()
    ex.update(training_places=250, hiring_freeze=1)
    path = ex.save_scenario("them_250_cho", directory=tmp_path)
    assert path == tmp_path / "them_250_cho.yml"
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved == {"name": "them_250_cho", "levers": {"training_places": 250, "hiring_freeze": 1}}


def test_scenarios_are_listed_and_named_by_their_vietnamese_labels_not_their_file_names(tmp_path):
    import shutil

    for name in ("baseline", "accelerated_training", "hiring_freeze"):
        shutil.copy(config.scenarios_dir() / f"{name}.yml", tmp_path / f"{name}.yml")
    ex, _ = make(load_scenario=scenarios.load_scenario)
    listed = ex.saved_scenarios(tmp_path)
    assert set(listed) == {"Kịch bản cơ sở", "Đẩy mạnh đào tạo, bồi dưỡng", "Hạn chế tuyển dụng"}
    assert listed["Kịch bản cơ sở"].name == "baseline.yml"
    from forecast.explorer.actions import short_label

    assert short_label(scenarios.load_scenario(listed["Hạn chế tuyển dụng"])) == "Hạn chế tuyển dụng"
    assert ex.update().scenario_name == "baseline"  # this test's starting scenario has no label: its name
    assert ex.update(training_places=999).scenario_name == "baseline (đã chỉnh đòn bẩy)"  # on the PNG and file name


def test_save_refuses_to_replace_an_existing_scenario(tmp_path):
    ex, _ = make()
    (tmp_path / "baseline.yml").write_text("name: baseline\n", encoding="utf-8")
    with pytest.raises(explorer.InputError, match="Đã có kịch bản tên “baseline”"):
        ex.save_scenario("baseline", directory=tmp_path)
    assert (tmp_path / "baseline.yml").read_text(encoding="utf-8") == "name: baseline\n"
    ex.save_scenario("baseline", directory=tmp_path, overwrite=True)
    assert "training_places" in (tmp_path / "baseline.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name, stem", [
    ("tang_dao_tao", "tang_dao_tao"), ("freeze-2026", "freeze_2026"), ("A1", "a1"),
    ("kịch bản A", "kich_ban_a"), ("Đào tạo 2026", "dao_tao_2026"), ("  có dấu  ", "co_dau"),
    ("../etc/passwd", "etc_passwd"), ("a/b", "a_b"), ("..", None), ("", None), ("   ", None), ("x" * 65, None),
    ("_hidden", "hidden"),
])
def test_scenario_names_keep_vietnamese_letters_and_their_files_stay_in_the_folder(tmp_path, name, stem):
    if stem is None:
        with pytest.raises(explorer.InputError, match="Tên kịch bản"):
            explorer.scenario_path(tmp_path, name)
        return
    display, path = explorer.scenario_path(tmp_path, name)
    assert display == name.strip() and path == tmp_path.resolve() / f"{stem}.yml"


def test_a_scenario_saved_under_a_vietnamese_name_is_listed_and_loaded_under_it(tmp_path):
    ex, _ = make(load_scenario=lambda path: _load_fake(path))
    ex.update(training_places=250)
    path = ex.save_scenario("kịch bản A", directory=tmp_path)
    assert path.name == "kich_ban_a.yml"
    ex.update(training_places=0)
    state = ex.load(path)
    assert state.levers["training_places"] == 250 and ex.levers["training_places"] == 250
    assert ex.reset().levers["training_places"] == 100


def _load_fake(path):
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return FakeScenario(doc["name"], dict(doc["levers"]))


def test_save_defaults_to_the_projects_scenarios_folder(tmp_path, monkeypatch):
    ex, _ = make()
    monkeypatch.setenv("FORECAST_DATA", str(tmp_path))
    assert ex.save_scenario("moi") == tmp_path / "scenarios" / "moi.yml"


# -- exporting the view ----------------------------------------------------------------------------

def test_export_writes_the_chart_and_an_excel_table_with_headers_in_the_language_and_whole_years(tmp_path):
    ex, _ = make()
    ex.update(training_places=200, target="T02")
    paths = ex.export(tmp_path)
    # the starting scenario's name, marked: its levers were moved before the export
    assert paths["png"].name.startswith("baseline_da_chinh_don_bay_T02_20_") and paths["xlsx"].suffix == ".xlsx"
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sheets = pd.read_excel(paths["xlsx"], sheet_name=None)
    assert list(sheets) == ["Biểu đồ", "Xác suất", "Đòn bẩy"]
    chart = sheets["Biểu đồ"]
    assert list(chart.columns[:4]) == ["Chuỗi", "Năm", "Trung bình", "Trung vị"]
    assert set(chart["Chuỗi"]) == {"Xu hướng", "Kịch bản"} and len(chart) == 2 * len(YEARS)
    assert chart["Năm"].tolist() == YEARS * 2 and chart["Năm"].dtype.kind == "i"  # 2026, not 2026.0
    probs = sheets["Xác suất"].set_index("Mục tiêu")
    assert set(probs.index) == {t.id for t in TARGETS}
    assert probs.loc["T02", "Ngưỡng"] == pytest.approx(0.70)
    assert "Mức năm 2030 (trung vị)" in probs.columns and "Khoảng cách tới mục tiêu" in probs.columns
    levers = sheets["Đòn bẩy"].set_index("Đòn bẩy")
    assert levers.loc["Chỉ tiêu đào tạo đại học/năm", "Giá trị đòn bẩy"] == 200  # a number Excel can use
    import openpyxl  # shares and probabilities keep their fractions and show as percentages

    wb = openpyxl.load_workbook(paths["xlsx"])
    head = {c.value: c.column for c in wb["Xác suất"][1]}
    rows = {wb["Xác suất"].cell(row=r, column=1).value: r for r in range(2, wb["Xác suất"].max_row + 1)}
    for column in ("Xác suất đạt", "Ngưỡng"):
        cell = wb["Xác suất"].cell(row=rows["T02"], column=head[column])
        assert cell.number_format == "0.0%" and 0 <= cell.value <= 1, column
    assert wb["Xác suất"].cell(row=rows["T11"], column=head["Mức năm 2030 (trung vị)"]).number_format != "0.0%"
    chart_head = {c.value: c.column for c in wb["Biểu đồ"][1]}
    assert wb["Biểu đồ"].cell(row=2, column=chart_head["Trung vị"]).number_format == "0.0%"
    assert wb["Biểu đồ"].cell(row=2, column=chart_head["Năm"]).number_format != "0.0%"
    before = ex.png()
    ex.update(training_places=210)
    assert _pixels(ex.png()).shape == _pixels(before).shape  # the widget's picture survives the export


def test_every_export_gets_a_name_of_its_own(tmp_path):
    ex, _ = make()
    first = ex.export(tmp_path)
    second = ex.export(tmp_path)
    assert first["png"] != second["png"] and first["png"].exists() and second["png"].exists()
    assert len(list(tmp_path.glob("*.xlsx"))) == 2


@pytest.mark.parametrize("synthetic", [True, False])
def test_the_exported_png_carries_levers_verdict_and_the_synthetic_mark(tmp_path, monkeypatch, synthetic):
    calls = Calls()
    ex = Explorer(SimpleNamespace(observations=OBS, roster=ROSTER, synthetic=synthetic),
                  scenario=FakeScenario("baseline", {"training_places": 100, "hiring_freeze": 0}),
                  project=calls.fake_project, analyse=calls.fake_analyse, lever_catalogue=CATALOGUE)
    ex.update(training_places=150)
    drawn = []
    original = ex.state.figure.savefig

    def spy(*args, **kwargs):
        drawn.extend(t.get_text() for t in ex.state.figure.texts)
        return original(*args, **kwargs)

    monkeypatch.setattr(ex.state.figure, "savefig", spy)
    ex.export(tmp_path)
    words = "\n".join(drawn)
    assert "Chỉ tiêu đào tạo đại học/năm: 150" in words and "Dừng tuyển dụng: 0" in words
    assert ex.state.verdict[:40] in words.replace("\n", " ")
    assert ("DỮ LIỆU MÔ PHỎNG" in words) is synthetic
    assert not ex.state.figure.texts  # the notes leave the widget's chart


def test_a_failed_export_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    ex, _ = make()
    first = ex.export(tmp_path)
    before = first["png"].read_bytes()

    def broken(*args, **kwargs):
        Path(args[0]).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(ex.state.figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        ex.export(tmp_path)
    assert first["png"].read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_export_defaults_to_the_reports_explorer_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_REPORTS", str(tmp_path))
    ex, _ = make()
    assert ex.export()["xlsx"].parent == tmp_path / "explorer"


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


@pytest.mark.parametrize("changes", [
    [{"training_places": 300}],
    [{"training_places": 300}, {"lang": "en"}],  # the background is redrawn
    [{"target": "T11"}, {"training_places": 0}],  # a count target: other axis
    [{"unit": "20101"}, {"training_places": 50}, {"training_places": 400}],
])
def test_the_widgets_quick_png_matches_a_full_render(changes):
    import io

    ex, _ = make()
    ex.png()
    for change in changes:
        ex.update(**change)
        quick = ex.png()
    buf = io.BytesIO()
    ex.state.figure.savefig(buf, format="png", dpi="figure")
    a, b = _pixels(quick), _pixels(buf.getvalue())
    assert a.shape == b.shape
    assert np.mean(np.any(np.abs(a - b) > 8, axis=2)) < 0.002  # the same picture, up to antialiasing


# -- sliders and widgets -----------------------------------------------------------------------

def test_lever_specs_come_from_the_catalogue_and_fall_back_to_the_value():
    specs = {s.name: s for s in explorer.lever_specs(
        {"training_places": 100, "upgrade_rate": 0.05, "note": "text", "flag": True}, CATALOGUE)}
    assert set(specs) == {"training_places", "upgrade_rate"}  # only numeric levers become sliders
    assert specs["training_places"].label("vi") == "Chỉ tiêu đào tạo đại học/năm"
    assert (specs["training_places"].minimum, specs["training_places"].maximum) == (0, 400)
    assert specs["training_places"].integer
    assert specs["upgrade_rate"].label("en") == "upgrade_rate"
    assert (specs["upgrade_rate"].minimum, specs["upgrade_rate"].maximum) == (0.0, 1.0)


@pytest.mark.parametrize("value, maximum, step", [
    (11, 100, 1), (297, 2000, 10), (600, 5000, 50),
    (2000, 5000, 10),  # five times the value exceeds the catalogue's range: the catalogue's range
])
def test_count_sliders_get_a_range_fitted_to_their_value(value, maximum, step):
    catalogue = {"c": {"min": 0, "max": 5000, "step": 10, "integer": True}}
    spec = explorer.lever_specs({"c": value}, catalogue, shown=None)[0]
    assert (spec.minimum, spec.maximum, spec.step) == (0, maximum, step)


def test_widgets_show_a_busy_indicator_while_computing_and_the_time_after():
    calls = Calls()
    ex, _ = make(calls)
    ui_box = ex.widget()
    ui = ex._ui
    seen = []
    original = calls.fake_project

    def spying_project(*args, **kwargs):
        seen.append(ui.status.value)
        return original(*args, **kwargs)

    ex._project = spying_project
    ui.levers["training_places"].value = 300
    assert seen == ["⏳ Đang tính…"]
    assert ui.status.value.startswith("✓ Cập nhật trong")
    assert ui.verdict.value.startswith("<p><b>Với các đòn bẩy này")
    assert ui.image.value[:4] == b"\x89PNG"
    assert ui_box.children  # one box holding controls and outputs


def test_widgets_relabel_on_language_change_and_show_errors_in_place():
    ex, _ = make()
    ex.widget()
    ui = ex._ui
    ui.lang.value = "en"
    assert ui.lever_labels["training_places"].value == "<b>University places a year</b>"
    assert ui.effort_button.description == "Compute training needs"
    ex._project = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("engine failed"))
    ui.levers["training_places"].value = 310
    assert ui.status.value == "Error: engine failed"


def test_relabelling_on_language_change_recomputes_nothing_and_keeps_the_choices():
    calls = Calls()
    ex, _ = make(calls)
    ex.widget()
    ui = ex._ui
    ui.target.value = "T02"
    ui.unit.value = "20101"
    before = (len(calls.project), len(calls.analyse))
    ui.lang.value = "en"
    assert (len(calls.project), len(calls.analyse)) == before  # a new language needs no new projection
    assert ui.target.value == "T02" and ui.unit.value == "20101"
    assert ui.target.label.startswith("T02 – 70% of public employees")
    assert ex.state.verdict.startswith("With these levers, the probability that Xã Hữu Lũng meets target T02")


@pytest.mark.parametrize("synthetic, shown", [(True, "Dữ liệu mô phỏng"), (False, "")])
def test_synthetic_data_are_flagged_above_the_results(synthetic, shown):
    calls = Calls()
    ex = Explorer(SimpleNamespace(observations=OBS, roster=ROSTER, synthetic=synthetic),
                  scenario=FakeScenario("baseline", {"training_places": 100, "hiring_freeze": 0}),
                  project=calls.fake_project, analyse=calls.fake_analyse, lever_catalogue=CATALOGUE)
    ex.widget()
    assert (shown in ex._ui.banner.value) if shown else ex._ui.banner.value == ""


def test_sliders_are_grouped_training_first():
    specs = explorer.lever_specs({"replacement_rate": 1.0, "programmes.it.capacity": 300,
                                  "training_capacity_factor": 1.0}, {}, shown=None)
    assert explorer.lever_groups(specs) == [("training", ["programmes.it.capacity", "training_capacity_factor"]),
                                            ("staffing", ["replacement_rate"])]


def test_widget_buttons_save_export_and_compute_effort(tmp_path, monkeypatch):
    ex, calls = make()
    monkeypatch.setenv("FORECAST_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("FORECAST_REPORTS", str(tmp_path / "reports"))
    ex.widget()
    ui = ex._ui
    ui.name.value = "thu_nghiem"
    ui.save_button.click()
    assert (tmp_path / "data" / "scenarios" / "thu_nghiem.yml").exists()
    assert "Đã lưu" in ui.message.value
    ui.export_button.click()
    assert len(list((tmp_path / "reports" / "explorer").glob("*.png"))) == 1
    ui.effort_button.click()
    assert "Nhu cầu đào tạo cho T06" in ui.effort_out.value and len(calls.effort) == 1


# -- the real engine on the demo province, and the notebook -------------------------------------------

def _real_modules_ready() -> bool:
    needed = ("forecast.stockflow", "forecast.stockflow.scenarios", "forecast.verdict.analysis", "forecast.inputs.dataset")
    return all(importlib.util.find_spec(m) is not None for m in needed) and any(config.demo_dir().glob("*"))


needs_engine = pytest.mark.skipif(not _real_modules_ready(), reason="engine, analysis or demo data not in the tree yet")


# -- levers of the real scenario files ------------------------------------------------------------------

@pytest.mark.parametrize("levers, shown, keys", [
    ({"a": 1, "b": 0.5}, None, ["a", "b"]),
    ({"a": 1, "b": 0.5}, ("b",), ["b"]),
    ({"a": 1, "b": 0.5}, ("zzz",), ["a", "b"]),  # none of the shown levers: offer all
    ({"r": {"can_bo": 0.9, "cong_chuc": 0.8, "vien_chuc": 0.7}}, None, ["r[can_bo]", "r[cong_chuc]", "r[vien_chuc]"]),
    ({"r": {"default": 0.5, "vien_chuc": 0.7}}, None, ["r[can_bo]", "r[cong_chuc]", "r[vien_chuc]"]),
    ({"a": "from_history", "b": True, "c": 2}, None, ["c"]),
])
def test_sliders_are_the_numeric_levers_with_one_per_staff_category(levers, shown, keys):
    assert list(explorer._flat_levers(levers, shown)) == keys


@pytest.mark.parametrize("flat, base, changes", [
    ({"a": 1}, {"a": 1}, {}),
    ({"a": 2}, {"a": 1}, {"a": 2}),
    ({"r[can_bo]": 0.9, "r[cong_chuc]": 1.0}, {"r": {"can_bo": 0.9, "cong_chuc": 0.8, "vien_chuc": 0.7}},
     {"r": {"can_bo": 0.9, "cong_chuc": 1.0, "vien_chuc": 0.7}}),
    ({"r[vien_chuc]": 1.0}, {"r": {"default": 0.5}}, {"r": {"can_bo": 0.5, "cong_chuc": 0.5, "vien_chuc": 1.0}}),
    ({"r[can_bo]": 1.0, "r[cong_chuc]": 1.0}, {"r": {"can_bo": 0.9, "cong_chuc": 0.8, "vien_chuc": 0.7}},
     {"r": {"can_bo": 1.0, "cong_chuc": 1.0, "vien_chuc": 0.7}}),
])
def test_slider_values_fold_back_into_scenario_changes(flat, base, changes):
    assert explorer.lever_changes(flat, base) == changes


def test_a_units_view_gets_its_headcount_share_of_the_training_places():
    calls = Calls()
    scen = FakeScenario("baseline", {"training_places": 100, "hiring_freeze": 0, "training_capacity_factor": 2.0})
    ex, _ = make(calls, scenario=scen)
    ex.update(unit="P01")
    assert calls.project[-1]["levers"]["training_capacity_factor"] == pytest.approx(2.0 * 5 / 12)
    ex.update(unit="20", training_capacity_factor=3.0)
    assert calls.project[-1]["levers"]["training_capacity_factor"] == pytest.approx(3.0)
    assert ex.levers["training_capacity_factor"] == 3.0  # the slider keeps the province's figure


from forecast.stockflow import scenarios  # noqa: E402


def test_estimated_levers_start_at_the_estimate_the_engine_uses():
    calls = Calls()
    history = {"programmes.university.completions": 180, "other_exit_rate": {"can_bo": 0.02, "cong_chuc": 0.01,
                                                                                "vien_chuc": 0.03}}
    ex, _ = make(calls, scenario=scenarios.load_scenario("baseline"), estimate=lambda ds: history,
                 lever_catalogue=scenarios.LEVERS)
    rate = ex.base_levers["programmes.university.completion_rate"]
    assert ex.levers["programmes.university.capacity"] == round(180 / rate)
    assert ex.levers["other_exit_rate[vien_chuc]"] == 0.03
    assert "programmes.university.duration" not in ex.levers  # technical levers are not sliders
    assert ex.specs[0].label("vi").endswith("số chỉ tiêu mỗi năm")


@pytest.mark.parametrize("changes, message", [
    ({"replacement_rate": 5.0}, "levers.replacement_rate: expected share of leavers replaced in"),
    ({"programmes.university.capacity": 12.5}, "expected a whole number"),
    ({"recruit_university_share[cong_chuc]": 1.5}, r"\[cong_chuc\] expected share of recruits in"),
])
def test_out_of_range_levers_are_refused_by_the_scenario_rules(changes, message):
    ex, _ = make(scenario=scenarios.load_scenario("baseline"), lever_catalogue=scenarios.LEVERS)
    before = ex.update()
    with pytest.raises(scenarios.ScenarioError, match=message):
        ex.update(**changes)
    assert ex.state is before and ex.levers == before.levers


def test_every_programme_slider_has_a_vietnamese_label():
    from forecast.stockflow import PROGRAMMES

    catalogue = explorer.vietnamese_labels(scenarios.LEVERS)
    for prog in PROGRAMMES:
        label = catalogue[f"programmes.{prog}.capacity"]["label_vi"]
        assert label == explorer.PROGRAMME_VI[prog] + ": số chỉ tiêu mỗi năm"
        assert catalogue[f"programmes.{prog}.capacity"]["label_en"] == scenarios.LEVERS[
            f"programmes.{prog}.capacity"]["label_en"]


def test_effort_for_a_unit_says_the_places_are_the_units():
    ex, _ = make()
    ex.update(unit="20101")
    assert "(của riêng đơn vị này) = 320" in ex.effort_text(ex.required_effort(), "vi")


def test_saved_scenario_round_trips_and_keeps_untouched_levers_estimated(tmp_path):
    base = scenarios.load_scenario("baseline")
    history = {"programmes.university.completions": 180}
    ex, _ = make(scenario=base, estimate=lambda ds: history, lever_catalogue=scenarios.LEVERS,
                 save_scenario=scenarios.save_scenario)
    fallback = base.levers["programmes.university.capacity"]
    ex.update(**{"programmes.university.capacity": fallback,  # equal to the file's fallback: still fixed
                 "replacement_rate": 0.0, "recruit_university_share[cong_chuc]": 1.0})
    path = ex.save_scenario("dung_tuyen_dung", directory=tmp_path)
    saved = scenarios.load_scenario(path)
    assert saved.name == "dung_tuyen_dung"
    assert saved.levers["replacement_rate"] == 0.0
    assert saved.levers["recruit_university_share"]["cong_chuc"] == 1.0
    assert not saved.entries["programmes.university.capacity"].from_history
    assert saved.levers["programmes.university.capacity"] == fallback
    assert saved.entries["programmes.it.capacity"].from_history  # untouched: re-estimated next year
    assert saved.entries["replacement_rate"].comment.startswith("set in the scenario explorer (starting from 'baseline')")
    assert saved.entries["programmes.it.capacity"].comment == base.entries["programmes.it.capacity"].comment
    assert "dung_tuyen_dung" in scenarios.list_scenarios(tmp_path)


@pytest.mark.parametrize(("lang", "origin", "lever"), [
    ("vi", "“Kịch bản cơ sở”", "Đào tạo đại học (vừa làm vừa học, liên thông): số chỉ tiêu mỗi năm"),
    ("en", "“Baseline”", "University degree (in-service): places per year")])
def test_a_saved_scenario_is_described_in_each_language_by_its_levers_labels(tmp_path, lang, origin, lever):
    """The annual run's scenario page shows the description: no lever key, no file name in it."""
    from vietnamese_text import english_words

    base = scenarios.load_scenario("baseline")
    ex, _ = make(scenario=base, estimate=lambda ds: {}, lever_catalogue=scenarios.LEVERS,
                 save_scenario=scenarios.save_scenario)
    ex.update(**{"programmes.university.capacity": 800, "replacement_rate": 0.5})
    saved = scenarios.load_scenario(ex.save_scenario("kịch bản A", directory=tmp_path))
    description = saved.description_vi if lang == "vi" else saved.description
    assert origin in description and lever in description
    assert "programmes.university.capacity" not in description and "baseline" not in description
    if lang == "vi":
        assert english_words(description) == []


# -- the real engine on the demo province ---------------------------------------------------------------

def _demo_ready() -> bool:
    return (importlib.util.find_spec("forecast.inputs.dataset") is not None
            and (config.demo_dir() / "roster.csv.gz").exists())


needs_demo = pytest.mark.skipif(not _demo_ready(), reason="the demo dataset is not in the tree yet")


@pytest.fixture(scope="module")
def demo():
    from forecast.inputs.dataset import load_dataset

    return load_dataset()


def no_trend(observations, as_of, unit="20"):
    return []  # the trend is not under test here: it does not depend on the levers


@needs_demo
@pytest.mark.parametrize("lever, values", [
    ("programmes.university.capacity", (0, 300, 1200)),
    ("training_capacity_factor", (0.5, 1.0, 3.0)),
])
def test_more_training_never_lowers_a_probability_on_the_demo_province(demo, lever, values):
    ex = Explorer(demo, analyse=no_trend, n_draws=100, seed=3)
    probs = pd.DataFrame({v: ex.update(**{lever: v}).probabilities.set_index("target")["p_scenario"]
                          for v in values})
    assert probs.notna().all().all()
    assert (probs.diff(axis=1).iloc[:, 1:] >= 0).all().all(), probs


@needs_demo
def test_same_seed_same_projection_on_the_demo_province(demo):
    a = Explorer(demo, analyse=no_trend, n_draws=50, seed=11)
    b = Explorer(demo, analyse=no_trend, n_draws=50, seed=11)
    lever = {"programmes.university.capacity": 500}
    pa, pb = a.update(**lever), b.update(**lever)
    assert pa.table.equals(pb.table)
    pd.testing.assert_frame_equal(pa.probabilities, pb.probabilities)


# -- the notebook as committed ------------------------------------------------------------------------

def _notebook():
    import nbformat

    return nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)


def test_the_notebook_is_a_clean_launcher_on_the_workbench_kernel():
    nb = _notebook()
    assert nb.metadata["kernelspec"]["name"] == config.KERNEL_NAME
    assert "widgets" not in nb.metadata, "no widget state is committed"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert code[0].metadata["tags"] == ["parameters"]
    assert len(code) == 2 and "launch(" in code[1].source and len(code[1].source.splitlines()) <= 3
    assert all("def " not in c.source and "class " not in c.source for c in code)


def test_the_apps_heading_and_messages_follow_the_language():
    ex, _ = make()
    ex.widget()
    ui = ex._ui
    assert "Khám phá kịch bản" in ui.title.value and "Run All" not in ui.title.value
    ui.message.value = "Đã xuất: …"
    ui.rows["training_places"].box.value = "nhiều"  # refused, with a Vietnamese message under the box
    assert ui.rows["training_places"].error.value
    ui.lang.value = "en"
    assert "Scenario explorer" in ui.title.value
    assert ui.message.value == "" and ui.rows["training_places"].error.value == ""  # nothing left in Vietnamese


def test_results_of_the_other_language_and_stale_messages_are_cleared():
    ex, _ = make()
    ex.widget()
    ui = ex._ui
    ui.effort_button.click()
    ui.sweep.button.click()
    ui.scenarios.result.value = "<table>so sánh</table>"
    assert ui.effort_out.value and ui.sweep.result.value
    ui.lang.value = "en"  # a Vietnamese answer, table or chart would stay under English labels
    assert (ui.effort_out.value, ui.sweep.result.value, ui.sweep.image.value, ui.scenarios.result.value) == \
        ("", "", b"", "")
    ui.say("Back to the starting scenario “baseline”.")
    ui.rows["training_places"].box.value = "300"  # a later move: the message no longer holds
    assert ui.message.value == ""


def test_the_guide_is_inside_the_app_in_both_languages():
    ex, _ = make()
    ex.widget()
    guide = ex._ui.guide.widget
    assert "gõ số vào ô bên cạnh (ví dụ 60% hoặc 1,5)" in guide.value
    ex._ui.lang.value = "en"
    assert "type a value in the box beside it (e.g. 60% or 1.5)" in guide.value


# -- the notebook under papermill (no browser: widgets render their initial state) ------------------------

@needs_demo
@pytest.mark.slow
def test_the_notebook_runs_under_papermill_and_the_committed_file_stays_clean(tmp_path):
    import nbformat
    import papermill as pm

    source = ROOT / "notebooks" / "explore.ipynb"
    before = source.read_bytes()
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(source), str(out), parameters={"lang": "en", "n_draws": 50, "target": "T01"},
                        kernel_name=config.KERNEL_NAME, cwd=str(tmp_path), progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    shown = [o for o in executed.cells[-1].outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(shown) == 1  # the explorer is displayed once
    assert not [o for o in executed.cells[-1].outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    assert source.read_bytes() == before, "running the notebook must not write into the committed file"
    assert "widgets" not in nbformat.read(source, as_version=4).metadata


@pytest.mark.parametrize("env, params, expected", [
    ({}, {}, {"data_dir": "", "scenario": "baseline", "lang": "vi", "n_draws": config.EXPLORE_DRAWS}),
    ({"FORECAST_EXPLORE_LANG": "en", "FORECAST_EXPLORE_DATA": "/d", "FORECAST_EXPLORE_DRAWS": "1000"}, {},
     {"data_dir": "/d", "scenario": "baseline", "lang": "en", "n_draws": 1000}),
    # a parameter set away from its default (papermill's injection) wins over the command's variable
    ({"FORECAST_EXPLORE_SCENARIO": "y", "FORECAST_EXPLORE_LANG": "en"}, {"scenario": "x"},
     {"lang": "en", "scenario": "x"}),
])
def test_the_launcher_reads_the_commands_settings_unless_a_parameter_was_set(env, params, expected):
    got = explorer.settings(**params, environ=env)
    assert {k: got[k] for k in expected} == expected


def test_verdict_leaves_out_the_trend_when_the_unit_has_none():
    ex, _ = make()
    line = ex.verdict("T06", "20", 0.5, None, 0.8, "en")
    assert "current trend" not in line and line.endswith("is 50.0%: acceleration needed (required 80%).")


@pytest.mark.parametrize("marked, cleaned", [(True, True), (False, False)])
def test_jupyterlab_saves_the_marked_launcher_without_outputs_or_widget_state(marked, cleaned):
    nb = {"metadata": {"widgets": {"state": {}}, **({"forecast": {"clean_on_save": True}} if marked else {})},
          "cells": [{"cell_type": "code", "execution_count": 3, "metadata": {},
                     "outputs": [{"output_type": "display_data", "data": {"text/plain": "HBox()"}}]}]}
    clean.pre_save({"type": "notebook", "content": nb}, path="notebooks/explore.ipynb")
    assert (nb["cells"][0]["outputs"] == [] and "widgets" not in nb["metadata"]) is cleaned


def test_the_committed_launcher_asks_to_be_saved_clean():
    assert clean.marked(dict(_notebook()))


@pytest.mark.parametrize("p, n, lang, shown", [
    (0.5, 200, "vi", "200 lần mô phỏng: sai số mô phỏng ±3,5 điểm %"),   # √(0.25/200) = 0.0354
    (0.5, 1000, "en", "1,000 simulations: Monte-Carlo error ±1.6 points"),
    (0.9, 200, "en", "±2.1 points"),                                    # √(0.09/200) = 0.0212
    (0.005, 200, "vi", None),   # shown as words ("gần như chắc chắn không đạt"): no figure, no error
    (0.995, 200, "vi", None),
    (None, 200, "vi", None),
])
def test_the_probability_shown_comes_with_its_monte_carlo_error(p, n, lang, shown):
    line = precision_text(p, n, lang)
    assert (shown in line) if shown else line == ""


def test_an_update_states_the_precision_of_its_probability():
    ex, _ = make()
    state = ex.update(lang="en")  # no hindcast: the trend's probability, counted on the fake trend's 200 paths
    assert (state.precision != "") is (state.p is not None and 0.01 <= state.p <= 0.99)
    assert "from 200 simulations" in state.precision


@pytest.mark.parametrize("n_draws, with_point, year", [(7, False, 2030), (200, False, 2028), (501, True, 2030),
                                                      (200, False, 2031)])
def test_the_2030_level_read_from_one_column_equals_the_summary_frames_row(n_draws, with_point, year):
    rng = np.random.default_rng(n_draws)
    fc = Forecast(YEARS, rng.random((n_draws, len(YEARS))), "x", point=rng.random(len(YEARS)) if with_point else None)
    frame = fc.summary_frame((80,))
    expected = (tuple(float(frame.loc[year, c]) for c in ("median", "lo-80", "hi-80"))
                if year in frame.index else None)
    assert explorer.level_at(fc, year) == expected
