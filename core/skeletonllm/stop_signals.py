"""SIGINT and SIGTERM stop a training run cleanly: the run lock is released and the user is told what is kept.

Without a handler, SIGTERM (what ``kill``, a scheduler's time limit or
``docker stop`` send) ends the process at once: exit -15, nothing printed,
and the run folder's lock file left behind for the next run to puzzle over.
Inside :func:`stop_on_signals` either signal raises :class:`TrainingStopped` in
the main thread instead, so every ``with`` block (the run lock, a checkpoint
being written) unwinds, and the command prints one line and exits 128 + the
signal's number, as a shell expects. A second signal while unwinding is
ignored, so the clean-up cannot be cut short.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import SkeletonLLMError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingStopped(SkeletonLLMError):
    """Training was stopped by a signal; ``signum`` says which."""

    def __init__(self, signum: int, detail: str = "") -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"training stopped by {self.signal_name}" + (f"; {detail}" if detail else ""))

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into :class:`TrainingStopped` while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # unwinding (lock release, temp files) is not interrupted
        raise TrainingStopped(signum)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
