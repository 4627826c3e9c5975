"""The whole "series → model → attainment" pass over the plan's targets for one unit.

:func:`analyse_targets` is what the notebooks and the annual run call: for each
target T01–T11 it takes the unit's series from the observations table, fits the
chosen model on the years up to ``as_of``, forecasts every year to the target
year and assesses attainment.

With the default model the calibration (weights and error distribution, see
:mod:`forecast.models.default`) is learned once per unit from the rolling
origins of *all* the unit's share series up to ``as_of`` — the targets borrow
strength from each other's history — and separately for the count of T11.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.domain.targets import Target, load_targets
from forecast.inputs.observations import series
from forecast.models import DEFAULT, GlobalPanel, calibrate, get_model
from forecast.models.base import SeriesError, check_series
from forecast.results import Forecast
from forecast.verdict.attainment import Attainment, assess

#: Fewest observed years before a forecast is made (fewer: "insufficient data").
MIN_YEARS = 3


@dataclass
class TargetResult:
    """One target's series, forecast (None when the data are too short) and attainment."""

    target: Target
    series: pd.DataFrame
    forecast: Forecast | None
    attainment: Attainment

    def to_dict(self) -> dict:
        """A JSON-ready summary (the attainment plus the forecast's summary frame)."""
        out = {"target": self.target.id, "attainment": self.attainment.to_dict()}
        if self.forecast is not None:
            frame = self.forecast.summary_frame().reset_index()
            out["forecast"] = {"method": self.forecast.method, "notes": list(self.forecast.notes),
                               "summary": frame.to_dict(orient="records")}
        return out


def _series_for(observations: pd.DataFrame, target: Target, unit: str, as_of: int) -> pd.DataFrame:

    s = series(observations, target.id, unit)
    return s[s["year"] <= int(as_of)].dropna(subset=["value"]).reset_index(drop=True)


def _years_above_zero(frame: pd.DataFrame) -> int:
    return int((frame["value"] > 0).sum())


def _sparse_count(frame: pd.DataFrame, kind: str) -> bool:
    """A head count with fewer than :data:`MIN_YEARS` years above zero: no growth rate can be
    estimated from zeros (a commune's 0, 0, …, 0, 1 would otherwise forecast trillions)."""
    return kind == "count" and _years_above_zero(frame) < MIN_YEARS


def _calibrations(frames: dict[str, pd.DataFrame], targets: list[Target], as_of: int, window: int = 8):
    """One default calibration for the unit's share series and one for its count series."""
    cals = {}
    for kind in ("share", "count"):
        pool = []
        for t in targets:
            f = frames[t.id]
            if len(f) >= MIN_YEARS and ("share" if t.kind == "share" else "count") == kind and not _sparse_count(f, kind):
                try:
                    pool.append(check_series(f, kind))
                except SeriesError:
                    continue
        if pool:
            # one global model per unit and kind, shared by the calibration and every target's forecast
            panel = GlobalPanel.from_series(pool, window)
            cal = calibrate(pool, int(as_of), kind, window, panel=panel,
                            source=f"{len(pool)} series of this unit, origins up to {as_of}")
            cals[kind] = {"calibration": cal, "panel": panel}
    return cals


def analyse_targets(observations: pd.DataFrame, as_of: int, unit: str = "20", method: str = DEFAULT,
                    n_draws: int = 2000, seed: int = 0) -> list[TargetResult]:
    """Forecast and assess every target of the plan for one unit.

    Parameters
    ----------
    observations : DataFrame
        The observations table (see ``docs/architecture.md``).
    as_of : int
        Last year of data used; forecasts run from the year after the series'
        latest observation up to each target's year.
    unit : str
        Unit code (``"20"``: the province).
    method : str
        A model name of :data:`forecast.models.MODELS` (default: the default).
    n_draws, seed : int
        Simulated paths and the seed (each target gets ``seed`` + its position).

    Returns
    -------
    list of TargetResult
        In target order (T01 … T11).
    """
    targets = load_targets()
    # split the table once: each series() call then scans only its own indicator's rows
    by_indicator = dict(tuple(observations.groupby("indicator", sort=False)))
    empty = observations.iloc[:0]
    frames = {t.id: _series_for(by_indicator.get(t.id, empty), t, unit, as_of) for t in targets}
    cals = _calibrations(frames, targets, as_of) if method == DEFAULT else {}
    results = []
    for i, t in enumerate(targets):
        frame = frames[t.id]
        kind = "share" if t.kind == "share" else "count"
        fc = None
        if len(frame) >= MIN_YEARS and _sparse_count(frame, kind):
            frame.attrs["problem"] = (f"a count series needs at least {MIN_YEARS} years above zero for a trend; "
                                      f"it has {_years_above_zero(frame)}")
            frame.attrs["sparse_count"] = True
        elif len(frame) >= MIN_YEARS:
            kwargs = cals[kind] if (method == DEFAULT and kind in cals) else {}
            last = int(frame["year"].iloc[-1])
            years = list(range(last + 1, t.year + 1))
            if years:
                try:
                    fc = get_model(method, **kwargs).fit(frame, kind=kind).predict(years, n_draws=n_draws,
                                                                                   seed=seed + i)
                except SeriesError as exc:
                    fc = None
                    frame.attrs["problem"] = str(exc)
        att = assess(t, frame, fc, as_of)
        if "problem" in frame.attrs:
            att.notes.append(f"No forecast: {frame.attrs['problem']}")
        results.append(TargetResult(t, frame, fc, att))
    return results
