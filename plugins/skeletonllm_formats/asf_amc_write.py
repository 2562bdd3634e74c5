"""Writing any 3D skeleton with a kinematic tree as an ASF skeleton plus an AMC motion.

Every non-root joint ``j`` becomes a bone from its parent to it, with local
axes equal to the global ones (``axis 0 0 0 XYZ``) and its first-frame vector
as rest ``direction`` and ``length``. Two modes, chosen per sequence:

- *rotations*: when the sequence has orientations and every bone vector is that
  orientation applied to the rest vector (a rigid body, as ASF, BVH and SMPL
  files are), bones get ``dof rx ry rz`` and the root ``TX TY TZ RX RY RZ``;
  the local rotation ``R_parent^T R_j`` is written as x, y, z angles
  (``Rz @ Ry @ Rx``);
- *swing and length*: otherwise (no orientations, or bone lengths that vary, as
  in Kinect data) each bone gets the shortest rotation from its rest direction
  to its current one plus the ASF ``l`` dof (change of length), which
  reproduces any positions exactly.

Lengths are written in metres with ``:units length 0.0254`` (data = inches x
0.0254), so reading back with either ``units`` option gives the same numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.errors import SkeletonDataError
from skeletonllm.sequence import SkeletonSequence

from .rotations import matrix_to_euler_zyx, quaternion_to_matrix

#: bone vectors within this share of the skeleton's size of ``R @ rest`` count as rigid
RIGID_TOLERANCE = 1e-5
_NAME = re.compile(r"^[^\s#,():]+$")


def _check(seq: SkeletonSequence, path: Path) -> tuple[list[int], int]:
    parents = seq.topology.parents
    if parents is None:
        raise SkeletonDataError(
            f"asf_amc needs a kinematic tree; topology {seq.topology.name!r} has no parents", source=path
        )
    if seq.num_persons != 1 or seq.dims != 3:
        raise SkeletonDataError(f"asf_amc holds one 3D person, got {seq.num_persons} in {seq.dims}D", source=path)
    if not seq.mask.all():
        raise SkeletonDataError("asf_amc cannot represent missing joints (mask has False entries)", source=path)
    roots = [j for j, p in enumerate(parents) if p < 0]
    if len(roots) != 1:
        raise SkeletonDataError(
            f"an ASF skeleton has one root, topology has {len(roots)}", source=path, field="parents"
        )
    for j, name in enumerate(seq.topology.joint_names):
        if j != roots[0] and (not _NAME.match(name) or name.isdigit() or name.lower() in ("root", "begin", "end")):
            raise SkeletonDataError(
                f"joint name {name!r} cannot be an ASF bone name (one token, not a number or keyword)",
                source=path,
                field="joint_names",
            )
    return list(parents), roots[0]


def _swing(rest: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(T, 3, 3) shortest rotations taking the unit vector ``rest`` to the directions of ``vectors`` (T, 3)."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    target = np.where(norms > 1e-12, vectors / np.maximum(norms, 1e-300), rest)
    axis = np.cross(rest, target)
    sin, cos = np.linalg.norm(axis, axis=-1), target @ rest
    helper = np.eye(3)[int(np.argmin(np.abs(rest)))]
    fallback = np.cross(rest, helper) / np.linalg.norm(np.cross(rest, helper))
    unit = np.where(sin[:, None] > 1e-12, axis / np.maximum(sin, 1e-300)[:, None], fallback)
    angle = np.arctan2(sin, cos)
    k = np.zeros((len(unit), 3, 3))
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -unit[:, 2], unit[:, 1], -unit[:, 0]
    k -= np.swapaxes(k, 1, 2)
    s, c = np.sin(angle)[:, None, None], np.cos(angle)[:, None, None]
    return np.eye(3) + s * k + (1 - c) * (k @ k)


def _fmt(values: np.ndarray) -> str:
    return " ".join(repr(float(v)) for v in values)


def write_asf_amc(sequence: SkeletonSequence, path: Path) -> Path:
    """Write ``path`` (the .amc) and ``<stem>.asf`` beside it; returns ``path``."""
    path = Path(path)
    parents, root = _check(sequence, path)
    pos = sequence.positions[0].astype(np.float64)
    t_count, j_count = pos.shape[:2]
    order = [j for j in range(len(parents)) if j != root]  # the joints' own order: it reads back the same
    vectors = {j: pos[:, j] - pos[:, parents[j]] for j in order}
    rot = None
    if sequence.orientations is not None:
        rot = quaternion_to_matrix(sequence.orientations[0].astype(np.float64))
        size = max(float(np.ptp(pos.reshape(-1, 3), axis=0).max()), 1e-9)
        rest = {j: rot[0, j].T @ vectors[j][0] for j in order}
        drift = max(
            (float(np.abs(np.einsum("tij,j->ti", rot[:, j], rest[j]) - vectors[j]).max()) for j in order), default=0.0
        )
        if drift > RIGID_TOLERANCE * size:
            rot = None
    lengths: dict[int, np.ndarray] = {}
    if rot is None:  # swing and length
        rot = np.broadcast_to(np.eye(3), (t_count, j_count, 3, 3)).copy()
        rest = {}
        for j in order:
            norm = float(np.linalg.norm(vectors[j][0]))
            rest[j] = vectors[j][0] if norm > 1e-12 else np.zeros(3)  # a zero rest length points up
            rot[:, j] = _swing(rest[j] / norm if norm > 1e-12 else np.array([0.0, 1.0, 0.0]), vectors[j])
            lengths[j] = np.linalg.norm(vectors[j], axis=-1) - np.linalg.norm(rest[j])
    names = list(sequence.topology.joint_names)
    names[root] = "root"
    asf = [":version 1.10", f":name {sequence.topology.name.replace(' ', '_')[:50] or 'skeleton'}",
           ":units", "  mass 1.0", "  length 0.0254", "  angle deg",
           ":documentation", "  written by skeletonllm (asf_amc): lengths in metres",
           ":root", "  order TX TY TZ RX RY RZ", "  axis XYZ", "  position 0 0 0", "  orientation 0 0 0",
           ":bonedata"]  # fmt: skip
    dofs = "rx ry rz l" if lengths else "rx ry rz"
    for i, j in enumerate(order, 1):
        norm = float(np.linalg.norm(rest[j]))
        direction = rest[j] / norm if norm > 1e-12 else np.array([0.0, 1.0, 0.0])
        asf += ["  begin", f"    id {i}", f"    name {names[j]}", f"    direction {_fmt(direction)}",
                f"    length {repr(norm if norm > 1e-12 else 0.0)}", "    axis 0 0 0 XYZ", f"    dof {dofs}", "  end"]  # fmt: skip
    asf += [":hierarchy", "  begin"]
    for j in [root, *order]:
        children = [names[c] for c in order if parents[c] == j]
        if children:
            asf.append(f"    {names[j]} {' '.join(children)}")
    asf.append("  end")
    root_angles = matrix_to_euler_zyx(rot[:, root])[:, ::-1]  # x, y, z with Rz @ Ry @ Rx
    local = {j: matrix_to_euler_zyx(np.swapaxes(rot[:, parents[j]], -1, -2) @ rot[:, j])[:, ::-1] for j in order}
    amc = ["# written by skeletonllm (asf_amc)", ":FULLY-SPECIFIED", ":DEGREES"]
    for t in range(t_count):
        amc += [str(t + 1), f"root {_fmt(pos[t, root])} {_fmt(root_angles[t])}"]
        for j in order:
            extra = f" {repr(float(lengths[j][t]))}" if lengths else ""
            amc.append(f"{names[j]} {_fmt(local[j][t])}{extra}")
    asf_path = path.with_suffix(".asf")
    with atomic_write(asf_path) as tmp:
        tmp.write_text("\n".join(asf) + "\n", encoding="utf-8")
    with atomic_write(path) as tmp:
        tmp.write_text("\n".join(amc) + "\n", encoding="utf-8")
    return path
