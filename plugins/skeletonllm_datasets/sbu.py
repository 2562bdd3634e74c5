"""SBU Kinect Interaction (clean version): 8 two-person interactions, the README's 5 folds.

The release unpacks to ``sXXsYY/NN/MMM/skeleton_pos.txt`` (two-actor set,
interaction 01..08, sequence); ``root`` is the folder holding the 21 set
folders. A split ``foldK/test`` is the sets of fold K, ``foldK/train`` the
other four folds. Files are read through the core registry (format ``sbu``).
Captions come from the labels (``data/captions_sbu.yaml``, see
:mod:`.label_captions`): ``Sample.text``, ``meta['references']`` and ``meta['facts']``.
"""

from __future__ import annotations

import re
from functools import cached_property, partial
from pathlib import Path
from typing import ClassVar

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.io import read_sequences
from skeletonllm.sequence import SkeletonSequence

from .label_captions import caption_meta
from .published import PublishedBenchmark
from .splitting import SkipReport

SET = re.compile(r"^s(\d\d)s(\d\d)$")
FILE = "skeleton_pos.txt"


class SbuOptions(PluginOptions):
    """``root``: the folder of the ``sXXsYY`` set folders (the unpacked clean-version zips)."""

    root: Path


def _load(path: Path, label: int, sample_id: str) -> SkeletonSequence:
    seq = read_sequences(path, format="sbu")[0]
    seq.meta.update(label=label, id=sample_id)
    return seq


class SbuDataset(PublishedBenchmark):
    benchmark_name: ClassVar[str] = "sbu"
    name: ClassVar[str] = "sbu"
    summary: ClassVar[str] = "SBU Kinect Interaction: 8 two-person interactions, the official 5 folds"
    Options: ClassVar[type[PluginOptions]] = SbuOptions

    @cached_property
    def _fold_of_set(self) -> dict[str, str]:
        return {s: fold for fold, rule in self._data.protocols.items() for s in rule["test"]}

    @cached_property
    def index(self) -> list[Sample]:
        root = Path(self.options.root)
        if not root.is_dir():
            raise SkeletonDataError(f"sbu: {root} is not a folder (expected the sXXsYY set folders)", source=root)
        codes = [c["code"] for c in self._data.raw["classes"]]
        self.report = SkipReport(what="files")
        out = []
        for path in sorted(root.glob(f"s*/*/*/{FILE}")):
            self.report.total += 1
            set_name, code, sequence = path.parts[-4:-1]
            where = f"{set_name}/{code}/{sequence}/{FILE}"
            if not SET.match(set_name):
                self.report.add(where, "set folder does not follow sXXsYY")
            elif set_name not in self._fold_of_set:
                self.report.add(where, f"set {set_name} is in none of the README's 5 folds")
            elif code not in codes:
                self.report.add(where, f"interaction folder {code!r} is not one of {', '.join(codes)}")
            elif path.stat().st_size == 0:
                self.report.add(where, "empty file")
            else:
                label = codes.index(code)
                sample_id = f"{set_name}_{code}_{sequence}"
                meta = {"set": set_name, "fold": self._fold_of_set[set_name], "sequence": sequence}
                meta.update(caption_meta("sbu", self.class_names[label]))
                load = partial(_load, path, label, sample_id)
                out.append(Sample(sample_id, label, load, text=meta["references"][0], meta=meta))
        self.report.print()
        if not out:
            raise SkeletonDataError(f"sbu: no sXXsYY/NN/MMM/{FILE} under {root}", source=root)
        return out

    def in_training(self, sample: Sample, protocol: str) -> bool:
        return sample.meta["fold"] != protocol  # fold k tests, the other four train
