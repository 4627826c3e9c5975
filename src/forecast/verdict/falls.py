"""Why a count fell, and why a 100 % target is out of reach: read from the data, never written in.

* :func:`falls` finds the years an observed series went down (T11 in the demo: 2024 → 2025).
* :func:`unusual_flows` reads ``flows.csv`` for the exits and moves of that year that were
  unusual — absent before, or well above the years before (in the demo: the Decree 178 early
  exits and the 1 July 2025 transfers).
* :func:`stock_change` gives the change of a stock column (``masters``) over the same year.
* :func:`recruit_gap` counts the recent recruits of a target's population who arrived without
  its criterion: while such recruits keep arriving, a share of exactly 100 % cannot be kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.inputs.roster import active_on, target_masks

#: Flows that take people out of a group or move them: the candidates for explaining a fall.
LEAVING_FLOWS = ("exit_huu", "exit_nghi_viec", "exit_nd178", "exit_chuyen_cong_tac", "exit_khac", "transfer_out")
#: A flow is unusual in a year when above this multiple of its mean over the years before.
UNUSUAL_MULTIPLE = 1.5
#: Years before the fall the usual level of a flow is measured over.
USUAL_YEARS = 5
#: Years back from the snapshot a hire counts as a recent recruit.
RECENT_HIRES = 3


@dataclass(frozen=True)
class Fall:
    """A year-on-year fall of an observed series."""

    year_from: int
    year_to: int
    value_from: float
    value_to: float


@dataclass(frozen=True)
class UnusualFlow:
    """A flow of the fall's year that was absent or much larger before.

    Attributes
    ----------
    flow : str
        Its code in ``flows.csv`` (``exit_nd178``, ``transfer_out`` …).
    count : float
        Total over categories and levels in the year.
    usual : float
        Mean yearly total over the :data:`USUAL_YEARS` years before (0 when absent).
    """

    flow: str
    count: float
    usual: float


@dataclass(frozen=True)
class RecruitGap:
    """Recent recruits of a target's population and how many arrived without its criterion.

    Attributes
    ----------
    target_id : str
    recruits, without : int
        People of the population hired in ``years``, and those of them without the criterion.
    years : (int, int)
        First and last hiring year counted.
    population : int
        The population's size in the snapshot.
    """

    target_id: str
    recruits: int
    without: int
    years: tuple[int, int]
    population: int

    @property
    def per_year(self) -> float:
        """Recruits arriving without the criterion, a year on average."""
        return self.without / (self.years[1] - self.years[0] + 1)

    @property
    def ceiling(self) -> float:
        """The highest share a snapshot can show while they keep arriving, even if each is trained within a year.

        Each year's arrivals without the criterion are still untrained on the snapshot date:
        ``1 − per_year / population``.
        """
        return 1.0 - self.per_year / self.population if self.population else float("nan")


def falls(series: pd.DataFrame) -> list[Fall]:
    """Every consecutive pair of observed years in which ``value`` went down, oldest first."""
    s = series.dropna(subset=["value"]).sort_values("year")
    years, values = s["year"].astype(int).tolist(), s["value"].astype(float).tolist()
    return [Fall(y0, y1, v0, v1) for y0, y1, v0, v1 in zip(years, years[1:], values, values[1:], strict=False)
            if y1 == y0 + 1 and v1 < v0]


def _totals(flows: pd.DataFrame) -> pd.DataFrame:
    """Flow totals by year (rows) and flow (columns), over categories and levels."""
    return flows.groupby(["year", "flow"])["count"].sum().unstack(fill_value=0.0)


def unusual_flows(flows: pd.DataFrame | None, year: int, candidates: tuple[str, ...] = LEAVING_FLOWS,
                  multiple: float = UNUSUAL_MULTIPLE) -> list[UnusualFlow]:
    """The leaving flows of ``year`` that were absent before or above ``multiple`` × their usual level.

    Parameters
    ----------
    flows : DataFrame or None
        ``flows.csv`` (``year``, ``category``, ``level``, ``flow``, ``count``); None gives [].
    year : int
    candidates : tuple of str
        Flow codes considered.
    multiple : float

    Returns
    -------
    list of UnusualFlow
        Largest first.
    """
    if flows is None or not {"year", "flow", "count"} <= set(flows.columns):
        return []
    tot = _totals(flows)
    if int(year) not in tot.index:
        return []
    before = tot.loc[[y for y in tot.index if int(year) - USUAL_YEARS <= y < int(year)]]
    out = []
    for flow in candidates:
        if flow not in tot.columns:
            continue
        count = float(tot.loc[int(year), flow])
        usual = float(before[flow].mean()) if len(before) else 0.0
        if count > 0 and count > multiple * usual:
            out.append(UnusualFlow(flow, count, usual))
    return sorted(out, key=lambda u: -u.count)


def stock_change(flows: pd.DataFrame | None, stock: str, year: int) -> tuple[float, float] | None:
    """A stock column's totals in ``year − 1`` and ``year`` (e.g. ``masters``), or None."""
    if flows is None or not {"year", "flow", "count"} <= set(flows.columns):
        return None
    tot = _totals(flows)
    if stock not in tot.columns or int(year) not in tot.index or int(year) - 1 not in tot.index:
        return None
    return float(tot.loc[int(year) - 1, stock]), float(tot.loc[int(year), stock])


def recruit_gap(roster: pd.DataFrame | None, target_id: str, years: int = RECENT_HIRES) -> RecruitGap | None:
    """Recruits of the last ``years`` years in ``target_id``'s population, and those without its criterion.

    Reads the latest snapshot of ``roster`` (``hire_date`` parsed as dates); None without a
    roster, hire dates or such recruits.
    """
    if roster is None or "hire_date" not in roster or target_id not in target_masks(roster.iloc[:0]):
        return None
    snap = roster[roster["year"] == roster["year"].max()] if "year" in roster else roster
    snap = snap[active_on(snap)] if "year" in snap else snap
    population, criterion = target_masks(snap)[target_id]
    if criterion is None:  # an indicator counted without a criterion has no recruits "without" it
        return None
    hired = pd.to_datetime(snap["hire_date"], errors="coerce").dt.year
    last = int(snap["year"].max()) if "year" in snap else int(hired.max())
    recent = population & hired.between(last - years + 1, last)
    n = int(recent.sum())
    if n == 0:
        return None
    return RecruitGap(target_id, n, int((recent & ~criterion).sum()), (last - years + 1, last), int(population.sum()))
