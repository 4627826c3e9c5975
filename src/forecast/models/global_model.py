"""A global (pooled) model: gradient-boosted trees trained on the past windows of many series.

Short bounded series (4–12 points) say little about their own future; a panel of
them (regions, countries, the communes and agencies of one province) says more
about how series *like* them moved. The global model learns, across every
series of a pool, how the logit of a share changed ``h`` years after a window
that looked like this one (the M4/M5 lesson: one model for many series):

* **rows**: every window of at most ``window`` points ending at an origin ``t``
  of every series, one row per horizon ``h = 1 … max_h`` (:func:`window_table`);
* **features** (:data:`FEATURES`): the level (share and logit), the last
  year's logit slope, the slopes over the last three points and over the
  whole window, the slope in percentage points, the noise around the window's
  logit line, the number of points and ``h``;
* **target**: the logit change per year ``(z(t+h) − z(t)) / h``, learned with
  the absolute-error loss, each row weighted by ``h · p(1 − p)`` so that the
  loss is close to the absolute error of the share itself at horizon ``h``,
  and by the age of its outcome (half-life :data:`HALF_LIFE` years);
* **no look-ahead**: the model used at origin ``T`` is trained only on rows
  whose outcome year is ``≤ T`` (:meth:`GlobalPanel.model_at`), so changing
  or shuffling anything after ``T`` leaves the forecast made at ``T`` unchanged.

Windows that never moved are not learned from (as in the default's calibration).
With fewer than :data:`MIN_TRAIN` rows the model is not trained and says so.
Intervals come from the model's own past errors, calibrated like the default's
(:mod:`forecast.models.calibration`, a single component).

scikit-learn's ``HistGradientBoostingRegressor`` is imported lazily (scikit-learn
is a heavy dependency); training runs on one thread, as the machine is shared
and the backtest already uses one process per core. Two things keep it cheap:
the features are binned at the training rows' own quantiles before the trees
see them (:class:`BinnedTrees`; scikit-learn's weighted binning cost more than
the trees), and small pools (a unit's series in the annual run) get fewer trees
(:func:`tree_count`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from forecast.models.base import SeriesData, SeriesError, TrendModel, check_series
from forecast.models.calibration import (
    MAX_AGE,
    combine,
    copula_uniforms,
    learn_calibration,
    record_weights,
    series_scale,
)

#: Names of the features, in column order.
FEATURES = ("level", "logit", "slope_last", "slope_3", "slope_window", "slope_value", "noise", "n_points", "h")
#: Shares are kept this far inside (0, 1) before taking logits (0.1 point from the bounds).
GLOBAL_EPS = 0.001
#: Fewest training rows (past windows × horizons with an outcome) before the model is trained.
MIN_TRAIN = 100
#: Half-life in years of the weight of a training row by the age of its outcome.
HALF_LIFE = 4.0
#: Settings of the gradient-boosted trees: small trees, shrinkage and a leaf floor for
#: panels of a few hundred rows as well as tens of thousands.
TREE_SETTINGS = {"learning_rate": 0.1, "max_leaf_nodes": 15, "min_samples_leaf": 20,
                 "l2_regularization": 1.0}


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), GLOBAL_EPS, 1 - GLOBAL_EPS)
    return np.log(q / (1 - q))


def _inv_logit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def window_features(years: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The features of one window (all but ``h``), in :data:`FEATURES` order.

    Parameters
    ----------
    years : ndarray of int
        The window's years (increasing; gaps allowed).
    values : ndarray of float
        Shares in [0, 1].
    """
    y = np.asarray(years, dtype=float)
    p = np.asarray(values, dtype=float)
    z = _logit(p)
    n = len(z)
    last = (z[-1] - z[-2]) / max(y[-1] - y[-2], 1.0) if n >= 2 else 0.0
    k = min(n, 3)
    slope3 = np.polyfit(y[-k:], z[-k:], 1)[0] if k >= 2 else 0.0
    slope, intercept = np.polyfit(y, z, 1) if n >= 2 else (0.0, z[-1])
    slope_value = np.polyfit(y, p, 1)[0] if n >= 2 else 0.0
    noise = float(np.sqrt(np.mean((z - (slope * y + intercept)) ** 2)))
    return np.array([p[-1], z[-1], last, slope3, slope, slope_value, noise, float(n)])


@dataclass
class WindowTable:
    """Rows of a panel's windows: one per (series, origin, horizon).

    Attributes
    ----------
    X : ndarray (n, len(FEATURES))
    target : ndarray (n,)
        Logit change per year to the outcome; NaN where the outcome is not observed.
    origin_year, target_year, series : ndarray (n,) of int
        Origin year, outcome year and index of the series in the pool.
    moved : ndarray (n,) of bool
        False for windows that never moved (not learned from).
    """

    X: np.ndarray
    target: np.ndarray
    origin_year: np.ndarray
    target_year: np.ndarray
    series: np.ndarray
    moved: np.ndarray


def window_table(series_list: list[SeriesData], window: int = 8, min_points: int = 3, max_h: int = 8) -> WindowTable:
    """Every window of every share series, with a row per horizon ``1 … max_h``.

    An origin needs at least ``min_points`` points in its window; shares at or
    above 99.5 % at the origin are left out (nothing left to forecast).
    """
    X, T, Orig, Y, S, M = [], [], [], [], [], []
    hs = np.arange(1, max_h + 1)
    for k, data in enumerate(series_list):
        if data.kind != "share":
            continue
        years, values = data.years, data.values
        outcome = dict(zip(years.tolist(), values.tolist(), strict=True))
        for i in range(min_points - 1, len(years)):
            if values[i] >= 0.995:
                continue
            lo = max(0, i + 1 - window)
            f = window_features(years[lo:i + 1], values[lo:i + 1])
            t = int(years[i])
            fut = np.array([outcome.get(t + h, np.nan) for h in hs])
            X.append(np.column_stack([np.tile(f, (max_h, 1)), hs]))
            T.append((_logit(fut) - f[1]) / hs)
            Orig.append(np.full(max_h, t))
            Y.append(t + hs)
            S.append(np.full(max_h, k))
            M.append(np.full(max_h, float(np.ptp(values[lo:i + 1])) > 1e-12))
    if not X:
        z = np.empty(0)
        return WindowTable(np.empty((0, len(FEATURES))), z, z.astype(int), z.astype(int), z.astype(int),
                           z.astype(bool))
    return WindowTable(np.vstack(X), np.concatenate(T), np.concatenate(Orig), np.concatenate(Y),
                       np.concatenate(S), np.concatenate(M))


#: Most trees; pools of fewer than ``ROWS_PER_TREE * MAX_TREES`` training rows get fewer (:func:`tree_count`).
MAX_TREES = 100
#: Training rows per tree below :data:`MAX_TREES` trees, and the fewest trees.
ROWS_PER_TREE = 40
MIN_TREES = 25
#: Bins per feature (as scikit-learn's default).
MAX_BINS = 255


def tree_count(n_rows: int) -> int:
    """Trees for a training set of ``n_rows`` rows: fewer for small pools.

    A unit's dozen series give a few hundred rows, where a hundred trees of at
    least :data:`TREE_SETTINGS` ``min_samples_leaf`` rows each mostly refit the
    same few leaves (and cost as much as on a panel a hundred times larger).
    """
    return int(np.clip(n_rows // ROWS_PER_TREE, MIN_TREES, MAX_TREES))


@dataclass
class BinnedTrees:
    """Gradient-boosted trees on features binned at the training rows' quantiles.

    scikit-learn bins each feature itself, but with sample weights it takes 254
    weighted percentiles per feature, which costs more than the trees on a
    panel of tens of thousands of rows. The bins here are the unweighted
    quantiles of the training rows (so nothing after the training origin
    enters), and the trees see each row's bin number.
    """

    edges: list
    model: object

    def bins(self, X: np.ndarray) -> np.ndarray:
        """Each feature's bin number (0 … number of edges)."""
        return np.column_stack([np.searchsorted(e, X[:, j], side="left") for j, e in enumerate(self.edges)]
                               ).astype(float)


@cache
def _threads() -> ThreadpoolController:
    """The controller of the thread pools (made once: finding the pools costs more than a small prediction)."""
    from sklearn.ensemble import HistGradientBoostingRegressor  # noqa: F401 - loads the OpenMP runtime first

    return ThreadpoolController()


def fit_trees(X: np.ndarray, target: np.ndarray, weight: np.ndarray, seed: int = 0) -> BinnedTrees:
    """A ``HistGradientBoostingRegressor`` (absolute-error loss) fitted on one thread, :func:`tree_count` trees."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    q = np.linspace(0, 1, MAX_BINS + 1)[1:-1]
    edges = [np.unique(np.quantile(X[:, j], q)) for j in range(X.shape[1])]
    settings = {**TREE_SETTINGS, "max_iter": tree_count(len(target))}
    model = HistGradientBoostingRegressor(loss="absolute_error", early_stopping=False, random_state=seed,
                                          **settings)
    trees = BinnedTrees(edges, model)
    with _threads().limit(limits=1):
        model.fit(trees.bins(X), target, sample_weight=weight)
    return trees


def predict_trees(trees: BinnedTrees, X: np.ndarray) -> np.ndarray:
    """The trees' predictions, on one thread (OpenMP threads on a busy shared machine cost more than they save)."""
    with _threads().limit(limits=1):
        return trees.model.predict(trees.bins(X))  # type: ignore[attr-defined]


@dataclass
class GlobalPanel:
    """The global model over one pool of series, trained at any origin from the rows known then.

    Build it with :meth:`from_series`; :meth:`model_at` trains (once per origin year,
    cached) on the rows whose outcome year is ``≤ as_of``.
    """

    table: WindowTable
    series: list = field(default_factory=list, repr=False)
    window: int = 8
    max_h: int = 8
    half_life: float = HALF_LIFE
    min_train: int = MIN_TRAIN
    _models: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_series(cls, series_list: list[SeriesData], window: int = 8, min_points: int = 3, max_h: int = 8,
                    half_life: float = HALF_LIFE, min_train: int = MIN_TRAIN) -> GlobalPanel:
        """The panel of ``series_list``'s windows (shares only; counts are left out)."""
        return cls(window_table(series_list, window, min_points, max_h), list(series_list), window, max_h, half_life,
                   min_train)

    def training_rows(self, as_of: int) -> np.ndarray:
        """Indices of the rows the model at ``as_of`` learns from (outcome known by then, recent, moved)."""
        t = self.table
        return np.flatnonzero((t.target_year <= as_of) & (t.target_year > as_of - MAX_AGE)
                              & np.isfinite(t.target) & t.moved)

    def model_at(self, as_of: int):
        """The trees trained on the rows known at ``as_of`` (None with fewer than ``min_train``)."""
        as_of = int(as_of)
        if as_of not in self._models:
            rows = self.training_rows(as_of)
            model = None
            if len(rows) >= self.min_train:
                t = self.table
                p = t.X[rows, 0]
                weight = (t.X[rows, -1] * np.maximum(p * (1 - p), 0.01)
                          * record_weights(as_of - t.target_year[rows], self.half_life))
                model = fit_trees(t.X[rows], t.target[rows], weight)
            self._models[as_of] = model
        return self._models[as_of]

    def origin_points(self, as_of: int) -> dict[int, np.ndarray]:
        """Point forecasts (shares, horizons ``1 … max_h``) of every series' window ending at ``as_of``.

        Keys are the series' positions in the pool; empty when the model cannot be trained.
        """
        model = self.model_at(as_of)
        t = self.table
        rows = np.flatnonzero(t.origin_year == int(as_of))
        if model is None or not len(rows):
            return {}
        z = t.X[rows, 1] + t.X[rows, -1] * predict_trees(model, t.X[rows])
        out: dict[int, np.ndarray] = {}
        for k in np.unique(t.series[rows]):
            sel = t.series[rows] == k
            path = np.full(self.max_h, np.nan)
            path[t.X[rows[sel], -1].astype(int) - 1] = _inv_logit(z[sel])
            out[int(k)] = path
        return out

    def forecast(self, data: SeriesData, years: np.ndarray, as_of: int | None = None) -> np.ndarray | None:
        """Point forecast of a share series' last window for ``years`` (None when untrained).

        Horizons past ``max_h`` carry on the yearly logit change learned for ``max_h``.
        """
        as_of = int(data.years[-1]) if as_of is None else int(as_of)
        model = self.model_at(as_of)
        if model is None or data.kind != "share":
            return None
        keep = data.years <= as_of
        yrs, vals = data.years[keep][-self.window:], data.values[keep][-self.window:]
        f = window_features(yrs, vals)
        h = np.asarray(years, dtype=float) - yrs[-1]
        X = np.column_stack([np.tile(f, (len(h), 1)), np.minimum(h, self.max_h)])
        return _inv_logit(f[1] + h * predict_trees(model, X))


def past_records(panel: GlobalPanel, as_of: int):
    """The global model's own past forecasts with outcomes ``≤ as_of``, scored (for its intervals).

    Returns
    -------
    points, outcomes, scales, horizons, levels, ages : ndarrays
        As :func:`forecast.models.calibration.learn_calibration` takes them (one component).
    """
    t = panel.table
    P, Y, S, H, L, A = [], [], [], [], [], []
    for origin in np.unique(t.origin_year[(t.origin_year < as_of) & (t.origin_year >= as_of - MAX_AGE)]):
        for k, path in panel.origin_points(int(origin)).items():
            data = panel.series[k]
            keep = data.years <= origin
            yrs, vals = data.years[keep][-panel.window:], data.values[keep][-panel.window:]
            if float(np.ptp(vals)) <= 1e-12:
                continue
            outcome = dict(zip(data.years.tolist(), data.values.tolist(), strict=True))
            for h in range(1, panel.max_h + 1):
                year = int(origin) + h
                if year <= as_of and year in outcome and np.isfinite(path[h - 1]):
                    P.append(path[h - 1])
                    Y.append(outcome[year])
                    S.append(series_scale(vals, yrs, "share"))
                    H.append(h)
                    L.append(vals[-1])
                    A.append(as_of - year)
    return (np.array(P, dtype=float).reshape(-1, 1), np.array(Y, dtype=float), np.array(S, dtype=float),
            np.array(H, dtype=int), np.array(L, dtype=float), np.array(A, dtype=int))


class GlobalBoost(TrendModel):
    """The global model as a forecaster of one series, trained on it and its peers.

    Parameters
    ----------
    peers : list of DataFrame or SeriesData, optional
        Other share series (units, regions) whose windows join the focal series'
        own; only years up to the focal series' last year are learned from.
    panel : GlobalPanel, optional
        A prepared panel over a pool (the annual run shares one per unit); used
        instead of ``peers``.
    window, max_h : int
        Most points per window and longest horizon learned.
    """

    name = "global_boost"

    def __init__(self, peers: list | None = None, panel: GlobalPanel | None = None, window: int = 8,
                 max_h: int = 8):
        self.peers = peers
        self.panel = panel
        self.window = window
        self.max_h = max_h

    def _fit(self, data: SeriesData) -> None:
        if data.kind != "share":
            raise SeriesError("the global model forecasts shares only")
        as_of = int(data.years[-1])
        pool = [data] + [check_series(p, "share") if isinstance(p, pd.DataFrame) else p for p in self.peers or []]
        panel = self.panel or GlobalPanel.from_series(pool, self.window, max_h=self.max_h)
        if panel.model_at(as_of) is None:
            raise SeriesError(f"the global model needs at least {panel.min_train} past windows with an outcome "
                              f"(series × horizons) by {as_of}; give it peer series")
        self.panel_ = panel
        P, Y, S, H, L, A = past_records(panel, as_of)
        self.calibration_ = learn_calibration(P, Y, S, H, levels=L, ages=A, source="the global model's past forecasts")
        self.scale_ = series_scale(data.values, data.years, "share", data.breaks)
        n_rows = len(panel.training_rows(as_of))
        self.notes_.append(f"Global model: gradient-boosted trees trained on {n_rows} past windows × horizons "
                           f"of {len(panel.series)} series, outcomes up to {as_of}.")
        if not self.calibration_.usable:
            self.notes_.append("Global model: too few of its own past forecasts to calibrate intervals, so they "
                               "spread as a random walk of the series' yearly changes.")

    def _point(self, years):
        return self.panel_.forecast(self.data_, years)

    def _draws(self, years, n_draws, rng):
        point = self._point(years)
        h = years - self.data_.years[-1]
        if self.calibration_.usable:
            u = copula_uniforms(rng, n_draws, len(years))
            return combine(point[:, None], self.scale_, h, self.calibration_, u, "share",
                           level=float(self.data_.values[-1]))
        draws = point[None, :] + self.scale_ * np.sqrt(h)[None, :] * rng.standard_normal((n_draws, len(years)))
        return draws, point
