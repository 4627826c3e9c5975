"""The results object every model and the stock-flow engine return.

One shape for trend forecasts and scenario projections, so that reports, the
summary and the explorer treat both alike (statsmodels' results-object style:
a small object with ``summary_frame()`` keeping the pandas index).

Values are **shares in [0, 1]** for share targets and **counts** for the
direction-only T11; ``kind`` says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Forecast:
    """Simulated future paths of one series.

    Parameters
    ----------
    years : sequence of int
        Forecast years (e.g. 2026 … 2030), ascending.
    draws : ndarray, shape (n_draws, n_years)
        Simulated values; every summary below is computed from them.
    method : str
        Name of the model or scenario that produced them.
    kind : {"share", "count"}
        Whether values are shares in [0, 1] or counts.
    notes : list of str
        Plain-language notes (series break handled, model chosen, warnings).
    point : ndarray, optional
        The model's point forecast when it differs from the draws' median
        (e.g. a closed-form median); defaults to the median of the draws.
    """

    years: Sequence[int] | np.ndarray
    draws: np.ndarray
    method: str
    kind: str = "share"
    notes: list[str] = field(default_factory=list)
    point: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.years = np.asarray(self.years, dtype=int)
        self.draws = np.atleast_2d(np.asarray(self.draws, dtype=float))
        if self.draws.shape[1] != len(self.years):
            raise ValueError(f"draws have {self.draws.shape[1]} columns for {len(self.years)} years")
        if self.point is not None:
            self.point = np.asarray(self.point, dtype=float)

    # -- summaries -------------------------------------------------------
    @property
    def index(self) -> pd.Index:
        return pd.Index(self.years, name="year")

    @property
    def mean(self) -> pd.Series:
        """Mean of the draws by year."""
        return pd.Series(self.draws.mean(axis=0), index=self.index, name="mean")

    @property
    def median(self) -> pd.Series:
        """Point forecast by year (the model's point, else the draws' median)."""
        values = self.point if self.point is not None else np.median(self.draws, axis=0)
        return pd.Series(values, index=self.index, name="median")

    def quantiles(self, probs: Sequence[float]) -> pd.DataFrame:
        """Quantiles of the draws by year; columns are the probabilities."""
        q = np.quantile(self.draws, np.asarray(probs, dtype=float), axis=0)
        return pd.DataFrame(q.T, index=self.index, columns=list(probs))

    def conf_int(self, level: float = 80) -> pd.DataFrame:
        """Central interval at ``level`` percent: columns ``lo``, ``hi``."""
        a = (100 - level) / 200
        q = self.quantiles([a, 1 - a])
        q.columns = ["lo", "hi"]
        return q

    def summary_frame(self, levels: Sequence[float] = (80, 95)) -> pd.DataFrame:
        """Mean, median and ``lo-L``/``hi-L`` columns for each level, indexed by year."""
        # one quantile call for every bound and one frame (the explorer asks for this on every move)
        tails = [(100 - level) / 200 for level in levels]
        probs = np.asarray([b for a in tails for b in (a, 1 - a)], dtype=float)
        q = np.quantile(self.draws, probs, axis=0) if len(probs) else np.empty((0, len(self.years)))
        cols: dict[str, np.ndarray] = {"mean": self.draws.mean(axis=0), "median": self.median.to_numpy()}
        for i, level in enumerate(levels):
            cols[f"lo-{level:g}"], cols[f"hi-{level:g}"] = q[2 * i], q[2 * i + 1]
        return pd.DataFrame(cols, index=self.index)

    def at(self, year: int) -> np.ndarray:
        """The draws of one year."""
        hits = np.flatnonzero(self.years == int(year))
        if not len(hits):
            raise KeyError(f"{year} is not a forecast year ({self.years[0]}–{self.years[-1]})")
        return self.draws[:, hits[0]]

    def prob_at_least(self, threshold: float, year: int) -> float:
        """Share of draws at or above ``threshold`` in ``year``."""
        return float(np.mean(self.at(year) >= threshold))

    def first_year_at_least(self, threshold: float) -> int | None:
        """First year whose point forecast reaches ``threshold`` (``None`` if none does)."""
        hit = np.flatnonzero(self.median.to_numpy() >= threshold)
        return int(self.years[hit[0]]) if len(hit) else None

    def prob_rising(self, start_value: float) -> float:
        """Probability that the path rises every year from ``start_value`` (T11's criterion)."""
        prev = np.concatenate([np.full((self.draws.shape[0], 1), start_value), self.draws[:, :-1]], axis=1)
        return float(np.mean(np.all(self.draws > prev, axis=1)))
