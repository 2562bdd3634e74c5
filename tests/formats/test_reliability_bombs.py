"""Issue 23, small files that cost gigabytes: every reader bounds what it decodes by the file's size.

Each bomb is built in ``tmp_path``. The reproducers at full size are refused
before anything large is allocated; the smaller variants read fine without a
budget and are refused once ``SKELETONLLM_MAX_DECODE_BYTES`` lowers the cap,
which is what shows the check runs before the allocation (and keeps memory
low in the test). Memory is measured with ``tracemalloc``, which numpy reports to.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from format_fixtures import MiB, ntu_text, peak_mib, pyskl_bytes

from skeletonllm.decode_budget import (
    DEFAULT_CAP,
    ENV_VAR,
    MIN_LIMIT,
    SIZE_RATIO,
    check_decoded_size,
    decode_limit,
    parse_bytes,
)
from skeletonllm.errors import SkeletonDataError, SkeletonLLMError
from skeletonllm.io import read_sequences


def ntu_bomb(path: Path, bodies: int, empty_frames: int) -> Path:
    """Frame 1 lists ``bodies`` bodies; then ``empty_frames`` frames list none."""
    first = ntu_text([bodies]).split("\r\n")[1:-1]
    lines = [str(1 + empty_frames), *first, *(["0"] * empty_frames)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="ascii")
    return path


def bvh_bomb(path: Path, joints: int, frames: int) -> Path:
    """A root with one channel, then a chain of ``joints - 1`` joints with ``CHANNELS 0``."""
    out = ["HIERARCHY", "ROOT j0", "{", "OFFSET 0 0 0", "CHANNELS 1 Xposition"]
    for j in range(1, joints):
        out += [f"JOINT j{j}", "{", "OFFSET 0 1 0", "CHANNELS 0"]
    out += ["End Site", "{", "OFFSET 0 1 0", "}"] + ["}"] * joints
    out += ["MOTION", f"Frames: {frames}", "Frame Time: 0.033333"] + ["0"] * frames
    path.write_text("\n".join(out) + "\n", encoding="ascii")
    return path


def amass_npz(path: Path, frames: int = 2, junk_bytes: int = 0, poses_zero_frames: int = 0) -> Path:
    """An AMASS file; ``junk_bytes`` adds an unused member of zeros, compressed (it inflates, the file does not)."""
    arrays = {
        "poses": np.zeros((max(frames, poses_zero_frames), 156)),
        "trans": np.zeros((max(frames, poses_zero_frames), 3)),
        "betas": np.zeros(4),
        "gender": np.array("female"),
        "mocap_framerate": np.array(60.0),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, value in arrays.items():
            with zf.open(f"{key}.npy", "w") as fh:
                np.lib.format.write_array(fh, value)
        if junk_bytes:
            with zf.open("junk.npy", "w", force_zip64=True) as fh:
                np.lib.format.write_array_header_1_0(
                    fh, {"descr": "|u1", "fortran_order": False, "shape": (junk_bytes,)}
                )
                block = bytes(MiB)
                for _ in range(junk_bytes // MiB):
                    fh.write(block)
    return path


# -- the core budget -----------------------------------------------------------------------------


def test_budget_grows_with_the_file_between_a_floor_and_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert decode_limit(1000)[0] == MIN_LIMIT
    assert decode_limit(10 * MIN_LIMIT)[0] == min(DEFAULT_CAP, SIZE_RATIO * 10 * MIN_LIMIT)
    assert decode_limit(10**12)[0] == DEFAULT_CAP


def test_budget_can_be_raised_and_says_how(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, "2K")
    assert decode_limit(10**9) == (2048, f"{ENV_VAR}=2K")
    with pytest.raises(SkeletonDataError, match=rf"more than the 2.0 KiB allowed {ENV_VAR}=2K.*raise the limit"):
        check_decoded_size(4096, tmp_path / "x.bin", "a test array")
    assert parse_bytes("1.5G") == int(1.5 * 1024**3) and parse_bytes("512MiB") == 512 * MiB
    monkeypatch.setenv(ENV_VAR, "lots")
    with pytest.raises(SkeletonLLMError, match=f"{ENV_VAR}='lots' is not a size"):
        decode_limit(1)


# -- NTU ---------------------------------------------------------------------------------------


def test_ntu_60_bodies_then_40000_empty_frames_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = ntu_bomb(tmp_path / "S001C001P001R001A001.skeleton", 60, 40_000)
    assert path.stat().st_size < 400_000
    with pytest.raises(SkeletonDataError, match=r"60 body slots x 40,001 frames .* GiB in memory") as info:
        read_sequences(path)
    assert ENV_VAR in str(info.value) and "\n" not in str(info.value)


def test_ntu_budget_is_checked_before_allocating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ntu_bomb(tmp_path / "small.skeleton", 10, 500)
    monkeypatch.setenv(ENV_VAR, "1M")
    with pytest.raises(SkeletonDataError, match=f"body slots x 501 frames.*{ENV_VAR}=1M"):
        read_sequences(path)
    monkeypatch.setenv(ENV_VAR, "1G")
    assert read_sequences(path)[0].positions.shape[:2] == (10, 501)


# -- BVH ---------------------------------------------------------------------------------------


def test_bvh_1500_joints_of_channels_0_and_20000_frames_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = bvh_bomb(tmp_path / "bomb.bvh", 1500, 20_000)
    assert path.stat().st_size < 150_000
    with pytest.raises(SkeletonDataError, match=r"1,500 joints x 20,000 frames would take .* GiB"):
        read_sequences(path)


def test_bvh_budget_is_checked_before_forward_kinematics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bvh_bomb(tmp_path / "small.bvh", 100, 300)
    monkeypatch.setenv(ENV_VAR, "1M")
    with pytest.raises(SkeletonDataError, match=f"100 joints x 300 frames.*{ENV_VAR}=1M"):
        read_sequences(path)


# -- AMASS -------------------------------------------------------------------------------------


def test_amass_unused_member_is_never_inflated(tmp_path: Path) -> None:
    path = amass_npz(tmp_path / "clip.npz", junk_bytes=48 * MiB)
    assert path.stat().st_size < 1 * MiB

    def read() -> None:
        with pytest.raises(SkeletonDataError, match="needs the licensed SMPL-H body model"):
            read_sequences(path)

    assert peak_mib(read) < 16


def test_amass_body_model_with_an_unused_member_is_never_inflated(tmp_path: Path) -> None:
    from test_reliability_amass import model_arrays

    from skeletonllm_formats.amass import AmassFormat

    model = tmp_path / "model.npz"
    with zipfile.ZipFile(model, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, value in model_arrays().items():
            with zf.open(f"{key}.npy", "w") as fh:
                np.lib.format.write_array(fh, value)
        with zf.open("posedirs.npy", "w", force_zip64=True) as fh:
            np.lib.format.write_array_header_1_0(fh, {"descr": "|u1", "fortran_order": False, "shape": (48 * MiB,)})
            for _ in range(48):
                fh.write(bytes(MiB))
    clip = amass_npz(tmp_path / "clip.npz")
    reader = AmassFormat(AmassFormat.Options(body_model=model))
    assert peak_mib(lambda: reader.read(clip)) < 16


def test_amass_needed_member_that_inflates_past_the_budget_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = amass_npz(tmp_path / "clip.npz", poses_zero_frames=20_000)  # 25 MB of zeros, a few kB on disk
    monkeypatch.setenv(ENV_VAR, "1M")

    def read() -> None:
        with pytest.raises(SkeletonDataError, match=f"AMASS file members poses.*{ENV_VAR}=1M"):
            read_sequences(path)

    assert peak_mib(read) < 8


# -- PYSKL -------------------------------------------------------------------------------------


def _shared_reference_pickle(path: Path, references: int, frames: int) -> Path:
    rng = np.random.default_rng(0)
    ann = {
        "frame_dir": "clip",
        "total_frames": frames,
        "label": 0,
        "keypoint": rng.uniform(1, 2, (1, frames, 17, 2)).astype(np.float32),
        "keypoint_score": np.ones((1, frames, 17), np.float32),
    }
    path.write_bytes(pickle.dumps({"split": {}, "annotations": [ann] * references}, protocol=4))
    return path


def test_pyskl_one_annotation_referenced_30000_times_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = _shared_reference_pickle(tmp_path / "bomb.pkl", 30_000, 500)
    assert path.stat().st_size < 250_000

    def read() -> None:
        with pytest.raises(SkeletonDataError, match="each shared reference counted would take .* GiB"):
            read_sequences(path)

    assert peak_mib(read) < 32


def test_pyskl_shared_references_count_against_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _shared_reference_pickle(tmp_path / "small.pkl", 300, 50)
    monkeypatch.setenv(ENV_VAR, "1M")
    with pytest.raises(SkeletonDataError, match=f"shared reference counted.*{ENV_VAR}=1M"):
        read_sequences(path)
    monkeypatch.setenv(ENV_VAR, "1G")
    assert len(read_sequences(path)) == 300


def test_pyskl_cyclic_pickle_is_refused(tmp_path: Path) -> None:
    doc: dict = {"split": {}, "annotations": []}
    doc["annotations"].append(doc)
    path = tmp_path / "cycle.pkl"
    path.write_bytes(pickle.dumps(doc, protocol=4))
    with pytest.raises(SkeletonDataError, match="a container holds itself"):
        read_sequences(path, "pyskl_pickle")


def test_ordinary_pickle_reads_under_the_default_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = tmp_path / "ok.pkl"
    path.write_bytes(pyskl_bytes())
    assert read_sequences(path)[0].num_persons == 2
