"""The format contract: declares itself, sniffs any bytes safely, reads its samples consistently, round-trips."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from ..interfaces.base import PluginOptions
from ..interfaces.format import SkeletonFormat
from ..io import detect_format
from ..registry import get_registry
from ..sequence import SkeletonSequence
from ..topology import Topology
from .components import component_names

#: byte strings no format should crash on (empty, binary, the start of other formats)
RANDOM_HEADS = [b"", b"\x00" * 10, b"{", b"\x80\x05garbage", b"PK\x03\x04xx", b"HIERARCHY", b"3\r\n1\r\n",
                b"\x93NUMPY\x01\x00", bytes(range(256)) * 16]  # fmt: skip


def check_consistent(seq: SkeletonSequence) -> None:
    """The invariants every reader's output must keep, whatever the input was."""
    m, t, v, c = seq.positions.shape
    assert seq.positions.dtype == np.float32 and np.isfinite(seq.positions).all()
    assert seq.mask.shape == (m, t, v) and seq.mask.dtype == bool
    assert v == seq.topology.num_joints and c == seq.topology.dims
    assert not seq.positions[~seq.mask].any(), "masked joints must hold zeros"
    if seq.orientations is not None:
        assert seq.orientations.shape == (m, t, v, 4) and np.isfinite(seq.orientations).all()
    if seq.confidence is not None:
        assert seq.confidence.shape == (m, t, v) and np.isfinite(seq.confidence).all()
    for arr in seq.extras.values():
        assert arr.shape[:3] == (m, t, v)


def _stack_frames(seqs: list[SkeletonSequence]) -> tuple[np.ndarray, np.ndarray]:
    """Container formats give one sequence per frame and person: compare them as one (M, T) grid."""
    if len(seqs) == 1:
        return seqs[0].positions, seqs[0].mask
    return (np.concatenate([s.positions for s in seqs], axis=1), np.concatenate([s.mask for s in seqs], axis=1))


def _by_name(seq: SkeletonSequence, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Positions and mask with joints in the order ``names`` (BVH writes joints in hierarchy order)."""
    index = [seq.topology.joint_names.index(n) for n in names]
    return seq.positions[:, :, index], seq.mask[:, :, index]


class FormatContract:
    """Subclass in a test module; set ``plugin`` and override :meth:`samples` for the file-based tests."""

    plugin: ClassVar[str | None] = None

    def samples(self, folder: Path) -> dict[str, Path]:
        """Format name -> a small file in that format, written under ``folder``. None by default."""
        return {}

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "format_name" in metafunc.fixturenames:
            metafunc.parametrize("format_name", component_names("format", self.plugin))

    @pytest.fixture(scope="class")
    def format_samples(self, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
        return self.samples(tmp_path_factory.mktemp("format_samples"))

    def _sample(self, name: str, samples: dict[str, Path]) -> Path:
        if name not in samples:
            pytest.skip(f"no sample file for format {name!r}: return one from {type(self).__name__}.samples()")
        return samples[name]

    def test_declares_name_summary_options_topology(self, format_name: str) -> None:
        cls = get_registry().get("format", format_name)
        assert issubclass(cls, SkeletonFormat) and cls.name == format_name
        assert cls.summary.strip()
        assert issubclass(cls.Options, PluginOptions)
        assert cls.topology is None or isinstance(cls.topology, Topology)
        assert isinstance(get_registry().create("format", format_name), SkeletonFormat)

    def test_a_class_that_overrides_write_is_a_writer(self, format_name: str) -> None:
        cls = get_registry().get("format", format_name)
        overrides = cls.write is not SkeletonFormat.write
        assert cls.can_write == overrides, "can_write must say whether write() is implemented"

    def test_sniff_never_raises(self, format_name: str, tmp_path: Path) -> None:
        fmt = get_registry().create("format", format_name)
        path = tmp_path / "blob.bin"
        for head in RANDOM_HEADS:
            path.write_bytes(head)
            score = fmt.sniff(path, head[:4096])
            assert isinstance(score, float) and 0.0 <= score <= 1.0, f"sniff({head[:12]!r}) gave {score!r}"

    def test_reads_its_sample_and_sniffs_it(self, format_name: str, format_samples: dict[str, Path]) -> None:
        path = self._sample(format_name, format_samples)
        fmt = get_registry().create("format", format_name)
        seqs = fmt.read(path)
        assert seqs
        for seq in seqs:
            check_consistent(seq)
            if fmt.topology is not None:
                assert seq.topology == fmt.topology
        assert detect_format(path).name == format_name
        renamed = path.with_name(f"renamed_{format_name}.dat")
        renamed.write_bytes(path.read_bytes())
        assert detect_format(renamed).name == format_name, "sniffing must decide by content, not by suffix"

    def test_round_trip_of_its_sample(self, format_name: str, format_samples: dict[str, Path], tmp_path: Path) -> None:
        fmt = get_registry().create("format", format_name)
        if not fmt.can_write:
            pytest.skip(f"{format_name} does not write")
        sample = self._sample(format_name, format_samples)
        for i, original in enumerate(fmt.read(sample)[:3]):
            if not original.mask.any():
                continue  # a person annotation without any keypoint has nothing to write
            out = tmp_path / f"copy_{i}{sample.suffix}"
            fmt.write(original, out)
            back = fmt.read(out)
            if len(back) == 1 and back[0].topology.joint_names != original.topology.joint_names:
                pos, mask = _by_name(back[0], original.topology.joint_names)
            else:
                pos, mask = _stack_frames(back)
            m = original.num_persons
            np.testing.assert_array_equal(mask[:m], original.mask)
            np.testing.assert_allclose(pos[:m], original.positions, rtol=1e-6, atol=1e-5)
            assert not mask[m:].any(), "persons beyond the original's must be absent"

    def test_round_trip_of_a_generic_sequence(self, format_name: str, tmp_path: Path) -> None:
        """A sequence not read from this format (random, one person, a missing joint) survives write -> read."""
        fmt = get_registry().create("format", format_name)
        if not fmt.can_write or fmt.topology is None:
            pytest.skip(f"{format_name} does not write, or takes its topology from the file")
        topo = fmt.topology
        rng = np.random.default_rng(0)
        pos = rng.uniform(-2, 2, (1, 4, topo.num_joints, topo.dims)).astype(np.float32)
        mask = np.ones((1, 4, topo.num_joints), dtype=bool)
        mask[0, 1, min(2, topo.num_joints - 1)] = False
        seq = SkeletonSequence(positions=pos, topology=topo, fps=30.0, mask=mask)
        out = tmp_path / f"generic{fmt.suffixes[0] if fmt.suffixes else ''}"
        fmt.write(seq, out)
        back_pos, back_mask = _stack_frames(fmt.read(out))
        np.testing.assert_array_equal(back_mask[:1], mask)
        np.testing.assert_array_equal(back_pos[:1], seq.positions)
        assert not back_mask[1:].any()
