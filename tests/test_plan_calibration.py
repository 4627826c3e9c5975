"""The plan and the assessment give one answer: the plan's engine runs carry the spread of the run's hindcast."""

import json

import numpy as np
import pytest

from forecast import stockflow as sf
from forecast.cli import main
from forecast.commands import simulate
from forecast.plan import effort as ef
from forecast.plan import joint
from forecast.reports import pipeline
from forecast.stockflow.calibration import SpreadCalibration, calibrate
from forecast.verdict import runhindcast


@pytest.fixture(scope="module")
def roster():
    return sf.random_roster(1500, year=2025, seed=4)


def _wide(sigma: float) -> SpreadCalibration:
    return SpreadCalibration(origin=2025, pooled={"share": {h: sigma for h in range(1, 6)},
                                                  "count": {h: sigma for h in range(1, 6)}}, n_records=20)


def test_no_calibration_leaves_the_plan_as_it_was(roster):
    a = ef.required_effort(roster, "baseline", "T03", p=0.8, n_draws=60, seed=1, history={}, costs=None)
    b = ef.required_effort(roster, "baseline", "T03", p=0.8, n_draws=60, seed=1, history={}, costs=None,
                           calibration=None)
    assert a.value == b.value and a.probability == b.probability


@pytest.mark.parametrize("target", ["T01", "T03", "T08"])
def test_the_effort_search_judges_with_the_calibrated_spread(roster, target):
    """The baseline probability the search reports is the calibrated projection's, as the assessment shows it."""
    cal = _wide(1.5)
    e = ef.required_effort(roster, "baseline", target, p=0.8, n_draws=60, seed=1, history={}, costs=None,
                           calibration=cal)
    proj = sf.project(roster, "baseline", None, 2030, n_draws=60, seed=1, history={})
    assert e.baseline_probability == pytest.approx(calibrate(proj, cal, seed=1).p_meet(target))


def test_a_wide_spread_pulls_the_plan_probabilities_toward_one_half(roster):
    """Wider paths make near-certain outcomes less certain: the joint plan sees that spread."""
    runner = joint._Runner(roster, sf.scenarios.load_scenario("baseline"), {}, 60, 1, 2030)
    wide = joint._Runner(roster, sf.scenarios.load_scenario("baseline"), {}, 60, 1, 2030, _wide(2.0))
    places = {pg: 0.0 for pg in sf.PROGRAMMES}
    plain, spread = runner.project(places), wide.project(places)
    gaps_plain = [abs(plain.p_meet(t) - 0.5) for t in ("T01", "T02", "T05")]
    gaps_wide = [abs(spread.p_meet(t) - 0.5) for t in ("T01", "T02", "T05")]
    assert np.mean(gaps_wide) < np.mean(gaps_plain)
    assert plain.numerators.keys() == spread.numerators.keys()


# --- the commands: `forecast plan` gives the reports' probabilities, and its scenario replays them -------------

def test_the_commands_use_the_annual_runs_hindcast_seed():
    """``--calibration run`` finds the annual run's cached hindcast only if both use one seed."""
    assert simulate.RUN_HINDCAST_SEED == pipeline.DEFAULT_SEED


@pytest.fixture()
def wide_run_hindcast(monkeypatch):
    """The run's hindcast replaced by a known wide spread (the real one takes about 20 s on the demo)."""
    calls = []

    def fake(ds, folder, **kw):
        calls.append(kw.get("seed"))
        return runhindcast.RunHindcast(calibration=_wide(1.0))
    monkeypatch.setattr(runhindcast, "for_run", fake)
    return calls


def test_forecast_plan_and_its_replay_agree_under_the_runs_calibration(wide_run_hindcast, tmp_path):
    out = tmp_path / "plan.json"
    assert main(["plan", "--draws", "40", "--seed", "3", "--json", str(out)]) in (0, 2)
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["calibration"] == "run" and wide_run_hindcast == [165]
    replay = tmp_path / "replay.json"
    assert main(["simulate", "--scenario", plan["scenario_file"], "--draws", "40", "--seed", "3",
                 "--calibration", "run", "--json", str(replay)]) == 0
    got = json.loads(replay.read_text(encoding="utf-8"))
    assert got["calibration"] == "run"
    for target, p_plan in plan["probabilities"].items():
        assert got["targets"][target]["p_meet"] == pytest.approx(p_plan), target


def test_simulate_without_calibration_keeps_the_engines_own_spread(wide_run_hindcast, tmp_path):
    assert main(["simulate", "--draws", "20", "--json", str(tmp_path / "s.json")]) == 0
    assert wide_run_hindcast == []
