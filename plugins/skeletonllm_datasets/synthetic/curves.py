"""Small curve helpers the action definitions are written in.

An action is a function of normalised progress ``u`` in [0, 1] over its
window; these helpers turn key poses at given progress values into smooth
per-frame curves, so each action reads like a choreography note.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, a C1-smooth ramp between (no velocity jumps at key poses)."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def ramp(u: np.ndarray, start: float, end: float) -> np.ndarray:
    """Smooth 0 -> 1 transition between progress ``start`` and ``end``."""
    return smoothstep((u - start) / max(end - start, 1e-6))


def envelope(u: np.ndarray, rise: float = 0.2, fall: float = 0.2) -> np.ndarray:
    """0 -> 1 over the first ``rise``, hold, 1 -> 0 over the last ``fall`` of the window."""
    return ramp(u, 0.0, rise) * (1.0 - ramp(u, 1.0 - fall, 1.0))


def oscillate(u: np.ndarray, cycles: float, phase: float = 0.0) -> np.ndarray:
    """``sin`` with ``cycles`` periods over the window, starting at ``phase`` (in periods)."""
    return np.sin(2.0 * np.pi * (cycles * u + phase))


def keys(u: np.ndarray, points: Sequence[tuple[float, Sequence[float] | float]]) -> np.ndarray:
    """Interpolate key values at progress points with smoothstep easing.

    ``points`` are ``(progress, value)`` in increasing progress; before the
    first and after the last point the value is held. Values are scalars or
    equal-length vectors (e.g. an (rx, ry, rz) joint pose in degrees);
    the result is ``(T,)`` or ``(T, D)``.
    """
    at = np.array([p for p, _ in points], dtype=np.float64)
    vals = np.array([np.atleast_1d(np.asarray(v, dtype=np.float64)) for _, v in points])
    idx = np.clip(np.searchsorted(at, u, side="right") - 1, 0, len(at) - 1)
    nxt = np.minimum(idx + 1, len(at) - 1)
    span = np.maximum(at[nxt] - at[idx], 1e-9)
    w = smoothstep((u - at[idx]) / span)
    w = np.where(nxt == idx, 0.0, w)
    out = vals[idx] + (vals[nxt] - vals[idx]) * w[:, None]
    return out[:, 0] if np.ndim(points[0][1]) == 0 else out


def vec(x: np.ndarray | float = 0.0, y: np.ndarray | float = 0.0, z: np.ndarray | float = 0.0) -> np.ndarray:
    """Stack three per-frame curves (or constants) into ``(T, 3)``."""
    arrays = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float), np.asarray(z, float))
    return np.stack(arrays, axis=-1)
