"""The result of one update of the explorer: :class:`ViewState` (what the screen shows).

Imports nothing of ``forecast``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

# -- the result of one update ---------------------------------------------------------------


@dataclass
class ViewState:
    """Everything the explorer shows after one change of the controls.

    Attributes
    ----------
    target_id, unit, lang : str
        The view's target, unit code and language.
    p_required : float
        The probability the Department requires, in (0, 1).
    levers : dict
        The scenario's lever values used for the projection.
    p_trend, p_scenario : float or None
        The components, for context: the probability of meeting the selected target by the
        trend forecast alone and by the engine alone under the levers (``None`` when that
        forecast is not available for the unit).
    probabilities : DataFrame
        One row per target: ``target``, ``threshold`` (percent), ``p`` (the one probability),
        ``source``, ``p_trend``, ``p_scenario``, ``level``, ``gap``, ``meets`` (``p`` ≥ ``p_required``).
    table : DataFrame
        The chart's data: ``series`` (trend / scenario), ``year``, ``mean``,
        ``median``, ``lo-80``, ``hi-80``, ``lo-95``, ``hi-95`` and ``threshold``
        (share), one row per series and year.
    verdict : str
        The one-line plain-language verdict.
    figure : matplotlib.figure.Figure
        The fan chart (trend and scenario together, with the target line).
    seconds : float
        Time the update took (compute + draw).
    level, level_lo, level_hi : float or None
        The scenario's projected value in the target year: median and 80 % band (a share,
        or a count for T11); the trend's when the unit has no projection.
    gap : float or None
        ``level`` minus the target's threshold (a share; positive = above the target).
    level_text : str
        The level and the gap in one line, in the view's language.
    scenario_name : str
        The display name of the scenario the levers started from.
    precision : str
        The Monte-Carlo error of the shown probability in words ("" when none is shown).
    p : float or None
        The one probability of meeting the selected target the view gives: the reports' rule
        (:mod:`forecast.explorer.headline`) applied to the levers' scenario.
    source : str or None
        Where ``p`` comes from: ``engine``, ``trend`` or None.
    source_text : str
        The end of ``verdict`` that says where ``p`` comes from (the screen shows it unbolded).
    """

    target_id: str
    unit: str
    lang: str
    p_required: float
    levers: dict
    p_trend: float | None
    p_scenario: float | None
    probabilities: pd.DataFrame
    table: pd.DataFrame
    verdict: str
    figure: Any
    seconds: float = 0.0
    level: float | None = None
    level_lo: float | None = None
    level_hi: float | None = None
    gap: float | None = None
    level_text: str = ""
    scenario_name: str = ""
    precision: str = ""
    extra: dict = field(default_factory=dict)
    p: float | None = None
    source: str | None = None
    source_text: str = ""
