"""The baseline scenario's levers estimated from the history: exit rates, training capacities,
the qualification mix of recent recruits and each group's share of programme places, from the
roster snapshot and ``flows.csv``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.domain import definitions, vocabulary
from forecast.stockflow import panel, uncertainty
from forecast.stockflow.cohorts import active_staff, states
from forecast.stockflow.snapshots import roster_snapshot
from forecast.stockflow.spec import CATEGORIES, DIMENSIONS, PROGRAMMES

# ---------------------------------------------------------------------------------------
# The baseline from the history
# ---------------------------------------------------------------------------------------

#: Roster education codes of a university degree or higher.
_UNIVERSITY_PLUS = vocabulary.UNIVERSITY_PLUS
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


def estimate_baseline(data, years: int = 3, until: int | None = None) -> dict:
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
    until : int, optional
        The snapshot year the projection starts from: only the roster as of that year
        (:func:`forecast.stockflow.snapshots.roster_snapshot`) and the flows of the years up to
        it (``flows.csv`` year ≤ ``until``: the flows of year *t* run from November *t* − 1 to
        31 October *t*, so they precede the snapshot) are used. Default: the roster's latest
        year and every flow.

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
    if until is None:
        until = _snapshot_year(roster)
    if until is not None:
        roster = roster_snapshot(data, until)
        if flows is not None and "year" in flows:
            flows = flows[pd.to_numeric(flows["year"], errors="coerce") <= until]
    active = active_staff(roster)
    snap = _snapshot_year(roster)
    # exits other than retirement
    rate = _exit_rates_from_flows(flows, years) if flows is not None else None
    if rate:
        out["other_exit_rate"] = rate
        out["notes"].append(f"exit rates from flows.csv, mean of {years} years before the snapshot, "
                            "2025 (Decree 178 exits, end of the district level) left out")
    elif "exit_reason" in roster:
        reason = roster["exit_reason"].fillna("").astype(str).str.strip()
        left = roster[~(vocabulary.is_blank(reason) | reason.isin(vocabulary.SCHEDULED_EXITS))]
        if len(left):
            base = roster.groupby("category").size()
            per = left.groupby("category").size().reindex(base.index, fill_value=0) / base
            out["other_exit_rate"] = {str(k): round(float(v), 4) for k, v in per.items()}
            out["notes"].append("exit rates from the roster's leavers of the snapshot year")
    # recruits' qualification mix
    hires = _recent_hires(active, years)
    if len(hires) >= 20 and snap is not None:
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
        key = key_field_share(active)
        caps = _capacities_from_flows(flows, years, key)
        for name, cap in caps.items():
            out[f"programmes.{name}.completions"] = cap
        if caps:
            out["notes"].append(f"training places = mean yearly completions in flows.csv over {years} years "
                                "within each programme's population (2025 left out)")
        if key is not None and "postgraduate" in caps:
            out["notes"].append(f"post-graduate places: the {key:.0%} of master's completions in a key field "
                                "(the share among today's post-graduates)")
        spread = _spreads(flows, years)
        if "hire_date" in active and until is not None:
            hired = pd.to_datetime(active["hire_date"], errors="coerce").dt.year
            recruits = uncertainty.hire_share_spread(hired, active["education"].astype(str).isin(_UNIVERSITY_PLUS),
                                                     active["category"].astype(str), until, years)
            if recruits:
                spread["recruit_university_share"] = recruits
        if spread:
            out["uncertainty"] = spread
            out["notes"].append(f"parameter uncertainty: places, exit rates and recruits' university share drawn "
                                f"per path around their {years}-year means, by the spread of the yearly flows")
        weights = place_weights(flows, active, years)
        if weights is not None:
            out["allocation_weights"] = weights
            out["notes"].append(f"training places shared by category and level as the completions of "
                                f"the last {years} years in flows.csv, relative to the eligible staff")
    # new leaders' programme share: the present share among leaders
    so, phong = definitions.definition("T07"), definitions.definition("T08")
    leaders = active[(so.population.mask(active) | phong.population.mask(active)).to_numpy()]
    if len(leaders) >= 10:
        ok = np.where(so.population.mask(leaders), so.criterion.mask(leaders), phong.criterion.mask(leaders))
        out["new_leader_programme_share"] = round(float(np.mean(ok)), 3)
    if until is not None and not isinstance(data, pd.DataFrame):
        _from_panel(out, data, until, years)
    return out


def _from_panel(out: dict, data, until: int, years: int) -> None:
    """Replace or add the estimates the roster snapshots up to ``until`` identify better (see :mod:`.panel`)."""
    pairs = panel.panel_pairs(data, until, years)
    if not pairs:
        return
    span = f"the roster snapshots {pairs[0].year - 1}–{pairs[-1].year}"
    weights = panel.group_weights_from_panel(pairs)
    if weights is not None:
        out["allocation_weights"] = weights
        out["notes"].append(f"training places shared by group (leader post, pool, key cadre included) as the "
                            f"completions seen in {span}, relative to the eligible staff")
    mix = panel.appointee_mix(pairs)
    if mix is not None:
        out["appointee_mix"] = mix
        shares = panel.new_leader_share(mix)
        if shares:
            # the lever is a floor for every post: the lowest observed share never lifts a post above its own mix
            out["new_leader_programme_share"] = round(min(shares.values()), 3)
            out["notes"].append("appointees' qualifications as seen in " + span + " (new leaders holding their "
                                "post's programme: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()) + ")")
    now = panel.frame(roster_snapshot(data, until))
    for name, ratio in panel.eligible_trend(pairs, now).items():
        key = f"programmes.{name}.completions"
        if key in out:
            out[key] = int(round(out[key] * ratio))
    out["notes"].append(f"training places scaled to the staff still to train at {until} (relative to the "
                        f"window's mean): a steady completion rate, not a steady number")
    rate = panel.pool_review_rate(pairs)
    if rate is not None:
        out["pool_review_rate"] = round(rate, 4)
        out["notes"].append(f"{rate:.0%} of the succession pool reviewed out of it each year while staying "
                            f"in post ({span}); they swap places with ordinary staff")


#: Flow years left out of every estimate: 2025 brought the Decree 178 early exits and, on 1 July,
#: the end of the district level (its flows stop mid-year), so it is no ordinary year.
EXCEPTIONAL_YEARS = uncertainty.EXCEPTIONAL_YEARS


def _window(f: pd.DataFrame, years: int) -> list:
    """The last ``years`` flow years, exceptional years left out."""
    return sorted(y for y in f["year"].unique() if y not in EXCEPTIONAL_YEARS)[-years:]


def _flow_frame(flows) -> pd.DataFrame | None:
    if flows is None or not len(flows) or not {"year", "flow", "count"} <= set(flows.columns):
        return None
    return flows


def _spreads(flows, years: int) -> dict:
    """Standard errors (log scale) of the places and exit rates estimated from ``flows``
    (see :mod:`forecast.stockflow.uncertainty`)."""
    f = _flow_frame(flows)
    if f is None:
        return {}
    out: dict = {}
    progs = {}
    for name, aliases in FLOW_PROGRAMMES.items():
        rows = _in_population(f[f["flow"].isin(aliases)], PROGRAMMES[name])
        if len(rows):
            spread = uncertainty.group_spread(rows, years)
            if spread is not None:
                progs[name] = spread
    if progs:
        out["programmes"] = progs
    if "category" in f:
        names = set(f["flow"].astype(str))
        exits = [n for n in names if n.startswith("exit_") and n not in ("exit_huu", "exit_nd178")]
        rates = {}
        for cat, rows in f.groupby(f["category"].astype(str)):
            ex = uncertainty.yearly(rows[rows["flow"].isin(exits)], None)
            hc = uncertainty.yearly(rows[rows["flow"] == "headcount"], None)
            se = uncertainty.standard_error((ex / hc).dropna(), years) if len(ex) else None
            if se is not None and cat in CATEGORIES:
                rates[cat] = se
        if rates:
            out["other_exit_rate"] = rates
    return out


def _exit_rates_from_flows(flows, years: int) -> dict | None:
    f = _flow_frame(flows)
    if f is None or "category" not in f:
        return None
    names = set(f["flow"].astype(str))
    exit_flows = [n for n in names if n.startswith("exit_") and n not in ("exit_huu", "exit_nd178")]
    if "headcount" not in names or not exit_flows:
        return None
    yrs = _window(f, years)
    sel = f[f["year"].isin(yrs)]
    ex = sel[sel["flow"].isin(exit_flows)].groupby("category")["count"].sum()
    hc = sel[sel["flow"] == "headcount"].groupby("category")["count"].sum()
    rate = (ex.reindex(hc.index, fill_value=0) / hc).dropna()
    return {str(k): round(float(v), 4) for k, v in rate.items() if k in CATEGORIES} or None


def _in_population(rows: pd.DataFrame, prog) -> pd.DataFrame:
    """The rows of ``flows.csv`` inside a programme's own population (its category and level filter).

    Completions outside it (e.g. the political-theory courses public employees take, or the
    ``standardised`` flag of staff other than commune cadres) are not places of the
    programme the engine models.
    """
    keep = np.ones(len(rows), dtype=bool)
    for key, allowed in prog.eligible.items():
        if key in ("category", "level") and key in rows:
            keep &= rows[key].astype(str).isin(list(allowed)).to_numpy()
    return rows[keep]


def _capacities_from_flows(flows, years: int, key_share: float | None = None) -> dict:
    """Mean yearly completions per programme in its own population over the last ``years`` years.

    ``key_share``: the share of post-graduates holding their degree in a key field; the
    post-graduate programme moves people to a key-field degree (T11), so only that share of
    the master's completions counts (the others stay university+ for every other target).
    """
    f = _flow_frame(flows)
    if f is None:
        return {}
    yrs = _window(f, years)
    sel = f[f["year"].isin(yrs)]
    out = {}
    for name, aliases in FLOW_PROGRAMMES.items():
        rows = _in_population(sel[sel["flow"].isin(aliases)], PROGRAMMES[name])
        if len(rows):
            total = rows["count"].sum() / len(yrs)
            if name == "postgraduate" and key_share is not None:
                total *= key_share
            out[name] = int(round(total))
    return out


def key_field_share(active: pd.DataFrame) -> float | None:
    """Share of the post-graduates in a key field (None without post-graduates)."""
    edu = states(active)["education"]
    post = edu.isin([2, 3])
    if post.sum() < 10:
        return None
    return float((edu[post] == 2).mean())


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
    yrs = _window(f, years)
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
