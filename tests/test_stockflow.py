"""The stock-flow engine: cohorts, random numbers, flows, the closed-form check, monotonicity."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

from forecast import stockflow as sf
from forecast.results import Forecast
from forecast.stockflow import scenarios as sc
from forecast.stockflow.engine import _fill_level
from forecast.stockflow.sampling import _systematic

ALL_CAPACITIES = [f"programmes.{name}.capacity" for name in sf.PROGRAMMES]


def quiet_scenario(**levers):
    """The baseline with no training, no exits and one-for-one replacement, then ``levers``."""
    base = sc.load_scenario("baseline").with_levers(
        {name: 0 for name in ALL_CAPACITIES}, other_exit_rate=0.0, replacement_rate=1.0,
        headcount_change=0.0, recruit_university_share=0.9, new_leader_programme_share=0.5)
    return base.with_levers(levers)


@pytest.fixture(scope="module")
def roster():
    return sf.random_roster(4000, year=2025, seed=7)


# -- binomial by inversion -------------------------------------------------------------------


@pytest.mark.parametrize(("n", "p"), [(0, 0.3), (5, 0.0), (7, 1.0), (12, 0.03), (40, 0.5), (60, 0.9),
                                      (300, 0.02), (5000, 0.04), (2_000_000, 0.2)])
def test_binomial_inverse_matches_the_quantile_function(n, p):
    u = np.linspace(0.0005, 0.9995, 401)
    k = sf.binomial_inverse(u, np.full(u.shape, n), p)
    ref = st.binom.ppf(u, n, p)
    exact = n * p * (1 - p) < 9
    if exact:
        assert np.array_equal(k, ref)
    else:  # Cornish-Fisher: within one unit, rarely off
        assert np.abs(k - ref).max() <= 1
        assert np.mean(k != ref) < 0.05


def test_binomial_inverse_is_monotone_in_n_and_p():
    rng = np.random.default_rng(1)
    u = rng.random(20000)
    n = rng.integers(0, 400, 20000)
    p = rng.random(20000) * 0.3
    k = sf.binomial_inverse(u, n, p)
    assert np.all(sf.binomial_inverse(u, n + 1, p) >= k)
    assert np.all(sf.binomial_inverse(u, n, np.minimum(p + 0.01, 1)) >= k)
    # and n - k (the survivors of a thinning) never falls when n grows
    assert np.all((n + 1) - sf.binomial_inverse(u, n + 1, p) >= n - k)


def test_binomial_inverse_has_the_binomial_moments():
    rng = np.random.default_rng(2)
    u = rng.random(200_000)
    for n, p in [(25, 0.04), (900, 0.05)]:
        k = sf.binomial_inverse(u, np.full(u.shape, n), p)
        assert k.mean() == pytest.approx(n * p, rel=0.01)
        assert k.var() == pytest.approx(n * p * (1 - p), rel=0.03)


def test_systematic_allocation_sums_and_respects_counts():
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 30, (4, 50, 20)).astype(np.int32)
    n = counts.sum(axis=0)
    total = np.floor(n * rng.random(n.shape)).astype(np.int32)
    x = _systematic(total, counts, rng.random(total.shape))
    assert np.array_equal(x.sum(axis=0), total)
    assert np.all(x >= 0) and np.all(x <= counts)


# -- cohorts -----------------------------------------------------------------------------------


def test_cohorts_keep_every_person_and_no_individual(roster):
    coh = sf.cohorts(roster)
    assert coh["count"].sum() == len(roster)
    assert "person_id" not in coh.columns and "birth_month" not in coh.columns
    assert set(coh.columns) == {*sf.GROUP_KEYS, "retire_year", *sf.DIMENSIONS, "count"}


def test_cohorts_leave_out_people_who_left(roster):
    gone = roster.copy()
    gone.loc[gone.index[:10], "exit_date"] = pd.Timestamp("2025-06-30")
    gone.loc[gone.index[:10], "exit_reason"] = "nghi_viec"
    assert sf.cohorts(gone)["count"].sum() == len(roster) - 10


@pytest.mark.parametrize(("birth", "sex", "first_snapshot_without"), [
    ((1961, 10), "nam", 2022),   # retires 4/2022: gone from the 31/10/2022 snapshot
    ((1965, 9), "nam", 2027),    # 61y9m in 6/2027
    ((1966, 1), "nam", 2028),    # 61y9m reached in 10/2027: still in post on 31/10/2027
    ((1975, 1), "nu", 2034),     # 59y8m in 9/2034
])
def test_retirement_year_follows_the_31_october_snapshot(birth, sex, first_snapshot_without):
    frame = pd.DataFrame({"birth_year": [birth[0]], "birth_month": [birth[1]], "sex": [sex]})
    assert int(sf.retirement_years(frame)[0]) == first_snapshot_without


@pytest.mark.parametrize(("column", "value", "message"), [
    ("education", "bac_si", "education"),
    ("political_theory", "cu_nhan", "political_theory"),
    ("state_mgmt", "x", "state_mgmt"),
])
def test_unknown_codes_are_named(roster, column, value, message):
    bad = roster.copy()
    bad[column] = bad[column].astype(object)
    bad.loc[bad.index[3], column] = value
    with pytest.raises(ValueError, match=message):
        sf.cohorts(bad)


def test_missing_columns_are_listed(roster):
    with pytest.raises(ValueError, match="in_pool"):
        sf.cohorts(roster.drop(columns=["in_pool"]))


# -- the projection ---------------------------------------------------------------------------


def test_start_values_are_the_roster_shares(roster):
    proj = sf.project(roster, quiet_scenario(), 2025, 2027, n_draws=5, history={})
    uni = roster["education"].isin(["dai_hoc", "thac_si", "tien_si"])
    vc = roster["category"] == "vien_chuc"
    assert proj.start_value("T02") == pytest.approx(uni[vc].mean())
    so = roster["leader"] == "so"
    assert proj.start_value("T07") == pytest.approx((roster["state_mgmt"][so] == "cvcc").mean())
    key = roster["education"].isin(["thac_si", "tien_si"]) & (roster["field"] != "khac")
    assert proj.start_value("T11") == key.sum()


def test_projection_shape_and_results_object(roster):
    proj = sf.project(roster, "baseline", 2025, 2030, n_draws=40, seed=3)
    assert proj.targets == list(sf.TARGET_SPECS)
    fc = proj.forecast("T06")
    assert isinstance(fc, Forecast)
    assert fc.method == "stockflow:baseline" and fc.kind == "share"
    assert list(fc.years) == [2026, 2027, 2028, 2029, 2030] and fc.draws.shape == (40, 5)
    assert ((fc.draws >= 0) & (fc.draws <= 1)).all()
    assert proj.forecast("T11").kind == "count"
    assert 0 <= proj.p_meet("T06") <= 1
    with pytest.raises(KeyError, match="T99"):
        proj.forecast("T99")


def test_same_seed_same_draws_other_seed_other_draws(roster):
    a = sf.project(roster, "baseline", 2025, 2028, n_draws=30, seed=11)
    b = sf.project(roster, "baseline", 2025, 2028, n_draws=30, seed=11)
    c = sf.project(roster, "baseline", 2025, 2028, n_draws=30, seed=12)
    assert np.array_equal(a.draws("T02"), b.draws("T02"))
    assert not np.array_equal(a.draws("T02"), c.draws("T02"))


def test_retirements_follow_the_decree(roster):
    # no other exits and no recruitment: the headcount falls by the statutory retirements only
    scen = quiet_scenario(replacement_rate=0.0)
    proj = sf.project(roster, scen, 2025, 2030, n_draws=3, history={})
    ry = sf.retirement_years(roster)
    expected = [int(np.sum(ry <= y)) - int(np.sum(ry <= y - 1)) if y > 2026 else int(np.sum(ry <= 2026))
                for y in range(2026, 2031)]
    appointed = proj.flows["promotions"].to_numpy()
    # appointments refill posts (leaders, pool, key cadres) from the ordinary staff without
    # depleting them, so the headcount falls by retirements less appointments
    assert proj.flows["retirements"].tolist() == expected
    head = len(roster) - np.cumsum(np.array(expected) - appointed)
    assert proj.flows["headcount"].to_numpy() == pytest.approx(head)


def test_replacement_keeps_the_headcount_and_cuts_shrink_it(roster):
    keep = sf.project(roster, quiet_scenario(other_exit_rate=0.05), 2025, 2030, n_draws=20, history={})
    assert keep.flows["headcount"].to_numpy() == pytest.approx(len(roster), abs=1.5)
    cut = sf.project(roster, quiet_scenario(other_exit_rate=0.05, replacement_rate=0.0, headcount_change=-0.02),
                     2025, 2030, n_draws=20, history={})
    assert np.all(np.diff(cut.flows["headcount"].to_numpy()) < 0)


def test_training_moves_people_up_one_dimension_only(roster):
    base = sf.project(roster, quiet_scenario(), 2025, 2027, n_draws=20, history={})
    more = sf.project(roster, quiet_scenario(**{"programmes.language.capacity": 300}), 2025, 2027,
                      n_draws=20, history={})
    assert (more.numerators["T09a"] >= base.numerators["T09a"] + 200).all()
    for tid in ("T01", "T02", "T04", "T07", "T08", "T10", "T11"):
        assert np.array_equal(more.numerators[tid], base.numerators[tid]), tid


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start_year": 2025, "end_year": 2025}, "end_year"),
    ({"start_year": 2025, "n_draws": 0}, "n_draws"),
])
def test_bad_arguments(roster, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sf.project(roster, "baseline", **kwargs)


# -- the closed form (METHODS.md §3.2) --------------------------------------------------------


def two_state_roster(n: int, share: float, seed: int = 0) -> pd.DataFrame:
    """Young viên chức (nobody retires before 2045), a given share with a degree."""
    r = sf.random_roster(n, year=2025, seed=seed)
    rng = np.random.default_rng(seed)
    r["birth_year"] = rng.integers(1996, 2001, n)
    r["category"], r["level"], r["leader"], r["key_cadre"], r["in_pool"] = "vien_chuc", "tinh", "none", 0, 0
    r["education"] = np.where(np.arange(n) < round(share * n), "dai_hoc", "cao_dang")
    return r


@pytest.mark.parametrize(("w1", "w0", "u", "r"), [(0.04, 0.06, 0.02, 0.85), (0.03, 0.03, 0.05, 0.6)])
def test_two_state_closed_form(w1, w0, u, r):
    """Long-run share p* = (u + r w0) / (u + r w0 + (1 - r) w1) and the geometric approach to it.

    The engine sets places (not a rate): with c = u (1 - p*) N places a year the flow at
    the steady state is u U*, so the fixed point is p*; the approach from p0 is
    p_h = p* + (p0 - p*)(1 - λ')^h with λ' = r w0 + (1 - r) w1 (places do not scale with U).
    """
    n = 20000
    p_star = (u + r * w0) / (u + r * w0 + (1 - r) * w1)
    lam = r * w0 + (1 - r) * w1
    cap = round(u * (1 - p_star) * n)
    # the fixed point of p' = p (1 - λ') + c/N + r w0 for the rounded places is p* again
    p_cap = (cap / n + r * w0) / lam
    assert p_cap == pytest.approx(p_star, abs=0.001)
    scen = quiet_scenario(**{
        "other_exit_rate": w0, "exit_rate_university_multiplier": w1 / w0, "recruit_university_share": r,
        "recruit_years_to_retirement": 40, "programmes.university.capacity": cap,
        "programmes.university.completion_rate": 1.0, "programmes.university.duration": 1})
    # at the fixed point it stays there
    steady = sf.project(two_state_roster(n, p_cap), scen, 2025, 2045, n_draws=100, seed=1, history={})
    assert steady.draws("T02").mean(axis=0) == pytest.approx(np.full(20, p_cap), abs=0.003)
    # from below it approaches it geometrically
    p0 = 0.6
    moving = sf.project(two_state_roster(n, p0), scen, 2025, 2045, n_draws=100, seed=2, history={})
    p0 = moving.start_value("T02")
    expected = p_cap + (p0 - p_cap) * (1 - lam) ** np.arange(1, 21)
    assert moving.draws("T02").mean(axis=0) == pytest.approx(expected, abs=0.003)


# -- monotonicity under common random numbers -------------------------------------------------


def test_more_capacity_never_lowers_any_probability(roster):
    caps = [0, 50, 150, 400, 1000, 3000]
    projs = [sf.project(roster, sc.load_scenario("baseline").with_levers(
                 **{"programmes.university.capacity": c}), 2025, 2030, n_draws=200, seed=5, history={})
             for c in caps]
    for tid in sf.TARGET_SPECS:
        probs = [p.p_meet(tid) for p in projs]
        # strictly while places are fewer than the staff to train; once every eligible person
        # is enrolled (here from 400 places a year) more places only move people to earlier
        # cohorts, and the probability is flat up to Monte-Carlo noise (200 draws)
        assert all(b >= a for a, b in zip(probs[:4], probs[1:4], strict=False)), (tid, probs)
        assert all(b >= a - 0.03 for a, b in zip(probs[3:], probs[4:], strict=False)), (tid, probs)
        means = [p.draws(tid)[:, -1].mean() for p in projs]
        if tid in ("T01", "T02", "T05", "T06"):
            assert all(b >= a - 1e-3 for a, b in zip(means, means[1:], strict=False)), (tid, means)
    # draw by draw while the places are fewer than the staff to train (common random numbers);
    # once every eligible person is enrolled the split of cohorts over years reshuffles the
    # completion draws and single draws may differ by a few people either way
    for tid in ("T01", "T02", "T06"):
        nums = [p.numerators[tid] for p in projs[:4]]
        dens = [p.denominators[tid] for p in projs]
        assert all(np.array_equal(d, dens[0]) for d in dens)
        assert all((b >= a).all() for a, b in zip(nums, nums[1:], strict=False)), tid
    # the university programme's places raise the graduates' share by 2030
    assert projs[-1].draws("T02")[:, -1].mean() > projs[0].draws("T02")[:, -1].mean() + 0.02


def test_capacity_factor_scales_the_places(roster):
    scen = quiet_scenario(**{"programmes.language.capacity": 100, "programmes.it.capacity": 50})
    one = sf.project(roster, scen, 2025, 2026, n_draws=50, history={})
    two = sf.project(roster, scen.with_levers(training_capacity_factor=2.0), 2025, 2026, n_draws=50, history={})
    e1 = one.enrolments.set_index("programme")["enrolled"]
    e2 = two.enrolments.set_index("programme")["enrolled"]
    assert e1["language"] == pytest.approx(100, abs=3) and e2["language"] == pytest.approx(200, abs=3)
    assert e1["it"] == pytest.approx(50, abs=3) and e2["it"] == pytest.approx(100, abs=3)
    assert e2["university"] == 0


def test_projection_from_a_dataset_estimates_the_history(roster, tmp_path):
    class Data:
        pass

    data = Data()
    data.roster, data.flows = roster, pd.DataFrame({
        "year": [2022, 2022, 2023, 2023, 2024, 2024] * 2,
        "category": ["vien_chuc"] * 6 + ["cong_chuc"] * 6,
        "level": "tinh",
        "flow": ["headcount", "exit_nghi_viec"] * 6,
        "count": [1000, 30, 1000, 30, 1000, 30, 500, 5, 500, 5, 500, 5],
    })
    hist = sc.estimate_baseline(data)
    assert hist["other_exit_rate"] == {"cong_chuc": 0.01, "vien_chuc": 0.03}
    proj = sf.project(data, "baseline", n_draws=5)
    assert any("other_exit_rate" in note and "estimated" in note for note in proj.notes)


# -- sharing the places with weights from the history ----------------------------------------------


@pytest.mark.parametrize(("eligible", "weights", "places", "enrolled"), [
    ([100, 100], [1.0, 1.0], 80, [40, 40]),        # equal weights: in proportion to the eligible
    ([100, 100], [3.0, 1.0], 80, [60, 20]),        # eligible × weight
    ([100, 100], [3.0, 1.0], 160, [100, 60]),      # the first group is full: the rest to the other
    ([100, 300], [3.0, 1.0], 150, [75, 75]),
    ([100, 100], [3.0, 1.0], 500, [100, 100]),     # more places than people
    ([100, 100], [3.0, 1.0], 0, [0, 0]),
    ([0, 100], [3.0, 1.0], 50, [0, 50]),           # an empty group takes nothing
    ([50, 50, 100], [3.0, 3.0, 1.0], 150, [50, 50, 50]),  # rows of one weight fill together
])
def test_fill_level_shares_the_places_in_proportion_to_eligible_times_weight(
        eligible, weights, places, enrolled):
    rest = np.array(eligible, dtype=sf.COUNT)[:, None]
    share = np.minimum(1, np.array(weights)[:, None] * _fill_level(rest, np.array(weights), np.array([places])))
    assert (rest * share)[:, 0] == pytest.approx(enrolled, abs=1e-3)


def test_fill_level_shares_are_nondecreasing_in_the_places_and_use_them_all():
    rng = np.random.default_rng(3)
    rest = rng.integers(0, 60, size=(40, 7)).astype(sf.COUNT)
    w = rng.choice([0.2, 0.5, 1.0, 2.5, 6.0], size=40)
    total = rest.sum(axis=0)
    previous = np.zeros(rest.shape, dtype=np.float32)
    for places in np.linspace(0, 1.2 * total.max(), 60):
        share = np.minimum(1, w[:, None] * _fill_level(rest, w, np.full(7, places)))
        assert (share >= previous - 1e-6).all() and (share <= 1).all()
        assert (rest * share).sum(axis=0) == pytest.approx(np.minimum(places, total), rel=1e-5, abs=1e-3)
        previous = share


def _weights_favouring(level: str, weight: float) -> pd.DataFrame:
    rows = [("university", c, v, weight if v == level else 1.0)
            for c in ("can_bo", "cong_chuc", "vien_chuc") for v in ("tinh", "xa")]
    return pd.DataFrame(rows, columns=["programme", "category", "level", "weight"])


def test_history_weights_steer_the_places_and_keep_monotonicity(roster):
    def run(cap, history):
        scen = quiet_scenario(**{"programmes.university.capacity": cap})
        return sf.project(roster, scen, 2025, 2028, n_draws=100, seed=2, history=history)

    steered = {"allocation_weights": _weights_favouring("xa", 8.0)}
    plain, weighted = run(60, {}), run(60, steered)
    # the same places: more go to the commune level, fewer elsewhere
    assert weighted.draws("T06")[:, -1].mean() > plain.draws("T06")[:, -1].mean() + 0.01
    assert weighted.draws("T01")[:, -1].mean() < plain.draws("T01")[:, -1].mean()
    assert plain.enrolments.equals(run(60, {"allocation_weights": _weights_favouring("xa", 1.0)}).enrolments)
    # more places never fewer graduates in any population, draw by draw
    projs = [run(c, steered) for c in (0, 20, 60, 150, 400)]
    for tid in ("T01", "T02", "T05", "T06"):
        nums = [p.numerators[tid] for p in projs]
        assert all((b >= a).all() for a, b in zip(nums, nums[1:], strict=False)), tid


@pytest.mark.parametrize("weight", [0.0, -1.0, float("nan")])
def test_bad_allocation_weights_are_refused(roster, weight):
    with pytest.raises(ValueError, match="allocation weights of programme 'university'"):
        sf.project(roster, quiet_scenario(), 2025, 2026, n_draws=2,
                   history={"allocation_weights": _weights_favouring("xa", weight)})


# -- the command ----------------------------------------------------------------------------------


def test_simulate_command_on_the_demo_data(tmp_path):
    import json

    from forecast import config
    from forecast.cli import main

    if not (config.demo_dir() / "roster.csv.gz").exists():
        pytest.skip("the demo province is not generated")
    out = tmp_path / "sim.json"
    assert main(["simulate", "--draws", "60", "--seed", "2", "--scenario", "accelerated_training",
                 "--json", str(out)]) == 0
    doc = json.loads(out.read_text("utf-8"))
    assert doc["method"] == "stockflow:accelerated_training" and doc["n_draws"] == 60
    assert doc["data"]["synthetic"] is True
    for tid in [f"T{i:02d}" for i in range(1, 11)]:
        item = doc["targets"][tid]
        assert 0 <= item["p_meet"] <= 1 and item["p_meet_year"] == 2030
        assert item["years"] == [2026, 2027, 2028, 2029, 2030]
        q = item["quantiles"]
        assert all(a <= b for a, b in zip(q["0.05"], q["0.95"], strict=True))
    assert doc["targets"]["T11"]["kind"] == "count"


@pytest.mark.parametrize(("args", "message", "code"), [
    (["--scenario", "no_such"], "no scenario 'no_such'", 1),
    (["--draws", "0"], "--draws", 2),  # an option out of range is bad usage: exit 2 (tests/test_hostile_inputs.py)
    (["--end-year", "2050"], "2045", 2),
    (["--data", "/nonexistent/folder"], "no such dataset folder", 1),
])
def test_simulate_command_refuses_bad_input(tmp_path, capsys, args, message, code):
    from forecast.cli import main

    out = tmp_path / "x.json"
    assert main(["simulate", *args, "--json", str(out)]) == code
    assert message in capsys.readouterr().err
    assert not out.exists()


# -- parameter uncertainty, the snapshot panel, flows inside a programme's population ----------


def test_walk_factors_have_median_one_and_the_stated_spread():
    from forecast.stockflow.sampling import _Streams
    from forecast.stockflow.uncertainty import walk_factors

    f = walk_factors(_Streams(5), "places-x", 0.10, 0.05, 2026, 4, 20000)
    logs = np.log(f)
    assert np.median(logs, axis=1) == pytest.approx(np.zeros(4), abs=0.01)
    expected = np.sqrt(0.10 ** 2 + 0.05 ** 2 * np.arange(1, 5))
    assert logs.std(axis=1) == pytest.approx(expected, rel=0.03)
    again = walk_factors(_Streams(5), "places-x", 0.10, 0.05, 2026, 4, 20000)
    assert np.array_equal(f, again)  # common random numbers: the same seed draws the same levels


@pytest.mark.parametrize(("values", "window", "level", "drift"), [
    ([100, 100, 100, 100, 100], 3, 0.0, 0.0),
    ([100, 121, 100, 121, 100, 121], 3, None, None),  # computed below from the definitions
    ([50, 60], 3, None, None),  # too short: no spread
])
def test_standard_error_and_drift_of_yearly_flows(values, window, level, drift):
    from forecast.stockflow import uncertainty as un

    s = pd.Series(values, index=range(2016, 2016 + len(values)), dtype=float)
    se, dr = un.standard_error(s, window), un.drift(s, window)
    if len(values) < 3:
        assert se is None and dr is None
        return
    if level is None:
        level = np.std(np.log(values), ddof=1) / np.sqrt(window)
        roll = np.convolve(values, np.ones(window) / window, mode="valid")
        drift = np.std(np.diff(np.log(roll)), ddof=1)
    assert se == pytest.approx(level, abs=1e-4)
    assert dr == pytest.approx(drift, abs=1e-4)


def _spread_history(hist: dict, level: float = 0.15, drift: float = 0.05) -> dict:
    progs = {name: {"level": level, "drift": drift} for name in sf.PROGRAMMES}
    return {**hist, "uncertainty": {"programmes": progs, "other_exit_rate": {c: 0.2 for c in sf.spec.CATEGORIES},
                                    "recruit_university_share": {c: {"level": 0.3, "drift": 0.1}
                                                                 for c in sf.spec.CATEGORIES}}}


def test_drawn_recruit_share_moves_the_degree_share_only():
    from forecast.stockflow.allocation import with_drawn_share

    edu = np.array([[0.2, 0.6, 0.15, 0.05], [0.5, 0.5, 0.0, 0.0]])
    mix = {"education": edu, "skills": np.ones((2, 8)) / 8}
    same = with_drawn_share(mix, np.zeros((2, 3)))
    assert np.allclose(same["education"], edu[:, :, None])
    moved = with_drawn_share(mix, np.array([[1.0, -1.0, 0.0], [2.0, 0.0, -2.0]]))["education"]
    assert np.allclose(moved.sum(axis=1), 1.0)
    assert moved[0, 0, 0] < 0.2 < moved[0, 0, 1]  # a positive shift means fewer recruits below university
    assert np.allclose(moved[0, 2] / moved[0, 1], 0.25)  # the degrees keep their proportions
    assert moved[1, 2:].max() == 0.0 and mix["skills"] is moved_skills(mix)


def moved_skills(mix):
    from forecast.stockflow.allocation import with_drawn_share

    return with_drawn_share(mix, np.zeros((2, 1)))["skills"]


def test_parameter_uncertainty_widens_the_spread_and_keeps_monotonicity(roster):
    s = sc.load_scenario("baseline")
    plain = sf.project(roster, s, end_year=2030, n_draws=300, seed=2, history={})
    wide = sf.project(roster, s, end_year=2030, n_draws=300, seed=2, history=_spread_history({}))
    for tid in ("T08", "T09", "T11"):  # places bind there (the random roster saturates the degree programmes)
        w0 = np.subtract(*np.quantile(plain.draws(tid)[:, -1], [0.9, 0.1]))
        w1 = np.subtract(*np.quantile(wide.draws(tid)[:, -1], [0.9, 0.1]))
        assert w1 > 1.3 * w0, tid
    # places below the staff to train: more places still mean more graduates in every path and year
    more = sf.project(roster, s.with_levers(**{"programmes.university.capacity": 60}), end_year=2030,
                      n_draws=300, seed=2, history=_spread_history({}))
    fewer = sf.project(roster, s.with_levers(**{"programmes.university.capacity": 30}), end_year=2030,
                       n_draws=300, seed=2, history=_spread_history({}))
    assert (more.numerators["T01"] >= fewer.numerators["T01"]).all()
    assert (more.numerators["T01"] > fewer.numerators["T01"]).any()


def _snap(year: int, rows: list[tuple]) -> pd.DataFrame:
    """A small roster snapshot: (person, category, level, leader, key_cadre, in_pool, education, state_mgmt)."""
    base = sf.random_roster(len(rows), year=year, seed=1)
    cols = ["person_id", "category", "level", "leader", "key_cadre", "in_pool", "education", "state_mgmt"]
    for j, col in enumerate(cols):
        base[col] = [r[j] for r in rows]
    base["hire_date"] = pd.Timestamp("2000-01-01")
    return base


def test_panel_reads_completions_appointments_and_the_pool_review():
    from forecast.stockflow import panel

    a = _snap(2020, [("A", "cong_chuc", "tinh", "none", 0, 1, "cao_dang", "cv"),
                     ("B", "cong_chuc", "tinh", "none", 0, 1, "cao_dang", "cv"),
                     ("C", "cong_chuc", "tinh", "none", 0, 0, "cao_dang", "cv"),
                     ("D", "cong_chuc", "tinh", "none", 0, 0, "cao_dang", "cvc"),
                     ("E", "cong_chuc", "tinh", "none", 0, 1, "dai_hoc", "cvc")])
    b = _snap(2021, [("A", "cong_chuc", "tinh", "none", 0, 1, "dai_hoc", "cv"),    # degree, in the pool
                     ("B", "cong_chuc", "tinh", "none", 0, 0, "cao_dang", "cv"),   # reviewed out of the pool
                     ("C", "cong_chuc", "tinh", "none", 0, 0, "cao_dang", "cv"),
                     ("D", "cong_chuc", "tinh", "phong", 0, 0, "cao_dang", "cvc"),  # appointed with CVC
                     ("E", "cong_chuc", "tinh", "none", 0, 1, "dai_hoc", "cvc")])
    pairs = [panel.Pair(2021, panel.frame(a), panel.frame(b))]
    w = panel.group_weights_from_panel(pairs)
    uni = w[w["programme"] == "university"].set_index("in_pool")["weight"]
    # the pool took the one degree: its weight is above the others' (1 + 1)/(2r + 1) > 1/(2r + 1), r = 1/4
    assert uni[1] == pytest.approx(2 / (2 * 0.25 + 1), abs=1e-4)
    assert uni[0] == pytest.approx(1 / (2 * 0.25 + 1), abs=1e-4)
    mix = panel.appointee_mix(pairs)
    sm = mix[(mix["dimension"] == "state_mgmt") & (mix["leader"] == "phong")]
    assert sm[["state", "count"]].values.tolist() == [[1, 1]]
    assert panel.pool_review_rate(pairs) is None  # fewer than 20 pool members: no rate
    assert panel.pool_review_rate(pairs * 10) == pytest.approx(1 / 3)


def test_the_pool_review_swaps_people_and_keeps_every_headcount(roster):
    from forecast.stockflow.cohorts import cohorts
    from forecast.stockflow.engine import _Engine

    levers = quiet_scenario().resolve({})
    engine = _Engine(cohorts(roster), levers, {"pool_review_rate": 0.3}, 2025, 2028, 50, 4)
    before = {dim: S.copy() for dim, S in engine.S.items()}
    heads = engine.N.copy()
    engine._review_pool(2026)
    pool, ordinary = engine.pool_pairs
    for dim, S in engine.S.items():
        assert np.array_equal(S.sum(axis=0), heads)  # every cell keeps its headcount
        assert np.array_equal(S[:, pool] + S[:, ordinary], before[dim][:, pool] + before[dim][:, ordinary])
        assert (S >= 0).all()
    assert not np.array_equal(engine.S["political_theory"], before["political_theory"])  # people moved


def test_places_count_only_completions_inside_the_programme_population():
    from forecast.stockflow.history import _capacities_from_flows

    flows = pd.DataFrame({"year": [2023, 2023, 2024, 2024, 2023], "category": ["can_bo", "vien_chuc"] * 2 + ["can_bo"],
                          "level": ["xa", "tinh", "xa", "tinh", "tinh"],
                          "flow": ["upgrade_llct_so_cap"] * 4 + ["upgrade_standardised"],
                          "count": [10, 90, 20, 80, 7]})
    caps = _capacities_from_flows(flows, 2)
    assert caps["political_theory_elementary"] == 15  # public employees' courses are not the programme's
    assert "standardisation" not in caps  # commune cadres only; this one is a provincial cadre
    assert _capacities_from_flows(flows, 2, key_share=0.2) == caps
