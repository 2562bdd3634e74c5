"""Teacher: writes the step-by-step rationale CR-Distill trains the student to reproduce."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from ..tasks import ClipContext
from .base import Component


class Teacher(Component, ABC):
    def __init__(self, options=None) -> None:
        self.options = options if options is not None else self.Options()

    @abstractmethod
    def rationale(self, clip: ClipContext, *, know_label: bool = True) -> str:
        """The step-by-step rationale for one clip, *without* the final ``Label:`` line.

        The CR-Distill stage appends the label line (or not: the paper's Table 8
        variant without it). ``know_label=False`` is the variant whose teacher is
        not told the class and must describe only what it sees.
        """

    def require(self, sample_ids: Iterable[str], *, know_label: bool = True) -> None:
        """Raise, naming every missing one, if a clip of ``sample_ids`` has no rationale; default: any clip has one.

        Called once with every training clip's id before the first step (and by
        ``skeletonllm validate``), so a teacher reading per-clip data (a file) fails up front.
        """
