"""SBU Kinect Interaction ``skeleton_pos.txt``: two persons x 15 OpenNI joints a line, normalised.

Layout (the dataset's README.txt, v2.0): ``Frame#,PA(1),...,PA(15),PB(1),...,PB(15)``,
``PA(i)`` = (x, y, z) of joint i of subject A (on the left of the image), B on
the right; x and y normalised to [0, 1], z to [0, 7.8125]. The README gives the
way back to the sensor's real-world coordinates, which this reader applies::

    original_X = 1280 - (normalized_X .* 2560);
    original_Y = 960 - (normalized_Y .* 1920);
    original_Z = normalized_Z .* 10000 ./ 7.8125;

so positions are millimetres (OpenNI real-world units): y up (a standing
person's head near +300, feet near -1250), z the distance from the sensor, x
towards the image's left (right-handed). Some public loaders compute Z from
the normalised *y*; that is a bug, not the README.

The README names the joints but not the bones; bones follow the OpenNI/NITE
skeleton (neck to head and shoulders, torso to neck and hips). A
``sXXsYY/NN/MMM/skeleton_pos.txt`` path (how the release is laid out) gives
the two-actor set, the interaction (folder 01..08) and the sequence number.
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
from skeletonllm.topology import Topology

from ._rows import head_rows, numeric_rows
from ._text import read_text

NUM_JOINTS = 15
PERSONS = 2
WIDTH = 1 + PERSONS * NUM_JOINTS * 3
#: README: original = offset - normalised * scale, per axis (x, y); z = normalised * 10000 / 7.8125
X_OFFSET, X_SCALE = 1280.0, 2560.0
Y_OFFSET, Y_SCALE = 960.0, 1920.0
Z_SCALE = 10000.0 / 7.8125
SET_PATTERN = re.compile(r"^s(\d\d)s(\d\d)$")

# fmt: off
SBU15 = Topology.from_parents(
    name="sbu15",
    joint_names=(
        "HEAD", "NECK", "TORSO", "LEFT_SHOULDER", "LEFT_ELBOW", "LEFT_HAND", "RIGHT_SHOULDER", "RIGHT_ELBOW",
        "RIGHT_HAND", "LEFT_HIP", "LEFT_KNEE", "LEFT_FOOT", "RIGHT_HIP", "RIGHT_KNEE", "RIGHT_FOOT",
    ),
    parents=(1, 2, -1, 1, 3, 4, 1, 6, 7, 2, 9, 10, 2, 12, 13),
    source="joints: SBU Kinect Interaction README.txt v2.0 (1 HEAD .. 15 RIGHT_FOOT); bones: OpenNI/NITE skeleton",
    groups={
        "head": (0,),
        "torso": (1, 2),
        "left_arm": (3, 4, 5),
        "right_arm": (6, 7, 8),
        "left_leg": (9, 10, 11),
        "right_leg": (12, 13, 14),
    },
    up_axis="y",
)
# fmt: on


def denormalise(values: np.ndarray) -> np.ndarray:
    """README formula: normalised (..., 3) -> millimetres."""
    out = np.empty_like(values, dtype=np.float64)
    out[..., 0] = X_OFFSET - values[..., 0] * X_SCALE
    out[..., 1] = Y_OFFSET - values[..., 1] * Y_SCALE
    out[..., 2] = values[..., 2] * Z_SCALE
    return out


def normalise(mm: np.ndarray) -> np.ndarray:
    """The inverse of :func:`denormalise` (for the writer)."""
    out = np.empty_like(mm, dtype=np.float64)
    out[..., 0] = (X_OFFSET - mm[..., 0]) / X_SCALE
    out[..., 1] = (Y_OFFSET - mm[..., 1]) / Y_SCALE
    out[..., 2] = mm[..., 2] / Z_SCALE
    return out


def path_fields(path: Path) -> dict:
    """Set, interaction and sequence from ``.../sXXsYY/NN/MMM/skeleton_pos.txt``, or {}."""
    parts = path.absolute().parts
    if len(parts) < 4:
        return {}
    set_name, interaction, sequence = parts[-4], parts[-3], parts[-2]
    match = SET_PATTERN.match(set_name)
    if not match or not interaction.isdigit() or not sequence.isdigit():
        return {}
    return {
        "set": set_name,
        "actors": (int(match.group(1)), int(match.group(2))),
        "interaction": int(interaction),
        "sequence": int(sequence),
    }


def _column(c: int) -> str:
    if c == 0:
        return "frame number"
    person, rest = divmod(c - 1, NUM_JOINTS * 3)
    joint, k = divmod(rest, 3)
    return f"person {'AB'[person]} {SBU15.joint_names[joint]} {'xyz'[k]}"


class SbuFormat(SkeletonFormat):
    """Two persons (A left, B right), 15 joints, de-normalised to millimetres."""

    name: ClassVar[str] = "sbu"
    summary: ClassVar[str] = "SBU Kinect Interaction skeleton_pos.txt (2 persons x 15 joints, de-normalised to mm)"
    Options: ClassVar[type[PluginOptions]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".txt",)
    topology = SBU15

    def sniff(self, path: Path, head: bytes) -> float:
        """Every complete line of the head: 91 comma-separated numbers, the first an integer frame number."""
        rows = head_rows(head, ",")
        if not rows or any(len(r) != WIDTH for r in rows):
            return 0.0
        if not all(float(r[0]).is_integer() for r in rows):
            return 0.0
        return 0.9

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        rows = numeric_rows(
            path,
            read_text(path),
            WIDTH,
            sep=",",
            column=_column,
            layout="frame number, then 2 persons x 15 joints x (x,y,z)",
        )
        frames = rows[:, 0]
        bad = np.flatnonzero(~(np.isfinite(frames) & (frames == np.round(frames))))
        if bad.size:
            r = int(bad[0])
            raise SkeletonDataError(
                f"frame number {frames[r]} is not an integer", source=path, line=r + 1, frame=r, field="frame number"
            )
        norm = rows[:, 1:].reshape(-1, PERSONS, NUM_JOINTS, 3).transpose(1, 0, 2, 3)
        with np.errstate(over="ignore", invalid="ignore"):
            mm = denormalise(norm)
        meta = {"source": str(path), "units": "mm", "frame_numbers": frames.astype(np.int64), **path_fields(path)}
        if "interaction" in meta:
            meta["label"] = meta["interaction"] - 1
        return [SkeletonSequence(positions=mm, topology=SBU15, fps=None, meta=meta)]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """Normalised as the README says; a missing joint is ``nan``; at most two persons, a missing one ``nan``."""
        path = Path(path)
        seq = sequence
        if seq.topology.joint_names != SBU15.joint_names or seq.num_persons > PERSONS:
            raise SkeletonDataError(
                f"sbu writes at most 2 persons in the SBU 15-joint topology, got {seq.num_persons} x "
                f"{seq.num_joints} joints ({seq.topology.name!r})",
                source=path,
            )
        mm = np.full((PERSONS, seq.num_frames, NUM_JOINTS, 3), np.nan)
        mm[: seq.num_persons] = np.where(seq.mask[..., None], seq.positions, np.nan)
        norm = normalise(mm).transpose(1, 0, 2, 3).reshape(seq.num_frames, -1)
        numbers = np.asarray(seq.meta.get("frame_numbers", ()), dtype=np.float64)
        if numbers.shape != (seq.num_frames,) or not np.isfinite(numbers).all():
            numbers = np.arange(1, seq.num_frames + 1, dtype=np.float64)
        lines = [f"{int(n)}," + ",".join(map(repr, row.tolist())) + "\n" for n, row in zip(numbers, norm)]
        with atomic_write(path) as tmp:
            tmp.write_text("".join(lines), encoding="ascii")
        return path
