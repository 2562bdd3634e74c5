"""HDM05, the 11-class subset: ASF/AMC clips in the given ``train/`` and ``test/`` class folders.

The copy ships as ``{train,test}/<1..11>/HDM_<actor>_<motion>_<take>_<fps>.amc``
with each actor's skeleton ``HDM_<actor>.asf`` in the same folder (and MATLAB
``.amc.mat`` exports of the HDM05 toolbox, which are not needed). Folder ``k``
is class ``k``; a file whose motion is not class ``k``'s, whose name does not
follow the pattern, or whose skeleton is missing is refused with the reason.
Clips are read through the core (``asf_amc`` format, positions in metres,
120 fps from the file name).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cached_property, partial
from pathlib import Path
from typing import ClassVar

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.io import read_sequences
from skeletonllm.sequence import SkeletonSequence

from .published import PublishedBenchmark
from .splitting import SkipReport, allowed_classes, filter_classes, parse_split

NAME = re.compile(r"^HDM_([A-Za-z]+)_(.+)_(\d+)_(\d+)$")


class Hdm05Options(PluginOptions):
    """``root``: the folder holding ``train/`` and ``test/``."""

    root: Path


def _load(path: Path, label: int) -> SkeletonSequence:
    seq = read_sequences(path, format="asf_amc")[0]
    seq.meta.update(label=label, id=path.stem)
    return seq


class Hdm05Dataset(PublishedBenchmark):
    benchmark_name: ClassVar[str] = "hdm05"
    name: ClassVar[str] = "hdm05"
    summary: ClassVar[str] = (
        "HDM05 11-class subset (ASF/AMC, 120 fps): the given train/test folders, seen/unseen splits"
    )
    Options: ClassVar[type[PluginOptions]] = Hdm05Options

    @cached_property
    def index(self) -> list[Sample]:
        root = Path(self.options.root)
        parts = self._data.protocols["xsub"]
        if not all((root / parts[p]).is_dir() for p in ("train", "test")):
            raise SkeletonDataError(
                f"hdm05: expected {parts['train']}/ and {parts['test']}/ folders with one folder per class "
                f"(1..{len(self.class_names)}) under {root}",
                source=root,
            )
        codes = [c["code"] for c in self._data.raw["classes"]]
        self.report = SkipReport(what="files")
        self.missing_folders: list[str] = []
        out = []
        for part in ("train", "test"):
            for label, code in enumerate(codes):
                folder = root / parts[part] / str(label + 1)
                if not folder.is_dir():
                    self.missing_folders.append(f"{parts[part]}/{label + 1}/")
                    continue
                skeletons = {p.stem for p in folder.iterdir() if p.suffix.lower() == ".asf"}
                for path in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".amc"):
                    self.report.total += 1
                    where = f"{parts[part]}/{label + 1}/{path.name}"
                    match = NAME.match(path.stem)
                    if not match:
                        self.report.add(where, "name does not follow HDM_<actor>_<motion>_<take>_<fps>")
                    elif match.group(2) != code:
                        self.report.add(where, f"motion {match.group(2)} is not class {label + 1} ({code})")
                    elif f"HDM_{match.group(1)}" not in skeletons:
                        self.report.add(where, f"no skeleton HDM_{match.group(1)}.asf beside it")
                    elif path.stat().st_size == 0:
                        self.report.add(where, "empty file")
                    else:
                        meta = {"subject": match.group(1), "take": int(match.group(3)), "part": part}
                        out.append(Sample(path.stem, label, partial(_load, path, label), meta=meta))
        self.report.print()
        if self.missing_folders:
            print(f"hdm05: no class folder {', '.join(self.missing_folders)} under {root}", file=sys.stderr)
        if not out:
            raise SkeletonDataError(f"hdm05: no HDM_*.amc clips in the class folders under {root}", source=root)
        return out

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), self.class_splits(), parts=("train", "test"))
        wanted = allowed_classes(request, classes)
        if request.class_split is not None:
            return filter_classes(iter(self.index), wanted)
        return filter_classes((s for s in self.index if s.meta["part"] == request.part), wanted)
