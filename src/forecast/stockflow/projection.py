"""The projection results object: draws of every target's numerator and denominator."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.domain.targets import get_target
from forecast.results import Forecast
from forecast.stockflow.spec import TARGET_SPECS

# ---------------------------------------------------------------------------------------
# The projection
# ---------------------------------------------------------------------------------------


@dataclass
class Projection:
    """Draws of every target's trajectory under one scenario.

    Attributes
    ----------
    scenario : str
        Scenario name (``method`` of the forecasts is ``"stockflow:<name>"``).
    years : ndarray
        Projected snapshot years (``start_year + 1`` … ``end_year``).
    start_year : int
    numerators, denominators : dict of str → ndarray (n_draws, n_years)
        Counts meeting the criterion and in the population, per target id.
    start : dict of str → (numerator, denominator)
        The snapshot's values.
    enrolments : DataFrame
        Mean enrolments and completions per programme and year (over draws).
    flows : DataFrame
        Mean retirements, other exits, recruits and promotions per year.
    notes : list of str
    variates : int
        Binomial variates drawn (benchmark bookkeeping).
    """

    scenario: str
    years: np.ndarray
    start_year: int
    numerators: dict
    denominators: dict
    start: dict
    enrolments: pd.DataFrame
    flows: pd.DataFrame
    notes: list = field(default_factory=list)
    variates: int = 0
    trials: int = 0
    first_year_steps: dict = field(default_factory=dict)
    #: Mean yearly intake by programme, year and population group (``project(..., by_group=True)``), else None.
    enrolments_by_group: pd.DataFrame | None = None

    def first_year_contributions(self, target_id: str) -> dict:
        """How each step of the first projected year moved the target's mean value.

        Steps in the engine's order (retirements, other exits, training completions, the
        succession-pool review, appointments, recruits): the change of the mean share
        (Σ numerator / Σ denominator over the draws; the mean count for T11) that each step made.
        """
        self._check(target_id)
        out, prev = {}, None
        for name, means in self.first_year_steps.items():
            num, den = means[target_id]
            value = num if TARGET_SPECS[target_id].kind == "count" else (num / den if den else float("nan"))
            if prev is not None:
                out[name] = value - prev
            prev = value
        return out

    @property
    def targets(self) -> list[str]:
        """Target ids projected (T01–T11 and the parts T09a–c)."""
        return list(self.numerators)

    def _check(self, target_id: str) -> None:
        if target_id not in self.numerators:
            raise KeyError(f"unknown target {target_id!r}; projected: {', '.join(self.targets)}")

    def draws(self, target_id: str) -> np.ndarray:
        """Shares (or the count for T11) per draw and year, shape (n_draws, n_years)."""
        self._check(target_id)
        num, den = self.numerators[target_id], self.denominators[target_id]
        if TARGET_SPECS[target_id].kind == "count":
            return num.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / np.maximum(den, 1), np.nan)

    def start_value(self, target_id: str) -> float:
        """The target's value in the snapshot the projection starts from."""
        self._check(target_id)
        num, den = self.start[target_id]
        if TARGET_SPECS[target_id].kind == "count":
            return float(num)
        return float(num / den) if den else float("nan")

    def forecast(self, target_id: str) -> Forecast:
        """The target's trajectory as a :class:`forecast.results.Forecast`."""
        d = self.draws(target_id)
        notes = list(self.notes)
        if np.isnan(d).any():
            notes.append(f"{target_id}: the population is empty in some draws or years")
            d = np.where(np.isnan(d), 0.0, d)
        kind = "count" if TARGET_SPECS[target_id].kind == "count" else "share"
        return Forecast([int(y) for y in self.years], d, method=f"stockflow:{self.scenario}", kind=kind, notes=notes)

    def p_meet(self, target_id: str, year: int | None = None) -> float:
        """Probability of meeting the target in ``year`` (default: the last projected year).

        Share targets: P(the share meets the target's meeting rule, e.g. ≥ 99.5 % for
        100 %); T11 (direction only): P(the count rises
        every year from the snapshot).
        """
        self._check(target_id)
        year = int(self.years[-1] if year is None else year)
        if TARGET_SPECS[target_id].kind == "count":
            f = self.forecast(target_id)
            cut = np.flatnonzero(np.asarray(f.years) <= year)
            return float(np.mean(np.all(np.diff(np.concatenate(
                [np.full((f.draws.shape[0], 1), self.start_value(target_id)), f.draws[:, cut]], axis=1),
                axis=1) > 0, axis=1)))
        t = get_target(target_id[:3])
        if t.threshold is None:
            raise ValueError(f"{target_id} has no threshold")
        idx = np.flatnonzero(self.years == year)
        if not len(idx):
            raise KeyError(f"{year} is not a projected year ({self.years[0]}–{self.years[-1]})")
        num = self.numerators[target_id][:, idx[0]]
        den = self.denominators[target_id][:, idx[0]]
        # the target's meeting rule (data/targets.yml), compared in integers: no float trouble at 100 %
        return float(np.mean(t.meeting.meets_counts(num, den, t.threshold)))


