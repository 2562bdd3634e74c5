"""Format agnosticism, measured: one motion in three topologies looks more alike than two motions in one.

The procedural SynthAct generator emits the same performance as Kinect v2
(25 joints, 3D metres, camera space), SMPL-22 (3D, Y up, floor at 0) and
COCO-17 (2D pixels). Distance: mean absolute pixel difference of the
untrained renderer's frames.
"""

from __future__ import annotations

import itertools

import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm_datasets.synthetic import generate
from skeletonllm_draction import DrActionOptions, DrActionRenderer

MOTIONS = ("sitting down", "hands up (both hands)", "kicking something")
TOPOLOGIES = ("kinect_v2", "smpl22", "coco17")


def test_same_motion_across_formats_is_closer_than_other_motions_in_one_format() -> None:
    torch.manual_seed(0)
    renderer = DrActionRenderer(DrActionOptions(size=64))
    frames = {}
    with torch.no_grad():
        for motion, topo in itertools.product(MOTIONS, TOPOLOGIES):
            seq = generate(motion, topo, 0, frames=24, randomize=False)
            frames[motion, topo] = renderer(SkeletonBatch.from_sequences([seq], frames=4))

    def dist(a, b) -> float:
        return (frames[a] - frames[b]).abs().mean().item()

    cross_format = [dist((m, a), (m, b)) for m in MOTIONS for a, b in itertools.combinations(TOPOLOGIES, 2)]
    cross_motion = [dist((a, t), (b, t)) for t in TOPOLOGIES for a, b in itertools.combinations(MOTIONS, 2)]
    mean_format = sum(cross_format) / len(cross_format)
    mean_motion = sum(cross_motion) / len(cross_motion)
    print(f"format agnosticism: cross-format {mean_format:.4f} vs cross-motion {mean_motion:.4f}")
    assert mean_format < 0.75 * mean_motion, (mean_format, mean_motion)
    # and per motion: each motion's farthest other format is nearer than its nearest other motion, on average
    for m in MOTIONS:
        same = max(dist((m, a), (m, b)) for a, b in itertools.combinations(TOPOLOGIES, 2))
        other = min(dist((m, t), (o, t)) for t in TOPOLOGIES for o in MOTIONS if o != m)
        assert same < 1.5 * other, (m, same, other)
