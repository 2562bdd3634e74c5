"""DrAction learns: optimising its parameters (or the joints) towards a target image lowers the loss."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm_datasets.synthetic import generate
from skeletonllm_draction import DrActionOptions, DrActionRenderer

SIZE = 40


def _batch() -> SkeletonBatch:
    return SkeletonBatch.from_sequences([generate("cheer up", "kinect_v2", 2, frames=12)], frames=3)


@pytest.mark.slow  # ~4 s alone on one quiet core, 20 s+ on the shared 2-core machine
@pytest.mark.parametrize("nfm", ["gru", "none"])  # the full renderer and the paper's 'w/o NFM' variant
def test_renderer_parameters_fit_a_target_image(nfm: str) -> None:
    """Target: the same motion with thicker, brighter limbs; the loss must fall by a clear margin."""
    torch.manual_seed(0)
    batch = _batch()
    teacher = DrActionRenderer(DrActionOptions(size=SIZE, nfm=nfm))
    with torch.no_grad():
        teacher.log_scale.fill_(0.35)
        teacher.colour_blend.logit.fill_(0.0)  # half colour map, half NFM colour
        head = teacher.nfm.base_head if teacher.nfm is not None else teacher.static.head
        head.bias[:3] = torch.tensor([3.0, 3.0, 3.0])  # bright appearance colour
        target = teacher(batch)
    student = DrActionRenderer(DrActionOptions(size=SIZE, nfm=nfm))
    opt = torch.optim.Adam(student.parameters(), lr=0.03)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = ((student(batch) - target) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0], losses


@pytest.mark.slow
def test_joint_positions_fit_a_target_pose() -> None:
    """Gradients through the rasteriser move the joints towards where the target draws them."""
    torch.manual_seed(0)
    batch = _batch()
    renderer = DrActionRenderer(DrActionOptions(size=SIZE))
    with torch.no_grad():
        target = renderer(batch)
    shifted = batch.positions.clone()
    shifted[..., 5:8, 1] -= 0.15  # left arm dropped by 15 cm
    pos = shifted.requires_grad_()
    opt = torch.optim.Adam([pos], lr=0.01)
    losses = []
    for _ in range(12):
        opt.zero_grad()
        loss = ((renderer(SkeletonBatch(pos, batch.mask, batch.topology, batch.orientations)) - target) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0], losses
    assert torch.isfinite(pos.grad).all()
