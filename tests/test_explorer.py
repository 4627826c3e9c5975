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
from forecast.explorer import Explorer, ViewState
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
                               cost=1.5e9)


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


@pytest.mark.parametrize("lang, starts, required, trend", [
    ("vi", "Với các đòn bẩy này, khả năng toàn tỉnh đạt mục tiêu T06 (95%) vào năm 2030 là", "80%", "xu hướng hiện nay: 25%"),
    ("en", "With these levers, the probability that the province meets target T06 (95%) by 2030 is", "80%", "current trend: 25%"),
])
def test_verdict_is_one_plain_line_in_the_chosen_language(lang, starts, required, trend):
    ex, _ = make()
    state = ex.update(lang=lang)
    assert state.verdict.startswith(starts)
    assert required in state.verdict and trend in state.verdict
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
    ({"p_required": 1.0}, "must be in (0, 1)"),
    ({"p_required": 0}, "must be in (0, 1)"),
    ({"p_required": "high"}, "must be a number"),
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
    assert (probs["meets"] == (probs["p_scenario"] >= 0.6)).all()


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
    assert "Chỉ tiêu đào tạo đại học/năm = 320; xác suất đạt 81%; chi phí 1.500 triệu đồng" in vi
    assert vi.endswith("Có thể đạt được.")
    assert "University places a year = 320; probability 81%; cost 1,500 million VND" in en


# -- saving the scenario -------------------------------------------------------------------------

def test_save_writes_the_current_levers_under_the_new_name(tmp_path):
    ex, _ = make()
    ex.update(training_places=250, hiring_freeze=1)
    path = ex.save_scenario("them_250_cho", directory=tmp_path)
    assert path == tmp_path / "them_250_cho.yml"
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved == {"name": "them_250_cho", "levers": {"training_places": 250, "hiring_freeze": 1}}


def test_save_refuses_to_replace_an_existing_scenario(tmp_path):
    ex, _ = make()
    (tmp_path / "baseline.yml").write_text("name: baseline\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="baseline.yml exists"):
        ex.save_scenario("baseline", directory=tmp_path)
    assert (tmp_path / "baseline.yml").read_text(encoding="utf-8") == "name: baseline\n"
    ex.save_scenario("baseline", directory=tmp_path, overwrite=True)
    assert "training_places" in (tmp_path / "baseline.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name, ok", [
    ("tang_dao_tao", True), ("freeze-2026", True), ("A1", True),
    ("", False), ("../etc/passwd", False), ("có dấu", False), ("_hidden", False), ("x" * 65, False),
    ("a/b", False),
])
def test_scenario_names_are_safe_file_stems(name, ok):
    if ok:
        assert explorer.check_scenario_name(name) == name
    else:
        with pytest.raises(ValueError, match="scenario name"):
            explorer.check_scenario_name(name)


def test_save_defaults_to_the_projects_scenarios_folder(tmp_path, monkeypatch):
    ex, _ = make()
    monkeypatch.setenv("FORECAST_DATA", str(tmp_path))
    assert ex.save_scenario("moi") == tmp_path / "scenarios" / "moi.yml"


# -- exporting the view ----------------------------------------------------------------------------

def test_export_writes_the_chart_and_its_data(tmp_path):
    ex, _ = make()
    ex.update(training_places=200, target="T02", lang="en")
    paths = ex.export(tmp_path)
    assert paths["png"].name == "baseline_T02_20_en.png"
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(paths["csv"])
    chart = table[table["series"].isin(["trend", "scenario"])]
    assert len(chart) == 2 * len(YEARS) and (chart["target_id"] == "T02").all()
    assert chart["threshold"].iloc[0] == pytest.approx(0.70)
    probs = table[table["series"] == "p_meet"]
    assert set(probs["target_id"]) == {t.id for t in TARGETS}
    assert probs.set_index("target_id").loc["T02", "threshold"] == pytest.approx(0.70)  # shares throughout
    assert (table["lever_training_places"] == 200).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline_T02_20_en.csv", "baseline_T02_20_en.png"]
    before = ex.png()
    ex.update(training_places=210)
    assert _pixels(ex.png()).shape == _pixels(before).shape  # the widget's picture survives the export


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
    assert ex.export()["csv"].parent == tmp_path / "explorer"


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
    assert ui.effort_button.description == "Compute required effort"
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
    assert "Nỗ lực cần thiết cho T06" in ui.effort_out.value and len(calls.effort) == 1


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


def test_the_notebook_is_thin_clean_and_on_the_workbench_kernel():
    nb = _notebook()
    assert nb.metadata["kernelspec"]["name"] == config.KERNEL_NAME
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert code[0].metadata["tags"] == ["parameters"]
    assert all("def " not in c.source and "class " not in c.source for c in code)
    assert "from forecast.explorer import Explorer" in code[1].source


@pytest.mark.parametrize("words", [
    # Vietnamese guide: the levers in the Department's terms
    ("Hướng dẫn", "số chỉ tiêu mỗi năm", "dừng tuyển dụng", "tinh giản", "chỉ tuyển người có bằng đại học",
     "Tính nỗ lực cần thiết", "Lưu kịch bản", "Xuất PNG + CSV"),
    # English guide
    ("guide", "places per year", "hiring freeze", "posts cut", "degrees required of all new hires",
     "Compute required effort", "Save scenario", "Export PNG + CSV"),
])
def test_the_notebook_opens_with_a_guide_in_both_languages(words):
    nb = _notebook()
    guide = " ".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    for word in words:
        assert word in guide, word
    assert nb.cells[3].cell_type == "code", "the guide comes before any code"


# -- the notebook under papermill (no browser: widgets render their initial state) ------------------------

@needs_demo
@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("forecast.verdict.analysis") is None, reason="forecast.verdict.analysis not in the tree yet")
@pytest.mark.parametrize("lang, starts", [("en", "With these levers")])
def test_the_notebook_runs_top_to_bottom_under_papermill(tmp_path, lang, starts):
    import nbformat
    import papermill as pm

    source = ROOT / "notebooks" / "explore.ipynb"
    stored = nbformat.read(source, as_version=4)
    assert stored.metadata["kernelspec"]["name"] == config.KERNEL_NAME
    assert all(not c.get("outputs") for c in stored.cells if c.cell_type == "code"), "commit it without outputs"
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(source), str(out), parameters={"lang": lang, "n_draws": 50, "target": "T01"},
                        kernel_name=config.KERNEL_NAME, cwd=str(tmp_path), progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    assert printed.startswith(f"{starts}, the probability that the province meets target T01 (95%) by 2030 is")
    shown = [o for o in executed.cells[-2].outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(shown) == 1  # the explorer is displayed once


def test_verdict_leaves_out_the_trend_when_the_unit_has_none():
    ex, _ = make()
    line = ex.verdict("T06", "20", 0.5, None, 0.8, "en")
    assert "current trend" not in line and line.endswith("is 50%: acceleration needed (required 80%).")
