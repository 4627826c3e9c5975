"""Project every target from a roster snapshot under a scenario (the engine's entry point)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from forecast.stockflow import scenarios as sc
from forecast.stockflow.cohorts import _cohorts_cached
from forecast.stockflow.engine import _Engine
from forecast.stockflow.projection import Projection
from forecast.stockflow.snapshots import roster_snapshot


def project(roster, scenario, start_year: int | None = None, end_year: int = 2030,
            n_draws: int = 1000, seed: int = 0, history: Mapping | None = None,
            by_group: bool = False) -> Projection:
    """Project every target from a roster snapshot under a scenario.

    Parameters
    ----------
    roster : DataFrame or Dataset
        The snapshot (roster format), or a dataset with a ``roster`` (its history then
        fills the scenario's ``from_history`` levers, see
        :func:`forecast.stockflow.scenarios.estimate_baseline`).
    scenario : Scenario or str
        A :class:`forecast.stockflow.scenarios.Scenario` or a scenario name/path.
    start_year : int, optional
        Snapshot year; defaults to the roster's ``year`` column (its maximum). The roster as
        of that year is used (:func:`forecast.stockflow.snapshots.roster_snapshot`): a
        :class:`~forecast.stockflow.snapshots.NoSnapshot` error (a ``ValueError``) when the
        dataset holds none, and the ``from_history`` levers use only the flows up to it.
    end_year : int
        Last projected snapshot (2030 for the plan, up to 2045 for the vision).
    n_draws : int
        Monte-Carlo draws.
    seed : int
        Seed of the common random numbers.
    history : mapping, optional
        Estimates from :func:`forecast.stockflow.scenarios.estimate_baseline`; computed from the
        roster (or dataset) when omitted and the scenario needs them.
    by_group : bool
        Also record each programme's yearly intake by population group
        (:attr:`Projection.enrolments_by_group`; the random numbers are the same either way).

    Returns
    -------
    Projection
    """

    source = roster  # the dataset (or frame) the snapshot and the history come from
    if not isinstance(roster, pd.DataFrame):
        roster = roster.roster
        if roster is None:
            raise ValueError("the dataset has no roster: the stock-flow engine needs one")
    if isinstance(scenario, str):
        scenario = sc.load_scenario(scenario)
    if start_year is None:
        start_year = int(pd.to_numeric(roster["year"]).max()) if "year" in roster else None
        if start_year is None:
            raise ValueError("start_year is needed when the roster has no 'year' column")
    if "year" in roster:
        # the roster as of the start year, never the latest one relabelled
        roster = roster_snapshot(source, int(start_year))
    start_year, end_year, n_draws = int(start_year), int(end_year), int(n_draws)
    if end_year <= start_year:
        raise ValueError(f"end_year ({end_year}) must be after start_year ({start_year})")
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    if history is None and scenario.needs_history():
        history = sc.estimate_baseline(source, until=start_year)
    levers = scenario.resolve(history)
    coh = _cohorts_cached(roster)
    engine = _Engine(coh, levers, history or {}, start_year, end_year, n_draws, seed, by_group=by_group)
    proj = engine.run()
    proj.scenario = scenario.name
    proj.notes = [f"stock-flow scenario '{scenario.name}', {n_draws} draws, seed {seed}",
                  *scenario.resolution_notes(history)]
    return proj


