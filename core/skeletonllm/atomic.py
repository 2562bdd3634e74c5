"""Write a file so that it is either complete or absent: temp file in the same folder, then ``os.replace``.

A full disk, a kill or a bug half-way through a write must never leave a
truncated output that looks finished (a 0-byte GIF) or litter the folder
with temp files (``*.tmp.npz``). The temp file lives next to the target so
the final rename stays on one file system, which makes it atomic; it keeps
the target's suffix because writers choose their encoding by suffix
(``numpy.savez`` appends ``.npz`` otherwise, Pillow picks GIF or PNG by it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SkeletonLLMError


class WriteError(SkeletonLLMError, OSError):
    """A file could not be written (disk full, no permission...); names the file and the reason."""


def temp_path_for(path: Path) -> Path:
    """A hidden sibling of ``path`` with the same suffix, unique to this call."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")


@contextmanager
def atomic_write(path: str | Path) -> Iterator[Path]:
    """Yield a temp path to write to; on success it replaces ``path``, on any error it is removed.

    ``OSError`` (``ENOSPC``, ``EACCES``...) becomes a ``WriteError`` naming ``path``; any other
    exception propagates unchanged, after the cleanup.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"{path}: cannot create its folder: {exc.strerror or exc}") from None
    tmp = temp_path_for(path)
    try:
        yield tmp
        if not tmp.exists():
            raise WriteError(f"{path}: the writer produced no file")
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        if isinstance(exc, WriteError):
            raise
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: Path) -> None:
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover - nothing better to do than leave it
        pass
