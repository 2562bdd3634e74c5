"""``skeletonllm validate`` reads the datasets merged with kinect + mocap as ``train`` would (issue 23).

Each dataset gets the fixture tree its own tests use (laid out as it ships); ``data_problems``
lists its training and test split and reads every clip. A good tree says nothing; a clip
corrupted after listing is named with its id, and the spec's split must exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from test_kinect_v1_datasets import msr_root, msrc_root, sbu_root  # noqa: F401 - pytest fixtures
from test_mocap_datasets import bandai_tree, hdm05_tree, penn_tree

from skeletonllm.spec import validate_spec
from skeletonllm.spec_data import data_problems


def spec(tmp_path: Path, data: dict, protocol: str) -> dict:
    return {
        "data": data,
        "renderer": {"name": "stick", "frames": 4, "size": 56},
        "backbone": {"name": "qwen2_5_vl", "preset": "tiny"},
        "stages": [{"name": "refine", "max_steps": 1}],
        "split": {"train": f"{protocol}/train", "test": f"{protocol}/test"},
        "optim": {"batch_size": 2},
        "output_dir": str(tmp_path / "run"),
    }


#: dataset -> (how its tree is made from tmp_path and the kinect fixtures, its protocol, a clip file suffix)
TREES: dict[str, tuple[Callable[..., Path], str, str]] = {
    "hdm05": (lambda t, f: hdm05_tree(t), "xsub", ".amc"),
    "penn_action": (lambda t, f: penn_tree(t), "default", ".mat"),
    "bandai": (lambda t, f: bandai_tree(t), "takes", ".bvh"),
    "msr_action3d": (lambda t, f: f["msr"], "xsub", ".txt"),
    "msrc12": (lambda t, f: f["msrc"], "xsub", ".csv"),
    "sbu": (lambda t, f: f["sbu"], "fold1", ".txt"),
}


@pytest.fixture
def kinect(msr_root, msrc_root, sbu_root) -> dict[str, Path]:  # noqa: F811
    return {"msr": msr_root, "msrc": msrc_root, "sbu": sbu_root}


def validated(tmp_path: Path, kinect: dict[str, Path], name: str, **over):  # noqa: ANN201
    make, protocol, _ = TREES[name]
    root = make(tmp_path, kinect)
    return root, validate_spec(spec(tmp_path, {"name": name, "root": str(root)}, over.pop("protocol", protocol)))


@pytest.mark.parametrize("name", sorted(TREES))
def test_validate_lists_and_reads_each_new_dataset(tmp_path: Path, kinect: dict[str, Path], name: str) -> None:
    _, checked = validated(tmp_path, kinect, name)
    assert data_problems(checked) == []


@pytest.mark.parametrize("name", sorted(set(TREES) - {"penn_action"}))  # its index reads (and skips) every file
def test_a_clip_that_breaks_after_listing_is_named(tmp_path: Path, kinect: dict[str, Path], name: str) -> None:
    """Every clip is read, so a training clip overwritten with garbage fails validate with its id."""
    root, checked = validated(tmp_path, kinect, name)
    sample = next(iter(checked.build("data").samples(checked.spec.split.train)))
    files = sorted(p for p in root.rglob(f"*{TREES[name][2]}") if p.is_file())
    # a sample is named after its file (MSR Action3D without "_skeleton3D"), a window of it (MSRC-12)
    # or its folders (SBU)
    key = sample.id.lower()
    clip = next(p for p in files if p.name.lower().startswith(key) or p.stem.lower() in key or p.parent.name in key)
    clip.write_bytes(b"\x00garbage\x00" * 3)
    found = data_problems(checked)
    assert any(re.match(r"split\.(train|test): \d+ of \d+ .* cannot be read: ", p) for p in found), found


def test_a_protocol_the_dataset_lacks_is_refused_before_reading(tmp_path: Path, kinect: dict[str, Path]) -> None:
    from skeletonllm.errors import SpecError

    with pytest.raises(SpecError, match=r"split\.train: dataset 'sbu' has no split 'xview/train'"):
        validated(tmp_path, kinect, "sbu", protocol="xview")
