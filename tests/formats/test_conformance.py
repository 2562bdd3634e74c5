"""Every registered format plugin, including third-party ones, meets the same contract.

Parametrised over the live registry (as timm's tests are over ``list_models``),
so a new format is tested the moment it is installed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from format_fixtures import check_consistent, synthetic_files  # noqa: F401 - fixture

from skeletonllm.interfaces import PluginOptions, SkeletonFormat
from skeletonllm.io import detect_format
from skeletonllm.registry import get_registry
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology

FORMAT_NAMES = get_registry().names("format")
RANDOM_HEADS = [b"", b"\x00" * 10, b"{", b"\x80\x05garbage", b"PK\x03\x04xx", b"HIERARCHY", b"3\r\n1\r\n",
                b"\x93NUMPY\x01\x00", bytes(range(256)) * 16]  # fmt: skip


def test_registry_has_the_builtin_formats() -> None:
    expected = {"ntu_skeleton", "pku_mmd", "nw_ucla", "humanml3d", "coco_keypoints", "pyskl_pickle", "bvh", "amass"}
    assert expected <= set(FORMAT_NAMES)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_declares_name_summary_options_topology(name: str) -> None:
    info = get_registry().info("format", name)
    cls = info.cls
    assert issubclass(cls, SkeletonFormat) and cls.name == name
    assert cls.summary.strip()
    assert issubclass(cls.Options, PluginOptions)
    assert cls.topology is None or isinstance(cls.topology, Topology)
    fmt = get_registry().create("format", name)
    assert isinstance(fmt, SkeletonFormat)


@pytest.mark.parametrize("name", FORMAT_NAMES)
@pytest.mark.parametrize("head", RANDOM_HEADS, ids=range(len(RANDOM_HEADS)))
def test_sniff_never_raises(name: str, head: bytes, tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(head)
    score = get_registry().create("format", name).sniff(path, head[:4096])
    assert isinstance(score, float) and 0.0 <= score <= 1.0


def synthetic_for(name: str, files: dict[str, Path]) -> Path:
    if name not in files:
        pytest.skip(f"no synthetic fixture for format {name!r} (third-party formats bring their own tests)")
    return files[name]


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_reads_its_synthetic_file_and_sniffs_it(name: str, synthetic_files: dict[str, Path]) -> None:  # noqa: F811
    path = synthetic_for(name, synthetic_files)
    fmt = get_registry().create("format", name)
    seqs = fmt.read(path)
    assert seqs
    for seq in seqs:
        check_consistent(seq)
        if fmt.topology is not None:
            assert seq.topology == fmt.topology
    assert detect_format(path).name == name
    renamed = path.with_name(f"renamed_{name}.dat")
    renamed.write_bytes(path.read_bytes())
    assert detect_format(renamed).name == name, "sniffing must decide by content, not by suffix"


def stack_frames(seqs: list[SkeletonSequence]) -> tuple[np.ndarray, np.ndarray]:
    """Container formats give one sequence per frame and person: compare them as one (M, T) grid."""
    if len(seqs) == 1:
        return seqs[0].positions, seqs[0].mask
    return (np.concatenate([s.positions for s in seqs], axis=1), np.concatenate([s.mask for s in seqs], axis=1))


def by_name(seq: SkeletonSequence, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Positions and mask with joints in the order ``names`` (BVH writes joints in hierarchy order)."""
    index = [seq.topology.joint_names.index(n) for n in names]
    return seq.positions[:, :, index], seq.mask[:, :, index]


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_round_trip_through_writer(name: str, synthetic_files: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    fmt = get_registry().create("format", name)
    if not fmt.can_write:
        pytest.skip(f"{name} does not write")
    original_seqs = fmt.read(synthetic_for(name, synthetic_files))
    for i, original in enumerate(original_seqs[:3]):
        if not original.mask.any():
            continue  # a person annotation without any keypoint has nothing to write
        out = tmp_path / f"copy_{i}{synthetic_files[name].suffix}"
        fmt.write(original, out)
        back = fmt.read(out)
        if len(back) == 1 and back[0].topology.joint_names != original.topology.joint_names:
            pos, mask = by_name(back[0], original.topology.joint_names)
        else:
            pos, mask = stack_frames(back)
        m = original.num_persons
        np.testing.assert_array_equal(mask[:m], original.mask)
        np.testing.assert_allclose(pos[:m], original.positions, rtol=1e-6, atol=1e-5)
        assert not mask[m:].any(), "persons beyond the original's must be absent"


@pytest.mark.parametrize("name", [n for n in FORMAT_NAMES if get_registry().get("format", n).topology is not None])
def test_round_trip_of_a_generic_sequence(name: str, tmp_path: Path) -> None:
    """A sequence not read from this format (random, one person, a missing joint) survives write -> read."""
    fmt = get_registry().create("format", name)
    if not fmt.can_write:
        pytest.skip(f"{name} does not write")
    topo = fmt.topology
    rng = np.random.default_rng(0)
    pos = rng.uniform(-2, 2, (1, 4, topo.num_joints, topo.dims)).astype(np.float32)
    mask = np.ones((1, 4, topo.num_joints), dtype=bool)
    mask[0, 1, 2] = False
    seq = SkeletonSequence(positions=pos, topology=topo, fps=30.0, mask=mask)
    out = tmp_path / f"generic{fmt.suffixes[0] if fmt.suffixes else ''}"
    fmt.write(seq, out)
    back_pos, back_mask = stack_frames(fmt.read(out))
    np.testing.assert_array_equal(back_mask[:1], mask)
    np.testing.assert_array_equal(back_pos[:1], seq.positions)
    assert not back_mask[1:].any()
