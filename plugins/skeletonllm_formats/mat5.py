"""MATLAB 5 file headers, read without decoding: each variable's name, shape, class and decoded size.

``scipy.io.whosmat`` is not safe on a hostile file: reading a compressed
variable's header decompresses a whole 128 kB input block at once, and a block
of compressed zeros inflates ~1000-fold (a 100 kB file announcing a 1000000 x 13
array allocated 208 MB just to be listed). Here the headers are parsed by hand
and a compressed variable is inflated in bounded chunks that are counted and
dropped, stopping as soon as the running total passes ``max_decoded``; what
``loadmat`` would decode is then known before it runs. Layout: "MAT-File
Format", MathWorks, chapter 1 (128-byte header, then tagged data elements;
``miCOMPRESSED`` holds one zlib-compressed ``miMATRIX``).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from skeletonllm.errors import SkeletonDataError

MAGIC = b"MATLAB 5.0 MAT-file"
HEADER_BYTES = 128
MI_INT8, MI_INT32, MI_UINT32, MI_MATRIX, MI_COMPRESSED = 1, 5, 6, 14, 15
#: array classes whose contents are numbers or text (cells, structs, objects and sparse hold nested arrays)
PLAIN_CLASSES = {4: "char", 6: "double", 7: "single", 8: "int8", 9: "uint8", 10: "int16", 11: "uint16"}
PLAIN_CLASSES |= {12: "int32", 13: "uint32", 14: "int64", 15: "uint64"}
#: the start of a variable kept for its header (array flags, dimensions, name)
_HEAD = 4096
_CHUNK = 1 << 16


@dataclass(frozen=True)
class MatVariable:
    """One top-level variable: ``decoded`` is the bytes of its element once inflated (a lower bound when
    ``complete`` is false: counting stopped at the caller's limit)."""

    name: str
    shape: tuple[int, ...]
    mclass: str
    decoded: int
    complete: bool = True


def _bad(path: Path, why: str) -> SkeletonDataError:
    return SkeletonDataError(f"unreadable MAT file ({why})", source=path)


def _tag(buf: bytes, at: int, endian: str) -> tuple[int, int, int]:
    """``(type, byte count, offset of the data)``; the small format packs both in 4 bytes and the data in 4."""
    (first,) = struct.unpack_from(endian + "I", buf, at)
    if first >> 16:
        return first & 0xFFFF, first >> 16, at + 4
    mdtype, nbytes = struct.unpack_from(endian + "II", buf, at)
    return mdtype, nbytes, at + 8


def _matrix_header(head: bytes, endian: str, path: Path) -> tuple[str, tuple[int, ...], str]:
    """Name, dimensions and class from the start of an ``miMATRIX`` element (its tag included)."""
    try:
        mdtype, _, at = _tag(head, 0, endian)
        if mdtype != MI_MATRIX:
            raise _bad(path, f"a variable of element type {mdtype}, expected a matrix")
        _, nbytes, data = _tag(head, at, endian)  # array flags
        (flags,) = struct.unpack_from(endian + "I", head, data)
        at = data + nbytes
        _, nbytes, data = _tag(head, at, endian)  # dimensions
        shape = struct.unpack_from(f"{endian}{nbytes // 4}i", head, data)
        at = data + (nbytes + 7) // 8 * 8
        _, nbytes, data = _tag(head, at, endian)  # name
        name = head[data : data + nbytes].decode("latin-1")
    except struct.error:
        raise _bad(path, "a variable's header is cut short") from None
    mclass = flags & 0xFF
    return name, tuple(shape), PLAIN_CLASSES.get(mclass, f"class {mclass}")


def _inflate(fh, nbytes: int, budget: int) -> tuple[bytes, int, bool]:  # noqa: ANN001 - a binary file
    """The first ``_HEAD`` inflated bytes of ``nbytes`` of compressed input, the inflated total, and whether
    it was counted to the end (counting stops past ``budget``); nothing but the head is kept."""
    inflater = zlib.decompressobj()
    head, total, left = b"", 0, nbytes
    while left > 0:
        data = fh.read(min(_CHUNK, left))
        if not data:
            break
        left -= len(data)
        while data:
            out = inflater.decompress(data, _CHUNK)
            data = inflater.unconsumed_tail
            if len(head) < _HEAD:
                head += out[: _HEAD - len(head)]
            total += len(out)
            if total > budget:
                return head, total, False
    return head, total, True


def read_variables(path: Path, max_decoded: int) -> list[MatVariable]:
    """Every top-level variable of a MAT 5 file, counting inflated bytes only up to ``max_decoded`` in all."""
    variables: list[MatVariable] = []
    total = 0
    with open(path, "rb") as fh:
        header = fh.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC) or header[126:128] not in (b"IM", b"MI"):
            raise _bad(path, "no MATLAB 5 header")
        endian = "<" if header[126:128] == b"IM" else ">"
        while tag := fh.read(8):
            if len(tag) < 8:
                raise _bad(path, "the file ends inside a variable's tag")
            mdtype, nbytes = struct.unpack(endian + "II", tag)
            start = fh.tell()
            if mdtype == MI_COMPRESSED:
                head, size, complete = _inflate(fh, nbytes, max_decoded - total)
            elif mdtype == MI_MATRIX:
                head, size, complete = tag + fh.read(min(nbytes, _HEAD)), nbytes + 8, True
            else:
                raise _bad(path, f"a top-level element of type {mdtype}, expected a variable")
            name, shape, mclass = _matrix_header(head, endian, path)
            variables.append(MatVariable(name, shape, mclass, size, complete))
            total += size
            if not complete:
                break
            fh.seek(start + nbytes)
    return variables
