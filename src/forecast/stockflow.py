"""The manpower stock-flow engine: a roster snapshot stepped year by year under a scenario.

A Markov manpower model (Bartholomew, Forbes & McClean, *Statistical techniques for
manpower planning*, 1991; see ``METHODS.md`` §3) on **cohort counts**, never on people:

* a *cell* is a population group (category × level × leader post × key cadre × pool
  membership, the attributes the targets' populations are defined on) × the snapshot
  year in which its members reach the statutory retirement age (Decree 135/2020, by
  exact birth month and sex, :mod:`forecast.retirement`); the retirement year is all the
  engine needs of birth date and sex;
* each cell carries, per *qualification dimension* (education, political theory, state
  management programme, the three skills of T09 jointly, standardisation), the count of
  its members in each state of that dimension;
* Monte-Carlo draws are the last array axis, so one year is a handful of array operations
  whatever the number of staff.

One year (snapshot ``t-1`` → ``t``, 31 October) applies, in order:

1. statutory retirements (deterministic: the whole cell retiring in ``t`` leaves);
2. other exits, binomial by cell at the scenario's rate of the group (by cell and
   education state when graduates leave at another rate); the exits of a cell are spread
   over the states of the (other) dimensions by systematic sampling, a cheap stand-in for
   the multivariate hypergeometric with the right means;
3. training completions due in ``t``, then new enrolments: each programme's yearly
   capacity is shared over the eligible cells in proportion to their eligible counts
   times the group's allocation weight ``w`` (estimated from the history's completions,
   1 without history): enrolment = ``floor(eligible · min(1, λ·w) + U)``, ``λ`` the
   level that fills the places (``capacity / Σ eligible`` when all weights are 1);
   completers are binomial at the completion rate and move after ``duration`` years;
   people who would reach retirement before completing are not enrolled;
4. vacancies of appointed posts (leaders, the succession pool, key commune cadres) are
   filled by appointment with the qualification mix of the group appointed from, new
   leaders holding the post's programme at least in the scenario's share;
5. recruitment into the other groups: ``replacement_rate`` × exits + ``headcount_change``
   × headcount, with the qualification mix of recent recruits.

Every binomial is drawn by inversion of its CDF at a counter-based uniform keyed by
(seed, year, flow, position) — common random numbers: two scenarios projected with the
same seed see the same uncertainty, and while places are fewer than the staff to train a
scenario with more places ends with at least as many qualified staff in every draw (see
``docs/stockflow.md``).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtri

from forecast import retirement
from forecast.results import Forecast

# ---------------------------------------------------------------------------------------
# State space
# ---------------------------------------------------------------------------------------

#: Integer type of the cell counts (2.5 million staff fit; half the memory traffic of int64).
COUNT = np.int32

#: Attributes a population group is made of (the targets' populations use nothing else).
GROUP_KEYS = ("category", "level", "leader", "key_cadre", "in_pool")

#: Qualification dimensions and their states, in order (state codes are the positions).
#: ``education``: post-graduates are split by field because T11 counts the key fields only.
#: ``skills``: a bit mask, language = 1, IT = 2, standard training = 4 (T09 needs all three).
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "education": ("below_university", "university", "postgrad_key_field", "postgrad_other_field"),
    "political_theory": ("none", "so_cap", "trung_cap", "cao_cap"),
    "state_mgmt": ("none", "cvc", "cvcc"),
    "skills": tuple(f"l{b & 1}i{(b >> 1) & 1}s{(b >> 2) & 1}" for b in range(8)),
    "standardised": ("no", "yes"),
}
LANGUAGE, IT, STANDARD = 1, 2, 4

#: Roster columns the engine reads.
ROSTER_COLUMNS = ("birth_year", "birth_month", "sex", "category", "level", "leader", "key_cadre",
                  "in_pool", "education", "field", "political_theory", "state_mgmt",
                  "foreign_language", "it_skill", "standard_training", "standardised")

_UNIVERSITY_PLUS = (1, 2, 3)


@dataclass(frozen=True)
class Programme:
    """An in-service training programme: which state moves to which, and who may enrol.

    Attributes
    ----------
    name : str
        Lever name in scenario files (``programmes.<name>.capacity`` …).
    dimension : str
        The qualification dimension it changes.
    moves : tuple of (int, int)
        ``(from_state, to_state)`` pairs.
    eligible : dict
        Group attribute → allowed values; a group is eligible when every attribute matches.
    label : str
        English name for reports.
    priority : tuple of dict
        Priority tiers (group filters, first served first): places go to the first tier's
        eligible staff, what is left to the next, then to everyone else eligible.
    """

    name: str
    dimension: str
    moves: tuple
    eligible: dict
    label: str
    priority: tuple = ()


def _skill_moves(bit: int) -> tuple:
    return tuple((s, s | bit) for s in range(8) if not s & bit)


_CBCC = ("can_bo", "cong_chuc")
#: Leader posts filled by promotion (department ``so`` and division ``phong`` level).
LEADER_POSTS = ("so", "phong")

#: The programmes of the plan's training effort (Plan 165/KH-UBND, section III).
#: Priority tiers follow the plan (section III): places for the programme a post requires
#: go first to the holders of that post, then to the succession pool. They apply to the
#: share of places the scenario reserves (lever ``priority_share``); the other places are
#: shared in proportion to who is eligible times the group's weight from the history.
PROGRAMMES: dict[str, Programme] = {p.name: p for p in (
    Programme("university", "education", ((0, 1),), {}, "University degree (in-service)",
              ({"key_cadre": (1,), "level": ("xa",)},)),
    Programme("postgraduate", "education", ((1, 2),), {}, "Master's/doctorate in a key field"),
    Programme("political_theory_elementary", "political_theory", ((0, 1),),
              {"category": _CBCC}, "Elementary political theory (sơ cấp)", ({"in_pool": (1,)},)),
    Programme("political_theory_intermediate", "political_theory", ((0, 2), (1, 2)),
              {"category": _CBCC}, "Intermediate political theory (trung cấp)",
              ({"category": ("can_bo",), "level": ("xa",)}, {"in_pool": (1,)})),
    Programme("political_theory_senior", "political_theory", ((2, 3),),
              {"category": _CBCC}, "Senior political theory (cao cấp)", ({"leader": LEADER_POSTS},)),
    Programme("principal_specialist", "state_mgmt", ((0, 1),), {}, "Principal specialist programme (CVC)",
              ({"leader": LEADER_POSTS}, {"in_pool": (1,)})),
    Programme("senior_specialist", "state_mgmt", ((1, 2),), {}, "Senior specialist programme (CVCC)",
              ({"leader": ("so",)}, {"leader": ("phong",)}, {"in_pool": (1,)})),
    Programme("language", "skills", _skill_moves(LANGUAGE), {}, "Foreign-language course"),
    Programme("it", "skills", _skill_moves(IT), {}, "IT course"),
    Programme("standard_training", "skills", _skill_moves(STANDARD), {},
              "Training required by grade, title and job position"),
    Programme("standardisation", "standardised", ((0, 1),),
              {"category": ("can_bo",), "level": ("xa",)}, "Commune cadre standardisation"),
)}


@dataclass(frozen=True)
class TargetSpec:
    """How a target reads on cells: a population filter on groups and a criterion."""

    population: dict
    dimension: str
    states: tuple
    kind: str = "share"


#: Target definitions of ``docs/architecture.md`` expressed on the engine's states.
TARGET_SPECS: dict[str, TargetSpec] = {
    "T01": TargetSpec({"category": _CBCC, "level": ("tinh", "huyen")}, "education", _UNIVERSITY_PLUS),
    "T02": TargetSpec({"category": ("vien_chuc",)}, "education", _UNIVERSITY_PLUS),
    "T03": TargetSpec({"category": _CBCC, "in_pool": (1,)}, "political_theory", (1, 2, 3)),
    "T04": TargetSpec({"category": ("can_bo",), "level": ("xa",)}, "political_theory", (2, 3)),
    "T05": TargetSpec({"key_cadre": (1,), "level": ("xa",)}, "education", _UNIVERSITY_PLUS),
    "T06": TargetSpec({"category": _CBCC, "level": ("xa",)}, "education", _UNIVERSITY_PLUS),
    "T07": TargetSpec({"leader": ("so",)}, "state_mgmt", (2,)),
    "T08": TargetSpec({"leader": ("phong",)}, "state_mgmt", (1, 2)),
    "T09": TargetSpec({}, "skills", (7,)),
    "T09a": TargetSpec({}, "skills", tuple(s for s in range(8) if s & LANGUAGE)),
    "T09b": TargetSpec({}, "skills", tuple(s for s in range(8) if s & IT)),
    "T09c": TargetSpec({}, "skills", tuple(s for s in range(8) if s & STANDARD)),
    "T10": TargetSpec({"category": ("can_bo",), "level": ("xa",)}, "standardised", (1,)),
    "T11": TargetSpec({}, "education", (2,), kind="count"),
}


# ---------------------------------------------------------------------------------------
# Roster -> cohorts
# ---------------------------------------------------------------------------------------


def _factor(values, missing: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and labels of a text column, stripped, computed once per distinct value.

    Rosters are long and have few distinct values per column: every string operation runs
    on the distinct values only. Missing values get the label ``missing``.
    """
    codes, uniques = pd.factorize(pd.Series(values), use_na_sentinel=True)
    clean = [str(u).strip() for u in uniques]
    if (codes < 0).any():
        clean.append(missing)  # the sentinel -1 picks this last entry
    if not clean:
        return codes, np.array([], dtype=str)
    labels, lut = np.unique(np.array(clean, dtype=str), return_inverse=True)
    return lut.ravel()[codes], labels


def _text(values, missing: str = "") -> np.ndarray:
    """Stripped strings of a column (see :func:`_factor`)."""
    codes, labels = _factor(values, missing)
    return labels.astype(object)[codes]


_NO = {"", "0", "0.0", "none", "nan", "khong", "không", "false", "no"}


def _flag(values) -> np.ndarray:
    """0/1 from a yes/no column (numbers, booleans or words such as ``co``/``khong``)."""
    codes, uniques = pd.factorize(pd.Series(values), use_na_sentinel=True)
    yes = []
    for u in uniques:
        num = pd.to_numeric(pd.Series([u]), errors="coerce").iloc[0]
        yes.append(bool(num > 0) if pd.notna(num) else str(u).strip().lower() not in _NO)
    return np.array([*yes, False], dtype=np.int8)[codes]


def _codes(values, mapping: dict, column: str, missing: str = "none") -> np.ndarray:
    """State codes of a column through ``mapping``; unknown values are named with their rows."""
    codes, labels = _factor(values, missing)
    bad = [str(v) for v in labels if v not in mapping]
    if bad:
        rows = list(np.flatnonzero(np.isin(labels[codes], bad))[:5])
        raise ValueError(f"roster column {column!r}: unknown value(s) {bad[:5]} (rows {rows})")
    lut = np.array([mapping[v] for v in labels], dtype=np.int64)
    return lut[codes]


def active_staff(roster: pd.DataFrame) -> pd.DataFrame:
    """Rows of people in post on 31 October of the snapshot year.

    The rule of :func:`forecast.roster.active_on` (hired by then, not yet left), so the
    engine starts from the values the observations report; a roster without dates counts
    everyone.
    """
    if not {"hire_date", "exit_date", "year"} <= set(roster.columns):
        return roster
    from forecast.roster import active_on

    dated = roster
    if not all(pd.api.types.is_datetime64_any_dtype(roster[c]) for c in ("hire_date", "exit_date")):
        dated = roster.assign(hire_date=pd.to_datetime(roster["hire_date"], errors="coerce"),
                              exit_date=pd.to_datetime(roster["exit_date"], errors="coerce"))
    return roster[active_on(dated).to_numpy()]


def retirement_years(roster: pd.DataFrame) -> np.ndarray:
    """The first 31 October snapshot at which each person has retired.

    A person reaching the statutory age in month ``m`` of year ``y`` counts as retired
    from the first day of month ``m + 1`` (:mod:`forecast.retirement`), so they are gone
    from the ``y`` snapshot if ``m`` ≤ September, else from the ``y + 1`` snapshot.
    Computed once per distinct (birth year, birth month, sex).
    """
    sex_code, sex_labels = _factor(roster["sex"], "")
    by = roster["birth_year"].to_numpy(np.int64)
    bm = roster["birth_month"].to_numpy(np.int64)
    key = (by * 13 + bm) * len(sex_labels) + sex_code
    uniq, inv = np.unique(key, return_inverse=True)
    u_sex = sex_labels[uniq % len(sex_labels)]
    u_bm = (uniq // len(sex_labels)) % 13
    u_by = (uniq // len(sex_labels)) // 13
    ry, rm = retirement.retirement_date(u_by, u_bm, u_sex)
    return np.where(rm <= 9, ry, ry + 1)[inv.ravel()]


def states(roster: pd.DataFrame) -> pd.DataFrame:
    """Each person's state code on every qualification dimension (see :data:`DIMENSIONS`)."""
    edu = _codes(roster["education"], {"chua_dao_tao": 0, "so_cap": 0, "trung_cap": 0, "cao_dang": 0,
                                       "dai_hoc": 1, "thac_si": 2, "tien_si": 2}, "education", missing="(empty)")
    key_field = _text(roster["field"], "khac") != "khac"
    education = np.where(edu == 2, np.where(key_field, 2, 3), edu)
    return pd.DataFrame({
        "education": education,
        "political_theory": _codes(roster["political_theory"],
                                   {"none": 0, "": 0, "so_cap": 1, "trung_cap": 2, "cao_cap": 3}, "political_theory"),
        "state_mgmt": _codes(roster["state_mgmt"], {"none": 0, "": 0, "cv": 0, "cvc": 1, "cvcc": 2}, "state_mgmt"),
        "skills": (_flag(roster["foreign_language"]) * LANGUAGE + _flag(roster["it_skill"]) * IT
                   + _flag(roster["standard_training"]) * STANDARD),
        "standardised": _flag(roster["standardised"]),
    }, index=roster.index)


def _check_roster(roster: pd.DataFrame) -> None:
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise ValueError(f"roster lacks column(s) {missing} needed by the stock-flow engine")


_COHORT_CACHE: dict = {}


def _cohorts_cached(roster: pd.DataFrame) -> pd.DataFrame:
    """:func:`cohorts` memoised per roster object (the explorer projects one roster often).

    Keyed by the object's id, checked against a weak reference so that a new frame
    reusing a freed id is never served stale counts; a frame mutated in place is not
    detected, so callers treat rosters as immutable (the dataset loader does).
    """
    import weakref

    key = id(roster)
    hit = _COHORT_CACHE.get(key)
    if hit is not None and hit[0]() is roster and hit[1] == roster.shape:
        return hit[2]
    out = cohorts(roster)
    try:
        ref = weakref.ref(roster, lambda _r, k=key: _COHORT_CACHE.pop(k, None))
    except TypeError:
        return out
    if len(_COHORT_CACHE) > 16:
        _COHORT_CACHE.clear()
    _COHORT_CACHE[key] = (ref, roster.shape, out)
    return out


def cohorts(roster: pd.DataFrame) -> pd.DataFrame:
    """Aggregate a roster snapshot into the cohort counts the engine starts from.

    Parameters
    ----------
    roster : DataFrame
        One row per person in the roster format of ``docs/architecture.md``; people with
        an ``exit_reason`` are left out (they left during the snapshot year).

    Returns
    -------
    DataFrame
        One row per (group, retirement year, joint qualification state) with ``count``:
        columns :data:`GROUP_KEYS`, ``retire_year`` (first snapshot without them) and one
        column per :data:`DIMENSIONS` entry holding state codes. Only aggregates: no
        individual record survives.
    """
    _check_roster(roster)
    active = active_staff(roster)
    # group on integer codes (fast on millions of rows), then put the labels back
    cols, labels = {}, {}
    for key, missing in (("category", ""), ("level", ""), ("leader", "none")):
        cols[key], lab = _factor(active[key], missing)
        labels[key] = np.where(lab == "", missing, lab).astype(object)
    cols["key_cadre"] = _flag(active["key_cadre"])
    cols["in_pool"] = _flag(active["in_pool"])
    cols["retire_year"] = retirement_years(active)
    frame = pd.DataFrame(cols)
    for dim, codes in states(active).items():
        frame[dim] = codes.to_numpy()
    keys = [*GROUP_KEYS, "retire_year", *DIMENSIONS]
    out = frame.groupby(keys, sort=False).size().rename("count").reset_index()
    for key, lab in labels.items():
        out[key] = lab[out[key].to_numpy()]
    out["key_cadre"] = out["key_cadre"].astype(int)
    out["in_pool"] = out["in_pool"].astype(int)
    # labels that differed only by spaces or emptiness now coincide: add them up
    return out.groupby(keys, sort=True)["count"].sum().reset_index()


# ---------------------------------------------------------------------------------------
# Random numbers: binomial by inversion (common random numbers)
# ---------------------------------------------------------------------------------------


def binomial_inverse(u, n, p) -> np.ndarray:
    """Quantile of Binomial(``n``, ``p``) at ``u``: the smallest k with F(k) ≥ u.

    Exact (pmf recursion from 0) where the variance ``n p (1 − p)`` is below 9; above, the
    Cornish–Fisher expansion with continuity correction (off by one in under 1 % of
    draws). Monotone in ``u``, ``n`` and ``p``, which is what makes common random numbers
    give monotone scenario comparisons.

    Parameters
    ----------
    u : array of float in (0, 1)
    n : array of int ≥ 0
    p : float or array of float in [0, 1]

    Returns
    -------
    ndarray of int, the shape of ``n``.
    """
    n = np.asarray(n)
    shape = n.shape
    n = n.ravel()
    out = np.zeros(n.size, dtype=n.dtype if n.dtype.kind == "i" else np.int64)
    pp = np.broadcast_to(np.asarray(p, dtype=float), shape).ravel()
    certain = (n > 0) & (pp >= 1)
    out[certain] = n[certain]
    live = np.flatnonzero((n > 0) & (pp > 0) & (pp < 1))  # the others are not random
    if live.size:
        u = np.asarray(u, dtype=float).ravel()[live]
        out[live] = _binomial_live(u, n[live], pp[live])
    return out.reshape(shape)


def _binomial_live(u: np.ndarray, n: np.ndarray, p, prow: np.ndarray | None = None) -> np.ndarray:
    """:func:`binomial_inverse` for flat arrays with n > 0 and 0 < p < 1 (no checks).

    ``p`` is an array like ``n``, one float (completion rates), or, with ``prow``, an
    array of a few probabilities and ``prow`` the one each variate uses (one rate per
    cell or group, shared by its draws). With one probability the tail flip, the ratio
    p / (1 − p) and the first steps of the pmf recursion (tables over the n present) are
    computed once; with ``prow`` the logarithm and the ratio once per probability. The
    arithmetic is the same on every path, so a variate does not depend on which drew it.
    """
    n = n.astype(np.int64, copy=False)  # int64: indexes the tables without a cast per look-up
    scalar = np.ndim(p) == 0
    if prow is not None:
        flip_rows = p > 0.5
        any_flip = bool(flip_rows.any())
        if any_flip:
            p = np.where(flip_rows, 1.0 - p, p)
            flip = flip_rows[prow]
            u = np.where(flip, 1.0 - u, u)
    elif scalar:
        p = float(p)
        flip = p > 0.5
        any_flip = flip
        if flip:  # work in the smaller tail
            p = 1.0 - p
            u = 1.0 - u
    else:
        flip = p > 0.5
        any_flip = bool(flip.any())
        if any_flip:
            p = np.where(flip, 1.0 - p, p)
            u = np.where(flip, 1.0 - u, u)
    res = np.zeros(n.size, dtype=np.int64)
    nmax = int(n.max())
    # the variance n p (1 - p) ≤ n / 4: below 36 trials every variate is drawn exactly
    big = None
    if nmax >= 36:
        var = n * (p if prow is None else p[prow]) * (1.0 - (p if prow is None else p[prow]))
        big = var >= 9.0
        if not big.any():
            big = None
    if big is not None:
        nb = n[big]
        pb = p if scalar else (p[big] if prow is None else p[prow[big]])
        sd = np.sqrt(var[big])
        z = ndtri(np.clip(u[big], 1e-12, 1 - 1e-12))
        g = (1.0 - 2.0 * pb) / sd  # skewness
        w = z + g * (z * z - 1.0) / 6.0 - g * g * (2.0 * z ** 3 - 5.0 * z) / 36.0
        res[big] = np.clip(np.floor(nb * pb + sd * w + 0.5), 0, nb)
        pos = np.flatnonzero(~big)
        if not pos.size:
            return np.where(flip, n - res, res) if any_flip else res
        ns, us = n[pos], u[pos]
        if prow is None:
            ps = p if scalar else p[pos]
        else:
            ps, prow = p, prow[pos]
    else:
        pos, ns, us, ps = None, n, u, p
    # exact inversion: count the k with F(k) < u, walking the pmf recursion from 0;
    # the first steps run on the whole array (no compaction: cheaper), the rare
    # long tails on the shrinking remainder
    if scalar and int(ns.max()) > max(4096, 4 * ns.size):  # tables larger than the draws
        scalar, ps = False, np.full(ns.size, ps)
    if scalar:
        # one probability: the first steps of the recursion are tables over 0 … max n,
        # computed with the same arithmetic as per variate and looked up
        pm_t, cdf_t = _pmf_tables(int(ns.max()), ps)
        pm = pm_t[0][ns]
    elif prow is not None:
        pm = np.log1p(-ps)[prow]
        pm *= ns
        np.exp(pm, out=pm)
    else:
        pm = np.log1p(-ps)
        pm *= ns
        np.exp(pm, out=pm)
    # most draws of a year are 0 (u ≤ P(X = 0)): settle them before the recursion
    more = np.flatnonzero(us > pm)
    if not more.size:
        return np.where(flip, n - res, res) if any_flip else res
    pos = more if pos is None else pos[more]
    ns, us = ns[more], us[more]
    if scalar:
        r = ps / (1.0 - ps)
        k_out = np.ones(pos.size, dtype=np.int64)
        for k in range(_UNROLLED):
            k_out += us > cdf_t[k + 1][ns]
        cdf = cdf_t[_UNROLLED][ns]
        pm = pm_t[_UNROLLED][ns]
    else:
        pm = pm[more]
        if prow is not None:
            r = (ps / (1.0 - ps))[prow[more]]
        else:
            ps = ps[more]
            r = ps / (1.0 - ps)
        nf = ns.astype(float)
        cdf = pm.copy()
        k_out = np.ones(pos.size, dtype=np.int64)
        step = np.empty_like(pm)
        for k in range(_UNROLLED):
            np.subtract(nf, k, out=step)
            step *= r
            step *= 1.0 / (k + 1)
            pm *= step
            cdf += pm
            k_out += us > cdf
    np.minimum(k_out, ns, out=k_out)
    res[pos] = k_out
    rest = np.flatnonzero((us > cdf) & (ns > _UNROLLED + 1))
    if rest.size:
        pos, ns, us, pm, cdf = pos[rest], ns[rest], us[rest], pm[rest], cdf[rest]
        if not scalar:
            r = r[rest]
        k = _UNROLLED + 1
        while pos.size:
            pm = pm * ((ns - k + 1) * r / k)
            cdf += pm
            done = (cdf >= us) | (ns <= k)
            res[pos[done]] = k
            keep = ~done
            pos, ns, us, pm, cdf = pos[keep], ns[keep], us[keep], pm[keep], cdf[keep]
            if not scalar:
                r = r[keep]
            k += 1
    if any_flip:
        res = np.where(flip, n - res, res)
    return res


_UNROLLED = 4


def _pmf_tables(nmax: int, p: float) -> tuple[list, list]:
    """P(X = k) and P(X ≤ k), k = 0 … :data:`_UNROLLED`, of Binomial(n, p) for n = 0 … nmax.

    The per-variate recursion of :func:`_binomial_live` run once per n (bit for bit the
    same numbers), for draws that share one probability.
    """
    nf = np.arange(nmax + 1, dtype=np.float64)
    pm = nf * np.log1p(np.full(1, -p))
    np.exp(pm, out=pm)
    r = np.full(1, p)
    r /= 1.0 - p
    pms, cdfs = [pm.copy()], [pm.copy()]
    cdf = pm.copy()
    step = np.empty_like(pm)
    for k in range(_UNROLLED):
        np.subtract(nf, k, out=step)
        step *= r
        step *= 1.0 / (k + 1)
        pm *= step
        cdf += pm
        pms.append(pm.copy())
        cdfs.append(cdf.copy())
    return pms, cdfs


class _Streams:
    """Counter-based uniforms per (flow, year, position): a number depends only on its
    key and position, never on how many numbers other flows consumed, so scenarios
    projected with the same seed share their randomness."""

    #: When a list, every binomial's (n, p) arrays are appended to it (the benchmark
    #: replays them through numpy's own sampler to time the floor).
    record: list | None = None

    def __init__(self, seed: int):
        self.seed = int(seed)
        self.variates = 0       # binomial variates drawn (for the benchmark)
        self.trials = 0         # Σ n over them

    def uniform(self, flow: str, year: int, shape) -> np.ndarray:
        """Uniforms of a whole (flow, year) stream in ``shape`` (positions in C order)."""
        return self.uniform_at(flow, year, np.arange(int(np.prod(shape)), dtype=np.uint64)).reshape(shape)

    def _book(self, n: np.ndarray, p, prow: np.ndarray | None = None) -> None:
        """Book the non-trivial variates drawn (n > 0, 0 < p < 1) for the benchmark."""
        self.variates += n.size
        self.trials += int(n.sum())
        if _Streams.record is not None:  # each variate's own probability
            p = p[prow] if prow is not None else np.broadcast_to(p, n.shape)
            _Streams.record.append((n.copy(), np.array(p, dtype=float)))

    def uniform_at(self, flow: str, year: int, index) -> np.ndarray:
        """The uniforms of positions ``index`` of a (flow, year) stream, computed alone.

        A counter-based draw: the SplitMix64 finaliser (Steele, Lea & Flood 2014) of
        (stream key, position). Only the positions needed are computed, yet every
        position keeps its own number whatever else is drawn: common random numbers for
        sparse draws (completions, entrants' qualifications).
        """
        key = (zlib.crc32(flow.encode()) << 32) ^ (int(year) << 16) ^ (self.seed * 0x9E3779B1)
        # (position + key·γ) + γ folded into one addition (modulo 2^64, as the hash does)
        z = np.asarray(index).astype(np.uint64)  # a copy: the hash works in place
        z += np.uint64((key * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
        tmp = np.empty_like(z)
        for shift, mult in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
            np.right_shift(z, np.uint64(shift), out=tmp)
            z ^= tmp
            z *= np.uint64(mult)
        np.right_shift(z, np.uint64(31), out=tmp)
        z ^= tmp
        z >>= np.uint64(40)
        u = z.astype(np.float64)
        u += 0.5
        u *= 2.0 ** -24
        return u

    def binomial(self, flow: str, year: int, n: np.ndarray, p, index=None) -> np.ndarray:
        """Binomial(n, p) draws, shape of ``n``; only the non-trivial ones cost anything.

        ``p`` is one float or an array broadcastable to ``n``. ``index`` gives each entry's
        position in the stream when ``n`` is part of a larger array (default: the position
        in ``n``): an array the shape of ``n``, or a function mapping flat positions in
        ``n`` to stream positions.
        """
        if np.ndim(p) == 0:  # one probability (completion rates): fewer passes
            p = float(p)
            if p >= 1 or p <= 0:
                return n.copy() if p >= 1 else np.zeros_like(n)
            out = np.zeros_like(n)
            live = np.flatnonzero(n != 0)  # a boolean mask: much faster than on integers
            pl = p
        else:
            # the tests on p run at p's own shape (often one value per cell), then broadcast
            p = np.asarray(p, dtype=float)
            certain = p >= 1
            out = np.where(certain, n, 0).astype(n.dtype) if certain.any() else np.zeros_like(n)
            live = np.flatnonzero((n > 0) & ((p > 0) & (p < 1)))
            pl = None
        if not live.size:
            return out
        nl = n.reshape(-1)[live]
        if index is None:
            pos = live
        elif callable(index):
            pos = index(live)
        else:
            pos = np.asarray(index).reshape(-1)[live]
        u = self.uniform_at(flow, year, pos)
        prow = None
        if pl is None:
            if p.shape == n.shape:
                pl = p.reshape(-1)[live]
            elif p.ndim == n.ndim and p.shape[-1] == 1 and p.shape[:-1] == n.shape[:-1]:
                pl, prow = p.reshape(-1), live // n.shape[-1]  # one value per row of draws
            else:
                pl = np.broadcast_to(p, n.shape).reshape(-1)[live]
        self._book(nl, pl, prow)
        out.reshape(-1)[live] = _binomial_live(u, nl, pl, prow)
        return out


def _stack_positions(live: np.ndarray, block: int, stack_pos: np.ndarray) -> np.ndarray:
    """Stream positions of flat positions ``live`` in a stack of blocks of ``block`` entries,
    the j-th block sitting at ``stack_pos[j]`` in the stream."""
    j, r = np.divmod(live, block)
    r += stack_pos[j]
    return r


def _systematic(total: np.ndarray, counts: np.ndarray, u: np.ndarray, n: np.ndarray | None = None) -> np.ndarray:
    """Spread ``total`` (cells × draws) over states (``counts``: states × cells × draws).

    Systematic sampling: every state gets its proportional share ± 1, the parts sum to
    ``total`` exactly and never exceed the state's count. ``n`` (the counts' sum over
    states) may be passed when known.
    """
    if n is None:
        n = counts.sum(axis=0)
    frac = (total / np.maximum(n, 1)).astype(np.float32)
    u = u.astype(np.float32, copy=False)
    whole = total.astype(np.float32)  # exact: counts stay far below 2^24
    out = np.empty(counts.shape, dtype=counts.dtype)
    cum = np.zeros(total.shape, dtype=np.float32)
    prev = np.floor(u)  # zeros: floor(0 · frac + u)
    edge = np.empty_like(cum)
    last = len(counts) - 1
    for k in range(len(counts)):
        if k == last:
            edge = whole  # the parts sum to the total
        else:
            cum += counts[k]
            np.multiply(cum, frac, out=edge)
            edge += u
            np.floor(edge, out=edge)
            np.minimum(edge, whole, out=edge)  # guards float rounding
        np.subtract(edge, prev, out=out[k], casting="unsafe")
        prev, edge = edge, prev  # reuse the buffers
    return out


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
        return Forecast(self.years, d, method=f"stockflow:{self.scenario}", kind=kind, notes=notes)

    def p_meet(self, target_id: str, year: int | None = None) -> float:
        """Probability of meeting the target in ``year`` (default: the last projected year).

        Share targets: P(share ≥ threshold); T11 (direction only): P(the count rises
        every year from the snapshot).
        """
        self._check(target_id)
        year = int(self.years[-1] if year is None else year)
        if TARGET_SPECS[target_id].kind == "count":
            f = self.forecast(target_id)
            cut = np.flatnonzero(f.years <= year)
            return float(np.mean(np.all(np.diff(np.concatenate(
                [np.full((f.draws.shape[0], 1), self.start_value(target_id)), f.draws[:, cut]], axis=1),
                axis=1) > 0, axis=1)))
        thr = _threshold(target_id)
        idx = np.flatnonzero(self.years == year)
        if not len(idx):
            raise KeyError(f"{year} is not a projected year ({self.years[0]}–{self.years[-1]})")
        num = self.numerators[target_id][:, idx[0]]
        den = self.denominators[target_id][:, idx[0]]
        # integer comparison avoids float trouble at 100 % and 95 % thresholds
        return float(np.mean((den > 0) & (num * 10000 >= np.round(thr * 10000) * den)))


def _threshold(target_id: str) -> float:
    from forecast.targets import get_target

    base = target_id[:3]
    t = get_target(base)
    if t.share is None:
        raise ValueError(f"{target_id} has no threshold")
    return float(t.share)


def _matches(groups: pd.DataFrame, spec: Mapping) -> np.ndarray:
    ok = np.ones(len(groups), dtype=bool)
    for key, allowed in spec.items():
        ok &= groups[key].isin(list(allowed)).to_numpy()
    return ok


def _per_category(value, groups: pd.DataFrame, name: str) -> np.ndarray:
    """A lever given as a number or as {category or 'default': number} → one value per group."""
    if isinstance(value, Mapping):
        default = value.get("default")
        out = []
        for cat in groups["category"]:
            v = value.get(cat, default)
            if v is None:
                raise ValueError(f"lever {name}: no value for category {cat!r} and no 'default'")
            out.append(float(v))
        return np.asarray(out)
    return np.full(len(groups), float(value))


def project(roster, scenario, start_year: int | None = None, end_year: int = 2030,
            n_draws: int = 1000, seed: int = 0, history: Mapping | None = None) -> Projection:
    """Project every target from a roster snapshot under a scenario.

    Parameters
    ----------
    roster : DataFrame or Dataset
        The snapshot (roster format), or a dataset with a ``roster`` (its history then
        fills the scenario's ``from_history`` levers, see
        :func:`forecast.scenarios.estimate_baseline`).
    scenario : Scenario or str
        A :class:`forecast.scenarios.Scenario` or a scenario name/path.
    start_year : int, optional
        Snapshot year; defaults to the roster's ``year`` column (its maximum).
    end_year : int
        Last projected snapshot (2030 for the plan, up to 2045 for the vision).
    n_draws : int
        Monte-Carlo draws.
    seed : int
        Seed of the common random numbers.
    history : mapping, optional
        Estimates from :func:`forecast.scenarios.estimate_baseline`; computed from the
        roster (or dataset) when omitted and the scenario needs them.

    Returns
    -------
    Projection
    """
    from forecast import scenarios as sc

    dataset = None
    if not isinstance(roster, pd.DataFrame):
        dataset, roster = roster, roster.roster
        if roster is None:
            raise ValueError("the dataset has no roster: the stock-flow engine needs one")
    if isinstance(scenario, str):
        scenario = sc.load_scenario(scenario)
    if start_year is None:
        start_year = int(pd.to_numeric(roster["year"]).max()) if "year" in roster else None
        if start_year is None:
            raise ValueError("start_year is needed when the roster has no 'year' column")
    start_year, end_year, n_draws = int(start_year), int(end_year), int(n_draws)
    if end_year <= start_year:
        raise ValueError(f"end_year ({end_year}) must be after start_year ({start_year})")
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    if history is None and scenario.needs_history():
        history = sc.estimate_baseline(dataset if dataset is not None else roster)
    levers = scenario.resolve(history)
    coh = _cohorts_cached(roster)
    engine = _Engine(coh, levers, history or {}, start_year, end_year, n_draws, seed)
    proj = engine.run()
    proj.scenario = scenario.name
    proj.notes = [f"stock-flow scenario '{scenario.name}', {n_draws} draws, seed {seed}",
                  *scenario.resolution_notes(history)]
    return proj


class _Engine:
    """The year loop; arrays are (states, cells, draws) per dimension."""

    def __init__(self, coh: pd.DataFrame, levers: dict, history: Mapping, start_year: int,
                 end_year: int, n_draws: int, seed: int):
        self.lv = levers
        self.hist = history
        self.t0, self.t1, self.D = start_year, end_year, n_draws
        self.rng = _Streams(seed)
        self._setup_layout(coh)
        self.S = {dim: np.repeat(arr[:, :, None], n_draws, axis=2) for dim, arr in self.base.items()}
        self.N = self.S["education"].sum(axis=0, dtype=COUNT)  # headcount per cell and draw
        # (programme, year) -> completers due: (move index, cell, counts (rows, draws)) of
        # the (move, cell) rows enrolled, one entry per enrolment cohort
        self.pending: dict = {}
        self.held: dict = {}     # programme -> all its completers still due
        self._setup_rates()

    #: What :meth:`_setup_layout` computes (the same for every scenario and draw count).
    _LAYOUT = ("groups", "G", "B", "C", "base", "cell_group", "cell_bucket", "leader_group",
               "appointed", "target_cells", "target_groups", "prog_cells", "prog_tiers")
    _layout_cache: dict = {}

    def _setup_layout(self, coh: pd.DataFrame) -> None:
        """Groups, cells, starting counts and the programmes' and targets' cells.

        They depend only on the cohorts and the years, so they are memoised per cohort
        frame (the explorer and the effort solver project one roster many times), with
        the same weak-reference guard as :func:`_cohorts_cached`.
        """
        import weakref

        key = (id(coh), self.t0, self.t1)
        hit = _Engine._layout_cache.get(key)
        if hit is not None and hit[0]() is coh:
            for name in self._LAYOUT:
                setattr(self, name, hit[1][name])
            return
        self._build_layout(coh)
        try:
            ref = weakref.ref(coh, lambda _r, k=key: _Engine._layout_cache.pop(k, None))
        except TypeError:
            return
        if len(_Engine._layout_cache) > 16:
            _Engine._layout_cache.clear()
        _Engine._layout_cache[key] = (ref, {name: getattr(self, name) for name in self._LAYOUT})

    def _build_layout(self, coh: pd.DataFrame) -> None:
        start_year, end_year = self.t0, self.t1
        groups = coh[list(GROUP_KEYS)].drop_duplicates().reset_index(drop=True)
        # groups that receive entrants but may be empty now: every leader post of a level
        self.groups = groups
        self.G = len(groups)
        self.B = end_year - start_year + 1  # buckets: retire in start+1 … end, or later
        gidx = coh.merge(groups.reset_index().rename(columns={"index": "g"}), on=list(GROUP_KEYS))["g"]
        bucket = np.clip(coh["retire_year"].to_numpy() - (start_year + 1), 0, self.B - 1)
        cell = gidx.to_numpy() * self.B + bucket
        self.C = self.G * self.B
        self.base = {}  # starting counts (states, cells), before the draw axis
        for dim, names in DIMENSIONS.items():
            arr = np.zeros((len(names), self.C), dtype=COUNT)
            np.add.at(arr, (coh[dim].to_numpy(), cell), coh["count"].to_numpy())
            self.base[dim] = arr
        self.cell_group = np.repeat(np.arange(self.G), self.B)
        self.cell_bucket = np.tile(np.arange(self.B), self.G)
        self.leader_group = groups["leader"].isin(LEADER_POSTS).to_numpy()
        # posts filled by appointment rather than recruitment
        self.appointed = self.leader_group | (groups["in_pool"].to_numpy() == 1) | (
            groups["key_cadre"].to_numpy() == 1)
        self._setup_targets()
        self.prog_cells = {n: _matches(groups, p.eligible)[self.cell_group] for n, p in PROGRAMMES.items()}
        self.prog_tiers = {n: self._tiers(p) for n, p in PROGRAMMES.items()}

    # -- parameters ---------------------------------------------------------------------
    def _setup_rates(self) -> None:
        g = self.groups
        lv = self.lv
        self.exit_rate = _per_category(lv["other_exit_rate"], g, "other_exit_rate")
        mult = np.ones(len(DIMENSIONS["education"]))
        edu_mult = lv.get("exit_rate_university_multiplier", 1.0)
        mult[1:] = float(edu_mult)
        self.exit_rate_edu = np.clip(self.exit_rate[None, :] * mult[:, None], 0, 1)  # (4, G)
        self.exit_by_education = float(edu_mult) != 1.0
        self.replacement = _per_category(lv["replacement_rate"], g, "replacement_rate")
        self.headcount_change = _per_category(lv["headcount_change"], g, "headcount_change")
        self.recruit_mix = _recruit_mix(g, self.hist.get("recruit_mix"), lv)
        self.prog_weight = _allocation_weights(g, self.hist.get("allocation_weights"))

    def _setup_targets(self) -> None:
        self.target_cells = {}
        self.target_groups = {}
        for tid, spec in TARGET_SPECS.items():
            gmask = _matches(self.groups, spec.population)
            self.target_cells[tid] = np.flatnonzero(gmask[self.cell_group])
            self.target_groups[tid] = np.flatnonzero(gmask)

    def _measure(self) -> dict:
        # counts per group first (one pass over the cells), then the criteria and the
        # populations on groups (no BLAS product: its threads would compete with the engine)
        G, B, D = self.G, self.B, self.D
        by_group = {}
        crit = {}
        for key in {(sp.dimension, sp.states) for sp in TARGET_SPECS.values()}:
            dim, st = key
            if dim not in by_group:
                S = self.S[dim]
                # (K, G, D); summed in int32 (counts fit, see COUNT): 4× faster than widening
                by_group[dim] = S.reshape(len(S), G, B, D).sum(axis=2, dtype=COUNT)
            g = by_group[dim]
            crit[key] = g[st[0]] if len(st) == 1 else g[list(st)].sum(axis=0, dtype=COUNT)
        heads = self.N.reshape(G, B, D).sum(axis=1, dtype=COUNT)
        out = {}
        for tid, sp in TARGET_SPECS.items():
            groups = self.target_groups[tid]
            out[tid] = (crit[(sp.dimension, sp.states)][groups].sum(axis=0, dtype=COUNT),
                        heads[groups].sum(axis=0, dtype=COUNT))
        return out

    # -- flows ----------------------------------------------------------------------------
    def _retire(self, t: int) -> np.ndarray:
        b = t - (self.t0 + 1)
        if b >= self.B - 1:
            return np.zeros((self.G, self.D), dtype=COUNT)
        cells = np.flatnonzero(self.cell_bucket == b)
        gone = self.N[cells].copy()
        for S in self.S.values():
            S[:, cells] = 0
        self.N[cells] = 0
        return gone  # (G, D): one cell per group in this bucket

    def _exit(self, t: int) -> np.ndarray:
        """Exits other than retirement; returns their number per cell (C, D)."""
        S = self.S["education"]
        if self.exit_by_education:
            # rates differ by education: one binomial per (education state, cell)
            rate = self.exit_rate_edu[:, self.cell_group][:, :, None]  # (4, C, 1)
            x = self.rng.binomial("exit", t, S, np.broadcast_to(rate, S.shape))
            S -= x
            total = x.sum(axis=0, dtype=COUNT)
            spread = [d for d in self.S if d != "education"]
        else:
            # one rate per group: one binomial per cell, spread over every dimension's
            # states, so that a change of training leaves the number of leavers as it was
            rate = self.exit_rate[self.cell_group][:, None]  # (C, 1): one rate per cell
            total = self.rng.binomial("exit", t, self.N, rate)
            spread = list(self.S)
        # spread over the states only in the cells where someone left in some draw
        cells = np.flatnonzero(total.max(axis=1) > 0)  # counts: max is a faster `any`
        if cells.size * 3 >= self.C * 2:  # most cells: no gather and scatter (empty cells get 0)
            where = np.arange(self.C * self.D, dtype=np.uint64).reshape(self.C, self.D)
            for dim in spread:
                T = self.S[dim]
                T -= _systematic(total, T, self.rng.uniform_at(f"alloc-{dim}", t, where), self.N)
        elif cells.size:
            tot, n = total[cells], self.N[cells]
            where = (cells[:, None] * self.D + np.arange(self.D)).astype(np.uint64)
            for dim in spread:
                T = self.S[dim]
                u = self.rng.uniform_at(f"alloc-{dim}", t, where)
                T[:, cells] -= _systematic(tot, T[:, cells], u, n)
        self.N -= total
        return total

    def _train(self, t: int) -> dict:
        stats = {}
        factor = float(self.lv.get("training_capacity_factor", 1.0))
        for name, prog in PROGRAMMES.items():
            cap = float(self.lv[f"programmes.{name}.capacity"]) * factor
            dur = int(self.lv[f"programmes.{name}.duration"])
            rate = float(self.lv[f"programmes.{name}.completion_rate"])
            if t == self.t0 + 1 and dur > 1 and cap > 0:
                # warm start: the cohorts enrolled in the years before the snapshot at the
                # same capacity finish in t0+1 … t0+dur-1 (the pipeline is never empty)
                for k in range(1, dur):  # earliest finishers first, as they enrolled first
                    self._enrol(name, prog, t, self.t0 + k, cap, rate, f"warm{k}")
            completed = self._complete(name, prog, t)
            enrolled = self._enrol(name, prog, t, t + dur - 1, cap, rate, "") if cap > 0 else 0.0
            if dur <= 1:
                completed += self._complete(name, prog, t)
            stats[name] = (enrolled, completed)
        return stats

    def _complete(self, name: str, prog: Programme, t: int) -> float:
        """Move the completers due in ``t``; returns their mean number."""
        due = self.pending.pop((name, t), None)
        if due is None:
            return 0.0
        m_idx, gcell, due = due
        self.held[name][m_idx, gcell] -= due
        S = self.S[prog.dimension]
        moved = 0.0
        for m, (a, b) in enumerate(prog.moves):
            sel = np.flatnonzero(m_idx == m)  # rows of this move (cells are distinct)
            if not sel.size:
                continue
            cells = gcell[sel]
            move = np.minimum(due[sel], S[a, cells])  # some completers may have left meanwhile
            S[a, cells] -= move
            S[b, cells] += move
            moved += move.sum() / self.D
        return moved

    def _enrol(self, name: str, prog: Programme, t: int, finish: int, cap: float, rate: float,
               key: str) -> float:
        """Enrol up to ``cap`` people finishing in ``finish``; schedule the completers."""
        S = self.S[prog.dimension]
        ok_group = self.prog_cells[name]
        retire_year = self.t0 + 1 + self.cell_bucket
        ok = ok_group & ((self.cell_bucket == self.B - 1) | (retire_year > finish))
        cells = np.flatnonzero(ok)
        if not cells.size:
            return 0.0
        M = len(prog.moves)
        elig = np.stack([S[a][cells] for a, _ in prog.moves]).reshape(M * len(cells), self.D)
        # work on the (move, cell) rows with someone eligible in some draw: most are empty
        rows = np.flatnonzero(elig.max(axis=1) > 0)  # counts: max is a faster `any`
        if not rows.size:
            return 0.0
        m_idx, c_idx = np.divmod(rows, len(cells))
        gcell = cells[c_idx]
        elig = elig[rows]  # (R, D)
        held = self.held.get(name)
        if held is not None:  # already enrolled: not eligible again
            elig -= held[m_idx, gcell]
            np.maximum(elig, 0, out=elig)
        # positions in the full (move, cell, draw) array: the same numbers in every scenario
        where = ((m_idx * self.C + gcell).astype(np.uint64) * np.uint64(self.D))[:, None] + np.arange(
            self.D, dtype=np.uint64)
        u = self.rng.uniform_at(f"enrol{key}-{name}", t, where.ravel()).reshape(elig.shape)
        u = u.astype(np.float32)
        reserved = cap * float(self.lv.get("priority_share", 0.0))
        enrol = None
        if reserved > 0 and prog.priority:
            enrol = np.zeros_like(elig)
            # the reserved places go to the priority tiers, first tier first
            left = np.full(self.D, reserved)
            tier_of = self.prog_tiers[name][gcell]
            for tier in range(len(prog.priority)):
                sel = np.flatnonzero(tier_of == tier)
                if not sel.size:
                    continue
                e = elig[sel]
                tot = e.sum(axis=0)
                share = np.where(tot > 0, np.minimum(1.0, left / np.maximum(tot, 1)), 0.0)
                x = np.minimum(np.floor(e * share + u[sel]), e).astype(COUNT)
                enrol[sel] = x
                left = np.maximum(left - x.sum(axis=0), 0.0)
            rest = elig - enrol
        else:
            rest = elig
        # the other places (and reserved ones left unused) in proportion to who is eligible,
        # weighted by how often each group took the programme in the history
        left = cap - enrol.sum(axis=0) if enrol is not None else np.full(self.D, cap)
        weight = self.prog_weight.get(name)
        x = rest.astype(np.float32)
        if weight is None:
            tot = rest.sum(axis=0, dtype=COUNT)
            share = np.where(tot > 0, np.clip(left / np.maximum(tot, 1), 0.0, 1.0), 0.0).astype(np.float32)
            x *= share
        else:
            # rest · w · λ: above the row's eligible count when the row is full, which the
            # floor and the minimum below turn into the eligible count
            w_row = weight[self.cell_group[gcell]]
            x *= w_row.astype(np.float32)[:, None]
            x *= _fill_level(rest, w_row, left).astype(np.float32)
        x += u
        np.floor(x, out=x)
        x = np.minimum(x, rest, dtype=np.float32).astype(COUNT)
        if enrol is None:
            enrol = x
        else:
            enrol += x
        # binomial completions (drawn only where someone enrolled)
        if rate >= 1.0:
            done = enrol
        else:
            done = self.rng.binomial(f"complete{key}-{name}", t, enrol, rate, index=where)
        # one enrolment per (programme, finishing year): warm-start cohorts and the yearly
        # intake finish in distinct years
        assert (name, finish) not in self.pending
        self.pending[(name, finish)] = (m_idx, gcell, done)
        if held is None:
            held = self.held[name] = np.zeros((M, self.C, self.D), dtype=COUNT)
        held[m_idx, gcell] += done
        return float(enrol.sum() / self.D)

    def _tiers(self, prog: Programme) -> np.ndarray:
        """Priority tier of every cell for a programme (0 first; groups in no tier last)."""
        tiers = np.full(self.G, len(prog.priority), dtype=int)
        for i, spec in reversed(list(enumerate(prog.priority))):
            tiers[_matches(self.groups, spec)] = i
        return tiers[self.cell_group]

    def _add(self, group_counts: np.ndarray, bucket: int, mix: dict, flow: str, t: int) -> None:
        """Add entrants (G, D) into ``bucket`` of each group with per-dimension mixes.

        ``mix[dim]`` holds state probabilities, (G, K) or (G, K, D). Every dimension's
        multinomial is drawn by sequential conditional binomials, all dimensions at once
        (stacked, padded with empty states) so that the number of array passes is the
        largest number of states, not their sum.
        """
        cells = np.arange(self.G) * self.B + bucket
        rows = np.flatnonzero(group_counts.max(axis=1) > 0)  # counts: max is a faster `any`
        if rows.size:
            drawn = self._multinomial(group_counts[rows], mix, rows, flow, t)
            for dim, x in drawn.items():
                self.S[dim][:, cells[rows]] += x
        self.N[cells] += group_counts

    def _multinomial(self, n: np.ndarray, mix: dict, rows: np.ndarray, flow: str, t: int) -> dict:
        dims = list(mix)
        sizes = [len(DIMENSIONS[d]) for d in dims]
        K = max(sizes)
        # dimensions with the most states first: step k then needs only a prefix of the
        # stack (a dimension's last state takes what is left, it is never drawn); the
        # stream positions stay those of the stack in ``mix`` order
        order = sorted(range(len(dims)), key=lambda i: -sizes[i])
        # probabilities that are the same in every draw keep a draw axis of length 1
        depth = self.D if any(np.ndim(mix[d]) == 3 for d in dims) else 1
        probs = np.zeros((len(dims), K, len(rows), depth))
        for j, i in enumerate(order):
            m = np.asarray(mix[dims[i]])[rows]  # (rows, K_d) or (rows, K_d, D)
            m = m.transpose(1, 0, 2) if m.ndim == 3 else m.T[:, :, None]
            probs[j, : m.shape[0]] = m
        left = np.empty((len(dims), *n.shape), dtype=COUNT)
        left[:] = n
        rest = np.ones((len(dims), len(rows), depth))
        out = np.zeros((len(dims), K, *n.shape), dtype=COUNT)
        block = n.size
        stack_pos = np.asarray(order, dtype=np.int64) * block
        for k in range(K - 1):
            na = sum(1 for i in order if sizes[i] - 1 > k)
            pk = probs[:na, k]
            with np.errstate(divide="ignore", invalid="ignore"):
                q = np.clip(np.where(rest[:na] > 1e-12, pk / rest[:na], 0.0), 0.0, 1.0)
            x = self.rng.binomial(f"{flow}-{k}", t, left[:na], q,
                                  index=lambda live: _stack_positions(live, block, stack_pos))
            out[:na, k] = x
            left[:na] -= x
            rest[:na] -= pk
        # the last state of each dimension takes what is left
        res = {}
        for j, i in enumerate(order):
            out[j, sizes[i] - 1] += left[j]
            res[dims[i]] = out[j, : sizes[i]]
        return {d: res[d] for d in dims}

    def _entry_bucket(self, t: int, years_to_retirement: float) -> int:
        return int(np.clip(t + int(round(years_to_retirement)) - (self.t0 + 1), 0, self.B - 1))

    def _promote(self, t: int, vacancies: np.ndarray) -> np.ndarray:
        """Fill the vacancies (G, D) of appointed groups (leaders, succession pool, key commune
        cadres) by appointment; returns the appointments per group.

        The appointee has the qualification mix of the group appointed from (for leaders:
        the pool of the same category and level; for the pool and key cadres: the ordinary
        staff of the same category and level). The source group is not depleted: its own
        vacancy is taken to be refilled with the same mix (a vacancy chain closed at once).
        """
        vac = np.where(self.appointed[:, None], vacancies, 0)
        if not vac.any():
            return vac
        mix = self._pool_mix()
        # new leaders hold the post's programme (CVCC for department, CVC+ for division
        # leaders) at least in the scenario's share
        floor = float(self.lv["new_leader_programme_share"])
        sm = mix["state_mgmt"]  # (G, 3, D)
        for i in np.flatnonzero(self.leader_group):
            need = (2,) if self.groups["leader"].iat[i] == "so" else (1, 2)
            rest = tuple(k for k in range(3) if k not in need)
            q = sm[i, list(need)].sum(axis=0)
            target = np.maximum(q, floor)
            up = np.where(q > 0, target / np.maximum(q, 1e-12), 0.0)
            down = np.where(q < 1, (1 - target) / np.maximum(1 - q, 1e-12), 0.0)
            sm[i, list(need)] *= up
            sm[i, need[-1]] += np.where(q > 0, 0.0, target)
            sm[i, list(rest)] *= down
        mix["state_mgmt"] = sm / np.maximum(sm.sum(axis=1, keepdims=True), 1e-12)
        bucket = self._entry_bucket(t, self.lv["leader_years_to_retirement"])
        self._add(vac, bucket, mix, "promote", t)
        return vac

    def _pool_mix(self) -> dict:
        """Per appointed group, the state mix (G, K, D) of the group it appoints from."""
        g = self.groups
        ordinary = ~self.appointed
        level, cat = g["level"].to_numpy(), g["category"].to_numpy()
        pool = (g["in_pool"].to_numpy() == 1) & ~self.leader_group
        out = {dim: np.zeros((self.G, len(names), self.D)) for dim, names in DIMENSIONS.items()}
        by_group = {dim: S.reshape(len(S), self.G, self.B, self.D).sum(axis=2, dtype=COUNT).transpose(1, 0, 2)
                    for dim, S in self.S.items()}  # (G, K, D)
        heads = self.N.reshape(self.G, self.B, self.D).sum(axis=1, dtype=COUNT)  # (G, D): every dimension's total
        anyone = heads.sum(axis=1) > 0
        mixes: dict = {}  # source groups -> their mix (appointed groups often share a source)
        for i in np.flatnonzero(self.appointed):
            same_level = level == level[i]
            same_cat = same_level & (cat == cat[i])
            choices = [same_cat & ordinary, same_level & ordinary, ordinary]
            if self.leader_group[i]:
                choices.insert(0, same_cat & pool)
            for choice in choices:
                if anyone[choice].any():
                    break
            source = tuple(np.flatnonzero(choice))
            if source not in mixes:
                idx = list(source)
                s = heads[idx].sum(axis=0, dtype=COUNT)[None, :]  # (1, D)
                filled = bool((s > 0).all())
                mixes[source] = {}
                for dim in DIMENSIONS:
                    tot = by_group[dim][idx].sum(axis=0, dtype=COUNT)  # (K, D)
                    share = tot / np.maximum(s, 1)
                    mixes[source][dim] = share if filled else np.where(s > 0, share, _uniform_first(tot.shape))
            for dim in DIMENSIONS:
                out[dim][i] = mixes[source][dim]
        return out

    def _recruit(self, t: int, exits: np.ndarray, headcount: np.ndarray) -> np.ndarray:
        want = self.replacement[:, None] * exits + self.headcount_change[:, None] * headcount
        hires = np.maximum(0, np.floor(want + self.rng.uniform("hire-round", t, want.shape))).astype(COUNT)
        hires[self.appointed] = 0
        bucket = self._entry_bucket(t, self.lv["recruit_years_to_retirement"])
        self._add(hires, bucket, self.recruit_mix, "recruit", t)
        return hires

    def _group_sum(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(self.G, self.B, self.D).sum(axis=1, dtype=COUNT)

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> Projection:
        years = np.arange(self.t0 + 1, self.t1 + 1)
        start = {k: (float(v[0][0]), float(v[1][0])) for k, v in self._measure().items()}
        nums = {k: np.zeros((self.D, len(years)), dtype=np.int64) for k in TARGET_SPECS}
        dens = {k: np.zeros((self.D, len(years)), dtype=np.int64) for k in TARGET_SPECS}
        enrol_rows, flow_rows = [], []
        for j, t in enumerate(years):
            headcount = self._group_sum(self.N)
            retired = self._retire(t)
            exits = self._group_sum(self._exit(t))
            stats = self._train(t)
            promoted = self._promote(t, retired + exits)
            hires = self._recruit(t, retired + exits, headcount)
            for tid, (num, den) in self._measure().items():
                nums[tid][:, j] = num
                dens[tid][:, j] = den
            for name, (e, c) in stats.items():
                enrol_rows.append({"year": int(t), "programme": name, "enrolled": e, "completed": c})
            flow_rows.append({"year": int(t), "retirements": retired.sum() / self.D,
                              "other_exits": exits.sum() / self.D, "recruits": hires.sum() / self.D,
                              "promotions": promoted.sum() / self.D,
                              "headcount": self.N.sum() / self.D})
        return Projection(scenario="", years=years, start_year=self.t0, numerators=nums,
                          denominators=dens, start=start, enrolments=pd.DataFrame(enrol_rows),
                          flows=pd.DataFrame(flow_rows), variates=self.rng.variates,
                          trials=self.rng.trials)


def _allocation_weights(groups: pd.DataFrame, estimated) -> dict:
    """Per-group allocation weights of each programme (G,), from the history's estimates.

    ``estimated`` is the ``allocation_weights`` frame of
    :func:`forecast.scenarios.estimate_baseline` (programme, category, level, weight);
    groups it does not cover weigh 1. A programme whose weights are all equal is left
    out: its places are shared in proportion to the eligible counts, as without history.
    """
    out: dict = {}
    if estimated is None or not len(estimated):
        return out
    cat = groups["category"].astype(str).to_numpy()
    lev = groups["level"].astype(str).to_numpy()
    for name, rows in estimated.groupby("programme"):
        if name not in PROGRAMMES:
            continue
        table = {(str(c), str(v)): float(w) for c, v, w in
                 rows[["category", "level", "weight"]].itertuples(index=False)}
        w = np.array([table.get((c, v), 1.0) for c, v in zip(cat, lev, strict=True)])
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError(f"allocation weights of programme {name!r} must be positive numbers")
        if np.ptp(w) > 0:
            out[name] = w
    return out


def _fill_level(rest: np.ndarray, w_row: np.ndarray, left: np.ndarray) -> np.ndarray:
    """The level ``λ`` (per draw) at which shares ``min(1, λ·w)`` of the eligible fill ``left`` places.

    Water-filling: ``λ`` solves ``Σ_rows min(rest, λ·w·rest) = left`` (or is ``2 / min w``
    when every eligible person fits, a level at which every share is 1): places go in
    proportion to eligible × weight, and those a group cannot use (all its eligible staff
    enrolled) go to the others in the same proportions. The sum is increasing in ``λ``, so ``λ`` and every share are
    nondecreasing in ``left``: more places never enrol fewer people in any group.
    Rows of equal weight saturate together, so ``λ`` is found on the few weight classes:
    with the classes by decreasing weight, the first ``s`` saturated gives
    ``λ_s = (left − Σ_{k<s} E_k) / Σ_{k≥s} w_k E_k``, and ``λ`` is the first ``λ_s`` with
    ``λ_s · w_s < 1``.

    Parameters
    ----------
    rest : ndarray (R, D)
        Eligible staff per row and draw.
    w_row : ndarray (R,)
        Positive weight of each row.
    left : ndarray (D,)
        Places per draw.

    Returns
    -------
    ndarray (D,)
        ``λ`` per draw; the share of a row is ``min(1, λ·w)``.
    """
    wk, cls = np.unique(w_row, return_inverse=True)
    wk, cls = wk[::-1], len(wk) - 1 - cls  # decreasing weight
    # sums per class in one pass: rows of a class come in runs (rows are by move, then cell)
    starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]])
    runs = np.add.reduceat(rest, starts, axis=0, dtype=COUNT)  # counts fit, see COUNT
    run_cls = cls[starts]
    E = np.stack([runs[run_cls == k].sum(axis=0, dtype=np.float64) for k in range(len(wk))])  # (K, D)
    done = np.vstack([np.zeros((1, E.shape[1])), np.cumsum(E, axis=0)[:-1]])  # Σ_{k<s} E_k
    tail = np.cumsum((wk[:, None] * E)[::-1], axis=0)[::-1]  # Σ_{k≥s} w_k E_k
    # λ ≥ 1/w_min enrols everyone: 2/w_min stands for "unbounded" (finite, and safely past 1)
    full = 2.0 / wk[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(tail > 0, (np.asarray(left, dtype=np.float64) - done) / tail, full)
    fits = lam * wk[:, None] < 1.0
    first = np.argmax(fits, axis=0)
    lam = np.where(fits.any(axis=0), lam[first, np.arange(E.shape[1])], full)
    return np.clip(lam, 0.0, full)


def _uniform_first(shape) -> np.ndarray:
    out = np.zeros(shape)
    out[0] = 1.0
    return out


def _recruit_mix(groups: pd.DataFrame, estimated, levers: Mapping) -> dict:
    """Per group, the state probabilities of recruits on each dimension: (G, K).

    ``estimated``: a DataFrame from :func:`forecast.scenarios.estimate_baseline` with
    ``category, level, dimension, state, share`` (shares among recent recruits), or None.
    Defaults without history: recruits hold none of the in-service qualifications; their
    university share is the lever ``recruit_university_share``.
    """
    mix = {}
    for dim, names in DIMENSIONS.items():
        m = np.zeros((len(groups), len(names)))
        m[:, 0] = 1.0
        mix[dim] = m
    if estimated is not None and len(estimated):
        # counts of recent recruits per (category, level, dimension) and per (category, dimension)
        # (row by row in the frame's order within each key, the keys in sorted order: the
        # additions of a groupby, without its per-group overhead; the engine builds this
        # at every projection)
        by_key: dict = {}
        for cat, lev, dim, state, count in zip(
                estimated["category"], estimated["level"], estimated["dimension"],
                estimated["state"].to_numpy(int), estimated["count"].to_numpy(float), strict=True):
            if dim in DIMENSIONS and not (pd.isna(cat) or pd.isna(lev)):  # groupby drops missing keys
                by_key.setdefault((cat, lev, dim), []).append((state, count))
        tables: dict = {}
        for (cat, lev, dim) in sorted(by_key):
            v = np.zeros(len(DIMENSIONS[dim]))
            for state, count in by_key[(cat, lev, dim)]:
                v[state] += count
            tables[(cat, lev, dim)] = v
            tables[(cat, None, dim)] = tables.get((cat, None, dim), 0) + v
        for i, (cat, lev) in enumerate(zip(groups["category"], groups["level"], strict=True)):
            for dim in DIMENSIONS:
                v = tables.get((cat, lev, dim))
                if v is None or v.sum() <= 0:
                    v = tables.get((cat, None, dim))  # no recent recruit at this level
                if v is not None and v.sum() > 0:
                    mix[dim][i] = v / v.sum()
    share = levers.get("recruit_university_share")
    if share is not None:
        share = _per_category(share, groups, "recruit_university_share")
        edu = mix["education"]
        plus = edu[:, 1:].sum(axis=1)
        shape = np.where(plus[:, None] > 0, edu[:, 1:] / np.maximum(plus[:, None], 1e-12),
                         np.array([1.0, 0.0, 0.0])[None, :])
        edu = np.concatenate([(1 - share)[:, None], share[:, None] * shape], axis=1)
        mix["education"] = edu
    return mix


# ---------------------------------------------------------------------------------------
# A random roster for tests and benchmarks (not the demo province: see forecast.synth)
# ---------------------------------------------------------------------------------------


def random_roster(n: int, year: int = 2025, seed: int = 0) -> pd.DataFrame:
    """A random roster of ``n`` people in the roster format, for tests and benchmarks.

    Proportions are rough (60 % viên chức, 1 % department and 8 % division leaders, 80 %
    graduates); it has no units' structure and no history. The demonstration province of
    :mod:`forecast.synth` is the realistic synthetic dataset.
    """
    rng = np.random.default_rng(seed)
    cat = rng.choice(["can_bo", "cong_chuc", "vien_chuc"], n, p=[0.15, 0.25, 0.60])
    level = np.where(rng.random(n) < 0.4, "tinh", "xa")
    leader = rng.choice(["so", "phong", "none"], n, p=[0.01, 0.08, 0.91])
    leader = np.where((cat == "vien_chuc") & (leader == "so"), "phong", leader)
    key = ((cat == "can_bo") & (level == "xa") & (rng.random(n) < 0.3)).astype(int)
    pool = ((cat != "vien_chuc") & (rng.random(n) < 0.15)).astype(int)
    age = rng.integers(23, 62, n)
    edu = rng.choice(["thac_si", "dai_hoc", "cao_dang", "trung_cap", "tien_si"], n,
                     p=[0.08, 0.72, 0.08, 0.115, 0.005])
    sm = np.where(leader == "so", rng.choice(["cvc", "cvcc"], n, p=[0.7, 0.3]),
                  np.where(leader == "phong", rng.choice(["none", "cvc", "cvcc"], n, p=[0.3, 0.65, 0.05]),
                           rng.choice(["none", "cv", "cvc"], n, p=[0.5, 0.4, 0.1])))
    pt = np.where(cat == "vien_chuc", rng.choice(["none", "so_cap", "trung_cap"], n, p=[0.6, 0.3, 0.1]),
                  rng.choice(["none", "so_cap", "trung_cap", "cao_cap"], n, p=[0.2, 0.3, 0.4, 0.1]))
    hire_year = np.maximum(year - rng.integers(0, 35, n), year - age + 22)
    return pd.DataFrame({
        "person_id": [f"R{i:07d}" for i in range(n)],
        "birth_year": year - age, "birth_month": rng.integers(1, 13, n),
        "sex": rng.choice(["nam", "nu"], n), "category": cat, "level": level,
        "unit_code": np.where(level == "tinh", "P01", "06001"), "leader": leader, "key_cadre": key,
        "in_pool": pool, "education": edu,
        "field": rng.choice(["kinh_te_cua_khau", "thuong_mai", "khac"], n, p=[0.2, 0.2, 0.6]),
        "political_theory": pt, "state_mgmt": sm,
        "foreign_language": (rng.random(n) < 0.6).astype(int), "it_skill": (rng.random(n) < 0.8).astype(int),
        "standard_training": (rng.random(n) < 0.7).astype(int),
        "standardised": (rng.random(n) < 0.8).astype(int),
        "hire_date": pd.to_datetime(pd.DataFrame({"year": hire_year, "month": 3, "day": 1})),
        "exit_date": pd.NaT, "exit_reason": "", "year": year,
    })
