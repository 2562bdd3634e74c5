"""Contacts: hands meeting, a hand at the head, one person's hand reaching the other.

Split from :mod:`.kinematics` because contacts are distances between body
parts (and people), not the motion of one part. Thresholds are shares of the
person's standing height, so they hold in pixels, millimetres and metres.
"""

from __future__ import annotations

import numpy as np

from skeletonllm.sequence import SkeletonSequence

from .body import body_parts

CONTACT_HANDS = 0.12  # hands closer than this share of the height "meet"
CONTACT_HEAD = 0.2  # a hand this close to the head is "near the head"
CONTACT_PERSON = 0.08  # a hand this close to any joint of the other person touches them
MIN_FRAMES = 3  # a contact must last this many frames (one noisy frame is not a touch)


def end_joint(joints: tuple[int, ...], rel: np.ndarray, valid: np.ndarray) -> int | None:
    """The joint of a limb farthest from the torso centre (hand, foot): where contacts happen."""
    usable = [j for j in joints if valid[:, j].any()]
    if not usable:
        return None
    return max(usable, key=lambda j: float(np.median(np.linalg.norm(rel[valid[:, j], j], axis=1))))


def contacts(
    positions: np.ndarray,
    valid: np.ndarray,
    hands: tuple[int | None, int | None],
    head: tuple[int, ...],
    height: float,
    fps: float,
) -> tuple[int, str | None, float | None]:
    """Frames in which the hands meet, which hand comes near the head, and when the first contact starts (s).

    ``hands`` are the left and right hand joints (:func:`end_joint` of each arm), ``head`` the head's joints.
    """
    left, right = hands
    times: list[int] = []
    meet = 0
    if left is not None and right is not None:
        both = valid[:, left] & valid[:, right]
        close = both & (np.linalg.norm(positions[:, left] - positions[:, right], axis=1) < CONTACT_HANDS * height)
        meet = int(close.sum())
        if meet >= MIN_FRAMES:
            times.append(int(np.argmax(close)))
    near_sides = []
    head_joints = [j for j in head if valid[:, j].mean() > 0.5]
    if head_joints:
        centre = positions[:, head_joints].mean(axis=1)
        for side, hand in (("left", left), ("right", right)):
            if hand is None:
                continue
            close = valid[:, hand] & (np.linalg.norm(positions[:, hand] - centre, axis=1) < CONTACT_HEAD * height)
            if close.sum() >= MIN_FRAMES:
                near_sides.append(side)
                times.append(int(np.argmax(close)))
    near = None if not near_sides else ("both" if len(near_sides) == 2 else near_sides[0])
    return (meet if meet >= MIN_FRAMES else 0), near, (min(times) / fps if times else None)


def interaction(sequence: SkeletonSequence, a: int, b: int, height: float) -> tuple[bool, float]:
    """Whether a hand of either comes close to the other, and how their distance changes (heights)."""
    parts = body_parts(sequence.topology)
    hands = [j for p in ("left_arm", "right_arm") for j in parts.get(p, ())]
    pos, mask = sequence.positions, sequence.mask
    touching = False
    for one, other in ((a, b), (b, a)):
        for t in range(sequence.num_frames):
            mine = [j for j in hands if mask[one, t, j]]
            theirs = mask[other, t]
            if mine and theirs.any():
                gaps = np.linalg.norm(pos[one, t, mine][:, None] - pos[other, t, theirs][None], axis=-1)
                if gaps.min() < CONTACT_PERSON * height:
                    touching = True
                    break
    centre = [np.array([pos[m, t, mask[m, t]].mean(axis=0) for t in range(sequence.num_frames) if mask[m, t].any()])
              for m in (a, b)]  # fmt: skip
    n = min(len(centre[0]), len(centre[1]))
    if n < 2:
        return touching, 0.0
    gap = np.linalg.norm(centre[0][:n] - centre[1][:n], axis=1)
    k = max(1, n // 10)
    return touching, float(gap[-k:].mean() - gap[:k].mean()) / height
