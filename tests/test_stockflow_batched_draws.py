"""The engine's batched random draws are bit for bit the draws made one stream at a time."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.stockflow.sampling import _Streams


def _counts(seed: int, shape: tuple[int, ...], high: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = rng.integers(0, high, size=shape).astype(np.int32)
    n[rng.random(shape) < 0.4] = 0  # most cells empty, as in the engine
    return n


@pytest.mark.parametrize("ps", [(0.3,), (0.9, 0.05, 0.5), (0.7, 0.7), (0.999, 0.001, 0.25, 0.6)])
@pytest.mark.parametrize("high", [3, 40, 400])
def test_binomials_in_one_pass_equal_one_call_per_stream(ps, high):
    draws = []
    for i, p in enumerate(ps):
        n = _counts(i + high, (7 + i, 30), high)
        where = np.arange(n.size, dtype=np.uint64).reshape(n.shape) * np.uint64(3) + np.uint64(i)
        draws.append((f"complete-{i}", n, p, where))
    batched, single = _Streams(11), _Streams(11)
    got = batched.binomials(2027, draws)
    for (flow, n, p, where), out in zip(draws, got, strict=True):
        want = single.binomial(flow, 2027, n, p, index=where)
        assert out.dtype == want.dtype and np.array_equal(out, want)
    assert (batched.variates, batched.trials) == (single.variates, single.trials)


def test_no_draws_give_no_results():
    assert _Streams(0).binomials(2026, []) == []


@pytest.mark.parametrize("shape", [(5,), (4, 6), (2, 3, 4)])
def test_several_streams_hashed_together_equal_each_stream_alone(shape):
    rng = _Streams(3)
    index = np.arange(int(np.prod(shape)), dtype=np.uint64).reshape(shape) * np.uint64(17)
    flows = ["alloc-education", "alloc-political", "review-out-it"]
    together = rng.uniforms_at(flows, 2028, index)
    assert together.shape == (len(flows), *shape)
    for flow, row in zip(flows, together, strict=True):
        assert np.array_equal(row, rng.uniform_at(flow, 2028, index))
