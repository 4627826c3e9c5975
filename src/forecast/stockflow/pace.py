"""Does the projection's first year continue the observed pace? If not, which flow moves it?

A baseline continues the recent past unless a known flow changes it (a retirement wave, a
recruitment freeze, more or fewer training places). :func:`pace_notes` compares, target by
target, the median change of the first projected year with the observed yearly change of
the last years before the start, and where they differ names the flows of the first
projected year that differ from the same years' mean in ``flows.csv``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.inputs.observations import series
from forecast.stockflow.history import FLOW_PROGRAMMES, _in_population
from forecast.stockflow.projection import Projection
from forecast.stockflow.spec import PROGRAMMES, TARGET_SPECS

#: Years of observed change the pace is measured over.
PACE_YEARS = 3
#: A first year departing from the pace by more than this is explained (pp for shares, people for T11).
TOLERANCE = {"share": 0.5, "count": 5.0}
#: A flow differing from its recent mean by more than this share is named.
FLOW_CHANGE = 0.10
#: Flow years left out of the recent means (the reorganisation year).
EXCEPTIONAL_YEARS = (2025,)


def observed_pace(frame: pd.DataFrame, start_year: int) -> tuple[float, int, int] | None:
    """Mean yearly change over the last :data:`PACE_YEARS` years up to ``start_year`` on one definition.

    When the start year itself is a break (a new population definition), the years before
    it are used. Returns (change per year, first year, last year) or None.
    """
    f = frame[frame["year"] <= start_year].sort_values("year")
    if f.empty:
        return None
    brk = f.loc[f["break"].astype(bool), "year"]
    if len(brk):
        last_break = int(brk.max())
        f = f[f["year"] >= last_break] if last_break < start_year else f[f["year"] < last_break]
    f = f.tail(PACE_YEARS + 1)
    if len(f) < 2:
        return None
    y0, y1 = int(f["year"].iloc[0]), int(f["year"].iloc[-1])
    return float((f["value"].iloc[-1] - f["value"].iloc[0]) / (y1 - y0)), y0, y1


def _recent(flows: pd.DataFrame | None, start_year: int) -> tuple[dict, list[int]]:
    """Mean yearly totals of the flows the engine reports, over the last years before the start."""
    if flows is None or not len(flows):
        return {}, []
    f = flows[(flows["year"] <= start_year) & ~flows["year"].isin(EXCEPTIONAL_YEARS)]
    years = sorted(f["year"].unique())[-PACE_YEARS:]
    f = f[f["year"].isin(years)]
    if not years:
        return {}, []
    name = f["flow"].astype(str)
    groups = {
        "retirements": name == "exit_huu",
        "other_exits": name.str.startswith("exit_") & ~name.isin(["exit_huu", "exit_nd178"]),
        "recruits": name == "hires",
        "promotions": name.isin(["promoted_so", "promoted_phong"]),
    }
    out = {k: float(f.loc[m.to_numpy(), "count"].sum()) / len(years) for k, m in groups.items() if m.any()}
    for prog, aliases in FLOW_PROGRAMMES.items():
        if prog == "postgraduate":  # flows.csv counts master's in every field, the engine the key fields only
            continue
        rows = _in_population(f[name.isin(aliases).to_numpy()], PROGRAMMES[prog])
        if len(rows):
            out[f"completed:{prog}"] = float(rows["count"].sum()) / len(years)
    return out, years


def _first_year_flows(proj: Projection) -> dict:
    first = int(proj.years[0])
    out = {}
    row = proj.flows[proj.flows["year"] == first]
    for col in ("retirements", "other_exits", "recruits", "promotions"):
        if len(row) and col in row:
            out[col] = float(row[col].iloc[0])
    e = proj.enrolments[proj.enrolments["year"] == first]
    for prog, done in zip(e["programme"], e["completed"], strict=True):
        out[f"completed:{prog}"] = float(done)
    return out


_LABELS = {"retirements": "retirements", "other_exits": "other exits", "recruits": "recruits",
           "promotions": "appointments to leader posts"}


def _label(key: str) -> str:
    if key.startswith("completed:"):
        return f"{PROGRAMMES[key.split(':', 1)[1]].label} completions"
    return _LABELS[key]


def _relevant(tid: str) -> list[str]:
    """The flows that can move a target: exits, recruits, appointments and its dimension's programmes."""
    dim = TARGET_SPECS[tid].dimension
    return [*_LABELS, *(f"completed:{p}" for p, prog in PROGRAMMES.items() if prog.dimension == dim)]


def pace_notes(proj: Projection, observations: pd.DataFrame, flows: pd.DataFrame | None = None,
               unit: str = "20", reference: dict | None = None) -> list[str]:
    """Plain-language notes on the targets whose first projected year departs from the observed pace.

    A target departs when its first year's median change differs from the observed yearly
    change by more than :data:`TOLERANCE`, or when its first year's median lies outside the
    ``reference`` interval (e.g. the trend default's 80 % interval for that year). The note
    then names the flows that move the target in that year, with how much each moved it
    (:meth:`Projection.first_year_contributions`), and the flows that differ from the recent
    years' mean in ``flows.csv``.

    Parameters
    ----------
    proj : Projection
    observations : DataFrame
        The dataset's observations (the unit's series give the observed pace).
    flows : DataFrame, optional
        ``flows.csv``: the recent years' flows the first projected year is compared with.
    unit : str
        The unit projected (``"20"``: the province).
    reference : dict, optional
        Target id → (low, high) interval for the first projected year.

    Returns
    -------
    list of str
        One note per departing target, e.g. ``"T07: first projected year +1.0 pp against +1.0 pp
        a year observed 2022–2025, outside the trend's 80 % interval 25.4–26.8 %; the flows that
        move it in 2026: training completions +1.2 pp, retirements −0.3 pp"``.
    """
    recent, years = _recent(flows, proj.start_year)
    first = _first_year_flows(proj)
    reference = reference or {}
    notes = []
    for tid in proj.targets:
        kind = "count" if TARGET_SPECS[tid].kind == "count" else "share"
        pace = observed_pace(series(observations, tid, unit).dropna(subset=["value"]), proj.start_year)
        if pace is None:
            continue
        scale = 100.0 if kind == "share" else 1.0
        unit_txt = " pp" if kind == "share" else " people"
        median = float(np.nanmedian(proj.draws(tid)[:, 0]))
        step = (median - proj.start_value(tid)) * scale
        observed = pace[0] * scale
        lo, hi = reference.get(tid, (-np.inf, np.inf))
        outside = not lo <= median <= hi
        if abs(step - observed) <= TOLERANCE[kind] and not outside:
            continue
        head = (f"{tid}: first projected year {step:+.1f}{unit_txt} against {observed:+.1f}{unit_txt} a year "
                f"observed {pace[1]}–{pace[2]}")
        if outside:
            head += (f", outside the trend's 80 % interval {lo * scale:.1f}–{hi * scale:.1f}"
                     + (" %" if kind == "share" else " people"))
        moves = sorted(((v * scale, k) for k, v in proj.first_year_contributions(tid).items()
                        if np.isfinite(v) and abs(v * scale) >= 0.05), key=lambda x: -abs(x[0]))
        parts = [f"{head}; the flows that move it in {int(proj.years[0])}: "
                 + (", ".join(f"{k} {v:+.1f}{unit_txt}" for v, k in moves) or "none by 0.1 or more")]
        moved = []
        for key in _relevant(tid):
            if key in first and recent.get(key, 0) > 0:
                change = first[key] / recent[key] - 1
                if abs(change) > FLOW_CHANGE:
                    moved.append((abs(change), f"{_label(key)} {first[key]:.0f} against {recent[key]:.0f} "
                                               f"a year ({change:+.0%})"))
        if moved:
            span = f"{years[0]}–{years[-1]}" if years else "the recent years"
            parts.append(f"flows that differ from {span}: " + "; ".join(m for _, m in sorted(moved, reverse=True)))
        notes.append("; ".join(parts))
    return notes
