"""The app's cache of read clips, bounded by the bytes it holds rather than by a count of entries.

Look and Ask on the same file should not parse it twice, but a count bound is no
bound: eight cached reads of a 150 kB pickle that expands to gigabytes hold
gigabytes. Each entry is weighed by its arrays (:attr:`Clip.nbytes`); the least
recently used entries leave until the total fits, and a clip larger than the
whole budget is returned without being kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from .clip import Clip

#: default budget: a few long 3D clips; a page process should not grow past this for its cache
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class ClipCache:
    """Least-recently-used clips, at most ``max_bytes`` in all; safe to share between request threads."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
        self.max_bytes = int(max_bytes)
        self._entries: OrderedDict[Hashable, Clip] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Bytes held now (never more than ``max_bytes``)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, read: Callable[[], Clip]) -> Clip:
        """The cached clip for ``key``, else ``read()``'s, kept when it fits the budget.

        ``read`` runs outside the lock, so a slow file does not hold up other requests
        (two requests for one new file may both read it; the second result is kept).
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        clip = read()
        size = clip.nbytes
        if size > self.max_bytes:
            return clip  # used for this request, never held
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key).nbytes
            self._entries[key] = clip
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.nbytes
        return clip

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
