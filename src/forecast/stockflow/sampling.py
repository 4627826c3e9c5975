"""Random numbers of the engine: binomial draws by inversion at counter-based uniforms
(common random numbers) and systematic spreading of exits over states."""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

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
        _tail(res, pos, ns, us, pm, cdf, r, _UNROLLED + 1)
    if any_flip:
        res = np.where(flip, n - res, res)
    return res


_UNROLLED = 4
_TAIL_BLOCK = 8


def _tail(res: np.ndarray, pos: np.ndarray, ns: np.ndarray, us: np.ndarray, pm: np.ndarray, cdf: np.ndarray,
          r, k: int) -> None:
    """The long tails of the exact inversion: ``res[pos]`` = the first j ≥ ``k`` with F(j) ≥ u, at most n.

    ``pm`` and ``cdf`` hold P(X = k − 1) and F(k − 1); ``r`` is p / (1 − p), one float or
    one per variate. The recursion runs in blocks of :data:`_TAIL_BLOCK` steps over the
    whole remainder, counting the steps still below u (F never decreases, so the count
    is the first step at or above u), and compacts only between blocks: far fewer array
    passes than compacting after every step, with each variate's arithmetic unchanged.
    """
    scalar = np.ndim(r) == 0
    while pos.size:
        below = np.zeros(pos.size, dtype=np.int64)  # steps of this block with F(j) < u
        for j in range(k, k + _TAIL_BLOCK):
            pm = pm * ((ns - j + 1) * r / j)
            cdf += pm
            below += cdf < us
        found = np.minimum(below + k, ns)  # the first j with F(j) ≥ u, or n
        done = (below < _TAIL_BLOCK) | (ns < k + _TAIL_BLOCK)
        res[pos[done]] = found[done]
        keep = np.flatnonzero(~done)
        pos, ns, us, pm, cdf = pos[keep], ns[keep], us[keep], pm[keep], cdf[keep]
        if not scalar:
            r = r[keep]
        k += _TAIL_BLOCK


_PMF_TABLES: dict = {}


def _pmf_tables(nmax: int, p: float) -> tuple[list, list]:
    """P(X = k) and P(X ≤ k), k = 0 … :data:`_UNROLLED`, of Binomial(n, p) for n = 0 … nmax.

    The per-variate recursion of :func:`_binomial_live` run once per n (bit for bit the
    same numbers), for draws that share one probability. Every entry is computed on its
    own (element-wise), so the tables of a probability are kept and sliced: a programme's
    completion rate draws every year of every projection.
    """
    hit = _PMF_TABLES.get(p)
    if hit is None or len(hit[0][0]) <= nmax:
        if len(_PMF_TABLES) > 64:
            _PMF_TABLES.clear()
        hit = _PMF_TABLES[p] = _pmf_compute(max(nmax, 2 * len(hit[0][0]) if hit else nmax), p)
        for table in (*hit[0], *hit[1]):
            table.flags.writeable = False  # shared by every later draw
    return [a[: nmax + 1] for a in hit[0]], [a[: nmax + 1] for a in hit[1]]


def _pmf_compute(nmax: int, p: float) -> tuple[list, list]:
    """:func:`_pmf_tables` computed (no memo)."""
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

    def _offset(self, flow: str, year: int) -> int:
        """The constant a (flow, year) stream adds to a position before hashing (mod 2^64)."""
        key = (zlib.crc32(flow.encode()) << 32) ^ (int(year) << 16) ^ (self.seed * 0x9E3779B1)
        # (position + key·γ) + γ folded into one addition (modulo 2^64, as the hash does)
        return (key * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF

    def uniforms_at(self, flows: list[str], year: int, index) -> np.ndarray:
        """:meth:`uniform_at` of several streams at the same positions, hashed in one pass.

        Returns an array ``(len(flows), *index.shape)``; row ``i`` is bit for bit
        ``uniform_at(flows[i], year, index)`` (the hash works element by element).
        """
        index = np.asarray(index).astype(np.uint64, copy=False)
        offsets = np.array([self._offset(f, year) for f in flows], dtype=np.uint64)
        z = index[None] + offsets.reshape(-1, *([1] * index.ndim))  # wraps modulo 2^64
        return _hash_uniform(z)

    def uniform_at(self, flow: str, year: int, index) -> np.ndarray:
        """The uniforms of positions ``index`` of a (flow, year) stream, computed alone.

        A counter-based draw: the SplitMix64 finaliser (Steele, Lea & Flood 2014) of
        (stream key, position). Only the positions needed are computed, yet every
        position keeps its own number whatever else is drawn: common random numbers for
        sparse draws (completions, entrants' qualifications).
        """
        z = np.asarray(index).astype(np.uint64)  # a copy: the hash works in place
        z += np.uint64(self._offset(flow, year))
        return _hash_uniform(z)

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

    def binomials(self, year: int, draws: list) -> list[np.ndarray]:
        """Several binomials of one probability each, drawn in one pass.

        ``draws`` holds ``(flow, n, p, index)`` with ``p`` a float in (0, 1) and ``index``
        an array the shape of ``n`` (stream positions); the i-th result is bit for bit
        ``binomial(flow, year, n, p, index)``: the uniforms are hashed per position and
        the inversion is element by element, so only the number of array passes changes.
        """
        if not draws:
            return []
        sizes = [d[1].size for d in draws]
        n = np.concatenate([d[1].reshape(-1) for d in draws])
        live = np.flatnonzero(n != 0)
        out = np.zeros_like(n)
        if live.size:
            seg = np.repeat(np.arange(len(draws)), sizes)[live]
            offsets = np.array([self._offset(d[0], year) for d in draws], dtype=np.uint64)
            z = np.concatenate([np.asarray(d[3]).reshape(-1) for d in draws]).astype(np.uint64)[live]
            z += offsets[seg]
            p = np.array([float(d[2]) for d in draws])
            nl = n[live]
            self._book(nl, p, seg)
            out[live] = _binomial_live(_hash_uniform(z), nl, p, seg)
        return [part.reshape(d[1].shape) for part, d in zip(np.split(out, np.cumsum(sizes)[:-1]), draws,
                                                              strict=True)]


def _hash_uniform(z: np.ndarray) -> np.ndarray:
    """Uniforms from offset positions ``z`` (uint64, overwritten): the SplitMix64 finaliser, 24 bits."""
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


