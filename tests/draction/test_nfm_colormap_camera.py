"""NFM, depth colour map and camera: hand-computed cases."""

from __future__ import annotations

import math

import pytest
import torch

from skeletonllm_draction.camera import PinholeCamera, normalise_scene
from skeletonllm_draction.colormap import DepthColourBlend, triangular_colormap
from skeletonllm_draction.nfm import NeuralFeatureModulator, motion_inputs


def test_motion_inputs_positions_and_velocities() -> None:
    w = torch.tensor([[0.5, 0.5]])
    joints = torch.tensor([[[0.0, 0, 0], [2.0, 0, 0]], [[1.0, 0, 0], [3.0, 2, 0]], [[5.0, 5, 5], [5.0, 5, 5]]])
    mask = torch.tensor([[True, True], [True, True], [True, False]])
    m = motion_inputs(w, joints.reshape(1, 1, 3, 2, 3), mask.reshape(1, 1, 3, 2))[0, 0, :, 0]
    torch.testing.assert_close(m[:2, :3], torch.tensor([[1.0, 0, 0], [2.0, 1, 0]]))
    torch.testing.assert_close(m[:, 3:], torch.tensor([[0.0, 0, 0], [1.0, 1, 0], [0.0, 0, 0]]))  # missing -> 0


@pytest.mark.parametrize("temporal", ["gru", "rnn", "lstm", "none"])
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


def test_normalise_scene_centres_scales_and_shifts_depth() -> None:
    # 3D, y up: head above feet; the figure is 4 tall and sits 10 units from the origin in depth
    pos = torch.tensor([[0.0, 4, 10], [0.0, 0, 10], [1.0, 2, 11], [-1.0, 2, 9]]).reshape(1, 1, 1, 4, 3)
    mask = torch.ones(1, 1, 1, 4, dtype=torch.bool)
    out = normalise_scene(pos, mask, 3, distance=2.0)[0, 0, 0]
    # centre (0, 2), half-extent 2 -> scale 0.5; y flips to image-down, x turns with it (a rotation)
    torch.testing.assert_close(out[:, :2], torch.tensor([[0.0, -1], [0.0, 1], [-0.5, 0], [0.5, 0]]))
    torch.testing.assert_close(out[:, 2].median(), torch.tensor(2.0))  # median depth at the subject distance
    torch.testing.assert_close(out[2, 2] - out[3, 2], torch.tensor(1.0))  # depth differences scale too


def test_normalise_scene_lifts_2d_to_constant_depth_and_ignores_masked() -> None:
    pos = torch.tensor([[100.0, 50], [300.0, 250], [9e9, 9e9]]).reshape(1, 1, 1, 3, 2)
    mask = torch.tensor([True, True, False]).reshape(1, 1, 1, 3)
    out = normalise_scene(pos, mask, 2, distance=3.0)[0, 0, 0]
    torch.testing.assert_close(out[:2], torch.tensor([[-1.0, -1, 3], [1.0, 1, 3]]))
    torch.testing.assert_close(out[2], torch.zeros(3))
