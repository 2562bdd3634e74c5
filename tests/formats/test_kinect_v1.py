"""MSR Action3D, MSRC-12 and SBU readers: layouts, joint order, units, errors, and the real samples via the CLI.

Values are compared against independent readings written here from the
published layouts (``np.loadtxt`` and the formulas of each dataset's own
MATLAB code or README), not against the plugins' writers.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kinect_v1_fixtures import msr_action3d_text, msrc12_tagstream, msrc12_text, sbu_text

from conftest import shared_file
from skeletonllm.cli import cli
from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import detect_format, read_sequences
from skeletonllm_formats.msr_action3d import FILE_TO_NUI
from skeletonllm_formats.sbu import SBU15
from skeletonllm_formats.topologies import KINECT_V1

MSR = "msr_action3d/a01_s01_e01_skeleton3D.txt"
MSR_FILES = ["msr_action3d/a01_s01_e01_skeleton3D.txt", "msr_action3d/a05_s02_e02_skeleton3D.txt",
             "msr_action3d/a13_s03_e01_skeleton3D.txt"]  # fmt: skip
MSRC = "msrc12/P1_1_12A_p19.csv"
SBU_FILES = [f"sbu/s01s02/{c}/001/skeleton_pos.txt" for c in ("01", "04", "05")]
ALL_SAMPLES = [*MSR_FILES, MSRC, *SBU_FILES]
#: drawskt.m (MSR Action3D release): its 19 bones, 1-based file joints, the row pairs of J
DRAWSKT_BONES = list(zip([20, 1, 2, 1, 8, 10, 2, 9, 11, 3, 4, 7, 7, 5, 6, 14, 15, 16, 17],
                         [3, 3, 3, 8, 10, 12, 9, 11, 13, 4, 7, 5, 6, 14, 15, 16, 17, 18, 19]))  # fmt: skip


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- MSR Action3D -------------------------------------------------------------------------------------------


def test_msr_file_order_maps_drawskt_bones_onto_the_kinect_v1_bones() -> None:
    """The permutation is checked against the release's own bone list, not against itself."""
    mapped = {frozenset((FILE_TO_NUI[a - 1], FILE_TO_NUI[b - 1])) for a, b in DRAWSKT_BONES}
    assert mapped == {frozenset(e) for e in KINECT_V1.edges}
    assert sorted(FILE_TO_NUI) == list(range(20))


def test_msr_reads_in_nui_order_with_zeros_as_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "a05_s02_e01_skeleton3D.txt", msr_action3d_text(frames=4, untracked_frame=1))
    (seq,) = read_sequences(path)
    raw = np.loadtxt(path).reshape(4, 20, 4)
    assert seq.meta["format"] == "msr_action3d" and seq.topology == KINECT_V1 and seq.fps == 15.0
    assert (seq.meta["action"], seq.meta["subject"], seq.meta["episode"], seq.meta["label"]) == (5, 2, 1, 4)
    for file_line, nui in enumerate(FILE_TO_NUI):
        np.testing.assert_array_equal(seq.positions[0, 0, nui], raw[0, file_line, :3].astype(np.float32))
        np.testing.assert_array_equal(seq.confidence[0, 2, nui], np.float32(raw[2, file_line, 3]))
    assert seq.positions[0, 0, KINECT_V1.index("Head"), 1] == np.float32(0.66)
    assert not seq.mask[0, 1].any() and seq.mask[0, [0, 2, 3]].all()


def test_msr_real_sample_is_metres_y_up_and_waves_the_right_hand() -> None:
    """a01 high arm wave: subjects used the right arm, so HandRight rises above the head; feet ~1.7 m below it."""
    path = shared_file(MSR)
    (seq,) = read_sequences(path)
    raw = np.loadtxt(path).reshape(-1, 20, 4)
    np.testing.assert_array_equal(seq.positions[0], raw[:, list(np.argsort(FILE_TO_NUI)), :3].astype(np.float32))
    y = seq.positions[0, :, :, 1]
    head, hand_r, hand_l = (KINECT_V1.index(n) for n in ("Head", "HandRight", "HandLeft"))
    assert y[:, hand_r].max() >= y[:, head].mean() - 0.05 > y[:, hand_l].max()
    height = y[:, head].mean() - y[:, KINECT_V1.index("FootLeft")].mean()
    assert 1.4 < height < 2.0 and seq.topology.up_axis == "y" and seq.meta["units"] == "m"


@pytest.mark.parametrize(
    ("text", "message", "frame"),
    [
        ("1 2 3 1\n" * 25, "ends inside frame 1: 5 of its 20 joint lines", 1),
        ("1 2 3 1\n" * 21 + "1 x 3 1\n", "'x' in column 2 is not a number (expected y)", 1),
        ("1 2 3 1\n" * 3 + "1 2 3\n", "3 values, expected 4", 0),
        ("1 2 3 1\n" * 19 + "1 2 3 7\n", "confidence 7 is outside [0, 1]", 0),
    ],
)
def test_msr_errors_name_line_frame_and_field(tmp_path: Path, text: str, message: str, frame: int) -> None:
    path = write(tmp_path, "a01_s01_e01_skeleton3D.txt", text)
    with pytest.raises(SkeletonDataError, match=re.escape(message)) as info:
        read_sequences(path, format="msr_action3d")
    assert info.value.frame == frame and info.value.source == str(path) and info.value.line


# --- MSRC-12 ------------------------------------------------------------------------------------------------


def test_msrc12_reads_kinect_sdk_order_and_tags_by_nearest_time_stamp(tmp_path: Path) -> None:
    path = write(tmp_path, "P1_2_8A_p07.csv", msrc12_text(frames=5))
    stamps = np.loadtxt(path)[:, 0].astype(np.int64)
    # tags 2 µs after frame 3 and 14 ms after frame 1: the nearest frames are 3 and 1
    write(tmp_path, "p1_2_8A_p07.tagstream", msrc12_tagstream([int(stamps[3]) + 2, int(stamps[1]) + 14000]))
    (seq,) = read_sequences(path)
    raw = np.loadtxt(path)[:, 1:].reshape(5, 20, 4)
    np.testing.assert_array_equal(seq.positions[0, 1:], raw[1:, :, :3].astype(np.float32))
    assert not seq.mask[0, 0].any() and seq.mask[0, 1:].all() and seq.fps == 30.0
    assert [t["frame"] for t in seq.meta["tags"]] == [3, 1]
    assert seq.meta["tags"][0]["gesture"] == 12 and seq.meta["tagstream"].endswith("p1_2_8A_p07.tagstream")
    assert (seq.meta["gesture"], seq.meta["person"], seq.meta["combined"], seq.meta["label"]) == (8, 7, True, 7)


def test_msrc12_real_sample_has_no_skeleton_but_ten_kicks() -> None:
    """P1_1_12A_p19 (the shared sample) is all zeros in the release: read, every joint missing, tags kept."""
    path = shared_file(MSRC)
    (seq,) = read_sequences(path)
    stamps = np.loadtxt(path)[:, 0]
    assert seq.num_frames == len(stamps) == 1029 and not seq.mask.any()
    frames = [t["frame"] for t in seq.meta["tags"]]
    assert len(frames) == 10 and frames == sorted(frames) and frames[-1] < seq.num_frames
    assert all(t["tag"] == "G12 Kick" for t in seq.meta["tags"])
    np.testing.assert_array_equal(seq.meta["timestamps_us"], stamps)


@pytest.mark.parametrize(
    ("tagstream", "message", "line"),
    [
        ("Tick;Tag\n1;G1 x\n", "expected the header 'XQPCTick;Tag'", 1),
        ("XQPCTick;Tag\n12;G1  lift\nabc;G1  lift\n", "expected 'XQPCTick;G<number> <gesture name>'", 3),
        ("XQPCTick;Tag\n12;Kick\n", "expected 'XQPCTick;G<number> <gesture name>'", 2),
    ],
)
def test_msrc12_bad_tagstream_is_named(tmp_path: Path, tagstream: str, message: str, line: int) -> None:
    path = write(tmp_path, "P1_1_1_p01.csv", msrc12_text(frames=3))
    tags = write(tmp_path, "P1_1_1_p01.tagstream", tagstream)
    with pytest.raises(SkeletonDataError, match=re.escape(message)) as info:
        read_sequences(path)
    assert info.value.source == str(tags) and info.value.line == line


@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(data=st.binary(max_size=60) | st.text(max_size=60).map(str.encode))
def test_msrc12_any_tagstream_reads_or_fails_cleanly(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "P1_1_1_p01.csv"
        path.write_text(msrc12_text(frames=3))
        (Path(folder) / "P1_1_1_p01.tagstream").write_bytes(b"XQPCTick;Tag\n" + data)
        try:
            (seq,) = read_sequences(path)
        except SkeletonDataError as exc:
            assert "\n" not in str(exc)
            return
        assert all(0 <= t["frame"] < 3 for t in seq.meta["tags"])


# --- SBU ----------------------------------------------------------------------------------------------------


def test_sbu_denormalises_as_the_readme_says(tmp_path: Path) -> None:
    path = write(tmp_path, "s03s04/07/002/skeleton_pos.txt", sbu_text(frames=3))
    (seq,) = read_sequences(path)
    raw = np.loadtxt(path, delimiter=",")
    norm = raw[:, 1:].reshape(3, 2, 15, 3)
    expected = np.stack([1280 - norm[..., 0] * 2560, 960 - norm[..., 1] * 1920, norm[..., 2] * 10000 / 7.8125], -1)
    np.testing.assert_allclose(seq.positions, expected.transpose(1, 0, 2, 3), rtol=1e-6)
    assert seq.topology == SBU15 and seq.num_persons == 2 and seq.meta["units"] == "mm"
    assert (seq.meta["set"], seq.meta["interaction"], seq.meta["sequence"], seq.meta["label"]) == ("s03s04", 7, 2, 6)
    assert list(seq.meta["frame_numbers"]) == [55, 56, 57]


def test_sbu_topology_is_the_readme_joint_list_as_a_tree() -> None:
    assert SBU15.joint_names[0] == "HEAD" and SBU15.joint_names[14] == "RIGHT_FOOT" and SBU15.num_edges == 14
    assert SBU15.parents[SBU15.index("LEFT_SHOULDER")] == SBU15.index("NECK")
    assert sorted(j for g in SBU15.groups.values() for j in g) == list(range(15))


def test_sbu_real_approaching_sample_closes_the_gap_in_millimetres() -> None:
    """Folder 01 (approaching): the torsos end much nearer than they start; people stand ~1.6 m tall, y up."""
    (seq,) = read_sequences(shared_file(SBU_FILES[0]))
    torso, head, foot = (SBU15.index(n) for n in ("TORSO", "HEAD", "LEFT_FOOT"))
    gap = np.linalg.norm(seq.positions[0, :, torso] - seq.positions[1, :, torso], axis=-1)
    assert gap[0] > 1000 and gap[-1] < 0.6 * gap[0]
    height = (seq.positions[:, :, head, 1] - seq.positions[:, :, foot, 1]).mean()
    assert 1300 < height < 2000


@pytest.mark.parametrize(
    ("text", "message", "frame"),
    [
        ("1," + ",".join(["0.5"] * 89) + "\n", "90 values, expected 91", 0),
        ("1," + ",".join(["0.5"] * 90) + "\n2.5," + ",".join(["0.5"] * 90) + "\n", "frame number 2.5", 1),
        ("1," + ",".join(["0.5"] * 44) + ",q," + ",".join(["0.5"] * 45) + "\n", "expected person A RIGHT_FOOT z", 0),
    ],
)
def test_sbu_errors_name_frame_and_field(tmp_path: Path, text: str, message: str, frame: int) -> None:
    path = write(tmp_path, "skeleton_pos.txt", text)
    with pytest.raises(SkeletonDataError, match=re.escape(message)) as info:
        read_sequences(path, format="sbu")
    assert info.value.frame == frame


# --- every real sample through the CLI ----------------------------------------------------------------------


def test_info_on_every_sample() -> None:
    paths = [shared_file(r) for r in ALL_SAMPLES]
    result = CliRunner().invoke(cli, ["info", "--json", *map(str, paths)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    got = [(r["format"], r["persons"], r["joints"], r["dims"]) for r in rows]
    assert got == [("msr_action3d", 1, 20, 3)] * 3 + [("msrc12", 1, 20, 3)] + [("sbu", 2, 15, 3)] * 3
    assert [r["frames"] for r in rows] == [54, 37, 44, 1029, 45, 28, 29]


@pytest.mark.parametrize("relative", ALL_SAMPLES)
def test_render_every_sample(relative: str, tmp_path: Path) -> None:
    out = tmp_path / "sheet.png"
    args = ["render", str(shared_file(relative)), "-r", "stick", "--frames", "4", "--size", "64", "-o", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 0


@pytest.mark.parametrize(("relative", "fmt"), [(MSR, "msr_action3d"), (MSRC, "msrc12"), (SBU_FILES[1], "sbu")])
def test_renamed_real_samples_are_recognised_by_content(relative: str, fmt: str, tmp_path: Path) -> None:
    renamed = tmp_path / "no_hint.dat"
    renamed.write_bytes(shared_file(relative).read_bytes())
    assert detect_format(renamed).name == fmt


@pytest.mark.parametrize(
    ("fmt", "name"), [("msr_action3d", "a01_s01_e01_skeleton3D.txt"), ("msrc12", "P1_1_1_p01.csv")]
)
def test_kinect_v1_writers_refuse_two_persons_and_other_layouts(tmp_path: Path, fmt: str, name: str) -> None:
    """One person in Kinect v1's 20 joints is all these files hold; anything else is refused, nothing written."""
    from skeletonllm.registry import get_registry

    writer = get_registry().create("format", fmt)
    two = read_sequences(write(tmp_path, "s01s02_01_001_skeleton_pos.txt", sbu_text()), format="sbu")[0]
    out = tmp_path / "out" / name
    with pytest.raises(SkeletonDataError, match=rf"{fmt} writes one person in the Kinect v1 topology, got 2 x 15"):
        writer.write(two, out)
    assert not out.exists()
