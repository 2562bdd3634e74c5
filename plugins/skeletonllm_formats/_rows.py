"""Tables of numbers, one record a line: the layout of MSR Action3D, MSRC-12 and SBU Kinect files.

All three are "N numbers a line" (spaces or commas); they differ in what a line
and a column mean. Parsing and the error wording live here so a bad token is
reported the same way in each: file, line, frame and the column's meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from skeletonllm.decode_budget import check_decoded_size
from skeletonllm.errors import SkeletonDataError
from skeletonllm.sequence import SkeletonSequence

from ._text import decoded_head

#: bytes held per value while a table is parsed (the token's string and its list slot, then a float64):
#: a text value takes at least two bytes with its separator, so this stays under the decode budget's
#: ratio to the file size and only the absolute cap refuses a genuine (huge) file
PARSE_BYTES_PER_VALUE = 64


def split_line(line: str, sep: str | None) -> list[str]:
    return line.split(sep) if sep else line.split()


def numeric_rows(
    path: Path,
    text: str,
    width: int,
    *,
    sep: str | None = None,
    column: Callable[[int], str],
    frame_of: Callable[[int], int] = lambda row: row,
    layout: str = "",
) -> np.ndarray:
    """``(rows, width)`` float64 from the non-empty lines of ``text``.

    ``column(i)`` names column ``i`` (e.g. ``"joint 3 y"``) and ``frame_of(r)``
    turns a row index into a frame index, so an error says which value of
    which frame is wrong. Trailing blank lines are allowed, blank lines in
    between are not (they shift every later frame).
    """
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    check_decoded_size(  # before splitting: every token becomes a string first
        len(lines) * width * PARSE_BYTES_PER_VALUE, path, f"{len(lines):,} lines x {width} numbers"
    )
    rows = []
    for i, line in enumerate(lines):
        fields = split_line(line, sep)
        if len(fields) != width:
            what = "an empty line" if not line.strip() else f"{len(fields)} values"
            raise SkeletonDataError(
                f"{what}, expected {width}{f' ({layout})' if layout else ''}",
                source=path,
                line=i + 1,
                frame=frame_of(i),
            )
        rows.append(fields)
    if not rows:
        raise SkeletonDataError("no data lines", source=path)
    try:
        return np.array(rows, dtype=np.float64)
    except ValueError:
        pass  # find the first bad token to name it
    for i, fields in enumerate(rows):
        for c, token in enumerate(fields):
            try:
                float(token)
            except ValueError:
                raise SkeletonDataError(
                    f"{token.strip()[:40]!r} in column {c + 1} is not a number (expected {column(c)})",
                    source=path,
                    line=i + 1,
                    frame=frame_of(i),
                    field=column(c),
                ) from None
    raise SkeletonDataError("unreadable numbers", source=path)  # pragma: no cover - float() and numpy agree


def head_rows(head: bytes, sep: str | None) -> list[list[str]] | None:
    """The complete lines of a sniffing head split into fields, or None when any field is not a number."""
    rows = [split_line(ln, sep) for ln in decoded_head(head).splitlines() if ln.strip()]
    try:
        for row in rows:
            for token in row:
                float(token)
    except ValueError:
        return None
    return rows


def zero_is_missing(xyz: np.ndarray) -> np.ndarray:
    """Mask of joints present: Kinect v1 tools write an untracked joint (or skeleton) as 0 0 0.

    The origin is the sensor itself, so no tracked joint can sit there.
    """
    return np.any(xyz != 0, axis=-1) & np.all(np.isfinite(xyz), axis=-1)


def require_one_kinect_v1(seq: SkeletonSequence, path: Path, fmt: str, joint_names: tuple[str, ...]) -> None:
    """Refuse, before anything is written, what a one-person Kinect v1 file cannot hold."""
    if tuple(seq.topology.joint_names) != tuple(joint_names) or seq.num_persons != 1:
        raise SkeletonDataError(
            f"{fmt} writes one person in the Kinect v1 topology, got {seq.num_persons} x "
            f"{seq.num_joints} joints ({seq.topology.name!r})",
            source=path,
        )
