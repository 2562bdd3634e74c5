"""MSR Action3D ``aXX_sYY_eZZ_skeleton3D.txt``: 20 joints a frame, one joint a line ``x y z confidence``.

Real-world coordinates in metres, y up, z the distance from the sensor (a
standing subject spans y = -1.0 .. +0.7 at z = 2.7 in the files). The file's
joint order is not the Kinect SDK order: it is the order of the dataset's
``drawskt.m``, whose 19 bones (``J``) fix which line is which joint; the
waving/kicking limb of a01/a14 (subjects were told to use the right arm or
leg) is lines 13 and 19, the right hand and foot. Joints are reordered into
the Kinect v1 NUI order (:data:`KINECT_V1`) so MSR Action3D, MSRC-12 and
NW-UCLA share one topology; the writer puts them back in file order.

A joint written as ``0 0 0`` is untracked (whole frames are, in 20 of the 567
clips) and becomes mask False. The confidence column is kept as ``confidence``.
Frame rate: about 15 fps (Li, Zhang, Liu, "Action recognition based on a bag
of 3D points", CVPR-W 2010).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import NoOptions, PluginOptions, SkeletonFormat
from skeletonllm.sequence import SkeletonSequence

from ._rows import head_rows, numeric_rows, require_one_kinect_v1, zero_is_missing
from ._text import format_floats, read_text
from .topologies import KINECT_V1

NUM_JOINTS = 20
FPS = 15.0
#: file line (0-based, within a frame) -> Kinect v1 NUI joint index. File order, 1-based, from the bones of
#: drawskt.m: 1 left shoulder, 2 right shoulder, 3 neck, 4 spine, 5 left hip, 6 right hip, 7 hip centre,
#: 8/9 left/right elbow, 10/11 wrists, 12/13 hands, 14/15 knees, 16/17 ankles, 18/19 feet, 20 head.
FILE_TO_NUI = (4, 8, 2, 1, 12, 16, 0, 5, 9, 6, 10, 7, 11, 13, 17, 14, 18, 15, 19, 3)
NUI_TO_FILE = tuple(FILE_TO_NUI.index(j) for j in range(NUM_JOINTS))
FILE_JOINT_NAMES = tuple(KINECT_V1.joint_names[j] for j in FILE_TO_NUI)
NAME_PATTERN = re.compile(r"a(\d+)_s(\d+)_e(\d+)")
COLUMNS = ("x", "y", "z", "confidence")


def name_fields(stem: str) -> dict[str, int]:
    """Action, subject and episode from ``aXX_sYY_eZZ``, or {} for another name."""
    match = NAME_PATTERN.search(stem)
    return dict(zip(("action", "subject", "episode"), map(int, match.groups()))) if match else {}


def _column(c: int) -> str:
    return COLUMNS[c]


def _frame_of(row: int) -> int:
    return row // NUM_JOINTS


class MsrAction3dFormat(SkeletonFormat):
    """One person; positions in metres, joints in Kinect v1 NUI order."""

    name: ClassVar[str] = "msr_action3d"
    summary: ClassVar[str] = "MSR Action3D skeleton3D text (Kinect v1-style, 20 joints, x y z confidence a line)"
    Options: ClassVar[type[PluginOptions]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = ("_skeleton3d.txt", ".txt")
    topology = KINECT_V1

    def sniff(self, path: Path, head: bytes) -> float:
        """Every complete line of the head is four numbers, the fourth a confidence in [0, 1]."""
        rows = head_rows(head, None)
        if not rows or any(len(r) != 4 for r in rows):
            return 0.0
        if not all(0.0 <= float(r[3]) <= 1.0 for r in rows):
            return 0.0
        return 0.9 if len(rows) >= NUM_JOINTS else 0.5

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        rows = numeric_rows(
            path, read_text(path), 4, column=_column, frame_of=_frame_of, layout="x y z confidence, one joint a line"
        )
        if len(rows) % NUM_JOINTS:
            frame = len(rows) // NUM_JOINTS
            raise SkeletonDataError(
                f"the file ends inside frame {frame}: {len(rows) % NUM_JOINTS} of its {NUM_JOINTS} joint lines "
                f"({len(rows)} lines in all, expected a multiple of {NUM_JOINTS})",
                source=path,
                line=len(rows),
                frame=frame,
            )
        conf = rows[:, 3]
        bad = np.flatnonzero(~((conf >= 0) & (conf <= 1)))
        if bad.size:
            r = int(bad[0])
            raise SkeletonDataError(
                f"confidence {conf[r]:g} is outside [0, 1]",
                source=path,
                line=r + 1,
                frame=_frame_of(r),
                field="confidence",
            )
        frames = rows.reshape(-1, NUM_JOINTS, 4)[:, NUI_TO_FILE]  # file order -> NUI order
        xyz = frames[..., :3]
        return [
            SkeletonSequence(
                positions=xyz[None],
                topology=KINECT_V1,
                fps=FPS,
                mask=zero_is_missing(xyz)[None],
                confidence=frames[None, ..., 3],
                meta={"source": str(path), "file_name": path.stem, "units": "m", **_label(path.stem)},
            )
        ]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """One person, 20 lines a frame in the file's joint order; a missing joint is ``0 0 0 0``."""
        path = Path(path)
        seq = sequence
        require_one_kinect_v1(seq, path, "msr_action3d", KINECT_V1.joint_names)
        xyz = np.where(seq.mask[0][..., None], seq.positions[0], 0.0)
        conf = seq.confidence[0] if seq.confidence is not None else np.ones(seq.mask[0].shape, np.float32)
        conf = np.where(seq.mask[0], conf, 0.0)
        lines = []
        for t in range(seq.num_frames):
            for j in FILE_TO_NUI:
                lines.append(f"{format_floats(xyz[t, j])} {format_floats(conf[t, j : j + 1])}\n")
        with atomic_write(path) as tmp:
            tmp.write_text("".join(lines), encoding="ascii")
        return path


def _label(stem: str) -> dict[str, int]:
    fields = name_fields(stem)
    return {**fields, "label": fields["action"] - 1} if fields else {}
