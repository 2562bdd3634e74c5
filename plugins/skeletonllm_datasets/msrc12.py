"""MSRC-12 Kinect gestures: 12 gestures by 30 persons, one sample per tagged gesture instance.

The release (``MicrosoftGestureDataset-RC``) has ``data/P<a>_<b>_<g>[A]_p<person>.csv``
sequences, each with a ``.tagstream`` listing the action point of every
repetition. The index is built from the tagstreams alone (cheap: no skeleton is
read); a sample is the window of ``window_frames`` frames centred on its tag,
cut when it is loaded from the ``.csv`` read through the core registry (format
``msrc12``, which maps each tag to the frame with the nearest time stamp).
Untracked frames at either end of a window are dropped.

With ``tags_per_clip`` (e.g. ``[1, 2, 3]``) a clip holds a known number of repetitions
instead: each sequence's tags are cut into consecutive groups whose sizes are drawn from
the list (seeded by the sequence's name), and a group's clip runs from half-way after the
tag before it to half-way before the tag after it (``window_frames // 2`` beyond the first
and last tag of a sequence), so it holds exactly its tags' action points;
``meta['instances']`` is their count and the captions say it ("... twice").
Captions come from the labels (``data/captions_msrc12.yaml``, :mod:`.label_captions`).
"""

from __future__ import annotations

import re
import zlib
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Annotated, ClassVar

import numpy as np
from pydantic import Field

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.io import read_sequences
from skeletonllm.safe_read import regular_file_problem
from skeletonllm.sequence import SkeletonSequence

from .label_captions import caption_meta
from .published import PublishedBenchmark
from .splitting import SkipReport, check_label

NAME = re.compile(r"^[Pp](\d+)_(\d+)_(\d+)(A?)_[Pp](\d+)$")
TAG = re.compile(r"^\d+;G(\d+)\s+\S")
HEADER = "XQPCTick;Tag"
#: 3 s at the documented 30 Hz, about one repetition; why this length: data/msrc12.yaml and docs/datasets.md
DEFAULT_WINDOW = 90


class Msrc12Options(PluginOptions):
    """``root``: the unpacked release (or its ``data`` folder); ``window_frames``: frames per instance."""

    root: Path
    window_frames: int = Field(DEFAULT_WINDOW, ge=1)
    tags_per_clip: list[Annotated[int, Field(ge=1, le=10)]] | None = Field(
        None,
        min_length=1,
        description="clips of several consecutive repetitions, the count drawn per clip from this list "
        "(cut half-way between tags, so the count is exact); default: one window around each tag",
    )


@lru_cache(maxsize=4)
def _read_sequence(path: Path) -> SkeletonSequence:
    return read_sequences(path, format="msrc12")[0]


def _load(
    path: Path, tag_index: int, window: int, label: int, sample_id: str, size: int | None = None
) -> SkeletonSequence:
    """The window of ``window`` frames centred on tag ``tag_index``; with ``size``, the clip of tags
    ``tag_index .. tag_index + size - 1`` cut half-way to the tags beside them."""
    seq = _read_sequence(path)
    tags = seq.meta.get("tags", [])
    last = tag_index + (size or 1) - 1
    if last >= len(tags):
        raise SkeletonDataError(
            f"the .tagstream beside the file has {len(tags)} tags, the index expected tag {last}",
            source=path,
            field="tags",
        )
    tag = tags[tag_index]
    frames = [t["frame"] for t in tags]
    if size is None:
        start = min(max(tag["frame"] - window // 2, 0), max(seq.num_frames - window, 0))
        stop = start + window
    else:
        start = (frames[tag_index - 1] + frames[tag_index]) // 2 + 1 if tag_index else frames[0] - window // 2
        stop = (frames[last] + frames[last + 1]) // 2 + 1 if last + 1 < len(tags) else frames[last] + window // 2 + 1
        start, stop = max(start, 0), min(stop, seq.num_frames)
    tracked = np.flatnonzero(seq.person_present[0, start:stop]) + start
    if tracked.size == 0:
        raise SkeletonDataError(
            f"gesture instance {tag_index} ({tag['tag']!r} at frame {tag['frame']}): no tracked skeleton in "
            f"frames {start}..{stop - 1}",
            source=path,
            frame=tag["frame"],
        )
    out = seq.select_frames(np.arange(tracked[0], tracked[-1] + 1))
    out.meta.pop("tags", None)
    out.meta.pop("timestamps_us", None)
    out.meta.update(label=label, id=sample_id, tag=tag["tag"], action_point=int(tag["frame"] - tracked[0]))
    if size is not None:
        out.meta["action_points"] = [int(f - tracked[0]) for f in frames[tag_index : last + 1]]
    return out


def group_sizes(count: int, sizes: list[int], key: str) -> list[int]:
    """Consecutive group sizes covering ``count`` tags, drawn from ``sizes`` seeded by ``key`` (the last may be
    smaller than drawn, never empty)."""
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    out: list[int] = []
    while sum(out) < count:
        out.append(min(int(sizes[int(rng.integers(len(sizes)))]), count - sum(out)))
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
    protocol_key: ClassVar[str] = "person"

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
        name = self.class_names[label]
        if self.options.tags_per_clip is None:
            words = caption_meta(self.name, name)
            return [
                Sample(sid, label, partial(_load, csv, k, window, label, sid), text=words["references"][0],
                       meta={**meta, **words, "tag_index": k})
                for k, sid in ((k, f"{csv.stem}_{k:02d}") for k in range(len(gestures)))
            ]  # fmt: skip
        out, first = [], 0
        for size in group_sizes(len(gestures), self.options.tags_per_clip, csv.stem.lower()):
            sid = f"{csv.stem}_{first:02d}x{size}"
            words = caption_meta(self.name, name, count=size)
            load = partial(_load, csv, first, window, label, sid, size)
            extra = {"tag_index": first, "instances": size}
            out.append(Sample(sid, label, load, text=words["references"][0], meta={**meta, **words, **extra}))
            first += size
        return out
