"""Frame sampling DrAction relies on: uniform segments, random offset in training, centre in evaluation."""

from __future__ import annotations

import numpy as np

from skeletonllm.batch import segment_indices


def test_evaluation_takes_segment_centres() -> None:
    assert segment_indices(24, 12, train=False).tolist() == list(range(1, 24, 2))
    assert segment_indices(120, 12, train=False).tolist() == [5 + 10 * k for k in range(12)]


def test_training_draws_one_frame_inside_each_segment() -> None:
    rng = np.random.default_rng(0)
    draws = np.stack([segment_indices(120, 12, train=True, rng=rng) for _ in range(200)])
    lower = np.arange(12) * 10
    assert ((draws >= lower) & (draws < lower + 10)).all()
    assert len(np.unique(draws[:, 0])) == 10  # every offset in the first segment occurs


def test_short_clips_repeat_frames() -> None:
    assert segment_indices(3, 12, train=False).tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    assert segment_indices(1, 12, train=True, rng=np.random.default_rng(0)).tolist() == [0] * 12
