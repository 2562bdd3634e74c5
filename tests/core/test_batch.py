"""Uniform segment sampling and batch collation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skeletonllm import SkeletonDataError, SkeletonSequence, Topology
from skeletonllm.batch import SkeletonBatch, segment_indices

TOPO = Topology.from_parents("pair", ["a", "b"], [-1, 0], dims=3)


def test_eval_sampling_takes_segment_centres():
    # 24 frames, 12 segments of 2: centres at 1, 3, 5, ...
    assert segment_indices(24, 12, train=False).tolist() == list(range(1, 24, 2))


def test_train_sampling_stays_inside_each_segment_and_varies():
    rng = np.random.default_rng(0)
    draws = np.stack([segment_indices(120, 12, train=True, rng=rng) for _ in range(50)])
    seg = np.arange(12) * 10
    assert ((draws >= seg) & (draws < seg + 10)).all()
    assert len({tuple(d) for d in draws}) > 1


def test_short_clips_repeat_frames_instead_of_padding():
    idx = segment_indices(3, 12, train=False)
    assert len(idx) == 12 and set(idx.tolist()) == {0, 1, 2}
    assert (np.diff(idx) >= 0).all()
    assert segment_indices(1, 12, train=True).tolist() == [0] * 12


def test_empty_clip_is_an_error():
    with pytest.raises(SkeletonDataError):
        segment_indices(0, 12, train=False)


def _seq(persons: int, frames: int, value: float) -> SkeletonSequence:
    return SkeletonSequence(np.full((persons, frames, 2, 3), value, np.float32), TOPO, fps=30)


def test_batch_pads_persons_with_a_false_mask():
    batch = SkeletonBatch.from_sequences([_seq(1, 30, 1.0), _seq(2, 7, 2.0)], frames=4, labels=[0, 3])
    assert batch.positions.shape == (2, 2, 4, 2, 3)
    assert batch.mask[0, 1].any().item() is False
    assert batch.mask[1].all().item() is True
    assert batch.labels.tolist() == [0, 3]
    assert batch.orientations is None
    assert batch.to("cpu").positions.dtype == torch.float32


def test_batch_refuses_mixed_topologies():
    other = Topology.from_parents("other", ["x", "y"], [-1, 0])
    seq = SkeletonSequence(np.zeros((1, 2, 2, 3), np.float32), other)
    with pytest.raises(SkeletonDataError, match="one topology"):
        SkeletonBatch.from_sequences([_seq(1, 2, 0.0), seq])


def test_mixed_batch_renders_each_topology_and_keeps_the_clips_order():
    from skeletonllm.batch import MixedBatch

    other = Topology.from_parents("other", ["x", "y", "z"], [-1, 0, 1])
    clips = [_seq(1, 5, 1.0), SkeletonSequence(np.full((1, 6, 3, 3), 2.0, np.float32), other), _seq(2, 3, 3.0)]
    assert isinstance(MixedBatch.from_sequences(clips[::2], frames=4), SkeletonBatch)  # one topology: as before
    batch = MixedBatch.from_sequences(clips, frames=4, labels=[7, 8, 9])
    assert batch.batch_size == 3 and [b.topology.name for _, b in batch.parts] == ["pair", "other"]
    assert batch.parts[0][1].labels.tolist() == [7, 9]
    scale = torch.tensor(1.0, requires_grad=True)
    calls = []

    def renderer(part):  # one "image" per clip: its mean coordinate times a learnable scale
        calls.append(part.topology.name)
        return (part.positions.mean(dim=(1, 2, 3, 4)) * scale).view(-1, 1, 1, 1, 1)

    frames = batch.to("cpu").render(renderer)
    assert calls == ["pair", "other"] and frames.flatten().tolist() == pytest.approx(
        [0.5, 2.0, 3.0]
    )  # clip 0 padded to 2 persons
    frames.sum().backward()  # one graph through every part, as a training step needs
    assert scale.grad.item() == pytest.approx(5.5)
