"""The best a combination of the components could have done, knowing the outcomes (a ceiling).

The default learns its weights at each origin from earlier outcomes only. How much
better could *any* weighting of the same component forecasts have been? The
hindsight weights answer it: for each horizon (and optionally each level band,
:data:`~forecast.models.calibration.LEVEL_BANDS`), the convex weights that minimise
the mean absolute error over every scored forecast of the panel, outcomes known.
No forecaster can use them (they look ahead by construction); they bound what
re-weighting the components can give, so a missed accuracy bar can be told apart
as a weighting problem (the ceiling is below the bar) or a components problem (it
is not).

The least-absolute-deviation fit on the simplex is a linear programme
(``min Σ |P w − y|`` over ``w ≥ 0``, ``Σ w = 1``). It is solved in its dual form,
``max y·d + μ`` subject to ``Pᵀ d + μ ≤ 0`` and ``−1 ≤ d ≤ 1``, whose ``k``
constraints' multipliers are the weights: ``k`` rows instead of ``n``, about
twenty times faster with SciPy's HiGHS on a panel of 5,000 forecasts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog

from forecast.models.calibration import level_band

#: Horizons averaged in ``mae_3_8`` (as :func:`forecast.models.backtest.summarise`).
LONG_HORIZONS = range(3, 9)


def simplex_lad(points: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Convex weights minimising the mean absolute error of ``points @ w`` against ``outcomes``.

    Parameters
    ----------
    points : ndarray (n, k)
        Each component's forecast of each outcome.
    outcomes : ndarray (n,)

    Returns
    -------
    ndarray (k,)
        Non-negative weights summing to 1.

    Raises
    ------
    ValueError
        With no rows, mismatched shapes, or values that are not finite.
    """
    P = np.asarray(points, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    if P.ndim != 2 or y.shape != (P.shape[0],) or not len(y):
        raise ValueError(f"points must be (n, k) and outcomes (n,) with n > 0; got {P.shape} and {y.shape}")
    if not (np.isfinite(P).all() and np.isfinite(y).all()):
        raise ValueError("points and outcomes must be finite")
    n, k = P.shape
    # the dual: n + 1 variables (d, μ), k constraints whose multipliers are −w
    res = linprog(-np.r_[y, 1.0], A_ub=np.hstack([P.T, np.ones((k, 1))]), b_ub=np.zeros(k),
                  bounds=[(-1.0, 1.0)] * n + [(None, None)], method="highs")
    if res.status != 0:  # pragma: no cover - the programme is always feasible and bounded
        raise RuntimeError(f"hindsight weights: {res.message}")
    w = np.clip(-res.ineqlin.marginals, 0.0, None)
    return w / w.sum()


def ceiling(points: np.ndarray, outcomes: np.ndarray, levels: np.ndarray | None = None,
            components: Sequence[str] = (), horizons: Sequence[int] = LONG_HORIZONS) -> dict:
    """The hindsight ceiling of a combination over scored forecasts.

    Parameters
    ----------
    points : ndarray (n, H, k)
        Component point forecasts of ``n`` origins at horizons ``1 … H``.
    outcomes : ndarray (n, H)
        Published values (NaN where not observed).
    levels : ndarray (n,), optional
        Shares at the origins (in [0, 1]); when given, weights are also chosen per
        level band, as the default does.
    components : sequence of str
        Names of the ``k`` components (for the weights reported).
    horizons : sequence of int
        The horizons averaged (default 3 … 8, as ``mae_3_8``).

    Returns
    -------
    dict
        ``mae_3_8`` (weights per horizon), ``mae_3_8_by_band`` (per horizon and level
        band; None without ``levels``), ``mae`` by horizon and ``weights`` by horizon
        (component → weight), in the units of ``points``.
    """
    P = np.asarray(points, dtype=float)
    Y = np.asarray(outcomes, dtype=float)
    names = list(components) or [f"c{j}" for j in range(P.shape[2])]
    bands = None if levels is None else level_band(np.asarray(levels, dtype=float))
    mae, by_band, weights = {}, [], {}
    for h in horizons:
        if h > P.shape[1]:
            continue
        ok = np.flatnonzero(np.isfinite(Y[:, h - 1]) & np.isfinite(P[:, h - 1]).all(axis=1))
        if not ok.size:
            continue
        Ph, yh = P[ok, h - 1], Y[ok, h - 1]
        w = simplex_lad(Ph, yh)
        mae[str(h)] = float(np.abs(Ph @ w - yh).mean())
        weights[str(h)] = {c: float(v) for c, v in zip(names, w, strict=True)}
        if bands is not None:
            err = np.empty(ok.size)
            for b in np.unique(bands[ok]):
                sel = bands[ok] == b
                err[sel] = np.abs(Ph[sel] @ simplex_lad(Ph[sel], yh[sel]) - yh[sel])
            by_band.append(float(err.mean()))
    return {"mae_3_8": float(np.mean(list(mae.values()))) if mae else None,
            "mae_3_8_by_band": float(np.mean(by_band)) if by_band else None,
            "mae": mae, "weights": weights}
