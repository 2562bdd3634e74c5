"""A backbone may read the skeleton batch instead of frames; clips of several topologies batch together."""

from __future__ import annotations

import numpy as np
import torch

from skeletonllm.batch import MixedBatch, SkeletonBatch
from skeletonllm.interfaces import Backbone
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology

LINE = Topology("line3", ("a", "b", "c"), ((0, 1), (1, 2)))


def batch_of(n: int) -> SkeletonBatch:
    seqs = [SkeletonSequence(np.full((1, 5, 3, 3), i, np.float32), LINE, meta={"i": i}) for i in range(n)]
    return SkeletonBatch.from_sequences(seqs, frames=4, labels=list(range(n)))


def test_a_mixed_batch_gives_rows_back_in_input_order():
    other = Topology("line2", ("a", "b"), ((0, 1),))
    seqs = [
        SkeletonSequence(np.full((1, 5, 3, 3), 0, np.float32), LINE),
        SkeletonSequence(np.full((1, 5, 2, 3), 1, np.float32), other),
        SkeletonSequence(np.full((1, 5, 3, 3), 2, np.float32), LINE),
    ]
    mixed = MixedBatch.from_sequences(seqs, frames=4)
    assert [b.topology.name for _, b in mixed.parts] == ["line3", "line2"]
    assert [index.tolist() for index, _ in mixed.parts] == [[0, 2], [1]]
    rows = mixed.apply(lambda part: part.positions[:, 0, 0, 0, :1])  # one row per clip: its fill value
    assert rows[:, 0].tolist() == [0.0, 1.0, 2.0]
    single = MixedBatch.from_sequences(seqs[:1], frames=4)  # one topology: a plain batch, same call
    assert isinstance(single, SkeletonBatch)
    assert single.apply(lambda part: part.positions[:, 0, 0, 0, 0]).tolist() == [0.0]


def test_model_input_follows_what_the_backbone_reads():
    class Reads(Backbone):
        def parameter_groups(self):
            return {}

        def loss(self, frames, examples):
            return torch.zeros(())

        def generate(self, frames, examples, max_new_tokens=32):
            return []

    def renderer(batch):
        return torch.zeros(batch.batch_size, 2, 3, 4, 4)

    class JointReads(Reads):
        reads = "skeleton"

        def model_input(self, renderer, batch):
            return batch.positions.flatten(1)

    batch = batch_of(2)
    assert Reads().model_input(renderer, batch).shape == (2, 2, 3, 4, 4)
    assert JointReads().model_input(renderer, batch).shape == (2, 1 * 4 * 3 * 3)
    Reads().describe_classes({})  # the default ignores descriptions
