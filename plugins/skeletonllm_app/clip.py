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

#: what an error tells the user to do when the detected format is the wrong one
CHOOSE_FORMAT = "choose another in the page's Format menu"

#: the columns of the info table, as ``skeletonllm info`` prints them
INFO_COLUMNS = ("path", "format", "persons", "frames", "joints", "dims", "fps", "duration", "has_orientations")


@dataclass(frozen=True)
class Clip:
    """One sequence of a file, cut to the frame window the user chose, and the file's info table.

    ``sequence`` is the window (what renderers and the model see); ``start`` is
    its first frame in the file, so sampled indices can be shown in file frames.
    The other sequences of the file are not kept (a PYSKL pickle may hold
    thousands): only their ``info`` rows, computed when the file is read.
    """

    name: str
    sequence: SkeletonSequence
    start: int = 0
    index: int = 0
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays the clip holds (what a cache of clips must bound)."""
        seq = self.sequence
        arrays = (seq.positions, seq.mask, getattr(seq, "orientations", None), getattr(seq, "confidence", None))
        return sum(int(a.nbytes) for a in arrays if isinstance(a, np.ndarray))


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
    """Read ``path`` (format detected from its content alone unless ``fmt``) and cut sequence ``index``.

    ``name`` is what errors and tables call the file: an upload lives under a
    temporary name the user never chose, so messages use the original one. The
    page detects by content, so the file's suffix decides nothing and an error
    points to the page's Format menu, not to the command line's ``--format``.
    """
    from skeletonllm.io import read_sequences

    name = name or Path(path).name
    try:
        sequences = read_sequences(path, fmt or None, registry, options, by_content=True, choose=CHOOSE_FORMAT)
    except SkeletonDataError as exc:
        if exc.message.startswith("not a recognised skeleton file"):
            exc = SkeletonDataError(
                f"{exc.message}; the page detects the format by content: {CHOOSE_FORMAT} to see that reader's complaint",
                source=exc.source,
            )
        raise _renamed(exc, str(path), name) from None
    if not sequences:
        raise SkeletonDataError("the file holds no sequence", source=name)
    if not 0 <= index < len(sequences):
        raise SkeletonDataError(f"sequence {index} is out of range: the file holds {len(sequences)}", source=name)
    whole = sequences[index]
    window = frame_window(whole.num_frames, start, end, name)
    sequence = whole if window == range(whole.num_frames) else whole.select_frames(np.asarray(window))
    return Clip(name, sequence, window.start, index, info_rows(name, sequences))


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


def info_rows(
    name: str, sequences: list[SkeletonSequence] | tuple[SkeletonSequence, ...]
) -> tuple[tuple[str, ...], ...]:
    """The ``skeletonllm info`` table of every sequence in the file, one row of text per sequence.

    Numbers as ``info`` prints them: a BVH's frame time of 1/120 s shows fps ``120``, not ``120.00048``.
    """
    from skeletonllm.summary import sequence_summary, shown_value

    many = len(sequences) > 1
    rows = [sequence_summary(name, seq, i if many else None) for i, seq in enumerate(sequences)]
    return tuple(tuple(shown_value(row[c]) for c in INFO_COLUMNS) for row in rows)


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
