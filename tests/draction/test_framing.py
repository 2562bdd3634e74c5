"""DrAction never loses the performer: every real sample, SynthAct locomotion and clips that travel far.

Per frame, rendered at a small size: between 0.2 % and 35 % of the pixels
are foreground and none is on the image border, in both camera modes; in the
follow mode the figure's height varies by at most 2x within a clip.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from conftest import shared_data_dir
from skeletonllm.batch import SkeletonBatch
from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import read_sequences
from skeletonllm.sequence import SkeletonSequence
from skeletonllm_datasets.synthetic import generate
from skeletonllm_datasets.synthetic.travel import travelled
from skeletonllm_draction import DrActionRenderer
from skeletonllm_draction.framing_check import framing_stats
from skeletonllm_draction.options import DrActionOptions

SIZE, FRAMES = 64, 12
MODES = ("follow", "fixed")
#: SynthAct's classes whose root travels (there is no walking class; stepping, hopping and jumping move the body)
LOCOMOTION = ("step forward", "hopping (one foot jumping)", "jump up", "pushing other person")
TOPOLOGIES = ("kinect_v2", "smpl22", "coco17")


def real_sample_files() -> list[str]:
    """Every file under the shared data folder that is not documentation, a split or a label map."""
    root = shared_data_dir()
    if not root.is_dir():
        return []
    skip = {"splits", "label_maps"}
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.suffix != ".md" and not skip & set(p.relative_to(root).parts)
    )


def check(seq: SkeletonSequence, mode: str) -> None:
    renderer = DrActionRenderer(DrActionOptions(size=SIZE, framing=mode)).eval()
    with torch.no_grad():
        frames = renderer(SkeletonBatch.from_sequences([seq], frames=FRAMES))[0]
    stats = framing_stats(frames)
    where = f"{seq.meta.get('source')} ({mode})"
    for i, (share, edge) in enumerate(zip(stats.foreground, stats.border)):
        assert 0.002 <= share <= 0.35, f"{where}: frame {i} has {share:.2%} foreground"
        assert not edge, f"{where}: frame {i} touches the image border"
    if mode == "follow":
        assert stats.height_ratio <= 2.0, f"{where}: figure height varies {stats.height_ratio:.2f}x"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("relative", real_sample_files() or ["(no shared data)"])
def test_every_real_sample_is_framed(relative: str, mode: str) -> None:
    path = shared_data_dir() / relative
    if not path.is_file():
        pytest.skip(f"real sample data not found at {shared_data_dir()} (set SKELETONLLM_SHARED_DATA)")
    try:
        sequences = read_sequences(path)
    except SkeletonDataError as exc:
        # AMASS needs a licensed body model; HumanML3D's new_joint_vecs are features, not joints
        if any(why in str(exc) for why in ("body_model", "not a recognised skeleton", "are not joints")):
            pytest.skip(f"{relative} does not read on its own here: {exc.message[:120]}")
        raise
    for seq in sequences[:3]:
        if not seq.mask.any():  # e.g. MSRC-12's P1_1_12A_p19.csv is all zeros in the release
            with pytest.raises(SkeletonDataError, match="no valid joint in any frame"):
                check(seq, mode)  # nothing to frame: refused with the reason, not drawn empty
            continue
        check(seq, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("action", LOCOMOTION)
def test_synthact_locomotion_is_framed(action: str, topology: str, mode: str) -> None:
    check(generate(action, topology, 0, randomize=False), mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("unit", [1.0, 1000.0])  # metres and millimetres
@pytest.mark.parametrize("topology", ["kinect_v2", "smpl22"])
def test_walking_five_metres_towards_the_camera(topology: str, unit: float, mode: str) -> None:
    """Kinect camera space: the camera at the origin looks along +z; the performer comes from 6 m to 1 m."""
    seq = generate("step forward", topology, 0, randomize=False)
    check(travelled(seq, np.array([0.0, 0.0, 6.0]), np.array([0.0, 0.0, 1.0]), unit), mode)


@pytest.mark.parametrize("mode", MODES)
def test_walking_through_the_camera_plane_and_behind_it(mode: str) -> None:
    """The case that flooded the image before: the performer passes the origin and goes on 3 m beyond."""
    seq = generate("step forward", "kinect_v2", 1, randomize=False)
    check(travelled(seq, np.array([0.5, 0.0, 3.0]), np.array([-0.5, 0.0, -3.0])), mode)


@pytest.mark.parametrize("mode", MODES)
def test_crossing_a_wide_image_in_pixels(mode: str) -> None:
    """2D keypoints crossing 3000 px of a panorama: the follow camera keeps the figure's size."""
    seq = generate("step forward", "coco17", 0, randomize=False)
    check(travelled(seq, np.array([0.0, 0.0]), np.array([3000.0, 0.0])), mode)


def test_follow_camera_ignores_a_person_missing_from_one_frame() -> None:
    """A tracking loss of one person in one frame does not move the follow camera: the others stay put."""
    seq = generate("handshaking", "kinect_v2", 0, randomize=False, frames=8)
    mask = seq.mask.copy()
    mask[1, 4] = False
    lost = SkeletonSequence(seq.positions, seq.topology, seq.fps, mask, seq.orientations, meta=seq.meta)
    renderer = DrActionRenderer(DrActionOptions(size=SIZE, framing="follow", use_orientations=False)).eval()
    with torch.no_grad():
        both = renderer(SkeletonBatch.from_sequences([seq], frames=None))[0, 4]
        one = renderer(SkeletonBatch.from_sequences([lost], frames=None))[0, 4]
    drawn_one = one.amax(0) > 0.05
    # where person 1 is drawn alone, the picture with both has the same pixels (the camera did not move)
    assert drawn_one.sum() > 20
    assert (both.amax(0)[drawn_one] > 0.05).float().mean() > 0.97
    assert (both.amax(0) > 0.05).sum() > 1.2 * drawn_one.sum()


def test_follow_keeps_the_travel_in_the_depth_colours() -> None:
    """Walking towards the camera shifts the hue towards blue (near) even though the figure keeps its size."""
    seq = travelled(
        generate("step forward", "kinect_v2", 0, randomize=False), np.array([0.0, 0, 6.0]), np.array([0.0, 0, 1.0])
    )
    renderer = DrActionRenderer(DrActionOptions(size=SIZE, framing="follow")).eval()
    with torch.no_grad():
        frames = renderer(SkeletonBatch.from_sequences([seq], frames=FRAMES))[0]
    shown = frames.amax(1) > 0.05  # (F,H,W)

    def blue_minus_red(i: int) -> float:
        return float((frames[i, 2][shown[i]] - frames[i, 0][shown[i]]).mean())

    assert blue_minus_red(FRAMES - 1) > blue_minus_red(0) + 0.1
