"""Body parts and the body frame of any skeleton, for describing motion in words.

A description says "the right arm rises", not "joint 10 moves along +y", so the
analysis needs two things every topology can give: which joints form which
body part (``Topology.groups``, or, for a layout without groups such as a
BVH file, joint names read for side and limb words), and the directions
*up*, *left* and *forward* of the body. Up comes from the topology's declared
``up_axis`` when the core has one (y-up for 3D and image-y-down for 2D
otherwise); left comes from the named left/right shoulders and hips, so a
performer facing away from the camera still has their own left; forward is
their cross product and is absent in 2D, where depth is not observed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skeletonllm.topology import Topology

#: the six parts every built-in topology names; a layout may have fewer
PARTS = ("head", "torso", "left_arm", "right_arm", "left_leg", "right_leg")

# humerus/radius/ulna/femur/tibia: the bone names of Acclaim skeletons (CMU, HDM05: lhumerus, rfemur, ...)
_ARM_WORDS = ("shoulder", "elbow", "wrist", "hand", "arm", "finger", "thumb", "collar", "clavicle", "humerus", "radius", "ulna")  # fmt: skip
_LEG_WORDS = ("hip", "knee", "ankle", "foot", "toe", "leg", "heel", "femur", "tibia", "fibula")
_HEAD_WORDS = ("head", "neck", "nose", "eye", "ear", "jaw", "chin")


def side_of(joint_name: str) -> str | None:
    """``"left"``, ``"right"`` or ``None`` from a joint name in any of the built-in spellings.

    A bare ``l``/``r`` prefix counts only before a limb word (``lfemur``, ``rhand``), so
    ``lowerback`` and ``root`` stay sideless.
    """
    low = joint_name.lower()
    limb = any(low[1:].startswith(w) for w in _ARM_WORDS + _LEG_WORDS)
    if "left" in low or low.startswith(("l_", "l.", "lft")) or low.endswith(("_l", ".l")) or (low[:1] == "l" and limb):
        return "left"
    if "right" in low or low.startswith(("r_", "r.", "rgt")) or low.endswith(("_r", ".r")) or (low[:1] == "r" and limb):
        return "right"
    return None


def _limb_of(joint_name: str) -> str:
    low = joint_name.lower()
    if any(w in low for w in _HEAD_WORDS) and not any(w in low for w in _ARM_WORDS):
        return "head"
    side = side_of(joint_name)
    if side is not None and any(w in low for w in _ARM_WORDS):
        return f"{side}_arm"
    if side is not None and any(w in low for w in _LEG_WORDS):
        return f"{side}_leg"
    return "torso"


def body_parts(topology: Topology) -> dict[str, tuple[int, ...]]:
    """Body part -> joint indices: the topology's groups, or groups inferred from joint names."""
    if topology.groups:
        return {name: tuple(joints) for name, joints in topology.groups.items() if joints}
    parts: dict[str, list[int]] = {}
    for index, name in enumerate(topology.joint_names):
        parts.setdefault(_limb_of(name), []).append(index)
    return {name: tuple(joints) for name, joints in parts.items()}


def up_vector(topology: Topology) -> np.ndarray:
    """Unit vector of the vertical in the file's coordinates (``up_axis`` if declared)."""
    axis = getattr(topology, "up_axis", "") or ("y" if topology.dims == 3 else "-y")
    sign = -1.0 if axis.startswith("-") else 1.0
    vec = np.zeros(topology.dims)
    vec["xyz".index(axis[-1])] = sign
    return vec


def _side_pairs(topology: Topology) -> tuple[list[int], list[int]]:
    """Joints that mark the body's width: left and right shoulders and hips (or whole sides)."""
    left, right = [], []
    for index, name in enumerate(topology.joint_names):
        low = name.lower()
        if ("shoulder" in low or "hip" in low) and "center" not in low and "centre" not in low:
            {"left": left, "right": right}.get(side_of(name) or "", []).append(index)
    if not left or not right:
        parts = body_parts(topology)
        left = [j for p in ("left_arm", "left_leg") for j in parts.get(p, ())]
        right = [j for p in ("right_arm", "right_leg") for j in parts.get(p, ())]
    return left, right


@dataclass(frozen=True)
class BodyFrame:
    """Unit vectors of one person's up, left and (3D only) forward, in file coordinates."""

    up: np.ndarray
    left: np.ndarray | None
    forward: np.ndarray | None

    def components(self, vector: np.ndarray) -> dict[str, float]:
        """``vector`` as body-frame components (``up``, ``left``, ``forward`` where known)."""
        out = {"up": float(vector @ self.up)}
        if self.left is not None:
            out["left"] = float(vector @ self.left)
        if self.forward is not None:
            out["forward"] = float(vector @ self.forward)
        return out


def body_frame(topology: Topology, positions: np.ndarray, valid: np.ndarray) -> BodyFrame:
    """The body frame of one person from positions ``(T, V, C)`` and validity ``(T, V)``."""
    up = up_vector(topology)
    left_joints, right_joints = _side_pairs(topology)
    width = []
    for t in range(positions.shape[0]):
        lv = [j for j in left_joints if valid[t, j]]
        rv = [j for j in right_joints if valid[t, j]]
        if lv and rv:
            width.append(positions[t, lv].mean(axis=0) - positions[t, rv].mean(axis=0))
    if not width:
        return BodyFrame(up, None, None)
    lateral = np.median(np.stack(width), axis=0)
    lateral = lateral - (lateral @ up) * up
    norm = float(np.linalg.norm(lateral))
    if norm < 1e-9:
        return BodyFrame(up, None, None)
    left = lateral / norm
    if topology.dims == 2:
        return BodyFrame(up, left, None)
    forward = np.cross(left, up)  # x left, y up, z forward is right-handed (SMPL, Kinect camera space)
    forward = _check_forward(topology, positions, valid, forward)
    return BodyFrame(up, left, forward)


def _check_forward(topology: Topology, positions: np.ndarray, valid: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Flip ``forward`` if the feet point the other way (a left-handed file's coordinates)."""
    names = [n.lower() for n in topology.joint_names]
    votes = 0.0
    for side in ("left", "right"):
        ankle = [i for i, n in enumerate(names) if "ankle" in n and side_of(topology.joint_names[i]) == side]
        toe = [
            i for i, n in enumerate(names) if ("foot" in n or "toe" in n) and side_of(topology.joint_names[i]) == side
        ]
        if ankle and toe:
            both = valid[:, ankle[0]] & valid[:, toe[0]]
            if both.any():
                votes += float(((positions[both, toe[0]] - positions[both, ankle[0]]) @ forward).mean())
    return -forward if votes < 0 else forward
