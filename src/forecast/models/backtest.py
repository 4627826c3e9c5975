"""Rolling-origin evaluation of the trend models on ``entity,year,value[,flag]`` panels.

For every entity and every origin year ``T`` each method is fitted on at most
``window`` points up to ``T`` (and at least ``min_points``) and forecasts
``T+1 … T+horizons``; the forecasts are scored against the published values.
Origins whose value is already ≥ 99.5 % are skipped (nothing left to forecast).
A ``b`` in ``flag`` marks a series break (first year of a new definition), which
the models handle as a level shift.

Scores (values in percentage points, see ``docs/methods.md``):

* ``mae`` by horizon and ``mae_3_8``, the mean of the horizon MAEs from 3 to 8
  (or every available horizon ≥ 3);
* ``coverage80`` / ``coverage95``: share of outcomes inside the central 80 % / 95 %
  intervals;
* ``crps``: the continuous ranked probability score of the simulated
  distribution, and ``pinball``: the mean quantile loss over 5 %, 10 %, … 95 %;
* ``brier``: the Brier score of the events "value at ``T+h`` ≥ value at ``T`` + δ"
  for δ ∈ {1, 3, 5, 10} points, with the probabilities read off each forecast
  distribution (also by δ).

The workbench's default learns its weights and error distribution at origin
``T`` only from forecasts of earlier origins whose outcome year is ≤ ``T``, over
all entities of the panel (no look-ahead).
"""

from __future__ import annotations

import pickle
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from forecast import atomic, config
from forecast.models import DEFAULT, get_model
from forecast.models.base import SeriesData, SeriesError
from forecast.models.baselines import LastValue
from forecast.models.calibration import MAX_AGE, combine, copula_uniforms, learn_calibration, series_scale
from forecast.models.default import (
    COMPONENTS,
    LOCAL_COMPONENTS,
    MIXTURE,
    component_models,
    is_flat,
    with_global,
)
from forecast.models.global_model import GlobalPanel
from forecast.models.hindsight import ceiling
from forecast.results import Forecast

#: Peers scored in every run, in report order (AutoETS joins when statsforecast is installed): the
#: single-series methods the default is measured against. CAGR is the official reference.
PEERS = ("last_value", "straight_line", "cagr", "logit_linear", "damped_logit", "ets_damped_logit", "theta")
#: Components of the default scored on their own too, that are not peers (the global model
#: learns from the whole panel, so it is part of the default rather than a rival to it).
OWN_COMPONENTS = tuple(c for c in COMPONENTS if c not in PEERS)
#: Name of the global model (a component of the default).
GLOBAL = "global_boost"
#: Said in the output when AutoETS is scored.
AUTO_ETS_NOTE = ("AutoETS (statsforecast) is fitted on the percent values; on windows too short for it "
                 "(statsforecast's 'tiny datasets') or that it cannot fit (flat windows, non-finite output) it falls back to the last value with random-walk intervals.")
#: Events scored by the Brier score: value at T+h ≥ value at T + δ points.
DELTAS = (1, 3, 5, 10)
#: Quantile levels of the pinball loss.
PINBALL_LEVELS = np.round(np.arange(0.05, 0.951, 0.05), 2)
#: Series at or above this percent at the origin are skipped.
CEILING_SKIP = 99.5


class PanelError(ValueError):
    """A panel file is malformed; the message lists every problem with its row."""


def read_panel(path) -> pd.DataFrame:
    """Read and check a panel ``entity,year,value[,flag]`` (value in percent).

    Returns
    -------
    DataFrame
        Columns ``entity`` (str), ``year`` (int), ``value`` (float, percent),
        ``brk`` (bool: the flag holds ``b``), sorted by entity and year; rows
        without a value are dropped.

    Raises
    ------
    PanelError
        Listing every problem as ``PATH:ROW:COLUMN: message`` (rows counted
        as in the file, header = row 1).
    """
    path = Path(path)
    if not path.is_file():
        raise PanelError(f"{path}: no such file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PanelError(f"{path}: not a readable CSV file ({exc})") from exc
    missing = [c for c in ("entity", "year", "value") if c not in raw.columns]
    if missing:
        raise PanelError(f"{path}:1: missing column(s) {', '.join(missing)}; found {list(raw.columns)}")
    problems = []
    year = pd.to_numeric(raw["year"].str.strip(), errors="coerce")
    value_txt = raw["value"].str.strip()
    value = pd.to_numeric(value_txt, errors="coerce")
    for i in np.flatnonzero(year.isna() | (year != year.round())):
        problems.append(f"{path}:{i + 2}:year: not a whole year: {raw['year'].iloc[i]!r}")
    for i in np.flatnonzero(value.isna() & (value_txt != "")):
        problems.append(f"{path}:{i + 2}:value: not a number: {raw['value'].iloc[i]!r}")
    for i in np.flatnonzero((value < 0) | (value > 100)):
        problems.append(f"{path}:{i + 2}:value: {value.iloc[i]} is outside 0–100 (values are percentages)")
    for i in np.flatnonzero(raw["entity"].str.strip() == ""):
        problems.append(f"{path}:{i + 2}:entity: empty")
    dup = raw.assign(year=year).duplicated(["entity", "year"], keep="first") & year.notna()
    for i in np.flatnonzero(dup):
        problems.append(f"{path}:{i + 2}:year: duplicate year {int(year.iloc[i])} for entity {raw['entity'].iloc[i]!r}")
    if problems:
        problems.sort(key=lambda m: int(m[len(str(path)) + 1:].split(":", 1)[0]))
        raise PanelError("\n".join(problems[:50]) + (f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""))
    flag = raw["flag"] if "flag" in raw.columns else pd.Series("", index=raw.index)
    out = pd.DataFrame({"entity": raw["entity"].str.strip(), "year": year, "value": value,
                        "brk": flag.str.contains("b", na=False)})
    out = out[out["value"].notna()].astype({"year": int})
    return out.sort_values(["entity", "year"]).reset_index(drop=True)


# -- optional peer ------------------------------------------------------------------
class AutoETSPeer:
    """statsforecast's AutoETS on the percent series (an optional benchmarking peer).

    Its normal prediction intervals become draws (sd from the 95 % interval),
    clipped to [0, 1]. Import is lazy: :func:`auto_ets_available` says whether
    statsforecast is installed.
    """

    name = "auto_ets"

    def fit(self, series: SeriesData):
        self.data_ = series
        return self

    def predict(self, years, levels=(80, 95), n_draws=1000, seed=0):
        from statsforecast.models import AutoETS


        h = np.asarray(years) - self.data_.years[-1]
        H = int(h.max())
        try:
            res = AutoETS(season_length=1).forecast(y=self.data_.values * 100, h=H, level=[95])
            if not all(np.isfinite(np.asarray(res[k])).all() for k in ("mean", "lo-95", "hi-95")):
                raise FloatingPointError("AutoETS returned non-finite forecasts")
        except Exception:  # noqa: BLE001 - any failure of the optional library on a degenerate window
            # statsforecast refuses "tiny datasets" (about 4 points or fewer) and fails on some flat
            # windows: there ETS reduces to its simplest member, the last value with random-walk
            # intervals (ETS(A,N,N), alpha = 1)

            fc = LastValue().fit(self.data_).predict(years, n_draws=n_draws, seed=seed)
            fc.method = self.name
            return fc
        mean = np.asarray(res["mean"])[h - 1]
        sd = np.maximum((np.asarray(res["hi-95"]) - np.asarray(res["lo-95"]))[h - 1] / (2 * 1.959964), 1e-6)
        rng = np.random.default_rng(seed)
        draws = np.clip(mean + sd * rng.standard_normal((n_draws, len(h))), 0, 100) / 100
        return Forecast(years=years, draws=draws, method=self.name, point=np.clip(mean, 0, 100) / 100)


def auto_ets_available() -> bool:
    """Whether statsforecast (the ``bench`` extra) can be imported."""
    try:
        import statsforecast.models  # noqa: F401
    except ImportError:
        return False
    return True


# -- scoring ------------------------------------------------------------------------
def score(draws: np.ndarray, point: np.ndarray, outcome: np.ndarray, origin_value: float) -> np.ndarray:
    """Scores of one forecast at each horizon with an outcome (all in percent).

    Returns
    -------
    ndarray (n_years, 5 + len(DELTAS))
        Columns: absolute error, inside 80 %, inside 95 %, CRPS, mean pinball
        loss, then the squared error of the event probability for each δ.
        Rows of years without an outcome are NaN.
    """
    n = draws.shape[0]
    x = np.sort(draws, axis=0)
    y = outcome
    out = np.full((len(y), 5 + len(DELTAS)), np.nan)
    ok = np.isfinite(y)
    if not ok.any():
        return out
    x, y, p = x[:, ok], y[ok], point[ok]
    q = np.quantile(x, [0.025, 0.1, 0.9, 0.975], axis=0)
    ranks = (2 * np.arange(1, n + 1) - n - 1)[:, None]
    crps = np.mean(np.abs(x - y), axis=0) - np.sum(ranks * x, axis=0) / n ** 2
    qs = np.quantile(x, PINBALL_LEVELS, axis=0)
    u = y[None, :] - qs
    pinball = np.mean(np.maximum(PINBALL_LEVELS[:, None] * u, (PINBALL_LEVELS[:, None] - 1) * u), axis=0)
    cols = [np.abs(p - y), (q[1] <= y) & (y <= q[2]), (q[0] <= y) & (y <= q[3]), crps, pinball]
    for d in DELTAS:
        thr = origin_value + d
        prob = np.mean(x >= thr, axis=0)
        cols.append((prob - (y >= thr)) ** 2)
    out[ok] = np.column_stack(cols)
    return out


# -- the run -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Options of a backtest run (see :func:`run_backtest`)."""

    window: int = 8
    horizons: int = 8
    min_points: int = 3
    n_draws: int = 1000
    seed: int = 0
    auto_ets: bool = True


def _origins(years: np.ndarray, values: np.ndarray, s: Settings):
    """(origin index, window start, future mask) for each usable origin of one series."""
    for i in range(s.min_points - 1, len(years) - 1):
        if values[i] >= CEILING_SKIP:
            continue
        lo = max(0, i + 1 - s.window)
        if i + 1 - lo < s.min_points:
            continue
        future = (years > years[i]) & (years - years[i] <= s.horizons)
        if future.any():
            yield i, lo, future


def _entity_work(args):
    """Score the peers on every origin of a few entities (runs in a worker process)."""
    chunk, s, peers = args
    # one thread per process: the machine is shared and the run already uses one process per core
    with threadpool_limits(1):
        return _entity_work_1(chunk, s, peers)


def _entity_work_1(chunk, s: Settings, peers: tuple):
    rows, comps = [], []
    for entity, years, values, brk in chunk:
        for i, lo, future in _origins(years, values, s):
            T = int(years[i])
            data = SeriesData(years[lo:i + 1], values[lo:i + 1] / 100, None, brk[lo:i + 1], "share")
            fut_h = np.arange(1, s.horizons + 1)
            outcome = np.full(s.horizons, np.nan)
            outcome[years[future] - T - 1] = values[future]
            f_years = T + fut_h
            seed = (s.seed * 1_000_003 + zlib.crc32(str(entity).encode()) + T) % 2**32
            points, mix = {}, []
            for name in peers:
                model = AutoETSPeer() if name == "auto_ets" else get_model(name)
                try:
                    fc = model.fit(data).predict(f_years, n_draws=s.n_draws, seed=seed)
                except (SeriesError, np.linalg.LinAlgError, ValueError, FloatingPointError):
                    continue
                d, p = fc.draws * 100, fc.median.to_numpy() * 100
                rows.append((name, entity, T, score(d, p, outcome, values[i])))
                if name in LOCAL_COMPONENTS:
                    points[name] = p
                    if name in MIXTURE:
                        mix.append(d[: s.n_draws // len(MIXTURE)])
            # components of the default that are not peers: only their point forecasts are needed
            for name, model in component_models().items():
                if name not in peers:
                    try:
                        points[name] = model.fit(data).point(f_years) * 100
                    except (SeriesError, np.linalg.LinAlgError, ValueError, FloatingPointError):
                        continue
            if len(points) == len(LOCAL_COMPONENTS):
                P = np.column_stack([points[c] for c in LOCAL_COMPONENTS])
                mixd = np.vstack(mix)
                rows.append(("_mixture", entity, T, score(mixd, np.median(mixd, axis=0), outcome, values[i])))
                comps.append((entity, T, values[i], P, data, outcome))
    return rows, comps


def _chunks(panel: pd.DataFrame, n: int):
    items = []
    for entity, g in panel.groupby("entity", sort=True):
        items.append((entity, g["year"].to_numpy(), g["value"].to_numpy(dtype=float), g["brk"].to_numpy()))
    return [items[k::n] for k in range(n)]


def global_points(panel: pd.DataFrame, comps: list, s: Settings, jobs: int = 1) -> list:
    """The components' points of every scored origin with the global model's column added.

    The global model used at origin ``T`` is trained on the whole panel's windows
    whose outcome year is ``≤ T`` (:class:`~forecast.models.global_model.GlobalPanel`),
    one training per origin year; origins where it has too little to learn from get
    the damped logit's forecast in its column (:func:`~forecast.models.default.with_global`).
    """
    entities = sorted(panel["entity"].unique())
    index = {e: k for k, e in enumerate(entities)}
    series = [SeriesData(g["year"].to_numpy(), g["value"].to_numpy(dtype=float) / 100, None, g["brk"].to_numpy(),
                         "share") for _, g in panel.groupby("entity", sort=True)]
    gp = GlobalPanel.from_series(series, s.window, s.min_points, s.horizons)
    years = sorted({int(c[1]) for c in comps})
    work = [(gp, years[k::jobs]) for k in range(max(jobs, 1))]
    if jobs > 1 and len(years) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = list(pool.map(_global_work, work))
    else:
        parts = [_global_work(w) for w in work]
    paths = {key: v for part in parts for key, v in part.items()}
    out = []
    for entity, T, v0, P, data, outcome in comps:
        path = paths.get((int(T), index[entity]))
        out.append((entity, T, v0, with_global(P / 100, path) * 100, data, outcome))
    return out


def _global_work(args) -> dict:
    """Global-model points at a few origin years (runs in a worker process)."""
    gp, years = args
    return {(T, k): path for T in years for k, path in gp.origin_points(T).items()}


def _default_rows(comps, mixture_rows, s: Settings, variant: dict | None = None, name: str = DEFAULT):
    """Score a combination at each origin with a calibration learned from earlier outcomes only.

    ``variant``: ``half_life`` and ``era`` go to :func:`learn_calibration`;
    ``components`` keeps only the named components (one component alone is that
    component with its own calibrated past errors, how the global model is scored).
    Where no horizon has enough past forecasts, the equal mixture of the :data:`MIXTURE`
    components stands in. Returns the scored rows, the records behind each origin's
    calibration and the pooled weights by horizon at each origin (with its number of forecasts).
    """
    if not comps:
        return [], {}, []
    variant = dict(variant or {})
    keep = [COMPONENTS.index(c) for c in variant.pop("components", COMPONENTS)]
    H = s.horizons
    origins = np.array([c[1] for c in comps])
    P = np.stack([c[3] for c in comps])[:, :, keep]          # (n, H, k)
    Y = np.stack([c[5] for c in comps])          # (n, H)
    V0 = np.array([c[2] for c in comps])
    S = np.array([series_scale(c[4].values, c[4].years, "share", c[4].breaks) for c in comps])
    # windows that never moved say nothing about how the trends err: not learned from (still forecast)
    moved = ~np.array([is_flat(c[4].values) for c in comps])
    h = np.arange(1, H + 1)
    target_year = origins[:, None] + h[None, :]
    mix = {(e, T): sc for (_, e, T, sc) in mixture_rows}
    rows, used, weights = [], {}, []
    rng = np.random.default_rng(s.seed)
    for T in np.unique(origins):
        known = (target_year <= T) & np.isfinite(Y) & (target_year > T - MAX_AGE) & moved[:, None]
        idx_r, idx_h = np.nonzero(known)
        cal = learn_calibration(P[idx_r, idx_h] / 100, Y[idx_r, idx_h] / 100, S[idx_r], h[idx_h],
                                levels=V0[idx_r] / 100, ages=T - target_year[idx_r, idx_h],
                                source=f"panel origins before {T}", **variant)
        used[int(T)] = cal.n_records
        at_T = np.flatnonzero(origins == T)
        if cal.usable:
            weights.append((len(at_T), {hh: cal.for_horizon(int(hh))[0] for hh in h}))
        for j in at_T:
            entity, _, v0, _, _, outcome = comps[j]
            scale = S[j]
            if cal.usable:
                u = copula_uniforms(rng, s.n_draws, H)
                d, p = combine(P[j] / 100, scale, h, cal, u, kind="share", level=v0 / 100)
                d, p = d * 100, p * 100
                rows.append((name, entity, int(T), score(d, p, outcome, v0)))
            else:
                rows.append((name, entity, int(T), mix[(entity, T)]))
    return rows, used, weights


def _component_forecasts(panel: pd.DataFrame, s: Settings, scored: tuple, jobs: int):
    """The scored rows of the peers and the components' points at every origin (the costly part)."""
    chunks = [c for c in _chunks(panel, max(jobs, 1)) if c]
    work = [(c, s, scored) for c in chunks]
    if jobs > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_entity_work, work))
    else:
        results = [_entity_work(w) for w in work]
    rows = [r for res in results for r in res[0]]
    comps = sorted((c for res in results for c in res[1]), key=lambda c: (c[1], c[0]))
    return rows, global_points(panel, comps, s, jobs)


def _read_cache(cache: Path | None, key) -> tuple | None:
    """The rows and component points pickled at ``cache`` when written for ``key``, else None."""
    if cache is None or not Path(cache).is_file():
        return None
    stored_key, rows, comps = pickle.loads(Path(cache).read_bytes())
    return (rows, comps) if stored_key == key else None


def _combination_work(args):
    """:func:`_default_rows` on one thread (runs in a worker process)."""
    comps, mixture, s, variant, name = args
    with threadpool_limits(1):
        return _default_rows(comps, mixture, s, variant, name)


def mean_weights(weights: list, components=COMPONENTS) -> dict:
    """The pooled weights by horizon averaged over origins (each counted by its forecasts)."""
    if not weights:
        return {}
    total = sum(n for n, _ in weights)
    hs = sorted({h for _, w in weights for h in w})
    return {str(int(h)): {c: float(sum(n * w[h][k] for n, w in weights if h in w) / total)
                          for k, c in enumerate(components)} for h in hs}


def summarise(rows, horizons: int) -> dict:
    """Per-method figures from the scored rows (see the module docstring)."""
    by: dict[str, list] = {}
    for name, _, _, sc in rows:
        by.setdefault(name, []).append(sc)
    out = {}
    for name, scs in by.items():
        arr = np.stack(scs)                       # (n_forecasts, H, cols)
        mae = {str(k + 1): float(np.nanmean(arr[:, k, 0])) for k in range(horizons)
               if np.isfinite(arr[:, k, 0]).any()}
        long = [mae[str(k)] for k in range(3, min(horizons, 8) + 1) if str(k) in mae]
        if not long:
            long = [v for k, v in mae.items() if int(k) >= 3]
        flat = arr.reshape(-1, arr.shape[2])
        flat = flat[np.isfinite(flat[:, 0])]
        out[name] = {
            "mae": mae,
            "mae_3_8": float(np.mean(long)) if long else None,
            "coverage80": float(flat[:, 1].mean()),
            "coverage95": float(flat[:, 2].mean()),
            "crps": float(flat[:, 3].mean()),
            "pinball": float(flat[:, 4].mean()),
            "brier": float(flat[:, 5:].mean()),
            "brier_by_delta": {str(d): float(flat[:, 5 + k].mean()) for k, d in enumerate(DELTAS)},
            "n_forecasts": int(arr.shape[0]),
            "n_scored": int(flat.shape[0]),
        }
    return out


def run_backtest(panel: pd.DataFrame, window: int = 8, horizons: int = 8, min_points: int = 3,
                 n_draws: int = 1000, seed: int = 0, auto_ets: bool = True, jobs: int = 1,
                 variants: dict | None = None, cache: Path | None = None) -> dict:
    """Rolling-origin backtest of the peers and the default on one panel.

    Parameters
    ----------
    panel : DataFrame
        As returned by :func:`read_panel` (value in percent, ``brk`` flags).
    window : int
        Most points each fit uses.
    horizons : int
        Years ahead forecast from each origin.
    min_points : int
        Fewest points a fit uses (origins with fewer are not scored).
    n_draws, seed : int
        Simulated paths per forecast and the seed.
    auto_ets : bool
        Score statsforecast's AutoETS too when it is installed.
    jobs : int
        Worker processes.
    variants : dict, optional
        Name → settings of the default to score as well, on the same component
        forecasts and seed (a sensitivity check): ``half_life`` (float),
        ``era`` (bool), ``components`` (names kept).
    cache : Path, optional
        A pickle of the scored peers and the component forecasts: read when it was
        written with the same panel and settings, else written, so that another run
        with other combinations of the default costs seconds, not minutes.

    Returns
    -------
    dict
        ``methods`` (figures per method), ``default`` (the default's name),
        ``n_forecasts`` (origins scored), settings and notes; with ``variants``
        also ``variants`` (name → the default's figures under it).
    """
    for name, v, lo in (("window", window, 2), ("horizons", horizons, 1), ("min_points", min_points, 2),
                        ("n_draws", n_draws, 10), ("jobs", jobs, 1)):
        if int(v) < lo:
            raise ValueError(f"{name} must be at least {lo}, got {v}")
    if min_points > window:
        raise ValueError(f"min_points ({min_points}) cannot exceed window ({window})")
    s = Settings(int(window), int(horizons), int(min_points), int(n_draws), int(seed), bool(auto_ets))
    notes = []
    peers = list(PEERS)
    if auto_ets and auto_ets_available():
        peers.append("auto_ets")
        notes.append(AUTO_ETS_NOTE)
    elif auto_ets:
        notes.append("AutoETS skipped: statsforecast is not installed (pip install 'forecast[bench]').")
    scored = tuple(peers) + tuple(c for c in OWN_COMPONENTS if c != GLOBAL)
    # keyed on the models' code too: a changed component never reuses stale forecasts
    key = (s, scored, pd.util.hash_pandas_object(panel, index=False).to_numpy().tobytes(),
           config.sources_digest("models"))
    cached = _read_cache(cache, key)
    if cached is not None:
        rows, comps = cached
    else:
        rows, comps = _component_forecasts(panel, s, scored, jobs)
        if cache is not None:
            atomic.write_bytes(Path(cache), pickle.dumps((key, rows, comps)))
    mixture = [r for r in rows if r[0] == "_mixture"]
    rows = [r for r in rows if r[0] != "_mixture"]
    # the default, the global model alone and each variant are combinations of the same cached
    # component forecasts: each learns its own weights per origin, one process per core
    clash = {DEFAULT, GLOBAL} & set(variants or {})
    if clash:
        raise ValueError(f"a variant cannot be named {', '.join(sorted(clash))}")
    tasks = [(DEFAULT, None, DEFAULT), (GLOBAL, {"components": (GLOBAL,)}, GLOBAL)]
    tasks += [(name, v, DEFAULT) for name, v in (variants or {}).items()]
    combo_work = [(comps, mixture, s, v, name) for _, v, name in tasks]
    if jobs > 1 and len(combo_work) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            combos = dict(zip([t[0] for t in tasks], pool.map(_combination_work, combo_work), strict=True))
    else:
        combos = {t[0]: _combination_work(w) for t, w in zip(tasks, combo_work, strict=True)}
    default_rows, used, weights = combos[DEFAULT]
    figures = summarise(rows + combos[GLOBAL][0] + default_rows, s.horizons)
    variant_figures = {name: summarise(combos[name][0], s.horizons).get(DEFAULT) for name in (variants or {})}
    order = peers + list(OWN_COMPONENTS) + [DEFAULT]
    methods = {m: figures[m] for m in order if m in figures}
    notes.append("global_boost is scored with its own calibrated past errors; where no horizon had enough of them "
                 "it is, like the default, the equal-weight mixture of the default's components. Before the "
                 "global model has enough past windows to learn from, its forecast is the damped logit's.")
    fallback = sum(1 for v in used.values() if not v)
    if fallback:
        notes.append(f"At {fallback} origin year(s) no horizon had enough scored past forecasts; the default was "
                     "the equal-weight mixture of its components there.")
    return {
        "default": DEFAULT,
        "n_forecasts": int(methods[DEFAULT]["n_forecasts"]) if DEFAULT in methods else 0,
        "n_entities": int(panel["entity"].nunique()),
        "settings": {"window": s.window, "horizons": s.horizons, "min_points": s.min_points,
                     "n_draws": s.n_draws, "seed": s.seed, "skip_at_or_above": CEILING_SKIP,
                     "brier_deltas": list(DELTAS)},
        "methods": methods,
        "peers": [m for m in peers if m in methods],
        "components": list(COMPONENTS),
        "weights": mean_weights(weights),
        "notes": notes,
        "hindsight": hindsight_ceiling(comps),
        **({"variants": variant_figures} if variants else {}),
    }


def hindsight_ceiling(comps: list) -> dict | None:
    """The best any convex weighting of the components could have scored, outcomes known.

    See :mod:`forecast.models.hindsight`.

    On the default's own scoring set (every origin where all components forecast), in
    percentage points; None when nothing was scored.
    """
    if not comps:
        return None
    points = np.stack([c[3] for c in comps])
    outcomes = np.stack([c[5] for c in comps])
    levels = np.array([c[2] for c in comps], dtype=float) / 100
    return ceiling(points, outcomes, levels, COMPONENTS)


def write_json(result: dict, path) -> None:
    """Write ``result`` as JSON atomically (temporary file, then rename)."""
    atomic.write_json(path, result)
