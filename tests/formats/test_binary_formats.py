"""PYSKL pickles (allow-listed unpickling), HumanML3D .npy and AMASS .npz (with a hand-checked body model)."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pytest
from format_fixtures import pyskl_bytes

from conftest import shared_file
from skeletonllm.errors import SkeletonDataError
from skeletonllm_formats.amass import AmassFormat
from skeletonllm_formats.humanml3d import HumanMl3dFormat
from skeletonllm_formats.pyskl import PysklPickleFormat
from skeletonllm_formats.safe_pickle import safe_load
from skeletonllm_formats.topologies import SMPL22

# --- allow-listed unpickler ---


class _RunsACommand:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204 - the attack a malicious file carries
        import os

        return (os.system, (f"touch {self.marker}",))


def test_pickle_with_os_system_is_refused_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"split": {}, "annotations": [{"keypoint": _RunsACommand(marker)}]}))
    with pytest.raises(SkeletonDataError) as info:
        PysklPickleFormat().read(path)
    message = str(info.value)
    assert "forbidden class" in message and "system" in message and "evil.pkl" in message
    assert info.value.field == "pickle"
    assert not marker.exists(), "the pickle's command ran"


@pytest.mark.parametrize(
    "payload",
    [b"cbuiltins\neval\n(S'1+1'\ntR.", b"csubprocess\nPopen\n(S'true'\ntR.", b"cnumpy\nload\n(S'x.npy'\ntR."],
    ids=["eval", "Popen", "numpy.load"],
)
def test_other_dangerous_globals_are_refused(payload: bytes, tmp_path: Path) -> None:
    path = tmp_path / "p.pkl"
    path.write_bytes(payload)
    with pytest.raises(SkeletonDataError, match="forbidden class"):
        safe_load(path)


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_numpy_arrays_load_under_every_protocol(protocol: int, tmp_path: Path) -> None:
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    path = tmp_path / "a.pkl"
    path.write_bytes(pickle.dumps({"a": arr, "s": np.float64(2.5), "t": (1, "x")}, protocol=protocol))
    back = safe_load(path)
    np.testing.assert_array_equal(back["a"], arr)
    assert back["s"] == 2.5 and back["t"] == (1, "x")


def test_truncated_pickle(tmp_path: Path) -> None:
    path = tmp_path / "cut.pkl"
    path.write_bytes(pyskl_bytes()[:200])
    with pytest.raises(SkeletonDataError, match="not a valid pickle"):
        PysklPickleFormat().read(path)


# --- PYSKL ---


def test_pyskl_2d_annotation(tmp_path: Path) -> None:
    path = tmp_path / "ann.pkl"
    path.write_bytes(pyskl_bytes())
    (seq,) = PysklPickleFormat().read(path)
    assert seq.topology.name == "coco17" and seq.positions.shape == (2, 4, 17, 2)
    assert not seq.mask[1, 0].any() and seq.mask[1, 1].all() and seq.mask[0].all()
    assert seq.confidence.shape == (2, 4, 17)
    assert seq.meta["frame_dir"] == "S001C001P001R001A001" and seq.meta["splits"] == ["xsub_train"]
    assert seq.meta["label"] == 0 and seq.meta["img_shape"] == (1080, 1920) and seq.fps == 30.0


def test_pyskl_3d_annotation_is_kinect_v2(tmp_path: Path) -> None:
    path = tmp_path / "ann3d.pkl"
    path.write_bytes(pyskl_bytes(v=25, c=3))
    (seq,) = PysklPickleFormat(PysklPickleFormat.Options(fps=None)).read(path)
    assert seq.topology.name == "kinect_v2" and seq.confidence is None and seq.fps is None


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda a: a.update(keypoint=np.zeros((1, 3, 18, 2), np.float32)), "V=18, C=2"),
        (lambda a: a.update(total_frames=99), "total_frames 99"),
        (lambda a: a.pop("keypoint"), "no 'keypoint' array"),
        (lambda a: a.update(keypoint_score=np.zeros((2, 4, 16))), "keypoint_score"),
        (lambda a: a.update(keypoint=np.zeros((4, 17, 2))), "(M, T, V, C)"),
    ],
    ids=["unknown-layout", "total-frames-lies", "k400-style", "score-shape", "3d-array"],
)
def test_pyskl_bad_annotations(change, fragment: str, tmp_path: Path) -> None:  # noqa: ANN001
    doc = pickle.loads(pyskl_bytes())
    change(doc["annotations"][0])
    path = tmp_path / "bad.pkl"
    path.write_bytes(pickle.dumps(doc))
    with pytest.raises(SkeletonDataError) as info:
        PysklPickleFormat().read(path)
    assert fragment in str(info.value) and "annotations[0]" in str(info.value) and "bad.pkl" in str(info.value)


# --- HumanML3D ---


def npy(path: Path, arr: np.ndarray) -> Path:
    with open(path, "wb") as fh:
        np.save(fh, arr)
    return path


def test_humanml3d_nan_joint_becomes_missing(tmp_path: Path) -> None:
    arr = np.ones((3, 22, 3), np.float32)
    arr[1, 4, 0] = np.nan
    (seq,) = HumanMl3dFormat().read(npy(tmp_path / "m.npy", arr))
    assert not seq.mask[0, 1, 4] and seq.mask.sum() == 3 * 22 - 1 and np.isfinite(seq.positions).all()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (lambda p: npy(p, np.zeros((5, 21, 3), np.float32)), "expected (frames, 22, 3)"),
        (lambda p: npy(p, np.zeros((5, 263), np.float32)), "new_vecs"),
        (lambda p: npy(p, np.array([{"a": 1}], dtype=object)), "not a plain numeric"),
        (lambda p: p.write_bytes(io.BytesIO(npy_bytes(np.zeros((9, 22, 3)))).read()[:150]) and p, "unreadable"),
        (lambda p: npy(p, np.zeros((0, 22, 3), np.float32)), "no frames"),
    ],
    ids=["wrong-joint-count", "joint-vecs", "object-array", "truncated", "zero-frames"],
)
def test_humanml3d_bad_files(content, fragment: str, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "bad.npy"
    content(path)
    with pytest.raises(SkeletonDataError) as info:
        HumanMl3dFormat().read(path)
    assert fragment in str(info.value) and "bad.npy" in str(info.value)


def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def test_real_joint_vecs_file_is_not_mistaken_for_joints() -> None:
    path = shared_file("humanml3d/new_joint_vecs/012314.npy")
    assert HumanMl3dFormat().sniff(path, path.read_bytes()[:4096]) < 0.1
    with pytest.raises(SkeletonDataError, match="new_vecs"):
        HumanMl3dFormat().read(path)


# --- AMASS ---

ROOT_PARENT = 4294967295  # how SMPL-H model files mark the root in kintree_table


def tiny_body_model(folder: Path) -> Path:
    """A body model whose joints are its vertices (J_regressor = I): joint j rests at (0, -j, 0).

    One shape direction moves every vertex by +0.1 in y, so betas = [2, ...] lifts every joint by 0.2.
    """
    v = 22
    v_template = np.stack([np.zeros(v), -np.arange(v, dtype=float), np.zeros(v)], axis=-1)
    shapedirs = np.zeros((v, 3, 2))
    shapedirs[:, 1, 0] = 0.1
    kintree = np.array([[ROOT_PARENT, *SMPL22.parents[1:]], list(range(v))], dtype=np.int64)
    path = folder / "female" / "model.npz"
    path.parent.mkdir(parents=True)
    np.savez(
        path,
        v_template=v_template,
        shapedirs=shapedirs,
        J_regressor=np.eye(v),
        kintree_table=kintree,
        weights=np.eye(v),
        posedirs=np.zeros((v, 3, 207)),
    )
    return path


def amass_file(path: Path) -> Path:
    poses = np.zeros((3, 156))
    poses[1, 0:3] = [0, 0, np.pi / 2]  # frame 1: root turns 90 degrees about z
    poses[2, 3:6] = [np.pi / 2, 0, 0]  # frame 2: left hip (joint 1) turns 90 degrees about x
    trans = np.array([[0, 0, 0], [1, 2, 3], [0, 0, 0]], dtype=float)
    np.savez(path, poses=poses, trans=trans, betas=np.array([2.0, 0, 0, 0]), gender=np.array(b"female"),
             mocap_framerate=np.array(60.0), dmpls=np.zeros((3, 8)))  # fmt: skip
    return path


def test_amass_without_body_model_explains(tmp_path: Path) -> None:
    path = amass_file(tmp_path / "clip.npz")
    with pytest.raises(SkeletonDataError) as info:
        AmassFormat().read(path)
    assert (
        "SMPL-H body model" in str(info.value) and "body_model:" in str(info.value) and info.value.field == "body_model"
    )


def test_amass_with_body_model_matches_hand_computed_joints(tmp_path: Path) -> None:
    tiny_body_model(tmp_path / "smplh")
    path = amass_file(tmp_path / "clip.npz").rename(tmp_path / "clip.dat")  # content, not the suffix, counts
    (seq,) = AmassFormat(AmassFormat.Options(body_model=tmp_path / "smplh")).read(path)
    assert seq.positions.shape == (1, 3, 22, 3) and seq.fps == 60.0 and seq.meta["gender"] == "female"
    pos = seq.positions[0].astype(np.float64)
    rest = np.stack([np.zeros(22), -np.arange(22) + 0.2, np.zeros(22)], axis=-1)  # betas lift by 2 * 0.1
    np.testing.assert_allclose(pos[0], rest, atol=1e-6)
    # Frame 1: Rz(90) maps (0, -j, 0) relative to the root to (j, 0, 0); the root sits at rest + trans.
    root = np.array([0, 0.2, 0]) + [1, 2, 3]
    np.testing.assert_allclose(pos[1, 4], root + [4, 0, 0], atol=1e-6)  # left_knee, 4 below the root at rest
    np.testing.assert_allclose(pos[1, 15], root + [15, 0, 0], atol=1e-6)
    # Frame 2: Rx(90) at the left hip maps (0, -d, 0) below the hip to (0, 0, -d); other limbs stay put.
    hip = rest[1]
    np.testing.assert_allclose(pos[2, 4], hip + [0, 0, -3], atol=1e-6)  # knee is 3 below the hip at rest
    np.testing.assert_allclose(pos[2, 10], hip + [0, 0, -9], atol=1e-6)  # foot is 9 below
    np.testing.assert_allclose(pos[2, 5], rest[5], atol=1e-6)
    # The hip's global orientation in frame 2 is that 90-degree x rotation: (cos 45, sin 45, 0, 0).
    np.testing.assert_allclose(seq.orientations[0, 2, 1], [np.sqrt(0.5), np.sqrt(0.5), 0, 0], atol=1e-6)


def test_amass_missing_model_file(tmp_path: Path) -> None:
    path = amass_file(tmp_path / "clip.npz")
    with pytest.raises(SkeletonDataError, match="no SMPL-H body model found"):
        AmassFormat(AmassFormat.Options(body_model=tmp_path / "nowhere")).read(path)


def test_amass_missing_keys_and_truncation(tmp_path: Path) -> None:
    np.savez(tmp_path / "x.npz", poses=np.zeros((2, 156)))
    with pytest.raises(SkeletonDataError, match="missing keys"):
        AmassFormat().read(tmp_path / "x.npz")
    good = amass_file(tmp_path / "y.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(good[: len(good) // 2])
    with pytest.raises(SkeletonDataError, match="unreadable"):
        AmassFormat().read(tmp_path / "cut.npz")


def test_real_amass_sample_is_recognised_and_explained() -> None:
    path = shared_file("amass/dmpl_sample.npz")
    assert AmassFormat().sniff(path, path.read_bytes()[:4096]) > 0.5
    with pytest.raises(SkeletonDataError, match="235 frames at 120 fps, gender female"):
        AmassFormat().read(path)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda a: a.update(label="walk"), "label must be an integer"),
        (lambda a: a.update(keypoint_score=np.array([[["x"] * 17] * 4] * 2)), "keypoint_score"),
    ],
    ids=["text-label", "text-scores"],
)
def test_pyskl_bad_field_types(change, fragment: str, tmp_path: Path) -> None:  # noqa: ANN001
    doc = pickle.loads(pyskl_bytes())
    change(doc["annotations"][0])
    path = tmp_path / "bad.pkl"
    path.write_bytes(pickle.dumps(doc))
    with pytest.raises(SkeletonDataError, match=fragment):
        PysklPickleFormat().read(path)
