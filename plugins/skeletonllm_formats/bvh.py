"""BVH motion capture: any hierarchy, forward kinematics to positions and global rotations.

The topology is built from each file (``bvh:<file stem>``), which is the
proof that nothing downstream assumes a joint count. Conventions (Meredith &
Maddock, "Motion capture file formats explained"): a joint's local rotation
is the product of its rotation channels in the order listed (``Zrotation
Yrotation Xrotation`` means ``Rz @ Ry @ Rx``); End Sites are not joints. Units
are the file's own; ``fps = 1 / Frame Time``.

A joint with position channels is translated by them *instead of* its OFFSET,
which is their rest value: Blender's reference importer applies
``channel - OFFSET`` on top of the rest pose, and its exporter writes the rest
head as OFFSET and the animated position into the channels. Adding both (the
old rule here) doubled every bone of files that give all joints six channels
(Bandai-Namco's: a 2.5 m performer). For the usual root with OFFSET 0 both
rules agree.

A root joint with a zero OFFSET and no rotation that stays on the ground plane
(zero along the up axis) in every frame while its children move is a reference
on the floor, not a body joint: the world origin, or a root-motion carrier
sliding under the body (Bandai-Namco's ``joint_Root``, static in most clips and
sliding in four of set 1; their Blender script hides it). It is dropped
(``meta['dropped_joints']``), so no bone runs from the floor to the body and a
file's joint count does not depend on whether it carries root motion.
``keep_origin_root: true`` keeps it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import ClassVar

import numpy as np
from pydantic import Field

from skeletonllm.atomic import atomic_write
from skeletonllm.decode_budget import check_decoded_size, sequence_bytes
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import PluginOptions, SkeletonFormat
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology

from ._text import read_text
from .bvh_parse import BvhData, parse_bvh
from .rotations import euler_to_matrix, matrix_to_euler_zyx, matrix_to_quaternion, quaternion_to_matrix
from .up_axis import UpAxisOption, sniff_up_axis

DEFAULT_FPS = 30.0  # used by ``write`` when a sequence has no frame rate


def forward_kinematics(data: BvhData) -> tuple[np.ndarray, np.ndarray]:
    """Global positions (T, J, 3) and rotation matrices (T, J, 3, 3), vectorised over frames."""
    motion = data.motion
    t_count, j_count = motion.shape[0], len(data.joints)
    pos = np.zeros((t_count, j_count, 3))
    rot = np.zeros((t_count, j_count, 3, 3))
    for j, joint in enumerate(data.joints):  # parents always precede children in a BVH
        cols = {ch: motion[:, joint.first_channel + i] for i, ch in enumerate(joint.channels)}
        translation = np.tile(joint.offset, (t_count, 1))
        for axis, k in (("X", 0), ("Y", 1), ("Z", 2)):
            if f"{axis}position" in cols:  # the channel is the translation; OFFSET is its rest value
                translation[:, k] = cols[f"{axis}position"]
        order = "".join(ch[0] for ch in joint.channels if ch.endswith("rotation"))
        local = euler_to_matrix(order, np.stack([cols[f"{a}rotation"] for a in order], axis=-1)) if order else None
        if joint.parent < 0:
            pos[:, j] = translation
            rot[:, j] = local if local is not None else np.eye(3)
        else:
            parent_rot = rot[:, joint.parent]
            pos[:, j] = pos[:, joint.parent] + np.einsum("tij,tj->ti", parent_rot, translation)
            rot[:, j] = parent_rot @ local if local is not None else parent_rot
    return pos, rot


def ground_roots(data: BvhData, pos: np.ndarray, up: int) -> list[int]:
    """Roots that are a reference on the floor, not a body joint (see the module docstring).

    OFFSET zero, no rotation in any frame, on the ground plane (coordinate ``up`` zero) in
    every frame, while a child moves: the world origin, or a root-motion carrier sliding
    along the floor under the body.
    """
    found = []
    for j, joint in enumerate(data.joints):
        if joint.parent >= 0 or np.any(joint.offset):
            continue
        turns = [joint.first_channel + i for i, ch in enumerate(joint.channels) if ch.endswith("rotation")]
        children = [c for c, other in enumerate(data.joints) if other.parent == j]
        if (
            children
            and not np.any(data.motion[:, turns])
            and not np.any(pos[:, j, up])
            and any(np.ptp(pos[:, c], axis=0).max() > 0 for c in children)
        ):
            found.append(j)
    return found


def drop_joints(
    names: list[str], parents: list[int], arrays: list[np.ndarray], drop: list[int]
) -> tuple[list[str], list[int], list[np.ndarray]]:
    """Remove joints ``drop`` (roots): their children become roots, indices shift down."""
    keep = [j for j in range(len(names)) if j not in drop]
    new_index = {old: new for new, old in enumerate(keep)}
    new_parents = [new_index.get(parents[j], -1) for j in keep]
    return [names[j] for j in keep], new_parents, [a[:, keep] for a in arrays]


def bvh_topology(stem: str, names: list[str], parents: list[int], path: Path | None = None) -> Topology:
    """A topology named after the file and a short hash of its joint names (two layouts never share a name)."""
    digest = hashlib.sha1("/".join(f"{n}:{p}" for n, p in zip(names, parents)).encode()).hexdigest()[:8]
    try:
        return Topology.from_parents(
            name=f"bvh:{stem}:{digest}", joint_names=names, parents=parents, dims=3, source=f"BVH hierarchy of {path}"
        )
    except SkeletonDataError as exc:
        raise SkeletonDataError(exc.message, source=path, field="HIERARCHY") from None


class BvhOptions(PluginOptions):
    """BVH says nothing about its axes; ``up_axis`` overrides the guess (``-O up_axis=z``)."""

    up_axis: UpAxisOption = Field(
        "auto", description="the file's up axis; auto: head-over-feet guess from the joint names, else y"
    )
    keep_origin_root: bool = Field(
        False, description="keep a rotation-free root on the ground plane (dropped by default: not a body joint)"
    )


def with_up_axis(topology: Topology, positions: np.ndarray, option: str) -> Topology:
    """The topology with the file's up axis: the option when given, else sniffed from the motion."""
    up = sniff_up_axis(positions, topology.joint_names) if option == "auto" else option
    return dataclasses.replace(topology, up_axis=up)


class BvhFormat(SkeletonFormat):
    """One person; positions and global joint orientations from forward kinematics."""

    name: ClassVar[str] = "bvh"
    summary: ClassVar[str] = "BVH motion capture (any hierarchy, forward kinematics)"
    Options: ClassVar[type[PluginOptions]] = BvhOptions
    suffixes: ClassVar[tuple[str, ...]] = (".bvh",)
    topology = None  # each file defines its own

    def sniff(self, path: Path, head: bytes) -> float:
        return 0.95 if head.lstrip().startswith(b"HIERARCHY") else 0.0

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        data = parse_bvh(path, read_text(path))
        # joints with ``CHANNELS 0`` cost no text per frame but a full pose each in forward kinematics
        frames, joints = data.motion.shape[0], len(data.joints)
        check_decoded_size(
            sequence_bytes(1, frames, joints, per_joint=9 * 8), path, f"{joints:,} joints x {frames:,} frames"
        )
        pos, rot = forward_kinematics(data)
        names, parents = [j.name for j in data.joints], [j.parent for j in data.joints]
        meta = {"source": str(path), "frame_time": data.frame_time}
        up = self.options.up_axis if self.options.up_axis != "auto" else sniff_up_axis(pos, names)
        drop = [] if self.options.keep_origin_root else ground_roots(data, pos, "xyz".index(up[-1]))
        if drop:
            meta["dropped_joints"] = [names[j] for j in drop]
            names, parents, (pos, rot) = drop_joints(names, parents, [pos, rot], drop)
        topology = bvh_topology(path.stem, names, parents, path)
        topology = with_up_axis(topology, pos, self.options.up_axis)
        return [
            SkeletonSequence(
                positions=pos[None],
                orientations=matrix_to_quaternion(rot)[None],
                topology=topology,
                fps=1.0 / data.frame_time,
                meta=meta,
            )
        ]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """Rotation channels when orientations exist, else position channels (exact for any positions).

        BVH lists joints depth-first, so a topology whose indices are not in
        depth-first order reads back with the same names in hierarchy order.
        """
        path = Path(path)
        seq = sequence
        parents = seq.topology.parents
        if parents is None:
            raise SkeletonDataError(
                f"bvh needs a kinematic tree; topology {seq.topology.name!r} has no parents", source=path
            )
        if seq.num_persons != 1 or seq.dims != 3:
            raise SkeletonDataError(f"bvh holds one 3D person, got {seq.num_persons} in {seq.dims}D", source=path)
        if not seq.mask.all():
            raise SkeletonDataError("bvh cannot represent missing joints (mask has False entries)", source=path)
        children: dict[int, list[int]] = {j: [] for j in range(-1, seq.num_joints)}
        for j, p in enumerate(parents):
            children[p].append(j)
        order: list[int] = []
        stack = list(reversed(children[-1]))
        while stack:
            j = stack.pop()
            order.append(j)
            stack.extend(reversed(children[j]))
        pos = seq.positions[0].astype(np.float64)
        use_rotations = seq.orientations is not None
        if use_rotations:
            glob = quaternion_to_matrix(seq.orientations[0].astype(np.float64))  # (T, J, 3, 3)
        columns: list[np.ndarray] = []
        offsets: dict[int, np.ndarray] = {}
        for j in order:
            p = parents[j]
            if use_rotations:
                local = glob[:, j] if p < 0 else np.swapaxes(glob[:, p], -1, -2) @ glob[:, j]
                if p < 0:
                    offsets[j] = np.zeros(3)
                    columns.append(pos[:, j])
                else:
                    offsets[j] = glob[0, p].T @ (pos[0, j] - pos[0, p])
                columns.append(matrix_to_euler_zyx(local))
            else:
                offsets[j] = np.zeros(3)
                columns.append(pos[:, j] if p < 0 else pos[:, j] - pos[:, p])
        names = seq.topology.joint_names
        out = ["HIERARCHY"]

        def emit(j: int, depth: int) -> None:
            pad = "\t" * depth
            out.append(f"{pad}{'ROOT' if parents[j] < 0 else 'JOINT'} {names[j]}")
            out.append(pad + "{")
            out.append(f"{pad}\tOFFSET {' '.join(repr(float(v)) for v in offsets[j])}")
            if use_rotations:
                chans = (["Xposition", "Yposition", "Zposition"] if parents[j] < 0 else []) + [
                    "Zrotation", "Yrotation", "Xrotation"
                ]  # fmt: skip
            else:
                chans = ["Xposition", "Yposition", "Zposition"]
            out.append(f"{pad}\tCHANNELS {len(chans)} {' '.join(chans)}")
            for c in children[j]:
                emit(c, depth + 1)
            if not children[j]:
                out.append(f"{pad}\tEnd Site")
                out.append(pad + "\t{")
                out.append(f"{pad}\t\tOFFSET 0 0 0")
                out.append(pad + "\t}")
            out.append(pad + "}")

        for root in children[-1]:
            emit(root, 0)
        fps = seq.fps or DEFAULT_FPS
        motion = np.concatenate(columns, axis=-1)
        out += ["MOTION", f"Frames: {seq.num_frames}", f"Frame Time: {1.0 / fps!r}"]
        out += [" ".join(map(repr, row)) for row in motion.tolist()]
        with atomic_write(path) as tmp:
            tmp.write_text("\n".join(out) + "\n", encoding="ascii")
        return path
