"""Dataset: labelled samples plus the published split protocols as data."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..sequence import SkeletonSequence
from .base import Component


@dataclass
class Sample:
    """One labelled clip. ``load`` reads it lazily so a 100k-sample index stays small."""

    id: str
    label: int
    load: Callable[[], SkeletonSequence]
    text: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClassSplit:
    """An open-vocabulary seen/unseen class split, with where it was published."""

    name: str
    seen: tuple[int, ...]
    unseen: tuple[int, ...]
    source: str = ""


class Dataset(Component, ABC):
    """A benchmark read from a local folder (never downloaded).

    ``protocols`` are sample-level splits (cross-subject, cross-view...),
    ``class_splits`` the seen/unseen class splits. ``samples(split,
    classes=...)`` filters by class so that an unseen class can never reach
    a training prompt.
    """

    def __init__(self, options=None) -> None:
        self.options = options if options is not None else self.Options()

    @property
    @abstractmethod
    def class_names(self) -> list[str]: ...

    @abstractmethod
    def protocols(self) -> list[str]:
        """Names of sample-level protocols, e.g. ``['xsub', 'xview']``."""

    def protocol_description(self, protocol: str) -> str:
        """What ``protocol`` holds apart, in words for a report (e.g. ``xsub``: "cross-subject: train and test
        performers differ"); empty when the dataset does not say."""
        return ""

    def class_splits(self) -> dict[str, ClassSplit]:
        return {}

    @abstractmethod
    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        """Samples of ``split`` (e.g. ``'xsub/train'``), restricted to ``classes`` if given."""
