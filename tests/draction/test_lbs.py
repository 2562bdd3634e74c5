"""Skinning: quaternions, SO(3) projection, blending and covariances, hand-computed."""

from __future__ import annotations

import math

import torch

from skeletonllm_draction.lbs import blend, joint_transforms, posed_covariance, project_to_so3, quaternion_to_matrix

RZ90 = torch.tensor([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])


def test_quaternion_about_z() -> None:
    q = torch.tensor([math.cos(math.pi / 4), 0, 0, math.sin(math.pi / 4)])
    torch.testing.assert_close(quaternion_to_matrix(q), RZ90, atol=1e-6, rtol=0)
    torch.testing.assert_close(quaternion_to_matrix(torch.zeros(4)), torch.eye(3))  # untracked -> identity


def test_so3_projection_fixes_reflection_and_averages_rotations() -> None:
    half = project_to_so3(0.5 * torch.eye(3) + 0.5 * RZ90)
    c = math.cos(math.pi / 4)
    torch.testing.assert_close(half, torch.tensor([[c, -c, 0], [c, c, 0], [0, 0, 1]]), atol=1e-6, rtol=0)
    reflection = torch.diag(torch.tensor([1.0, 1.0, -1.0]))
    fixed = project_to_so3(reflection)
    assert torch.linalg.det(fixed).item() > 0.99
    torch.testing.assert_close(fixed @ fixed.T, torch.eye(3), atol=1e-6, rtol=0)


def test_translation_only_blend_follows_the_joints() -> None:
    # two joints, one bone Gaussian at t = 0.25 with weights (0.75, 0.25)
    w = torch.tensor([[0.75, 0.25]])
    canon = torch.tensor([[0.0, 0, 0], [4.0, 0, 0]]).reshape(1, 1, 2, 3)
    pos = torch.tensor([[[0.0, 0, 0], [4.0, 0, 0]], [[1.0, 1, 0], [1.0, 5, 0]]]).reshape(1, 1, 2, 2, 3)
    rot, trans = joint_transforms(pos, canon, None, torch.zeros(1, 1, dtype=torch.long))
    assert rot is None
    means, r = blend(w, rot, trans, torch.einsum("nv,bmvc->bmnc", w, canon))
    assert r is None
    torch.testing.assert_close(means[0, 0, :, 0], torch.tensor([[1.0, 0, 0], [1.0, 2.0, 0]]))


def test_rotation_blend_turns_the_offset() -> None:
    """One joint at the origin turning 90 degrees about z carries a Gaussian at (1, 0, 0) to (0, 1, 0)."""
    w = torch.tensor([[1.0]])
    canon = torch.zeros(1, 1, 1, 3)
    pos = torch.zeros(1, 1, 2, 1, 3)
    s = math.sin(math.pi / 4)
    quats = torch.tensor([[1.0, 0, 0, 0], [s, 0, 0, s]]).reshape(1, 1, 2, 1, 4)
    rot, trans = joint_transforms(pos, canon, quats, torch.zeros(1, 1, dtype=torch.long))
    means, r = blend(w, rot, trans, torch.tensor([[[[1.0, 0, 0]]]]))
    torch.testing.assert_close(means[0, 0, 1, 0], torch.tensor([0.0, 1, 0]), atol=1e-6, rtol=0)
    torch.testing.assert_close(r[0, 0, 1, 0], RZ90, atol=1e-6, rtol=0)


def test_covariance_is_r_s_s_r_transposed() -> None:
    cov = posed_covariance(RZ90, torch.tensor([1.0, 2.0, 3.0]))
    torch.testing.assert_close(cov, torch.diag(torch.tensor([4.0, 1.0, 9.0])), atol=1e-6, rtol=0)
    torch.testing.assert_close(
        posed_covariance(None, torch.tensor([1.0, 2.0, 3.0])), torch.diag(torch.tensor([1.0, 4, 9]))
    )
