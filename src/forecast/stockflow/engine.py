"""The year loop of the stock-flow engine: retirements, exits, training, appointments and
recruitment applied to cohort arrays with draws as the last axis."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from forecast.stockflow import uncertainty
from forecast.stockflow.allocation import (
    _fill_level,
    _per_category,
    _uniform_first,
    appointee_mix,
    derived,
    group_weights,
    recruit_mix,
    with_drawn_share,
)
from forecast.stockflow.layout import layout
from forecast.stockflow.projection import Projection
from forecast.stockflow.sampling import _stack_positions, _Streams, _systematic
from forecast.stockflow.spec import (
    COUNT,
    DIMENSIONS,
    PROGRAMMES,
    TARGET_SPECS,
    Programme,
)


class _Engine:
    """The year loop; arrays are (states, cells, draws) per dimension."""

    def __init__(self, coh: pd.DataFrame, levers: dict, history: Mapping, start_year: int,
                 end_year: int, n_draws: int, seed: int, by_group: bool = False):
        self.lv = levers
        # (year, programme) -> mean yearly intake per group (G,), when asked for (off by default:
        # the explorer's runs need none)
        self.by_group: dict | None = {} if by_group else None
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
        self.due: list = []      # this year's intakes whose completions are not drawn yet
        self._setup_rates()

    # the cells (:mod:`.layout`): the same for every scenario and draw count
    groups: pd.DataFrame
    G: int
    B: int
    C: int
    base: dict
    cell_group: np.ndarray
    cell_bucket: np.ndarray
    leader_group: np.ndarray
    leader_needs: list
    appointed: np.ndarray
    target_cells: dict
    target_groups: dict
    prog_cells: dict
    prog_tiers: dict
    pool_pairs: tuple | None

    def _setup_layout(self, coh: pd.DataFrame) -> None:
        """Groups, cells, starting counts and the programmes' and targets' cells (memoised, :mod:`.layout`)."""
        for name, value in layout(coh, self.t0, self.t1).items():
            setattr(self, name, value)

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
        self.recruit_mix = recruit_mix(g, self.hist.get("recruit_mix"), lv)
        # these depend on the groups and the history only, not on the levers: built once
        self.prog_weight = derived("weights", g, self.hist.get("allocation_weights"), group_weights)
        self.appointee_mix = derived("appointees", g, self.hist.get("appointee_mix"), appointee_mix)
        # parameter uncertainty: each path its own levels (forecast.stockflow.uncertainty)
        spread = self.hist.get("uncertainty") or {}
        n_years = self.t1 - self.t0
        self.cap_factor = {name: uncertainty.walk_factors(self.rng, f"places-{name}", float(sd["level"]),
                                                          float(sd.get("drift", 0.0)), self.t0 + 1, n_years, self.D)
                           for name, sd in (spread.get("programmes") or {}).items()}
        self.recruit_walk = self._recruit_walk(spread.get("recruit_university_share") or {}, n_years)
        exit_sd = spread.get("other_exit_rate") or {}
        if exit_sd:
            sd = np.array([float(exit_sd.get(c, 0.0)) for c in g["category"]])
            cats = {c: uncertainty.path_factor(self.rng, f"exit-{c}", 1.0, self.D) for c in set(g["category"])}
            z = np.stack([np.log(cats[c]) for c in g["category"]])  # (G, D) standard normals
            self.exit_rate_path = np.clip(self.exit_rate[:, None] * np.exp(sd[:, None] * z), 0, 1)
        else:
            self.exit_rate_path = None
        self.review_rate = float(self.hist.get("pool_review_rate") or 0.0)

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
            if self.exit_rate_path is not None:
                rel = self.exit_rate_path / np.maximum(self.exit_rate[:, None], 1e-12)  # (G, D)
                rate = np.clip(rate * rel[self.cell_group][None], 0, 1)
            x = self.rng.binomial("exit", t, S, np.broadcast_to(rate, S.shape))
            S -= x
            total = x.sum(axis=0, dtype=COUNT)
            spread = [d for d in self.S if d != "education"]
        else:
            # one rate per group: one binomial per cell, spread over every dimension's
            # states, so that a change of training leaves the number of leavers as it was
            rate = (self.exit_rate[self.cell_group][:, None] if self.exit_rate_path is None
                    else self.exit_rate_path[self.cell_group])  # (C, 1) or (C, D) with parameter draws
            total = self.rng.binomial("exit", t, self.N, rate)
            spread = list(self.S)
        # spread over the states only in the cells where someone left in some draw
        cells = np.flatnonzero(total.max(axis=1) > 0)  # counts: max is a faster `any`
        if cells.size * 3 >= self.C * 2:  # most cells: no gather and scatter (empty cells get 0)
            where = np.arange(self.C * self.D, dtype=np.uint64).reshape(self.C, self.D)
            us = self.rng.uniforms_at([f"alloc-{dim}" for dim in spread], t, where)  # one hash pass
            for dim, u in zip(spread, us, strict=True):
                T = self.S[dim]
                T -= _systematic(total, T, u, self.N)
        elif cells.size:
            tot, n = total[cells], self.N[cells]
            where = (cells[:, None] * self.D + np.arange(self.D)).astype(np.uint64)
            us = self.rng.uniforms_at([f"alloc-{dim}" for dim in spread], t, where)
            for dim, u in zip(spread, us, strict=True):
                T = self.S[dim]
                T[:, cells] -= _systematic(tot, T[:, cells], u, n)
        self.N -= total
        return total

    def _train(self, t: int) -> dict:
        stats = {}
        factor = float(self.lv.get("training_capacity_factor", 1.0))
        for name, prog in PROGRAMMES.items():
            cap = float(self.lv[f"programmes.{name}.capacity"]) * factor
            if name in self.cap_factor:  # this path's level of places (one per draw)
                cap = cap * self.cap_factor[name][t - self.t0 - 1]
            dur = int(self.lv[f"programmes.{name}.duration"])
            rate = float(self.lv[f"programmes.{name}.completion_rate"])
            if t == self.t0 + 1 and dur > 1 and np.any(cap > 0):
                # warm start: the cohorts enrolled in the years before the snapshot at the
                # same capacity finish in t0+1 … t0+dur-1 (the pipeline is never empty)
                for k in range(1, dur):  # earliest finishers first, as they enrolled first
                    self._enrol(name, prog, t, self.t0 + k, cap, rate, f"warm{k}")
            completed = self._complete(name, prog, t)
            enrolled = self._enrol(name, prog, t, t + dur - 1, cap, rate, "") if np.any(cap > 0) else 0.0
            if dur <= 1:
                completed += self._complete(name, prog, t)
            stats[name] = (enrolled, completed)
        due, self.due = self.due, []
        for (name, finish, m_idx, gcell, _), done in zip(due, self.rng.binomials(t, [d[4] for d in due]), strict=True):
            self._schedule(name, finish, m_idx, gcell, done)
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

    def _enrol(self, name: str, prog: Programme, t: int, finish: int, cap: float | np.ndarray, rate: float,
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
        if np.any(reserved > 0) and prog.priority:
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
        if self.by_group is not None and not key:
            self.by_group[(t, name)] = np.bincount(self.cell_group[gcell], weights=enrol.sum(axis=1, dtype=np.int64),
                                                   minlength=self.G) / self.D
        # binomial completions (drawn only where someone enrolled); the yearly intake's, read
        # again only next year, are drawn with the other programmes' in one pass (_train)
        draw = (f"complete{key}-{name}", enrol, rate, where)
        if not key and finish > t and 0.0 < rate < 1.0:
            self.due.append((name, finish, m_idx, gcell, draw))
        else:
            done = enrol if rate >= 1.0 else self.rng.binomial(draw[0], t, enrol, rate, index=where)
            self._schedule(name, finish, m_idx, gcell, done)
        return float(enrol.sum() / self.D)

    def _schedule(self, name: str, finish: int, m_idx: np.ndarray, gcell: np.ndarray, done: np.ndarray) -> None:
        # one enrolment per (programme, finishing year): warm-start cohorts and the yearly
        # intake finish in distinct years
        assert (name, finish) not in self.pending
        self.pending[(name, finish)] = (m_idx, gcell, done)
        if name not in self.held:
            self.held[name] = np.zeros((len(PROGRAMMES[name].moves), self.C, self.D), dtype=COUNT)
        self.held[name][m_idx, gcell] += done

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
        for rows, need in self.leader_needs:  # all the leader groups of a post at once
            rest = [k for k in range(3) if k not in need]
            q = sm[rows][:, need].sum(axis=1)  # (rows, D)
            target = np.maximum(q, floor)
            up = np.where(q > 0, target / np.maximum(q, 1e-12), 0.0)
            down = np.where(q < 1, (1 - target) / np.maximum(1 - q, 1e-12), 0.0)
            sm[rows[:, None], need] *= up[:, None]
            sm[rows, need[-1]] += np.where(q > 0, 0.0, target)
            sm[rows[:, None], rest] *= down[:, None]
        mix["state_mgmt"] = sm / np.maximum(sm.sum(axis=1, keepdims=True), 1e-12)
        bucket = self._entry_bucket(t, self.lv["leader_years_to_retirement"])
        self._add(vac, bucket, mix, "promote", t)
        return vac

    def _pool_mix(self) -> dict:
        """Per appointed group, the state mix (G, K, D) of the group it appoints from."""
        out = {dim: np.zeros((self.G, len(names), self.D)) for dim, names in DIMENSIONS.items()}
        by_group = {dim: S.reshape(len(S), self.G, self.B, self.D).sum(axis=2, dtype=COUNT).transpose(1, 0, 2)
                    for dim, S in self.S.items()}  # (G, K, D)
        heads = self.N.reshape(self.G, self.B, self.D).sum(axis=1, dtype=COUNT)  # (G, D): every dimension's total
        anyone = heads.sum(axis=1) > 0
        mixes: dict = {}  # source groups -> their mix (appointed groups often share a source)
        for i, source, seen_dims in self._sources(anyone):
            if source not in mixes:
                idx = list(source)
                s = heads[idx].sum(axis=0, dtype=COUNT)[None, :]  # (1, D)
                filled = bool((s > 0).all())
                mixes[source] = {}
                for dim in DIMENSIONS:
                    tot = by_group[dim][idx].sum(axis=0, dtype=COUNT)  # (K, D)
                    share = tot / np.maximum(s, 1)
                    mixes[source][dim] = share if filled else np.where(s > 0, share, _uniform_first(tot.shape))
            for dim in DIMENSIONS:  # recent appointees' own mix, when the panel gave one
                out[dim][i] = self.appointee_mix[dim][i][:, None] if dim in seen_dims else mixes[source][dim]
        return out

    def _sources(self, anyone: np.ndarray) -> list:
        """Per appointed group: (group, its sources, dimensions with an observed mix); memoised on ``anyone``."""
        key, cache = anyone.tobytes(), self.__dict__.setdefault("_source_cache", {})
        if key in cache:  # who has staff rarely changes from year to year
            return cache[key]
        g, ordinary = self.groups, ~self.appointed
        level, cat = g["level"].to_numpy(), g["category"].to_numpy()
        pool = (g["in_pool"].to_numpy() == 1) & ~self.leader_group
        found = []
        for i in np.flatnonzero(self.appointed):
            same_level = level == level[i]
            same_cat = same_level & (cat == cat[i])
            choices = [same_cat & ordinary, same_level & ordinary, ordinary]
            if self.leader_group[i]:
                choices.insert(0, same_cat & pool)
            for choice in choices:
                if anyone[choice].any():
                    break
            seen_dims = {dim for dim in DIMENSIONS if not np.isnan(self.appointee_mix[dim][i]).any()}
            found.append((i, tuple(np.flatnonzero(choice)), seen_dims))
        cache[key] = found
        return found

    def _review_pool(self, t: int) -> None:
        """The yearly review of the succession pool: members reviewed out swap places with
        ordinary staff of the same category, level and retirement year (binomial at the
        history's ``pool_review_rate``; headcounts unchanged, each side's states by
        systematic sampling)."""
        if self.review_rate <= 0 or self.pool_pairs is None:
            return
        cp, co = self.pool_pairs
        x = np.minimum(self.rng.binomial("review", t, self.N[cp], self.review_rate), self.N[co])
        if not x.any():
            return
        where = (cp[:, None] * self.D + np.arange(self.D)).astype(np.uint64)
        us = iter(self.rng.uniforms_at([f"review-{io}-{dim}" for dim in self.S for io in ("out", "in")], t, where))
        for S in self.S.values():
            out_p = _systematic(x, S[:, cp], next(us), self.N[cp])
            out_o = _systematic(x, S[:, co], next(us), self.N[co])
            S[:, cp] += out_o - out_p
            S[:, co] += out_p - out_o

    def _recruit_walk(self, spread: Mapping, n_years: int) -> np.ndarray | None:
        """Per group, year and draw, the logit shift of the recruits' university share (G, years, D)."""
        if not spread:
            return None
        walks = {c: np.log(uncertainty.walk_factors(self.rng, f"recruits-{c}", float(v["level"]),
                                                    float(v.get("drift", 0.0)), self.t0 + 1, n_years, self.D))
                 for c, v in spread.items()}
        zero = np.zeros((n_years, self.D))
        return np.stack([walks.get(c, zero) for c in self.groups["category"]])

    def _recruit(self, t: int, exits: np.ndarray, headcount: np.ndarray) -> np.ndarray:
        want = self.replacement[:, None] * exits + self.headcount_change[:, None] * headcount
        hires = np.maximum(0, np.floor(want + self.rng.uniform("hire-round", t, want.shape))).astype(COUNT)
        hires[self.appointed] = 0
        bucket = self._entry_bucket(t, self.lv["recruit_years_to_retirement"])
        mix = self.recruit_mix if self.recruit_walk is None else with_drawn_share(
            self.recruit_mix, self.recruit_walk[:, t - self.t0 - 1])
        self._add(hires, bucket, mix, "recruit", t)
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
        steps: dict = {"start": self._means()}  # the first year, step by step: which flow moves what

        def step(name: str, j: int) -> None:
            if j == 0:
                steps[name] = self._means()

        for j, t in enumerate(int(y) for y in years):
            headcount = self._group_sum(self.N)
            retired = self._retire(t)
            step("retirements", j)
            exits = self._group_sum(self._exit(t))
            step("other exits", j)
            stats = self._train(t)
            step("training completions", j)
            self._review_pool(t)
            step("succession-pool review", j)
            promoted = self._promote(t, retired + exits)
            step("appointments", j)
            hires = self._recruit(t, retired + exits, headcount)
            step("recruits", j)
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
                          trials=self.rng.trials, first_year_steps=steps,
                          enrolments_by_group=self._by_group_frame())

    def _by_group_frame(self) -> pd.DataFrame | None:
        """The yearly intakes by group: year, programme, the group's attributes, mean enrolled (non-zero rows)."""
        if self.by_group is None:
            return None
        cols = ["year", "programme", *self.groups.columns, "enrolled"]
        if not self.by_group:
            return pd.DataFrame(columns=cols)
        keys = list(self.by_group)
        intake = np.stack(list(self.by_group.values()))
        k, g = np.nonzero(intake > 0)  # one frame built once, not per key
        out = self.groups.iloc[g].reset_index(drop=True)
        out.insert(0, "year", [int(keys[i][0]) for i in k])
        out.insert(1, "programme", [keys[i][1] for i in k])
        out["enrolled"] = intake[k, g]
        return out[cols]

    def _means(self) -> dict:
        """Every target's mean numerator and denominator over the draws, now."""
        # whole numbers: the int64 sum over D is the float sum ``mean`` takes, without its Python layers
        return {tid: (float(num.sum(dtype=np.int64)) / self.D, float(den.sum(dtype=np.int64)) / self.D)
                for tid, (num, den) in self._measure().items()}
