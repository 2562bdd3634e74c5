"""Vision-pretraining targets: landmark projections and the clip's kinematic facts."""

from __future__ import annotations

import math

import torch

from skeletonllm_datasets.synthetic import generate
from skeletonllm_draction.options import DrActionOptions
from skeletonllm_draction.renderer import DrActionRenderer
from skeletonllm_training.body import PARTS
from skeletonllm_training.kinematics import analyse
from skeletonllm_training.landmarks import LANDMARKS
from skeletonllm_training.tower.rendered import render_set
from skeletonllm_training.tower.targets import FACTS, MOVING, body_scale, clip_facts, landmark_points, velocities


class _Sample:
    def __init__(self, sequence, label=0, sid="x"):
        self.sequence, self.label, self.id, self.meta = sequence, label, sid, {}

    def load(self):
        return self.sequence


def test_facts_are_the_teachers():
    seq = generate("hand waving", "kinect_v2", 5)
    facts, person = clip_facts(seq), analyse(seq).main
    assert FACTS["side"][facts["side"]] == person.side
    assert FACTS["direction"][facts["direction"]] == person.main.net
    assert facts[MOVING] == [1.0 if p in person.moving else 0.0 for p in PARTS]
    two = clip_facts(generate("handshaking", "kinect_v2", 5))
    assert FACTS["two_persons"][two["two_persons"]] == "yes"


def test_jump_leaves_the_ground_and_squat_lowers():
    jump, squat = clip_facts(generate("jump up", "smpl22", 1)), clip_facts(generate("squat down", "smpl22", 1))
    assert FACTS["airborne"][jump["airborne"]] == "yes"
    assert FACTS["lowering"][squat["lowering"]] == "yes"


def test_landmarks_in_image_units_and_persons_left_to_right():
    renderer = DrActionRenderer(DrActionOptions(frames=4, size=64)).eval()
    data = render_set(renderer, [_Sample(generate("handshaking", "kinect_v2", 2))], 4)
    points = data.points[0]  # (2, F, L, 3)
    assert points.shape == (2, 4, len(LANDMARKS), 3)
    uv = points[..., :2][torch.isfinite(points[..., :2])]
    assert uv.abs().max() <= 1.0
    assert torch.nanmean(points[0, ..., 0]) < torch.nanmean(points[1, ..., 0])  # first person on the left
    assert data.frames.dtype == torch.uint8 and data.frames.shape == (1, 4, 3, 64, 64)
    assert 0.5 < float(data.scale[0]) < 2.0  # the figure fills most of the frame's height


def test_velocity_and_scale_handle_missing_points():
    points = torch.zeros(1, 2, 3, len(LANDMARKS), 3)
    points[0, 0, :, 0, 1] = torch.tensor([-0.5, -0.4, -0.2])  # head
    points[0, 0, :, -1, 1] = torch.tensor([0.5, 0.5, 0.5])  # a foot
    points[0, 1] = math.nan  # no second person
    assert torch.allclose(velocities(points)[0, 0, :, 0, 1], torch.tensor([0.1, 0.2]))
    assert torch.isnan(velocities(points)[0, 1]).all()
    assert math.isclose(float(body_scale(points)[0]), 0.98, abs_tol=0.03)  # 90th percentile of 1.0, 0.9, 0.7


def test_landmark_points_uses_the_projection():
    projected = torch.full((1, 1, 1, 25, 3), math.nan)
    topo = generate("drink water", "kinect_v2", 0).topology
    projected[0, 0, 0, topo.index("Head")] = torch.tensor([32.0, 16.0, 3.0])
    points = landmark_points(projected, topo, 64)
    assert torch.allclose(points[0, 0, 0, 0], torch.tensor([0.0, -0.5, 0.0]))
    assert torch.isnan(points[0, 0, 0, 1:]).all()


def test_body_pose_does_not_change_with_the_viewpoint():
    """The same motion turned 70 degrees about the vertical and moved: the same body pose, a different picture."""
    import numpy as np

    from skeletonllm.batch import SkeletonBatch
    from skeletonllm.sequence import SkeletonSequence
    from skeletonllm_training.tower.targets import POSE_SIZE, body_pose

    seq = generate("kicking something", "kinect_v2", 4)
    a = np.radians(70)
    turn = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    turned = SkeletonSequence(
        seq.positions @ turn.T + np.array([0.5, 0.0, 1.0]), seq.topology, fps=seq.fps, mask=seq.mask
    )
    batch = SkeletonBatch.from_sequences([seq, turned], frames=4)
    pose = body_pose(batch.positions, batch.mask, batch.topology)
    assert pose.shape == (2, 2, 4, POSE_SIZE) and torch.isnan(pose[:, 1]).all()  # one person
    ok = torch.isfinite(pose[0, 0]) & torch.isfinite(pose[1, 0])
    assert ok.float().mean() > 0.9
    # (not to 1e-6: body_frame takes the per-axis median of the shoulder and hip widths, not rotation-exact)
    assert torch.allclose(pose[0, 0][ok], pose[1, 0][ok], atol=5e-3)
    renderer = DrActionRenderer(DrActionOptions(frames=4, size=64)).eval()
    with torch.no_grad():
        projected = renderer.project(batch)
    points = landmark_points(projected, batch.topology, 64)
    assert (points[0] - points[1]).abs().nan_to_num(0).max() > 0.05  # the camera sees it differently


def test_render_cache_round_trips_missing_targets_and_keeps_datasets_apart(tmp_path):
    from skeletonllm_training.tower.rendered import cached_render_set

    renderer = DrActionRenderer(DrActionOptions(frames=3, size=32)).eval()
    record = {"name": "draction", "options": {"frames": 3, "size": 32}}
    kinect = [_Sample(generate("hand waving", "kinect_v2", 1), sid="same")]
    coco = [_Sample(generate("hand waving", "coco17", 1), sid="same")]  # the same id in another topology
    first = cached_render_set(renderer, record, {"topology": "kinect_v2"}, kinect, 3, root=tmp_path)
    again = cached_render_set(renderer, record, {"topology": "kinect_v2"}, kinect, 3, root=tmp_path)
    other = cached_render_set(renderer, record, {"topology": "coco17"}, coco, 3, root=tmp_path)
    assert len(list((tmp_path / "renders").iterdir())) == 2
    assert torch.equal(first.frames, again.frames)
    assert torch.equal(torch.isnan(first.pose), torch.isnan(again.pose)) and torch.isnan(first.pose).any()
    assert not torch.equal(first.frames, other.frames)
