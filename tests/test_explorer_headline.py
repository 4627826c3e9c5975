"""The explorer gives the reports' answer (issue 15): one probability per target, from the verdict rule.

The fakes of ``tests/test_explorer.py`` drive the rule (which model gives the headline, a scenario
as a change from it); the demo province checks that the province's projections carry the run's
hindcast spread, so a saved scenario reproduces in ``forecast simulate --calibration run``. The
run's hindcast is replaced by a known calibration (the real one takes about 20 s cold).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_explorer import TARGETS, Calls, make

from forecast import config
from forecast.cli import main
from forecast.commands import explore, simulate
from forecast.explorer import app, probability
from forecast.explorer.widgets import probability_table_html
from forecast.stockflow.calibration import SpreadCalibration
from forecast.verdict import runhindcast
from forecast.verdict.changes import engine_effect, p_meet_paths, shifted
from forecast.verdict.verdict import HindcastScore

PASSES = HindcastScore("T06", engine_mae=1.0, trend_mae=1.0, engine_coverage80=0.8, n_scored=20)
TOO_NARROW = HindcastScore("T06", engine_mae=1.0, trend_mae=1.0, engine_coverage80=0.4, n_scored=20)
WORSE = HindcastScore("T06", engine_mae=3.0, trend_mae=1.0, engine_coverage80=0.8, n_scored=20)


def _wide(sigma: float, origin: int = 2025) -> SpreadCalibration:
    return SpreadCalibration(origin=origin, pooled={"share": {h: sigma for h in range(1, 6)},
                                                    "count": {h: sigma for h in range(1, 6)}}, n_records=20)


# -- which model gives the one probability ---------------------------------------------------------

@pytest.mark.parametrize("scores, source, says", [
    ({"T06": PASSES}, "engine", "Xác suất theo mô hình dòng nhân lực, kịch bản cơ sở: mô hình qua kiểm định quá khứ"),
    ({"T06": TOO_NARROW}, "trend", "Xác suất theo mô hình xu hướng: khoảng dự báo của mô hình dòng nhân lực chưa khớp"),
    ({"T06": WORSE}, "trend", "Xác suất theo mô hình xu hướng: trên số liệu quá khứ, mô hình dòng nhân lực sai nhiều"),
    ({}, "trend", "Xác suất theo mô hình xu hướng: chưa có kết quả kiểm định quá khứ"),
])
def test_the_baseline_view_shows_the_model_the_hindcast_chose_and_says_why(scores, source, says):
    ex, _ = make(scores=scores)
    state = ex.update()
    assert state.source == source and says in state.verdict
    expected = state.p_scenario if source == "engine" else state.p_trend  # the baseline's own answer
    assert state.p == pytest.approx(expected)
    assert state.probabilities.set_index("target").loc["T06", "p"] == pytest.approx(expected)
    assert "So với kịch bản cơ sở" not in state.verdict  # the levers are the baseline's: no change to state


def test_moved_levers_under_an_engine_headline_give_the_engines_probability_as_a_change():
    ex, _ = make(scores={"T06": PASSES}, lang="en")
    base = ex.update().p
    state = ex.update(training_places=300)
    assert state.p == pytest.approx(state.p_scenario) and state.p != pytest.approx(base)
    assert "Against the baseline scenario: chance of meeting from" in state.verdict


def test_moved_levers_under_a_trend_headline_move_the_trends_paths_by_the_engines_effect():
    calls = Calls()
    ex, _ = make(calls, scores={"T06": TOO_NARROW}, lang="en")
    ex.update()
    state = ex.update(training_places=300)
    trend = ex.trend("20")["T06"].forecast
    base = ex.reference_projection("20").forecast("T06")
    moved = ex.projection("20", ex.levers).forecast("T06")
    expected = p_meet_paths(shifted(trend, engine_effect(base, moved, trend.years)), ex.targets["T06"], None)
    assert state.source == "trend" and state.p == pytest.approx(expected)
    assert "The levers' effect comes from the stock-flow model" in state.verdict
    assert "Against the baseline scenario: chance of meeting from 25.0% to < 1%" in state.verdict  # as the table
    assert set(state.table["series"]) == {"trend", "scenario"}  # the scenario fan: the moved trend
    assert state.table.query("series == 'scenario'")["median"].iloc[-1] == pytest.approx(
        float(np.median(shifted(trend, engine_effect(base, moved, trend.years)).draws[:, -1])))


def test_a_units_view_has_no_hindcast_so_its_headline_is_the_units_trend():
    ex, _ = make(scores={t.id: PASSES for t in TARGETS})
    state = ex.update(unit="20101")
    assert state.source == "trend" and state.p == pytest.approx(state.p_trend)
    assert "chưa có kết quả kiểm định quá khứ" in state.verdict


@pytest.mark.parametrize("scores", [{"T06": PASSES}, {"T06": WORSE}])
def test_the_verdict_states_the_one_probability_the_table_shows(scores):
    ex, _ = make(scores=scores, lang="en")
    state = ex.update(training_places=250)
    p = state.probabilities.set_index("target").loc["T06", "p"]
    assert f"by 2030 is {probability(p, 'en')}: " in state.verdict
    assert "current trend" not in state.verdict and "\n" not in state.verdict


def test_the_table_shows_the_one_probability_and_its_source_with_the_trend_as_context():
    ex, _ = make(scores={"T06": PASSES})
    html = probability_table_html(ex.update(), ex.targets)
    assert "<th>Xác suất đạt</th><th>Theo</th>" in html and "Xác suất đạt (xu hướng)" in html
    assert "<td>mô hình dòng nhân lực</td>" in html and "<td>xu hướng</td>" in html
    assert "Xác suất đạt (kịch bản)" not in html


# -- the run's hindcast: loaded by the app, shown while it is computed -------------------------------------

def test_the_app_reads_the_runs_hindcast_with_the_runs_seed_and_says_so_while_waiting(monkeypatch):
    seen, shown = [], []

    def fake(ds, folder, **kw):
        seen.append((folder, kw.get("seed")))
        shown.append("computing")
        return runhindcast.RunHindcast(calibration=_wide(0.3))
    monkeypatch.setattr(runhindcast, "for_run", fake)
    got = app.run_hindcast(object(), "", "vi", shown.append)
    assert got.calibration == _wide(0.3)
    assert seen == [(config.demo_dir(), simulate.RUN_HINDCAST_SEED)] and app.RUN_HINDCAST_SEED == 165
    assert shown[0].startswith("Đang đọc kết quả kiểm định quá khứ") and shown[1:] == ["computing", ""]


@pytest.mark.skipif(not (config.demo_dir() / "roster.csv.gz").exists(), reason="the demo dataset is not in the tree")
@pytest.mark.parametrize("lang, says", [("vi", "Đang đọc kết quả kiểm định quá khứ"),
                                        ("en", "Reading the stock-flow model's hindcast")])
def test_forecast_explore_reads_the_hindcast_before_the_app_opens_and_says_so(monkeypatch, capsys, lang, says):
    seen = []
    monkeypatch.setattr(runhindcast, "for_run", lambda ds, folder, **kw: seen.append((folder, kw.get("seed"))))
    explore.warm_hindcast(None, lang)
    assert seen == [(config.demo_dir(), 165)] and says in capsys.readouterr().err


# -- the demo province: the explorer's scenario reproduces in `forecast simulate --calibration run` ----------

def _demo_ready() -> bool:
    return (config.demo_dir() / "roster.csv.gz").exists()


@pytest.fixture(scope="module")
def demo():
    from forecast.inputs.dataset import load_dataset

    return load_dataset()


@pytest.mark.skipif(not _demo_ready(), reason="the demo dataset is not in the tree")
def test_a_saved_scenario_gives_the_same_province_probabilities_as_simulate_with_the_runs_calibration(
        demo, tmp_path, monkeypatch):
    cal = _wide(1.0)
    monkeypatch.setattr(runhindcast, "for_run", lambda ds, folder, **kw: runhindcast.RunHindcast(calibration=cal))
    passing = {t.id: PASSES for t in TARGETS}  # every headline the engine's: the one probability is simulate's
    ex = app.Explorer(demo, n_draws=40, seed=3, calibration=cal, scores=passing, analyse=lambda *a, **k: [])
    state = ex.update(**{"programmes.university.capacity": 900.0})
    path = ex.save_scenario("thu_tai_hien", directory=tmp_path)
    out = tmp_path / "sim.json"
    assert main(["simulate", "--scenario", str(path), "--draws", "40", "--seed", "3", "--calibration", "run",
                 "--json", str(out)]) == 0
    got = json.loads(out.read_text(encoding="utf-8"))["targets"]
    table = state.probabilities.set_index("target")
    mine = table["p_scenario"]
    for tid in mine.index:
        assert mine[tid] == pytest.approx(got[tid]["p_meet"]), tid
        assert table.loc[tid, "source"] == "engine" and table.loc[tid, "p"] == pytest.approx(got[tid]["p_meet"]), tid
    plain = app.Explorer(demo, n_draws=40, seed=3, analyse=lambda *a, **k: [])
    unwidened = plain.update(**{"programmes.university.capacity": 900.0}).probabilities.set_index("target")["p_scenario"]
    assert (mine != unwidened).any()  # the spread changed something, so the agreement above is not vacuous


@pytest.mark.skipif(not _demo_ready(), reason="the demo dataset is not in the tree")
def test_a_units_projection_and_another_start_year_keep_the_engines_own_spread(demo):
    cal = _wide(1.0)
    ex = app.Explorer(demo, n_draws=20, seed=3, calibration=cal, analyse=lambda *a, **k: [])
    unit = ex.unit_codes()[1]
    assert ex.calibration_for(unit) is None and ex.calibration_for("20") is cal
    plain = app.Explorer(demo, n_draws=20, seed=3, analyse=lambda *a, **k: [])
    a, b = ex.projection(unit, ex.levers), plain.projection(unit, plain.levers)
    assert all(np.array_equal(a.numerators[t], b.numerators[t]) for t in a.numerators)
    other = app.Explorer(demo, n_draws=20, seed=3, calibration=_wide(1.0, origin=2020), analyse=lambda *a, **k: [])
    assert other.calibration_for("20") is None


@pytest.mark.parametrize("scores", [{"T06": PASSES}, {"T06": TOO_NARROW}])
def test_compared_scenarios_and_sweeps_give_the_probability_the_view_gives(scores):
    from test_explorer import FakeScenario

    ex, _ = make(scores=scores)
    state = ex.update(training_places=300)
    table = ex.compare([FakeScenario("it_hon", {"training_places": 0, "hiring_freeze": 0})], include_current=True,
                       costs={})
    current = table.to_dict("records")[0]
    assert current["p"] == pytest.approx(state.p) and current["source"] == state.source
    swept = ex.sweep("training_places", [300]).iloc[0]
    assert swept["p"] == pytest.approx(state.p) and swept["level"] == pytest.approx(current["level"])


def test_the_screen_bolds_the_probability_and_its_status_and_says_its_source_after_it():
    ex, _ = make(scores={"T06": PASSES})
    ex.widget()
    html = ex._ui.verdict.value
    lead, rest = ex.state.verdict.split(" Xác suất theo", 1)
    assert html.startswith(f"<p><b>{lead}</b> Xác suất theo mô hình dòng nhân lực") and html.endswith("</p>")


@pytest.mark.skipif(not _demo_ready(), reason="the demo dataset is not in the tree")
@pytest.mark.parametrize(("scores", "source"), [({"T01": PASSES}, "engine"), ({"T01": TOO_NARROW}, "trend")])
def test_applying_what_it_takes_gives_the_probability_it_promised(demo, scores, source):
    """The search judges each trial by the verdict's own probability, so "áp dụng giá trị này" keeps its word."""
    ex = app.Explorer(demo, n_draws=40, seed=3, calibration=_wide(0.5), scores=scores)
    ex.update(target="T01")
    effort = ex.required_effort()
    assert effort.verdict == "reachable", ex.effort_text(effort, "en")
    state = ex.update(**ex.effort_levers(effort))
    row = state.probabilities.set_index("target").loc["T01"]
    assert row["source"] == source
    assert row["p"] == pytest.approx(effort.probability) and row["p"] >= 0.8


@pytest.mark.skipif(not _demo_ready(), reason="the demo dataset is not in the tree")
def test_a_communes_head_count_with_almost_no_history_gets_no_trend_and_says_why(demo):
    ex = app.Explorer(demo, n_draws=20, seed=3, scores={})
    assert ex.trend("06001")["T11"].series.attrs.get("sparse_count")  # Xã Đoàn Kết: ten zeros, then a one
    state = ex.update(target="T11", unit="06001")
    assert "chưa đủ để ước tính xu hướng của một chỉ tiêu đếm số người" in state.verdict
    assert state.level_hi is None and not len(state.table)  # no trillions on the axis


@pytest.mark.skipif(not _demo_ready(), reason="the demo dataset is not in the tree")
def test_the_exported_levers_sheet_shows_shares_as_the_screen_does(demo, tmp_path):
    import openpyxl

    ex = app.Explorer(demo, n_draws=20, seed=3, scores={})
    ex.update(replacement_rate=0.9)
    ws = openpyxl.load_workbook(ex.export(tmp_path)["xlsx"])["Đòn bẩy"]
    rows = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(2, ws.max_row + 1)}
    share = rows[ex.lever_labels("vi")["replacement_rate"]]
    assert share.value == pytest.approx(0.9) and share.number_format == "0.0%"  # 90,0% in Excel, as on screen
    places = rows[ex.lever_labels("vi")["programmes.university.capacity"]]
    assert places.number_format != "0.0%"


@pytest.mark.skipif(not _demo_ready(), reason="the demo dataset is not in the tree")
def test_a_head_count_has_whole_ticks_and_a_share_keeps_round_ones_after_it(demo):
    ex = app.Explorer(demo, n_draws=20, seed=3, scores={})
    ex.update(target="T11", unit="06001")
    ex.png()
    ticks = ex._figure.ax.get_yticks()
    assert all(float(v).is_integer() for v in ticks)  # people: never "0, 0, 1, 1"
    ex.update(target="T06", unit="20")
    ex.png()
    ticks = ex._figure.ax.get_yticks()
    assert all(abs(v * 10 - round(v * 10)) < 1e-9 for v in ticks)  # 50%, 60%, … not 54%, 60%, 66%
