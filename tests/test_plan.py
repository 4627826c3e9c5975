"""The joint training plan: least cost, verified by simulation, written as a scenario file; budgets."""

import numpy as np
import pytest

from forecast import stockflow as sf
from forecast.plan import costs as costs_mod
from forecast.plan import joint
from forecast.stockflow import scenarios as sc

DRAWS, SEED, P = 100, 4, 0.8


@pytest.fixture(scope="module")
def roster():
    return sf.random_roster(3000, year=2025, seed=21)


@pytest.fixture(scope="module")
def plan(roster):
    return joint.least_cost_plan(roster, "baseline", p=P, n_draws=DRAWS, seed=SEED, history={})


def test_the_plan_written_as_a_scenario_meets_every_reachable_target(plan, roster, tmp_path):
    assert plan.verified and plan.reachable
    path = sc.save_scenario(plan.scenario, tmp_path / "plan.yml")
    again = sf.project(roster, sc.load_scenario(path), 2025, 2030, n_draws=DRAWS, seed=SEED, history={})
    for t in plan.reachable:
        assert again.p_meet(t) >= P, t
        assert again.p_meet(t) == pytest.approx(plan.probabilities[t])  # only simulated probabilities


def test_unreachable_targets_are_named_with_their_probability_at_the_top(plan):
    assert set(plan.reachable) | set(plan.unreachable) == set(sf.TARGET_SPECS)
    assert not set(plan.reachable) & set(plan.unreachable)
    assert all(msg.startswith("P = ") for msg in plan.unreachable.values())


def test_the_cost_is_the_simulated_enrolments_times_the_unit_costs(plan):
    table = joint.plan_table(plan)
    assert set(table["year"]) == set(range(2026, 2031))
    expected = sum(row.enrolled * plan.costs[row.programme].vnd for row in table.itertuples())
    assert plan.cost_total == pytest.approx(expected)
    assert set(table.loc[table["programme"] != "postgraduate", "cost_status"]) == {costs_mod.ASSUMPTION}


def test_a_tighter_budget_never_meets_more_targets(roster):
    budgets = [5e8, 2e12, 5e10]
    plans = joint.budget_frontier(roster, budgets, scenario="baseline", p=P, n_draws=DRAWS, seed=SEED,
                                  history={}, max_iterations=3)
    by_budget = sorted(zip(budgets, plans, strict=True), key=lambda bp: bp[0])
    met = [len(pl.met) for _, pl in by_budget]
    assert met == sorted(met) and met[0] < met[-1]
    for b, pl in by_budget:
        assert pl.objective == joint.OBJECTIVE_BUDGET
        assert float(sum(n * pl.costs[pg].vnd for pg, n in pl.places.items())) * 5 <= b + 1e-6


def test_the_score_is_non_negative_exactly_when_the_probability_is_reached(roster):
    proj = sf.project(roster, "baseline", 2025, 2030, n_draws=DRAWS, seed=1, history={})
    for t in sf.TARGET_SPECS:
        for p in (0.2, 0.5, 0.8):
            assert (joint.score(proj, t, p) >= 0) == (proj.p_meet(t) >= p), (t, p)


@pytest.mark.parametrize("bad, message", [
    ({"p": 1.0}, "p must be in"),
    ({"p": 0.0}, "p must be in"),
    ({"budget": -1.0}, "non-negative"),
    ({"costs": {}}, "no unit cost for university"),
])
def test_bad_arguments_are_refused(roster, bad, message):
    with pytest.raises(ValueError, match=message):
        joint.least_cost_plan(roster, **{"n_draws": 20, "history": {}, **bad})


def test_keep_current_never_plans_fewer_places_than_the_scenario(roster):
    pl = joint.least_cost_plan(roster, p=0.5, n_draws=50, seed=2, history={}, keep_current=True, max_iterations=2)
    current = sc.load_scenario("baseline").resolve({})
    for pg, n in pl.places.items():
        assert n >= current[f"programmes.{pg}.capacity"] - 1e-9, pg
    assert np.isfinite(pl.cost_total)


@pytest.mark.parametrize("argv, message", [
    (["--p", "1.2"], "--p must be strictly between 0 and 1"),
    (["--budget", "-5"], "--budget must be non-negative"),
    (["--draws", "3"], "--draws must be at least 20"),
    (["--json", "out.txt"], "expected a .json file"),
    (["--xlsx", "out.csv", "--p", "0"], "expected a .xlsx file"),
])
def test_the_command_refuses_bad_arguments_before_any_work(argv, message, capsys):
    from forecast import cli

    assert cli.main(["plan", *argv]) == 1
    assert message in capsys.readouterr().err


def test_the_command_refuses_a_missing_dataset(tmp_path, capsys):
    from forecast import cli

    assert cli.main(["plan", "--data", str(tmp_path / "nowhere")]) == 1
    assert "no such dataset folder" in capsys.readouterr().err
