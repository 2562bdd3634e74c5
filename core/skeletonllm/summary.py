"""The one-line facts of a sequence that ``skeletonllm info`` prints and the app shows."""

from __future__ import annotations

from typing import Any


def sequence_summary(path: str, seq: Any, index: int | None = None) -> dict:
    """Format, persons, frames, joints, dims, fps and duration of one sequence (``path#index`` for the n-th)."""
    return {
        "path": path if index is None else f"{path}#{index}",
        "format": seq.meta.get("format", ""),
        "persons": seq.num_persons,
        "frames": seq.num_frames,
        "joints": seq.num_joints,
        "dims": seq.dims,
        "fps": seq.fps,
        "duration": round(seq.duration, 3) if seq.duration else None,
        "has_orientations": seq.has_orientations,
    }


def shown_value(value: object) -> str:
    """A table cell: ``-`` for unknown; numbers to 3 decimals, so a BVH's 1/0.0083333 s shows as ``120``.

    ``info`` prints its table with it and the app shows its info table with it, so both
    show the same numbers; ``info --json`` keeps the exact values.
    """
    if value is None:
        return "-"
    return format(round(value, 3), "g") if isinstance(value, float) else str(value)
