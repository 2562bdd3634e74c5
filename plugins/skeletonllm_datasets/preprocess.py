"""Preprocessing before caching: fixed frame count, fixed person slots, normalised coordinates.

Deterministic on purpose (centre-of-segment sampling, no augmentation): the
result is cached, and a cache must hold what any run would have computed.
Training-time augmentation belongs after the cache.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from skeletonllm.batch import segment_indices
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.sequence import SkeletonSequence


class PreprocessConfig(PluginOptions):
    """What the cache stores; every field is part of the cache key."""

    frames: int = Field(32, ge=1, le=4096)
    max_persons: int = Field(2, ge=1, le=64)
    normalise: bool = True


def preprocess(seq: SkeletonSequence, cfg: PreprocessConfig) -> tuple[np.ndarray, np.ndarray]:
    """``(max_persons, frames, V, C)`` float32 positions and ``(max_persons, frames, V)`` bool mask.

    Normalising moves the first valid frame's root joint of the first person
    to the origin (so camera placement does not matter); 2D pixel data is also
    divided by the clip's largest extent, as pixel scale depends on the image.
    """
    seq = seq.select_frames(segment_indices(seq.num_frames, cfg.frames, train=False))
    m = min(seq.num_persons, cfg.max_persons)
    pos = np.zeros((cfg.max_persons, cfg.frames, seq.num_joints, seq.dims), np.float32)
    mask = np.zeros((cfg.max_persons, cfg.frames, seq.num_joints), bool)
    pos[:m], mask[:m] = seq.positions[:m], seq.mask[:m]
    if cfg.normalise and mask.any():
        first = int(np.argmax(mask[0].any(axis=-1))) if mask[0].any() else 0
        person = 0 if mask[0].any() else int(np.argmax(mask.any(axis=(1, 2))))
        valid = mask[person, first]
        origin = pos[person, first, 0] if valid[0] else pos[person, first][valid].mean(axis=0)
        pos = np.where(mask[..., None], pos - origin, 0.0).astype(np.float32)
        if seq.dims == 2:
            extent = float(np.ptp(pos[mask], axis=0).max()) if mask.sum() > 1 else 0.0
            if extent > 0:
                pos /= extent
    return pos, mask
