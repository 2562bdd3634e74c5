"""Penn Action .mat labels: the real samples, the fixture, bad variables named, the writer."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import pytest
from format_fixtures import penn_bytes
from scipy.io import loadmat, savemat

from conftest import shared_file
from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import detect_format, read_sequences
from skeletonllm_formats.penn_action import PennActionFormat


def mat(path: Path, **changes) -> Path:
    """The fixture with some variables replaced (None removes one)."""
    doc = {k: v for k, v in loadmat(io.BytesIO(penn_bytes())).items() if not k.startswith("__")}
    for key, value in changes.items():
        doc.pop(key) if value is None else doc.__setitem__(key, value)
    savemat(path, doc)
    return path


@pytest.mark.parametrize(
    ("name", "frames", "action", "train"),
    [
        ("0001.mat", 151, "baseball_pitch", False),
        ("0002.mat", 80, "baseball_pitch", True),
        ("1500.mat", 53, "pushup", True),
    ],
)
def test_real_samples(name: str, frames: int, action: str, train: bool) -> None:
    path = shared_file(f"penn_action/{name}")
    assert detect_format(path).name == "penn_action"
    (seq,) = read_sequences(path)
    assert seq.positions.shape == (1, frames, 13, 2) and seq.mask.all() and seq.fps is None
    assert seq.meta["action"] == action and seq.meta["train"] is train and seq.meta["bbox"].shape == (frames, 4)
    assert seq.topology.up_axis == "-y" and set(np.unique(seq.confidence)) <= {0.5, 1.0}
    raw = loadmat(path)
    np.testing.assert_array_equal(seq.positions[0, :, :, 0], raw["x"].astype(np.float32))
    np.testing.assert_array_equal(seq.confidence[0] == 1.0, raw["visibility"] == 1)
    assert (
        seq.positions[0, :, 0, 1] < seq.positions[0, :, 11, 1]
    ).mean() > 0.8 or action == "pushup"  # head above ankle


def test_fixture_with_a_short_box_list(tmp_path: Path) -> None:
    path = tmp_path / "0001.mat"
    path.write_bytes(penn_bytes(frames=5))
    (seq,) = PennActionFormat().read(path)
    assert seq.num_frames == 5 and seq.meta["pose"] == "front" and seq.meta["image_size"] == (360.0, 480.0)
    assert np.isnan(seq.meta["bbox"][4]).all() and np.isfinite(seq.meta["bbox"][:4]).all()


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"x": None}, "no variable 'x'", "x"),
        ({"visibility": np.full((4, 13), 2, dtype=np.uint8)}, "visibility 2 is not 0 or 1", "visibility"),
        ({"y": np.zeros((4, 12))}, r"shape \(4, 12\), expected \(4, 13\)", "y"),
        ({"nframes": np.array([[7]])}, "nframes says", "nframes"),
        ({"train": np.array([[3]])}, "is not 1 \\(train\\) or -1", "train"),
        ({"x": np.array([["a"] * 13] * 4, dtype=object)}, "expected a numeric array", "x"),
        ({"bbox": np.zeros((4, 3))}, r"expected \(frames, 4\)", "bbox"),
    ],
)
def test_bad_variables_are_named(tmp_path: Path, changes: dict, message: str, field: str) -> None:
    with pytest.raises(SkeletonDataError, match=message) as caught:
        PennActionFormat().read(mat(tmp_path / "bad.mat", **changes))
    assert caught.value.field == field


def test_not_a_mat_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "0003.mat"
    path.write_bytes(b"MATLAB 5.0 MAT-file, garbage" + bytes(200))
    with pytest.raises(SkeletonDataError, match="unreadable MAT file"):
        read_sequences(path)


def test_writer_keeps_occlusion_labels_and_missing_joints(tmp_path: Path) -> None:
    source = tmp_path / "0001.mat"
    source.write_bytes(penn_bytes())
    (read,) = PennActionFormat().read(source)
    mask = read.mask.copy()
    mask[0, 2, 5] = False
    seq = dataclasses.replace(read, mask=mask)
    out = PennActionFormat().write(seq, tmp_path / "copy.mat")
    (back,) = PennActionFormat().read(out)
    np.testing.assert_array_equal(back.mask, seq.mask)
    np.testing.assert_array_equal(back.positions, seq.positions)
    np.testing.assert_array_equal(back.confidence[back.mask], seq.confidence[seq.mask])
    assert back.meta["action"] == "tennis_serve" and back.meta["train"] is True
