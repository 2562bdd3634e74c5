"""Small, fixed subsets of real datasets for benchmarks on a 2-core machine (benchmarks/real_captions_qa.py).

A "pair" is what fixes a clip's label captions: (content, style) for Bandai-Namco, the
interaction for SBU, (gesture, repetitions) for MSRC-12. A subset keeps up to ``per_pair``
clips of each pair on each side of the dataset's own protocol (Bandai: held-out takes), chosen
by a hash of the sample id, so the choice does not depend on file order and never moves a clip
across the protocol. Loaded sequences are kept (a BVH parse costs more than a training step's
share of rendering).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from skeletonllm.registry import get_registry

#: --data name -> (dataset plugin, its options given the data root, protocol)
SETUPS = {
    "bandai": ("bandai", lambda root: {"root": str(root / "bandai_namco"), "set": 2}, "takes"),
    "bandai1": ("bandai", lambda root: {"root": str(root / "bandai_namco"), "set": 1}, "takes"),
    "sbu": ("sbu", lambda root: {"root": str(root / "sbu")}, "fold1"),
    "msrc12": ("msrc12", lambda root: {"root": str(root / "msrc12"), "tags_per_clip": [1, 2, 3]}, "xsub"),
}


def pair_of(sample, class_names) -> str:  # noqa: ANN001 - a Sample
    """The label pair fixing the sample's captions."""
    name = class_names[sample.label]
    if "style" in sample.meta:
        return f"{name} / {sample.meta['style']}"
    if "instances" in sample.meta:
        return f"{name} x{sample.meta['instances']}"
    return name


def _rank(sample_id: str) -> str:
    return hashlib.sha1(sample_id.encode()).hexdigest()


def pick(samples, class_names, per_pair: int) -> list:  # noqa: ANN001
    """Up to ``per_pair`` samples of each pair, by hash of the id; pairs in name order."""
    by_pair = defaultdict(list)
    for sample in samples:
        by_pair[pair_of(sample, class_names)].append(sample)
    return [s for pair in sorted(by_pair) for s in sorted(by_pair[pair], key=lambda s: _rank(s.id))[:per_pair]]


class SubsetDataset:
    """The chosen train and test samples of ``base`` under its protocol's ``train`` / ``test`` split names."""

    def __init__(self, base, protocol: str, train: list, test: list) -> None:  # noqa: ANN001
        self.base, self.protocol = base, protocol
        self.name = base.name
        self.class_names = list(base.class_names)
        self.parts = {"train": [_cached(s) for s in train], "test": [_cached(s) for s in test]}

    def protocols(self) -> list[str]:
        return [self.protocol]

    def protocol_description(self, protocol: str) -> str:
        return self.base.protocol_description(protocol)

    def class_splits(self) -> dict:
        return {}

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator:
        part = split.rsplit("/", 1)[-1]
        return (s for s in self.parts[part] if classes is None or s.label in classes)


def _cached(sample):  # noqa: ANN001, ANN202
    return dataclasses.replace(sample, load=lru_cache(maxsize=1)(sample.load))


def build(data: str, root: Path, train_per_pair: int, test_per_pair: int) -> SubsetDataset:
    plugin, options, protocol = SETUPS[data]
    base = get_registry().create("dataset", plugin, options(root))
    names = base.class_names
    train = pick(base.samples(f"{protocol}/train"), names, train_per_pair)
    test = pick(base.samples(f"{protocol}/test"), names, test_per_pair)
    return SubsetDataset(base, protocol, train, test)


def spec_data(data: str, root: Path) -> dict:
    """The ``data`` section naming the base dataset (the pipeline's own copy is replaced by the subset)."""
    plugin, options, _ = SETUPS[data]
    return {"name": plugin, **options(root)}
