"""MSRC-12 Kinect gesture ``.csv`` (+ its ``.tagstream``): Kinect SDK v1 skeletons at 30 Hz.

Layout (the dataset's ``code/load_file.m``, ``skel_model.m``): one frame a
line, a time stamp in microseconds then 20 joints x (x, y, z, confidence) in
the Kinect SDK ``NUI_SKELETON_POSITION_*`` order, space separated. Metres,
y up (the Kinect SDK skeleton space; a standing person spans y = -1 .. +0.7).
Frames without a tracked skeleton are all zeros (they open most files, and
one whole sequence of the release, P1_1_12A_p19, has no skeleton at all):
zeros become mask False.

The ``.tagstream`` beside the ``.csv`` (``XQPCTick;Tag`` then ``tick;G<n> <name>``
lines) marks each gesture's action point. Each tag goes into
``meta["tags"]`` with its frame: the tick becomes microseconds as
``load_tagstream.m`` does, ``(tick * 1000 + 49875 / 2) / 49875``, and the frame
is the one with the nearest time stamp, as in ``tagstream_to_y.m``.
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
WIDTH = 1 + NUM_JOINTS * 4
FPS = 30.0  # MSRC_12_gesture_dataset.pdf: "captured at a sample rate of 30Hz"
TAG_HEADER = "XQPCTick;Tag"
TAG_PATTERN = re.compile(r"^G(\d+)\s+(\S.*)$")
#: P<instruction>_<modality>_<gesture>[A]_p<person> (MSRC_12_gesture_dataset.pdf, File Naming Convention)
NAME_PATTERN = re.compile(r"^[Pp](\d+)_(\d+)_(\d+)(A?)_[Pp](\d+)$")


def name_fields(stem: str) -> dict[str, int | bool]:
    """Instruction codes, gesture and person from ``P1_1_12A_p19``, or {} for another name."""
    match = NAME_PATTERN.match(stem)
    if not match:
        return {}
    a, b, gesture, two, person = match.groups()
    return {
        "instruction": int(a),
        "modality": int(b),
        "gesture": int(gesture),
        "combined": bool(two),
        "person": int(person),
    }


def _column(c: int) -> str:
    if c == 0:
        return "time stamp"
    joint, k = divmod(c - 1, 4)
    return f"{KINECT_V1.joint_names[joint]} {'xyz'[k] if k < 3 else 'confidence'}"


def tick_to_microseconds(tick: int) -> int:
    """``load_tagstream.m``: ``(tick * 1000 + 49875 / 2) / 49875``, rounded as MATLAB's uint64 division does."""
    return (tick * 1000 + 49875 // 2) // 49875


def find_tagstream(csv_path: Path) -> Path | None:
    """``<stem>.tagstream`` beside the csv; the release has one whose case differs (p2_1_2A_p12)."""
    exact = csv_path.with_suffix(".tagstream")
    if exact.is_file():
        return exact
    want = exact.name.lower()
    try:
        return next((p for p in csv_path.parent.iterdir() if p.name.lower() == want and p.is_file()), None)
    except OSError:
        return None


def read_tagstream(path: Path) -> list[tuple[int, int, str]]:
    """``(tick, gesture number, tag text)`` per line; a bad line is named by its number."""
    lines = read_text(path).splitlines()
    if not lines or lines[0].strip() != TAG_HEADER:
        got = lines[0].strip()[:40] if lines else ""
        raise SkeletonDataError(f"expected the header {TAG_HEADER!r}, got {got!r}", source=path, line=1)
    out = []
    for i, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        tick, sep, tag = line.strip().partition(";")
        match = TAG_PATTERN.match(tag.strip())
        if not sep or not tick.isdigit() or not match:
            raise SkeletonDataError(
                f"expected 'XQPCTick;G<number> <gesture name>', got {line.strip()[:60]!r}", source=path, line=i
            )
        out.append((int(tick), int(match.group(1)), tag.strip()))
    return out


def tags_in_frames(tags: list[tuple[int, int, str]], timestamps: np.ndarray) -> list[dict]:
    """Each tag with the index of the frame whose time stamp is nearest (``tagstream_to_y.m``)."""
    out = []
    for tick, gesture, text in tags:
        micros = tick_to_microseconds(tick)
        frame = int(np.argmin(np.abs(timestamps - micros)))
        out.append({"frame": frame, "gesture": gesture, "tag": text, "time_us": micros})
    return out


class Msrc12Format(SkeletonFormat):
    """One person, Kinect v1 joints; the tags of a ``.tagstream`` beside the file go into ``meta``."""

    name: ClassVar[str] = "msrc12"
    summary: ClassVar[str] = "MSRC-12 gesture .csv (Kinect v1, 20 joints, 30 Hz) with its .tagstream action points"
    Options: ClassVar[type[PluginOptions]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)
    topology = KINECT_V1

    def sniff(self, path: Path, head: bytes) -> float:
        """Every complete line of the head: 81 space-separated numbers (time stamp, 20 x 4)."""
        rows = head_rows(head, None)
        if not rows or any(len(r) != WIDTH for r in rows):
            return 0.0
        return 0.9

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        rows = numeric_rows(
            path, read_text(path), WIDTH, column=_column, layout="time stamp, then 20 joints x (x y z confidence)"
        )
        stamps = rows[:, 0]
        bad = np.flatnonzero(~np.isfinite(stamps))
        if bad.size:
            raise SkeletonDataError(
                f"time stamp {stamps[bad[0]]} is not a finite number",
                source=path,
                line=int(bad[0]) + 1,
                frame=int(bad[0]),
                field="time stamp",
            )
        joints = rows[:, 1:].reshape(-1, NUM_JOINTS, 4)
        xyz = joints[..., :3]
        meta: dict = {"source": str(path), "file_name": path.stem, "units": "m", "timestamps_us": stamps}
        meta.update(name_fields(path.stem))
        if "gesture" in meta:
            meta["label"] = int(meta["gesture"]) - 1
        tag_path = find_tagstream(path)
        if tag_path is not None:
            meta["tagstream"] = str(tag_path)
            meta["tags"] = tags_in_frames(read_tagstream(tag_path), stamps)
        return [
            SkeletonSequence(
                positions=xyz[None],
                topology=KINECT_V1,
                fps=FPS,
                mask=zero_is_missing(xyz)[None],
                confidence=joints[None, ..., 3],
                meta=meta,
            )
        ]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """The ``.csv`` only; time stamps from ``meta`` when they fit, else 30 Hz from 0; missing joints are zeros."""
        path = Path(path)
        seq = sequence
        require_one_kinect_v1(seq, path, "msrc12", KINECT_V1.joint_names)
        stamps = np.asarray(seq.meta.get("timestamps_us", ()), dtype=np.float64)
        if stamps.shape != (seq.num_frames,) or not np.isfinite(stamps).all():
            stamps = np.round(np.arange(seq.num_frames) * 1e6 / (seq.fps or FPS))
        xyz = np.where(seq.mask[0][..., None], seq.positions[0], 0.0)
        conf = seq.confidence[0] if seq.confidence is not None else np.ones(seq.mask[0].shape, np.float32)
        values = np.concatenate([xyz, np.where(seq.mask[0], conf, 0.0)[..., None]], axis=-1)
        lines = [f"{int(s)} {format_floats(v)}\n" for s, v in zip(stamps, values.reshape(seq.num_frames, -1))]
        with atomic_write(path) as tmp:
            tmp.write_text("".join(lines), encoding="ascii")
        return path
