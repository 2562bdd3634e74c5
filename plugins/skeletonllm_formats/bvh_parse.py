"""BVH text -> hierarchy and motion matrix, with line numbers in every error.

Grammar (Biovision): ``HIERARCHY``, then ``ROOT name { OFFSET x y z
CHANNELS n c... (JOINT ... | End Site { OFFSET x y z })* }`` (possibly
several roots), then ``MOTION``, ``Frames: N``, ``Frame Time: dt`` and N
lines of channel values. End Sites carry only a bone-tip offset; they are
kept for writing but are not joints (the CMU files have 31 joints).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skeletonllm.errors import SkeletonDataError

#: Frame Time bounds (seconds): 1 MHz capture down to one frame a minute; outside them the
#: value is a corrupt header, not a recording (1e-300 s would be reported as 1e300 fps).
MIN_FRAME_TIME = 1e-6
MAX_FRAME_TIME = 60.0
CHANNEL_NAMES = ("Xposition", "Yposition", "Zposition", "Xrotation", "Yrotation", "Zrotation")


@dataclass
class BvhJoint:
    name: str
    parent: int
    offset: np.ndarray
    channels: list[str] = field(default_factory=list)
    first_channel: int = 0  # column of this joint's first channel in the motion matrix
    end_site: np.ndarray | None = None


@dataclass
class BvhData:
    joints: list[BvhJoint]
    motion: np.ndarray  # (T, total channels)
    frame_time: float


class _Tokens:
    """Tokens with their line numbers; running out is a truncation error."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.items = [(tok, no + 1) for no, line in enumerate(lines) for tok in line.split()]
        self.pos = 0

    def error(self, message: str, field: str | None = None) -> SkeletonDataError:
        line = self.items[min(self.pos, len(self.items) - 1)][1] if self.items else 1
        return SkeletonDataError(message, source=self.path, line=line, field=field)

    def next(self, expected: str) -> str:
        if self.pos >= len(self.items):
            last = self.items[-1][1] if self.items else 0
            raise SkeletonDataError(f"file ends early: expected {expected}", source=self.path, line=last + 1)
        tok = self.items[self.pos][0]
        self.pos += 1
        return tok

    def expect(self, word: str) -> None:
        tok = self.next(repr(word))
        if tok != word:
            self.pos -= 1
            raise self.error(f"found {tok[:40]!r}, expected {word!r}")

    def number(self, what: str) -> float:
        tok = self.next(what)
        try:
            value = float(tok)
        except ValueError:
            self.pos -= 1
            raise self.error(f"{tok[:40]!r} is not a number (expected {what})", what) from None
        if not math.isfinite(value):
            self.pos -= 1
            raise self.error(f"{tok!r} is not a finite number (expected {what})", what)
        return value


def _offset(tokens: _Tokens, owner: str) -> np.ndarray:
    tokens.expect("OFFSET")
    return np.array([tokens.number(f"OFFSET {axis} of {owner}") for axis in "xyz"])


def _joint_header(tokens: _Tokens, name: str, parent: int, joints: list[BvhJoint], column: int) -> BvhJoint:
    """``{ OFFSET x y z CHANNELS n c...`` of one joint (after its name); appends it to ``joints``."""
    tokens.expect("{")
    joint = BvhJoint(name=name, parent=parent, offset=_offset(tokens, name), first_channel=column)
    joints.append(joint)
    tokens.expect("CHANNELS")
    count_tok = tokens.next(f"channel count of {name}")
    if not re.fullmatch(r"[0-9]+", count_tok) or int(count_tok) > 6:
        tokens.pos -= 1
        raise tokens.error(f"channel count {count_tok!r} of {name}, expected an integer 0..6", "CHANNELS")
    for _ in range(int(count_tok)):
        ch = tokens.next(f"a channel name of {name}")
        if ch not in CHANNEL_NAMES or ch in joint.channels:
            tokens.pos -= 1
            raise tokens.error(f"channel {ch[:40]!r} of {name}, expected one of {', '.join(CHANNEL_NAMES)}", "CHANNELS")
        joint.channels.append(ch)
    return joint


def _joint(tokens: _Tokens, name: str, parent: int, joints: list[BvhJoint], column: int) -> int:
    """Parse one ``{ ... }`` joint block (after its name); returns the next free channel column.

    Iterative, with an explicit stack of open joints: a legal chain of thousands
    of joints must not hit Python's recursion limit.
    """
    stack = [len(joints)]
    joint = _joint_header(tokens, name, parent, joints, column)
    column += len(joint.channels)
    while stack:
        index = stack[-1]
        owner = joints[index].name
        tok = tokens.next(f"JOINT, End Site or '}}' closing {owner}")
        if tok == "}":
            stack.pop()
        elif tok == "JOINT":
            child_name = tokens.next("a joint name")
            stack.append(len(joints))
            child = _joint_header(tokens, child_name, index, joints, column)
            column += len(child.channels)
        elif tok == "End":
            tokens.expect("Site")
            tokens.expect("{")
            joints[index].end_site = _offset(tokens, f"End Site of {owner}")
            tokens.expect("}")
        else:
            tokens.pos -= 1
            raise tokens.error(f"found {tok[:40]!r} inside {owner}, expected JOINT, End Site or '}}'")
    return column


def parse_bvh(path: Path, text: str) -> BvhData:
    lines = text.splitlines()
    motion_at = next((i for i, ln in enumerate(lines) if ln.strip() == "MOTION"), None)
    if motion_at is None:
        raise SkeletonDataError("no MOTION section (file truncated?)", source=path, line=len(lines), field="MOTION")
    tokens = _Tokens(path, lines[:motion_at])
    tokens.expect("HIERARCHY")
    joints: list[BvhJoint] = []
    column = 0
    while tokens.pos < len(tokens.items):
        tokens.expect("ROOT")
        column = _joint(tokens, tokens.next("a root name"), -1, joints, column)
    if not joints:
        raise SkeletonDataError("HIERARCHY has no ROOT", source=path, line=motion_at, field="ROOT")

    def header(offset: int, label: str) -> str:
        no = motion_at + offset
        line = lines[no].strip() if no < len(lines) else ""
        if not line.startswith(label):
            raise SkeletonDataError(f"expected '{label} ...'", source=path, line=no + 1, field=label)
        return line[len(label) :].strip()

    frames_tok = header(1, "Frames:")
    if not re.fullmatch(r"[0-9]+", frames_tok) or int(frames_tok) < 1:
        raise SkeletonDataError(
            f"{frames_tok!r} is not a frame count >= 1", source=path, line=motion_at + 2, field="Frames"
        )
    num_frames = int(frames_tok)
    time_tok = header(2, "Frame Time:")
    try:
        frame_time = float(time_tok)
    except ValueError:
        frame_time = math.nan
    if not (math.isfinite(frame_time) and frame_time > 0):
        raise SkeletonDataError(
            f"{time_tok!r} is not a positive number of seconds", source=path, line=motion_at + 3, field="Frame Time"
        )
    if not MIN_FRAME_TIME <= frame_time <= MAX_FRAME_TIME:
        raise SkeletonDataError(
            f"{time_tok!r} seconds per frame is {1.0 / frame_time:.3g} fps; expected a Frame Time between "
            f"{MIN_FRAME_TIME:g} and {MAX_FRAME_TIME:g} s ({1 / MAX_FRAME_TIME:g} to {1 / MIN_FRAME_TIME:g} fps)",
            source=path,
            line=motion_at + 3,
            field="Frame Time",
        )
    first = motion_at + 3
    data_lines = lines[first:]
    while data_lines and not data_lines[-1].strip():
        data_lines.pop()
    if len(data_lines) != num_frames:
        raise SkeletonDataError(
            f"{len(data_lines)} motion lines, expected {num_frames} (Frames: {num_frames})",
            source=path,
            line=first + min(len(data_lines), num_frames) + 1,
            field="Frames",
        )
    motion = np.empty((num_frames, column))
    for t, line in enumerate(data_lines):
        fields = line.split()
        if len(fields) != column:
            raise SkeletonDataError(
                f"{len(fields)} values, expected {column} (one per channel in HIERARCHY)",
                source=path,
                line=first + t + 1,
                frame=t,
                field="motion",
            )
        try:
            motion[t] = np.array(fields, dtype=np.float64)
        except ValueError:
            col = next(i for i, tok in enumerate(fields) if not _is_float(tok))
            owner = next(j for j in joints if j.first_channel <= col < j.first_channel + len(j.channels))
            channel = owner.channels[col - owner.first_channel]
            raise SkeletonDataError(
                f"{fields[col][:40]!r} is not a number (expected {owner.name} {channel})",
                source=path,
                line=first + t + 1,
                frame=t,
                field=f"column {col + 1}",
            ) from None
    return BvhData(joints=joints, motion=motion, frame_time=frame_time)


def _is_float(tok: str) -> bool:
    try:
        float(tok)
    except ValueError:
        return False
    return True
