"""Penn Action: 2,326 video clips of 15 sports actions, 13 joints in 2D, the official train flag.

The download has ``labels/NNNN.mat`` (and ``frames/``, not needed). The class
and the train/test side are *inside* each file (``action``, ``train``), so the
index reads every file once through the core (``penn_action`` format; about
ten seconds for the complete set) and keeps the small sequences. A file that
does not read, or whose action is not one of the 15, is refused with the reason.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from skeletonllm.errors import SkeletonDataError, SkeletonLLMError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.io import read_sequences
from skeletonllm.progress import progress
from skeletonllm.sequence import SkeletonSequence

from .published import PublishedBenchmark
from .splitting import SkipReport, allowed_classes, filter_classes, parse_split

NAME = re.compile(r"^\d{4}$")


class PennActionOptions(PluginOptions):
    """``root``: the Penn Action folder (holding ``labels/``) or ``labels/`` itself."""

    root: Path


def _copy(seq: SkeletonSequence) -> SkeletonSequence:
    """A fresh copy per load: a caller that edits a sequence must not edit the index."""
    return copy.deepcopy(seq)


class PennActionDataset(PublishedBenchmark):
    benchmark_name: ClassVar[str] = "penn_action"
    name: ClassVar[str] = "penn_action"
    summary: ClassVar[str] = "Penn Action: 15 actions, 13 joints in 2D, the official train flag, seen/unseen splits"
    Options: ClassVar[type[PluginOptions]] = PennActionOptions

    @cached_property
    def index(self) -> list[Sample]:
        root = Path(self.options.root)
        folder = root / "labels" if (root / "labels").is_dir() else root
        if not folder.is_dir():
            raise SkeletonDataError(f"penn_action: {root} is not a folder (expected labels/NNNN.mat)", source=root)
        codes = [c["code"] for c in self._data.raw["classes"]]
        self.report = SkipReport(what="files")
        files = sorted(p for p in folder.glob("*.mat") if NAME.match(p.stem))
        out = []
        for path in progress(files, desc="penn_action index", unit="file"):
            self.report.total += 1
            try:
                seq = read_sequences(path, format="penn_action")[0]
            except SkeletonLLMError as exc:
                self.report.add(path.name, str(exc).removeprefix(f"{path}, ").removeprefix(f"{path}: "))
                continue
            action, train = seq.meta.get("action"), seq.meta.get("train")
            if action not in codes:
                self.report.add(path.name, f"action {action!r} is not one of the 15 Penn Action classes")
                continue
            if train is None:
                self.report.add(path.name, "no train flag")
                continue
            label = codes.index(action)
            seq.meta.update(label=label, id=path.stem)
            meta = {"part": "train" if train else "test", "pose": seq.meta.get("pose")}
            out.append(Sample(path.stem, label, lambda seq=seq: _copy(seq), meta=meta))
        self.report.print()
        if not out:
            raise SkeletonDataError(f"penn_action: no readable NNNN.mat label files in {folder}", source=folder)
        return out

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), self.class_splits(), parts=("train", "test"))
        wanted = allowed_classes(request, classes)
        if request.class_split is not None:
            return filter_classes(iter(self.index), wanted)
        return filter_classes((s for s in self.index if s.meta["part"] == request.part), wanted)
