"""Dataset: labelled samples plus the published split protocols as data."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
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


#: the body parts a class description speaks of (the parts every built-in topology names)
BODY_PARTS = ("head", "torso", "left_arm", "right_arm", "left_leg", "right_leg")


@dataclass(frozen=True)
class ClassDescription:
    """What a class's movement looks like, in words, with where the words came from.

    ``whole`` is one sentence on the whole movement; ``parts`` one sentence per
    body part of :data:`BODY_PARTS`. Methods that name classes from their
    meaning (an alignment baseline, a prompt, matching a clip's description)
    read these instead of inventing their own.
    """

    name: str
    whole: str
    parts: Mapping[str, str]
    source: str = ""

    def text(self, *, name: bool = False, parts: bool = True) -> str:
        """One paragraph: optionally the name, the whole-movement sentence, then ``part: sentence`` per part."""
        pieces = [f"{self.name}."] if name else []
        pieces.append(self.whole)
        if parts:
            pieces += [f"{p.replace('_', ' ')}: {self.parts[p]}" for p in BODY_PARTS if p in self.parts]
        return " ".join(pieces)


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

    def class_descriptions(self) -> dict[str, ClassDescription]:
        """Class name -> its description (every class, or none when the dataset ships no descriptions)."""
        return {}

    def check(self) -> list[str]:
        """Problems that can be found cheaply before anything runs, one line each (none by default).

        ``skeletonllm validate`` calls this when it checks a spec's files: a dataset with an
        index file (the ``folder`` dataset's CSV) reports its header or rows here. Reads no clip.
        """
        return []

    @abstractmethod
    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        """Samples of ``split`` (e.g. ``'xsub/train'``), restricted to ``classes`` if given."""
