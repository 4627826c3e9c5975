"""The annual run's hindcast: scores for the verdict and the calibration of the engine's spread.

:func:`for_run` starts the engine's baseline and the trend default at past origins
(:func:`forecast.stockflow.hindcast.hindcast`), keeps the per-target scores the verdict
rule reads (:func:`forecast.verdict.verdict.scores_from_hindcast`) and learns the extra
spread for a projection from the latest roster year
(:mod:`forecast.stockflow.calibration`, outcomes observed by then only). The result is
cached in a JSON file named by the hash of the dataset's files, the baseline scenario
file, the settings and :data:`VERSION`: a second run on the same inputs reads it back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from forecast import atomic, config
from forecast.models import DefaultModel
from forecast.models.base import SeriesError, check_series
from forecast.models.default import learn_calibration, rolling_records
from forecast.stockflow.calibration import SpreadCalibration
from forecast.stockflow.hindcast import DEFAULT_END, DEFAULT_ORIGINS, hindcast
from forecast.stockflow.spec import TARGET_SPECS
from forecast.verdict.verdict import scores_from_hindcast

#: Bump when the hindcast or the calibration changes what they compute (invalidates caches).
VERSION = "hindcast-calibration-1"
#: The run's hindcast draws per origin (the engine runs once per roster year).
RUN_DRAWS = 100
#: Fewest observed years before the trend model is fitted (as in the analysis).
MIN_YEARS = 3


def trend_default(n_draws: int = 1000, seed: int = 0):
    """The trend default as :func:`forecast.stockflow.hindcast.hindcast` wants it.

    Calibrated as :mod:`forecast.verdict.analysis` calibrates it: one calibration per kind
    (shares, the count of T11) learned from the unit's series up to the origin (T01–T11).
    """

    def trend(frames: dict, origin: int, years: list) -> dict:
        """the default model, calibrated on the unit's series up to each origin"""
        kinds = {tid: "count" if spec.kind == "count" else "share" for tid, spec in TARGET_SPECS.items()}
        cals = {}
        for kind in ("share", "count"):
            pool = []
            for tid, f in frames.items():
                if len(f) >= MIN_YEARS and kinds[tid] == kind and len(tid) == 3:
                    try:
                        pool.append(check_series(f, kind))
                    except SeriesError:
                        continue
            if pool:
                P, Y, S, H, L, A = rolling_records(pool, int(origin), max_h=8, window=8)
                cals[kind] = learn_calibration(P, Y, S, H, levels=L, ages=A, kind=kind,
                                               source=f"{len(pool)} series, origins up to {origin}")
        out = {}
        for tid, f in frames.items():
            if len(f) < MIN_YEARS:
                continue
            try:
                fc = DefaultModel(calibration=cals.get(kinds[tid])).fit(f, kind=kinds[tid]).predict(
                    years, n_draws=n_draws, seed=seed)
            except SeriesError:
                continue
            out[tid] = fc.draws
        return out

    return trend


@dataclass
class RunHindcast:
    """What the annual run takes from the hindcast.

    Attributes
    ----------
    scores : dict of str → HindcastScore
        Per target, for the verdict rule ({} without a roster).
    calibration : SpreadCalibration or None
        The extra spread for the run's projection from ``origin``.
    path : Path or None
        The cache file (its hash joins the run's provenance).
    cached : bool
        Read back from the cache rather than computed.
    document : dict
    """

    scores: dict = field(default_factory=dict)
    calibration: SpreadCalibration | None = None
    path: Path | None = None
    cached: bool = False
    document: dict = field(default_factory=dict)


def input_key(data_dir: Path, settings: dict) -> str:
    """SHA-256 over the dataset folder's files, the baseline scenario file, the settings and :data:`VERSION`."""
    h = hashlib.sha256(json.dumps({"version": VERSION, **settings}, sort_keys=True).encode())
    files = sorted(p for p in Path(data_dir).iterdir() if p.is_file() and p.name != "hindcast.json")
    baseline = config.scenarios_dir() / "baseline.yml"
    for p in [*files, *([baseline] if baseline.is_file() else [])]:
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _from_document(doc: dict, path: Path, cached: bool) -> RunHindcast:
    cal = doc.get("run_calibration")
    return RunHindcast(scores=scores_from_hindcast(doc),
                       calibration=SpreadCalibration.from_dict(cal) if cal else None,
                       path=path, cached=cached, document=doc)


def for_run(dataset, data_dir: Path, *, cache_dir: Path | None = None, n_draws: int = RUN_DRAWS, seed: int = 0,
            say=None) -> RunHindcast:
    """The hindcast scores and the run's calibration for a dataset, computed once per set of inputs.

    Parameters
    ----------
    dataset : Dataset
        Loaded from ``data_dir``; without a roster (or roster history) nothing is computed.
    data_dir : Path
        Its folder (the files' hashes name the cache entry).
    cache_dir : Path, optional
        Where the cache files live (default :func:`forecast.config.hindcast_cache_dir`).
    n_draws, seed : int
        The engine's draws per origin and the seed (the trend draws 4 × as many).
    say : callable, optional
        Progress messages.

    Returns
    -------
    RunHindcast
    """
    say = say or (lambda msg: None)
    years = dataset.roster_years() if getattr(dataset, "roster", None) is not None else []
    scored = [o for o in DEFAULT_ORIGINS if o in years]
    if not scored:
        return RunHindcast()
    origin = max(years)
    last = int(dataset.observations["year"].max())
    settings = {"origins": scored, "end_year": DEFAULT_END, "record_end": last, "origin": origin,
                "n_draws": int(n_draws), "seed": int(seed)}
    folder = Path(cache_dir) if cache_dir is not None else config.hindcast_cache_dir()
    path = folder / f"hindcast-{input_key(data_dir, settings)[:24]}.json"
    cached = atomic.read_cache(path)
    if cached is not None:
        try:
            found = _from_document(cached, path, cached=True)
            say(f"hindcast scores read from the cache {path.name}")
            return found
        except (ValueError, KeyError, TypeError):
            pass  # an entry of another shape is recomputed
    say(f"hindcast: the engine from past roster years up to {origin - 1}, {n_draws} draws each")
    h = hindcast(dataset, origins=scored, end_year=DEFAULT_END, n_draws=n_draws, seed=seed,
                 trend=trend_default(n_draws=4 * int(n_draws), seed=seed), record_end=min(last, origin))
    doc = {"settings": settings, **{k: v for k, v in h.to_dict().items() if k != "rows"},
           "run_calibration": h.calibration(origin).to_dict()}
    atomic.write_cache(path, doc, say)
    return _from_document(doc, path, cached=False)

