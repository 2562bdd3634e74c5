"""A SynthAct clip carried along a straight path: the strong-travel cases renderers must frame.

SynthAct's performers stay on their spot (its locomotion classes step, hop
and jump in place), while real capture walks across the volume and towards
the camera. ``travelled`` adds that travel, in any unit, so the framing
tests and the gallery benchmark use one definition of "walks 5 m towards the
camera".
"""

from __future__ import annotations

import numpy as np

from skeletonllm.sequence import SkeletonSequence


def travelled(seq: SkeletonSequence, start: np.ndarray, end: np.ndarray, unit: float = 1.0) -> SkeletonSequence:
    """``seq`` moved so its first frame's first joint goes from ``start`` to ``end`` at constant speed.

    ``start``/``end`` are in the clip's own coordinates (metres for 3D
    topologies, pixels for 2D); everything is then multiplied by ``unit``
    (1000 gives millimetres). Masks and orientations are kept.
    """
    t = np.linspace(0.0, 1.0, seq.num_frames)[None, :, None, None]
    path = np.asarray(start, dtype=np.float64) + t * (np.asarray(end, dtype=np.float64) - np.asarray(start))
    anchor = seq.positions[:, :1, :1].mean(axis=(0, 1, 2))
    pos = ((seq.positions - anchor + path) * unit).astype(np.float32)
    source = f"{seq.meta.get('source', seq.meta.get('action', 'synthact'))} from {list(start)} to {list(end)} x{unit:g}"
    return SkeletonSequence(pos, seq.topology, seq.fps, seq.mask, seq.orientations, meta={**seq.meta, "source": source})
