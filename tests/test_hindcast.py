"""The engine started from past years: the roster as of the start year, levers from the flows
before it, the first year's pace, the 2026 check against the trend, and the hindcast scores."""

from __future__ import annotations

import argparse
import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from forecast import config
from forecast.cli import UserError
from forecast.commands import hindcast as hindcast_cmd
from forecast.commands import simulate as simulate_cmd
from forecast.inputs.dataset import load_dataset
from forecast.inputs.observations import series
from forecast.reports import pipeline
from forecast.stockflow import TARGET_SPECS, project
from forecast.stockflow import calibration as cal_mod
from forecast.stockflow import scenarios as sc
from forecast.stockflow.hindcast import ENGINE, RAW, TREND, Hindcast, hindcast, markdown_tables, share_targets
from forecast.stockflow.pace import observed_pace, pace_notes
from forecast.stockflow.snapshots import NoSnapshot, roster_snapshot
from forecast.verdict import runhindcast
from forecast.verdict.analysis import analyse_targets
from forecast.verdict.verdict import engine_passes

TARGETS = list(TARGET_SPECS)


@pytest.fixture(scope="module")
def demo():
    ds = load_dataset(config.demo_dir())
    if 2020 not in ds.roster_years():
        pytest.skip("the demo province ships no roster history")
    return ds


@pytest.fixture(scope="module")
def from_2020(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "sim.json"
    args = argparse.Namespace(data=None, scenario="baseline", draws=20, seed=3, start_year=2020, end_year=2024,
                              json=out)
    assert simulate_cmd.run(args) == 0
    return json.loads(out.read_text())


# -- the roster as of the start year -------------------------------------------------------


@pytest.mark.parametrize("tid", TARGETS)
def test_simulate_from_2020_starts_at_the_observed_2020_values(demo, from_2020, tid):
    observed = series(demo.observations, tid).set_index("year")["value"]
    item = from_2020["targets"][tid]
    assert item["start"]["year"] == 2020
    assert item["start"]["value"] == pytest.approx(observed[2020], abs=1e-12)
    assert item["years"] == [2021, 2022, 2023, 2024]


def test_a_start_year_without_a_roster_is_refused(demo, tmp_path):
    latest = demo.roster  # the 2025 snapshot alone: 2019 cannot be made from it
    with pytest.raises(NoSnapshot, match="no roster snapshot for 2019"):
        project(latest, "baseline", start_year=2019, end_year=2021, n_draws=5)
    folder = tmp_path / "no_history"
    folder.mkdir()
    for name in ("dataset.yml", "observations.csv", "roster.csv.gz", "flows.csv"):
        (folder / name).write_bytes((config.demo_dir() / name).read_bytes())
    args = argparse.Namespace(data=folder, scenario="baseline", draws=5, seed=0, start_year=2019, end_year=2021,
                              json=tmp_path / "x.json")
    with pytest.raises(UserError, match="2019"):
        simulate_cmd.run(args)
    assert not (tmp_path / "x.json").exists()


def test_roster_snapshot_of_a_frame_holding_several_years():
    a = pd.DataFrame({"person_id": ["P1", "P2"], "year": [2019, 2019]})
    b = pd.DataFrame({"person_id": ["P1", "P3", "P4"], "year": [2020, 2020, 2020]})
    both = pd.concat([a, b], ignore_index=True)
    assert roster_snapshot(both, 2020)["person_id"].tolist() == ["P1", "P3", "P4"]
    assert roster_snapshot(b, 2020) is b
    with pytest.raises(NoSnapshot, match="2019, 2020"):
        roster_snapshot(both, 2018)


def test_levers_for_a_start_year_use_only_the_flows_up_to_it(demo):
    """Changing every flow after the start year changes none of the estimates."""
    before = sc.estimate_baseline(demo, until=2020)
    flows = demo.flows.copy()
    later = flows["year"] > 2020
    flows.loc[later, "count"] = flows.loc[later, "count"] * 3 + 7
    altered = type(demo)(observations=demo.observations, roster=demo.roster, flows=flows, meta=demo.meta,
                         synthetic=demo.synthetic, files=demo.files, path=demo.path,
                         history_file=demo.history_file)
    altered.roster_history = demo.roster_history
    after = sc.estimate_baseline(altered, until=2020)
    assert before.keys() == after.keys()
    for key, value in before.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, after[key])
        else:
            assert value == after[key], key
    # and the estimates do move with the start year (the test above can fail)
    assert sc.estimate_baseline(demo, until=2023)["other_exit_rate"] != before["other_exit_rate"]


# -- the baseline continues the observed pace ----------------------------------------------------


@pytest.mark.parametrize(("values", "breaks", "start", "expected"), [
    ([0.50, 0.52, 0.54, 0.56, 0.58], [0, 0, 0, 0, 0], 2024, (0.02, 2021, 2024)),
    ([0.50, 0.52, 0.54, 0.56, 0.70], [0, 0, 0, 0, 1], 2024, (0.02, 2020, 2023)),  # the start year is a break
    ([0.50, 0.52, 0.60, 0.61, 0.62], [0, 0, 1, 0, 0], 2024, (0.01, 2022, 2024)),  # years from the break on
    ([0.50], [0], 2020, None),
])
def test_observed_pace(values, breaks, start, expected):
    years = list(range(start - len(values) + 1, start + 1))
    frame = pd.DataFrame({"year": years, "value": values, "break": [bool(b) for b in breaks]})
    got = observed_pace(frame, start)
    if expected is None:
        assert got is None
    else:
        assert got[0] == pytest.approx(expected[0]) and got[1:] == expected[1:]


@pytest.fixture(scope="module")
def baseline_2025(demo):
    proj = project(demo, "baseline", end_year=2030, n_draws=200, seed=1)
    proj.notes += pace_notes(proj, demo.observations, demo.flows,
                             reference=simulate_cmd.trend_reference(demo.observations, proj, seed=1))
    return proj


def _named(notes: list[str], tid: str) -> bool:
    return any(n.startswith(f"{tid}: first projected year") and "the flows that move it in 2026: " in n
               and "none by" not in n for n in notes)


@pytest.mark.parametrize("tid", share_targets())
def test_the_first_year_continues_the_pace_or_a_note_names_the_flow(demo, baseline_2025, tid):
    pace = observed_pace(series(demo.observations, tid), 2025)
    step = float(np.median(baseline_2025.draws(tid)[:, 0]) - baseline_2025.start_value(tid))
    assert abs(step - pace[0]) <= 0.005 or _named(baseline_2025.notes, tid)


@pytest.fixture(scope="module")
def trend_2026(demo):
    return {r.target.id: r.forecast for r in analyse_targets(demo.observations, as_of=2025, n_draws=1000, seed=1)}


def test_first_year_contributions_add_up_to_the_first_year_change(baseline_2025):
    for tid in ("T06", "T07", "T11"):
        parts = baseline_2025.first_year_contributions(tid)
        assert list(parts) == ["retirements", "other exits", "training completions", "succession-pool review",
                               "appointments", "recruits"]
        num = baseline_2025.numerators[tid][:, 0].mean()
        den = baseline_2025.denominators[tid][:, 0].mean()
        end = num if tid == "T11" else num / den
        assert sum(parts.values()) == pytest.approx(end - baseline_2025.start_value(tid), abs=1e-9)


@pytest.mark.parametrize("tid", [t for t in share_targets() if t != "T09"] + ["T09"])
def test_the_2026_median_lies_in_the_trend_80_interval_or_the_notes_name_the_flow(baseline_2025, trend_2026, tid):
    fc = trend_2026[tid]
    j = list(fc.years).index(2026)
    lo, hi = np.quantile(fc.draws[:, j], [0.1, 0.9])
    median = float(np.median(baseline_2025.draws(tid)[:, 0]))
    assert lo <= median <= hi or _named(baseline_2025.notes, tid), (tid, lo, median, hi)


# -- hindcast -----------------------------------------------------------------------------------


def _rows(model, errors, inside80, inside95, target="T01"):
    n = len(errors)
    return pd.DataFrame({"model": model, "target": target, "origin": 2020, "year": 2021 + np.arange(n),
                         "horizon": 1 + np.arange(n), "error": errors, "in80": inside80, "in95": inside95})


def test_scores_are_mean_absolute_errors_and_shares_covered():
    rows = pd.concat([_rows(ENGINE, [1.0, -3.0], [True, False], [True, True]),
                      _rows(TREND, [0.5, 1.5], [True, True], [True, True]),
                      _rows(ENGINE, [100.0], [False], [False], target="T11")], ignore_index=True)
    h = Hindcast(rows, [2020], 2024)
    pooled = h.pooled().set_index("model")
    assert pooled.loc[ENGINE, "mae"] == pytest.approx(2.0)  # T11 (people) is not pooled with shares
    assert pooled.loc[ENGINE, "cover80"] == pytest.approx(0.5)
    assert pooled.loc[TREND, "cover95"] == pytest.approx(1.0)
    assert h.mae_ratio() == pytest.approx(2.0)


@pytest.fixture(scope="module")
def short_hindcast(demo):
    return hindcast(demo, origins=[2022, 2021], end_year=2024, n_draws=30, seed=0,
                    trend=hindcast_cmd.trend_default(n_draws=300), history_origins=[2019, 2020])


def test_hindcast_scores_every_target_at_every_horizon_before_the_reorganisation(short_hindcast):
    rows = short_hindcast.rows
    assert short_hindcast.origins == [2021, 2022]
    assert set(rows["model"]) == {ENGINE, RAW, TREND}
    assert set(rows["target"]) == set(TARGET_SPECS)
    assert rows["year"].max() == 2024
    for (model, tid, origin), g in rows.groupby(["model", "target", "origin"]):
        assert g["horizon"].tolist() == list(range(1, 2025 - origin)), (model, tid, origin)
    assert rows["observed"].notna().all()
    assert ((rows["lo80"] <= rows["median"]) & (rows["median"] <= rows["hi80"])).all()
    text = markdown_tables(short_hindcast)
    assert "| engine (calibrated) |" in text and "| engine before calibration |" in text and "| T11 |" in text


def test_hindcast_past_2024_scores_only_the_targets_whose_definition_did_not_change(demo):
    h = hindcast(demo, origins=[2023], end_year=2025, n_draws=20, seed=0, trend=hindcast_cmd.trend_default(200),
                 calibrate=False)
    in_2025 = set(h.rows.loc[h.rows["year"] == 2025, "target"])
    changed = {"T01", "T04", "T05", "T06", "T10"}  # flagged 'break' in 2025 in observations.csv
    assert in_2025 == set(TARGET_SPECS) - changed
    assert any("T01 (2025)" in n for n in h.notes)


@pytest.mark.parametrize(("origins", "end", "message"), [
    ([2024], 2024, "origin 2024 is not before the end year 2024"),
    ([2010], 2012, "no roster snapshot for 2010"),
])
def test_hindcast_refuses_bad_origins(demo, origins, end, message):
    with pytest.raises(ValueError, match=message):
        hindcast(demo, origins=origins, end_year=end, n_draws=10)


def test_hindcast_command_reports_user_errors(tmp_path):
    args = argparse.Namespace(data=tmp_path / "missing", origins=[2020], end_year=2024, draws=50, seed=0, json=None)
    with pytest.raises(UserError, match="no such dataset folder"):
        hindcast_cmd.run(args)
    args = argparse.Namespace(data=None, origins=[2020], end_year=2024, draws=5, seed=0, json=None)
    with pytest.raises(UserError, match="--draws"):
        hindcast_cmd.run(args)


# -- intervals calibrated on the engine's own past errors -----------------------------------


def _records(spec):
    """Engine rows (target, origin, year, observed, median, lo80, hi80) from (target, origin, year, error) on the logit scale."""
    out = []
    for tid, origin, year, err in spec:
        med = 0.5
        z = np.log(med / (1 - med)) + err
        out.append({"model": RAW, "target": tid, "origin": origin, "year": year, "horizon": year - origin,
                    "observed": 1 / (1 + np.exp(-z)), "median": med, "lo80": med, "hi80": med})
    return pd.DataFrame(out)


def test_the_extra_spread_is_the_80_quantile_of_the_spread_each_past_error_needs():
    errors = np.linspace(-1.0, 1.0, 10)  # engine intervals of width 0: each needs |e| / z80
    rows = _records([(t, 2015 + i % 2, 2017, e) for i, (t, e) in enumerate(zip(share_targets(), errors, strict=True))])
    rows = pd.concat([rows, _records([("T01", 2016, 2017, 0.0)])], ignore_index=True)  # 11 records at h 1 or 2
    cal = cal_mod.learn(rows, 2017)
    for h, part in rows.groupby("horizon"):
        need = np.abs(cal_mod.transform(part["observed"], "share")) / cal_mod.Z80
        if len(part) >= cal_mod.MIN_POOLED:
            assert cal.pooled["share"][h] == pytest.approx(np.quantile(need, 0.8))
            covered = np.abs(cal_mod.transform(part["observed"], "share")) <= cal_mod.Z80 * cal.pooled["share"][h]
            assert covered.mean() >= 0.8 - 1e-9


@pytest.mark.parametrize("origin", [2017, 2018, 2019])
def test_the_calibration_for_an_origin_uses_only_outcomes_observed_by_then(origin):
    rng = np.random.default_rng(4)
    spec = [(t, o, y, float(rng.normal(0, 0.3))) for t in share_targets() for o in range(2015, 2021)
            for y in range(o + 1, 2022)]
    rows = _records(spec)
    cal = cal_mod.learn(rows, origin)
    assert cal.n_records == int((rows["year"] <= origin).sum())
    later = rows["year"] > origin
    changed = rows.copy()
    changed.loc[later, "observed"] = 0.999  # outcomes not yet observed at the origin: must not matter
    assert cal_mod.learn(changed, origin) == cal
    earlier = rows.copy()
    earlier.loc[~later, "observed"] = 0.999  # outcomes observed by the origin: must matter
    assert cal_mod.learn(earlier, origin) != cal


def test_a_horizon_without_records_is_extended_from_the_nearest_shorter_one():
    cal = cal_mod.SpreadCalibration(origin=2020, pooled={"share": {1: 0.1, 2: 0.2}}, growth={"share": 1.0})
    assert cal.sigma("T03", 2) == pytest.approx(0.2)
    assert cal.sigma("T03", 4) == pytest.approx(0.4)
    assert cal.sigma("T11", 1) == 0.0  # nothing learnt for counts
    own = cal_mod.SpreadCalibration(origin=2020, pooled={"share": {1: 0.1}}, by_target={"T03": {1: 0.5}})
    assert own.sigma("T03", 1) == 0.5 and own.sigma("T02", 1) == 0.1
    assert cal_mod.SpreadCalibration.from_dict(own.to_dict()) == own


def test_calibrating_a_projection_widens_its_paths_and_keeps_counts_whole(baseline_2025):
    cal = cal_mod.SpreadCalibration(origin=2025, pooled={"share": {1: 0.3}, "count": {1: 0.1}},
                                    growth={"share": 0.5, "count": 0.5})
    wide = cal_mod.calibrate(baseline_2025, cal, seed=1)
    again = cal_mod.calibrate(baseline_2025, cal, seed=1)
    for tid in ("T03", "T08", "T11"):
        before, after = baseline_2025.draws(tid), wide.draws(tid)
        assert np.all(np.ptp(np.quantile(after, [0.1, 0.9], axis=0), axis=0)
                      > np.ptp(np.quantile(before, [0.1, 0.9], axis=0), axis=0))
        assert np.array_equal(wide.numerators[tid], np.round(wide.numerators[tid]))
        assert np.array_equal(wide.numerators[tid], again.numerators[tid])  # seeded: the same paths again
    assert cal_mod.calibrate(baseline_2025, None) is baseline_2025
    assert any("calibrated" in n for n in wide.notes)


def test_hindcast_coverage_is_scored_out_of_sample(short_hindcast):
    h = short_hindcast
    for origin in h.origins:
        cal = h.calibrations[origin]
        used = h.records[h.records["year"] <= origin]
        assert cal.n_records == len(used) > 0
        assert (used["origin"] < origin).all()  # only runs from earlier roster years
        assert cal == cal_mod.learn(used, origin)
    # the calibrated and the raw engine share their origins, targets and years
    keys = ["target", "origin", "year"]
    eng = h.rows[h.rows["model"] == ENGINE].set_index(keys).sort_index()
    raw = h.rows[h.rows["model"] == RAW].set_index(keys).sort_index()
    assert eng.index.equals(raw.index)
    assert ((eng["hi80"] - eng["lo80"]) >= (raw["hi80"] - raw["lo80"]) - 1e-9).mean() > 0.9


def test_outcomes_after_an_origin_do_not_change_its_calibrated_forecast(demo):
    base = hindcast(demo, origins=[2018], end_year=2019, n_draws=20, seed=0)
    obs = demo.observations.copy()
    obs.loc[obs["year"] >= 2019, "value"] = obs.loc[obs["year"] >= 2019, "value"] * 0.5
    moved = hindcast(dataclasses.replace(demo, observations=obs), origins=[2018], end_year=2019, n_draws=20, seed=0)
    assert moved.calibrations[2018] == base.calibrations[2018]
    eng = base.rows[base.rows["model"] == ENGINE]
    assert np.allclose(moved.rows.loc[moved.rows["model"] == ENGINE, ["lo80", "hi80"]].to_numpy(),
                       eng[["lo80", "hi80"]].to_numpy())


# -- the annual run: hindcast computed, cached, and read by the verdict ------------------------


@pytest.fixture(scope="module")
def run_results(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("FORECAST_CACHE", str(cache))
    original = runhindcast.for_run
    mp.setattr(runhindcast, "for_run", lambda ds, data_dir, **kw: original(ds, data_dir, **{**kw, "n_draws": 20}))
    try:
        results = pipeline.prepare_results(config.demo_dir(), scenarios=("baseline",), n_draws=20)
        again = runhindcast.for_run(load_dataset(config.demo_dir()), config.demo_dir(), seed=pipeline.DEFAULT_SEED)
    finally:
        mp.undo()
    return results, again, cache


def test_the_run_computes_the_hindcast_once_and_caches_it(run_results):
    results, again, cache = run_results
    assert again.cached and again.path.parent == cache / "hindcast"
    assert again.calibration is not None and again.calibration.origin == 2025
    assert any(k.endswith(again.path.name) for k in results.files)  # its hash joins the provenance


def test_the_run_verdict_uses_the_engine_where_its_hindcast_passes(run_results):
    results, again, _ = run_results
    chosen = {}
    for t in results.targets:
        v = t.verdict.verdict
        assert v.hindcast is not None and v.reason != "no_hindcast", t.id
        passed, _why = engine_passes(v.hindcast)
        assert (v.source == ENGINE) == passed, (t.id, v.reason)
        chosen[t.id] = v.source
    assert set(chosen.values()) <= {ENGINE, TREND}
    notes = results.targets[0].scenarios["baseline"]["forecast"].notes
    assert any("calibrated" in n for n in notes)  # the engine's component carries the calibrated spread
