"""Acclaim ASF/AMC: forward kinematics by hand, finding the skeleton, units, errors, the writer, HDM05 samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from format_fixtures import AMC_TEXT, ASF_TEXT

from conftest import shared_file
from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import read_sequences
from skeletonllm.sequence import SkeletonSequence
from skeletonllm_datasets.synthetic import generate
from skeletonllm_formats.asf_amc import AsfAmcFormat, AsfAmcOptions

HDM05 = ("hdm05/HDM_bk_hopBothLegs1hops_020_120.amc", "hdm05/HDM_mm_rotateArmsBothBackward1Reps_013_120.amc")


def pair(folder: Path, asf: str = ASF_TEXT, amc: str = AMC_TEXT, stem: str = "07_01", skeleton: str = "07") -> Path:
    (folder / f"{skeleton}.asf").write_text(asf)
    path = folder / f"{stem}.amc"
    path.write_text(amc)
    return path


def read(path: Path, **options) -> SkeletonSequence:
    (seq,) = AsfAmcFormat(AsfAmcOptions(**options)).read(path)
    return seq


def test_forward_kinematics_by_hand(tmp_path: Path) -> None:
    seq = read(pair(tmp_path), units="file")
    assert seq.topology.joint_names == ("root", "spine", "head", "lfemur")  # root, then the end of each bone
    assert seq.topology.parents == (-1, 0, 1, 0)
    pos = seq.positions[0]
    np.testing.assert_allclose(pos[0], [[1, 2, 3], [1, 4, 3], [2, 4, 3], [2, 2, 3]], atol=1e-6)
    # frame 2: root rz 90 takes +y to -x and +x to +y
    np.testing.assert_allclose(pos[1], [[0, 0, 0], [-2, 0, 0], [-2, 1, 0], [0, 1, 0]], atol=1e-6)
    # frame 3: spine rx 90 takes its bone from +y to +z; the head follows
    np.testing.assert_allclose(pos[2], [[0, 0, 0], [0, 0, 2], [1, 0, 2], [1, 0, 0]], atol=1e-6)
    # frame 4: root "RX RY RZ" = 90, 0, 90 rotates about x first (Rz @ Rx; the other order puts the spine at
    # (-2, 0, 0)); the head's rx 45 turns about its local x axis, which its ASF axis (0 0 90) makes global y
    half = np.sqrt(0.5)
    np.testing.assert_allclose(pos[3], [[0, 0, 0], [0, 0, 2], [-half, half, 2], [0, 1, 0]], atol=1e-6)
    np.testing.assert_allclose(seq.orientations[0, 1, 1], [half, 0, 0, half], atol=1e-6)  # 90 deg about z


def test_metres_from_the_units_line_and_radians(tmp_path: Path) -> None:
    asf = ASF_TEXT.replace("length 1.0", "length 0.45").replace("angle deg", "angle rad")
    amc = AMC_TEXT.replace(":DEGREES", ":RADIANS").replace("root 0 0 0 0 0 90", f"root 0 0 0 0 0 {np.pi / 2!r}")
    seq = read(pair(tmp_path, asf, amc))
    assert seq.meta["units"] == "m" and seq.meta["length_unit"] == 0.45
    metres = 0.0254 / 0.45  # a file value is inches x 0.45
    np.testing.assert_allclose(seq.positions[0, 0, 1], np.array([1, 4, 3]) * metres, rtol=1e-6)
    np.testing.assert_allclose(seq.positions[0, 1, 1], np.array([-2, 0, 0]) * metres, atol=1e-7)


def test_the_skeleton_is_found_beside_the_motion(tmp_path: Path) -> None:
    hdm = tmp_path / "hdm"
    hdm.mkdir()
    assert read(pair(hdm, stem="HDM_bk_hopBothLegs1hops_020_120", skeleton="HDM_bk")).meta["asf"].endswith("HDM_bk.asf")
    (hdm / "HDM_mm.asf").write_text(ASF_TEXT)  # another actor's skeleton: the name still decides
    assert read(hdm / "HDM_bk_hopBothLegs1hops_020_120.amc").meta["asf"].endswith("HDM_bk.asf")
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    assert read(pair(lonely, stem="walk", skeleton="subject")).meta["asf"].endswith("subject.asf")  # the only one
    (lonely / "other.asf").write_text(ASF_TEXT)
    with pytest.raises(SkeletonDataError, match=r"tried walk\.asf.*set the format option asf"):
        read(lonely / "walk.amc")
    assert read(lonely / "walk.amc", asf=lonely / "other.asf").meta["asf"].endswith("other.asf")


def test_an_asf_alone_is_its_rest_pose(tmp_path: Path) -> None:
    path = tmp_path / "07.asf"
    path.write_text(ASF_TEXT)
    seq = read_sequences(path)[0]
    assert seq.meta["format"] == "asf_amc" and seq.num_frames == 1 and seq.fps is None
    np.testing.assert_allclose(seq.positions[0, 0] / 0.0254, [[0, 0, 0], [0, 2, 0], [1, 2, 0], [1, 0, 0]], atol=1e-5)


def test_frame_rate_from_an_hdm05_name_or_the_option(tmp_path: Path) -> None:
    assert read(pair(tmp_path, stem="HDM_bk_squat1Reps_001_120", skeleton="HDM_bk")).fps == 120.0
    seq = read(tmp_path / "07_01.amc") if (tmp_path / "07_01.amc").exists() else read(pair(tmp_path))
    assert seq.fps is None and "unknown" in seq.meta["fps_source"]  # a CMU-style name says nothing
    assert read(tmp_path / "07_01.amc", fps=60).fps == 60.0


@pytest.mark.parametrize(
    ("edit", "message", "where"),
    [
        (lambda a, m: (a, m.replace("head 45", "hand 45")), r"bone 'hand' is not in the skeleton", "line 19"),
        (
            lambda a, m: (a, m.replace("spine 90 0 0", "spine 90 0")),
            r"2 values for spine, its dof line has 3",
            "frame 2",
        ),
        (lambda a, m: (a, m.replace("head 45\n", "")), r"bone head has no line in frame 4", "frame 3"),
        (lambda a, m: (a, m.replace("\n3\n", "\n5\n")), r"frame number 5 follows 2", "line 12"),
        (lambda a, m: (a, m.replace("spine 90 0 0", "spine 90 x 0")), r"'x' is not a number", "frame 2"),
        (lambda a, m: (a.replace("spine head", "spine hed"), m), r"'hed', which is not a bone", "line 46"),
        (lambda a, m: (a.replace("    spine head\n", ""), m), r"bones missing from :hierarchy: head", "hierarchy"),
        (lambda a, m: (a.replace("root spine lfemur", "root spine lfemur head"), m), "second parent", "line 46"),
        (lambda a, m: (a.replace("dof rx\n", "dof rx rw\n"), m), r"expected distinct tokens", "line 33"),
        (
            lambda a, m: (
                a.replace(
                    "direction 1 0 0\n     length 1\n     axis 0 0 90",
                    "direction 0 0 0\n     length 1\n     axis 0 0 90",
                ),
                m,
            ),
            "zero direction",
            "line 30",
        ),  # fmt: skip
        (lambda a, m: (a.replace("length 2", "length nan"), m), "not a finite number", "line 20"),
        (lambda a, m: (a.split(":hierarchy")[0], m), r"no :hierarchy section", "hierarchy"),
        (lambda a, m: (a, "# nothing\n:FULLY-SPECIFIED\n"), "no frames", "frame number"),
    ],
)
def test_bad_files_name_the_line_frame_and_field(tmp_path: Path, edit, message: str, where: str) -> None:
    asf, amc = edit(ASF_TEXT, AMC_TEXT)
    with pytest.raises(SkeletonDataError, match=message) as caught:
        read(pair(tmp_path, asf, amc))
    assert where in str(caught.value) and "\n" not in str(caught.value)


def test_latin1_comments_and_crlf_lines_read(tmp_path: Path) -> None:
    """HDM05 motions start with a comment holding a Latin-1 path (``f\\xfcr Bonn``)."""
    (tmp_path / "07.asf").write_bytes(ASF_TEXT.replace("\n", "\r\n").encode())
    (tmp_path / "07_01.amc").write_bytes(
        b"#!OML:ASF X:\\f\xfcr Bonn\\x.ASF\r\n" + AMC_TEXT.replace("\n", "\r\n").encode()
    )
    assert read(tmp_path / "07_01.amc").num_frames == 4


def test_nan_angles_mask_the_bone_and_what_hangs_from_it(tmp_path: Path) -> None:
    seq = read(pair(tmp_path, amc=AMC_TEXT.replace("spine 90 0 0", "spine nan 0 0")))
    assert seq.mask[0, 2].tolist() == [True, False, False, True]
    assert seq.mask[0, [0, 1, 3]].all()


@pytest.mark.parametrize("relative", HDM05)
def test_hdm05_samples_are_a_plausible_person_in_metres(relative: str) -> None:
    seq = read_sequences(shared_file(relative))[0]
    names = seq.topology.joint_names
    assert seq.num_joints == 31 and seq.fps == 120.0 and seq.topology.up_axis == "y"
    pos = seq.positions[0]
    bones = np.stack(
        [np.linalg.norm(pos[:, j] - pos[:, p], axis=-1) for j, p in enumerate(seq.topology.parents) if p >= 0]
    )
    assert np.ptp(bones, axis=1).max() < 1e-5  # rigid bones: forward kinematics, not noise
    feet = [names.index(n) for n in ("lfoot", "ltoes", "rfoot", "rtoes")]
    lowest = pos[:, feet, 1].min(axis=1)
    assert -0.02 < np.median(lowest) < 0.1  # feet on the floor (y = 0), in metres
    height = np.percentile(pos[:, names.index("head"), 1] - lowest, 90)
    assert 1.4 < height < 2.1
    lf, rf = pos[:, names.index("lfemur")], pos[:, names.index("rfemur")]  # the knees, left and right apart
    assert np.median(np.linalg.norm(lf - rf, axis=-1)) > 0.1


def test_writer_round_trip_keeps_rotations_of_rigid_data(tmp_path: Path) -> None:
    source = pair(tmp_path)
    seq = read(source)
    out = AsfAmcFormat().write(seq, tmp_path / "copy.amc")
    assert (tmp_path / "copy.asf").is_file() and " l\n" not in (tmp_path / "copy.asf").read_text()
    back = read(out)
    np.testing.assert_allclose(back.positions, seq.positions, atol=1e-6)
    np.testing.assert_allclose(np.abs((back.orientations * seq.orientations).sum(-1)), 1.0, atol=1e-6)


def test_writer_is_exact_for_positions_without_orientations(tmp_path: Path) -> None:
    """SMPL-22 joints (no orientations, varying limb lengths) are written with swing rotations and the l dof."""
    seq = generate("hand waving", "smpl22", 3)
    assert seq.orientations is None
    out = AsfAmcFormat().write(seq, tmp_path / "smpl.amc")
    assert "dof rx ry rz l" in (tmp_path / "smpl.asf").read_text()
    back = read(out)
    index = [back.topology.joint_names.index(n) for n in ("root", *seq.topology.joint_names[1:])]
    np.testing.assert_allclose(back.positions[:, :, index], seq.positions, atol=1e-6)


def test_writer_refuses_what_asf_cannot_hold(tmp_path: Path) -> None:
    seq = read(pair(tmp_path))
    with pytest.raises(SkeletonDataError, match="give the .amc path"):
        AsfAmcFormat().write(seq, tmp_path / "x.asf")
    gappy = SkeletonSequence(positions=seq.positions, topology=seq.topology, mask=~np.eye(4, dtype=bool)[None, :4])
    with pytest.raises(SkeletonDataError, match="missing joints"):
        AsfAmcFormat().write(gappy, tmp_path / "gap.amc")
