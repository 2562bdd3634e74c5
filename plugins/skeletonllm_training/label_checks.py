"""Skeleton measurements that check what a real clip's label says: which way a walk turns, whether two people
come closer, which hand leads.

A label question (:mod:`.label_questions`) takes its answer from the label, and asks only
when the skeleton does not contradict it; where the label says nothing (SBU's contact
interactions and the distance), the measurement is the answer. Every length is in body
heights and every direction in the body's own terms (up from the topology, the turn's sign
from up), so units, up axes and facing do not matter.
"""

from __future__ import annotations

import numpy as np

from skeletonllm.sequence import SkeletonSequence

from .body import body_parts, up_vector

#: a walk whose heading changes by more than this turns; by less than STRAIGHT it goes straight
TURN_DEGREES = 45.0
STRAIGHT_DEGREES = 20.0
#: the torso must travel this far (body heights) in each fifth of the clip for a heading to be read
MIN_STRIDE = 0.05
#: two people's distance must change by this much (body heights) to count as closer or apart
DISTANCE_CHANGE = 0.15

DISTANCE_TRENDS = ("closer", "apart", "closer_then_apart", "same")


def torso_track(sequence: SkeletonSequence, person: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(T, C)`` torso centre of ``person`` per frame and ``(T,)`` whether it was seen (any torso joint)."""
    torso = list(body_parts(sequence.topology).get("torso", ())) or list(range(sequence.topology.num_joints))
    mask = sequence.mask[person][:, torso]
    pos = sequence.positions[person][:, torso].astype(np.float64)
    seen = mask.any(axis=1)
    weights = mask / np.maximum(mask.sum(axis=1, keepdims=True), 1)
    return np.einsum("tj,tjc->tc", weights, pos), seen


def heading_change(sequence: SkeletonSequence, height: float, person: int = 0) -> float | None:
    """Degrees the travel direction turns from the first fifth of the clip to the last, positive to the
    performer's left (counter-clockwise seen from above); ``None`` in 2D or when the body barely travels."""
    if sequence.topology.dims != 3 or height <= 0:
        return None
    track, seen = torso_track(sequence, person)
    track = track[seen]
    if len(track) < 10:
        return None
    up = up_vector(sequence.topology)
    flat = track - np.outer(track @ up, up)
    k = max(2, len(flat) // 5)
    start, end = flat[k] - flat[0], flat[-1] - flat[-1 - k]
    if min(np.linalg.norm(start), np.linalg.norm(end)) < MIN_STRIDE * height:
        return None
    return float(np.degrees(np.arctan2(np.cross(start, end) @ up, start @ end)))


def turn_of(degrees: float | None) -> str | None:
    """``left`` / ``right`` (beyond TURN_DEGREES), ``straight`` (within STRAIGHT_DEGREES), else ``None``."""
    if degrees is None:
        return None
    if abs(degrees) <= STRAIGHT_DEGREES:
        return "straight"
    if abs(degrees) >= TURN_DEGREES:
        return "left" if degrees > 0 else "right"
    return None


def distance_trend(sequence: SkeletonSequence, height: float, a: int = 0, b: int = 1) -> str | None:
    """How the distance between persons ``a`` and ``b`` changes: one of :data:`DISTANCE_TRENDS`, or ``None``
    when they are seen together in fewer than four frames."""
    if sequence.num_persons <= max(a, b) or height <= 0:
        return None
    (one, seen_one), (other, seen_other) = torso_track(sequence, a), torso_track(sequence, b)
    both = seen_one & seen_other
    if both.sum() < 4:
        return None
    gap = np.linalg.norm(one[both] - other[both], axis=1) / height
    k = max(1, len(gap) // 10)
    first, last, least = float(gap[:k].mean()), float(gap[-k:].mean()), float(gap.min())
    if least < min(first, last) - DISTANCE_CHANGE:  # nearer in the middle than at both ends
        return "closer_then_apart"
    if last < first - DISTANCE_CHANGE:
        return "closer"
    if last > first + DISTANCE_CHANGE:
        return "apart"
    return "same"


__all__ = ["DISTANCE_TRENDS", "distance_trend", "heading_change", "torso_track", "turn_of"]
