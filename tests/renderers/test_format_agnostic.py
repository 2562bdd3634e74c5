"""Format agnosticism, measured: one motion in three formats looks more alike than three motions in one.

SynthAct emits the same performance as Kinect v2 (3D camera space, 25
joints), SMPL-22 (3D world frame, 22 joints) and COCO-17 (2D pixels, 17
joints). A renderer that let the file format dominate the picture would make
the formats differ more than the actions do.
"""

from __future__ import annotations

import functools
import itertools

import pytest
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.registry import get_registry

synthetic = pytest.importorskip("skeletonllm_datasets.synthetic", reason="SynthAct generator not installed")

ACTIONS = ("hand waving", "squat down", "kicking something")
FORMATS = ("kinect_v2", "smpl22", "coco17")


@functools.cache
def clip(action: str, topology: str):
    """Generated once per session: the clips are the same for every renderer."""
    return synthetic.generate(action, topology, 1, randomize=False)


@pytest.mark.parametrize("name", get_registry().names("renderer"))
def test_same_motion_in_other_formats_is_closer_than_other_motions(name: str):
    torch.manual_seed(0)
    renderer = get_registry().create("renderer", name, {"frames": 6, "size": 64}).eval()
    images = {}
    with torch.no_grad():
        for action, topology in itertools.product(ACTIONS, FORMATS):
            batch = SkeletonBatch.from_sequences([clip(action, topology)], frames=6)
            images[action, topology] = renderer(batch)[0]

    def distance(a: torch.Tensor, b: torch.Tensor) -> float:
        return (a - b).abs().mean().item()

    across_formats = [
        distance(images[a, f], images[a, g]) for a in ACTIONS for f, g in itertools.combinations(FORMATS, 2)
    ]
    across_motions = [
        distance(images[a, f], images[b, f]) for f in FORMATS for a, b in itertools.combinations(ACTIONS, 2)
    ]
    same, other = sum(across_formats) / len(across_formats), sum(across_motions) / len(across_motions)
    assert same < other, f"{name}: formats differ by {same:.4f} on average, motions by only {other:.4f}"
