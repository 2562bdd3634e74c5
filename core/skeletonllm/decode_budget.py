"""How much memory a reader may decode from one file: bounded by the file's size, with a cap a user can raise.

A 180 kB NTU file whose first frame lists 60 bodies and whose next 40,000
frames list none decodes to 60 x 40,000 x 25 joints: gigabytes from a small
file. On a shared server or behind the web app that is a denial of service,
and the reader cannot tell it from a real recording without knowing how much
a file of that size may reasonably expand. Every reader therefore estimates
the bytes it is about to allocate *before* allocating them and calls
:func:`check_decoded_size`, which refuses with one line beyond:

* ``SIZE_RATIO`` times the file's size, but at least ``MIN_LIMIT`` (small real
  files may expand a lot: a padded second person, a few empty frames), and
* at most ``DEFAULT_CAP`` whatever the file's size.

A genuine file beyond that is read by setting ``SKELETONLLM_MAX_DECODE_BYTES``
(bytes, or with a K/M/G/T suffix): the variable replaces both bounds, and the
error says so. Readers added by plugins use the same helper (see docs/formats.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import SkeletonDataError, SkeletonLLMError

#: environment variable that sets the decode limit in bytes (replaces the size-based bound)
ENV_VAR = "SKELETONLLM_MAX_DECODE_BYTES"
#: a file may decode to this many times its own size ...
SIZE_RATIO = 64
#: ... but always to at least this much (small files with padding or empty frames) ...
MIN_LIMIT = 128 * 1024**2
#: ... and never to more than this without ``SKELETONLLM_MAX_DECODE_BYTES``
DEFAULT_CAP = 4 * 1024**3

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)


def human_bytes(n: float) -> str:
    """``3.2 GiB``, ``180 kB``-style text for a byte count (binary units)."""
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


def parse_bytes(text: str, what: str = ENV_VAR) -> int:
    """``"512M"`` -> 536870912; a malformed value is an error naming ``what``."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise SkeletonLLMError(f"{what}={text[:40]!r} is not a size (bytes, or a number with K, M, G or T)")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def decode_limit(file_size: int) -> tuple[int, str]:
    """The bytes a file of ``file_size`` may decode to, and how that limit was chosen (for messages)."""
    raw = os.environ.get(ENV_VAR)
    if raw is not None and raw.strip():
        return parse_bytes(raw), f"{ENV_VAR}={raw.strip()}"
    limit = min(DEFAULT_CAP, max(MIN_LIMIT, SIZE_RATIO * file_size))
    return limit, (
        f"for a {human_bytes(file_size)} file ({SIZE_RATIO} x its size, at least {human_bytes(MIN_LIMIT)}, "
        f"at most {human_bytes(DEFAULT_CAP)})"
    )


def _file_size(source: str | Path | None) -> int:
    try:
        return os.stat(source).st_size if source is not None else 0
    except OSError:
        return 0


def check_decoded_size(
    nbytes: int,
    source: str | Path | None,
    what: str,
    *,
    file_size: int | None = None,
    field: str | None = None,
) -> None:
    """Refuse, before allocating, to decode ``nbytes`` from ``source`` beyond :func:`decode_limit`.

    ``what`` says what would be decoded (``"60 persons x 40,000 frames x 25 joints"``);
    ``file_size`` defaults to the size of ``source`` on disk.
    """
    size = _file_size(source) if file_size is None else file_size
    limit, why = decode_limit(size)
    if nbytes <= limit:
        return
    suggest = 1 << max(30, (int(nbytes) - 1).bit_length())
    raise SkeletonDataError(
        f"{what} would take {human_bytes(nbytes)} in memory, more than the {human_bytes(limit)} allowed {why}; "
        f"refusing to decode it (corrupt or malicious?). If the file is genuine, raise the limit: "
        f"{ENV_VAR}={suggest // 1024**3}G",
        source=source,
        field=field,
    )


def memory_cap() -> tuple[int, str]:
    """The most one clip's generating or rendering may allocate: ``SKELETONLLM_MAX_DECODE_BYTES`` or the default cap."""
    raw = os.environ.get(ENV_VAR)
    if raw is not None and raw.strip():
        return parse_bytes(raw), f"{ENV_VAR}={raw.strip()}"
    return DEFAULT_CAP, f"set {ENV_VAR} to raise it"


def check_memory(nbytes: int, what: str, advice: str) -> None:
    """Refuse, before allocating, work whose estimated memory ``nbytes`` exceeds :func:`memory_cap`.

    For sizes that come from options rather than a file (``render -f 2000 -s 4096``,
    ``synth --frames``): the message gives the estimate, the cap and ``advice``.
    """
    cap, why = memory_cap()
    if nbytes > cap:
        raise SkeletonLLMError(
            f"{what} would take about {human_bytes(nbytes)} of memory, more than the {human_bytes(cap)} allowed "
            f"({why}); {advice}"
        )


def sequence_bytes(persons: int, frames: int, joints: int, dims: int = 3, per_joint: int = 0) -> int:
    """Estimated bytes of a decoded sequence: float64 positions, rotations, mask, confidence, plus ``per_joint``.

    Deliberately generous (orientations and a working copy counted even when absent):
    it decides whether to start decoding, not how much to allocate.
    """
    per = dims * 8 * 2 + 4 * 8 + 9 * 8 + 8 + 1 + per_joint
    return int(persons) * int(frames) * int(joints) * per


__all__ = [
    "DEFAULT_CAP",
    "ENV_VAR",
    "MIN_LIMIT",
    "SIZE_RATIO",
    "check_decoded_size",
    "check_memory",
    "decode_limit",
    "human_bytes",
    "memory_cap",
    "parse_bytes",
    "sequence_bytes",
]
