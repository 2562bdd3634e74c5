"""Issue 13, PYSKL pickles: an allow-listed constructor cannot be made to allocate more than the file holds."""

from __future__ import annotations

import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

from skeletonllm.errors import SkeletonDataError
from skeletonllm_formats.safe_pickle import safe_load


def call_pickle(module: str, name: str, *args: bytes) -> bytes:
    """Protocol-2 opcodes for ``module.name(*args)``; each arg is already-encoded opcodes."""
    return b"\x80\x02c" + f"{module}\n{name}\n".encode() + b"(" + b"".join(args) + b"tR."


def binint(value: int) -> bytes:
    return b"J" + struct.pack("<i", value) if value < 2**31 else b"\x8a\x05" + value.to_bytes(5, "little")


def test_tiny_pickle_cannot_allocate_gigabytes_through_bytearray(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pkl"
    path.write_bytes(call_pickle("builtins", "bytearray", binint(2**31 - 1)))
    assert path.stat().st_size < 40
    with pytest.raises(SkeletonDataError, match="bytearray asks for 2,147,483,647 bytes") as info:
        safe_load(path)
    assert str(path) in str(info.value)


def test_tiny_pickle_cannot_allocate_through_ndarray_or_reconstruct(tmp_path: Path) -> None:
    shape = b"(" + binint(2**20) + binint(2**20) + b"t"
    for module, name, args in [
        ("numpy", "ndarray", (shape,)),
        ("numpy.core.multiarray", "_reconstruct", (b"cnumpy\nndarray\n", shape, b"U\x02f8")),
    ]:
        path = tmp_path / f"{name}.pkl"
        path.write_bytes(call_pickle(module, name, *args))
        with pytest.raises(SkeletonDataError, match="asks for 8,796,093,022,208 bytes"):
            safe_load(path)


def test_only_latin1_codec_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "codec.pkl"
    path.write_bytes(call_pickle("_codecs", "encode", b"X\x01\x00\x00\x00a", b"X\x04\x00\x00\x00zlib"))
    with pytest.raises(SkeletonDataError, match="only latin-1"):
        safe_load(path)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_real_arrays_and_small_bytearrays_still_load(tmp_path: Path, protocol: int) -> None:
    value = {
        "keypoint": np.arange(24, dtype=np.float32).reshape(2, 3, 4),
        "raw": bytearray(b"abc"),
        "zeros": bytearray(16),
        "big": np.ones((300, 17, 3), dtype=np.float64),
    }
    path = tmp_path / "ok.pkl"
    path.write_bytes(pickle.dumps(value, protocol=protocol))
    back = safe_load(path)
    np.testing.assert_array_equal(back["keypoint"], value["keypoint"])
    np.testing.assert_array_equal(back["big"], value["big"])
    assert type(back["keypoint"]) is np.ndarray and back["raw"] == bytearray(b"abc") and back["zeros"] == bytearray(16)
