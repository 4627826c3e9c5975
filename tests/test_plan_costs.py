"""Unit costs with their provenance, and the effort line of every target."""

import pytest

from forecast import stockflow as sf
from forecast.plan import costs as costs_mod
from forecast.plan import needs
from forecast.stockflow import PROGRAMMES


def test_every_programme_is_priced_and_only_the_published_amount_is_legal():
    table = costs_mod.unit_costs()
    assert set(table) == set(PROGRAMMES)
    legal = {k for k, c in table.items() if c.status == costs_mod.LEGAL}
    assert legal == {"postgraduate"} and table["postgraduate"].vnd == 100_000_000
    assert "15/2022/NQ-HĐND" in table["postgraduate"].source
    for c in table.values():
        if c.status == costs_mod.ASSUMPTION:
            assert c.label.startswith("ASSUMPTION") and "days ×" in c.label and c.vnd > 0


def write(tmp_path, body):
    path = tmp_path / "costs.yml"
    path.write_text("currency: VND\nassumed_vnd_per_day: 100\nprogrammes:\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, message", [
    ("  nonsense: {vnd_per_participant: 1, status: legal, source: x}\n", "unknown programme"),
    ("  it: {vnd_per_participant: 5, status: legal, source: ''}\n", "needs the act"),
    ("  it: {vnd_per_participant: -5, status: legal, source: act}\n", "non-negative"),
    ("  it: {vnd_per_participant: 5, status: assumption, days: 3, basis: 'ASSUMPTION: x'}\n", "computed from 'days'"),
    ("  it: {vnd_per_participant: null, status: assumption, days: 3, basis: 'a guess'}\n", "starting with 'ASSUMPTION'"),
    ("  it: {vnd_per_participant: null, status: official, source: x}\n", "expected 'legal' or 'assumption'"),
])
def test_malformed_tables_are_refused_with_the_entry(tmp_path, body, message):
    with pytest.raises(costs_mod.CostError, match=message) as err:
        costs_mod.unit_costs(write(tmp_path, body))
    assert "costs.yml: programmes." in str(err.value) or "costs.yml:" in str(err.value)


def test_an_assumption_is_days_times_the_daily_cost(tmp_path):
    path = write(tmp_path, "  it: {vnd_per_participant: null, status: assumption, days: 3, basis: 'ASSUMPTION: 3 days'}\n")
    assert costs_mod.unit_costs(path)["it"].vnd == 300


@pytest.fixture(scope="module")
def efforts():
    roster = sf.random_roster(2000, year=2025, seed=21)
    return roster, needs.effort_for_every_target(roster, p=0.8, n_draws=60, seed=2, targets=["T07", "T08", "T02"],
                                                 history={})


def test_each_reachable_effort_reaches_p_and_is_priced_with_its_sources(efforts):
    _, out = efforts
    for e in out:
        if e.reachable:
            assert e.probability >= 0.8 and e.reason == ""
            assert e.cost_status == "assumption" and e.cost_sources[0].split(": ", 1)[1].startswith("ASSUMPTION")
            assert e.cost_per_year == pytest.approx(e.places_per_year * costs_mod.unit_costs()[e.programmes[0]].vnd)
        else:
            assert e.cost_total is None and e.reason.startswith("even ")


def test_the_effort_table_has_one_row_per_target(efforts):
    _, out = efforts
    table = needs.effort_table(out)
    assert table["target"].tolist() == ["T07", "T08", "T02"]
    assert {"places_per_year", "p_baseline", "p_with_places", "cost_2026_2030_vnd", "cost_status"} <= set(table)
