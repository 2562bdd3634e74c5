"""Commands over many files keep going: each bad file is one line, the others still run, the exit is non-zero.

``skeletonllm info`` over 200 files of which one was not a skeleton used to stop at that
file and print nothing for the other 199. Every per-file command (``info``, ``export``,
``render``) runs each file's work inside :meth:`FileErrors.one`: an error the user can act
on (:class:`~skeletonllm.errors.SkeletonLLMError`) is printed at once on its own line, naming
the file, and the loop goes on; :meth:`FileErrors.finish` then exits with status 1 when any
file failed. Anything else is a bug and still stops the command through the CLI's catch-all.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..errors import SkeletonLLMError
from ..wording import counted


def _echo_error(line: str) -> None:
    """One line on stderr that does not tear a progress bar in half (nor shows one still hidden by its delay)."""
    from tqdm.auto import tqdm

    def shown(bar: object) -> bool:
        start, delay = getattr(bar, "start_t", None), getattr(bar, "delay", 0) or 0
        visible = not getattr(bar, "disable", False)  # a bar with a delay prints first once it has passed
        return visible and start is not None and getattr(bar, "last_print_t", start) >= start + delay

    if any(shown(bar) for bar in list(getattr(tqdm, "_instances", ()))):
        tqdm.write(line, file=sys.stderr)
    else:
        click.echo(line, err=True)


class FileErrors:
    """The files of one command that failed, reported as they fail."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        ctx = click.get_current_context(silent=True)
        root = ctx.find_root().obj if ctx is not None else None
        self.debug = bool(root and root.get("debug"))

    @contextmanager
    def one(self, path: str) -> Iterator[None]:
        """Run one file's work; a SkeletonLLMError becomes ``error: PATH: message`` and the loop goes on."""
        try:
            yield
        except SkeletonLLMError as exc:
            if self.debug:
                traceback.print_exc()
            message = str(exc)
            _echo_error(f"error: {message if str(path) in message else f'{path}: {message}'}")
            self.failed.append(str(path))

    def finish(self, total: int) -> None:
        """Exit 1 if any file failed (with a count when there were several files); return otherwise."""
        if not self.failed:
            return
        if total > 1:
            _echo_error(f"error: {len(self.failed)} of {counted(total, 'file')} failed (each is named above)")
        sys.exit(1)
