"""The synthetic demonstration province (``forecast synth``, ``data/demo/``).

Specification:
- the same seed gives byte-identical files; another seed gives other data;
- the shipped ``data/demo`` is exactly what ``forecast synth`` writes with the default seed;
- the data validate; every row is flagged ``synthetic`` and the 2025 rows of the targets
  whose population changed definition are flagged ``break``;
- before 1 July 2025: 11 district-level units and the 200 communes of the registry; after:
  no district-level unit and exactly the 65 new communes;
- no one in post is above the statutory retirement age (Decree 135/2020);
- the generated levels match the calibration table within its tolerances, and every
  parameter and calibration target names a published source (in the project's reference
  table) or says "assumption";
- the mechanisms show: new hires' university share rises; the district level's staff
  move on 1 July 2025; Decree 178 exits happen in 2025 only;
- the shipped roster history gives every year's roster 2015–2025: aggregated, they are
  exactly the shipped observations, and its 2025 roster is the shipped roster.
"""

from __future__ import annotations

import gzip
import io
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from forecast import config
from forecast.domain import retirement
from forecast.inputs import units
from forecast.inputs.dataset import load_dataset
from forecast.inputs.roster import aggregate
from forecast.synth import DEFAULT_SEED, generate, write_dataset
from forecast.synth.calibration import ASSUMPTION, CALIBRATION, PARAMETERS, measure

DEMO_FILES = ("dataset.yml", "observations.csv", "roster.csv.gz", "roster_history.csv.gz", "flows.csv",
              "calibration.csv", "README.md")
BREAK_TARGETS = {"T01", "T04", "T05", "T06", "T10"}


@pytest.fixture(scope="module")
def demo():
    """The shipped demo folder, read once."""
    d = config.demo_dir()
    obs = pd.read_csv(d / "observations.csv", dtype={"unit_code": str}, keep_default_na=False,
                      na_values={"numerator": [""], "denominator": [""], "value": [""]})
    flows = pd.read_csv(d / "flows.csv")
    roster = pd.read_csv(d / "roster.csv.gz", dtype={"unit_code": str}, keep_default_na=False)
    meta = yaml.safe_load((d / "dataset.yml").read_text(encoding="utf-8"))
    return {"dir": d, "obs": obs, "flows": flows, "roster": roster, "meta": meta}


@pytest.fixture(scope="module")
def small():
    """A small province (same units, a tenth of the people) with every yearly snapshot."""
    return generate(seed=11, scale=0.1)


# --- reproducibility ---------------------------------------------------------------------


def _files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_dataset(generate(seed=5, scale=0.05), a, snapshots=True)
    write_dataset(generate(seed=5, scale=0.05), b, snapshots=True)
    write_dataset(generate(seed=6, scale=0.05), c)
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    assert "snapshots/roster_2015.csv.gz" in fa and "snapshots/roster_2025.csv.gz" in fa
    for name in fa:
        assert fa[name] == fb[name], name
    assert _files(c)["observations.csv"] != fa["observations.csv"]


def test_shipped_demo_is_exactly_what_the_generator_writes(tmp_path, demo):
    out = tmp_path / "demo"
    write_dataset(generate(seed=DEFAULT_SEED), out)
    shipped = {n: (demo["dir"] / n).read_bytes() for n in DEMO_FILES}
    fresh = {n: (out / n).read_bytes() for n in DEMO_FILES}
    for name in DEMO_FILES:
        assert shipped[name] == fresh[name], f"data/demo/{name} differs from `forecast synth --seed {DEFAULT_SEED}`"


@pytest.mark.parametrize("name", ["roster.csv.gz", "roster_history.csv.gz"])
def test_roster_gzip_has_no_timestamp(demo, name):
    raw = (demo["dir"] / name).read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\x00\x00\x00\x00"  # gzip MTIME field
    assert gzip.GzipFile(fileobj=io.BytesIO(raw)).read().startswith(b"person_id,")


def test_shipped_files_are_small(demo):
    total = sum((demo["dir"] / n).stat().st_size for n in DEMO_FILES)
    assert total < 3_000_000
    # the history is far smaller than the eleven yearly rosters it holds
    assert (demo["dir"] / "roster_history.csv.gz").stat().st_size < 4 * (demo["dir"] / "roster.csv.gz").stat().st_size


# --- the roster history ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_ds():
    return load_dataset(config.demo_dir(), history=True)


def test_shipped_history_recomputes_the_shipped_observations_exactly(demo, history_ds):
    assert history_ds.roster_years() == list(range(2015, 2026))
    every = pd.concat([history_ds.roster_as_of(y) for y in history_ds.roster_years()], ignore_index=True)
    got = aggregate(every)
    key = ["indicator", "unit_code", "year"]
    cols = key + ["numerator", "denominator"]
    got = got.sort_values(key).reset_index(drop=True)[cols]
    shipped = demo["obs"].sort_values(key).reset_index(drop=True)[cols]
    pd.testing.assert_frame_equal(got, shipped, check_dtype=False)


def test_shipped_history_ends_with_the_shipped_roster(history_ds):
    pd.testing.assert_frame_equal(history_ds.roster_as_of(2025), history_ds.roster)


def test_history_starts_2019_at_2019s_observed_t01(demo, history_ds):
    """The roster as of 2019 is 2019's, not the 2025 roster relabelled (issue 15)."""
    obs = aggregate(history_ds.roster_as_of(2019))
    t01 = obs[obs["indicator"] == "T01"]
    shipped = demo["obs"][(demo["obs"]["indicator"] == "T01") & (demo["obs"]["year"] == 2019)]
    assert t01["numerator"].sum() / t01["denominator"].sum() == pytest.approx(
        shipped["numerator"].sum() / shipped["denominator"].sum(), abs=1e-12)
    later = demo["obs"][(demo["obs"]["indicator"] == "T01") & (demo["obs"]["year"] == 2025)]
    assert t01["numerator"].sum() / t01["denominator"].sum() != pytest.approx(
        later["numerator"].sum() / later["denominator"].sum(), abs=1e-4)


# --- labelling and validity --------------------------------------------------------------


def test_dataset_metadata_says_synthetic_in_both_languages(demo):
    meta = demo["meta"]
    assert meta["synthetic"] is True
    assert "không phải số liệu thật" in meta["description_vi"].lower()
    assert "not lạng sơn's real data" in meta["description_en"].lower()
    assert meta["source"] == f"forecast synth --seed {DEFAULT_SEED}"
    assert meta["generator_version"]
    readme = (demo["dir"] / "README.md").read_text(encoding="utf-8")
    assert meta["description_vi"] in readme and meta["description_en"] in readme


def test_demo_validates_with_forecast_validate(demo, capsys):
    from forecast.cli import main

    # the folder's check covers roster_history.csv.gz (tests/test_roster_history.py checks a file alone)
    code = main(["validate", str(demo["dir"]), str(demo["dir"] / "roster.csv.gz")])
    out = capsys.readouterr()
    assert code == 0, out.out


def test_every_row_is_synthetic_and_breaks_mark_2025(demo):
    obs = demo["obs"]
    flags = obs["flags"].str.split(";")
    assert flags.apply(lambda f: "synthetic" in f).all()
    has_break = flags.apply(lambda f: "break" in f)
    expected = obs["indicator"].isin(BREAK_TARGETS) & (obs["year"] == 2025)
    assert (has_break == expected).all()


def test_every_indicator_every_year(demo):
    from forecast.domain.targets import indicator_ids

    obs = demo["obs"]
    have = obs.groupby("indicator")["year"].agg(lambda y: sorted(set(y)))
    for ind in indicator_ids():
        assert have[ind] == list(range(2015, 2026)), ind


# --- geography ---------------------------------------------------------------------------


@pytest.mark.parametrize("year, districts, communes", [(2015, 11, 200), (2020, 11, 200), (2024, 11, 200),
                                                       (2025, 0, 65)])
def test_units_follow_the_registry(demo, year, districts, communes):
    obs = demo["obs"][demo["obs"]["year"] == year]
    codes = set(obs["unit_code"])
    got_d = {c for c in codes if c.isdigit() and len(c) == 3}
    got_c = {c for c in codes if c.isdigit() and len(c) == 5}
    assert len(got_d) == districts
    assert len(got_c) == communes
    snap = units.snapshot_date(year)
    assert got_d == set(units.units_on(snap, "huyen")["code"])
    assert got_c == set(units.units_on(snap, "xa")["code"])


def test_after_the_reform_no_one_is_at_district_level(demo, small):
    assert not (demo["roster"]["level"] == "huyen").any()
    r24 = small.rosters[2024]
    assert (r24["level"] == "huyen").sum() > 0
    # the district level's people moved: viên chức now also at commune level, none before
    assert (r24["category"].eq("vien_chuc") & r24["level"].eq("xa")).sum() == 0
    assert (demo["roster"]["category"].eq("vien_chuc") & demo["roster"]["level"].eq("xa")).sum() > 0
    moved = set(r24.loc[r24["level"] == "huyen", "person_id"]) & set(small.rosters[2025]["person_id"])
    assert moved, "some district staff stay in post after 1 July 2025"
    after = small.rosters[2025].set_index("person_id").loc[sorted(moved), "level"]
    assert set(after) <= {"tinh", "xa"} and set(after) == {"tinh", "xa"}


# --- retirement ----------------------------------------------------------------------------


def _over_age(r: pd.DataFrame) -> np.ndarray:
    # In post on 31 October: the statutory age must not have been reached before October.
    return retirement.retires_by(r["birth_year"], r["birth_month"], r["sex"], int(r["year"].iloc[0]), 9)


def test_no_one_in_post_beyond_the_statutory_age(demo, small):
    assert not _over_age(demo["roster"]).any()
    for year, r in small.rosters.items():
        assert not _over_age(r).any(), year


def test_people_reaching_the_age_leave_that_year(small):
    """Everyone whose statutory month falls in a year's window is gone from the next return."""
    for year in range(2016, 2026):
        before = small.rosters[year - 1]
        ry, rm = retirement.retirement_date(before["birth_year"], before["birth_month"], before["sex"])
        due = before.loc[(ry * 12 + rm) <= year * 12 + 9, "person_id"]
        assert len(due) > 0
        assert not set(due) & set(small.rosters[year]["person_id"]), year


# --- mechanisms ------------------------------------------------------------------------------


def test_new_hires_university_share_rises(small):
    def hires_univ(year):
        new = small.rosters[year][~small.rosters[year]["person_id"].isin(small.rosters[year - 1]["person_id"])]
        return new["education"].isin(["dai_hoc", "thac_si", "tien_si"]).mean(), len(new)

    early, n1 = hires_univ(2016)
    late, n2 = hires_univ(2024)
    assert n1 > 20 and n2 > 20
    assert late > early


def test_decree_178_exits_only_in_2025(demo):
    f = demo["flows"]
    by_year = f[f["flow"] == "exit_nd178"].groupby("year")["count"].sum()
    assert list(by_year.index) == [2025]


def test_pseudonymous_ids_and_no_names(demo):
    r = demo["roster"]
    assert r["person_id"].str.fullmatch(r"P\d{6}").all()
    assert r["person_id"].is_unique
    assert not {"name", "ho_ten", "full_name"} & set(r.columns)


# --- calibration ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def measured(demo):
    return {c.quantity: measure(c.quantity, demo["obs"], demo["flows"]) for c in CALIBRATION}


@pytest.mark.parametrize("cal", CALIBRATION, ids=lambda c: c.quantity)
def test_generated_levels_match_the_calibration_table(measured, cal):
    assert abs(measured[cal.quantity] - cal.value) <= cal.tolerance, (cal.quantity, measured[cal.quantity])


def test_calibration_is_not_a_lucky_seed():
    """Another seed of the full-size province also meets every calibration target."""
    from forecast.synth import calibration_report

    cal = calibration_report(generate(seed=2))
    assert cal["within"].all(), cal.loc[~cal["within"], ["quantity", "value", "tolerance", "generated"]]


def test_calibration_csv_is_the_table_with_generated_values(demo, measured):
    cal = pd.read_csv(demo["dir"] / "calibration.csv")
    assert list(cal["quantity"]) == [c.quantity for c in CALIBRATION]
    assert list(cal.columns[:5]) == ["quantity", "value", "tolerance", "source", "note"]
    for _, row in cal.iterrows():
        assert row["generated"] == pytest.approx(measured[row["quantity"]], abs=0.01)
        assert bool(row["within"])


def _published_urls() -> set[str]:
    ref = pd.read_csv(config.reference_file(), dtype=str)
    return set(ref["source_url"])


@pytest.mark.parametrize("item", list(PARAMETERS) + list(CALIBRATION), ids=lambda x: getattr(x, "name", None)
                         or x.quantity)
def test_every_number_names_a_published_source_or_says_assumption(item):
    assert item.source == ASSUMPTION or item.source in _published_urls()


def test_readme_lists_every_parameter_with_its_source(demo):
    text = (demo["dir"] / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z0-9_]+)` \| .* \| ([^|]+) \| [^|]* \|$", text,
                                                          flags=re.M)}
    for p in PARAMETERS:
        assert p.name in rows, p.name
        source = rows[p.name].strip()
        assert source == ASSUMPTION or source.startswith("http"), (p.name, source)


def test_targets_leave_something_to_say(demo):
    """Plausible for a mountainous border province: some 2030 targets near, some far."""
    obs = demo["obs"]

    def share(ind, year):
        r = obs[(obs["indicator"] == ind) & (obs["year"] == year)]
        return 100 * r["numerator"].sum() / r["denominator"].sum()

    assert 60 <= share("T02", 2025) < 70          # 70% within reach
    assert share("T07", 2025) < 30                # 40% far
    assert share("T10", 2025) < 80                # 100% far
    t11 = obs[obs["indicator"] == "T11"].groupby("year")["numerator"].sum()
    assert t11[2024] > t11[2015]                  # the count has been rising


# --- the command -----------------------------------------------------------------------------


def test_cli_writes_a_dataset(tmp_path, capsys):
    from forecast.cli import main

    out = tmp_path / "d"
    assert main(["synth", "--seed", "3", "--scale", "0.05", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "SYNTHETIC" in printed and "không phải số liệu thật" in printed
    assert sorted(p.name for p in out.iterdir()) == sorted(DEMO_FILES)
    meta = yaml.safe_load((out / "dataset.yml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and meta["source"] == "forecast synth --seed 3 --scale 0.05"


@pytest.mark.parametrize("scale", ["0", "-1", "5"])
def test_cli_rejects_a_bad_scale(tmp_path, capsys, scale):
    from forecast.cli import main

    out = tmp_path / "d"
    assert main(["synth", "--scale", scale, "--out", str(out)]) == 1
    assert "--scale" in capsys.readouterr().err
    assert not out.exists()


# --- provinces of another size (issue 21) --------------------------------------------------


@pytest.fixture(scope="module")
def sized(tmp_path_factory):
    """``forecast synth --staff 1500 --communes 20`` run once."""
    from forecast.cli import main

    out = tmp_path_factory.mktemp("sized") / "p"
    code = main(["synth", "--seed", "4", "--staff", "1500", "--communes", "20", "--out", str(out)])
    return code, out


def test_a_province_of_another_size_is_labelled_synthetic_and_valid(sized):
    from forecast.cli import main

    code, out = sized
    assert code == 0
    meta = yaml.safe_load((out / "dataset.yml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and "không phải số liệu thật" in meta["description_vi"].lower()
    assert meta["source"] == "forecast synth --seed 4 --staff 1500 --communes 20"
    assert sorted(p.name for p in out.iterdir()) == sorted(DEMO_FILES)
    assert main(["validate", str(out)]) == 0


def test_a_province_of_another_size_has_its_size(sized):
    _code, out = sized
    ds = load_dataset(out, history=True)
    assert abs(len(ds.roster_as_of(2015)) - 1500) <= 75
    obs = ds.observations
    communes = {y: obs.loc[(obs["year"] == y) & obs["unit_code"].str.fullmatch(r"\d{5}"), "unit_code"].nunique()
                for y in (2015, 2024)}
    assert communes == {2015: 20, 2024: 20}
    districts_2025 = obs.loc[(obs["year"] == 2025) & obs["unit_code"].str.fullmatch(r"\d{3}"), "unit_code"]
    assert districts_2025.empty
    # every commune keeps its full complement of posts (about 21), not a scaled-down one
    xa = ds.roster_as_of(2015)
    xa = xa[xa["level"] == "xa"]
    assert 15 <= len(xa) / 20 <= 25


def test_the_same_size_and_seed_give_the_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_dataset(generate(seed=9, staff=800, communes=8), a)
    write_dataset(generate(seed=9, staff=800, communes=8), b)
    assert _files(a) == _files(b)


@pytest.mark.parametrize("argv, fragment", [
    (["--staff", "0"], "positive"),
    (["--communes", "0"], "between 1 and"),
    (["--communes", "201"], "between 1 and"),
    (["--staff", "100", "--communes", "20"], "does not exceed"),
    (["--staff", "500000"], "(0, 4]"),
    (["--staff", "1000", "--scale", "0.5"], "not both"),
], ids=["no staff", "no commune", "too many communes", "staff below the communes", "too big", "scale and size"])
def test_cli_rejects_a_size_it_cannot_make(tmp_path, capsys, argv, fragment):
    from forecast.cli import main

    out = tmp_path / "d"
    assert main(["synth", *argv, "--out", str(out)]) == 1
    assert fragment in capsys.readouterr().err
    assert not out.exists()


def test_cli_will_not_overwrite_the_demo_with_another_size(capsys):
    from forecast.cli import main

    before = (config.demo_dir() / "dataset.yml").read_bytes()
    assert main(["synth", "--staff", "1000"]) == 1
    assert "--out" in capsys.readouterr().err
    assert (config.demo_dir() / "dataset.yml").read_bytes() == before
