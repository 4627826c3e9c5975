"""The workbench's default: a combination of trend models learned by rolling-origin backtest.

How it works (``docs/methods.md``, section 3, has the full account):

1. **Components.** The last value, the straight line, the logit-linear GLM, the
   damped logit trend and the local logit (logit-linear on the last 4 points),
   each fitted to the series alone, and the global model
   (:mod:`forecast.models.global_model`: gradient-boosted trees trained on the
   past windows of the series and its peers) (:data:`COMPONENTS`).
2. **Past forecasts.** At every past origin ``T'`` of the series and of its peers
   (other series of the same unit, or the other entities of a backtest panel),
   each component is fitted on at most ``window`` points and scored at
   ``T' + h`` — only outcomes at or before the last observed year (no
   look-ahead), each weighted by its age (:func:`record_weights`, half-life
   :data:`HALF_LIFE` years). Windows that did not move at all are left out
   (:func:`is_flat`).
3. **Weights** per horizon and per level band (:data:`LEVEL_BANDS`: where a
   share stands on its S-curve) are chosen on a grid of the simplex to minimise
   the weighted mean absolute error; weight on the last value acts as learned
   damping. A level band with too few past forecasts borrows its neighbouring
   bands.
   The global model's past forecasts at ``T'`` come from trees trained only on
   outcomes up to ``T'``; before it has :data:`~forecast.models.global_model.MIN_TRAIN`
   rows to learn from (and for counts) its column holds the damped logit's forecast.
4. **Calibrated distribution.** The combination's past errors, divided by each
   series' scale (root mean square of its yearly changes, floored), give a
   weighted empirical distribution per band and horizon, rescaled by era
   (:func:`era_ratios`); the forecast is the combined point plus the series'
   scale times those errors (conformal-style, pooled across series), its median
   the point forecast, made monotone when every component moves one way. A
   Gaussian copula (:data:`PATH_RHO`) ties the years of a path together. A
   horizon with too few past forecasts borrows the longest shorter one,
   widened as the calibrated horizons' errors grow (:attr:`Calibration.growth`).
5. **Fallback.** With too few past forecasts at every horizon: the equal-weight
   mixture of the :data:`MIXTURE` components' own distributions, said in the notes.

The weights and errors themselves are learned in :mod:`forecast.models.calibration`;
:func:`calibrate` is the public way to learn them for a pool of series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.models.base import (
    SeriesData,
    SeriesError,
    TrendModel,
    check_series,
)
from forecast.models.baselines import LastValue, StraightLine
from forecast.models.calibration import (
    HALF_LIFE,
    MAX_AGE,
    Calibration,
    combine,
    copula_uniforms,
    learn_calibration,
    level_band,
    series_scale,
)
from forecast.models.global_model import GlobalPanel
from forecast.models.logit import DampedLogit, LocalLogit, LogitLinear

#: Component models of the default, in weight order.
COMPONENTS = ("last_value", "straight_line", "logit_linear", "damped_logit", "local_logit", "global_boost")
#: The components fitted to one series alone (the global model learns from the pool).
LOCAL_COMPONENTS = COMPONENTS[:-1]
#: Components of the fallback mixture: one per model family (the local logit is the logit-linear trend
#: on fewer points, and on the short windows where the fallback applies it would count that family twice).
MIXTURE = ("last_value", "straight_line", "logit_linear", "damped_logit")


def component_models() -> dict[str, TrendModel]:
    """Fresh, unfitted instances of the components."""
    return {"last_value": LastValue(), "straight_line": StraightLine(),
            "logit_linear": LogitLinear(), "damped_logit": DampedLogit(), "local_logit": LocalLogit()}


def is_flat(values: np.ndarray) -> bool:
    """Whether a fitting window never moved (every value the same, e.g. 0 % year after year).

    Every component forecasts such a window as the same flat line, so its past
    forecasts say nothing about how the trend models err; they are left out of
    the learning (they would fill the error distribution with zeros and make
    every interval too narrow).
    """
    v = np.asarray(values, dtype=float)
    return bool(len(v)) and float(np.ptp(v)) < 1e-12


def rolling_records(series_list: list[SeriesData], as_of: int, max_h: int, window: int = 8,
                    min_points: int = 3, panel: GlobalPanel | None = None):
    """Component forecasts at every past origin of each series, scored where the outcome is known.

    Only origins ``T'`` and outcomes ``T' + h ≤ as_of`` are used (no look-ahead),
    and outcomes less than :data:`MAX_AGE` years old. Windows that never moved
    (:func:`is_flat`) are skipped. The global model's forecast at ``T'`` comes
    from ``panel`` (built over ``series_list`` when omitted), trained on outcomes
    up to ``T'`` only.

    Returns
    -------
    points, outcomes, scales, horizons, levels, ages : ndarrays
        See :func:`~forecast.models.calibration.learn_calibration`; ``points`` has
        one column per :data:`COMPONENTS`; ``ages`` is ``as_of`` minus the outcome year.
    """
    if panel is None:
        panel = GlobalPanel.from_series(series_list, window, min_points, max_h)
    elif [id(s) for s in panel.series] != [id(s) for s in series_list]:
        raise ValueError("the global panel must be built over the same series, in the same order")
    P, Y, S, H, L, A = [], [], [], [], [], []
    for k, data in enumerate(series_list):
        keep = data.years <= as_of
        years, values, breaks = data.years[keep], data.values[keep], data.breaks[keep]
        weights = data.weights[keep] if data.weights is not None else None
        for i in range(min_points - 1, len(years) - 1):
            lo = max(0, i + 1 - window)
            sub = SeriesData(years[lo:i + 1], values[lo:i + 1],
                             None if weights is None else weights[lo:i + 1], breaks[lo:i + 1], data.kind)
            if (data.kind == "share" and sub.values[-1] >= 0.995) or is_flat(sub.values):
                continue
            future = (years > years[i]) & (years - years[i] <= max_h) & (years > as_of - MAX_AGE)
            if not future.any():
                continue
            fut_years = years[future]
            pts = component_points(sub, fut_years)
            if pts is None:
                continue
            path = panel.origin_points(int(years[i])).get(k)
            P.append(with_global(pts, None if path is None else path[fut_years - years[i] - 1]))
            Y.append(values[future])
            S.append(np.full(len(fut_years), series_scale(sub.values, sub.years, sub.kind, sub.breaks)))
            H.append(fut_years - years[i])
            L.append(np.full(len(fut_years), values[i]))
            A.append(as_of - fut_years)
    if not P:
        empty = np.empty(0)
        return np.empty((0, len(COMPONENTS))), empty, empty, np.empty(0, dtype=int), empty, np.empty(0, dtype=int)
    return (np.vstack(P), np.concatenate(Y), np.concatenate(S), np.concatenate(H), np.concatenate(L),
            np.concatenate(A))


def with_global(local: np.ndarray, global_points: np.ndarray | None) -> np.ndarray:
    """Local component points (columns :data:`LOCAL_COMPONENTS`) with the global model's column added.

    Where the global model has no forecast (untrained, counts, a missing year) its
    column holds the damped logit's.
    """
    g = local[:, LOCAL_COMPONENTS.index("damped_logit")].copy()
    if global_points is not None:
        ok = np.isfinite(global_points)
        g[ok] = global_points[ok]
    return np.column_stack([local, g])


def component_points(data: SeriesData, years: np.ndarray) -> np.ndarray | None:
    """Point forecasts of every local component for ``years`` (rows: years; columns: :data:`LOCAL_COMPONENTS`)."""
    out = np.empty((len(years), len(LOCAL_COMPONENTS)))
    for j, (_, model) in enumerate(component_models().items()):
        try:
            model.fit(data)
        except (SeriesError, np.linalg.LinAlgError):
            return None
        out[:, j] = model.point(years)
    return out


def calibrate(pool: list[SeriesData], as_of: int, kind: str = "share", window: int = 8, max_h: int = 8,
              panel: GlobalPanel | None = None, half_life: float = HALF_LIFE, source: str = "") -> Calibration:
    """The default's weights and error distributions learned from a pool's past forecasts.

    The public way to calibrate the default for several series at once (the
    annual run does it once per unit and kind): :func:`rolling_records` then
    :func:`~forecast.models.calibration.learn_calibration`.

    Parameters
    ----------
    pool : list of SeriesData
        Series of one kind; only years up to ``as_of`` are used.
    as_of : int
        Last year whose outcomes are known.
    kind : {"share", "count"}
    window, max_h : int
        Most points per past fit and longest horizon calibrated.
    panel : GlobalPanel, optional
        The global model over ``pool`` (built when omitted); pass the same one to
        :class:`DefaultModel` so that its global component is the one calibrated.
    half_life : float
        Of the weights of past forecasts by age.
    source : str
        Said in the notes; a description of the pool by default.
    """
    P, Y, S, H, L, A = rolling_records(pool, int(as_of), max_h, window, panel=panel)
    return learn_calibration(P, Y, S, H, levels=L, ages=A, kind=kind, half_life=half_life,
                             source=source or f"{len(pool)} series, origins up to {int(as_of)}")


class DefaultModel(TrendModel):
    """The default forecast: components combined by weights learned in a rolling-origin backtest.

    Parameters
    ----------
    calibration : Calibration, optional
        Learned elsewhere (:func:`calibrate`; the backtest learns one per origin from every entity).
    peers : list of DataFrame, optional
        Other series (units or indicators) whose past origins join the series'
        own in the calibration and in the global model's training; only years up to
        the focal series' last year are used.
    panel : GlobalPanel, optional
        The global model over a pool (the one :func:`calibrate` was given); built
        from the series and ``peers`` when omitted.
    window : int
        Most points each past fit uses (as the backtest does).
    max_h : int
        Longest horizon calibrated.
    """

    name = "default"

    def __init__(self, calibration: Calibration | None = None, peers: list | None = None,
                 panel: GlobalPanel | None = None, window: int = 8, max_h: int = 8):
        self.calibration = calibration
        self.peers = peers
        self.panel = panel
        self.window = window
        self.max_h = max_h

    def _fit(self, data: SeriesData) -> None:
        self.models_ = {}
        for name, model in component_models().items():
            try:
                self.models_[name] = model.fit(data)
            except (SeriesError, np.linalg.LinAlgError) as exc:
                self.notes_.append(f"Component {name} left out: {exc}")
        pool = [data] + [check_series(p, data.kind) for p in (self.peers or [])]
        pool = [p for p in pool if p.kind == data.kind]
        panel = self.panel
        if panel is None:
            panel = GlobalPanel.from_series(pool, self.window, max_h=self.max_h)
        cal = self.calibration
        if cal is None:
            cal = calibrate(pool, int(data.years[-1]), data.kind, self.window, self.max_h,
                            panel=panel if self.panel is None else None)
        self.panel_ = panel
        self.calibration_ = cal
        self.scale_ = series_scale(data.values, data.years, data.kind, data.breaks)
        self.global_ok_ = data.kind == "share" and panel.model_at(int(data.years[-1])) is not None
        if not self.global_ok_:
            self.notes_.append("Default: the global model had too few past windows to learn from, so its place "
                               "in the combination is taken by the damped logit trend.")
        for name in ("straight_line", "logit_linear"):
            if name in self.models_:
                self.notes_ += [n for n in self.models_[name].notes_ if n.startswith("Series break")]
                break
        if cal.usable and len(self.models_) == len(LOCAL_COMPONENTS):
            band = int(level_band(data.values[-1], data.kind))
            w, _, _ = cal.for_horizon(5, band)
            desc = ", ".join(f"{n} {x:.1f}" for n, x in zip(COMPONENTS, w, strict=True) if x > 0)
            self.notes_.append(
                f"Default: weighted combination learned by rolling-origin backtest ({cal.source}; "
                f"{cal.n_records} scored past forecasts); weights at 5 years ahead: {desc}. "
                "Intervals calibrated on the scaled errors of those past forecasts.")
        elif cal.usable:
            self.notes_.append("Default: not every component could be fitted to this series, so the forecast is "
                               "the equal-weight mixture of the component models' distributions.")
        else:
            self.notes_.append("Default: too little history to learn weights by backtest, so the forecast is "
                               "the equal-weight mixture of the component models' distributions.")

    def _points(self, years) -> np.ndarray:
        local = np.column_stack([self.models_[n].point(years) for n in LOCAL_COMPONENTS])
        glob = self.panel_.forecast(self.data_, years) if self.global_ok_ else None
        return with_global(local, glob)

    def _draws(self, years, n_draws, rng):
        data = self.data_
        h = years - data.years[-1]
        cal = self.calibration_
        if cal.usable and len(self.models_) == len(LOCAL_COMPONENTS):
            u = copula_uniforms(rng, n_draws, len(years))
            return combine(self._points(years), self.scale_, h, cal, u, data.kind, level=float(data.values[-1]))
        # fallback: an equal mixture of the fitted components' own draws
        names = [n for n in MIXTURE if n in self.models_]
        if not names:
            raise SeriesError("no component model could be fitted to this series")
        which = rng.integers(0, len(names), size=n_draws)
        draws = np.empty((n_draws, len(years)))
        for j, name in enumerate(names):
            sel = which == j
            if sel.any():
                sub = self.models_[name].predict(years, n_draws=int(sel.sum()), seed=int(rng.integers(2**31)))
                draws[sel] = sub.draws
        return draws, np.median(draws, axis=0)


def records_frame(points, outcomes, scales, horizons) -> pd.DataFrame:
    """The scored past forecasts as a frame (for inspection and reports)."""
    out = pd.DataFrame(points, columns=list(COMPONENTS))
    out["outcome"], out["scale"], out["h"] = outcomes, scales, horizons
    return out
