"""The roster history: every 31 October return of a period in one file, one row per person
and run of unchanged years (docs/architecture.md, "Roster history").

Specification:
- ``snapshot(history, year)`` gives the roster as of 31 October of the year, in the roster's
  columns and types; exits after that day are not yet known;
- a yearly set of rosters turned into a history (``forecast.synth.roster_history``) gives
  each roster back exactly;
- a bad history file is refused with every problem located by file, row and column;
- a dataset folder's history is read on first use, or at once when asked, and ``forecast
  validate`` always checks it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from forecast.inputs.dataset import check_dataset, load_dataset
from forecast.inputs.roster import (
    HISTORY_COLUMNS,
    ROSTER_COLUMNS,
    check_roster,
    history_years,
    roster_as_of,
    snapshot,
)
from forecast.inputs.roster_history import check_roster_history, read_roster_history
from forecast.inputs.tables import ValidationError, table_from_frame
from forecast.inputs.validate import validate_path
from forecast.synth import generate, write_dataset

# One person over three rows: hired 2010, upgraded to university in 2019, a division
# leader from 2021, retired 1 March 2023 (born March 1963, a man: statutory age reached
# in February 2023 under Decree 135/2020).
BASE = {
    "person_id": "x1", "unit_code": "P01", "level": "tinh", "leader": "none", "key_cadre": "0", "in_pool": "0",
    "education": "cao_dang", "political_theory": "so_cap", "state_mgmt": "cv", "foreign_language": "0",
    "it_skill": "1", "standard_training": "1", "standardised": "0", "birth_year": "1963", "birth_month": "3",
    "sex": "nam", "category": "cong_chuc", "field": "khac", "hire_date": "2010-09-01",
    "exit_date": "2023-03-01", "exit_reason": "huu",
}
GOOD = [
    {**BASE, "from_year": "2015", "to_year": "2018"},
    {**BASE, "from_year": "2019", "to_year": "2020", "education": "dai_hoc"},
    {**BASE, "from_year": "2021", "to_year": "2022", "education": "dai_hoc", "leader": "phong"},
    {**BASE, "person_id": "x2", "from_year": "2018", "to_year": "2025", "birth_year": "1990",
     "hire_date": "2018-03-01", "exit_date": "", "exit_reason": ""},
]


def _history(rows: list[dict]) -> pd.DataFrame:
    frame, problems = check_roster_history(table_from_frame(pd.DataFrame(rows)[HISTORY_COLUMNS], "h.csv"))
    assert problems == []
    return frame


@pytest.fixture(scope="module")
def good() -> pd.DataFrame:
    return _history(GOOD)


# --- snapshots -----------------------------------------------------------------------------


def test_history_covers_its_first_to_its_last_return(good):
    assert history_years(good) == (2015, 2025)


@pytest.mark.parametrize("year, ids, education, leader", [
    (2015, ["x1"], "cao_dang", "none"),
    (2018, ["x1", "x2"], "cao_dang", "none"),
    (2019, ["x1", "x2"], "dai_hoc", "none"),
    (2022, ["x1", "x2"], "dai_hoc", "phong"),
    (2023, ["x2"], None, None),
    (2025, ["x2"], None, None),
])
def test_snapshot_is_the_state_on_31_october(good, year, ids, education, leader):
    snap = snapshot(good, year)
    assert list(snap.columns) == ROSTER_COLUMNS
    assert sorted(snap["person_id"]) == ids
    assert (snap["year"] == year).all()
    x1 = snap[snap["person_id"] == "x1"]
    if education is not None:
        assert x1["education"].item() == education and x1["leader"].item() == leader


def test_snapshot_does_not_know_later_exits(good):
    x1 = snapshot(good, 2022).set_index("person_id").loc["x1"]
    assert pd.isna(x1["exit_date"]) and x1["exit_reason"] == ""


@pytest.mark.parametrize("year", [2014, 2026])
def test_snapshot_outside_the_history_is_refused(good, year):
    with pytest.raises(ValueError, match="covers 2015–2025"):
        snapshot(good, year)


def test_roster_as_of_reads_a_dataset_history_else_says_none(good):
    class Holder:
        roster_history = good
        roster = None

    assert list(roster_as_of(Holder(), 2019)["person_id"]) == ["x1", "x2"]
    assert roster_as_of(Holder(), 2030) is None


@pytest.fixture(scope="module")
def small():
    return generate(seed=7, scale=0.05)


def test_generated_rosters_come_back_exactly_from_their_history(small):
    history = _history(small.history.to_dict("records"))
    assert len(history) < sum(len(r) for r in small.rosters.values()) / 2  # spells, not snapshots
    for year, roster in small.rosters.items():
        expected, problems = check_roster(table_from_frame(roster))
        assert problems == []
        got = snapshot(history, year)
        pd.testing.assert_frame_equal(got.sort_values("person_id").reset_index(drop=True),
                                      expected.sort_values("person_id").reset_index(drop=True))


def test_the_history_knows_who_left_and_why(small):
    h = small.history
    left = h[h["exit_date"] != ""]
    assert set(left["exit_reason"]) >= {"huu", "nghi_viec", "nd178"}
    last_row = left.groupby("person_id")["to_year"].max()
    exit_year = pd.to_datetime(left.groupby("person_id")["exit_date"].first()).dt.year
    # the last row ends at the return before the exit (the exit year's, or the year before)
    assert ((exit_year - last_row).isin([0, 1])).all()


# --- validation ----------------------------------------------------------------------------

# (rule, row index, changes, column, fragment)
BAD = [
    ("from after to", 1, {"from_year": "2021"}, "from_year", "after to_year"),
    ("from not a year", 1, {"from_year": "2019a"}, "from_year", "not a number"),
    ("to not a year", 1, {"to_year": "x"}, "to_year", "not a number"),
    ("overlapping rows", 1, {"from_year": "2017"}, "from_year", "another row covering"),
    ("two rows ending the same year", 1, {"to_year": "2018", "from_year": "2018"}, "person_id", "twice"),
    ("unit not yet in the registry", 0, {"from_year": "2014"}, "unit_code", "31 October 2014"),
    ("hired after the first return", 3, {"hire_date": "2018-11-15"}, "hire_date", "after 31 October 2018"),
    ("left before the last return", 2, {"to_year": "2023"}, "exit_date", "not after 31 October 2023"),
    ("a roster rule: code", 2, {"education": "pho_thong"}, "education", "not one of"),
    ("a roster rule: age", 3, {"birth_year": "1960", "hire_date": "2018-03-01"}, "birth_year", "retirement age"),
]


@pytest.mark.parametrize("rule, i, change, column, fragment", BAD, ids=[b[0] for b in BAD])
def test_bad_history_rows_are_located(tmp_path, rule, i, change, column, fragment):
    rows = [dict(r) for r in GOOD]
    rows[i].update(change)
    path = tmp_path / "roster_history.csv"
    pd.DataFrame(rows)[HISTORY_COLUMNS].to_csv(path, index=False)
    with pytest.raises(ValidationError) as err:
        read_roster_history(path)
    hits = [p for p in err.value.problems if p.column == column and fragment in p.message]
    assert hits, [str(p) for p in err.value.problems]
    assert hits[0].path == str(path) and hits[0].row == i + 2


@pytest.mark.parametrize("drop, add, fragment", [
    ("from_year", None, "missing required column 'from_year'"),
    ("to_year", None, "missing required column 'to_year'"),
    (None, "year", "instead of 'year'"),
    ("unit_code", None, "missing required column 'unit_code'"),
])
def test_bad_history_headers_are_named(tmp_path, drop, add, fragment):
    df = pd.DataFrame(GOOD)[HISTORY_COLUMNS]
    if drop:
        df = df.drop(columns=drop)
    if add:
        df[add] = "2020"
    path = tmp_path / "h.csv"
    df.to_csv(path, index=False)
    problems = validate_path(path)
    assert any(fragment in p.message and p.row == 1 for p in problems), [str(p) for p in problems]


def test_forecast_validate_accepts_a_good_history_file(tmp_path):
    path = tmp_path / "roster_history.csv"
    pd.DataFrame(GOOD)[HISTORY_COLUMNS].to_csv(path, index=False)
    assert validate_path(path) == []


# --- the dataset folder --------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory, small) -> Path:
    out = tmp_path_factory.mktemp("ds") / "small"
    write_dataset(small, out)
    return out


def test_dataset_gives_any_years_roster(folder, small):
    ds = load_dataset(folder, history=True)
    assert ds.roster_years() == list(range(2015, 2026))
    r = ds.roster_as_of(2019)
    assert sorted(r["person_id"]) == sorted(small.rosters[2019]["person_id"])
    pd.testing.assert_frame_equal(ds.roster_as_of(2025), ds.roster)
    with pytest.raises(ValueError, match="2015–2025"):
        ds.roster_as_of(2030)


def test_a_broken_history_fails_on_use_and_in_validate(tmp_path, folder):
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    h = pd.read_csv(broken / "roster_history.csv.gz", dtype=str, keep_default_na=False)
    h.loc[3, "education"] = "pho_thong"
    h.to_csv(broken / "roster_history.csv.gz", index=False)
    ds = load_dataset(broken)  # the history is read on first use
    with pytest.raises(ValidationError) as err:
        ds.roster_as_of(2020)
    assert any(p.row == 5 and p.column == "education" for p in err.value.problems)
    problems = check_dataset(broken)
    assert any(p.path.endswith("roster_history.csv.gz") and p.row == 5 for p in problems)
    with pytest.raises(ValidationError):
        load_dataset(broken, history=True)


def test_a_folder_with_only_a_history_gets_its_observations_from_it(tmp_path, folder):
    only = tmp_path / "only"
    only.mkdir()
    for name in ("dataset.yml", "roster_history.csv.gz"):
        shutil.copy(folder / name, only / name)
    ds = load_dataset(only)
    shipped = load_dataset(folder).observations
    key = ["indicator", "unit_code", "year"]
    a = ds.observations.sort_values(key).reset_index(drop=True)[key + ["numerator", "denominator"]]
    b = shipped.sort_values(key).reset_index(drop=True)[key + ["numerator", "denominator"]]
    pd.testing.assert_frame_equal(a, b)


def test_every_problem_of_a_row_is_reported_at_once(tmp_path):
    rows = [dict(r) for r in GOOD]
    rows[1].update({"education": "pho_thong", "from_year": "2021"})
    path = tmp_path / "h.csv"
    pd.DataFrame(rows)[HISTORY_COLUMNS].to_csv(path, index=False)
    with pytest.raises(ValidationError) as err:
        read_roster_history(path)
    assert {(p.row, p.column) for p in err.value.problems} >= {(3, "education"), (3, "from_year")}


def test_without_a_history_only_the_rosters_own_year_is_known(tmp_path, folder):
    plain = tmp_path / "plain"
    shutil.copytree(folder, plain)
    (plain / "roster_history.csv.gz").unlink()
    ds = load_dataset(plain)
    assert ds.roster_history is None and ds.roster_years() == [2025]
    assert len(ds.roster_as_of(2025)) == len(ds.roster)
    assert roster_as_of(ds, 2019) is None
    with pytest.raises(ValueError, match="rosters for 2025"):
        ds.roster_as_of(2019)


@pytest.mark.parametrize("change, column, fragment", [
    ("education", "education", "differs from roster_history.csv.gz"),
    ("drop", "person_id", "but not both"),
])
def test_a_roster_that_disagrees_with_the_history_is_reported(tmp_path, folder, change, column, fragment):
    odd = tmp_path / "odd"
    shutil.copytree(folder, odd)
    r = pd.read_csv(odd / "roster.csv.gz", dtype=str, keep_default_na=False)
    if change == "drop":
        r = r.iloc[1:]
    else:
        r.loc[0, change] = "chua_dao_tao" if r.loc[0, change] != "chua_dao_tao" else "dai_hoc"
    r.to_csv(odd / "roster.csv.gz", index=False)
    problems = check_dataset(odd)
    hits = [p for p in problems if p.column == column and fragment in p.message]
    assert hits and hits[0].path.endswith("roster.csv.gz"), [str(p) for p in problems]
