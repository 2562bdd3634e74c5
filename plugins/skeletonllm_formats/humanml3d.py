"""HumanML3D ``new_joints`` ``.npy``: float (T, 22, 3) SMPL body joints, 20 fps, Y up, metres.

Loaded with ``allow_pickle=False``: an ``.npy`` that needs pickling is not a
HumanML3D file and must never execute code.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.decode_budget import check_decoded_size, sequence_bytes
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import NoOptions, PluginOptions, SkeletonFormat
from skeletonllm.safe_read import check_input_file
from skeletonllm.sequence import SkeletonSequence

from ._text import one_line
from .topologies import SMPL22

NUM_JOINTS = 22
FPS = 20.0


def npy_header(head: bytes) -> dict | None:
    """The ``.npy`` header dict (descr, fortran_order, shape) from the first bytes, or None."""
    if not head.startswith(b"\x93NUMPY"):
        return None
    try:
        stream = io.BytesIO(head)
        version = np.lib.format.read_magic(stream)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = reader(stream)
        return {"shape": shape, "fortran_order": fortran, "descr": dtype}
    except Exception:  # noqa: BLE001 - numpy's header parser raises tokenize/syntax/value errors on junk
        return None


class HumanMl3dFormat(SkeletonFormat):
    """One person, SMPL-22 joints; NaN joints become mask False."""

    name: ClassVar[str] = "humanml3d"
    summary: ClassVar[str] = "HumanML3D new_joints .npy (SMPL 22 joints, 20 fps)"
    Options: ClassVar[type[PluginOptions]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".npy",)
    topology = SMPL22

    def sniff(self, path: Path, head: bytes) -> float:
        header = npy_header(head)
        if header is None:
            return 0.0
        shape = header["shape"]
        if len(shape) == 3 and shape[1:] == (NUM_JOINTS, 3) and header["descr"].kind == "f":
            return 0.9
        return 0.05

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        check_input_file(path)
        try:
            with open(path, "rb") as fh:
                header = npy_header(fh.read(4096))
        except OSError as exc:
            raise SkeletonDataError(f"cannot read file: {exc.strerror or exc}", source=path) from None
        if header is not None and len(header["shape"]) == 3:  # the header's frame count is checked before loading
            frames = header["shape"][0]
            check_decoded_size(sequence_bytes(1, frames, NUM_JOINTS), path, f"{frames:,} frames", field="shape")
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as exc:
            if "allow_pickle" in str(exc):
                raise SkeletonDataError(
                    "not a plain numeric .npy array (it holds Python objects, which are never unpickled)", source=path
                ) from None
            raise SkeletonDataError(f"unreadable .npy (truncated or corrupt?): {one_line(exc)}", source=path) from None
        except Exception as exc:  # noqa: BLE001 - a corrupt header can raise tokenize, syntax or OS errors
            raise SkeletonDataError(
                f"unreadable .npy (truncated or corrupt?): {type(exc).__name__}: {one_line(exc)}", source=path
            ) from None
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "fiu":
            raise SkeletonDataError(
                f"expected a float array, got dtype {getattr(arr, 'dtype', type(arr))}", source=path
            )
        if arr.ndim != 3 or arr.shape[1:] != (NUM_JOINTS, 3):
            raise SkeletonDataError(
                f"array shape {arr.shape}, expected (frames, 22, 3) (new_vecs files are (T, 263) and are not joints)",
                source=path,
                field="shape",
            )
        if arr.shape[0] == 0:
            raise SkeletonDataError("no frames, expected (frames, 22, 3) with frames >= 1", source=path, field="shape")
        return [
            SkeletonSequence(
                positions=arr[None], topology=SMPL22, fps=FPS, meta={"source": str(path), "motion_id": path.stem}
            )
        ]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """float32 (T, 22, 3); missing joints are NaN, which ``read`` turns back into mask False."""
        path = Path(path)
        seq = sequence
        if seq.num_joints != NUM_JOINTS or seq.dims != 3 or seq.num_persons != 1:
            raise SkeletonDataError(
                f"humanml3d writes one person of 22 joints in 3D, got {seq.num_persons} x {seq.num_joints} in "
                f"{seq.dims}D",
                source=path,
            )
        arr = np.where(seq.mask[0][..., None], seq.positions[0], np.nan).astype(np.float32)
        with atomic_write(path) as tmp, open(tmp, "wb") as fh:  # np.save on a path appends .npy
            np.save(fh, arr, allow_pickle=False)
        return path
