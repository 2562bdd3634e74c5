"""BVH position channels on non-root joints, and a floor-level reference root (Bandai-Namco's layout)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import shared_file
from skeletonllm_formats.bvh import BvhFormat, BvhOptions

SIX = "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"


def bvh(frames: list[str]) -> str:
    """ref (floor) -> Hips -> Spine, head and foot names so the up axis is sniffed as y; all joints have 6 channels."""
    return "\n".join([
        "HIERARCHY", "ROOT joint_Root", "{", "OFFSET 0 0 0", SIX,
        "JOINT Hips", "{", "OFFSET 0 90 0", SIX,
        "JOINT Head", "{", "OFFSET 0 60 0", SIX, "End Site", "{", "OFFSET 0 10 0", "}", "}",
        "JOINT Foot", "{", "OFFSET 0 -90 0", SIX, "End Site", "{", "OFFSET 0 0 5", "}", "}",
        "}", "}", "MOTION", f"Frames: {len(frames)}", "Frame Time: 0.0333333", *frames,
    ]) + "\n"  # fmt: skip


def frame(ref: tuple[float, float, float], hips_x: float) -> str:
    """Head and Foot position channels repeat their OFFSETs, as Bandai's files do."""
    return f"{ref[0]} {ref[1]} {ref[2]} 0 0 0  {hips_x} 90 0 0 0 0  0 60 0 0 0 0  0 -90 0 0 0 0"


def read(tmp_path: Path, text: str, **options):
    path = tmp_path / "clip.bvh"
    path.write_text(text)
    (seq,) = BvhFormat(BvhOptions(**options)).read(path)
    return seq


def test_position_channels_replace_the_offset(tmp_path: Path) -> None:
    seq = read(tmp_path, bvh([frame((0, 0, 0), 0), frame((0, 0, 0), 5)]))
    names = seq.topology.joint_names
    # Hips at its channel (90 up), Head 60 above it, Foot on the floor: not 180, 300 and 0 as OFFSET + channel gave
    np.testing.assert_allclose(seq.positions[0, 0, names.index("Hips")], [0, 90, 0])
    np.testing.assert_allclose(seq.positions[0, 0, names.index("Head")], [0, 150, 0])
    np.testing.assert_allclose(seq.positions[0, 1, names.index("Foot")], [5, 0, 0])


@pytest.mark.parametrize(("ref", "dropped"), [((0, 0, 0), True), ((0, 0, 7), True), ((0, 3, 0), False)])
def test_a_floor_reference_root_is_not_a_body_joint(tmp_path: Path, ref, dropped: bool) -> None:
    """Static at the origin or sliding along the floor: dropped; off the floor: a body joint, kept."""
    moving = (ref[0], ref[1], ref[2] * 2)
    seq = read(tmp_path, bvh([frame((0, ref[1], 0), 0), frame(moving, 5)]))
    assert ("joint_Root" not in seq.topology.joint_names) is dropped
    assert seq.meta.get("dropped_joints", []) == (["joint_Root"] if dropped else [])
    hips = seq.positions[0, 1, seq.topology.joint_names.index("Hips")]
    np.testing.assert_allclose(hips, [5, 90 + ref[1], ref[2] * 2])  # its motion stays in the body's positions
    kept = read(tmp_path, bvh([frame((0, 0, 0), 0), frame((0, 0, 0), 5)]), keep_origin_root=True)
    assert kept.topology.joint_names[0] == "joint_Root" and kept.num_joints == 4


def test_bandai_sample_is_a_person_of_human_size(tmp_path: Path) -> None:
    (seq,) = BvhFormat().read(shared_file("bandai_namco/dataset-2_wave-left-hand_active_011.bvh"))
    names = seq.topology.joint_names
    assert seq.num_joints == 21 and seq.meta["dropped_joints"] == ["joint_Root"] and seq.topology.up_axis == "y"
    pos = seq.positions[0]
    head = pos[:, names.index("Head"), 1] - pos[:, [names.index("Toes_L"), names.index("Toes_R")], 1].min(axis=1)
    assert 120 < np.median(head) < 170  # centimetres from the toes to the head joint (the old reading gave 250)
    assert 0 <= pos[:, names.index("Toes_L"), 1].min() < 10
