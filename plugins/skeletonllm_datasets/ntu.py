"""NTU RGB+D 60 / 120 (3D, raw ``.skeleton`` folders or PYSKL pickles) and NTU-60 2D (PYSKL COCO-17).

Read as users download them; nothing is fetched. Protocols come from the
file name (``SsssCcccPpppRrrrAaaa``) and the rules in ``data/ntu*.yaml``, so
the same code serves a raw folder and a pickle, and a pickle's own split
lists are never trusted over the published rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property, partial
from pathlib import Path
from typing import Any, ClassVar

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.sequence import SkeletonSequence
from skeletonllm_formats.ntu import NtuSkeletonFormat, file_name_fields
from skeletonllm_formats.pyskl import PysklPickleFormat

from .protocol_data import missing_skeletons
from .published import PublishedBenchmark
from .splitting import SkipReport, allowed_classes, check_label, filter_classes, parse_split


class NtuOptions(PluginOptions):
    """``root``: the folder of ``.skeleton`` files (searched recursively) or a PYSKL ``.pkl``."""

    root: Path
    exclude_missing: bool = True


def _load_raw(path: Path, fields: dict[str, int]) -> SkeletonSequence:
    seq = NtuSkeletonFormat().read(path)[0]
    seq.meta.update(fields, label=fields["action"] - 1, id=path.stem)
    return seq


def _from_memory(seq: SkeletonSequence) -> SkeletonSequence:
    return seq


def protocol_part(rule: dict[str, Any], fields: dict[str, int]) -> str:
    """``train`` or ``test`` for one sample under a protocol rule from the YAML file."""
    kind = rule["rule"]
    if kind == "subject":
        return "train" if fields["performer"] in set(rule["train"]) else "test"
    if kind == "camera":
        return "train" if fields["camera"] in set(rule["train"]) else "test"
    if kind == "setup_parity":
        return "train" if fields["setup"] % 2 == 0 else "test"
    raise SkeletonDataError(f"unknown protocol rule {kind!r} in the package data", field="rule")


class _NtuBase(PublishedBenchmark):
    """Shared by ntu60 / ntu120 / ntu60_2d: scanning, protocols, class splits."""

    Options: ClassVar[type[PluginOptions]] = NtuOptions
    benchmark_name: ClassVar[str] = "ntu60"
    descriptions_name: ClassVar[str | None] = "ntu120"  # NTU-60's classes are NTU-120's first 60
    max_setup: ClassVar[int] = 17
    allow_raw: ClassVar[bool] = True
    expected_dims: ClassVar[int] = 3

    @cached_property
    def index(self) -> list[Sample]:
        """Every usable sample, found once (file names only for raw folders)."""
        root = Path(self.options.root)
        if not root.exists():
            raise SkeletonDataError(
                f"{self.name}: {root} does not exist; set root to the folder of .skeleton files "
                f"(e.g. nturgb+d_skeletons/) or to a PYSKL .pkl",
                source=root,
            )
        self.report = SkipReport(what="samples")
        self.excluded_missing = 0  # listed in the missing-skeleton file
        self.ignored_other_release = 0  # setups beyond this release (NTU-120 files given to ntu60)
        samples = self._scan_pickle(root) if root.is_file() else self._scan_folder(root)
        self.report.print()
        return samples

    def _keep(self, name: str, fields: dict[str, int], source: str) -> bool:
        if not fields:
            self.report.add(name, "name does not follow SsssCcccPpppRrrrAaaa")
            return False
        if fields["setup"] > self.max_setup:
            self.ignored_other_release += 1
            return False
        if self.options.exclude_missing and name in self._missing:
            self.excluded_missing += 1
            return False
        check_label(fields["action"] - 1, len(self._data.class_names), self.name, source)
        return True

    @cached_property
    def _missing(self) -> frozenset[str]:
        return missing_skeletons(self.max_setup)

    def _scan_folder(self, root: Path) -> list[Sample]:
        if not self.allow_raw:
            raise SkeletonDataError(f"{self.name} reads the PYSKL pickle; {root} is a folder", source=root)
        files = sorted(root.rglob("*.skeleton"))
        if not files:
            raise SkeletonDataError(f"{self.name}: no .skeleton files under {root}", source=root)
        out = []
        for path in files:
            self.report.total += 1
            fields = file_name_fields(path.stem)
            if path.stat().st_size == 0:
                self.report.add(path.name, "empty file")
                continue
            if self._keep(path.stem, fields, str(path)):
                out.append(Sample(path.stem, fields["action"] - 1, partial(_load_raw, path, fields), meta=fields))
        return out

    def _scan_pickle(self, root: Path) -> list[Sample]:
        out = []
        for seq in PysklPickleFormat().read(root):
            self.report.total += 1
            name = str(seq.meta["frame_dir"])
            fields = file_name_fields(name)
            if seq.dims != self.expected_dims:
                raise SkeletonDataError(
                    f"{self.name} expects {self.expected_dims}D keypoints, the pickle has {seq.dims}D "
                    f"({seq.topology.name}); use {'ntu60_2d' if seq.dims == 2 else 'ntu60/ntu120'}",
                    source=root,
                )
            if not self._keep(name, fields, f"{root}:{name}"):
                continue
            if "label" in seq.meta and seq.meta["label"] != fields["action"] - 1:
                raise SkeletonDataError(
                    f"label {seq.meta['label']} disagrees with the name's action A{fields['action']:03d}",
                    source=f"{root}:{name}",
                    field="label",
                )
            seq.meta.update(fields, label=fields["action"] - 1, id=name)
            out.append(Sample(name, fields["action"] - 1, partial(_from_memory, seq), meta=fields))
        return out

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), self.class_splits(), parts=("train", "test"))
        wanted = allowed_classes(request, classes)
        rule = None if request.class_split else self._data.protocols[request.head]
        chosen = (s for s in self.index if rule is None or protocol_part(rule, s.meta) == request.part)
        return filter_classes(chosen, wanted)


class Ntu60Dataset(_NtuBase):
    name: ClassVar[str] = "ntu60"
    summary: ClassVar[str] = "NTU RGB+D 60: xsub/xview and seen/unseen class splits"


class Ntu120Dataset(_NtuBase):
    name: ClassVar[str] = "ntu120"
    summary: ClassVar[str] = "NTU RGB+D 120: xsub/xset and seen/unseen class splits"
    benchmark_name: ClassVar[str] = "ntu120"
    max_setup: ClassVar[int] = 32


class Ntu60TwoDDataset(_NtuBase):
    """The HRNet COCO-17 2D poses PYSKL ships for NTU-60 (``ntu60_hrnet.pkl``): same protocols as ``ntu60``."""

    name: ClassVar[str] = "ntu60_2d"
    summary: ClassVar[str] = "NTU RGB+D 60 COCO-17 2D poses from the PYSKL pickle"
    allow_raw: ClassVar[bool] = False
    expected_dims: ClassVar[int] = 2
