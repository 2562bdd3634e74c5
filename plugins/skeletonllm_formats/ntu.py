"""NTU RGB+D 60/120 ``.skeleton`` text files (Kinect v2, 25 joints).

Layout (shahroudy/NTURGB-D ``Matlab/read_skeleton_file.m``): frame count;
per frame a body count; per body a 10-field info line, a joint count and one
12-field line per joint (x y z depthX depthY colorX colorY qw qx qy qz state).
Bodies are kept in per-person slots: ``M`` is the largest body count of any
frame, and a bodyID keeps its slot from frame to frame (so two people who
swap their order in the file do not swap identities here).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.decode_budget import check_decoded_size, sequence_bytes
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import NoOptions, PluginOptions, SkeletonFormat
from skeletonllm.sequence import SkeletonSequence

from ._text import LineReader, decoded_head, format_floats, parse_int, read_text
from .topologies import KINECT_V2

NUM_JOINTS = 25
BODY_FIELDS = 10
JOINT_FIELDS = 12
JOINT_LAYOUT = "x y z depthX depthY colorX colorY qw qx qy qz trackingState"
FPS = 30.0
#: SsssCcccPpppRrrrAaaa: setup, camera, performer, replication, action (NTU README)
NAME_PATTERN = re.compile(r"S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})")
NAME_FIELDS = ("setup", "camera", "performer", "replication", "action")


def file_name_fields(stem: str) -> dict[str, int]:
    """The five numbers encoded in an NTU file name, or {} when the name does not follow it."""
    match = NAME_PATTERN.search(stem)
    return {k: int(v) for k, v in zip(NAME_FIELDS, match.groups())} if match else {}


class _Body:
    """One body block as parsed: its ID and (25, 12) joint rows."""

    __slots__ = ("body_id", "joints")

    def __init__(self, body_id: int, joints: np.ndarray) -> None:
        self.body_id = body_id
        self.joints = joints


def _parse(path: Path) -> list[list[_Body]]:
    reader = LineReader(path, read_text(path))
    num_frames = reader.next_int("frame count")
    if num_frames < 1:
        raise reader.error("frame count is 0, expected at least one frame", field="frame count")
    frames: list[list[_Body]] = []
    for t in range(num_frames):
        count = reader.next_int(f"body count of frame {t} (file declares {num_frames} frames)", t)
        bodies = []
        for b in range(count):
            info = reader.next_fields(f"body {b} info line ({BODY_FIELDS} fields)", t)
            if len(info) != BODY_FIELDS:
                raise reader.error(
                    f"body {b} info line has {len(info)} fields, expected {BODY_FIELDS} "
                    f"(bodyID clipedEdges handLeftConfidence handLeftState handRightConfidence handRightState "
                    f"isResticted leanX leanY trackingState); the frame's body count ({count}) may be wrong",
                    t,
                    "body info",
                )
            body_id = parse_int(info[0], reader, "bodyID", t)
            if body_id >= 2**63:
                raise reader.error(f"bodyID {body_id} does not fit in 64 bits", t, "bodyID")
            joints_here = reader.next_int(f"joint count of body {b}", t)
            if joints_here != NUM_JOINTS:
                raise reader.error(f"joint count {joints_here}, expected {NUM_JOINTS} (Kinect v2)", t, "joint count")
            rows = np.empty((NUM_JOINTS, JOINT_FIELDS))
            for j in range(NUM_JOINTS):
                rows[j] = reader.next_floats(JOINT_FIELDS, f"joint {j} of body {b}: {JOINT_LAYOUT}", t)
                if rows[j, 11] not in (0.0, 1.0, 2.0):
                    raise reader.error(f"trackingState {rows[j, 11]:g}, expected 0, 1 or 2", t, "trackingState")
            bodies.append(_Body(body_id, rows))
        frames.append(bodies)
    if not reader.at_end():
        raise SkeletonDataError(
            f"unexpected data after the {num_frames} declared frames (frame or body count is wrong)",
            source=path,
            line=reader.pos + 1,
            field="frame count",
        )
    return frames


def _assign_slots(frames: list[list[_Body]]) -> tuple[int, list[list[int]]]:
    """Slot of each body in each frame: an ID keeps the slot it had, new IDs take the lowest free slot."""
    num_slots = max((len(f) for f in frames), default=0)
    slot_of_id: dict[int, int] = {}
    assignment = []
    for bodies in frames:
        taken: set[int] = set()
        slots = [-1] * len(bodies)
        for i, body in enumerate(bodies):
            s = slot_of_id.get(body.body_id)
            if s is not None and s not in taken:
                slots[i] = s
                taken.add(s)
        for i, body in enumerate(bodies):
            if slots[i] < 0:
                slots[i] = min(set(range(num_slots)) - taken)
                taken.add(slots[i])
            slot_of_id[body.body_id] = slots[i]
        assignment.append(slots)
    return num_slots, assignment


def _unit_quaternions(quat: np.ndarray) -> np.ndarray:
    """Kinect writes 0 0 0 0 for joints it gives no orientation (hand tips, feet, absent bodies).

    The sequence promises unit quaternions, so those become the identity
    rather than a zero vector that would turn into NaN when normalised.
    """
    quat = quat.copy()
    quat[~np.any(quat != 0, axis=-1)] = (1.0, 0.0, 0.0, 0.0)
    return quat


class NtuSkeletonFormat(SkeletonFormat):
    """Reads every body with positions, orientations, tracking states and pixel coordinates."""

    name: ClassVar[str] = "ntu_skeleton"
    summary: ClassVar[str] = "NTU RGB+D 60/120 .skeleton text (Kinect v2, 25 joints, orientations)"
    Options: ClassVar[type[PluginOptions]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".skeleton",)
    topology = KINECT_V2

    def sniff(self, path: Path, head: bytes) -> float:
        """Walk the layout as far as the head reaches: counts, a 10-field body line, '25', 12-field joints."""
        lines = [ln.split() for ln in decoded_head(head).splitlines()]
        try:
            if len(lines) < 2 or len(lines[0]) != 1 or int(lines[0][0]) < 1:
                return 0.0
            i = 1
            while i < len(lines) and lines[i] == ["0"]:  # frames without bodies
                i += 1
            if i >= len(lines):
                return 0.3
            if len(lines[i]) != 1 or int(lines[i][0]) < 1:
                return 0.0
            if i + 2 >= len(lines):
                return 0.3
            body, joints = lines[i + 1], lines[i + 2]
            if len(body) != BODY_FIELDS or joints != [str(NUM_JOINTS)]:
                return 0.0
            int(body[0])
            if i + 3 < len(lines):
                if len(lines[i + 3]) != JOINT_FIELDS:
                    return 0.0
                [float(x) for x in lines[i + 3]]
            return 0.95
        except ValueError:
            return 0.0

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        frames = _parse(path)
        num_slots, assignment = _assign_slots(frames)
        t_count = len(frames)
        m = max(num_slots, 1)  # a file whose every frame is empty still gives one (absent) person
        # one frame listing 60 bodies and 40,000 empty frames would otherwise decode to gigabytes
        check_decoded_size(
            sequence_bytes(m, t_count, NUM_JOINTS, per_joint=JOINT_FIELDS * 8 + 32),
            path,
            f"{m} body slots x {t_count:,} frames x {NUM_JOINTS} joints",
            field="body count",
        )
        rows = np.zeros((m, t_count, NUM_JOINTS, JOINT_FIELDS))
        present = np.zeros((m, t_count), dtype=bool)
        body_ids = np.full((m, t_count), -1, dtype=np.int64)
        for t, (bodies, slots) in enumerate(zip(frames, assignment)):
            for body, s in zip(bodies, slots):
                rows[s, t] = body.joints
                present[s, t] = True
                body_ids[s, t] = body.body_id
        state = rows[..., 11].astype(np.int8)
        seq = SkeletonSequence(
            positions=rows[..., 0:3],
            topology=KINECT_V2,
            fps=FPS,
            mask=np.broadcast_to(present[..., None], (m, t_count, NUM_JOINTS)),
            orientations=_unit_quaternions(rows[..., 7:11]),
            confidence=state / 2.0,
            extras={
                "tracking_state": state,
                "depth_xy": rows[..., 3:5].astype(np.float32),
                "color_xy": rows[..., 5:7].astype(np.float32),
            },
            meta={
                "source": str(path),
                "body_ids": body_ids,
                **file_name_fields(path.stem),
            },
        )
        if "action" in seq.meta:
            seq.meta["label"] = seq.meta["action"] - 1  # 0-based class index, as the class lists are
        return [seq]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """A valid ``.skeleton`` (CRLF); absent persons are left out of a frame's body count."""
        path = Path(path)
        seq = sequence
        if seq.topology.num_joints != NUM_JOINTS or seq.dims != 3:
            raise SkeletonDataError(
                f"ntu_skeleton writes Kinect v2 (25 joints, 3D), got {seq.num_joints} joints in {seq.dims}D "
                f"(topology {seq.topology.name!r})",
                source=path,
            )
        m, t_count = seq.num_persons, seq.num_frames
        present = seq.person_present
        quat = (
            seq.orientations if seq.orientations is not None else np.tile([1.0, 0, 0, 0], (m, t_count, NUM_JOINTS, 1))
        )
        if "tracking_state" in seq.extras:
            state = np.asarray(seq.extras["tracking_state"]).astype(int)
        elif seq.confidence is not None:
            state = np.clip(np.rint(seq.confidence * 2), 0, 2).astype(int)
        else:
            state = np.full((m, t_count, NUM_JOINTS), 2)
        depth = seq.extras.get("depth_xy", np.zeros((m, t_count, NUM_JOINTS, 2)))
        color = seq.extras.get("color_xy", np.zeros((m, t_count, NUM_JOINTS, 2)))
        ids = seq.meta.get("body_ids")
        ids = np.asarray(ids) if ids is not None and np.shape(ids) == (m, t_count) else None
        xyz = np.where(seq.mask[..., None], seq.positions, np.nan)  # a missing joint inside a body reads back missing
        out = [str(t_count)]
        for t in range(t_count):
            slots = [s for s in range(m) if present[s, t]]
            out.append(str(len(slots)))
            for s in slots:
                body_id = int(ids[s, t]) if ids is not None and ids[s, t] >= 0 else 72057594037900000 + s
                out.append(f"{body_id} 0 0 0 0 0 0 0 0 2")
                out.append(str(NUM_JOINTS))
                for j in range(NUM_JOINTS):
                    values = np.concatenate([xyz[s, t, j], depth[s, t, j], color[s, t, j], quat[s, t, j]])
                    out.append(f"{format_floats(values)} {int(state[s, t, j])}")
        with atomic_write(path) as tmp:
            tmp.write_bytes(("\r\n".join(out) + "\r\n").encode("ascii"))
        return path


__all__ = ["NtuSkeletonFormat", "file_name_fields"]
