"""Scenario files: reading, validation with located messages, changing levers, saving."""

import textwrap

import pandas as pd
import pytest
import yaml

from forecast import config
from forecast.stockflow import scenarios as sc


def write(tmp_path, text: str, name: str = "s.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def base_copy(tmp_path):
    """The project's baseline copied beside the test files (for ``extends``)."""
    (tmp_path / "baseline.yml").write_text((config.scenarios_dir() / "baseline.yml").read_text("utf-8"), "utf-8")
    return tmp_path


def test_project_scenarios_load_and_baseline_comes_first():
    names = sc.list_scenarios()
    assert names[0] == "baseline"
    assert {"baseline", "accelerated_training", "hiring_freeze"} <= set(names)
    for name in names:
        s = sc.load_scenario(name)
        assert set(s.levers) == set(sc.LEVERS)
        assert s.label and s.label_vi


def test_every_lever_of_the_files_has_unit_and_comment():
    for name in sc.list_scenarios():
        doc = yaml.safe_load((config.scenarios_dir() / f"{name}.yml").read_text("utf-8"))
        for lever, item in doc["levers"].items():
            assert item["unit"] == sc.lever_spec(lever).unit, (name, lever)
            assert str(item["comment"]).strip(), (name, lever)


def test_extends_overrides_only_what_it_sets():
    base = sc.load_scenario("baseline")
    acc = sc.load_scenario("accelerated_training")
    assert acc.levers["training_capacity_factor"] == 2.0
    assert acc.levers["replacement_rate"] == base.levers["replacement_rate"]
    assert acc.entries["programmes.university.capacity"].from_history


def test_load_by_path(base_copy):
    path = write(base_copy, """
        name: more_hires
        extends: baseline
        levers:
          replacement_rate: {value: 1.2, unit: share_of_leavers, comment: "20 % more recruits than leavers"}
    """)
    s = sc.load_scenario(path)
    assert s.name == "more_hires" and s.levers["replacement_rate"] == 1.2 and s.path == path


@pytest.mark.parametrize(("lever_yaml", "message"), [
    ("replacement_rate: {value: 3, unit: share_of_leavers, comment: x}", "levers.replacement_rate: expected"),
    ("replacement_rate: {value: 0.5, unit: percent, comment: x}", "levers.replacement_rate: unit must be 'share_of_leavers'"),
    ("replacement_rate: {value: 0.5, unit: share_of_leavers}", "levers.replacement_rate: a comment"),
    ("replacement_rate: {value: from_history, unit: share_of_leavers, comment: x}", "cannot be 'from_history'"),
    ("other_exit_rate: {value: from_history, unit: share_per_year, comment: x}", "needs a 'fallback'"),
    ("other_exit_rate: {value: {cong_chuc: 0.02, teachers: 0.1}, unit: share_per_year, comment: x}",
     "unknown category 'teachers'"),
    ("headcount_change: {value: {cong_chuc: 0.02}, unit: change_per_year, comment: x}", None),
    ("leader_years_to_retirement: {value: 12.5, unit: years, comment: x}", "whole number"),
    ("programmes.university.duration: {value: 9, unit: programme_years, comment: x}", "in [1, 6]"),
    ("programmes.flying.capacity: {value: 9, unit: people_per_year, comment: x}", "levers.programmes.flying.capacity: unknown lever"),
    ("priority_share: {value: yes, unit: share_of_places, comment: x}", "expected a number"),
    ("replacement_rate: 0.5", "expected a mapping with 'value'"),
])
def test_bad_levers_are_located(base_copy, lever_yaml, message):
    path = write(base_copy, f"""
        name: bad
        extends: baseline
        levers:
          {lever_yaml}
    """)
    if message is None:
        assert sc.load_scenario(path).levers["headcount_change"] == {"cong_chuc": 0.02}
        return
    with pytest.raises(sc.ScenarioError) as err:
        sc.load_scenario(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_every_problem_is_reported_at_once(base_copy):
    path = write(base_copy, """
        name: bad
        extends: baseline
        colour: blue
        levers:
          replacement_rate: {value: -1, unit: share_of_leavers, comment: x}
          headcount_change: {value: 0.9, unit: change_per_year, comment: x}
    """)
    with pytest.raises(sc.ScenarioError) as err:
        sc.load_scenario(path)
    text = str(err.value)
    assert "unknown key 'colour'" in text and "replacement_rate" in text and "headcount_change" in text


def test_a_file_without_extends_must_set_every_lever(tmp_path):
    path = write(tmp_path, """
        name: partial
        levers:
          replacement_rate: {value: 1.0, unit: share_of_leavers, comment: x}
    """)
    with pytest.raises(sc.ScenarioError, match="missing lever"):
        sc.load_scenario(path)


@pytest.mark.parametrize(("text", "message"), [
    ("name: [unclosed", "not valid YAML"),
    ("- a list", "expected a mapping"),
    ("name: x\nextends: nowhere\nlevers: {}", "no scenario 'nowhere'"),
])
def test_malformed_files(tmp_path, text, message):
    path = tmp_path / "m.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sc.ScenarioError, match=message):
        sc.load_scenario(path)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(sc.ScenarioError, match="known: baseline"):
        sc.load_scenario("no_such_scenario")


def test_with_levers_copies_validates_and_keeps_provenance():
    base = sc.load_scenario("baseline")
    same = base.with_levers(**base.levers)
    assert same.entries == base.entries  # unchanged values keep 'from_history'
    more = base.with_levers({"programmes.university.capacity": 900}, replacement_rate=0.8)
    assert more.levers["programmes.university.capacity"] == 900
    assert not more.entries["programmes.university.capacity"].from_history
    assert base.levers["replacement_rate"] == 1.0  # the original is untouched
    with pytest.raises(sc.ScenarioError, match="levers.replacement_rate"):
        base.with_levers(replacement_rate=5)
    with pytest.raises(sc.ScenarioError, match="unknown lever 'nope'"):
        base.with_levers(nope=1)


def test_resolve_uses_history_and_fills_categories_from_the_fallback():
    base = sc.load_scenario("baseline")
    history = {"other_exit_rate": {"vien_chuc": 0.01}, "programmes.university.completions": 90}
    lv = base.resolve(history)
    assert lv["other_exit_rate"] == {"can_bo": 0.03, "cong_chuc": 0.015, "vien_chuc": 0.01}
    # places = completions / completion rate (0.9)
    assert lv["programmes.university.capacity"] == 100
    # a lever set explicitly is not replaced by the history
    fixed = base.with_levers(**{"programmes.university.capacity": 5})
    assert fixed.resolve(history)["programmes.university.capacity"] == 5
    assert any("estimated from the history" in n for n in base.resolution_notes(history))


def test_save_and_reload_round_trip(tmp_path):
    s = sc.load_scenario("hiring_freeze").with_levers(headcount_change=-0.03)
    path = sc.save_scenario(s, tmp_path / "out" / "cuts.yml")
    back = sc.load_scenario(path)
    assert back.levers == s.levers
    assert back.entries["other_exit_rate"].from_history
    assert not list((tmp_path / "out").glob(".*tmp"))  # no temporary file left


def test_lever_catalogue_for_the_explorer():
    cat = sc.LEVERS["programmes.senior_specialist.capacity"]
    assert cat["min"] == 0 and cat["integer"] and cat["label_vi"] and cat["unit"] == "people_per_year"
    assert sc.LEVERS["headcount_change"]["min"] < 0


def test_estimate_baseline_from_a_roster_alone():
    from forecast.stockflow import random_roster

    roster = random_roster(3000, seed=4)
    roster.loc[roster.index[:30], "exit_reason"] = "nghi_viec"
    roster.loc[roster.index[:30], "exit_date"] = pd.Timestamp("2025-05-01")
    est = sc.estimate_baseline(roster)
    assert set(est["other_exit_rate"]) <= set(sc.CATEGORIES)
    assert sum(est["other_exit_rate"].values()) > 0
    assert 0 < est["recruit_university_share"]["vien_chuc"] <= 1
    assert {"category", "level", "dimension", "state", "count"} <= set(est["recruit_mix"].columns)


def test_with_history_bakes_the_estimates_in():
    base = sc.load_scenario("baseline")
    history = {"programmes.university.completions": 90, "new_leader_programme_share": 0.7}
    baked = base.with_history(history)
    assert baked.levers["programmes.university.capacity"] == 100
    assert baked.levers["new_leader_programme_share"] == 0.7
    assert not baked.entries["programmes.university.capacity"].from_history
    assert baked.entries["other_exit_rate"].from_history  # nothing estimated: still marked
    assert baked.resolve(None) == base.resolve(history) | {"other_exit_rate": base.levers["other_exit_rate"]}
    assert base.with_history(None) is base


def test_allocation_weights_are_the_groups_completion_rates_relative_to_the_overall_rate():
    from forecast.stockflow import random_roster

    class Data:
        pass

    data = Data()
    data.roster = random_roster(2000, seed=4)
    rows = []
    for year in (2022, 2023, 2024):
        rows += [(year, "cong_chuc", "xa", "headcount", 1000), (year, "cong_chuc", "xa", "university", 800),
                 (year, "cong_chuc", "xa", "upgrade_dai_hoc", 30),
                 (year, "cong_chuc", "tinh", "headcount", 1000), (year, "cong_chuc", "tinh", "university", 900),
                 (year, "cong_chuc", "tinh", "upgrade_dai_hoc", 3)]
    data.flows = pd.DataFrame(rows, columns=["year", "category", "level", "flow", "count"])
    w = sc.estimate_baseline(data)["allocation_weights"].set_index(["programme", "level"])["weight"]
    # eligible: 3 × 200 at xa, 3 × 100 at tinh; completions 90 and 9; overall rate r = 99/900;
    # one pseudo-completion at rate r: (90 + 1) / (600 r + 1) and (9 + 1) / (300 r + 1)
    r = 99 / 900
    assert w[("university", "xa")] == pytest.approx(91 / (600 * r + 1), abs=1e-4)
    assert w[("university", "tinh")] == pytest.approx(10 / (300 * r + 1), abs=1e-4)
    assert set(w.index.get_level_values("programme")) == {"university"}  # no other completions


def test_no_flows_no_allocation_weights():
    from forecast.stockflow import random_roster

    assert "allocation_weights" not in sc.estimate_baseline(random_roster(500, seed=1))
