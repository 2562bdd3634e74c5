"""Canonical Gaussians: counts, skinning logits and adaptive scales, against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch
from draction_helpers import LINE

from skeletonllm.topology import Topology
from skeletonllm_draction.gaussians import (
    BONE,
    JOINT,
    adaptive_scales,
    build_template,
    first_valid_frame,
    interpolation_steps,
)
from skeletonllm_formats.topologies import COCO17, KINECT_V2, SMPL22


@pytest.mark.parametrize("topology", [KINECT_V2, SMPL22, COCO17, LINE])
def test_count_is_joints_plus_ten_per_bone(topology: Topology) -> None:
    tpl = build_template(topology)
    assert tpl.num_gaussians == topology.num_joints + 10 * topology.num_edges
    assert int((tpl.kind == JOINT).sum()) == topology.num_joints
    assert int((tpl.kind == BONE).sum()) == 10 * topology.num_edges


def test_kinect_has_265_gaussians() -> None:
    assert build_template(KINECT_V2).num_gaussians == 265


def test_interpolation_is_uniform_inside_the_bone() -> None:
    torch.testing.assert_close(interpolation_steps(), torch.arange(1, 11) / 11.0)


def test_log_linear_logits_give_exactly_linear_weights() -> None:
    tpl = build_template(LINE, "log_linear")
    w = tpl.lbs_weights
    torch.testing.assert_close(w[:3], torch.eye(3))  # joint Gaussians: one-hot on their own joint
    t = 1 / 11  # first Gaussian of bone (0, 1)
    torch.testing.assert_close(w[3], torch.tensor([1 - t, t, 0.0]))
    t = 10 / 11  # last Gaussian of bone (1, 2)
    torch.testing.assert_close(w[3 + 19], torch.tensor([0.0, 1 - t, t]))


def test_linear_logits_are_proportional_to_one_minus_t_and_t() -> None:
    tpl = build_template(LINE, "linear", scale=10.0)
    t = 3 / 11
    row = 3 + 2  # third Gaussian of bone (0, 1)
    assert tpl.lbs_logits[row, 0] == pytest.approx(10 * (1 - t))
    assert tpl.lbs_logits[row, 1] == pytest.approx(10 * t)
    wa = math.exp(10 * (1 - t)) / (math.exp(10 * (1 - t)) + math.exp(10 * t))
    assert tpl.lbs_weights[row, 0].item() == pytest.approx(wa, rel=1e-5)
    assert tpl.lbs_weights[row, 2].item() == 0.0


def test_first_valid_frame_prefers_the_first_complete_pose() -> None:
    mask = torch.ones(1, 2, 4, 3, dtype=torch.bool)
    mask[0, 0, :2, 1] = False  # person 0 complete from frame 2
    mask[0, 1, :, 2] = False  # person 1 never complete: best coverage first appears at frame 0
    mask[0, 1, 0, 0] = False
    assert first_valid_frame(mask).tolist() == [[2, 1]]


def test_adaptive_scales_hand_computed() -> None:
    """Bones of length 2 and 1: ratios 1 and 0.5; joints take the median of their bones."""
    joints = torch.tensor([[0.0, 0, 0], [2.0, 0, 0], [3.0, 0, 0]])
    mask = torch.ones(3, dtype=torch.bool)
    tpl = build_template(LINE)
    s = adaptive_scales(joints, mask, LINE, tpl, base=0.1, min_ratio=0.4, max_ratio=1.0)
    longest = 2.0
    expected_joint = torch.tensor([1.0, 0.75, 0.5]) * 0.1 * longest
    torch.testing.assert_close(s[:3], expected_joint)
    torch.testing.assert_close(s[3:13], torch.full((10,), 0.1 * longest * 1.0))
    torch.testing.assert_close(s[13:], torch.full((10,), 0.1 * longest * 0.5))
    clamped = adaptive_scales(joints, mask, LINE, tpl, base=0.1, min_ratio=0.6, max_ratio=0.9)
    torch.testing.assert_close(clamped[13:], torch.full((10,), 0.1 * longest * 0.6))
    torch.testing.assert_close(clamped[3:13], torch.full((10,), 0.1 * longest * 0.9))


def test_adaptive_scales_untracked_joint_takes_median_bone() -> None:
    joints = torch.tensor([[0.0, 0, 0], [2.0, 0, 0], [0.0, 0, 0]])
    mask = torch.tensor([True, True, False])
    s = adaptive_scales(joints, mask, LINE, build_template(LINE), base=0.1, min_ratio=0.1, max_ratio=1.0)
    torch.testing.assert_close(s[13:], torch.full((10,), 0.2))  # unknown bone -> median known length (2)
    assert torch.isfinite(s).all()
