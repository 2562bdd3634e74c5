"""BVH forward kinematics checked by hand, both writer modes, and the speed promise."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from format_fixtures import BVH_TEXT, humanml3d_bytes

from conftest import shared_file
from skeletonllm.errors import SkeletonDataError
from skeletonllm.sequence import SkeletonSequence
from skeletonllm_formats.bvh import BvhFormat
from skeletonllm_formats.humanml3d import HumanMl3dFormat
from skeletonllm_formats.topologies import COCO17


@pytest.fixture
def tiny(tmp_path: Path) -> SkeletonSequence:
    path = tmp_path / "tiny.bvh"
    path.write_text(BVH_TEXT)
    (seq,) = BvhFormat().read(path)
    return seq


def test_topology_comes_from_the_file(tiny: SkeletonSequence) -> None:
    assert tiny.topology.joint_names == ("hip", "spine", "head", "leg")  # End Sites are not joints
    assert tiny.topology.parents == (-1, 0, 1, 0)
    assert tiny.topology.name.startswith("bvh:tiny:")
    assert tiny.fps == pytest.approx(25.0)


def test_forward_kinematics_by_hand(tiny: SkeletonSequence) -> None:
    pos = tiny.positions[0]
    # frame 0: no rotation, root translated by (1, 2, 3)
    np.testing.assert_allclose(pos[0], [[1, 2, 3], [1, 4, 3], [1, 5, 3], [2, 2, 3]], atol=1e-6)
    # frame 1: root Zrotation 90 maps +y to -x and +x to +y
    np.testing.assert_allclose(pos[1], [[1, 2, 3], [-1, 2, 3], [-2, 2, 3], [1, 3, 3]], atol=1e-6)
    # frame 2: only the spine turns (its Zrotation is the third of "Xrotation Yrotation Zrotation")
    np.testing.assert_allclose(pos[2], [[0, 0, 0], [0, 2, 0], [-1, 2, 0], [1, 0, 0]], atol=1e-6)
    # frame 3: root "Zrotation Xrotation" = Rz @ Rx; the other order would put the spine at (-2, 0, 0)
    np.testing.assert_allclose(pos[3], [[0, 0, 0], [0, 0, 2], [0, 0, 3], [0, 1, 0]], atol=1e-6)
    half = np.sqrt(0.5)
    np.testing.assert_allclose(tiny.orientations[0, 1, 0], [half, 0, 0, half], atol=1e-6)  # 90 deg about z
    np.testing.assert_allclose(tiny.orientations[0, 3, 0], [0.5, 0.5, 0.5, 0.5], atol=1e-6)  # Rz90 @ Rx90


def test_rotation_writer_round_trip_on_cmu(tmp_path: Path) -> None:
    (seq,) = BvhFormat().read(shared_file("cmu_mocap_bvh/131_01.bvh"))
    out = BvhFormat().write(seq, tmp_path / "copy.bvh")
    assert "Zrotation Yrotation Xrotation" in out.read_text()
    (back,) = BvhFormat().read(out)
    assert back.topology.joint_names == seq.topology.joint_names and back.topology.parents == seq.topology.parents
    np.testing.assert_allclose(back.positions, seq.positions, atol=1e-4)
    dots = np.abs((back.orientations * seq.orientations).sum(-1))
    np.testing.assert_allclose(dots, 1.0, atol=1e-5)
    assert back.fps == pytest.approx(seq.fps)


def test_position_writer_is_exact_for_any_tree(tmp_path: Path) -> None:
    """SMPL-22 joints (indices not in depth-first order) written as position channels read back exactly."""
    npy = tmp_path / "m.npy"
    npy.write_bytes(humanml3d_bytes())
    (seq,) = HumanMl3dFormat().read(npy)
    out = BvhFormat().write(seq, tmp_path / "m.bvh")
    (back,) = BvhFormat().read(out)
    assert set(back.topology.joint_names) == set(seq.topology.joint_names)
    index = [back.topology.joint_names.index(n) for n in seq.topology.joint_names]
    np.testing.assert_array_equal(back.positions[:, :, index], seq.positions)
    assert back.fps == pytest.approx(20.0)


def test_writer_needs_parents_and_full_masks(tmp_path: Path) -> None:
    flat = SkeletonSequence(positions=np.zeros((1, 2, 17, 2)), topology=COCO17)
    with pytest.raises(SkeletonDataError, match="no parents"):
        BvhFormat().write(flat, tmp_path / "x.bvh")
    npy = tmp_path / "m.npy"
    npy.write_bytes(humanml3d_bytes())
    (seq,) = HumanMl3dFormat().read(npy)
    seq.mask[0, 1, 3] = False
    with pytest.raises(SkeletonDataError, match="missing joints"):
        BvhFormat().write(seq, tmp_path / "y.bvh")


def test_cmu_sample_reads_fast() -> None:
    path = shared_file("cmu_mocap_bvh/131_01.bvh")
    start = time.perf_counter()
    (seq,) = BvhFormat().read(path)
    elapsed = time.perf_counter() - start
    assert seq.positions.shape == (1, 994, 31, 3)
    assert elapsed < 1.0, f"reading 994 frames x 31 joints took {elapsed:.2f} s"
