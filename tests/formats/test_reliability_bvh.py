"""Issue 13, BVH: legal-but-unusual files read correctly; absurd headers are clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from format_fixtures import BVH_TEXT

from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import read_sequences


def chain_bvh(joints: int, frames: int = 2) -> str:
    """A legal BVH whose joints form one chain ``joints`` deep, each one unit above its parent."""
    lines = ["HIERARCHY", "ROOT j0", "{", "OFFSET 0 0 0", "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"]  # fmt: skip
    for i in range(1, joints):
        lines += [f"JOINT j{i}", "{", "OFFSET 0 1 0", "CHANNELS 3 Zrotation Xrotation Yrotation"]
    lines += ["End Site", "{", "OFFSET 0 1 0", "}"] + ["}"] * joints
    lines += ["MOTION", f"Frames: {frames}", "Frame Time: 0.04"]
    lines += [" ".join(["0"] * (6 + 3 * (joints - 1)))] * frames
    return "\n".join(lines) + "\n"


def test_chain_deeper_than_the_recursion_limit_reads(tmp_path: Path) -> None:
    joints = max(3000, sys.getrecursionlimit() + 500)
    path = tmp_path / "deep.bvh"
    path.write_text(chain_bvh(joints))
    (seq,) = read_sequences(path)
    assert seq.positions.shape == (1, 2, joints, 3)
    # every joint sits one unit above its parent, so the chain is a straight line up
    np.testing.assert_allclose(seq.positions[0, 0, :, 1], np.arange(joints), atol=1e-3)
    assert seq.topology.parents[joints - 1] == joints - 2


@pytest.mark.parametrize("frame_time", ["1e-300", "1e-9", "3600", "1e300"])
def test_absurd_frame_time_is_a_clear_error(tmp_path: Path, frame_time: str) -> None:
    path = tmp_path / "t.bvh"
    path.write_text(BVH_TEXT.replace("Frame Time: 0.04", f"Frame Time: {frame_time}"))
    with pytest.raises(SkeletonDataError, match="Frame Time") as info:
        read_sequences(path)
    assert info.value.field == "Frame Time" and str(path) in str(info.value)


@pytest.mark.parametrize("frame_time", ["0.001", "0.0083333", "1"])
def test_plausible_frame_time_gives_its_fps(tmp_path: Path, frame_time: str) -> None:
    path = tmp_path / "t.bvh"
    path.write_text(BVH_TEXT.replace("Frame Time: 0.04", f"Frame Time: {frame_time}"))
    (seq,) = read_sequences(path)
    assert seq.fps == pytest.approx(1 / float(frame_time))
