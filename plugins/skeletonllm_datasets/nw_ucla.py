"""NW-UCLA (CTR-GCN's ``all_sqe`` JSON files): 10 classes, the cross-view protocol.

The label is the rank of the file name's a-code (a01..a12 without a07/a10);
a file whose JSON ``label`` disagrees with its name means the class list does
not describe the data, which is an error rather than a guess.
"""

from __future__ import annotations

import re
from functools import cached_property, partial
from pathlib import Path
from typing import ClassVar

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.sequence import SkeletonSequence
from skeletonllm_formats.nw_ucla import NwUclaFormat

from .published import PublishedBenchmark
from .splitting import SkipReport

NAME = re.compile(r"^a(\d\d)_s(\d\d)_e(\d\d)_v(\d\d)$")


class NwUclaOptions(PluginOptions):
    """``root``: the ``all_sqe`` folder (or a folder containing it)."""

    root: Path


def _load(path: Path, label: int) -> SkeletonSequence:
    seq = NwUclaFormat().read(path)[0]
    if "label" in seq.meta and seq.meta["label"] - 1 != label:
        raise SkeletonDataError(
            f"JSON label {seq.meta['label']} disagrees with the file name's action (label {label + 1})",
            source=path,
            field="label",
        )
    seq.meta.update(label=label, id=path.stem)
    return seq


class NwUclaDataset(PublishedBenchmark):
    benchmark_name: ClassVar[str] = "nw_ucla"
    name: ClassVar[str] = "nw_ucla"
    summary: ClassVar[str] = "NW-UCLA: 10 classes, the standard view split"
    Options: ClassVar[type[PluginOptions]] = NwUclaOptions
    protocol_key: ClassVar[str] = "view"

    @cached_property
    def index(self) -> list[Sample]:
        root = Path(self.options.root)
        folder = root / "all_sqe" if (root / "all_sqe").is_dir() else root
        if not folder.is_dir():
            raise SkeletonDataError(f"nw_ucla: {root} is not a folder (expected all_sqe/)", source=root)
        codes = [c["code"] for c in self._data.raw["classes"]]
        self.report = SkipReport(what="files")
        out = []
        for path in sorted(folder.glob("*.json")):
            self.report.total += 1
            match = NAME.match(path.stem)
            if not match:
                self.report.add(path.name, "name does not follow aAA_sSS_eEE_vVV")
                continue
            if path.stat().st_size == 0:
                self.report.add(path.name, "empty file")
                continue
            code = f"a{match.group(1)}"
            if code not in codes:
                raise SkeletonDataError(
                    f"action {code} is not one of the 10 NW-UCLA classes ({', '.join(codes)})",
                    source=path,
                    field="file_name",
                )
            label = codes.index(code)
            meta = {"subject": int(match.group(2)), "episode": int(match.group(3)), "view": int(match.group(4))}
            out.append(Sample(path.stem, label, partial(_load, path, label), meta=meta))
        self.report.print()
        if not out:
            raise SkeletonDataError(f"nw_ucla: no aAA_sSS_eEE_vVV.json files in {folder}", source=folder)
        return out
