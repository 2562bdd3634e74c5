"""Every reader sets the up axis: fixed per format, sniffed per BVH file, overridable with ``-O up_axis=...``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skeletonllm.errors import SkeletonDataError
from skeletonllm.registry import get_registry
from skeletonllm.topology import Topology
from skeletonllm_formats.up_axis import sniff_up_axis

# Hips at the root; a leg down to the foot and a spine up to the head, y-up in the file's own axes
HIERARCHY = """HIERARCHY
ROOT Hips
{{
\tOFFSET 0 0 0
\tCHANNELS 3 Xposition Yposition Zposition
\tJOINT LeftUpLeg
\t{{
\t\tOFFSET {leg_hip}
\t\tCHANNELS 0
\t\tJOINT LeftFoot
\t\t{{
\t\t\tOFFSET {leg}
\t\t\tCHANNELS 0
\t\t\tEnd Site
\t\t\t{{
\t\t\t\tOFFSET 0 0 0
\t\t\t}}
\t\t}}
\t}}
\tJOINT Head
\t{{
\t\tOFFSET {spine}
\t\tCHANNELS 0
\t\tEnd Site
\t\t{{
\t\t\tOFFSET 0 0 0
\t\t}}
\t}}
}}
MOTION
Frames: 2
Frame Time: 0.033333
0 90 0
10 90 5
"""


def write_bvh(path: Path, up: str) -> Path:
    """A three-joint figure whose head is 60 units above the hips and foot 90 below, along ``up``."""
    axis = {"y": 1, "z": 2, "x": 0}[up[-1]]
    sign = -1.0 if up.startswith("-") else 1.0

    def vec(height: float, across: float = 0.0) -> str:
        v = [across, 0.0, 0.0] if axis != 0 else [0.0, across, 0.0]
        v[axis] = sign * height
        return " ".join(str(x) for x in v)

    text = HIERARCHY.format(leg_hip=vec(0.0, 10.0), leg=vec(-90.0), spine=vec(60.0))
    if axis != 1:  # the root's vertical channel carries the hips' height: move it to the up axis
        row = ["0", "0", "0"]
        row[axis] = str(sign * 90)
        row2 = ["10", "0", "5"] if axis == 2 else ["0", "10", "5"]
        row2[axis] = str(sign * 90)
        text = text.replace("0 90 0\n10 90 5\n", f"{' '.join(row)}\n{' '.join(row2)}\n")
    path.write_text(text)
    return path


@pytest.mark.parametrize("up", ["y", "z", "-z", "x"])
def test_bvh_up_axis_is_sniffed_from_head_over_feet(up: str, tmp_path: Path) -> None:
    seq = get_registry().create("format", "bvh").read(write_bvh(tmp_path / f"{up}.bvh", up))[0]
    assert seq.topology.up_axis == up


def test_bvh_up_axis_option_overrides_the_guess(tmp_path: Path) -> None:
    path = write_bvh(tmp_path / "y.bvh", "y")
    seq = get_registry().create("format", "bvh", {"up_axis": "z"}).read(path)[0]
    assert seq.topology.up_axis == "z"
    with pytest.raises(Exception, match="up_axis"):
        get_registry().create("format", "bvh", {"up_axis": "up"})


def test_sniffer_keeps_the_default_without_named_head_and_feet() -> None:
    pos = np.random.default_rng(0).normal(size=(5, 3, 3))
    assert sniff_up_axis(pos, ["a", "b", "c"]) == "y"
    assert sniff_up_axis(pos, ["a", "b", "c"], default="z") == "z"
    # head and foot side by side (no vertical separation along one axis): too unsure, keep the default
    flat = np.array([[[0.0, 0, 0], [1.0, 1.0, 1.0]]])
    assert sniff_up_axis(flat, ["Head", "LeftFoot"]) == "y"


def test_fixed_format_axes() -> None:
    reg = get_registry()
    expected = {
        "amass": "z",
        "humanml3d": "y",
        "ntu_skeleton": "y",
        "pku_mmd": "y",
        "nw_ucla": "y",
        "coco_keypoints": "-y",
    }
    for name, up in expected.items():
        assert reg.get("format", name).topology.up_axis == up, name


def test_topology_rejects_an_unknown_up_axis() -> None:
    with pytest.raises(SkeletonDataError, match="up_axis"):
        Topology("t", ("a", "b"), ((0, 1),), dims=3, up_axis="up")
    with pytest.raises(SkeletonDataError, match="up_axis"):
        Topology("t", ("a", "b"), ((0, 1),), dims=2, up_axis="z")  # a 2D file has no z
    assert Topology("t", ("a", "b"), ((0, 1),), dims=2).up_axis == "-y"  # image rows grow downwards
    assert Topology("t", ("a", "b"), ((0, 1),), dims=3).up_axis == "y"
