"""Every registered renderer stands a z-up clip upright: the head at the top of the image.

The figure is a "T" (arms spread at shoulder height, feet close together),
so "upright" can be read off the picture without knowing any colour: the
figure is taller than wide and its widest row is in its upper half. The same
clip declared upside down (``-z``) must fail the check, so the check can fail.
The figure is checked both as an in-memory z-up topology and end to end as a
z-up BVH file whose up axis the reader has to sniff.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from render_cases import occupancy

from skeletonllm.batch import SkeletonBatch
from skeletonllm.io import read_sequences
from skeletonllm.registry import get_registry
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology

SIZE = 64
RENDERERS = get_registry().names("renderer")
NAMES = ("head", "neck", "left_hand", "right_hand", "pelvis", "left_foot", "right_foot")
EDGES = ((0, 1), (1, 2), (1, 3), (1, 4), (4, 5), (4, 6))
# z up, x across, y forward (AMASS's axes), in metres, 3 m in front of the origin
T_FIGURE = np.array(
    [[0, 3, 1.8], [0, 3, 1.5], [-0.8, 3, 1.5], [0.8, 3, 1.5], [0, 3, 1.0], [-0.12, 3, 0.0], [0.12, 3, 0.0]],
    dtype=np.float32,
)


def z_up_batch(up_axis: str = "z", frames: int = 4) -> SkeletonBatch:
    topo = Topology("t_figure", NAMES, EDGES, dims=3, up_axis=up_axis)
    sway = 0.05 * np.sin(np.linspace(0, np.pi, frames))[:, None, None] * np.array([1.0, 0.5, 0.0], dtype=np.float32)
    seq = SkeletonSequence((T_FIGURE[None] + sway)[None], topo, fps=30.0, meta={"source": "test:z_up"})
    return SkeletonBatch.from_sequences([seq], frames=None)


def pose_view(name: str, image: torch.Tensor) -> torch.Tensor:
    """The part of the image that shows the pose from the front (JTM's 3D layout: the bottom-right tile)."""
    if name == "jtm":
        half = (image.shape[-1] + 1) // 2
        return image[:, half:, half:]
    return image


def upright(frame: torch.Tensor) -> bool:
    occ = occupancy(frame)
    rows = occ.any(1).nonzero().flatten()
    cols = occ.any(0).nonzero().flatten()
    if len(rows) < 3:
        return False
    top, bottom = int(rows[0]), int(rows[-1])
    height, width = bottom - top + 1, int(cols[-1] - cols[0]) + 1
    row_width = torch.tensor(
        [int(r.nonzero().max() - r.nonzero().min()) + 1 if r.any() else 0 for r in occ[top : bottom + 1]]
    )
    widest = top + int(row_width.argmax())
    return height > 0.8 * width and widest < (top + bottom) / 2


@pytest.mark.parametrize("name", RENDERERS)
def test_z_up_clip_has_its_head_at_the_top(name: str) -> None:
    torch.manual_seed(0)
    renderer = get_registry().create("renderer", name, {"frames": 4, "size": SIZE}).eval()
    with torch.no_grad():
        out = renderer(z_up_batch("z"))
    for i in range(out.shape[1]):
        assert upright(pose_view(name, out[0, i])), f"{name}: frame {i} is not upright"


@pytest.fixture(scope="module")
def z_up_bvh_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The T figure written as a BVH file in z-up axes (as a z-up tool would export it)."""
    parents = (1, 4, 1, 1, -1, 4, 4)  # head-neck, hands-neck, neck-pelvis, feet-pelvis; pelvis is the root
    topo = Topology.from_parents("t_figure_tree", NAMES, parents, dims=3, up_axis="z")
    frames = 4
    sway = 0.05 * np.sin(np.linspace(0, np.pi, frames))[:, None, None] * np.array([1.0, 0.5, 0.0], dtype=np.float32)
    seq = SkeletonSequence((T_FIGURE[None] + sway)[None] * 100.0, topo, fps=30.0)  # centimetres, as BVH often is
    path = tmp_path_factory.mktemp("bvh") / "z_up.bvh"
    get_registry().create("format", "bvh").write(seq, path)
    return path


@pytest.mark.parametrize("name", RENDERERS)
def test_z_up_bvh_file_is_read_and_drawn_upright(name: str, z_up_bvh_file: Path) -> None:
    """End to end: the BVH reader sniffs z-up from head over feet, and the renderer stands the figure up."""
    (seq,) = read_sequences(z_up_bvh_file)
    assert seq.topology.up_axis == "z"
    torch.manual_seed(0)
    renderer = get_registry().create("renderer", name, {"frames": 4, "size": SIZE}).eval()
    with torch.no_grad():
        out = renderer(SkeletonBatch.from_sequences([seq], frames=None))
    for i in range(out.shape[1]):
        assert upright(pose_view(name, out[0, i])), f"{name}: frame {i} of the z-up BVH is not upright"


@pytest.mark.parametrize("name", ["stick", "draction"])
def test_the_check_fails_when_the_up_axis_is_wrong(name: str) -> None:
    torch.manual_seed(0)
    renderer = get_registry().create("renderer", name, {"frames": 4, "size": SIZE}).eval()
    with torch.no_grad():
        out = renderer(z_up_batch("-z"))  # the same clip declared upside down
    assert not any(upright(out[0, i]) for i in range(out.shape[1]))
