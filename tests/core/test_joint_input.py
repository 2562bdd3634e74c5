"""A backbone may read the skeleton batch instead of frames: batches index like frame tensors."""

from __future__ import annotations

import numpy as np
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.interfaces import Backbone
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology

LINE = Topology("line3", ("a", "b", "c"), ((0, 1), (1, 2)))


def batch_of(n: int) -> SkeletonBatch:
    seqs = [SkeletonSequence(np.full((1, 5, 3, 3), i, np.float32), LINE, meta={"i": i}) for i in range(n)]
    return SkeletonBatch.from_sequences(seqs, frames=4, labels=list(range(n)))


def test_a_batch_indexes_like_a_frame_tensor():
    batch = batch_of(3)
    picked = batch[torch.tensor([2, 0, 2])]
    assert len(picked) == 3 and picked.device == batch.device
    assert picked.positions[:, 0, 0, 0, 0].tolist() == [2.0, 0.0, 2.0]
    assert picked.labels.tolist() == [2, 0, 2] and [m["i"] for m in picked.meta] == [2, 0, 2]
    assert picked.mask.shape == (3, 1, 4, 3)
    assert batch[1:].positions[:, 0, 0, 0, 0].tolist() == [1.0, 2.0]


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

    batch = batch_of(2)
    assert Reads().model_input(renderer, batch).shape == (2, 2, 3, 4, 4)
    assert JointReads().model_input(renderer, batch) is batch
    Reads().describe_classes({})  # the default ignores descriptions
