"""Units' outlook: partial pooling toward the province, consistent sums, allocation of the plan's places."""

import numpy as np
import pandas as pd
import pytest

from forecast import stockflow as sf
from forecast.plan import units


@pytest.fixture(scope="module")
def roster():
    r = sf.random_roster(2500, year=2025, seed=8)
    rng = np.random.default_rng(3)
    # 30 communes of very different sizes (3 to ~250 people) and 3 agencies
    r["unit_code"] = np.where(r["level"] == "tinh", rng.choice(["P01", "P02", "P03"], len(r)),
                              rng.choice([f"0{6000 + i}" for i in range(30)], len(r),
                                         p=np.r_[np.full(5, 0.002), np.full(25, 0.99 / 25)]))
    return r


@pytest.fixture(scope="module")
def outlook(roster):
    proj = sf.project(roster, "baseline", 2025, 2030, n_draws=150, seed=2, history={})
    return proj, units.unit_outlook(roster, proj, p=0.8, seed=1)


def test_the_province_is_the_sum_of_its_units(outlook, roster):
    proj, out = outlook
    counts = units.unit_counts(roster)
    for tid in out.numerators:
        assert np.allclose(out.numerators[tid].sum(axis=1), proj.numerators[tid][:, -1]), tid
        assert np.allclose(out.denominators[tid].sum(axis=1), proj.denominators[tid][:, -1]), tid
        assert (out.numerators[tid] <= out.denominators[tid] + 1e-9).all()
        snap = counts[counts["target"] == tid]
        assert snap["numerator"].sum() == proj.start[tid][0] and snap["denominator"].sum() == proj.start[tid][1]


def test_small_units_are_pulled_toward_the_province_more_than_large_ones(outlook):
    _, out = outlook
    t = out.table[out.table["target"] == "T02"]
    small, large = t[t["denominator"] < 10], t[t["denominator"] >= 100]
    assert len(small) and len(large)
    assert small["pooling_weight"].max() <= large["pooling_weight"].min() + 1e-12
    assert (t["pooling_weight"].between(0, 1)).all()
    assert t.loc[t["denominator"] < units.MIN_CELL, "suppressed"].all()


@pytest.mark.parametrize("est, var, expected_w", [
    ([0.0, 0.0, 0.0], [0.1, 0.1, 0.1], 0.0),             # no spread between units: full pooling
    ([-2.0, 0.0, 2.0, 4.0], [1e-6] * 4, 1.0),            # precise and spread: no pooling
])
def test_shrinkage_weights(est, var, expected_w):
    shrunk, _ = units.shrink(np.array(est), np.array(var))
    assert np.allclose(shrunk, np.array(est) * expected_w, atol=1e-3)


def test_no_data_means_the_province(outlook):
    shrunk, post = units.shrink(np.array([1.0, -1.0, 0.5, 3.0]), np.array([0.01, 0.01, 0.01, np.inf]))
    assert shrunk[3] == 0.0 and post[3] > 0


@pytest.mark.parametrize("total, weights, expected", [
    (10, [1, 1, 1], [4, 3, 3]),
    (7, [0, 5, 2], [0, 5, 2]),
    (0, [1, 2], [0, 0]),
    (5, [0, 0], [0, 0]),
])
def test_largest_remainder_sums_exactly(total, weights, expected):
    got = units.largest_remainder(total, np.array(weights))
    assert got.tolist() == expected


def test_the_plan_places_allocated_to_units_sum_to_the_plan(outlook):
    _, out = outlook
    # post-graduate study serves only T11 (a count): shared by headcount, still summing to the plan
    places = {"university": 37, "principal_specialist": 123, "language": 0, "postgraduate": 11}
    alloc = units.allocate(places, out)
    sums = alloc.groupby("programme")["places_per_year"].sum().to_dict()
    assert sums == {"university": 37, "principal_specialist": 123, "postgraduate": 11}
    assert (alloc["places_per_year"] >= 0).all()
    # more gap, at least as many places
    for _, g in alloc.groupby("programme"):
        g = g.sort_values("weight")
        assert (np.diff(g["places_per_year"].to_numpy()) >= -1).all()


def test_the_ranking_puts_the_largest_gap_first(outlook):
    _, out = outlook
    ranked = units.ranked_units(out)
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["gap_2030"].is_monotonic_decreasing
    assert isinstance(ranked, pd.DataFrame) and set(ranked["unit"]) == set(out.table["unit"])
