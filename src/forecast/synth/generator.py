"""The yearly mechanisms of the synthetic province: exits, hires, restructuring, upgrades, posts.

:class:`_Generator` holds everyone ever employed (:class:`~forecast.synth.people.People`)
and moves them through one year at a time (:meth:`_Generator.step`); it records the
year's flows for ``flows.csv``. The order of the steps and of the random draws fixes the
output for a seed: change it only with :data:`~forecast.synth.people.GENERATOR_VERSION`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.domain import retirement
from forecast.inputs import units
from forecast.synth.calibration import GROUPS
from forecast.synth.people import (
    CB,
    CC,
    DAI_HOC,
    EXIT_REASONS,
    FIELDS,
    FIRST_YEAR,
    HUYEN,
    SKILLS,
    THAC_SI,
    TIEN_SI,
    TINH,
    VC,
    XA,
    Geography,
    People,
    _age_months,
    _by_group,
    _cut_factor,
    _fill_posts,
    _group,
    _month,
    _priority,
    _ret_m,
    _snap_m,
    _standardised,
    department_successors,
    expected_headcount,
)

# --------------------------------------------------------------------------------------
# Drawing people
# --------------------------------------------------------------------------------------


class _Generator:
    """The province's people moved through the years.

    ``scale`` sizes everything (1.0 ≈ Lạng Sơn) unless ``communes`` is given: then the
    province has that many of the registry's communes (drawn with the seed), each with
    its full complement of posts, and ``scale`` sizes the levels above the commune only.
    """

    def __init__(self, seed: int, scale: float, prm: dict, geo: Geography, communes: int | None = None):
        self.rng = np.random.default_rng(seed)
        self.scale = float(scale)
        self.communes = communes
        self.commune_scale = self.scale if communes is None else 1.0
        self.nd178_scale = self.scale
        self.prm = prm
        self.geo = geo
        self.p = People()
        self.next_pid = 1
        self.flows: list[tuple[int, str, np.ndarray]] = []  # (year, flow, counts by cat*3+level)
        self.unit_weight: dict[int, dict[int, float]] = {}  # group -> unit idx -> weight
        self.commune_posts: dict[int, float] = {}  # commune idx -> posts (before the merger)
        self.prev_std: np.ndarray | None = None

    # -- bookkeeping ----------------------------------------------------------------
    def record(self, year: int, flow: str, mask_or_idx) -> None:
        p = self.p
        idx = np.flatnonzero(mask_or_idx) if np.asarray(mask_or_idx).dtype == bool else np.asarray(mask_or_idx)
        counts = np.bincount(p.category[idx] * 3 + p.level[idx], minlength=9)
        self.flows.append((year, flow, counts))

    def active(self) -> np.ndarray:
        return self.p.exit_m < 0

    # -- new people -------------------------------------------------------------------
    def _draw(self, group: int, n: int, at_m, initial: bool, year: int, unit_idx: np.ndarray) -> dict[str, np.ndarray]:
        """New people of one group: the 2015 stock (``initial``, ages up to the statutory age
        at ``at_m``) or the hires of ``year`` (hired in the months ``at_m``)."""
        rng, prm = self.rng, self.prm
        g = GROUPS[group]
        female = (rng.random(n) < prm["female_share"][g]).astype(np.int64)
        sex = np.where(female == 1, "nu", "nam")
        if initial:
            a, b = prm["age_beta"]
            top = retirement.statutory_age_months(year, sex) - 1
            age_m = (22 * 12 + rng.beta(a, b, n) * (top - 22 * 12)).astype(np.int64)
        else:
            lo, hi = prm["hire_age"]
            age_m = rng.integers(lo * 12, hi * 12, n)
        birth = at_m - age_m
        age_frac = np.clip((age_m / 12 - 22) / 38, 0, 1)  # 0 at 22, 1 at 60
        if g == "can_bo_xa":
            category = np.full(n, CB)
        elif g == "cong_chuc_xa":
            category = np.full(n, CC)
        elif g.startswith("vc"):
            category = np.full(n, VC)
        else:
            category = np.where(rng.random(n) < prm["can_bo_share"][g], CB, CC)
        level = np.full(n, {"tinh": TINH, "huyen": HUYEN, "xa": XA}[g.split("_")[-1]])
        vc = g.startswith("vc")
        # education
        if initial:
            p_univ = prm["univ_share_2015"][g]
            lo_age, hi_age = prm["education_age_gradient"]
            p_below = np.clip((1 - p_univ) * (lo_age + (hi_age - lo_age) * age_frac), 0, 1)
            p_master = prm["master_share_2015"][g] / max(p_univ, 1e-9)
        else:
            lo_, hi_ = prm["hire_univ_share"]["from"][g], prm["hire_univ_share"]["to"][g]
            p_below = np.full(n, 1 - (lo_ + (hi_ - lo_) * np.clip((year - 2016) / 9, 0, 1)))
            p_master = prm["hire_master_share"][g]
        univ = rng.random(n) >= p_below
        below_levels = np.array([0, 1, 2, 3])
        below_p = prm["below_university_mix"]["xa" if g.endswith("xa") else "other"]
        edu = np.where(univ, DAI_HOC, rng.choice(below_levels, n, p=below_p))
        master = univ & (rng.random(n) < p_master)
        phd = prm["doctorate_share_of_postgrad"].get(g, prm["doctorate_share_of_postgrad"]["other"])
        edu = np.where(master, np.where(rng.random(n) < phd, TIEN_SI, THAC_SI), edu)
        # political theory and state management
        if initial or g == "can_bo_xa":
            key = g if g in prm["pt_2015"] else ("vc" if vc else g)
            pt = rng.choice(4, n, p=prm["pt_2015"][key])
        else:
            pt = np.where(rng.random(n) < prm["hire_pt_so_cap"], 1, 0)
        if initial:
            skey = "vc" if vc else ("xa" if g.endswith("xa") else "cbcc")
            sm = rng.choice(4, n, p=prm["sm_2015"][skey])
        else:
            sm = np.zeros(n, dtype=np.int64)
        skills = {}
        for s in SKILLS:
            if initial:
                lo_age, hi_age = prm["skills_age_gradient"]
                ps = np.clip(prm["skills_2015"][s] * (lo_age + (hi_age - lo_age) * age_frac), 0, 1)
            else:
                ps = prm["skills_hire"][s]
            skills[s] = (rng.random(n) < ps).astype(np.int64)
        fkey = "vc" if vc else "cbcc"
        fshares = prm["field_shares"][fkey]
        fld = rng.choice(len(FIELDS), n, p=np.array([fshares[f] for f in FIELDS]) / sum(fshares.values()))
        if initial:
            h0, h1 = prm["initial_hire_age"]
            hire_m = np.minimum(birth + rng.integers(h0 * 12, h1 * 12, n), at_m - 1)
            hire_m = np.maximum(hire_m, birth + 18 * 12)
        else:
            hire_m = np.broadcast_to(np.asarray(at_m, dtype=np.int64), (n,)).copy()
        pid = np.arange(self.next_pid, self.next_pid + n)
        self.next_pid += n
        return {
            "pid": pid, "birth_year": birth // 12, "birth_month": birth % 12 + 1, "female": female,
            "category": category, "level": level, "unit": unit_idx, "leader": np.zeros(n), "key_cadre": np.zeros(n),
            "in_pool": np.zeros(n), "education": edu, "field": fld, "political_theory": pt, "state_mgmt": sm,
            **skills, "hire_m": hire_m, "exit_m": np.full(n, -1), "exit_reason": np.zeros(n), "from_huyen": np.zeros(n),
        }

    # -- the 2015 stock -------------------------------------------------------------------
    def initial(self) -> None:
        rng, prm, geo, s = self.rng, self.prm, self.geo, self.scale
        at = units.snapshot_date(FIRST_YEAR)
        deps = geo.on(at, "tinh", prefix="P")
        dists = geo.on(at, "huyen")
        comm = geo.on(at, "xa")
        all_communes = len(comm)
        if self.communes is not None:
            # a smaller province: some of the communes, and the districts they belong to
            comm = comm.iloc[np.sort(rng.choice(len(comm), self.communes, replace=False))].reset_index(drop=True)
            dists = dists[dists["code"].isin(comm["parent"])].reset_index(drop=True)
        n_comm = comm.groupby("parent").size()
        # Departments: viên chức concentrate in education, health and culture (assumption).
        big = deps["name"].str.contains("Giáo dục|Y tế|Văn hóa", regex=True).to_numpy()
        dw = prm["unit_weights"]
        w_cbcc = rng.dirichlet(np.full(len(deps), dw["cbcc_dirichlet"]))
        w_vc = rng.dirichlet(np.full(len(deps), dw["vc_dirichlet"])) * np.where(big, dw["vc_big_departments"], 1.0)
        w_dist = np.array([n_comm.get(c, 0) + dw["district_offset"] for c in dists["code"]])
        dep_idx, dist_idx = geo.idx(deps["code"]), geo.idx(dists["code"])
        for gname, uidx, w in (("cbcc_tinh", dep_idx, w_cbcc), ("vc_tinh", dep_idx, w_vc),
                               ("cbcc_huyen", dist_idx, w_dist), ("vc_huyen", dist_idx, w_dist)):
            g = GROUPS.index(gname)
            w = w / w.sum()
            self.unit_weight[g] = dict(zip(uidx.tolist(), w.tolist(), strict=True))
            n = int(round(prm["headcount_2015"][gname] * s))
            unit = rng.choice(uidx, n, p=w)
            self.p.append(self._draw(g, n, _snap_m(FIRST_YEAR), True, FIRST_YEAR, unit))
        # Communes: posts per commune, split into cán bộ and công chức.
        sizes = np.array(list(prm["commune_posts"].keys()), dtype=float)
        probs = np.array(list(prm["commune_posts"].values()), dtype=float)
        posts = rng.choice(sizes, len(comm), p=probs / probs.sum()) * self.commune_scale
        cidx = geo.idx(comm["code"])
        self.commune_posts = dict(zip(cidx.tolist(), posts.tolist(), strict=True))
        for gname, share in (("can_bo_xa", prm["commune_can_bo_share"]), ("cong_chuc_xa", 1 - prm["commune_can_bo_share"])):
            g = GROUPS.index(gname)
            counts = np.floor(posts * share + rng.random(len(posts))).astype(np.int64)
            unit = np.repeat(cidx, counts)
            self.p.append(self._draw(g, len(unit), _snap_m(FIRST_YEAR), True, FIRST_YEAR, unit))
        if self.communes is not None:
            # Decree 178 exits in proportion to the workforce (Lạng Sơn's count for its size)
            self.nd178_scale = len(self.p) / expected_headcount(prm, all_communes)
        self._initial_posts()

    def _initial_posts(self) -> None:
        rng, prm, p = self.rng, self.prm, self.p
        at = _snap_m(FIRST_YEAR)
        grp = _group(p.category, p.level)
        age = _age_months(p, at) / 12
        univ = p.education >= DAI_HOC
        ages = prm["appointment_ages"]
        for lvl, code, min_age in (("so", 2, ages["so_min"]), ("phong", 1, ages["phong_min"])):
            need = _by_group(prm["leader_posts"][lvl]) * self.scale
            need = np.floor(need + 0.5).astype(np.int64)
            eligible = univ & (age >= min_age) & (p.leader == 0)
            chosen = _fill_posts(rng, grp, eligible, _priority(rng, age / 30), need)
            p.set("leader", chosen, code)
            n = len(chosen)
            if lvl == "so":
                p.set("state_mgmt", chosen, rng.choice([1, 2, 3], n, p=prm["leader_so_2015"]))
                p.set("political_theory", chosen, np.where(rng.random(n) < prm["leader_pt_2015"]["so_cao_cap"], 3, 2))
            else:
                p.set("state_mgmt", chosen, np.where(rng.random(n) < prm["leader_phong_cvc_2015"], 2, 1))
                tc = prm["leader_pt_2015"]["phong_trung_cap_plus"]
                p.set("political_theory", chosen, np.maximum(p.political_theory[chosen],
                                                             np.where(rng.random(n) < tc, 2, 1)))
        self._fill_key_cadres(FIRST_YEAR, initial=True)
        self._fill_pool(FIRST_YEAR)

    # -- posts ----------------------------------------------------------------------------
    def _fill_key_cadres(self, year: int, initial: bool = False) -> None:
        rng, p = self.rng, self.p
        act = self.active()
        per = self.prm["key_cadres_per_commune"]["after" if year >= 2025 else "before"]
        cb_xa = act & (p.category == CB) & (p.level == XA)
        current = np.bincount(p.unit[cb_xa & (p.key_cadre == 1)], minlength=len(self.geo.codes))
        communes = np.unique(p.unit[act & (p.level == XA)])
        need = np.zeros(len(self.geo.codes), dtype=np.int64)
        # a scaled-down province (tests) keeps at least one key cadre per commune
        per_unit = max(1, int(round(per * min(1.0, self.commune_scale * 2))))
        need[communes] = np.maximum(per_unit - current[communes], 0)
        sw = self.prm["selection_weights"]["key_cadre"]
        score = _priority(rng, 1.0 + sw["university"] * (p.education >= DAI_HOC) + sw["from_district"] * p.from_huyen)
        chosen = _fill_posts(rng, p.unit, cb_xa & (p.key_cadre == 0), score, need)
        p.set("key_cadre", chosen, 1)
        if initial:
            tc = self.prm["leader_pt_2015"]["key_cadre_trung_cap_plus"]
            p.set("political_theory", chosen, np.maximum(p.political_theory[chosen],
                                                         np.where(rng.random(len(chosen)) < tc, 2, 1)))

    def _fill_pool(self, year: int) -> None:
        rng, p = self.rng, self.p
        act = self.active()
        age = _age_months(p, _snap_m(year)) / 12
        cbcc = act & (p.category != VC)
        reviewed_out = rng.random(len(p)) < (self.prm["pool_turnover"] if year > FIRST_YEAR else 0.0)
        too_old = age > self.prm["appointment_ages"]["max"]
        drop = (p.in_pool == 1) & (~act | (p.category == VC) | (p.leader == 2) | too_old | reviewed_out)
        p.set("in_pool", drop, 0)
        target = int(round(self.prm["pool_share"] * cbcc.sum()))
        need = np.array([max(target - int((cbcc & (p.in_pool == 1)).sum()), 0)])
        eligible = cbcc & (p.in_pool == 0) & (p.leader < 2) & (p.education >= DAI_HOC) & (age <= self.prm["pool_max_age"])
        sw = self.prm["selection_weights"]["pool"]
        score = _priority(rng, 1.0 + sw["political_theory"] * (p.political_theory > 0) + sw["phong_leader"] * (p.leader == 1))
        chosen = _fill_posts(rng, np.zeros(len(p), dtype=np.int64), eligible, score, need)
        p.set("in_pool", chosen, 1)

    def _fill_leaders(self, year: int) -> None:
        rng, prm, p = self.rng, self.prm, self.p
        act = self.active()
        grp = _group(p.category, p.level)
        age = _age_months(p, _snap_m(year)) / 12
        ages, sw = prm["appointment_ages"], prm["selection_weights"]
        if year >= 2025:
            posts = prm["leader_posts_2025"]
            n_comm = len(np.unique(p.unit[act & (p.level == XA)]))
            phong = _by_group(posts["phong"])
            # division heads of the new communes (scaled below like every other post count)
            phong[GROUPS.index("cong_chuc_xa")] = posts["phong_per_commune"] * n_comm
            targets = {"so": _by_group(posts["so"]), "phong": phong}
        else:
            targets = {lvl: _by_group(prm["leader_posts"][lvl]) for lvl in ("so", "phong")}
        # commune posts are sized with the communes, the others with the province
        scales = np.full(len(GROUPS), self.scale)
        scales[GROUPS.index("cong_chuc_xa")] = self.commune_scale
        for lvl, code in (("so", 2), ("phong", 1)):
            want = np.floor(targets[lvl] * scales + 0.5).astype(np.int64)
            have = np.bincount(grp[act & (p.leader == code)], minlength=len(GROUPS))
            need = np.maximum(want - have, 0)
            if lvl == "so":
                eligible = act & (p.leader == 1) & (age <= ages["max"])
                score = _priority(rng, 1.0 + sw["so"]["cvc"] * (p.state_mgmt >= 2) + sw["so"]["cao_cap"] * (p.political_theory == 3))
            else:
                eligible = act & (p.leader == 0) & (p.education >= DAI_HOC) & (age >= ages["phong_min"]) & \
                    (age <= ages["max"])
                w = sw["phong"]
                score = _priority(rng, 1.0 + w["cv"] * (p.state_mgmt >= 1) + w["cvc"] * (p.state_mgmt >= 2)
                                  + w["in_pool"] * p.in_pool)
            chosen = _fill_posts(rng, grp, eligible, score, need)
            p.set("leader", chosen, code)
            self.record(year, f"promoted_{lvl}", chosen)

    # -- one year ---------------------------------------------------------------------------
    def _exit(self, idx: np.ndarray, months: np.ndarray, reason: str, year: int) -> None:
        p = self.p
        p.set("exit_m", idx, months)
        p.set("exit_reason", idx, EXIT_REASONS.index(reason))
        self.record(year, f"exit_{reason}", idx)

    def _window_months(self, year: int, n: int, last: int | None = None) -> np.ndarray:
        first = _month(year - 1, 11)
        last = _snap_m(year) if last is None else last
        return self.rng.integers(first, last + 1, n)

    def exits(self, year: int) -> None:
        rng, prm, p = self.rng, self.prm, self.p
        if year == 2025:
            self._nd178(year)
        act = self.active()
        ret = _ret_m(p)
        # Retired from the first day of the month after the statutory age is reached; a
        # person reaching it in October is still on the 31 October return.
        due = act & (ret <= _month(year, 9))
        idx = np.flatnonzero(due)
        self._exit(idx, ret[idx] + 1, "huu", year)
        act = self.active()
        grp = _group(p.category, p.level)
        rates = [_by_group(prm["exit_rates"][r])[grp] for r in ("nghi_viec", "chuyen_cong_tac", "khac")]
        age = _age_months(p, _snap_m(year)) / 12
        qm = prm["quit_age_multiplier"]
        rates[0] = rates[0] * np.where(age < 35, qm["under_35"], np.where(age > 50, qm["over_50"], 1.0))
        first, last = prm["streamlining_years"]
        if first <= year <= last:
            rates[2] = rates[2] + prm["streamlining_rate"] * (age >= 50)
        if year in prm["election_years"]:
            rates[2] = rates[2] + prm["election_turnover"] * ((p.category == CB) & (p.level == XA))
        u = rng.random(len(p))
        cum = np.cumsum(np.vstack(rates), axis=0)
        for k, reason in enumerate(("nghi_viec", "chuyen_cong_tac", "khac")):
            lo = cum[k - 1] if k else 0.0
            idx = np.flatnonzero(act & (u >= lo) & (u < cum[k]))
            self._exit(idx, self._window_months(year, len(idx)), reason, year)

    def _nd178(self, year: int) -> None:
        """Decree 178 early exits during the 2025 restructuring (January–June 2025)."""
        rng, prm, p = self.rng, self.prm, self.p
        act = self.active()
        w = prm["nd178_weights"]
        grp = _group(p.category, p.level)
        weight = np.array([w.get(g, 0.0) for g in GROUPS])[grp]
        m0, m1 = prm["nd178_months"]
        months = rng.integers(_month(year, m0), _month(year, m1) + 1, len(p))
        ret = _ret_m(p)
        weight = weight * np.where(ret - months <= prm["nd178_near_retirement_months"], w["near_retirement"], 1.0)
        weight = np.where(act & (ret > months), weight, 0.0)
        k = min(int(round(prm["nd178_exits"] * self.nd178_scale)), int((weight > 0).sum()))
        idx = np.sort(rng.choice(len(p), size=k, replace=False, p=weight / weight.sum()))
        self._exit(idx, months[idx], "nd178", year)

    def hires(self, year: int) -> None:
        rng, prm, p, geo = self.rng, self.prm, self.p, self.geo
        act = self.active()
        grp = _group(p.category, p.level)
        cut = _cut_factor(year, prm)
        ratio = prm["hire_ratio_2025"] if year == 2025 else 1.0
        # Units open to recruitment: valid at the last return and through the hiring window
        # (in 2025 hiring stops when the March restructuring begins).
        stop = prm["hiring_stops_2025"]
        hire_end = pd.Timestamp(2025, stop, 1) + pd.offsets.MonthEnd(0) if year == 2025 else units.snapshot_date(year)
        last_m = _month(2025, stop) if year == 2025 else None
        prev = units.snapshot_date(year - 1)
        open_codes = set(units.units_on(prev)["code"]) & set(units.units_on(hire_end)["code"])
        open_idx = {geo.index[c] for c in open_codes}
        for g, gname in enumerate(GROUPS):
            if gname in ("can_bo_xa", "cong_chuc_xa"):
                share = prm["commune_can_bo_share"] if gname == "can_bo_xa" else 1 - prm["commune_can_bo_share"]
                weights = {u: v * share for u, v in self.commune_posts.items()}
                scale_total = 1.0 - prm["commune_cut_share"] * (1.0 - cut)
            elif g in self.unit_weight:
                total = prm["headcount_2015"][gname] * self.scale
                weights = {u: v * total for u, v in self.unit_weight[g].items()}
                scale_total = cut
            else:
                continue
            weights = {u: v for u, v in weights.items() if u in open_idx}
            if not weights:
                continue
            act = self.active()
            grp = _group(p.category, p.level)
            uidx = np.array(list(weights))
            target_u = np.array(list(weights.values())) * scale_total
            have_u = np.bincount(p.unit[act & (grp == g)], minlength=len(geo.codes))[uidx]
            n = int(round(max(target_u.sum() - have_u.sum(), 0) * ratio))
            if n == 0:
                continue
            deficit = np.maximum(target_u - have_u, 0)
            pr = deficit / deficit.sum() if deficit.sum() > 0 else target_u / target_u.sum()
            unit = np.repeat(uidx, rng.multinomial(n, pr))
            months = np.sort(self._window_months(year, n, last_m))
            new = self._draw(g, n, months, False, year, unit)
            start = len(p)
            p.append(new)
            self.record(year, "hires", np.arange(start, len(p)))

    def restructure(self, year: int) -> None:
        """Territorial changes between last year's return and this one."""
        rng, prm, p, geo = self.rng, self.prm, self.p, self.geo
        prev, snap = units.snapshot_date(year - 1), units.snapshot_date(year)
        xwalk = units.load_crosswalk()
        changes = xwalk[(xwalk["change_date"] > prev) & (xwalk["change_date"] <= snap)]
        act = self.active()
        # Departments that ended (March 2025 mergers) -> the department absorbing them; a
        # department ending without a stated successor spreads over the others by size.
        deps = geo.idx(geo.on(snap, "tinh", prefix="P")["code"])
        succ = {geo.index[a]: geo.index[b] for a, b in department_successors(snap).items()}
        moving = np.flatnonzero(act & (p.level == TINH) & ~np.isin(p.unit, deps))
        if moving.size:
            mapped = np.array([succ.get(u, -1) for u in p.unit[moving]], dtype=np.int64)
            sizes = np.bincount(p.unit[act & (p.level == TINH)], minlength=len(geo.codes))[deps] + 1.0
            spread = rng.choice(deps, moving.size, p=sizes / sizes.sum())
            p.unit[moving] = np.where(mapped >= 0, mapped, spread)
        if changes.empty:
            return
        # Communes: compose the crosswalk from last year's units onto this year's.
        w = units.rebase_weights(to=snap)
        old_units = geo.on(prev, "xa")
        w = w.merge(old_units[["code", "valid_from"]], on=["code", "valid_from"])
        xa_people = np.flatnonzero(act & (p.level == XA))
        self._remap(xa_people, w, "code")
        # Districts that ended: staff to the province or to the new communes of their district.
        valid_dist = geo.idx(geo.on(snap, "huyen")["code"])
        huyen = np.flatnonzero(act & (p.level == HUYEN) & ~np.isin(p.unit, valid_dist))
        if huyen.size == 0:
            return
        self.record(year, "transfer_out", huyen)
        w = w.assign(district=w["code"].map(geo.district_of))
        dist_w = w.groupby(["district", "new_code"], as_index=False)["weight"].sum()
        if self.communes is not None:
            # a smaller province keeps to the new communes its own communes became
            mine = set(np.asarray(geo.codes, dtype=object)[p.unit[xa_people]])
            dist_w = dist_w[dist_w["new_code"].isin(mine)]
        vc = p.category[huyen] == VC
        to_prov = rng.random(huyen.size) < np.where(vc, prm["district_to_province"]["vc"],
                                                     prm["district_to_province"]["cbcc"])
        prov = huyen[to_prov]
        deps = geo.on(snap, "tinh", prefix="P")
        sizes = np.bincount(p.unit[act & (p.level == TINH)], minlength=len(geo.codes))[geo.idx(deps["code"])] + 1.0
        p.unit[prov] = rng.choice(geo.idx(deps["code"]), prov.size, p=sizes / sizes.sum())
        p.level[prov] = TINH
        com = huyen[~to_prov]
        self._remap(com, dist_w, "district")
        p.level[com] = XA
        p.from_huyen[com] = 1
        # District leaders moving to a commune: department-level titles lapse (they become
        # key cadres of the new communes); division heads of viên chức units do not carry over.
        lapse = com[(p.leader[com] == 2) | ((p.leader[com] == 1) & (p.category[com] == VC))]
        p.leader[lapse] = 0
        self.record(year, "transfer_in", huyen)
        # Key cadres are re-appointed in the new communes.
        p.key_cadre[act & (p.level == XA)] = 0

    def _remap(self, people: np.ndarray, weights: pd.DataFrame, key: str) -> None:
        """Move ``people`` from their unit (matched on column ``key`` of ``weights``) to a
        ``new_code`` drawn with probability ``weight`` (a split unit's people are shared out)."""
        rng, p, geo = self.rng, self.p, self.geo
        if people.size == 0:
            return
        codes = np.asarray(geo.codes, dtype=object)[p.unit[people]].astype(str)
        groups = {k: (geo.idx(d["new_code"]), d["weight"].to_numpy() / d["weight"].sum())
                  for k, d in weights.groupby(key)}
        order = np.argsort(codes, kind="stable")
        for k in np.unique(codes):
            sel = people[order][codes[order] == k]
            targets, pr = groups[k]
            p.unit[sel] = targets[rng.choice(len(targets), sel.size, p=pr)] if len(targets) > 1 else targets[0]

    def upgrades(self, year: int) -> None:
        rng, prm, p = self.rng, self.prm, self.p
        act = self.active()
        grp = _group(p.category, p.level)
        vc = p.category == VC
        xa = p.level == XA

        def draw(mask, prob, flow, attr, value):
            hit = mask & (rng.random(len(p)) < np.minimum(prob, prm["rate_cap"]))
            idx = np.flatnonzero(hit)
            p.set(attr, idx, value)
            self.record(year, flow, idx)

        # Degrees
        r_univ = _by_group(prm["upgrade_univ_rate"])[grp]
        r_univ = r_univ * np.where(vc & (year >= 2021), prm["upgrade_univ_vc_2021"], 1.0)
        r_univ = r_univ * np.where(~vc & xa & (year >= 2022), prm["upgrade_univ_xa_2022"], 1.0)
        r_univ = r_univ * np.where((p.key_cadre == 1) | (p.in_pool == 1), prm["upgrade_univ_boost"], 1.0)
        edu = p.education.copy()
        draw(act & (edu >= 2) & (edu < DAI_HOC), r_univ, "upgrade_dai_hoc", "education", DAI_HOC)
        draw(act & (edu < 2), r_univ, "upgrade_trung_cap", "education", 2)
        draw(act & (edu == DAI_HOC), _by_group(prm["upgrade_master_rate"])[grp], "upgrade_thac_si", "education", THAC_SI)
        draw(act & (edu == THAC_SI), prm["upgrade_phd_rate"], "upgrade_tien_si", "education", TIEN_SI)
        # Political theory
        pt = p.political_theory.copy()
        key = np.where(vc, "vc", np.where(xa & (p.category == CB), "can_bo_xa", np.where(xa, "cong_chuc_xa", "cbcc")))
        boost = prm["pt_boost"]
        mult = np.maximum.reduce([np.ones(len(p)), boost["in_pool"] * p.in_pool, boost["leader"] * (p.leader > 0),
                                  boost["key_cadre"] * p.key_cadre])
        for step, name in enumerate(("so_cap", "trung_cap", "cao_cap")):
            rate = np.zeros(len(p))
            for k, r in prm["pt_rates"].items():
                rate = np.where(key == k, r[step], rate)
            draw(act & (pt == step), rate * mult, f"upgrade_llct_{name}", "political_theory", step + 1)
        # State-management programmes
        sm = p.state_mgmt.copy()
        skey = np.where(vc, "vc", np.where(xa, "xa", "cbcc"))
        lr = prm["leader_rates"]
        for step, name in enumerate(("cv", "cvc", "cvcc")):
            rate = np.zeros(len(p))
            for k, r in prm["sm_rates"].items():
                rate = np.where(skey == k, r[step], rate)
            if name == "cv":
                rate = np.where(p.leader > 0, np.maximum(rate, lr["leader_cv"]), rate)
            elif name == "cvc":
                rate = np.where(p.leader > 0, np.maximum(rate, lr["phong_cvc"]), rate)
                rate = np.where(p.in_pool == 1, np.maximum(rate, lr["pool_cvc"]), rate)
            else:
                rate = np.where(p.leader == 2, np.maximum(rate, lr["so_cvcc"]), rate)
            draw(act & (sm == step), rate, f"upgrade_{name}", "state_mgmt", step + 1)
        # Language, IT, standard training
        for s in SKILLS:
            draw(act & (p.arrays[s] == 0), prm["skills_rates"][s], f"upgrade_{s}", s, 1)

    def snapshot_flows(self, year: int) -> None:
        p = self.p
        act = self.active()
        std = _standardised(p.education, p.political_theory, p.state_mgmt)
        if self.prev_std is not None:
            # people in post at both returns who became standardised during the year
            was = np.zeros(len(p), bool)
            was[: self.prev_std.size] = self.prev_std
            known = np.arange(len(p)) < self.prev_std.size
            self.record(year, "upgrade_standardised", act & known & std & ~was)
        self.prev_std = std & act
        self.record(year, "headcount", act)
        self.record(year, "university", act & (p.education >= DAI_HOC))
        self.record(year, "masters", act & (p.education >= THAC_SI))
        self.record(year, "leaders_so", act & (p.leader == 2))
        self.record(year, "leaders_phong", act & (p.leader == 1))

    def step(self, year: int) -> None:
        self.exits(year)
        self.hires(year)
        self.restructure(year)
        self.upgrades(year)
        self._fill_leaders(year)
        self._fill_key_cadres(year)
        self._fill_pool(year)
        self.snapshot_flows(year)

