"""Topology and SkeletonSequence validate on construction, so bad data fails where it enters."""

from __future__ import annotations

import numpy as np
import pytest

from skeletonllm import SkeletonDataError, SkeletonSequence, Topology

CHAIN = Topology.from_parents("chain", ["a", "b", "c"], [-1, 0, 1], dims=3, source="test")


def test_from_parents_builds_one_bone_per_child():
    assert CHAIN.edges == ((0, 1), (1, 2))
    assert CHAIN.num_joints == 3 and CHAIN.num_edges == 2
    assert CHAIN.index("c") == 2


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"joint_names": ()}, "joint_names"),
        ({"joint_names": ("a", "a")}, "joint_names"),
        ({"edges": ((0, 5),)}, "edges"),
        ({"edges": ((1, 1),)}, "edges"),
        ({"dims": 4}, "dims"),
        ({"parents": (-1,)}, "parents"),
    ],
)
def test_topology_rejects_inconsistent_layouts(kwargs, field):
    base = {"name": "t", "joint_names": ("a", "b"), "edges": ((0, 1),), "dims": 3}
    base.update(kwargs)
    with pytest.raises(SkeletonDataError) as err:
        Topology(**base)
    assert err.value.field == field


def test_unknown_joint_name_lists_the_joints():
    with pytest.raises(SkeletonDataError, match="no joint 'z'.*a, b, c"):
        CHAIN.index("z")


def test_nan_joints_become_masked_zeros():
    pos = np.ones((1, 2, 3, 3), np.float32)
    pos[0, 1, 2, 0] = np.nan
    seq = SkeletonSequence(pos, CHAIN, fps=30)
    assert np.isfinite(seq.positions).all()
    assert seq.mask.tolist() == [[[True, True, True], [True, True, False]]]
    assert seq.positions[0, 1, 2].tolist() == [0, 0, 0]
    assert seq.duration == pytest.approx(2 / 30)


def test_explicit_mask_zeroes_positions_and_marks_absent_persons():
    pos = np.ones((2, 2, 3, 3), np.float32)
    mask = np.ones((2, 2, 3), bool)
    mask[1, 0] = False
    seq = SkeletonSequence(pos, CHAIN, mask=mask)
    assert seq.person_present.tolist() == [[True, True], [False, True]]
    assert (seq.positions[1, 0] == 0).all()


@pytest.mark.parametrize(
    "shape, message",
    [
        ((1, 0, 3, 3), "empty sequence"),
        ((1, 2, 4, 3), "4 joints but topology 'chain' has 3"),
        ((1, 2, 3, 2), "2 coordinates per joint"),
        ((2, 3, 3), "must be \\(persons, frames, joints, dims\\)"),
    ],
)
def test_sequence_shape_errors_name_the_problem(shape, message):
    with pytest.raises(SkeletonDataError, match=message) as err:
        SkeletonSequence(np.zeros(shape, np.float32), CHAIN, meta={"source": "clip.skeleton"})
    assert "clip.skeleton" in str(err.value)


def test_orientation_and_confidence_shapes_are_checked():
    pos = np.zeros((1, 2, 3, 3), np.float32)
    with pytest.raises(SkeletonDataError, match="orientations shape"):
        SkeletonSequence(pos, CHAIN, orientations=np.zeros((1, 2, 3, 3)))
    with pytest.raises(SkeletonDataError, match="confidence shape"):
        SkeletonSequence(pos, CHAIN, confidence=np.zeros((1, 2, 2)))
    q = np.full((1, 2, 3, 4), np.nan)
    seq = SkeletonSequence(pos, CHAIN, orientations=q)
    assert seq.orientations[0, 0, 0].tolist() == [1, 0, 0, 0]


def test_select_frames_keeps_every_array_aligned():
    pos = np.arange(1 * 4 * 3 * 3, dtype=np.float32).reshape(1, 4, 3, 3)
    seq = SkeletonSequence(pos, CHAIN, confidence=np.ones((1, 4, 3)), extras={"id": np.zeros((1, 4, 3, 2))})
    sub = seq.select_frames([3, 0])
    assert sub.num_frames == 2
    assert np.array_equal(sub.positions[0, 0], pos[0, 3])
    assert sub.extras["id"].shape == (1, 2, 3, 2)


def test_error_message_carries_location():
    err = SkeletonDataError("expected 25 joints, got 24", source="a.skeleton", line=7, frame=2, field="jointCount")
    assert str(err) == "a.skeleton, line 7, frame 2, field 'jointCount': expected 25 joints, got 24"
    assert isinstance(err, ValueError)
