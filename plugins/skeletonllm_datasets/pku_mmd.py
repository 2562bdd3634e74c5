"""PKU-MMD phase 1: 51 classes cut from long sequences by the label files.

The download has ``PKU_Skeleton_Renew/XXXX-V.txt`` (skeletons),
``Train_Label_PKU_final/XXXX-V.txt`` (``action,start,end,confidence`` lines)
and ``Split/cross-subject.txt`` / ``cross-view.txt`` (the official training
and validation video lists). One sample is one labelled segment; a
video's skeleton file is read once per process and sliced per segment.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import ClassVar

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.safe_read import regular_file_problem
from skeletonllm.sequence import SkeletonSequence
from skeletonllm_formats.pku_mmd import PkuMmdFormat

from .published import PublishedBenchmark
from .splitting import SkipReport, allowed_classes, check_label, filter_classes, parse_split

SKELETON_DIRS = ("PKU_Skeleton_Renew", "Skeleton", "skeleton", "Data")
LABEL_DIRS = ("Train_Label_PKU_final", "Label", "label", "Labels")
SPLIT_DIRS = ("Split", "split", ".")


class PkuMmdOptions(PluginOptions):
    """``root``: the unpacked PKU-MMD folder; ``min_confidence`` 2 keeps only 'strong' labels."""

    root: Path
    min_confidence: int = 1


def _first_dir(root: Path, names: tuple[str, ...], what: str) -> Path:
    for n in names:
        if (root / n).is_dir():
            return root / n
    raise SkeletonDataError(f"pku_mmd: no {what} folder under {root}; expected one of {', '.join(names)}", source=root)


@lru_cache(maxsize=8)
def _read_video(path: Path) -> SkeletonSequence:
    return PkuMmdFormat().read(path)[0]


def _load_segment(path: Path, start: int, end: int, label: int, sample_id: str) -> SkeletonSequence:
    seq = _read_video(path)
    if start >= seq.num_frames:
        raise SkeletonDataError(
            f"label segment {start}-{end} starts after the {seq.num_frames} frames of the skeleton file",
            source=path,
            field="start_frame",
        )
    out = seq.select_frames(list(range(start, min(end, seq.num_frames - 1) + 1)))  # end frame is inclusive
    out.meta.update(label=label, id=sample_id, start_frame=start, end_frame=end)
    return out


def parse_split_file(path: Path) -> dict[str, set[str]]:
    """``Training videos:`` / ``Validataion videos:`` (sic) headers, each followed by a comma list."""
    if not path.is_file():
        raise SkeletonDataError(f"{path.name} not found at {path} (it ships with PKU-MMD in Split/)", source=path)
    parts: dict[str, set[str]] = {}
    current = None
    for line_no, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        text = line.strip()
        low = text.lower()
        if low.startswith("training"):
            current = "train"
        elif low.startswith("valid") or low.startswith("test"):
            current = "test"
        elif text:
            if current is None:
                raise SkeletonDataError("video list before a 'Training videos:' header", source=path, line=line_no)
            parts.setdefault(current, set()).update(v.strip() for v in text.split(",") if v.strip())
    if set(parts) != {"train", "test"}:
        raise SkeletonDataError("expected a training and a validation video list", source=path)
    return parts


class PkuMmdDataset(PublishedBenchmark):
    benchmark_name: ClassVar[str] = "pku_mmd"
    name: ClassVar[str] = "pku_mmd"
    summary: ClassVar[str] = "PKU-MMD phase 1: 51 classes, xsub/xview, seen/unseen splits"
    Options: ClassVar[type[PluginOptions]] = PkuMmdOptions

    @cached_property
    def index(self) -> list[Sample]:
        root = Path(self.options.root)
        if not root.is_dir():
            raise SkeletonDataError(f"pku_mmd: {root} is not a folder (the unpacked PKU-MMD download)", source=root)
        skel_dir = _first_dir(root, SKELETON_DIRS, "skeleton")
        label_dir = _first_dir(root, LABEL_DIRS, "label")
        self.report = SkipReport(what="label files")
        out: list[Sample] = []
        for label_path in sorted(label_dir.glob("*.txt")):
            self.report.total += 1
            video = label_path.stem
            skel = skel_dir / f"{video}.txt"
            if not skel.is_file():
                self.report.add(label_path.name, "no skeleton file")
                continue
            try:
                segments = self._segments(label_path)
            except SkeletonDataError as exc:
                self.report.add(label_path.name, exc.message)
                continue
            for label, start, end in segments:
                sid = f"{video}_{start}_{end}"
                meta = {"video": video, "view": video.rsplit("-", 1)[-1], "start_frame": start, "end_frame": end}
                out.append(Sample(sid, label, partial(_load_segment, skel, start, end, label, sid), meta=meta))
        self.report.print()
        if not out:
            raise SkeletonDataError(f"pku_mmd: no labelled segments under {label_dir}", source=label_dir)
        return out

    def _segments(self, path: Path) -> list[tuple[int, int, int]]:
        problem = regular_file_problem(path, "a label text file")
        if problem:  # a named pipe among the label files would block the listing forever
            raise SkeletonDataError(problem, source=path)
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        if not any(ln.strip() for ln in lines):
            raise SkeletonDataError("empty file", source=path)
        out = []
        for i, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                action, start, end, conf = (int(float(x)) for x in line.split(","))
            except ValueError:
                raise SkeletonDataError(
                    f"line {i}: expected action_id,start_frame,end_frame,confidence, got {line.strip()!r}", source=path
                ) from None
            if end <= start:
                raise SkeletonDataError(f"line {i}: end {end} <= start {start}", source=path)
            if conf >= self.options.min_confidence:
                out.append((check_label(action - 1, 51, "pku_mmd", f"{path} line {i}"), start, end))
        return out

    @cached_property
    def _split_dir(self) -> Path:
        return _first_dir(Path(self.options.root), SPLIT_DIRS, "Split")

    @lru_cache(maxsize=4)  # noqa: B019 - one dataset object, a handful of protocols
    def _video_lists(self, protocol: str) -> dict[str, set[str]]:
        return parse_split_file(self._split_dir / self._data.protocols[protocol]["file"])

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), self.class_splits(), parts=("train", "test"))
        wanted = allowed_classes(request, classes)
        index = self.index  # a missing root is reported before a missing split list
        if request.class_split is not None:
            return filter_classes(iter(index), wanted)
        videos = self._video_lists(request.head)[request.part]
        return filter_classes((s for s in index if s.meta["video"] in videos), wanted)
