"""Which way is up in a file that does not say: the head-over-feet test used for BVH.

BVH has no axis convention. Most files (CMU, Mixamo, Truebones) are y-up, but
exports from z-up tools (Blender, 3ds Max, MotionBuilder set to z-up) are
common. Gravity is read from the figure itself: over all frames, the mean
vector from the feet (joints named foot, toe or ankle) to the head (a joint
named head, else neck) points up, and the coordinate axis it is most nearly
parallel to is the up axis. Named joints, not the hierarchy, because in
every human hierarchy both the head and the feet are leaves and only names
tell them apart; a file whose joints are named otherwise keeps y-up, the
BVH norm, and can be set with the format option ``up_axis``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

UpAxisOption = Literal["auto", "y", "z", "x", "-y", "-z", "-x"]

_FEET = ("foot", "toe", "ankle")
_HEAD = ("head", "neck")
#: the head-feet vector must lean at least this much (cosine) towards one axis for the guess to count
MIN_COSINE = 0.7


def sniff_up_axis(positions: np.ndarray, joint_names: Sequence[str], default: str = "y") -> str:
    """``"y"``, ``"z"``, ``"-z"``, ... from ``positions`` (T, V, 3) and the joint names; ``default`` when unsure."""
    lower = [n.lower() for n in joint_names]
    feet = [i for i, n in enumerate(lower) if any(k in n for k in _FEET)]
    head = next(([i for i, n in enumerate(lower) if k in n] for k in _HEAD if any(k in n for n in lower)), [])
    if not feet or not head:
        return default
    pos = np.asarray(positions, dtype=np.float64)
    up = (pos[:, head].mean(axis=1) - pos[:, feet].mean(axis=1)).mean(axis=0)
    norm = float(np.linalg.norm(up))
    if not np.isfinite(norm) or norm == 0.0:
        return default
    axis = int(np.argmax(np.abs(up)))
    if abs(up[axis]) / norm < MIN_COSINE:
        return default
    return ("-" if up[axis] < 0 else "") + "xyz"[axis]
