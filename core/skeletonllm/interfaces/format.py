"""SkeletonFormat: read (and optionally write) one file layout."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from ..sequence import SkeletonSequence
from ..topology import Topology
from .base import Component


class SkeletonFormat(Component, ABC):
    """A file layout such as NTU ``.skeleton`` or BVH.

    ``sniff`` decides by *content* (a few hundred bytes is enough for every
    built-in format) so a renamed file is still recognised; the suffix only
    breaks ties. ``read`` returns a list because container files (COCO JSON,
    PYSKL pickles) hold many sequences. ``topology`` is ``None`` for formats
    whose layout comes from the file itself (BVH).
    """

    suffixes: ClassVar[tuple[str, ...]] = ()
    topology: ClassVar[Topology | None] = None
    can_write: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        """A class that implements ``write`` is a writer: ``can_write`` follows unless the class sets it itself.

        (Third-party authors implemented ``write`` and saw it silently ignored while ``can_write``
        had to be set by hand.)
        """
        super().__init_subclass__(**kwargs)
        if "write" in cls.__dict__ and "can_write" not in cls.__dict__:
            cls.can_write = True

    def __init__(self, options=None) -> None:
        self.options = options if options is not None else self.Options()

    @abstractmethod
    def sniff(self, path: Path, head: bytes) -> float:
        """Confidence in [0, 1] that ``path`` is in this format; ``head`` is its first 4 KiB."""

    @abstractmethod
    def read(self, path: Path) -> list[SkeletonSequence]:
        """Every sequence in the file; raises SkeletonDataError naming file, line/frame, field."""

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """Write one sequence so that ``read`` gives it back (overriding this makes the format a writer)."""
        raise NotImplementedError(f"format {self.name!r} cannot write files")
