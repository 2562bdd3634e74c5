"""Fixture trees laid out as the real downloads are, built from the shared sample files.

Each builder takes the real sample when ``../shared/data`` has it and otherwise
writes one with the format plugin's writer from the procedural generator, so
the dataset tests also run in CI without the restricted files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from conftest import shared_data_dir
from skeletonllm.registry import get_registry
from skeletonllm_datasets.synthetic import generate


def source_file(relative: str, fmt: str, topology: str, tmp: Path, suffix: str) -> Path:
    """The real sample file if present, else a generated one in the same format."""
    real = shared_data_dir() / relative
    if real.is_file():
        return real
    out = tmp / f"generated{suffix}"
    if not out.exists():
        seq = generate("hand waving", topology, 0)
        seq.meta = {}
        get_registry().create("format", fmt).write(seq, out)
    return out


def ntu_tree(tmp: Path, names: list[str]) -> Path:
    src = source_file("ntu_rgbd_skeleton/S001C001P001R001A001.skeleton", "ntu_skeleton", "kinect_v2", tmp, ".skeleton")
    root = tmp / "nturgb+d_skeletons"
    root.mkdir()
    for n in names:
        shutil.copy(src, root / f"{n}.skeleton")
    return root


def pku_tree(
    tmp: Path, segments: dict[str, list[tuple[int, int, int, int]]], xsub_train: list[str], xview_train: list[str]
) -> Path:
    src = source_file("pku_mmd/A10N08-L.txt", "pku_mmd", "kinect_v2", tmp, ".txt")
    root = tmp / "PKUMMD"
    for sub in ("PKU_Skeleton_Renew", "Train_Label_PKU_final", "Split"):
        (root / sub).mkdir(parents=True)
    for video, segs in segments.items():
        shutil.copy(src, root / "PKU_Skeleton_Renew" / f"{video}.txt")
        lines = "".join(f"{a},{s},{e},{c}\n" for a, s, e, c in segs)
        (root / "Train_Label_PKU_final" / f"{video}.txt").write_text(lines)
    for name, train in (("cross-subject.txt", xsub_train), ("cross-view.txt", xview_train)):
        test = [v for v in segments if v not in train]
        (root / "Split" / name).write_text(
            f"Training videos: \n{', '.join(train)}, \nValidataion videos: \n{', '.join(test)}\n"
        )
    return root


def nw_ucla_tree(tmp: Path, views: tuple[int, ...] = (1, 2, 3)) -> Path:
    real = shared_data_dir() / "nw_ucla" / "all_sqe"
    root = tmp / "all_sqe"
    root.mkdir()
    codes = ["a01", "a02", "a03", "a04", "a05", "a06", "a08", "a09", "a11", "a12"]
    for label, code in enumerate(codes, 1):
        src = real / f"{code}_s01_e00_v01.json"
        if not src.is_file():
            seq = generate("hand waving", "kinect_v1", label)
            seq.meta = {"label": label}
            src = tmp / f"{code}.json"
            get_registry().create("format", "nw_ucla").write(seq, src)
        for v in views:
            shutil.copy(src, root / f"{code}_s01_e00_v{v:02d}.json")
    return root


def humanml3d_tree(tmp: Path, parts: dict[str, list[str]]) -> Path:
    src = source_file("humanml3d/new_joints/012314.npy", "humanml3d", "smpl22", tmp, ".npy")
    root = tmp / "HumanML3D"
    (root / "new_joints").mkdir(parents=True)
    (root / "texts").mkdir()
    for part, ids in parts.items():
        (root / f"{part}.txt").write_text("\n".join(ids) + "\n")
        for mid in ids:
            shutil.copy(src, root / "new_joints" / f"{mid}.npy")
            (root / "texts" / f"{mid}.txt").write_text(
                f"a person waves {mid}#a/DET person/NOUN wave/VERB#0.0#0.0\nsomeone greets#someone/PRON#0.0#0.0\n"
            )
    return root


def pyskl_pickle(tmp: Path, names: list[str], topology: str) -> Path:
    """A PYSKL-style pickle (plain dicts and arrays), poses from the generator."""
    import pickle

    anns = []
    for i, n in enumerate(names):
        seq = generate("clapping", topology, i, frames=20)
        kp = np.where(seq.mask[..., None], seq.positions, 0.0).astype(np.float32)
        ann = {"frame_dir": n, "total_frames": 20, "label": int(n[-3:]) - 1, "keypoint": kp}
        if topology == "coco17":
            ann["keypoint_score"] = seq.mask.astype(np.float32)
            ann["img_shape"] = ann["original_shape"] = (1080, 1920)
        anns.append(ann)
    path = tmp / f"ntu60_{topology}.pkl"
    with open(path, "wb") as fh:
        pickle.dump({"split": {"xsub_train": names[:1], "xsub_val": names[1:]}, "annotations": anns}, fh)
    return path
