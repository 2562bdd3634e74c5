"""Corrupt input, made from the real samples (and from synthetic files so CI runs without them).

Each case must raise one ``SkeletonDataError`` that names the file, says where
(line, frame or field) and what was expected; never a bare IndexError or
ValueError, never silently partial data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from format_fixtures import BVH_TEXT, coco_doc, ntu_text, nw_ucla_doc, pku_text

from conftest import shared_data_dir
from skeletonllm.errors import SkeletonDataError
from skeletonllm.registry import get_registry

REAL = {
    "ntu_skeleton": "ntu_rgbd_skeleton/S001C001P001R001A001.skeleton",
    "pku_mmd": "pku_mmd/A10N08-L.txt",
    "nw_ucla": "nw_ucla/all_sqe/a01_s01_e00_v01.json",
    "coco_keypoints": "coco_keypoints/test_coco.json",
    "bvh": "cmu_mocap_bvh/131_01.bvh",
}
SYNTHETIC: dict[str, Callable[[], str]] = {
    "ntu_skeleton": lambda: ntu_text([1, 1, 1]),
    "pku_mmd": lambda: pku_text(),
    "nw_ucla": lambda: json.dumps(nw_ucla_doc(), indent=1),
    "coco_keypoints": lambda: json.dumps(coco_doc(), indent=1),
    "bvh": lambda: BVH_TEXT,
}
SUFFIX = {"ntu_skeleton": ".skeleton", "pku_mmd": ".txt", "nw_ucla": ".json", "coco_keypoints": ".json", "bvh": ".bvh"}


def source_text(fmt: str, origin: str) -> str:
    if origin == "synthetic":
        return SYNTHETIC[fmt]()
    path = shared_data_dir() / REAL[fmt]
    if not path.exists():
        pytest.skip(f"real sample {REAL[fmt]} not found under {shared_data_dir()}")
    return path.read_bytes().decode("utf-8")


FORMAT_CLASSES = {i.name: i.cls for i in get_registry().infos("format") if i.plugin == "formats"}


def read(fmt: str, path: Path):
    """Read with the named plugin directly: these tests are about the reader, not sniffing or loading."""
    return FORMAT_CLASSES[fmt]().read(path)


def expect_error(fmt: str, path: Path, *fragments: str) -> SkeletonDataError:
    with pytest.raises(SkeletonDataError) as info:
        read(fmt, path)
    err = info.value
    message = str(err)
    assert path.name in message, message
    assert err.line is not None or err.frame is not None or err.field is not None, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "\n" not in message
    return err


def corrupt(
    tmp_path: Path, fmt: str, origin: str, edit: Callable[[list[str]], list[str]], keep_crlf: bool = True
) -> Path:
    text = source_text(fmt, origin)
    newline = "\r\n" if "\r\n" in text and keep_crlf else "\n"
    lines = edit(text.splitlines())
    path = tmp_path / f"corrupt{SUFFIX[fmt]}"
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    return path


def replace_field(line: str, index: int, value: str) -> str:
    fields = line.split()
    fields[index] = value
    return " ".join(fields)


ORIGINS = ["real", "synthetic"]


# --- empty files: every format ---


@pytest.mark.parametrize(
    "fmt", ["ntu_skeleton", "pku_mmd", "nw_ucla", "coco_keypoints", "bvh", "humanml3d", "pyskl_pickle", "amass"]
)
@pytest.mark.parametrize("content", [b"", b"  \r\n\n"], ids=["zero-bytes", "blank-lines"])
def test_empty_file(fmt: str, content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "empty.dat"
    path.write_bytes(content)
    with pytest.raises(SkeletonDataError) as info:
        read(fmt, path)
    assert path.name in str(info.value)


# --- NTU ---


@pytest.mark.parametrize("origin", ORIGINS)
def test_ntu_truncated(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "ntu_skeleton", origin, lambda ls: ls[:40])
    expect_error("ntu_skeleton", path, "file ends early", "line 41", "frame 1")


@pytest.mark.parametrize("origin", ORIGINS)
def test_ntu_wrong_joint_count(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "ntu_skeleton", origin, lambda ls: [*ls[:3], "24", *ls[4:]])
    err = expect_error("ntu_skeleton", path, "joint count 24, expected 25", "line 4", "frame 0")
    assert err.line == 4 and err.frame == 0


@pytest.mark.parametrize("origin", ORIGINS)
def test_ntu_non_numeric_field(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "ntu_skeleton", origin, lambda ls: [*ls[:6], replace_field(ls[6], 2, "1.2.3"), *ls[7:]])
    expect_error("ntu_skeleton", path, "'1.2.3'", "column 3", "line 7", "not a number")


@pytest.mark.parametrize("origin", ORIGINS)
def test_ntu_nan_joint_becomes_missing(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "ntu_skeleton", origin, lambda ls: [*ls[:6], replace_field(ls[6], 0, "NaN"), *ls[7:]])
    (seq,) = read("ntu_skeleton", path)
    assert not seq.mask[0, 0, 2] and seq.mask[0, 0, [0, 1, 3]].all()
    assert np.isfinite(seq.positions).all() and not seq.positions[0, 0, 2].any()


@pytest.mark.parametrize("origin", ORIGINS)
def test_ntu_nan_in_a_count_is_an_error(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "ntu_skeleton", origin, lambda ls: [ls[0], "nan", *ls[2:]])
    expect_error("ntu_skeleton", path, "'nan' is not an integer", "line 2", "body count")


@pytest.mark.parametrize("origin", ORIGINS)
def test_ntu_body_count_that_lies(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "ntu_skeleton", origin, lambda ls: [ls[0], "2", *ls[2:]])
    expect_error("ntu_skeleton", path, "body 1 info line", "expected 10", "body count (2) may be wrong", "frame 0")


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize(("delta", "fragment"), [(1, "file ends early"), (-1, "unexpected data after")])
def test_ntu_frame_count_that_lies(origin: str, delta: int, fragment: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "ntu_skeleton", origin, lambda ls: [str(int(ls[0]) + delta), *ls[1:]])
    expect_error("ntu_skeleton", path, fragment, "line")


def test_ntu_bad_tracking_state(tmp_path: Path) -> None:
    text = ntu_text([1]).splitlines()
    text[4] = replace_field(text[4], 11, "7")
    path = tmp_path / "bad.skeleton"
    path.write_text("\n".join(text))
    expect_error("ntu_skeleton", path, "trackingState", "line 5")


# --- PKU-MMD ---


@pytest.mark.parametrize("origin", ORIGINS)
def test_pku_truncated_mid_line(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "pku_mmd", origin, lambda ls: [*ls[:4], " ".join(ls[4].split()[:70])])
    expect_error("pku_mmd", path, "70 numbers, expected 150", "line 5", "frame 4")


@pytest.mark.parametrize("origin", ORIGINS)
def test_pku_wrong_joint_count(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "pku_mmd", origin, lambda ls: [*ls[:2], " ".join(ls[2].split()[:147]), *ls[3:]])
    expect_error("pku_mmd", path, "147 numbers, expected 150", "line 3")


@pytest.mark.parametrize("origin", ORIGINS)
def test_pku_non_numeric(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "pku_mmd", origin, lambda ls: [ls[0], replace_field(ls[1], 80, "x1"), *ls[2:]])
    expect_error("pku_mmd", path, "'x1'", "body 1 joint 1 z", "line 2", "column 81")


@pytest.mark.parametrize("origin", ORIGINS)
def test_pku_nan_joint_becomes_missing(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "pku_mmd", origin, lambda ls: [replace_field(ls[0], 4, "nan"), *ls[1:]])
    (seq,) = read("pku_mmd", path)
    assert not seq.mask[0, 0, 1] and seq.mask[0, 0, 0] and seq.mask[0, 1].all()
    assert np.isfinite(seq.positions).all()


# --- NW-UCLA JSON ---


def edit_json(tmp_path: Path, fmt: str, origin: str, change: Callable[[dict], None]) -> Path:
    doc = json.loads(source_text(fmt, origin))
    change(doc)
    path = tmp_path / f"edited{SUFFIX[fmt]}"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("origin", ORIGINS)
def test_nw_ucla_truncated(origin: str, tmp_path: Path) -> None:
    text = source_text("nw_ucla", origin)
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    expect_error("nw_ucla", path, "invalid JSON", "line")


@pytest.mark.parametrize("origin", ORIGINS)
def test_nw_ucla_wrong_joint_count(origin: str, tmp_path: Path) -> None:
    path = edit_json(tmp_path, "nw_ucla", origin, lambda d: d["skeletons"][2].pop())
    err = expect_error("nw_ucla", path, "19 joints, expected 20", "frame 2")
    assert err.frame == 2


@pytest.mark.parametrize("origin", ORIGINS)
def test_nw_ucla_non_numeric(origin: str, tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["skeletons"][1][5][0] = "0.5"

    expect_error("nw_ucla", edit_json(tmp_path, "nw_ucla", origin, change), "'0.5'", "not a number", "frame 1")


@pytest.mark.parametrize("origin", ORIGINS)
def test_nw_ucla_null_and_nan_become_missing(origin: str, tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["skeletons"][0][3][1] = None
        d["skeletons"][1][4][2] = float("nan")  # json.dumps writes NaN, which Python's json reads

    (seq,) = read("nw_ucla", edit_json(tmp_path, "nw_ucla", origin, change))
    assert not seq.mask[0, 0, 3] and not seq.mask[0, 1, 4] and seq.mask[0, 0, 4]
    assert np.isfinite(seq.positions).all()


@pytest.mark.parametrize("origin", ORIGINS)
def test_nw_ucla_bad_label(origin: str, tmp_path: Path) -> None:
    path = edit_json(tmp_path, "nw_ucla", origin, lambda d: d.update(label="walk"))
    expect_error("nw_ucla", path, "expected an integer 1..10", "label")


# --- COCO JSON ---


@pytest.mark.parametrize("origin", ORIGINS)
def test_coco_truncated(origin: str, tmp_path: Path) -> None:
    text = source_text("coco_keypoints", origin)
    path = tmp_path / "cut.json"
    path.write_text(text[: int(len(text) * 0.7)])
    expect_error("coco_keypoints", path, "invalid JSON")


@pytest.mark.parametrize("origin", ORIGINS)
def test_coco_wrong_keypoint_count(origin: str, tmp_path: Path) -> None:
    path = edit_json(
        tmp_path, "coco_keypoints", origin, lambda d: d["annotations"][1]["keypoints"].__delitem__(slice(0, 3))
    )
    expect_error("coco_keypoints", path, "expected a list of 51 numbers", "got 48", "annotations[1].keypoints")


@pytest.mark.parametrize("origin", ORIGINS)
def test_coco_non_numeric(origin: str, tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["annotations"][0]["keypoints"][4] = "seven"

    expect_error("coco_keypoints", edit_json(tmp_path, "coco_keypoints", origin, change), "'seven'", "annotations[0]")


@pytest.mark.parametrize("origin", ORIGINS)
def test_coco_null_coordinate_becomes_missing(origin: str, tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["annotations"][0]["keypoints"][0] = None  # x of the nose, still flagged visible

    seqs = read("coco_keypoints", edit_json(tmp_path, "coco_keypoints", origin, change))
    first = next(s for s in seqs if s.meta["annotation_index"] == 0)
    assert not first.mask[0, 0, 0] and first.mask[0, 0, 5]
    assert np.isfinite(first.positions).all()


def test_coco_unknown_image(tmp_path: Path) -> None:
    doc = coco_doc()
    doc["annotations"][0]["image_id"] = 999
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc))
    expect_error("coco_keypoints", path, "image_id 999", "annotations[0].image_id")


# --- BVH ---


def motion_index(lines: list[str]) -> int:
    return lines.index("MOTION")


@pytest.mark.parametrize("origin", ORIGINS)
def test_bvh_truncated_motion(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "bvh", origin, lambda ls: ls[:-1])
    expect_error("bvh", path, "motion lines, expected", "Frames")


@pytest.mark.parametrize("origin", ORIGINS)
def test_bvh_truncated_hierarchy(origin: str, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "bvh", origin, lambda ls: ls[:12])
    expect_error("bvh", path, "no MOTION section")


@pytest.mark.parametrize("origin", ORIGINS)
def test_bvh_missing_brace(origin: str, tmp_path: Path) -> None:
    def edit(ls: list[str]) -> list[str]:
        m = motion_index(ls)
        return [*ls[: m - 1], *ls[m:]]  # drop the root's closing brace

    expect_error("bvh", corrupt(tmp_path, "bvh", origin, edit), "file ends early", "'}'")


@pytest.mark.parametrize("origin", ORIGINS)
def test_bvh_wrong_value_count(origin: str, tmp_path: Path) -> None:
    def edit(ls: list[str]) -> list[str]:
        m = motion_index(ls)
        ls[m + 4] = " ".join(ls[m + 4].split()[:-1])
        return ls

    err = expect_error("bvh", corrupt(tmp_path, "bvh", origin, edit), "values, expected", "frame 1")
    assert err.frame == 1


@pytest.mark.parametrize("origin", ORIGINS)
def test_bvh_non_numeric(origin: str, tmp_path: Path) -> None:
    def edit(ls: list[str]) -> list[str]:
        m = motion_index(ls)
        ls[m + 3] = replace_field(ls[m + 3], 1, "y?")
        return ls

    expect_error("bvh", corrupt(tmp_path, "bvh", origin, edit), "'y?'", "Yposition", "frame 0", "column 2")


@pytest.mark.parametrize("origin", ORIGINS)
def test_bvh_nan_rotation_masks_the_joint_and_its_descendants(origin: str, tmp_path: Path) -> None:
    def edit(ls: list[str]) -> list[str]:
        m = motion_index(ls)
        ls[m + 3] = replace_field(ls[m + 3], 3, "nan")  # the root's first rotation channel
        return ls

    (seq,) = read("bvh", corrupt(tmp_path, "bvh", origin, edit))
    assert not seq.mask[0, 0, 1:].any()  # everything below the root is unknown in frame 0
    assert seq.mask[0, 1].all()
    assert np.isfinite(seq.positions).all() and np.isfinite(seq.orientations).all()


@pytest.mark.parametrize("origin", ORIGINS)
def test_bvh_nan_offset_is_an_error(origin: str, tmp_path: Path) -> None:
    def edit(ls: list[str]) -> list[str]:
        i = next(k for k, ln in enumerate(ls) if ln.strip().startswith("OFFSET") and k > 4)
        ls[i] = ls[i].replace("OFFSET", "OFFSET nan", 1).rsplit(" ", 1)[0]
        return ls

    err = expect_error("bvh", corrupt(tmp_path, "bvh", origin, edit), "not a finite number", "OFFSET x")
    assert err.line is not None


@pytest.mark.parametrize("origin", ORIGINS)
def test_bvh_frame_count_that_lies(origin: str, tmp_path: Path) -> None:
    def edit(ls: list[str]) -> list[str]:
        m = motion_index(ls)
        ls[m + 1] = f"Frames: {int(ls[m + 1].split()[1]) + 5}"
        return ls

    expect_error("bvh", corrupt(tmp_path, "bvh", origin, edit), "motion lines, expected")


def test_bvh_bad_channel_name(tmp_path: Path) -> None:
    path = tmp_path / "x.bvh"
    path.write_text(BVH_TEXT.replace("Zrotation Xrotation Yrotation", "Zrotation Wrotation Yrotation"))
    expect_error("bvh", path, "'Wrotation'", "line 5")


def test_bvh_duplicate_joint_names(tmp_path: Path) -> None:
    path = tmp_path / "x.bvh"
    path.write_text(BVH_TEXT.replace("JOINT leg", "JOINT spine"))
    expect_error("bvh", path, "duplicate joint names", "HIERARCHY")


def test_ntu_body_id_too_large(tmp_path: Path) -> None:
    """Found by fuzzing: an oversized bodyID used to overflow the int64 ID array."""
    lines = ntu_text([1]).split("\r\n")
    lines[2] = replace_field(lines[2], 0, "99999999999999999999")
    path = tmp_path / "big.skeleton"
    path.write_text("\r\n".join(lines))
    expect_error("ntu_skeleton", path, "bodyID", "64 bits", "line 3")
