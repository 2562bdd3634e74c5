"""The real sample files in ../shared/data, read through the CLI as a user would.

Counts are the acceptance figures of the foundation issue; positions are
compared against independent readings written here from the published
layouts (for NTU, the logic of the authors' own ``Python/txt2npy.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import shared_file
from skeletonllm.cli import cli
from skeletonllm.io import detect_format

NTU = "ntu_rgbd_skeleton/S001C001P001R001A001.skeleton"
PKU = "pku_mmd/A10N08-L.txt"
HUMANML = "humanml3d/new_joints/012314.npy"
BVH = "cmu_mocap_bvh/131_01.bvh"
COCO = "coco_keypoints/test_coco.json"
UCLA_DIR = "nw_ucla/all_sqe"


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def info_rows(*paths: Path) -> list[dict]:
    return json.loads(run_cli("info", "--json", *map(str, paths)))


@pytest.mark.parametrize(
    ("relative", "fmt", "persons", "frames", "joints"),
    [
        (NTU, "ntu_skeleton", 1, 103, 25),
        (PKU, "pku_mmd", 2, 1040, 25),
        (HUMANML, "humanml3d", 1, 170, 22),
        (BVH, "bvh", 1, 994, 31),
    ],
)
def test_info_counts(relative: str, fmt: str, persons: int, frames: int, joints: int) -> None:
    (row,) = info_rows(shared_file(relative))
    assert (row["format"], row["persons"], row["frames"], row["joints"]) == (fmt, persons, frames, joints)
    assert row["dims"] == 3
    assert set(row) >= {"path", "format", "persons", "frames", "joints", "dims", "fps", "has_orientations"}


def test_info_nw_ucla_and_coco() -> None:
    ucla = sorted(shared_file(UCLA_DIR).glob("*.json"))
    assert len(ucla) == 10
    rows = info_rows(*ucla)
    assert [(r["format"], r["joints"], r["persons"]) for r in rows] == [("nw_ucla", 20, 1)] * 10
    coco = info_rows(shared_file(COCO))
    assert len(coco) == 14
    assert all(
        (r["format"], r["persons"], r["frames"], r["joints"], r["dims"]) == ("coco_keypoints", 1, 1, 17, 2)
        for r in coco
    )


def test_info_bvh_fps_and_orientations() -> None:
    (row,) = info_rows(shared_file(BVH))
    assert row["fps"] == pytest.approx(1 / 0.0083333)
    assert row["has_orientations"] is True


def test_amass_without_body_model_explains(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["info", str(shared_file("amass/dmpl_sample.npz"))])
    assert result.exit_code == 1
    assert "SMPL-H body model" in result.stderr and "body_model" in result.stderr
    assert "Traceback" not in result.stderr


def export(path: Path, out: Path) -> list[dict[str, np.ndarray]]:
    run_cli("export", str(path), "-o", str(out))
    files = sorted(out.glob(f"{path.stem}*.npz"))
    assert files, "export wrote nothing"
    loaded = []
    for f in files:
        with np.load(f, allow_pickle=False) as npz:
            loaded.append({k: npz[k] for k in npz.files})
    return loaded


def read_like_txt2npy(path: Path) -> list[np.ndarray]:
    """NTU authors' reader logic: bodies by their order within each frame, empty frames left zero.

    Written from the behaviour of shahroudy/NTURGB-D ``Python/txt2npy.py``:
    body b of a frame goes to array ``skel_body{b}`` (frames, 25, 3); only
    x, y, z (the first three fields) of each joint line are kept for
    positions; arrays beyond the largest body count are dropped.
    """
    lines = path.read_text().splitlines()
    nframe = int(lines[0])
    bodies = [np.zeros((nframe, 25, 3)) for _ in range(4)]
    counts = []
    cursor = 0
    for frame in range(nframe):
        cursor += 1
        count = int(lines[cursor])
        if count == 0:
            continue
        counts.append(count)
        for b in range(count):
            cursor += 2  # body info line, then the joint count
            for joint in range(int(lines[cursor])):
                cursor += 1
                bodies[b][frame, joint] = [float(x) for x in lines[cursor].split()[:3]]
    return bodies[: max(counts)]


def test_ntu_export_matches_authors_reader(tmp_path: Path) -> None:
    path = shared_file(NTU)
    (npz,) = export(path, tmp_path)
    reference = read_like_txt2npy(path)
    assert npz["positions"].shape == (len(reference), 103, 25, 3)
    for m, body in enumerate(reference):
        np.testing.assert_array_equal(npz["positions"][m], body.astype(np.float32))
    assert npz["orientations"].shape == (1, 103, 25, 4)
    assert npz["mask"].all()
    assert str(npz["format"]) == "ntu_skeleton" and float(npz["fps"]) == 30.0
    assert len(npz["joint_names"]) == 25 and npz["edges"].shape == (24, 2)


def test_pku_export_matches_loadtxt(tmp_path: Path) -> None:
    path = shared_file(PKU)
    (npz,) = export(path, tmp_path)
    raw = np.loadtxt(path).reshape(-1, 2, 25, 3).transpose(1, 0, 2, 3).astype(np.float32)
    present = np.any(raw != 0, axis=(2, 3))
    assert npz["positions"].shape == raw.shape == (2, 1040, 25, 3)
    np.testing.assert_array_equal(npz["positions"], raw)
    np.testing.assert_array_equal(npz["mask"].any(axis=-1), present)
    assert "orientations" not in npz


def test_humanml3d_export_matches_npy(tmp_path: Path) -> None:
    path = shared_file(HUMANML)
    (npz,) = export(path, tmp_path)
    np.testing.assert_array_equal(npz["positions"][0], np.load(path))
    assert float(npz["fps"]) == 20.0


def test_nw_ucla_export_matches_json(tmp_path: Path) -> None:
    path = sorted(shared_file(UCLA_DIR).glob("*.json"))[3]
    (npz,) = export(path, tmp_path)
    doc = json.loads(path.read_text())
    np.testing.assert_array_equal(npz["positions"][0], np.array(doc["skeletons"], dtype=np.float32))


def test_coco_export_matches_json(tmp_path: Path) -> None:
    path = shared_file(COCO)
    exported = export(path, tmp_path)
    doc = json.loads(path.read_text())
    image_order = {img["id"]: i for i, img in enumerate(doc["images"])}
    anns = sorted(enumerate(doc["annotations"]), key=lambda ia: (image_order[ia[1]["image_id"]], ia[0]))
    assert len(exported) == len(anns) == 14
    for npz, (_, ann) in zip(exported, anns):
        kp = np.array(ann["keypoints"], dtype=np.float32).reshape(17, 3)
        np.testing.assert_array_equal(npz["mask"][0, 0], kp[:, 2] > 0)
        np.testing.assert_array_equal(npz["positions"][0, 0][kp[:, 2] > 0], kp[kp[:, 2] > 0, :2])


def test_bvh_export_is_rigid_and_follows_root_channels(tmp_path: Path) -> None:
    """Independent checks of the forward kinematics: bones keep their OFFSET length, the root follows its channels."""
    path = shared_file(BVH)
    (npz,) = export(path, tmp_path)
    text = path.read_text().splitlines()
    motion_at = text.index("MOTION")
    first = np.array(text[motion_at + 3].split(), dtype=float)
    pos = npz["positions"][0].astype(np.float64)
    np.testing.assert_allclose(pos[0, 0], first[:3], rtol=1e-6)
    offsets, parents, stack = [], [], []
    for raw in text[:motion_at]:
        words = raw.split()
        if words and words[0] in ("ROOT", "JOINT"):
            parents.append(stack[-1] if stack else -1)
            pending = len(parents) - 1
        elif words and words[0] == "End":
            pending = None
        elif words == ["{"]:
            stack.append(pending if pending is not None else -2)
        elif words == ["}"]:
            stack.pop()
        elif words and words[0] == "OFFSET" and pending is not None and len(offsets) < len(parents):
            offsets.append(np.array(words[1:], dtype=float))
    assert len(parents) == 31 == pos.shape[1]
    for j, p in enumerate(parents):
        if p >= 0:
            length = np.linalg.norm(pos[:, j] - pos[:, p], axis=-1)
            np.testing.assert_allclose(length, np.linalg.norm(offsets[j]), atol=1e-4)
    assert list(npz["joint_names"][:3]) == ["Hips", "LHipJoint", "LeftHip"]


@pytest.mark.parametrize(
    ("relative", "fmt"),
    [
        (NTU, "ntu_skeleton"),
        (PKU, "pku_mmd"),
        (HUMANML, "humanml3d"),
        (BVH, "bvh"),
        (COCO, "coco_keypoints"),
        (f"{UCLA_DIR}/a01_s01_e00_v01.json", "nw_ucla"),
        ("amass/dmpl_sample.npz", "amass"),
    ],
)
def test_renamed_real_files_are_recognised_by_content(relative: str, fmt: str, tmp_path: Path) -> None:
    renamed = tmp_path / "no_hint.dat"
    renamed.write_bytes(shared_file(relative).read_bytes())
    assert detect_format(renamed).name == fmt


def test_info_reads_every_sample_with_a_plugin(shared_data: Path) -> None:
    """Every skeleton file in ../shared/data: one CLI call, one row per sequence, no file left unread."""
    skip = {"label_maps", "splits", "new_joint_vecs", "amass"}  # not skeleton files, or explained (AMASS)
    labels = {"LICENSE", "content_label.txt", "style_label.txt"}  # Bandai-Namco's licence and label lists
    files = sorted(
        p
        for p in shared_data.rglob("*")
        if p.is_file() and p.suffix != ".md" and not skip & set(p.parts) and p.name not in labels
        and not (p.parent.name == "bandai_namco" and p.suffix == ".json")  # label sidecars, read by the dataset
        and p.suffix != ".tagstream"  # MSRC-12 action points, read beside their .csv
    )  # fmt: skip
    rows = info_rows(*files)
    by_format: dict[str, int] = {}
    for row in rows:
        by_format[row["format"]] = by_format.get(row["format"], 0) + 1
    assert by_format == {"ntu_skeleton": 1, "pku_mmd": 1, "humanml3d": 1, "bvh": 4, "nw_ucla": 10, "coco_keypoints": 14,
                         "asf_amc": 4, "penn_action": 3, "msr_action3d": 3, "msrc12": 1, "sbu": 3}  # fmt: skip
    assert {r["path"].split("#")[0] for r in rows} == {str(p) for p in files}
