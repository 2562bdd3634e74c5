"""SkeletonSequence: one clip of one or more persons, validated on construction.

Missing data is explicit: ``mask[m, t, v]`` is False where a joint (or a
whole person in a frame) is absent, and the positions there are zero, never
NaN. Readers therefore never hand a renderer a NaN, and a person who leaves
the scene simply has an all-False mask in those frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import SkeletonDataError
from .topology import Topology

#: the frame rates a sequence may have (frames per second): one frame per 100 s to 100 kHz;
#: NaN, infinite, zero or negative rates would turn every duration and speed into nonsense
MIN_FPS, MAX_FPS = 0.01, 100_000.0


def checked_fps(fps: Any, source: object = None) -> float | None:
    """``fps`` as a float inside [MIN_FPS, MAX_FPS], or None (the file does not say); anything else is refused.

    Every sequence passes through here, whatever plugin made it, so a reader (or a ``-O fps=``
    option) cannot hand the renderers, the exports or ``info --json`` a NaN or infinite rate.
    """
    if fps is None:
        return None
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise SkeletonDataError(f"frame rate {fps!r} is not a number", source=source, field="fps") from None
    if isinstance(fps, bool) or not (MIN_FPS <= value <= MAX_FPS):  # False for NaN too
        raise SkeletonDataError(
            f"frame rate {fps!r} is not between {MIN_FPS:g} and {MAX_FPS:g} frames per second "
            "(NaN, infinite, zero and negative rates are refused; leave it unset when the file does not say)",
            source=source,
            field="fps",
        )
    return value


@dataclass
class SkeletonSequence:
    """Positions ``(M, T, V, C)`` float32 in the file's own units and axes.

    ``orientations`` ``(M, T, V, 4)`` are w,x,y,z unit quaternions (global
    joint rotations) when the format has them. ``confidence`` ``(M, T, V)``
    is a tracking state or detector score. ``extras`` holds per-joint arrays
    a format carries beyond that (e.g. NTU depth/colour pixel coordinates),
    each with leading ``(M, T, V)``. ``meta`` holds the source path, label,
    text and file-name fields.
    """

    positions: np.ndarray
    topology: Topology
    fps: float | None = None
    mask: np.ndarray | None = None
    orientations: np.ndarray | None = None
    confidence: np.ndarray | None = None
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        src = self.meta.get("source")
        self.fps = checked_fps(self.fps, src)
        pos = np.asarray(self.positions)
        if pos.ndim != 4:
            raise SkeletonDataError(
                f"positions must be (persons, frames, joints, dims), got shape {pos.shape}",
                source=src,
                field="positions",
            )
        m, t, v, c = pos.shape
        if t < 1:
            raise SkeletonDataError("empty sequence: no frames", source=src, field="positions")
        if m < 1:
            raise SkeletonDataError("sequence has no person", source=src, field="positions")
        if v != self.topology.num_joints:
            raise SkeletonDataError(
                f"{v} joints but topology {self.topology.name!r} has {self.topology.num_joints}",
                source=src,
                field="positions",
            )
        if c != self.topology.dims:
            raise SkeletonDataError(
                f"{c} coordinates per joint but topology {self.topology.name!r} is {self.topology.dims}D",
                source=src,
                field="positions",
            )
        pos = pos.astype(np.float32, copy=True)
        finite = np.isfinite(pos).all(axis=-1)
        mask = finite if self.mask is None else (np.asarray(self.mask, dtype=bool) & finite)
        if mask.shape != (m, t, v):
            raise SkeletonDataError(
                f"mask shape {mask.shape} does not match positions {(m, t, v)}", source=src, field="mask"
            )
        pos[~mask] = 0.0
        self.positions = pos
        self.mask = mask
        if self.orientations is not None:
            q = np.asarray(self.orientations, dtype=np.float32).copy()
            if q.shape != (m, t, v, 4):
                raise SkeletonDataError(
                    f"orientations shape {q.shape}, expected {(m, t, v, 4)}", source=src, field="orientations"
                )
            bad = ~np.isfinite(q).all(axis=-1)
            q[bad] = (1.0, 0.0, 0.0, 0.0)
            self.orientations = q
        if self.confidence is not None:
            conf = np.asarray(self.confidence, dtype=np.float32).copy()
            if conf.shape != (m, t, v):
                raise SkeletonDataError(
                    f"confidence shape {conf.shape}, expected {(m, t, v)}", source=src, field="confidence"
                )
            conf[~np.isfinite(conf)] = 0.0
            self.confidence = conf
        for key, arr in self.extras.items():
            if np.shape(arr)[:3] != (m, t, v):
                raise SkeletonDataError(
                    f"extra {key!r} has shape {np.shape(arr)}, expected leading {(m, t, v)}",
                    source=src,
                    field=key,
                )

    @property
    def num_persons(self) -> int:
        return int(self.positions.shape[0])

    @property
    def num_frames(self) -> int:
        return int(self.positions.shape[1])

    @property
    def num_joints(self) -> int:
        return int(self.positions.shape[2])

    @property
    def dims(self) -> int:
        return int(self.positions.shape[3])

    @property
    def has_orientations(self) -> bool:
        return self.orientations is not None

    @property
    def duration(self) -> float | None:
        return self.num_frames / self.fps if self.fps else None

    @property
    def person_present(self) -> np.ndarray:
        """``(M, T)`` bool: the person has at least one valid joint in that frame."""
        return self.mask.any(axis=-1)

    def select_frames(self, index: np.ndarray | list[int]) -> SkeletonSequence:
        """A new sequence made of the given frame indices (used by frame sampling)."""
        idx = np.asarray(index, dtype=np.int64)

        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[:, idx]

        return SkeletonSequence(
            positions=self.positions[:, idx],
            topology=self.topology,
            fps=self.fps,
            mask=self.mask[:, idx],
            orientations=take(self.orientations),
            confidence=take(self.confidence),
            extras={k: v[:, idx] for k, v in self.extras.items()},
            meta=dict(self.meta),
        )
