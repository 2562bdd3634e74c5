"""PKU-MMD skeleton text: one line a frame, 150 numbers = 2 bodies x 25 joints x (x, y, z).

Source: ECHO960/PKU-MMD README and the dataset README.txt. The second body is
all zeros when nobody is there; an all-zero body becomes mask False for that
person in that frame (never a skeleton collapsed at the origin).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import NoOptions, PluginOptions, SkeletonFormat
from skeletonllm.sequence import SkeletonSequence

from ._text import LineReader, decoded_head, format_floats, read_text
from .topologies import KINECT_V2

BODIES = 2
NUM_JOINTS = 25
VALUES_PER_LINE = BODIES * NUM_JOINTS * 3
FPS = 30.0


def _parse_lines(path: Path, text: str) -> np.ndarray:
    """(T, 150) float64; a bad line is reported with its number and the offending column."""
    lines = [ln for ln in text.splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    rows = np.empty((len(lines), VALUES_PER_LINE))
    reader = LineReader(path, text)
    for t, line in enumerate(lines):
        fields = line.split()
        reader.pos = t + 1
        if len(fields) != VALUES_PER_LINE:
            raise reader.error(
                f"{len(fields)} numbers, expected {VALUES_PER_LINE} (2 bodies x 25 joints x x,y,z)", t, "frame line"
            )
        try:
            rows[t] = np.array(fields, dtype=np.float64)
        except ValueError:
            for col, tok in enumerate(fields):
                try:
                    float(tok)
                except ValueError:
                    joint, axis = divmod(col % (NUM_JOINTS * 3), 3)
                    raise reader.error(
                        f"{tok[:40]!r} is not a number (expected body {col // 75} joint {joint} {'xyz'[axis]})",
                        t,
                        f"column {col + 1}",
                    ) from None
    return rows


class PkuMmdFormat(SkeletonFormat):
    """Two persons always (the layout's two body slots), absent bodies masked out."""

    name: ClassVar[str] = "pku_mmd"
    summary: ClassVar[str] = "PKU-MMD skeleton text (Kinect v2, 25 joints, two bodies per line)"
    Options: ClassVar[type[PluginOptions]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".txt",)
    topology = KINECT_V2

    def sniff(self, path: Path, head: bytes) -> float:
        """Every complete line in the head holds 150 numbers."""
        lines = [ln.split() for ln in decoded_head(head).splitlines() if ln.strip()]
        if not lines or any(len(f) != VALUES_PER_LINE for f in lines):
            return 0.0
        try:
            [float(x) for f in lines for x in f]
        except ValueError:
            return 0.0
        return 0.9

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        rows = _parse_lines(path, read_text(path))
        t_count = rows.shape[0]
        xyz = rows.reshape(t_count, BODIES, NUM_JOINTS, 3).transpose(1, 0, 2, 3)
        present = np.any(xyz != 0, axis=(2, 3)) & ~np.all(np.isnan(xyz), axis=(2, 3))
        return [
            SkeletonSequence(
                positions=xyz,
                topology=KINECT_V2,
                fps=FPS,
                mask=np.broadcast_to(present[..., None], (BODIES, t_count, NUM_JOINTS)),
                meta={"source": str(path), "file_name": path.stem},
            )
        ]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """150 numbers a frame; persons beyond two are an error, a missing second person is zeros."""
        path = Path(path)
        seq = sequence
        if seq.num_joints != NUM_JOINTS or seq.dims != 3:
            raise SkeletonDataError(f"pku_mmd writes 25 joints in 3D, got {seq.num_joints} in {seq.dims}D", source=path)
        if seq.num_persons > BODIES:
            raise SkeletonDataError(f"pku_mmd holds at most 2 persons, got {seq.num_persons}", source=path)
        out = np.zeros((BODIES, seq.num_frames, NUM_JOINTS, 3), dtype=np.float32)
        present = seq.person_present
        for m in range(seq.num_persons):
            body = np.where(seq.mask[m][..., None], seq.positions[m], np.nan)
            out[m] = np.where(present[m][:, None, None], body, 0.0)
        frames = out.transpose(1, 0, 2, 3).reshape(seq.num_frames, -1)
        with atomic_write(path) as tmp:
            tmp.write_text("".join(format_floats(f) + "\n" for f in frames), encoding="ascii")
        return path
