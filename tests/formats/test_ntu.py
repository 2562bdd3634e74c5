"""NTU specifics: body slots follow bodyIDs, file-name fields, the CRLF writer, every extra kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from format_fixtures import NTU_BODY_ID, ntu_text

from conftest import shared_file
from skeletonllm_formats.ntu import NtuSkeletonFormat, file_name_fields


def with_body_ids(bodies_per_frame: list[int], ids: list[list[int]]) -> str:
    lines = ntu_text(bodies_per_frame).split("\r\n")
    it = iter(i for frame in ids for i in frame)
    return "\r\n".join(
        f"{next(it)} {ln.split(' ', 1)[1]}" if ln.startswith(str(NTU_BODY_ID)[:10]) else ln for ln in lines
    )


def test_bodies_keep_their_slot_by_id(tmp_path: Path) -> None:
    path = tmp_path / "S001C002P003R002A055.skeleton"
    path.write_text(with_body_ids([2, 1, 2, 1, 0], [[11, 22], [22], [22, 11], [33], []]))
    (seq,) = NtuSkeletonFormat().read(path)
    assert seq.num_persons == 2
    ids = seq.meta["body_ids"]
    np.testing.assert_array_equal(ids, [[11, -1, 11, 33, -1], [22, 22, 22, -1, -1]])
    np.testing.assert_array_equal(seq.person_present, ids >= 0)
    assert not seq.mask[:, 4].any()  # a frame without bodies is allowed and empty


def test_values_land_in_the_right_arrays(tmp_path: Path) -> None:
    text = ntu_text([1])
    path = tmp_path / "x.skeleton"
    path.write_text(text)
    (seq,) = NtuSkeletonFormat().read(path)
    first_joint = [float(v) for v in text.split("\r\n")[4].split()]
    assert seq.positions[0, 0, 0].tolist() == np.float32(first_joint[0:3]).tolist()
    assert seq.extras["depth_xy"][0, 0, 0].tolist() == np.float32(first_joint[3:5]).tolist()
    assert seq.extras["color_xy"][0, 0, 0].tolist() == np.float32(first_joint[5:7]).tolist()
    assert seq.orientations[0, 0, 0].tolist() == np.float32(first_joint[7:11]).tolist()
    assert seq.extras["tracking_state"][0, 0, 0] == first_joint[11]
    assert seq.confidence[0, 0, 0] == first_joint[11] / 2
    assert seq.fps == 30.0


def test_file_name_fields() -> None:
    assert file_name_fields("S017C003P020R002A060") == dict(setup=17, camera=3, performer=20, replication=2, action=60)
    assert file_name_fields("clip") == {}


def test_real_sample_meta_and_writer_format(tmp_path: Path) -> None:
    path = shared_file("ntu_rgbd_skeleton/S001C001P001R001A001.skeleton")
    (seq,) = NtuSkeletonFormat().read(path)
    assert (seq.meta["setup"], seq.meta["action"], seq.meta["label"]) == (1, 1, 0)
    assert set(seq.meta["body_ids"][0]) == {72057594037931101}
    out = NtuSkeletonFormat().write(seq, tmp_path / path.name)
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == len(path.read_bytes().splitlines())
    original_lines = path.read_text().splitlines()
    written_lines = out.read_text().splitlines()
    joint_rows = [i for i, ln in enumerate(original_lines) if len(ln.split()) == 12]
    for i in joint_rows[:50]:  # the same text where the file's own precision allows it
        assert written_lines[i].split()[:3] == original_lines[i].split()[:3]
        written, original = np.float32(written_lines[i].split()), np.float32(original_lines[i].split())
        keep = slice(None) if original[7:11].any() else np.r_[0:7, 11]  # 0 0 0 0 quaternions come back as 1 0 0 0
        assert written[keep].tolist() == original[keep].tolist()
    (back,) = NtuSkeletonFormat().read(out)
    for key in ("tracking_state", "depth_xy", "color_xy"):
        np.testing.assert_array_equal(back.extras[key], seq.extras[key])
    np.testing.assert_array_equal(back.orientations, seq.orientations)
    np.testing.assert_array_equal(back.meta["body_ids"], seq.meta["body_ids"])


def test_zero_quaternions_become_identity(tmp_path: Path) -> None:
    lines = ntu_text([1]).split("\r\n")
    fields = lines[4].split()
    fields[7:11] = ["0", "0", "0", "0"]
    lines[4] = " ".join(fields)
    path = tmp_path / "q.skeleton"
    path.write_text("\r\n".join(lines))
    (seq,) = NtuSkeletonFormat().read(path)
    assert seq.orientations[0, 0, 0].tolist() == [1.0, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(np.linalg.norm(seq.orientations, axis=-1), 1.0, atol=1e-6)
