"""HDM05, Penn Action and Bandai-Namco on fixture trees laid out as each ships, and their recorded splits."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from format_fixtures import AMC_TEXT, ASF_TEXT, BVH_TEXT, penn_bytes

from conftest import shared_file
from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import read_sequences
from skeletonllm.registry import get_registry
from skeletonllm_datasets.protocol_data import benchmark
from skeletonllm_datasets.splitting import held_out_takes, seeded_unseen

PUBLISHED = {
    ("hdm05", None): (11, ["xsub"], {"9/2", "6/5"}),
    ("penn_action", None): (15, ["default"], {"12/3", "10/5"}),
    ("bandai", 2): (10, ["takes"], {"8/2", "5/5"}),
    ("bandai", 1): (17, ["takes"], {"14/3", "12/5"}),
}


def make(name: str, root: Path | str, **options):
    return get_registry().create("dataset", name, {"root": str(root), **options})


def ids(ds, split: str) -> list[str]:
    return sorted(s.id for s in ds.samples(split))


def hdm05_tree(tmp: Path) -> Path:
    root = tmp / "hdm05"
    clips = {
        "train/1": ["HDM_bd_depositFloorR_001_120.amc", "HDM_bk_depositFloorR_004_120.AMC"],
        "train/2": ["HDM_bd_elbowToKnee1RepsLelbowStart_001_120.amc", "HDM_bd_squat1Reps_009_120.amc"],
        "test/1": ["HDM_mm_depositFloorR_019_120.amc", "HDM_xx_depositFloorR_020_120.amc"],
        "test/2": ["HDM_tr_elbowToKnee1RepsLelbowStart_021_120.amc", "notes_120.amc"],
    }
    for folder, names in clips.items():
        (root / folder).mkdir(parents=True)
        for name in names:
            (root / folder / name).write_text(AMC_TEXT)
        for actor in ("bd", "bk", "mm", "tr"):
            (root / folder / f"HDM_{actor}.asf").write_text(ASF_TEXT)
        (root / folder / f"{names[0]}.mat").write_bytes(b"toolbox export, not read")
    return root


def penn_tree(tmp: Path) -> Path:
    labels = tmp / "Penn_Action" / "labels"
    labels.mkdir(parents=True)
    for name, action, train in (("0001", "baseball_pitch", -1), ("0002", "baseball_pitch", 1), ("0170", "bowl", 1)):
        (labels / f"{name}.mat").write_bytes(penn_bytes(action=action, train=train))
    (labels / "0171.mat").write_bytes(penn_bytes(action="curling", train=1))
    (labels / "0172.mat").write_bytes(b"MATLAB 5.0 MAT-file, broken")
    return labels.parent


def bandai_tree(tmp: Path, set_number: int = 2) -> Path:
    """The repository layout; clips are the real samples when present, else the BVH fixture."""
    data = benchmark(f"bandai{set_number}").raw
    base = tmp / "dataset" / f"Bandai-Namco-Research-Motiondataset-{set_number}"
    (base / "data").mkdir(parents=True)
    (base / "cfg").mkdir()
    (base / "cfg" / "content_label.txt").write_text("\n".join(c["code"] for c in data["classes"]))
    (base / "cfg" / "style_label.txt").write_text("\n".join(s["code"] for s in data["styles"]) + "\n")
    contents = [c["name"] for c in data["classes"]]
    styles = [s["name"] for s in data["styles"]]
    for content in contents[:6]:
        for style in styles[:2]:
            for take in range(1, 6):
                stem = f"dataset-{set_number}_{content}_{style}_{take:03d}"
                (base / "data" / f"{stem}.bvh").write_text(BVH_TEXT)
                doc = {"content": contents.index(content), "style": styles.index(style)}
                (base / "data" / f"{stem}.json").write_text(json.dumps(doc))
    return tmp / "dataset"


@pytest.mark.parametrize(("key", "expected"), PUBLISHED.items(), ids=lambda v: str(v))
def test_classes_protocols_and_splits(key, expected) -> None:
    name, set_number = key
    n, protocols, splits = expected
    ds = make(name, ".", **({"set": set_number} if set_number else {}))
    assert len(ds.class_names) == n and len(set(ds.class_names)) == n
    assert ds.protocols() == protocols and set(ds.class_splits()) == splits
    for key_, split in ds.class_splits().items():
        assert (len(split.seen), len(split.unseen)) == tuple(map(int, key_.split("/"))) and split.source


@pytest.mark.parametrize("data_file", ["hdm05", "penn_action", "bandai1", "bandai2"])
def test_seeded_class_splits_are_the_recorded_draw(data_file: str) -> None:
    data = benchmark(data_file)
    for key, entry in data.raw["class_splits"].items():
        unseen = tuple(u["id"] for u in entry["unseen"])
        assert unseen == seeded_unseen(len(data.class_names), len(unseen), entry["seed"]), key
        assert f"seed={entry['seed']}" in entry["source"]


def test_hdm05_folders_labels_and_refusals(tmp_path: Path, capsys) -> None:
    ds = make("hdm05", hdm05_tree(tmp_path))
    assert ids(ds, "xsub/train") == ["HDM_bd_depositFloorR_001_120", "HDM_bd_elbowToKnee1RepsLelbowStart_001_120", "HDM_bk_depositFloorR_004_120"]  # fmt: skip
    assert ids(ds, "xsub/test") == ["HDM_mm_depositFloorR_019_120", "HDM_tr_elbowToKnee1RepsLelbowStart_021_120"]
    reasons = dict(ds.report.skipped)
    assert (
        reasons["train/2/HDM_bd_squat1Reps_009_120.amc"]
        == "motion squat1Reps is not class 2 (elbowToKnee1RepsLelbowStart)"
    )
    assert reasons["test/1/HDM_xx_depositFloorR_020_120.amc"] == "no skeleton HDM_xx.asf beside it"
    assert "name does not follow" in reasons["test/2/notes_120.amc"]
    err = capsys.readouterr().err
    assert "skipped 3 of 8 files" in err and "no class folder train/3/" in err and "train/3/" in ds.missing_folders
    sample = next(ds.samples("xsub/train"))
    seq = sample.load()
    assert seq.meta["label"] == sample.label == 0 and seq.fps == 120.0 and sample.meta["subject"] == "bd"
    with pytest.raises(SkeletonDataError, match="expected train/ and test/"):
        _ = make("hdm05", tmp_path / "nowhere").index


def test_penn_action_labels_and_train_flag_come_from_the_files(tmp_path: Path) -> None:
    ds = make("penn_action", penn_tree(tmp_path))
    assert ids(ds, "default/train") == ["0002", "0170"] and ids(ds, "default/test") == ["0001"]
    assert {s.id: s.label for s in ds.index} == {"0001": 0, "0002": 0, "0170": 3}
    reasons = dict(ds.report.skipped)
    assert "'curling' is not one of the 15" in reasons["0171.mat"] and "unreadable MAT file" in reasons["0172.mat"]
    first = next(ds.samples("default/test")).load()
    first.positions[:] = 0  # a caller editing its copy does not edit the index
    assert next(ds.samples("default/test")).load().positions.any()


def test_bandai_labels_styles_and_gaps(tmp_path: Path, capsys) -> None:
    root = bandai_tree(tmp_path)
    data = root / "Bandai-Namco-Research-Motiondataset-2" / "data"
    (data / "dataset-2_walk_active_001.bvh").unlink()  # the public copy of set 1 lacks one clip like this
    (data / "dataset-2_walk_active_002.json").write_text('{"content": 3, "style": 0}')
    (data / "dataset-2_run_active_001.json").unlink()
    ds = make("bandai", root)
    assert len(ds.index) == 57
    reasons = dict(ds.report.skipped)
    assert reasons["dataset-2_walk_active_001"] == ".json without its .bvh (the file is missing from this copy)"
    assert (
        "sidecar says dataset-2_run / dataset-2_active, the file name walk / active"
        in reasons["dataset-2_walk_active_002"]
    )
    assert reasons["dataset-2_run_active_001"] == "no .json sidecar with its labels"
    assert "skipped 3 of 60 clips" in capsys.readouterr().err
    sample = next(s for s in ds.index if s.id == "dataset-2_wave-left-hand_elderly_003")
    assert ds.class_names[sample.label] == "wave-left-hand" and sample.meta["style"] == "elderly"
    seq = sample.load()
    assert seq.meta["style"] == "elderly" and seq.meta["style_id"] == 1 and seq.meta["label"] == sample.label


def test_bandai_split_keeps_takes_apart_and_every_class_on_both_sides(tmp_path: Path) -> None:
    ds = make("bandai", bandai_tree(tmp_path))
    train, test = ids(ds, "takes/train"), ids(ds, "takes/test")
    assert not set(train) & set(test) and len(train) + len(test) == len(ds.index) == 60
    for label in range(6):
        in_test = [s for s in ds.samples("takes/test") if s.label == label]
        assert len(in_test) == 2  # round(0.2 x 10 takes)
    takes = [f"t{i}" for i in range(30)]
    held = held_out_takes(takes, 0, 0.2)
    assert held == held_out_takes(reversed(takes), 0, 0.2)  # the order files are listed in does not matter
    kept = held_out_takes([t for t in takes if t not in held][:-1] + sorted(held), 0, 0.2)
    assert kept <= held  # removing a train take never sends another take to the other side
    assert held_out_takes(["only"], 0, 0.2) == set()


def test_bandai_refuses_label_lists_of_another_set(tmp_path: Path) -> None:
    root = bandai_tree(tmp_path)
    with pytest.raises(SkeletonDataError, match="another release, or the other set"):
        _ = make("bandai", root / "Bandai-Namco-Research-Motiondataset-2", set=1).index


def test_class_splits_never_leak_unseen_into_training(tmp_path: Path) -> None:
    trees = {"hdm05": hdm05_tree(tmp_path), "penn_action": penn_tree(tmp_path), "bandai": bandai_tree(tmp_path)}
    for name, root in trees.items():
        ds = make(name, root)
        for split in ds.class_splits().values():
            train = {s.label for s in ds.samples(f"{split.name}/train")}
            assert train <= set(split.seen) and {s.label for s in ds.samples(f"{split.name}/test")} <= set(split.unseen)
            for protocol in ds.protocols():
                assert not {s.label for s in ds.samples(f"{protocol}/train", set(split.seen))} & set(split.unseen)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_teacher_names_the_waving_hand_whichever_way_the_performer_faces(turn: int, tmp_path: Path) -> None:
    """Bandai's own left-hand wave, turned about the vertical: the kinematic teacher still says left."""
    from skeletonllm_training.kinematics import analyse

    src = shared_file("bandai_namco/dataset-2_wave-left-hand_active_011.bvh")
    shutil.copy(src, tmp_path / src.name)
    seq = read_sequences(tmp_path / src.name)[0]
    angle = np.radians(turn)
    yaw = np.array([[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]])
    turned = dataclasses.replace(seq, positions=seq.positions @ yaw.T.astype(np.float32), orientations=None)
    assert analyse(turned).main.side == "left"
