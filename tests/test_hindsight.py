"""The components' best weights in hindsight: a ceiling on what re-weighting could give."""

import numpy as np
import pytest

from forecast.models.hindsight import ceiling, simplex_lad


def noisy_components(n=300, H=8, seed=1):
    """Three components around the outcome: one close, one biased, one noisy."""
    rng = np.random.default_rng(seed)
    y = rng.uniform(10, 90, (n, H))
    P = np.stack([y + rng.normal(0, 1, (n, H)), y + 5 + rng.normal(0, 1, (n, H)), y + rng.normal(0, 8, (n, H))],
                 axis=2)
    return P, y


def test_an_exact_component_takes_all_the_weight():
    rng = np.random.default_rng(0)
    y = rng.uniform(0, 100, 50)
    P = np.column_stack([y + rng.normal(0, 3, 50), y, y - 10])
    w = simplex_lad(P, y)
    assert w == pytest.approx([0, 1, 0], abs=1e-7)


def test_two_biased_components_are_blended_to_cancel_the_bias():
    y = np.linspace(0, 1, 40)
    w = simplex_lad(np.column_stack([y + 2, y - 2]), y)
    assert w == pytest.approx([0.5, 0.5], abs=1e-7)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_ceiling_is_at_most_every_single_component_and_every_fixed_blend(seed):
    P, y = noisy_components(seed=seed)
    res = ceiling(P, y, components=["close", "biased", "noisy"])
    for h in range(3, 9):
        w = np.array(list(res["weights"][str(h)].values()))
        assert (w >= 0).all() and w.sum() == pytest.approx(1)
        single = np.abs(P[:, h - 1] - y[:, h - 1, None]).mean(axis=0)
        equal = np.abs(P[:, h - 1].mean(axis=1) - y[:, h - 1]).mean()
        assert res["mae"][str(h)] <= min(single.min(), equal) + 1e-9
    assert res["mae_3_8"] == pytest.approx(np.mean([res["mae"][str(h)] for h in range(3, 9)]))
    assert res["mae_3_8_by_band"] is None  # no levels given


def test_weights_per_level_band_do_at_least_as_well():
    P, y = noisy_components(seed=4)
    levels = np.random.default_rng(4).uniform(0, 1, len(y))
    res = ceiling(P, y, levels)
    assert res["mae_3_8_by_band"] <= res["mae_3_8"] + 1e-9


def test_outcomes_not_observed_are_left_out():
    P, y = noisy_components(n=60)
    y = y.copy()
    y[:30, 4] = np.nan
    full = ceiling(P[30:], y[30:])
    part = ceiling(P, y)
    assert part["mae"]["5"] == pytest.approx(full["mae"]["5"], rel=1e-6)


@pytest.mark.parametrize("points, outcomes, message", [
    (np.ones((0, 2)), np.ones(0), "n > 0"),
    (np.ones((3, 2)), np.ones(4), "outcomes"),
    (np.ones(3), np.ones(3), "points must be"),
    (np.array([[1.0, np.nan], [1.0, 2.0]]), np.ones(2), "finite"),
    (np.ones((2, 2)), np.array([1.0, np.inf]), "finite"),
])
def test_bad_inputs_are_refused(points, outcomes, message):
    with pytest.raises(ValueError, match=message):
        simplex_lad(points, outcomes)


def test_the_weights_are_the_optimum_a_fine_grid_search_finds():
    P, y = noisy_components(n=200, seed=5)
    Ph, yh = P[:, 4], y[:, 4]
    w = simplex_lad(Ph, yh)
    best = np.abs(Ph @ w - yh).mean()
    grid = [(a, b, 1 - a - b) for a in np.linspace(0, 1, 101) for b in np.linspace(0, 1, 101) if a + b <= 1 + 1e-12]
    grid_best = min(np.abs(Ph @ np.array(g) - yh).mean() for g in grid)
    assert best <= grid_best + 1e-9          # never worse than any grid point
    assert grid_best - best < 0.01            # and the grid, 0.01 apart, comes close to it
