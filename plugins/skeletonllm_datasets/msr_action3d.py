"""MSR Action3D: 20 actions by 10 subjects, the cross-subject protocol of Wang et al. (CVPR 2012).

The release is one folder of ``aXX_sYY_eZZ_skeleton3D.txt`` files (action,
subject, episode) plus ``files_used_in_cvpr12_paper.txt``, the 557 of 567
sequences that protocol uses. ``file_list: cvpr12`` (the default) keeps
those; ``all`` keeps every readable sequence. Files are read through the core
registry (format ``msr_action3d``), never by name sniffing.
"""

from __future__ import annotations

import re
from functools import cached_property, partial
from pathlib import Path
from typing import ClassVar, Literal

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.io import read_sequences
from skeletonllm.sequence import SkeletonSequence

from .published import PublishedBenchmark
from .splitting import SkipReport, check_label

NAME = re.compile(r"^a(\d\d)_s(\d\d)_e(\d\d)_skeleton3D\.txt$", re.IGNORECASE)
SUFFIX = "_skeleton3d.txt"


class MsrAction3dOptions(PluginOptions):
    """``root``: the folder of ``a??_s??_e??_skeleton3D.txt`` files; ``file_list``: ``cvpr12`` or ``all``."""

    root: Path
    file_list: Literal["cvpr12", "all"] = "cvpr12"


def _load(path: Path, label: int, sample_id: str) -> SkeletonSequence:
    seq = read_sequences(path, format="msr_action3d")[0]
    seq.meta.update(label=label, id=sample_id)
    return seq


class MsrAction3dDataset(PublishedBenchmark):
    benchmark_name: ClassVar[str] = "msr_action3d"
    name: ClassVar[str] = "msr_action3d"
    summary: ClassVar[str] = "MSR Action3D: 20 actions, cross-subject (subjects 1, 3, 5, 7, 9 train)"
    Options: ClassVar[type[PluginOptions]] = MsrAction3dOptions
    protocol_key: ClassVar[str] = "subject"

    @cached_property
    def index(self) -> list[Sample]:
        root = Path(self.options.root)
        if not root.is_dir():
            raise SkeletonDataError(
                f"msr_action3d: {root} is not a folder (expected the a??_s??_e??_skeleton3D.txt files)", source=root
            )
        excluded = set(self._data.raw["cvpr12_excluded"]) if self.options.file_list == "cvpr12" else set()
        no_skeleton = set(self._data.raw["no_skeleton"])
        self.report = SkipReport(what="files")
        out = []
        for path in sorted(p for p in root.iterdir() if p.name.lower().endswith(SUFFIX)):
            self.report.total += 1
            match = NAME.match(path.name)
            stem = path.name[: -len(SUFFIX)]
            if not match:
                self.report.add(path.name, "name does not follow aXX_sYY_eZZ_skeleton3D.txt")
            elif stem in excluded:
                self.report.add(path.name, "not in files_used_in_cvpr12_paper.txt (the CVPR 2012 protocol)")
            elif stem in no_skeleton:
                self.report.add(path.name, "no skeleton in any frame (every joint 0 0 0)")
            elif path.stat().st_size == 0:
                self.report.add(path.name, "empty file")
            else:
                action, subject, episode = map(int, match.groups())
                label = check_label(action - 1, len(self.class_names), self.name, str(path))
                meta = {"action": action, "subject": subject, "episode": episode}
                out.append(Sample(stem, label, partial(_load, path, label, stem), meta=meta))
        self.report.print()
        if not out:
            raise SkeletonDataError(f"msr_action3d: no aXX_sYY_eZZ_skeleton3D.txt files in {root}", source=root)
        return out
