"""Split names and the skip report shared by every dataset plugin.

A split is ``"<protocol>/<part>"``: a sample-level protocol (``xsub/train``,
``xview/test``) or an open-vocabulary class split (``55/5/train`` = samples
of the seen classes, ``55/5/test`` = samples of the unseen classes). Parsing
lives here so every dataset answers an unknown name the same way: with the
names that do exist.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.dataset import ClassSplit, Sample

PARTS = ("train", "test", "val")


@dataclass(frozen=True)
class SplitRequest:
    """A parsed split name: which protocol or class split, which part."""

    head: str
    part: str
    class_split: ClassSplit | None


def parse_split(
    split: str, dataset: str, protocols: Iterable[str], class_splits: dict[str, ClassSplit], parts=PARTS
) -> SplitRequest:
    """``"xsub/train"`` or ``"55/5/test"`` -> SplitRequest; anything else is a clear error."""
    head, _, part = split.rpartition("/")
    protocols = list(protocols)
    valid = [f"{p}/{x}" for p in protocols for x in parts] + [
        f"{c}/{x}" for c in class_splits for x in ("train", "test")
    ]
    if part not in parts or (head not in protocols and head not in class_splits):
        raise SkeletonDataError(
            f"dataset {dataset!r} has no split {split!r}; splits: {', '.join(valid)}", field="split"
        )
    if head in class_splits and part == "val":
        raise SkeletonDataError(f"class split {head!r} has train and test parts only", field="split")
    return SplitRequest(head, part, class_splits.get(head) if head not in protocols else None)


def allowed_classes(request: SplitRequest, classes: set[int] | None) -> set[int] | None:
    """The class filter after a class split: train = seen, test = unseen, intersected with ``classes``."""
    if request.class_split is None:
        return classes
    own = set(request.class_split.seen if request.part == "train" else request.class_split.unseen)
    return own if classes is None else own & set(classes)


def filter_classes(samples: Iterable[Sample], classes: set[int] | None) -> Iterator[Sample]:
    """Keep samples whose label is in ``classes`` (all when None)."""
    for s in samples:
        if classes is None or s.label in classes:
            yield s


def check_label(label: int, num_classes: int, dataset: str, source: str) -> int:
    """A label outside the class list means the data is not what the class list describes."""
    if not 0 <= label < num_classes:
        raise SkeletonDataError(
            f"label {label + 1} (1-based) but {dataset} has {num_classes} classes: the data does not match "
            f"the class list (another release of the benchmark?)",
            source=source,
            field="label",
        )
    return label


def seeded_unseen(num_classes: int, num_unseen: int, seed: int) -> tuple[int, ...]:
    """1-based ids of ``num_unseen`` classes drawn without replacement by numpy's PCG64 with ``seed``, sorted.

    For datasets without a published zero-shot split: the data files record the seed,
    and a test recomputes the draw, so the split can be checked and redrawn.
    """
    chosen = np.random.default_rng(seed).choice(num_classes, size=num_unseen, replace=False)
    return tuple(sorted(int(i) + 1 for i in chosen))


def held_out_takes(takes: Iterable[str], seed: int, fraction: float) -> set[str]:
    """The test takes of one class: the first ``round(fraction * n)`` (>= 1 when n >= 2) by sha1(seed:take).

    Ranking by a hash of each take's own name, not by shuffling a list, means a take's
    side does not depend on which other files a copy happens to hold.
    """
    names = sorted(set(takes))
    if len(names) < 2:
        return set()
    ranked = sorted(names, key=lambda name: hashlib.sha1(f"{seed}:{name}".encode()).hexdigest())
    return set(ranked[: max(1, round(fraction * len(names)))])


@dataclass
class SkipReport:
    """Files that could not be used, with why; printed as one summary line."""

    what: str = "files"
    total: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, reason: str) -> None:
        self.skipped.append((name, reason))

    def summary(self, limit: int = 5) -> str:
        """``"skipped 2 of 40 files: a.skeleton (empty file); b.skeleton (line 3: ...)"``."""
        if not self.skipped:
            return f"loaded all {self.total} {self.what}"
        shown = "; ".join(f"{n} ({r})" for n, r in self.skipped[:limit])
        more = f"; and {len(self.skipped) - limit} more" if len(self.skipped) > limit else ""
        return f"skipped {len(self.skipped)} of {self.total} {self.what}: {shown}{more}"

    def print(self) -> None:
        """One line on stderr, only when something was skipped."""
        if self.skipped:
            print(self.summary(), file=sys.stderr)
