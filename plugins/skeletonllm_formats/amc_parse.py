"""Acclaim AMC motion text -> per-bone channel values, checked against the ASF skeleton.

After optional header keywords (``:FULLY-SPECIFIED``, ``:DEGREES`` or
``:RADIANS``) each frame is its number alone on a line, then one line per bone:
its name and one value per ``dof`` token of the skeleton (the root: one per
``:root order`` token). Frame numbers must count up by one, and every bone with
dofs must have its line in every frame: a missing line is a truncated file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skeletonllm.errors import SkeletonDataError

from .asf_parse import AsfSkeleton, strip_line


@dataclass
class AmcMotion:
    """Per-bone channel values (T, len(dofs)) in ASF dof order, and the AMC's own angle unit if it says."""

    values: dict[str, np.ndarray]
    num_frames: int
    angle_unit: str | None
    first_frame: int


def parse_amc(path: Path, text: str, skeleton: AsfSkeleton, asf_path: Path | None = None) -> AmcMotion:
    """Motion values per bone; a bone missing from a frame, or with the wrong value count, is an error."""
    dof_count = {b.name: len(b.dofs) for b in skeleton.bones}
    angle_unit = None
    frames: list[dict[str, list[str]]] = []
    numbers: list[int] = []
    lines: dict[tuple[int, str], int] = {}
    for no, line in enumerate(text.splitlines(), 1):
        toks = strip_line(line)
        if not toks:
            continue
        head = toks[0]
        if head.startswith(":"):
            word = head.upper()
            if word in (":DEGREES", ":RADIANS"):
                angle_unit = "deg" if word == ":DEGREES" else "rad"
            continue
        if len(toks) == 1 and head.isdigit():
            number = int(head)
            if numbers and number != numbers[-1] + 1:
                raise SkeletonDataError(
                    f"frame number {number} follows {numbers[-1]} (frames must count up by one)",
                    source=path,
                    line=no,
                    frame=len(frames),
                    field="frame number",
                )
            numbers.append(number)
            frames.append({})
            continue
        if not frames:
            raise SkeletonDataError(
                f"{head[:40]!r} before the first frame number", source=path, line=no, field="frame number"
            )
        frame = len(frames) - 1
        if head not in dof_count:
            known = ", ".join(list(dof_count)[:8])
            raise SkeletonDataError(
                f"bone {head[:40]!r} is not in the skeleton {asf_path.name if asf_path else ''} ({known}, ...)",
                source=path,
                line=no,
                frame=frame,
                field="bone",
            )
        if head in frames[-1]:
            raise SkeletonDataError(
                f"bone {head} appears twice in one frame", source=path, line=no, frame=frame, field=head
            )
        if len(toks) - 1 != dof_count[head]:
            raise SkeletonDataError(
                f"{len(toks) - 1} values for {head}, its dof line has {dof_count[head]}",
                source=path,
                line=no,
                frame=frame,
                field=head,
            )
        frames[-1][head] = toks[1:]
        lines[(frame, head)] = no
    if not frames:
        raise SkeletonDataError(
            "no frames (expected a frame number, then one line per bone)", source=path, field="frame number"
        )
    values: dict[str, np.ndarray] = {}
    for bone in skeleton.bones:
        if not bone.dofs:
            continue
        missing = next((t for t, f in enumerate(frames) if bone.name not in f), None)
        if missing is not None:
            raise SkeletonDataError(
                f"bone {bone.name} has no line in frame {numbers[missing]} (file truncated?)",
                source=path,
                frame=missing,
                field=bone.name,
            )
        try:
            values[bone.name] = np.array([f[bone.name] for f in frames], dtype=np.float64)
        except ValueError:
            t, tok = next((t, tok) for t, f in enumerate(frames) for tok in f[bone.name] if not _is_float(tok))
            raise SkeletonDataError(
                f"{tok[:40]!r} is not a number", source=path, line=lines[(t, bone.name)], frame=t, field=bone.name
            ) from None
    return AmcMotion(values, len(frames), angle_unit, numbers[0])


def _is_float(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
