"""What the page knows about one skeleton file: its sequences, the chosen window and its speeds.

No gradio here: these functions take paths and numbers and return plain data,
so they are tested without a browser and reused by any other front end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skeletonllm.batch import segment_indices
from skeletonllm.errors import SkeletonDataError
from skeletonllm.sequence import SkeletonSequence

if TYPE_CHECKING:
    from skeletonllm.registry import Registry

#: the columns of the info table, as ``skeletonllm info`` prints them
INFO_COLUMNS = ("path", "format", "persons", "frames", "joints", "dims", "fps", "duration", "has_orientations")


@dataclass(frozen=True)
class Clip:
    """One sequence of a file, cut to the frame window the user chose.

    ``sequence`` is the window (what renderers and the model see); ``start`` is
    its first frame in the file, so sampled indices can be shown in file frames.
    """

    name: str
    sequences: tuple[SkeletonSequence, ...]
    index: int
    sequence: SkeletonSequence
    start: int

    @property
    def whole(self) -> SkeletonSequence:
        return self.sequences[self.index]


def read_clip(
    path: str | Path,
    *,
    name: str | None = None,
    fmt: str | None = None,
    index: int = 0,
    start: int = 0,
    end: int | None = None,
    options: dict[str, Any] | None = None,
    registry: Registry | None = None,
) -> Clip:
    """Read ``path`` (format sniffed from content unless ``fmt``) and cut sequence ``index`` to ``[start, end)``.

    ``name`` is what errors and tables call the file: an upload lives under a
    temporary name the user never chose, so messages use the original one.
    """
    from skeletonllm.io import read_sequences

    name = name or Path(path).name
    try:
        sequences = tuple(read_sequences(path, fmt or None, registry, options))
    except SkeletonDataError as exc:
        raise _renamed(exc, str(path), name) from None
    if not sequences:
        raise SkeletonDataError("the file holds no sequence", source=name)
    if not 0 <= index < len(sequences):
        raise SkeletonDataError(f"sequence {index} is out of range: the file holds {len(sequences)}", source=name)
    whole = sequences[index]
    window = frame_window(whole.num_frames, start, end, name)
    sequence = whole if window == range(whole.num_frames) else whole.select_frames(np.asarray(window))
    return Clip(name, sequences, index, sequence, window.start)


def frame_window(num_frames: int, start: int, end: int | None, name: str = "") -> range:
    """Frames ``[start, end)`` of a clip of ``num_frames``; ``end`` ``None`` or 0 means the last frame."""
    stop = num_frames if not end else min(int(end), num_frames)
    first = max(0, int(start))
    if first >= stop:
        raise SkeletonDataError(
            f"empty frame window [{first}, {stop}): the clip has {num_frames} frames", source=name or None
        )
    return range(first, stop)


def _renamed(exc: SkeletonDataError, path: str, name: str) -> SkeletonDataError:
    """The same error with the upload's temporary path replaced by the name the user knows."""
    source = name if exc.source in (None, path) else exc.source.replace(path, name)
    message = exc.message.replace(path, name)
    return SkeletonDataError(message, source=source, line=exc.line, frame=exc.frame, field=exc.field)


def info_rows(clip: Clip) -> list[list[str]]:
    """The ``skeletonllm info`` table of every sequence in the file, one row of text per sequence."""
    from skeletonllm.summary import sequence_summary

    many = len(clip.sequences) > 1
    rows = [sequence_summary(clip.name, seq, i if many else None) for i, seq in enumerate(clip.sequences)]
    return [["-" if row[c] is None else str(row[c]) for c in INFO_COLUMNS] for row in rows]


def sampled_frames(clip: Clip, frames: int) -> np.ndarray:
    """File frame indices of the ``frames`` frames a renderer sees at test time (centre of each segment).

    The same :func:`segment_indices` call ``SkeletonBatch.from_sequences`` makes, so the marks on the
    speed plot are exactly the rendered frames.
    """
    return clip.start + segment_indices(clip.sequence.num_frames, frames, train=False)


def joint_speeds(sequence: SkeletonSequence) -> tuple[np.ndarray, str]:
    """Per-joint speed ``(M, T-1, V)`` between consecutive frames, NaN where a joint is missing in either.

    Speeds are in the file's units per second when it states a frame rate,
    else per frame; the second value says which (for the plot's axis).
    A one-frame clip has no speed: the array has zero frames.
    """
    pos, mask = sequence.positions, sequence.mask
    step = np.linalg.norm(np.diff(pos, axis=1), axis=-1)
    valid = mask[:, 1:] & mask[:, :-1]
    speeds = np.where(valid, step, np.nan).astype(np.float32)
    if sequence.fps:
        return speeds * np.float32(sequence.fps), "units/s"
    return speeds, "units/frame"


def missing_share(sequence: SkeletonSequence) -> float:
    """Share of (person, frame, joint) entries that are missing, over frames where the person is present."""
    present = sequence.person_present
    expected = int(present.sum()) * sequence.num_joints
    if expected == 0:
        return 1.0
    return 1.0 - float(sequence.mask[present].sum()) / expected
