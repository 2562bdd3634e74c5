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
