"""The body landmarks every skeleton has, found in any topology: head, pelvis, hands, elbows, knees, feet.

Vision pretraining asks a tower where these ten points are drawn, so it needs them
in every layout the project reads: Kinect (``HandLeft``, ``ElbowLeft``), SMPL
(``left_wrist``), COCO (``left_wrist``, no pelvis), BVH mocap (``LeftHand``,
``LeftForeArm``, ``LeftLeg``, ``l_wrist``), ASF/AMC (``lhand``, ``lradius``). Names
are read first (side from :func:`.body.side_of`, limb from words, the more
proximal word winning where a layout has several: a wrist over a hand, an ankle
over a foot), and what names cannot settle comes from the bones: an elbow is the
hand's neighbour towards the body, a knee the foot's, the pelvis the midpoint of
the two hips when no joint is the pelvis. A landmark the layout lacks is absent
from the result, and targets built from it are masked.
"""

from __future__ import annotations

from collections import deque

from skeletonllm.topology import Topology

from .body import side_of

#: the landmarks, in the order of every target tensor
LANDMARKS = (
    "head",
    "pelvis",
    "left_hand",
    "right_hand",
    "left_elbow",
    "right_elbow",
    "left_knee",
    "right_knee",
    "left_foot",
    "right_foot",
)

#: name words of each limb landmark, best first; a joint matching a ``_NOT`` word is never it
_WORDS = {
    "hand": ("wrist", "hand"),
    "elbow": ("elbow",),
    "knee": ("knee",),
    "foot": ("ankle", "foot"),
}
_NOT = ("tip", "thumb", "finger", "index", "middle", "ring", "pinky", "end", "toe", "site")
_HEAD = ("head", "nose")
_PELVIS = ("pelvis", "hips", "hipcenter", "hip_center", "spinebase", "spine_base", "root")


def _norm(name: str) -> str:
    return name.lower().replace(" ", "").replace("-", "_")


def _side(name: str) -> str | None:
    """:func:`.body.side_of`, plus the ASF/CMU spelling of a one-letter prefix (``lhand``, ``RThumb``)."""
    side = side_of(name)
    if side is not None:
        return side
    low = _norm(name)
    limb_words = ("hand", "wrist", "radius", "humerus", "clavicle", "femur", "tibia", "foot", "toe", "hip", "thumb")
    limb_words += ("finger", "shoulder", "elbow", "knee", "ankle", "forearm", "arm", "upleg", "leg", "collar")
    if len(low) > 1 and low[0] in "lr" and low[1:].startswith(limb_words):
        return "left" if low[0] == "l" else "right"
    return None


def _neighbours(topology: Topology) -> list[set[int]]:
    near: list[set[int]] = [set() for _ in range(topology.num_joints)]
    for a, b in topology.edges:
        near[a].add(b)
        near[b].add(a)
    return near


def _hops(topology: Topology, start: list[int]) -> list[int]:
    """Bone hops from ``start`` to every joint (a large number where the graph does not reach)."""
    near = _neighbours(topology)
    dist = [10**6] * topology.num_joints
    queue = deque(start)
    for s in start:
        dist[s] = 0
    while queue:
        j = queue.popleft()
        for k in near[j]:
            if dist[k] > dist[j] + 1:
                dist[k] = dist[j] + 1
                queue.append(k)
    return dist


def _by_words(names: list[str], side: str | None, words: tuple[str, ...]) -> int | None:
    for word in words:
        for index, name in enumerate(names):
            low = _norm(name)
            if word in low and not any(n in low.replace(word, "") for n in _NOT) and _side(name) == side:
                return index
    return None


def _towards_body(topology: Topology, joint: int, centre: list[int]) -> int | None:
    """The neighbour of ``joint`` one bone closer to the body's centre (an elbow from a wrist)."""
    hops = _hops(topology, centre)
    closer = [k for k in _neighbours(topology)[joint] if hops[k] < hops[joint]]
    return min(closer, key=lambda k: hops[k]) if closer else None


def _pelvis(topology: Topology, names: list[str]) -> tuple[int, ...]:
    for word in _PELVIS:
        for index, name in enumerate(names):
            if _norm(name) == word or (_norm(name).startswith(word) and _side(name) is None):
                return (index,)
    hips = [_by_words(names, side, ("hip", "upleg", "femur")) for side in ("left", "right")]
    if all(h is not None for h in hips):
        return tuple(hips)  # type: ignore[arg-type]
    if topology.parents is not None and topology.parents.count(-1) == 1:
        return (topology.parents.index(-1),)
    return ()


def landmarks(topology: Topology) -> dict[str, tuple[int, ...]]:
    """Landmark -> the joints whose mean is it (usually one; the pelvis of COCO is its two hips)."""
    names = list(topology.joint_names)
    found: dict[str, tuple[int, ...]] = {}
    head = next((i for w in _HEAD for i, n in enumerate(names) if w in _norm(n) and _side(n) is None), None)
    if head is None:  # ASF/COCO-style faces: both eyes, or both ears
        eyes = [_by_words(names, s, ("eye", "ear")) for s in ("left", "right")]
        if all(e is not None for e in eyes):
            found["head"] = tuple(eyes)  # type: ignore[arg-type]
    else:
        found["head"] = (head,)
    pelvis = _pelvis(topology, names)
    if pelvis:
        found["pelvis"] = pelvis
    centre = list(pelvis) or [0]
    for side in ("left", "right"):
        for limb, inner in (("hand", "elbow"), ("foot", "knee")):
            end = _by_words(names, side, _WORDS[limb])
            if end is None and limb == "hand":
                end = _by_words(names, side, ("radius",))  # ASF: the forearm bone ends at the wrist
            if end is None and limb == "foot":
                end = _by_words(names, side, ("tibia",))  # ASF: the shin bone ends at the ankle
            if end is not None:
                found[f"{side}_{limb}"] = (end,)
            middle = _by_words(names, side, _WORDS[inner])
            if middle is None and end is not None:
                middle = _towards_body(topology, end, centre)
            if middle is not None and middle != end:
                found[f"{side}_{inner}"] = (middle,)
    return {name: found[name] for name in LANDMARKS if name in found}
