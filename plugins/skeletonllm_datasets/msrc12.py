"""MSRC-12 Kinect gestures: 12 gestures by 30 persons, one sample per tagged gesture instance.

The release (``MicrosoftGestureDataset-RC``) has ``data/P<a>_<b>_<g>[A]_p<person>.csv``
sequences, each with a ``.tagstream`` listing the action point of every
repetition. The index is built from the tagstreams alone (cheap: no skeleton is
read); a sample is the window of ``window_frames`` frames centred on its tag,
cut when it is loaded from the ``.csv`` read through the core registry (format
``msrc12``, which maps each tag to the frame with the nearest time stamp).
Untracked frames at either end of a window are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import ClassVar

import numpy as np
from pydantic import Field

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.io import read_sequences
from skeletonllm.safe_read import regular_file_problem
from skeletonllm.sequence import SkeletonSequence

from .published import PublishedBenchmark
from .splitting import SkipReport, allowed_classes, check_label, filter_classes, parse_split

NAME = re.compile(r"^[Pp](\d+)_(\d+)_(\d+)(A?)_[Pp](\d+)$")
TAG = re.compile(r"^\d+;G(\d+)\s+\S")
HEADER = "XQPCTick;Tag"
#: 3 s at the documented 30 Hz, about one repetition; why this length: data/msrc12.yaml and docs/datasets.md
DEFAULT_WINDOW = 90


class Msrc12Options(PluginOptions):
    """``root``: the unpacked release (or its ``data`` folder); ``window_frames``: frames per instance."""

    root: Path
    window_frames: int = Field(DEFAULT_WINDOW, ge=1)


@lru_cache(maxsize=4)
def _read_sequence(path: Path) -> SkeletonSequence:
    return read_sequences(path, format="msrc12")[0]


def _load(path: Path, tag_index: int, window: int, label: int, sample_id: str) -> SkeletonSequence:
    seq = _read_sequence(path)
    tags = seq.meta.get("tags", [])
    if tag_index >= len(tags):
        raise SkeletonDataError(
            f"the .tagstream beside the file has {len(tags)} tags, the index expected tag {tag_index}",
            source=path,
            field="tags",
        )
    tag = tags[tag_index]
    start = min(max(tag["frame"] - window // 2, 0), max(seq.num_frames - window, 0))
    tracked = np.flatnonzero(seq.person_present[0, start : start + window]) + start
    if tracked.size == 0:
        raise SkeletonDataError(
            f"gesture instance {tag_index} ({tag['tag']!r} at frame {tag['frame']}): no tracked skeleton in "
            f"frames {start}..{start + window - 1}",
            source=path,
            frame=tag["frame"],
        )
    out = seq.select_frames(np.arange(tracked[0], tracked[-1] + 1))
    out.meta.pop("tags", None)
    out.meta.pop("timestamps_us", None)
    out.meta.update(label=label, id=sample_id, tag=tag["tag"], action_point=int(tag["frame"] - tracked[0]))
    return out


def _tag_gestures(path: Path) -> list[int]:
    """Gesture number of each tag line; a malformed file is a SkeletonDataError naming the line."""
    problem = regular_file_problem(path, "a .tagstream text file")
    if problem:  # a named pipe among the tag files would block the listing forever
        raise SkeletonDataError(problem, source=path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SkeletonDataError(f"cannot read the tagstream: {exc}", source=path) from None
    if not lines or lines[0].strip() != HEADER:
        raise SkeletonDataError(f"expected the header {HEADER!r}", source=path, line=1)
    out = []
    for i, line in enumerate(lines[1:], start=2):
        if line.strip():
            match = TAG.match(line.strip())
            if not match:
                raise SkeletonDataError(f"expected 'tick;G<n> <name>', got {line.strip()[:60]!r}", source=path, line=i)
            out.append(int(match.group(1)))
    return out


class Msrc12Dataset(PublishedBenchmark):
    benchmark_name: ClassVar[str] = "msrc12"
    name: ClassVar[str] = "msrc12"
    summary: ClassVar[str] = "MSRC-12 Kinect gestures: 12 gestures, one sample per tagged instance, cross-person"
    Options: ClassVar[type[PluginOptions]] = Msrc12Options

    @cached_property
    def index(self) -> list[Sample]:
        root = Path(self.options.root)
        folder = root / "data" if (root / "data").is_dir() else root
        if not folder.is_dir():
            raise SkeletonDataError(
                f"msrc12: {root} is not a folder (expected data/*.csv and *.tagstream)", source=root
            )
        csv_by_stem = {p.stem.lower(): p for p in folder.iterdir() if p.suffix.lower() == ".csv"}
        no_skeleton = {n.lower() for n in self._data.raw["no_skeleton"]}
        self.report = SkipReport(what="tagged sequences")
        self.instances_refused = 0
        out: list[Sample] = []
        for tag_path in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".tagstream"):
            self.report.total += 1
            samples = self._instances(tag_path, csv_by_stem.get(tag_path.stem.lower()), no_skeleton)
            out.extend(samples)
        self.report.print()
        if not out:
            raise SkeletonDataError(f"msrc12: no tagged gesture instances in {folder}", source=folder)
        return out

    def _refuse(self, name: str, reason: str, instances: int) -> list[Sample]:
        self.report.add(name, f"{reason}; {instances} tagged instances lost" if instances else reason)
        self.instances_refused += instances
        return []

    def _instances(self, tag_path: Path, csv: Path | None, no_skeleton: set[str]) -> list[Sample]:
        name = tag_path.name
        match = NAME.match(tag_path.stem)
        if not match:
            return self._refuse(name, "name does not follow P<a>_<b>_<gesture>[A]_p<person>", 0)
        try:
            gestures = _tag_gestures(tag_path)
        except SkeletonDataError as exc:
            return self._refuse(name, exc.message if exc.line is None else f"line {exc.line}: {exc.message}", 0)
        file_gesture, person = int(match.group(3)), int(match.group(5))
        if csv is None:
            return self._refuse(name, "no .csv beside it (missing from this copy)", len(gestures))
        if csv.stem.lower() in no_skeleton:
            return self._refuse(csv.name, "no skeleton in any frame (all zeros)", len(gestures))
        if any(g != file_gesture for g in gestures):
            found = sorted(set(gestures))
            return self._refuse(name, f"tags name gestures {found}, the file name G{file_gesture}", len(gestures))
        label = check_label(file_gesture - 1, len(self.class_names), self.name, str(tag_path))
        meta = {
            "person": person,
            "instruction": int(match.group(1)),
            "modality": int(match.group(2)),
            "combined": bool(match.group(4)),
            "sequence": csv.stem,
        }
        window = self.options.window_frames
        return [
            Sample(sid, label, partial(_load, csv, k, window, label, sid), meta={**meta, "tag_index": k})
            for k, sid in ((k, f"{csv.stem}_{k:02d}") for k in range(len(gestures)))
        ]

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), self.class_splits(), parts=("train", "test"))
        wanted = allowed_classes(request, classes)
        if request.class_split is not None:
            return filter_classes(iter(self.index), wanted)
        train = set(self._data.protocols[request.head]["train"])
        chosen = (s for s in self.index if (s.meta["person"] in train) == (request.part == "train"))
        return filter_classes(chosen, wanted)
