"""Bandai-Namco Research Motion, set 1 or 2: BVH clips labelled with a content (the class) and a style.

The repository ships ``dataset/Bandai-Namco-Research-Motiondataset-<set>/``
with ``data/dataset-<set>_<content>_<style>_<NNN>.bvh`` and a sidecar ``.json``
``{"content": i, "style": j}`` per clip, whose ids index the lines of
``cfg/content_label.txt`` and ``cfg/style_label.txt``. ``root`` may be the
``dataset/`` folder, the set's folder, or a flat folder holding clips, sidecars
and both label files. The label files must list the contents and styles of
``data/bandai<set>.yaml`` (another release is an error, not a relabel); a clip
whose sidecar disagrees with its file name, or whose ``.bvh`` or ``.json`` is
missing, is refused with the reason (the public copy of set 1 lacks
``dataset-1_dance-long_normal_001.bvh``). The content is the label; the style
is ``meta['style']`` (and ``meta['style_id']``) for tasks that want it.

Protocol ``takes``: a seeded, content-stratified split over takes, as
recorded in the YAML (see :func:`.splitting.held_out_takes`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cached_property, partial
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Sample
from skeletonllm.io import read_sequences
from skeletonllm.safe_read import regular_file_problem
from skeletonllm.sequence import SkeletonSequence

from .protocol_data import benchmark
from .published import PublishedBenchmark
from .splitting import SkipReport, allowed_classes, filter_classes, held_out_takes, parse_split


class BandaiOptions(PluginOptions):
    """``root``: the repository's ``dataset/`` folder (or one set's folder); ``set``: 1 or 2."""

    root: Path
    set: Literal[1, 2] = Field(2, description="set 2: 10 contents, 2,902 clips; set 1: 17 contents, 175 clips")


def _load(path: Path, label: int, meta: dict) -> SkeletonSequence:
    seq = read_sequences(path, format="bvh")[0]
    seq.meta.update(meta, label=label, id=path.stem)
    return seq


def _labels(path: Path) -> list[str]:
    if not path.is_file():
        raise SkeletonDataError(f"{path.name} not found (it ships in the set's cfg/ folder)", source=path)
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class BandaiDataset(PublishedBenchmark):
    benchmark_name: ClassVar[str] = "bandai2"
    name: ClassVar[str] = "bandai"
    summary: ClassVar[str] = "Bandai-Namco Research Motion set 1 or 2: content classes, style in meta, take-level split"
    Options: ClassVar[type[PluginOptions]] = BandaiOptions

    @cached_property
    def _data(self):
        return benchmark(f"bandai{self.options.set}")

    @property
    def style_names(self) -> list[str]:
        return [s["name"] for s in self._data.raw["styles"]]

    def _folders(self) -> tuple[Path, Path]:
        """(clips folder, label folder) for the shipped, per-set or flat layout."""
        root = Path(self.options.root)
        for base in (root / f"Bandai-Namco-Research-Motiondataset-{self.options.set}", root):
            if (base / "data").is_dir():
                return base / "data", base / "cfg"
        if root.is_dir() and (root / "content_label.txt").is_file():
            return root, root
        raise SkeletonDataError(
            f"bandai: no Bandai-Namco-Research-Motiondataset-{self.options.set}/data/ (or data/, or clips with "
            f"content_label.txt) under {root}",
            source=root,
        )

    @cached_property
    def index(self) -> list[Sample]:
        data, cfg = self._folders()
        contents = [c["code"] for c in self._data.raw["classes"]]
        styles = [s["code"] for s in self._data.raw["styles"]]
        for file_name, expected in (("content_label.txt", contents), ("style_label.txt", styles)):
            found = _labels(cfg / file_name)
            if found != expected:
                raise SkeletonDataError(
                    f"lists {found[:4]}... but set {self.options.set} has {expected[:4]}... "
                    f"({len(found)} vs {len(expected)} labels): another release, or the other set",
                    source=cfg / file_name,
                )
        prefix = f"dataset-{self.options.set}_"
        name = re.compile(rf"^{re.escape(prefix)}(.+)_(.+)_(\d+)$")
        self.report = SkipReport(what="clips")
        stems = sorted(
            {p.stem for p in data.iterdir() if p.suffix in (".bvh", ".json") and p.stem.startswith("dataset-")}
        )
        found_samples = []
        for stem in stems:
            self.report.total += 1
            bvh, sidecar = data / f"{stem}.bvh", data / f"{stem}.json"
            match = name.match(stem)
            if not match:
                self.report.add(stem, f"name does not follow {prefix}<content>_<style>_<NNN>")
            elif not bvh.is_file():
                self.report.add(stem, ".json without its .bvh (the file is missing from this copy)")
            elif problem := regular_file_problem(sidecar, "a .json sidecar"):  # a named pipe would block
                self.report.add(stem, "no .json sidecar with its labels" if problem == "no such file" else problem)
            else:
                reason, ids = self._sidecar(sidecar, match, contents, styles)
                if reason:
                    self.report.add(stem, reason)
                    continue
                content, style = ids
                meta = {"style": self.style_names[style], "style_id": style, "take": stem}
                found_samples.append(Sample(stem, content, partial(_load, bvh, content, meta), meta=dict(meta)))
        self.report.print()
        if not found_samples:
            raise SkeletonDataError(f"bandai: no {prefix}*.bvh clips with sidecars in {data}", source=data)
        protocol = self._data.protocols["takes"]
        for label in range(len(contents)):
            takes = [s.meta["take"] for s in found_samples if s.label == label]
            test = held_out_takes(takes, int(protocol["seed"]), float(protocol["test_fraction"]))
            for s in found_samples:
                if s.label == label:
                    s.meta["part"] = "test" if s.meta["take"] in test else "train"
        return found_samples

    @staticmethod
    def _sidecar(path: Path, match: re.Match, contents: list[str], styles: list[str]) -> tuple[str, tuple[int, int]]:
        """(reason to refuse or "", (content id, style id)) from the sidecar, checked against the file name."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return f"unreadable sidecar: {type(exc).__name__}", (0, 0)
        ids = doc.get("content") if isinstance(doc, dict) else None, doc.get("style") if isinstance(doc, dict) else None
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            return 'sidecar is not {"content": int, "style": int}', (0, 0)
        content, style = ids
        if not (0 <= content < len(contents) and 0 <= style < len(styles)):
            return f"sidecar ids {content}, {style} outside the {len(contents)} contents / {len(styles)} styles", (0, 0)
        prefix = contents[content].split("_", 1)[0] + "_"
        if (contents[content], styles[style]) != (prefix + match.group(1), prefix + match.group(2)):
            return (
                f"sidecar says {contents[content]} / {styles[style]}, the file name {match.group(1)} / {match.group(2)}",
                (0, 0),
            )
        return "", (content, style)

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), self.class_splits(), parts=("train", "test"))
        wanted = allowed_classes(request, classes)
        if request.class_split is not None:
            return filter_classes(iter(self.index), wanted)
        return filter_classes((s for s in self.index if s.meta["part"] == request.part), wanted)
