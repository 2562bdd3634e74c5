"""Which body part each joint and bone belongs to, for any topology.

Built-in topologies name their parts in ``Topology.groups``. File-defined
topologies (BVH hierarchies, user formats) have none, so parts are guessed from
joint names: a side from a ``left``/``right`` word or an ``L``/``l`` prefix
(``LeftKnee``, ``l_hip``, ``LHipJoint``, ``lhand``, ``HandTipLeft``), a limb from anatomical
words (``elbow``, ``femur``, ...). A prefix letter counts only when the rest of
the name is a body word, so ``lowerback`` is not a left anything. Whatever
cannot be placed is ``torso``, which makes an unknown skeleton one colour.
"""

from __future__ import annotations

import re

from skeletonllm.topology import Topology

PARTS = ("torso", "head", "left_arm", "right_arm", "left_leg", "right_leg")

_HEAD = ("head", "neck", "nose", "eye", "ear", "skull", "jaw", "chin", "face")
_ARM = ("arm", "shoulder", "elbow", "wrist", "hand", "finger", "thumb", "humerus", "radius", "clavicle", "collar")
_ARM += ("palm", "index", "pinky", "ulna")
_LEG = ("leg", "hip", "knee", "ankle", "foot", "toe", "femur", "tibia", "heel", "thigh", "shin", "calf")
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _limb(word: str) -> str | None:
    word = word.lower()
    if word.startswith(_HEAD) or word.endswith(("neck", "head")):
        return "head"
    if word.startswith(_ARM) or word.endswith(("arm", "hand")):
        return "arm"
    if word.startswith(_LEG) or word.endswith(("leg", "foot")):
        return "leg"
    return None


def part_from_name(name: str) -> str:
    """Guess a part from a joint name; ``torso`` when nothing matches."""
    words = _WORDS.findall(name)
    if not words:
        return "torso"
    side = None
    first = words[0].lower()
    lowered = [w.lower() for w in words]
    if "left" in lowered[1:] or "right" in lowered[1:]:  # HandTipLeft, ShoulderRight
        side = "left" if "left" in lowered[1:] else "right"
        words = [w for w in words if w.lower() not in ("left", "right")]
    elif first in ("left", "l"):
        side, words = "left", words[1:]
    elif first in ("right", "r"):
        side, words = "right", words[1:]
    elif first[:1] in ("l", "r") and _limb(first[1:]):
        side, words = ("left" if first[0] == "l" else "right"), [first[1:], *words[1:]]
    limb = next((p for p in map(_limb, words) if p), None)
    if limb == "head":
        return "head"
    if limb and side:
        return f"{side}_{limb}"
    return "torso"


def joint_parts(topology: Topology) -> list[str]:
    """Part name per joint: from ``topology.groups`` when given, else from the joint names."""
    if topology.groups:
        parts = ["torso"] * topology.num_joints
        for group, joints in topology.groups.items():
            for j in joints:
                parts[j] = group if group in PARTS else "torso"
        return parts
    return [part_from_name(n) for n in topology.joint_names]


def edge_parts(topology: Topology) -> list[str]:
    """Part per bone: a bone between two parts takes the limb's (so a shoulder-to-neck bone is the arm's)."""
    joints = joint_parts(topology)
    out = []
    for a, b in topology.edges:
        pa, pb = joints[a], joints[b]
        out.append(pa if pa == pb or pb == "torso" else pb)
    return out
