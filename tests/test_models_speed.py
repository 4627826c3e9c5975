"""The shortcuts that keep the backtest fast give what the slow way gives.

* the combination weights: :func:`best_weights` against every point of the simplex grid;
* the global model's trees: fewer for small pools (:func:`tree_count`), and features binned
  at the training rows' quantiles (:class:`BinnedTrees`), so that rows after the origin
  cannot move the bins.
"""

from __future__ import annotations

import numpy as np
import pytest

from forecast.models.calibration import best_weights, simplex_grid
from forecast.models.global_model import MAX_TREES, MIN_TREES, fit_trees, predict_trees, tree_count


def _loss(points, outcomes, weights, w):
    return float(weights @ np.abs(outcomes - points @ w))


def _case(seed: int, k: int, n: int, tied: bool):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    points = y[:, None] + rng.normal(size=(n, k)) * rng.uniform(0.2, 2.0, k) + rng.normal(size=k) * 0.5
    if tied:
        points[:, -1] = points[:, 0]          # two components forecasting alike (a tie in the weights)
    return points, y, rng.uniform(0.1, 1.0, n)


@pytest.mark.parametrize("seed,k,n,tied", [(1, 6, 400, False), (2, 6, 60, False), (3, 6, 900, True),
                                           (4, 5, 300, False), (5, 3, 200, False), (6, 2, 100, False),
                                           (16, 6, 1797, False), (38, 6, 1149, False), (153, 6, 2806, False)])
def test_the_weights_reach_the_best_point_of_the_grid(seed, k, n, tied):
    points, y, wts = _case(seed, k, n, tied)
    grid = simplex_grid(k)
    exhaustive = min(_loss(points, y, wts, g) for g in grid)
    w = best_weights(points, y, wts)
    assert np.isclose(w.sum(), 1.0) and (w >= 0).all()
    assert np.allclose(w * 10, np.round(w * 10))                 # on the 0.1 grid
    assert _loss(points, y, wts, w) <= exhaustive * (1 + 1e-9)


def test_one_component_gets_all_the_weight():
    points, y, wts = _case(7, 1, 50, False)
    assert best_weights(points, y, wts).tolist() == [1.0]


def test_a_component_that_is_the_outcome_gets_all_the_weight():
    points, y, wts = _case(8, 4, 200, False)
    points[:, 2] = y
    assert best_weights(points, y, wts).tolist() == [0.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("rows,trees", [(0, MIN_TREES), (150, MIN_TREES), (2000, 50), (4000, MAX_TREES),
                                        (50_000, MAX_TREES)])
def test_small_pools_get_fewer_trees(rows, trees):
    assert tree_count(rows) == trees


def test_the_bins_come_from_the_training_rows_alone():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X[:, 0] - 0.5 * X[:, 1] + rng.normal(0, 0.1, 300)
    trees = fit_trees(X, y, np.ones(300))
    assert trees.model.n_iter_ == tree_count(300)
    # new rows far outside the training range fall in the end bins, as they would in scikit-learn's own
    far = np.array([[10.0, -10.0, 0.0], [-10.0, 10.0, 0.0]])
    assert np.array_equal(trees.bins(far)[:, 0], [len(trees.edges[0]), 0])
    pred = predict_trees(trees, X)
    assert np.corrcoef(pred, y)[0, 1] > 0.9
