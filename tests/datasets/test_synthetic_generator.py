"""The procedural generator: deterministic, one motion in every topology, physically sane."""

from __future__ import annotations

import numpy as np
import pytest

from skeletonllm.errors import SkeletonDataError
from skeletonllm_datasets.synthetic import ACTIONS, TOPOLOGIES, TWO_PERSON_ACTIONS, generate, ntu_id
from skeletonllm_datasets.synthetic.humanoid import matrix_to_quaternion
from skeletonllm_datasets.synthetic.views import FOCAL_PX, IMAGE_SIZE


def test_action_library_has_confusable_pairs_and_an_interaction():
    assert len(ACTIONS) >= 16
    for a, b in [
        ("clapping", "rub two hands together"),
        ("hand waving", "salute"),
        ("sitting down", "squat down"),
        ("kicking something", "step forward"),
    ]:
        assert a in ACTIONS and b in ACTIONS
    assert TWO_PERSON_ACTIONS and all(generate(a, "kinect_v2", 0).num_persons == 2 for a in TWO_PERSON_ACTIONS)
    assert ntu_id("clapping") == 10 and ntu_id("squat down") == 80


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_deterministic_by_seed(topology):
    a = generate("hand waving", topology, 7)
    b = generate("hand waving", topology, 7)
    c = generate("hand waving", topology, 8)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.mask, b.mask)
    assert a.positions.shape != c.positions.shape or not np.allclose(a.positions, c.positions)


def test_same_motion_in_every_topology():
    v2, v1 = generate("salute", "kinect_v2", 3), generate("salute", "kinect_v1", 3)
    smpl, bvh = generate("salute", "smpl22", 3), generate("salute", "bvh", 3)
    coco = generate("salute", "coco17", 3)
    both = v2.mask[..., 0] & v1.mask[..., 0]
    np.testing.assert_allclose(v2.positions[..., 0, :][both], v1.positions[..., 0, :][both])  # SpineBase == HipCenter
    np.testing.assert_allclose(smpl.positions[..., 0, :], bvh.positions[..., 0, :])  # pelvis
    # COCO is the Kinect view through a pinhole camera: check the shoulders.
    cam = v2.positions[..., [4, 8], :]
    cam[..., 2] = np.where(cam[..., 2] > 0, cam[..., 2], 1.0)  # dropped joints are zeros
    px = np.stack(
        [
            IMAGE_SIZE[0] / 2 - FOCAL_PX * cam[..., 0] / cam[..., 2],
            IMAGE_SIZE[1] / 2 - FOCAL_PX * cam[..., 1] / cam[..., 2],
        ],
        -1,
    )
    ok = coco.mask[..., [5, 6]] & v2.mask[..., [4, 8]]
    np.testing.assert_allclose(coco.positions[..., [5, 6], :][ok], px[ok], rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_is_a_valid_kinect_clip(action):
    seq = generate(action, "kinect_v2", 1)
    assert seq.num_frames >= 8 and seq.orientations is not None
    depth = seq.positions[..., 2][seq.mask]
    assert 1.5 < depth.min() and depth.max() < 4.5  # metres from the sensor
    assert seq.meta["action"] == action and seq.meta["label"] == ACTIONS.index(action)


def test_clean_version_faces_the_camera_upright():
    seq = generate("clapping", "kinect_v2", 0, randomize=False)
    p = seq.positions[0, 0]
    assert p[4, 0] < p[8, 0]  # the person's left shoulder is on the sensor's right (-x) when facing it
    assert p[3, 1] > p[0, 1] > p[15, 1]  # head above pelvis above the feet
    assert seq.mask.all()


def test_frames_resamples_the_whole_clip():
    seq = generate("jump up", "smpl22", 2, frames=16)
    assert seq.num_frames == 16
    assert seq.positions[0, :, 0, 1].max() > seq.positions[0, 0, 0, 1] + 0.05  # the jump is still in it


def test_subject_fixes_the_body_not_the_motion():
    a = generate("pointing to something with finger", "bvh", 1, subject=5)
    b = generate("pointing to something with finger", "bvh", 2, subject=5)
    c = generate("pointing to something with finger", "bvh", 1, subject=6)
    assert a.meta["synth"]["bodies"] == b.meta["synth"]["bodies"] != c.meta["synth"]["bodies"]


def test_bvh_view_is_a_consistent_kinematic_tree():
    seq = generate("arm circles", "bvh", 0, randomize=False)
    parents = seq.topology.parents
    pos, q = seq.positions[0], seq.orientations[0]
    bones = np.linalg.norm(pos[:, 1:] - pos[:, [p for p in parents[1:]]], axis=-1)
    np.testing.assert_allclose(bones, bones[:1].repeat(len(bones), 0), atol=1e-5)  # rigid bones
    np.testing.assert_allclose(np.linalg.norm(q, axis=-1), 1.0, atol=1e-5)
    assert not np.allclose(q[0], q[len(q) // 2])  # the arms turn


def test_quaternion_conversion_round_trips():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 3, 3))
    u, _, vt = np.linalg.svd(a)
    rot = u @ vt * np.linalg.det(u @ vt)[:, None, None]
    q = matrix_to_quaternion(rot)
    w, x, y, z = q.T
    back = np.stack(
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
         2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
         2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1,
    ).reshape(-1, 3, 3)  # fmt: skip
    np.testing.assert_allclose(back, rot, atol=1e-9)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(SkeletonDataError, match="unknown synthetic action"):
        generate("moonwalk", "kinect_v2", 0)
    with pytest.raises(SkeletonDataError, match="unknown synthetic topology"):
        generate("clapping", "openpose25", 0)
