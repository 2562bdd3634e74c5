"""``DrActionRenderer.project``: every joint lands where the renderer draws it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology
from skeletonllm_datasets.synthetic import generate
from skeletonllm_draction.options import DrActionOptions
from skeletonllm_draction.renderer import DrActionRenderer


def _render(sequences, size=96, frames=4, **options):
    renderer = DrActionRenderer(DrActionOptions(frames=frames, size=size, **options)).eval()
    batch = SkeletonBatch.from_sequences(sequences, frames=frames)
    with torch.no_grad():
        return renderer(batch), renderer.project(batch), batch


def test_projected_hand_lands_on_the_drawn_hand():
    """A two-joint 'arm' (shoulder, hand): the drawn bone's far end is where the hand projects."""
    topo = Topology("arm", ("shoulder", "hand"), ((0, 1),))
    t = np.linspace(0, 1, 8)
    pos = np.zeros((1, 8, 2, 3), np.float32)
    pos[0, :, 1, 0] = 0.6 * np.cos(t * 2)  # the hand swings around the shoulder
    pos[0, :, 1, 1] = 0.6 * np.sin(t * 2)
    seq = SkeletonSequence(pos, topo, fps=30.0)
    images, projected, _ = _render([seq], size=96, frames=4)
    for f in range(4):
        (su, sv, _), (hu, hv, _) = projected[0, 0, f].tolist()
        picture = images[0, f].sum(0)  # (H, W) brightness
        # sample along the bone: the drawing is bright between the projected joints and dark beyond the hand
        for share in (0.25, 0.5, 0.75):
            u, v = su + share * (hu - su), sv + share * (hv - sv)
            assert picture[int(v), int(u)] > 0.3, (f, share)
        beyond_u, beyond_v = hu + 0.6 * (hu - su), hv + 0.6 * (hv - sv)
        if 0 <= beyond_u < 96 and 0 <= beyond_v < 96:
            assert picture[int(beyond_v), int(beyond_u)] < picture[int(hv), int(hu)]


@pytest.mark.parametrize("framing", ["fixed", "follow"])
def test_every_joint_of_a_real_layout_projects_onto_the_figure(framing):
    """SynthAct in every topology, both cameras: each valid joint's pixel (or its 3x3 neighbourhood) is drawn."""
    for topology in ("kinect_v2", "smpl22", "coco17", "bvh"):
        seq = generate("step forward", topology, 3)
        images, projected, batch = _render([seq], size=112, frames=3, framing=framing)
        lit = images[0].sum(1) > 0.05  # (F, H, W)
        lit = torch.nn.functional.max_pool2d(lit.float().unsqueeze(1), 3, 1, 1).squeeze(1) > 0
        valid = batch.mask[0, 0]
        uv = projected[0, 0, ..., :2]
        hits = [
            bool(lit[f, int(uv[f, j, 1]), int(uv[f, j, 0])])
            for f in range(3)
            for j in range(uv.shape[1])
            if valid[f, j] and 0 <= uv[f, j, 0] < 112 and 0 <= uv[f, j, 1] < 112
        ]
        assert len(hits) > 0.9 * int(valid.sum()), topology  # projections lie inside the frame
        assert np.mean(hits) > 0.95, topology


def test_masked_joints_are_nan_and_depth_grows_away_from_the_camera():
    seq = generate("kicking something", "kinect_v2", 1)
    seq.mask[0, :, 7] = False  # drop the left hand everywhere
    _, projected, _ = _render([seq])
    assert torch.isnan(projected[0, 0, :, 7]).all()
    finite = projected[0, 0, :, [0, 3]]
    assert torch.isfinite(finite).all() and (finite[..., 2] > 0).all()  # in front of the camera
