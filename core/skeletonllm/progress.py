"""Progress bars that appear only when work takes long enough to need one."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], desc: str = "", unit: str = "it", total: int | None = None) -> Iterator[T]:
    """tqdm on stderr, shown after one second (``delay``) so quick commands stay quiet."""
    return iter(
        tqdm(items, desc=desc, unit=unit, total=total, delay=1.0, file=sys.stderr, dynamic_ncols=True, leave=False)
    )


def progress_bar(total: int, desc: str = "", unit: str = "it") -> tqdm:
    """A bar updated by hand (``bar.update()``), for work counted inside a loop (micro-batches of a step)."""
    return tqdm(total=total, desc=desc, unit=unit, delay=1.0, file=sys.stderr, dynamic_ncols=True, leave=False)
