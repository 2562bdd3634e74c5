"""The published protocols as data: reading the package's YAML split files.

Each file under ``data/`` names a benchmark's classes (1-based dataset ids and
names), its sample-level protocols (the rule and its parameters) and its
seen/unseen class splits, every entry with the source it was transcribed
from. Code never hard-codes a class id or subject list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.dataset import ClassSplit


@dataclass(frozen=True)
class BenchmarkData:
    """Classes, protocol rules and class splits of one benchmark, as shipped."""

    name: str
    class_names: tuple[str, ...]
    protocols: dict[str, dict[str, Any]]
    class_splits: dict[str, ClassSplit]
    raw: dict[str, Any]


def data_text(file_name: str) -> str:
    """Text of a file shipped in ``skeletonllm_datasets/data``."""
    return resources.files("skeletonllm_datasets").joinpath("data", file_name).read_text(encoding="utf-8")


@cache
def benchmark(name: str) -> BenchmarkData:
    """Parse and check ``data/<name>.yaml``: ids 1..N in order, unseen ids valid and unique."""
    source = f"skeletonllm_datasets/data/{name}.yaml"
    doc = yaml.safe_load(data_text(f"{name}.yaml"))
    classes = doc["classes"]
    for i, entry in enumerate(classes):
        if entry["id"] != i + 1:
            raise SkeletonDataError(f"class {i} has id {entry['id']}, expected {i + 1}", source=source, field="classes")
    names = tuple(str(c["name"]) for c in classes)
    splits = {}
    for key, entry in (doc.get("class_splits") or {}).items():
        unseen_ids = [int(u["id"]) for u in entry["unseen"]]
        for u in entry["unseen"]:
            if not 1 <= u["id"] <= len(names) or names[u["id"] - 1] != u["name"]:
                raise SkeletonDataError(
                    f"split {key}: unseen {u} does not match class list", source=source, field="class_splits"
                )
        if len(set(unseen_ids)) != len(unseen_ids):
            raise SkeletonDataError(f"split {key}: duplicate unseen ids", source=source, field="class_splits")
        unseen = tuple(sorted(i - 1 for i in unseen_ids))
        seen = tuple(i for i in range(len(names)) if i not in set(unseen))
        if len(seen) != entry["num_seen"]:
            raise SkeletonDataError(
                f"split {key}: {len(seen)} seen classes, the file says {entry['num_seen']}",
                source=source,
                field="class_splits",
            )
        splits[str(key)] = ClassSplit(name=str(key), seen=seen, unseen=unseen, source=str(entry["source"]))
    return BenchmarkData(name, names, dict(doc.get("protocols") or {}), splits, doc)


def missing_skeletons(max_setup: int) -> frozenset[str]:
    """NTU sample names with missing skeletons, for setups up to ``max_setup`` (17: NTU-60, 32: NTU-120)."""
    names = [ln.strip() for ln in data_text("ntu_missing_skeletons.txt").splitlines()]
    return frozenset(n for n in names if n and not n.startswith("#") and int(n[1:4]) <= max_setup)
