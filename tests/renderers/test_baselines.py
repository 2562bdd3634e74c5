"""Each baseline against a case whose picture can be worked out by hand."""

from __future__ import annotations

import math

import pytest
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.topology import Topology
from skeletonllm_renderers.colours import PART_RGB
from skeletonllm_renderers.jtm import JtmRenderer
from skeletonllm_renderers.projection2d import Projection2dRenderer, camera_distance, pinhole
from skeletonllm_renderers.stick import StickRenderer
from skeletonllm_renderers.velocity3d import Velocity3dRenderer

SIZE = 64
ARM = Topology("arm2d", ("left_elbow", "left_wrist"), ((0, 1),), dims=2)


def one_bone_batch() -> SkeletonBatch:
    """A horizontal left forearm in 2D: normalised to x in [-1, 1] on the middle row."""
    pos = torch.tensor([[0.0, 5.0], [10.0, 5.0]]).view(1, 1, 1, 2, 2)
    return SkeletonBatch(pos, torch.ones(1, 1, 1, 2, dtype=torch.bool), ARM)


def test_stick_horizontal_bone_is_on_the_middle_rows_in_the_arm_colour():
    renderer = StickRenderer(StickRenderer.Options(frames=1, size=SIZE, line_width=4 / SIZE, joint_radius=1 / SIZE))
    img = renderer(one_bone_batch())[0, 0]
    lit = img.amax(0) > 0
    # bone radius 2 px centred on y = 32 -> rows 30..33 at a column between the joints
    assert torch.equal(lit[:, 32].nonzero().flatten(), torch.arange(30, 34))
    assert torch.allclose(img[:, 31, 32], torch.tensor(PART_RGB["left_arm"]))
    # the bone spans x from 32 - 29.44 to 32 + 29.44 (margin 8 %); nothing above or below its band
    assert lit[31, 3] and lit[31, 60]
    assert not lit[:29].any() and not lit[35:].any()


def test_projection2d_is_grey_with_brighter_points():
    renderer = Projection2dRenderer(Projection2dRenderer.Options(frames=1, size=SIZE))
    img = renderer(one_bone_batch())[0, 0]
    assert torch.allclose(img[0], img[1]) and torch.allclose(img[1], img[2])
    ends = to_pixel_columns()
    assert img[0, 31, ends[0]] > img[0, 31, 32] > 0  # joint point brighter than the bone between


def to_pixel_columns() -> tuple[int, int]:
    from skeletonllm.normalise import MARGIN

    half = SIZE * (1 - MARGIN) / 2
    return int(SIZE / 2 - half), int(SIZE / 2 + half)


def test_pinhole_maps_the_unit_square_and_shows_perspective():
    xy, _ = pinhole(torch.tensor([[1.0, -1.0, 0.0], [1.0, 0.0, -0.5], [1.0, 0.0, 1.0]]), 60.0)
    assert torch.allclose(xy[0], torch.tensor([1.0, -1.0]), atol=1e-6)
    assert xy[1, 0] > 1.0 > xy[2, 0]  # nearer looks bigger, farther smaller


def velocity_batch() -> SkeletonBatch:
    """Joint 0 moves to the picture's right by 1 per frame, joint 1 stays put (3D, no bones).

    Camera space: +x is the camera's left, so moving right on screen is decreasing x.
    """
    topo = Topology("pair", ("mover", "still"), (), dims=3)
    f = 5
    pos = torch.zeros(1, 1, f, 2, 3)
    pos[0, 0, :, 0, 0] = -torch.arange(f, dtype=torch.float32)
    pos[0, 0, :, 1] = torch.tensor([-2.0, -2.0, 0.0])
    return SkeletonBatch(pos, torch.ones(1, 1, f, 2, dtype=torch.bool), topo)


def test_velocity3d_colours_a_rightward_joint_red_and_a_still_joint_dim_grey():
    renderer = Velocity3dRenderer(Velocity3dRenderer.Options(frames=5, size=SIZE, joint_radius=3 / SIZE))
    batch = velocity_batch()
    img = renderer(batch)[0, 2]
    # on screen: box x 0..4, y -2..0 -> centre (2, -1), half extent 2: mover at (0, 0.5), still at (0, -0.5)
    from skeletonllm.normalise import to_pixels

    mover = to_pixels(torch.tensor([0.0, 0.5]), SIZE, SIZE).long()
    still = to_pixels(torch.tensor([0.0, -0.5]), SIZE, SIZE).long()
    r, g, b = img[:, mover[1], mover[0]].tolist()
    assert r == pytest.approx(1.0) and g == pytest.approx(0.0, abs=1e-6) and b == pytest.approx(0.0, abs=1e-6)
    grey = img[:, still[1], still[0]]
    assert torch.allclose(grey, torch.full((3,), 0.4))


def test_jtm_draws_the_trajectory_up_to_each_frame_with_time_as_hue():
    batch = velocity_batch()
    img = JtmRenderer(JtmRenderer.Options(frames=5, size=SIZE, line_width=4 / SIZE))(batch)[0]
    half = SIZE // 2
    front = img[:, :, :half, :half]  # front view tile: the mover travels along one row
    drawn = (front.amax(1) > 0).flatten(1).sum(1)
    assert drawn[0] < drawn[2] < drawn[4], "the trajectory should grow frame by frame"
    # x 0..4 fitted to -1..1 in a 32 px tile: pixel 16 + 14.72 x; the mover's row is y = 0.5 -> row 8.
    # Its first step (x -1 .. -0.5, columns 1.3 .. 8.6) has hue 0 (red); its last step (x 0.5 .. 1,
    # columns 23.4 .. 30.7) hue 0.7: HSV (0.7, 1, 1) = RGB (0.2, 0, 1). Both steps are the fastest (s = v = 1).
    assert torch.allclose(front[4, :, 8, 5], torch.tensor([1.0, 0.0, 0.0]), atol=1e-4)
    assert torch.allclose(front[4, :, 8, 27], torch.tensor([0.2, 0.0, 1.0]), atol=1e-4)
    assert front[1, :, 8, 27].amax() == 0, "frame 1 must not show where the joint goes later"
    # the current-pose tile (bottom right) shows the joints in grey
    pose = img[4, :, half:, half:]
    assert torch.allclose(pose[0], pose[2]) and 0 < pose.amax() <= 0.6 + 1e-6


def test_jtm_2d_fills_the_image_with_the_front_view():
    img = JtmRenderer(JtmRenderer.Options(frames=1, size=SIZE))(one_bone_batch())[0, 0]
    lit = img.amax(0) > 0
    assert lit[:, : SIZE // 4].any() and lit[:, 3 * SIZE // 4 :].any()
    assert not lit[: SIZE // 4].any()


def test_camera_stands_back_for_clips_deep_in_z():
    z = torch.tensor([[-4.0, 0.0, 4.0]])
    mask = torch.tensor([[True, True, True]])
    d = camera_distance(z, mask, 60.0)
    assert d.item() == pytest.approx(12.0)
    near, _ = pinhole(torch.tensor([1.0, 0.0, -4.0]), 60.0, d)
    far, _ = pinhole(torch.tensor([1.0, 0.0, 4.0]), 60.0, d)
    assert (near[..., 0] / far[..., 0]).item() == pytest.approx(2.0)
    masked = camera_distance(z, torch.tensor([[False, True, False]]), 60.0)
    assert masked.item() == pytest.approx(1 / math.tan(math.radians(30)))


@pytest.mark.parametrize("cls", [StickRenderer, Projection2dRenderer, Velocity3dRenderer, JtmRenderer])
def test_all_masked_clip_is_background(cls):
    batch = velocity_batch()
    batch.mask[:] = False
    batch.positions[:] = float("nan")
    out = cls(cls.Options(frames=5, size=SIZE))(batch)
    assert out.shape == (1, 5, 3, SIZE, SIZE) and torch.equal(out, torch.zeros_like(out))
