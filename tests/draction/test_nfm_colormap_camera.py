"""NFM, depth colour map and camera: hand-computed cases."""

from __future__ import annotations

import math

import pytest
import torch

from skeletonllm.topology import Topology
from skeletonllm_draction.camera import PinholeCamera, axes_rotation, camera_axes
from skeletonllm_draction.colormap import DepthColourBlend, triangular_colormap
from skeletonllm_draction.framing import camera_distance, centre_and_scale
from skeletonllm_draction.nfm import NeuralFeatureModulator, motion_inputs


def test_motion_inputs_positions_and_velocities() -> None:
    w = torch.tensor([[0.5, 0.5]])
    joints = torch.tensor([[[0.0, 0, 0], [2.0, 0, 0]], [[1.0, 0, 0], [3.0, 2, 0]], [[5.0, 5, 5], [5.0, 5, 5]]])
    mask = torch.tensor([[True, True], [True, True], [True, False]])
    m = motion_inputs(w, joints.reshape(1, 1, 3, 2, 3), mask.reshape(1, 1, 3, 2))[0, 0, :, 0]
    torch.testing.assert_close(m[:2, :3], torch.tensor([[1.0, 0, 0], [2.0, 1, 0]]))
    torch.testing.assert_close(m[:, 3:], torch.tensor([[0.0, 0, 0], [1.0, 1, 0], [0.0, 0, 0]]))  # missing -> 0


@pytest.mark.parametrize("temporal", ["gru", "rnn", "lstm", "mlp"])
def test_nfm_shapes_range_and_gradients(temporal: str) -> None:
    torch.manual_seed(0)
    nfm = NeuralFeatureModulator(8, temporal=temporal, hidden=10)
    feats = torch.randn(2, 1, 5, 8) * 0.02
    motion = torch.randn(2, 1, 4, 5, 6)
    colour, opacity = nfm(feats, motion)
    assert colour.shape == (2, 1, 4, 5, 3) and opacity.shape == (2, 1, 4, 5)
    assert (colour > 0).all() and (colour < 1).all() and (opacity > 0).all() and (opacity < 1).all()
    # untrained: the modulation is tiny, so opacity is close to the base 0.9
    assert (opacity - 0.9).abs().max() < 0.02
    (colour.sum() + opacity.sum()).backward()
    for name, p in nfm.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    if temporal == "gru":
        assert nfm.temporal.hidden_size == 10


def test_triangular_colormap_values() -> None:
    got = triangular_colormap(torch.tensor([0.0, 0.25, 0.5, 1.0]))
    expected = torch.tensor([[0.0, 0.0, 0.5], [0.0, 0.5, 1.0], [0.5, 1.0, 0.5], [0.5, 0.0, 0.0]])
    torch.testing.assert_close(got, expected)


def test_depth_colour_blend_weight() -> None:
    blend = DepthColourBlend(0.9)
    assert blend.weight.item() == pytest.approx(0.9)
    out = blend(torch.ones(1, 3), torch.tensor([0.5]))
    torch.testing.assert_close(out, 0.9 * torch.tensor([[0.5, 1.0, 0.5]]) + 0.1)
    with pytest.raises(ValueError):
        DepthColourBlend(1.0)


def test_pinhole_intrinsics_sixty_degrees() -> None:
    cam = PinholeCamera(448, 448)
    f = 224 / math.tan(math.radians(30))
    torch.testing.assert_close(cam.intrinsics(), torch.tensor([[f, 0, 224], [0, f, 224], [0, 0, 1.0]]))
    assert cam.subject_distance(1.0) == pytest.approx(1 / math.tan(math.radians(30)))


def test_fixed_framing_centres_scales_and_turns_y_up_to_image_down() -> None:
    # 3D, y up: head above feet; the figure is 4 tall and sits 10 units from the origin in depth
    pos = torch.tensor([[0.0, 4, 10], [0.0, 0, 10], [1.0, 2, 11], [-1.0, 2, 9]]).reshape(1, 1, 1, 4, 3)
    mask = torch.ones(1, 1, 1, 4, dtype=torch.bool)
    topo = Topology("four", ("head", "foot", "r", "l"), (), dims=3)
    out = centre_and_scale(camera_axes(pos, topo), mask, "fixed").scene[0, 0, 0]
    # centre (0, 2), half-extent 2 -> scale 0.5; y flips to image-down, x turns with it (a rotation)
    torch.testing.assert_close(out[:, :2], torch.tensor([[0.0, -1], [0.0, 1], [-0.5, 0], [0.5, 0]]))
    torch.testing.assert_close(out[:, 2].median(), torch.tensor(0.0))  # median depth at the figure
    torch.testing.assert_close(out[2, 2] - out[3, 2], torch.tensor(1.0))  # depth differences scale too


def test_framing_lifts_2d_and_ignores_masked() -> None:
    pos = torch.tensor([[100.0, 50], [300.0, 250], [9e9, 9e9]]).reshape(1, 1, 1, 3, 2)
    mask = torch.tensor([True, True, False]).reshape(1, 1, 1, 3)
    topo = Topology("three2d", ("a", "b", "c"), (), dims=2)
    out = centre_and_scale(camera_axes(pos, topo), mask, "fixed").scene[0, 0, 0]
    torch.testing.assert_close(out[:2], torch.tensor([[-1.0, -1, 0], [1.0, 1, 0]]))
    torch.testing.assert_close(out[2], torch.zeros(3))


@pytest.mark.parametrize("up", ["y", "z", "x", "-y", "-z", "-x"])
def test_camera_axes_puts_the_declared_up_axis_at_the_top(up: str) -> None:
    axis = {"x": 0, "y": 1, "z": 2}[up[-1]]
    head = torch.zeros(3)
    head[axis] = -1.0 if up.startswith("-") else 1.0
    topo = Topology("two", ("head", "foot"), ((0, 1),), dims=3, up_axis=up)
    cam = camera_axes(torch.stack([head * 2.0, torch.zeros(3)]), topo)
    assert cam[0, 1] < cam[1, 1] - 1.9  # camera y points down: the head has the smaller y
    torch.testing.assert_close(cam[0, [0, 2]], torch.zeros(2))
    rot = axes_rotation(topo)
    torch.testing.assert_close(torch.linalg.det(rot), torch.tensor(1.0))  # a rotation, never a mirror


def test_camera_distance_keeps_every_point_inside_and_in_front() -> None:
    cam = PinholeCamera(64, 64)
    # a clip that travels far along depth: points from 6 units in front of the figure to 6 behind
    z = torch.linspace(-6.0, 6.0, 13)
    scene = torch.stack([torch.full_like(z, 1.0), torch.full_like(z, -1.0), z], -1).reshape(1, 1, 13, 1, 3)
    mask = torch.ones(1, 1, 13, 1, dtype=torch.bool)
    pad = torch.tensor([0.2])
    d = camera_distance(scene, mask, cam, 0.85, pad)
    depth = scene[..., 2] + d
    assert (depth - pad > 0).all()
    u = cam.fx * (scene[..., 0].abs() + pad) / depth
    assert (u <= 0.85 * cam.cx + 1e-4).all()
    assert d.item() >= cam.subject_distance(0.85)


def test_follow_framing_takes_out_a_straight_walk() -> None:
    # a rigid two-joint figure walking 10 units along depth and 5 across, at constant speed
    f = 9
    t = torch.linspace(0.0, 1.0, f)
    root = torch.stack([5.0 * t, torch.zeros(f), 10.0 * t], -1)  # (F,3)
    pos = torch.stack([root, root + torch.tensor([0.0, 2.0, 0.0])], 1).reshape(1, 1, f, 2, 3)
    mask = torch.ones(1, 1, f, 2, dtype=torch.bool)
    topo = Topology("two", ("foot", "head"), ((0, 1),), dims=3)
    framed = centre_and_scale(camera_axes(pos, topo), mask, "follow")
    per_frame = framed.scene[0, 0]  # (F,2,3)
    torch.testing.assert_close(per_frame, per_frame[:1].expand_as(per_frame), atol=1e-4, rtol=0)  # no travel left
    assert framed.travel[0, -1, 2] - framed.travel[0, 0, 2] > 4.0  # the travel is kept for the colour map
    fixed = centre_and_scale(camera_axes(pos, topo), mask, "fixed")
    assert (fixed.travel == 0).all()
    assert fixed.scene[0, 0, -1, 0, 2] - fixed.scene[0, 0, 0, 0, 2] > 3.9  # 10 units at scale 1/2.5
