"""The baseline scenario's levers estimated from the history: exit rates, training capacities,
the qualification mix of recent recruits and each group's share of programme places, from the
roster snapshot and ``flows.csv``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.stockflow.cohorts import active_staff, states
from forecast.stockflow.spec import CATEGORIES, DIMENSIONS, PROGRAMMES

# ---------------------------------------------------------------------------------------
# The baseline from the history
# ---------------------------------------------------------------------------------------

#: Roster education codes of a university degree or higher.
_UNIVERSITY_PLUS = ("dai_hoc", "thac_si", "tien_si")
#: Programme lever → the flows.csv ``flow`` names counted as its completions.
FLOW_PROGRAMMES = {
    "university": ("upgrade_university", "upgrade_dai_hoc"),
    # a doctorate after a master's changes no state of the engine: only master's count
    "postgraduate": ("upgrade_master", "upgrade_thac_si", "upgrade_postgraduate"),
    "political_theory_elementary": ("upgrade_llct_so_cap", "upgrade_political_theory_elementary"),
    "political_theory_intermediate": ("upgrade_llct_trung_cap", "upgrade_political_theory_intermediate"),
    "political_theory_senior": ("upgrade_llct_cao_cap", "upgrade_political_theory_senior"),
    "principal_specialist": ("upgrade_cvc", "upgrade_principal_specialist"),
    "senior_specialist": ("upgrade_cvcc", "upgrade_senior_specialist"),
    "language": ("upgrade_foreign_language", "upgrade_language"),
    "it": ("upgrade_it_skill", "upgrade_it"),
    "standard_training": ("upgrade_standard_training",),
    "standardisation": ("upgrade_standardised", "upgrade_standardisation"),
}


def _snapshot_year(roster: pd.DataFrame) -> int | None:
    if "year" in roster and len(roster):
        return int(pd.to_numeric(roster["year"], errors="coerce").max())
    return None


def _recent_hires(roster: pd.DataFrame, years: int = 3) -> pd.DataFrame:
    if "hire_date" not in roster:
        return roster.iloc[:0]
    snap = _snapshot_year(roster)
    hired = pd.to_datetime(roster["hire_date"], errors="coerce")
    if snap is None:
        return roster.iloc[:0]
    return roster[(hired.dt.year > snap - years) & hired.notna()]


def estimate_baseline(data, years: int = 3) -> dict:
    """Estimate the baseline's ``from_history`` levers from a dataset (or a bare roster).

    * ``other_exit_rate`` by category: from ``flows.csv`` (exits other than retirement
      over the headcount, mean of the last ``years`` years, the Decree 178 year 2025
      left out as exceptional) or, without flows, from the roster's leavers of the
      snapshot year;
    * ``recruit_mix``: the qualification mix of staff hired in the last ``years`` years
      (their state at the snapshot, a close proxy of their state at hiring), by
      category and level, and ``recruit_university_share`` by category from it;
    * ``programmes.<name>.completions``: mean yearly completions of the last ``years``
      years in ``flows.csv``; :meth:`Scenario.resolve` turns them into places per year
      by dividing by the scenario's completion rate;
    * ``allocation_weights``: how each programme's places are shared over category ×
      level (see :func:`_allocation_weights`);
    * ``new_leader_programme_share``: the share of current leaders holding their post's
      programme.

    Parameters
    ----------
    data : Dataset or DataFrame
        A :class:`forecast.inputs.dataset.Dataset` (``roster``, optional ``flows``) or a roster.
    years : int
        Window of recent years averaged.

    Returns
    -------
    dict
        Lever name → value, plus ``recruit_mix`` and ``allocation_weights`` (DataFrames)
        and ``notes`` (list of str).
    """

    if isinstance(data, pd.DataFrame):
        roster, flows = data, None
    else:
        roster, flows = getattr(data, "roster", None), getattr(data, "flows", None)
    out: dict = {"notes": []}
    if roster is None or not len(roster):
        out["notes"].append("no roster: nothing estimated")
        return out
    active = active_staff(roster)
    snap = _snapshot_year(roster)
    # exits other than retirement
    rate = _exit_rates_from_flows(flows, years) if flows is not None else None
    if rate:
        out["other_exit_rate"] = rate
        out["notes"].append(f"exit rates from flows.csv, mean of {years} years before the snapshot, "
                            "2025 (Decree 178 exits) left out")
    elif "exit_reason" in roster:
        reason = roster["exit_reason"].fillna("").astype(str).str.strip()
        left = roster[~reason.isin(["", "nan", "None", "huu", "nd178"])]
        if len(left):
            base = roster.groupby("category").size()
            per = left.groupby("category").size().reindex(base.index, fill_value=0) / base
            out["other_exit_rate"] = {str(k): round(float(v), 4) for k, v in per.items()}
            out["notes"].append("exit rates from the roster's leavers of the snapshot year")
    # recruits' qualification mix
    hires = _recent_hires(active, years)
    if len(hires) >= 20:
        st = states(hires)
        rows = []
        for dim in DIMENSIONS:
            g = pd.DataFrame({"category": hires["category"].astype(str).to_numpy(),
                              "level": hires["level"].astype(str).to_numpy(),
                              "dimension": dim, "state": st[dim].to_numpy()})
            rows.append(g.groupby(["category", "level", "dimension", "state"]).size().rename("count").reset_index())
        out["recruit_mix"] = pd.concat(rows, ignore_index=True)
        univ = hires["education"].astype(str).isin(_UNIVERSITY_PLUS).groupby(hires["category"].astype(str)).mean()
        out["recruit_university_share"] = {str(k): round(float(v), 3) for k, v in univ.items()}
        out["notes"].append(f"recruits' qualifications from the {len(hires)} staff hired in {snap - years + 1}–{snap}")
    # training places
    if flows is not None:
        caps = _capacities_from_flows(flows, years)
        for name, cap in caps.items():
            out[f"programmes.{name}.completions"] = cap
        if caps:
            out["notes"].append(f"training places = mean yearly completions in flows.csv over {years} years")
        weights = place_weights(flows, active, years)
        if weights is not None:
            out["allocation_weights"] = weights
            out["notes"].append(f"training places shared by category and level as the completions of "
                                f"the last {years} years in flows.csv, relative to the eligible staff")
    # new leaders' programme share: the present share among leaders
    leaders = active[active["leader"].astype(str).isin(["so", "phong"])]
    if len(leaders) >= 10:
        sm = leaders["state_mgmt"].astype(str)
        ok = np.where(leaders["leader"].astype(str) == "so", sm == "cvcc", sm.isin(["cvc", "cvcc"]))
        out["new_leader_programme_share"] = round(float(np.mean(ok)), 3)
    return out


def _flow_frame(flows) -> pd.DataFrame | None:
    if flows is None or not len(flows) or not {"year", "flow", "count"} <= set(flows.columns):
        return None
    return flows


def _exit_rates_from_flows(flows, years: int) -> dict | None:
    f = _flow_frame(flows)
    if f is None or "category" not in f:
        return None
    names = set(f["flow"].astype(str))
    exit_flows = [n for n in names if n.startswith("exit_") and n not in ("exit_huu", "exit_nd178")]
    if "headcount" not in names or not exit_flows:
        return None
    yrs = sorted(y for y in f["year"].unique() if y != 2025)[-years:]
    sel = f[f["year"].isin(yrs)]
    ex = sel[sel["flow"].isin(exit_flows)].groupby("category")["count"].sum()
    hc = sel[sel["flow"] == "headcount"].groupby("category")["count"].sum()
    rate = (ex.reindex(hc.index, fill_value=0) / hc).dropna()
    return {str(k): round(float(v), 4) for k, v in rate.items() if k in CATEGORIES} or None


def _capacities_from_flows(flows, years: int) -> dict:
    f = _flow_frame(flows)
    if f is None:
        return {}
    yrs = sorted(f["year"].unique())[-years:]
    sel = f[f["year"].isin(yrs)]
    out = {}
    for name, aliases in FLOW_PROGRAMMES.items():
        rows = sel[sel["flow"].isin(aliases)]
        if len(rows):
            out[name] = int(round(rows["count"].sum() / len(yrs)))
    return out


#: flows.csv stocks giving a programme's eligible staff in past years: (all, already past).
_FLOW_STOCKS = {"university": ("headcount", "university"), "postgraduate": ("university", "masters")}


def place_weights(flows, active: pd.DataFrame, years: int) -> pd.DataFrame | None:
    """Each programme's allocation weight by category × level, from the recent completions.

    The weight of a group is its completion rate (completions over eligible staff, summed
    over the last ``years`` years of ``flows.csv``) relative to the programme's overall
    rate, with one pseudo-completion at the overall rate so that a small group or a
    group without completions is drawn toward 1 and stays positive:
    ``w_g = (U_g + 1) / (E_g·r + 1)`` with ``r = ΣU / ΣE``. The eligible staff ``E_g``
    come from the stocks in ``flows.csv`` where there are some (university: headcount −
    graduates; postgraduate: graduates − master's), otherwise from the snapshot (staff in
    the programme's starting states, times the number of years). The engine shares a
    programme's places in proportion to eligible × weight.

    Returns
    -------
    DataFrame or None
        Columns ``programme``, ``category``, ``level``, ``weight``; None without
        completions by category and level.
    """

    f = _flow_frame(flows)
    if f is None or not {"category", "level"} <= set(f.columns) or not len(active):
        return None
    yrs = sorted(f["year"].unique())[-years:]
    sel = f[f["year"].isin(yrs)].assign(category=lambda d: d["category"].astype(str),
                                         level=lambda d: d["level"].astype(str))
    by = sel.groupby(["flow", "category", "level"])["count"].sum()
    st = states(active)
    keys = pd.MultiIndex.from_arrays([active["category"].astype(str), active["level"].astype(str)],
                                     names=["category", "level"])
    rows = []
    for name, aliases in FLOW_PROGRAMMES.items():
        prog = PROGRAMMES[name]
        done = by[by.index.get_level_values("flow").isin(aliases)].groupby(["category", "level"]).sum()
        if not len(done) or done.sum() <= 0:
            continue
        stocks = _FLOW_STOCKS.get(name)
        names = set(by.index.get_level_values("flow"))
        if stocks and set(stocks) <= names:
            elig = (by[stocks[0]] - by[stocks[1]].reindex(by[stocks[0]].index, fill_value=0)).clip(lower=0)
        else:
            starts = [a for a, _ in prog.moves]
            ok = st[prog.dimension].isin(starts).to_numpy()
            elig = pd.Series(ok.astype(float), index=keys).groupby(["category", "level"]).sum() * len(yrs)
        keep = (elig > 0).to_numpy()
        for key, allowed in prog.eligible.items():  # the programme's own population
            if key in ("category", "level"):
                keep &= elig.index.get_level_values(key).isin(list(allowed))
        elig = elig[keep]
        done = done.reindex(elig.index, fill_value=0).clip(lower=0)
        if not len(elig) or done.sum() <= 0:
            continue
        r = float(done.sum() / elig.sum())
        w = (done + 1.0) / (elig * r + 1.0)
        rows += [(name, c, v, round(float(x), 4)) for (c, v), x in w.items()]
    if not rows:
        return None
    return pd.DataFrame(rows, columns=["programme", "category", "level", "weight"])
