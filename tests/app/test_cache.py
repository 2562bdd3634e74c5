"""The app's read cache is bounded by bytes: a small file that expands to gigabytes is never held (issue 23)."""

from __future__ import annotations

import numpy as np
import pytest

from skeletonllm import SkeletonSequence, Topology
from skeletonllm_app.cache import ClipCache
from skeletonllm_app.clip import Clip

LINE = Topology("line3", ("a", "b", "c"), ((0, 1), (1, 2)), dims=3)


def _clip(frames: int) -> Clip:
    seq = SkeletonSequence(np.zeros((1, frames, 3, 3), np.float32), LINE)
    return Clip("c.npz", seq)


def test_a_clip_weighs_its_arrays():
    clip = _clip(100)
    assert clip.nbytes == 100 * 3 * 3 * 4 + 100 * 3  # float32 positions + bool mask


def test_reads_are_shared_until_the_byte_budget_is_spent():
    one = _clip(100).nbytes
    cache = ClipCache(max_bytes=int(2.5 * one))
    reads = []

    def read(key):
        def do():
            reads.append(key)
            return _clip(100)

        return do

    first = cache.get("a", read("a"))
    assert cache.get("a", read("a")) is first and reads == ["a"]  # Look then Ask: one read
    cache.get("b", read("b"))
    cache.get("a", read("a"))  # a is now the most recent
    cache.get("c", read("c"))  # over budget: the least recent (b) leaves
    assert len(cache) == 2 and cache.nbytes <= cache.max_bytes
    cache.get("a", read("a"))
    cache.get("b", read("b"))
    assert reads == ["a", "b", "c", "b"]


def test_the_same_bomb_uploaded_three_times_is_never_held():
    """A read that expands past the whole budget is used once and dropped, however often it comes."""
    cache = ClipCache(max_bytes=10_000)
    small = cache.get("small", lambda: _clip(10))
    for upload in range(3):
        big = cache.get(f"bomb-{upload}", lambda: _clip(100_000))  # 3.9 MB each, as the reader returned it
        assert big.sequence.num_frames == 100_000
    assert cache.nbytes == small.nbytes and len(cache) == 1


def test_a_negative_budget_is_refused():
    with pytest.raises(ValueError, match="max_bytes"):
        ClipCache(-1)
