"""The engine counts what the roster counts: every indicator's start value is the roster's aggregate,
and every stage reads its target definitions from :mod:`forecast.domain.definitions`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecast import config
from forecast import stockflow as sf
from forecast.domain import definitions as defs
from forecast.inputs.returns import RULES
from forecast.inputs.roster import aggregate, read_roster
from forecast.plan.effort import DEFAULT_LEVERS
from forecast.stockflow import scenarios as sc
from forecast.stockflow.spec import STATE_MEMBERS, dimension_of

TESTS = Path(__file__).parent
ROSTERS = {"demo": config.demo_dir() / "roster.csv.gz", "fixture": TESTS / "data" / "fixture_dataset" / "roster.csv"}
INDICATORS = ("T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09", "T09a", "T09b", "T09c", "T10", "T11")


def _still() -> sc.Scenario:
    """The baseline with every history lever given (nothing estimated)."""
    capacities = {f"programmes.{name}.capacity": 0 for name in sf.PROGRAMMES}
    return sc.load_scenario("baseline").with_levers(
        capacities, other_exit_rate=0.0, replacement_rate=1.0, headcount_change=0.0,
        recruit_university_share=0.9, new_leader_programme_share=0.5)


@pytest.fixture(scope="module", params=list(ROSTERS))
def start(request) -> tuple[dict, pd.DataFrame]:
    """(the engine's start counts, the roster's observations summed over units) of one roster."""
    roster = read_roster(ROSTERS[request.param])
    year = int(roster["year"].max())
    proj = sf.project(roster, _still(), year, year + 1, n_draws=1, history={})
    obs = aggregate(roster, year)
    sums = obs.groupby("indicator")[["numerator", "denominator"]].sum(min_count=1)
    return proj.start, sums


@pytest.mark.parametrize("tid", INDICATORS)
def test_engine_starts_from_the_roster_aggregate(start, tid):
    engine, roster = start
    num, den = engine[tid]
    assert num == roster.loc[tid, "numerator"]
    if defs.definition(tid).kind == "share":
        assert den == roster.loc[tid, "denominator"] > 0


@pytest.mark.parametrize("tid", INDICATORS)
def test_engine_spec_is_the_definition(tid):
    d, spec = defs.definition(tid), sf.TARGET_SPECS[tid]
    assert spec.population == d.population.where
    assert spec.dimension == dimension_of(d.criterion)
    assert spec.kind == d.kind


@pytest.mark.parametrize("tid", INDICATORS)
def test_return_rule_is_the_definition(tid):
    d = defs.definition(tid)
    assert RULES[tid] == (list(d.population.return_rows), list(d.criterion.return_fields))


@pytest.mark.parametrize("tid", INDICATORS)
def test_default_lever_moves_the_criterion(tid):
    """Each default lever is a programme of the engine acting on the criterion's dimension."""
    d = defs.definition(tid)
    assert DEFAULT_LEVERS[tid] == d.levers
    for name in d.criterion.programmes:
        assert sf.PROGRAMMES[name].dimension == dimension_of(d.criterion)
        moves_in = {to for _from, to in sf.PROGRAMMES[name].moves}
        assert moves_in & set(sf.TARGET_SPECS[tid].states), f"{name} never moves anyone into {tid}'s states"


@pytest.mark.parametrize("dim", list(sf.DIMENSIONS))
def test_every_state_describes_its_roster_values(dim):
    assert len(STATE_MEMBERS[dim]) == len(sf.DIMENSIONS[dim])
