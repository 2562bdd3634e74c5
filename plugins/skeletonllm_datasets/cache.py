"""Preprocessed sequences cached as a Hugging Face ``datasets`` Arrow dataset.

The cache lives in ``<cache_dir>/<key>/`` where ``key`` hashes the dataset's
name and options, the split, the class filter and the preprocessing config:
change any of them and a new cache is built, change none and the second run
memory-maps the first run's files. The build is generator-based
(``Dataset.from_generator`` with ``num_proc`` workers), so a 100k-clip dataset
streams through the Arrow writer instead of sitting in memory, and a corrupt
or empty file costs one row marked with its error, reported in one line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import datasets
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces.dataset import Dataset, Sample

from .preprocess import PreprocessConfig, preprocess
from .splitting import SkipReport

CACHE_VERSION = 1


def default_cache_dir() -> Path:
    return Path(os.environ.get("SKELETONLLM_CACHE", Path.home() / ".cache" / "skeletonllm")) / "datasets"


def cache_key(dataset: Dataset, split: str, cfg: PreprocessConfig, classes: set[int] | None) -> str:
    """Stable hash of everything that decides the cached rows."""
    spec = {
        "version": CACHE_VERSION,
        "dataset": dataset.name,
        "options": dataset.options.model_dump(mode="json"),
        "split": split,
        "classes": sorted(classes) if classes is not None else None,
        "preprocess": cfg.model_dump(mode="json"),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:20]


def _rows(samples: list[Sample], cfg: dict[str, Any], shape: tuple[int, int, int, int]):
    """Generator run in each worker: one row per sample, an ``error`` instead of data when it fails."""
    config = PreprocessConfig(**cfg)
    for s in samples:
        try:
            seq = s.load()
            if (seq.num_joints, seq.dims) != shape[2:]:
                raise SkeletonLLMError(f"{seq.num_joints} joints x {seq.dims}D, expected {shape[2]} x {shape[3]}D")
            pos, mask = preprocess(seq, config)
            error, length = "", seq.num_frames
        except (SkeletonLLMError, OSError, ValueError) as exc:
            pos, mask = np.zeros(shape, np.float32), np.zeros(shape[:3], bool)
            error, length = str(exc) or type(exc).__name__, 0
        yield {
            "id": s.id,
            "label": s.label,
            "text": s.text or "",
            "num_frames": length,
            "positions": pos,
            "mask": mask.astype(np.uint8),
            "error": error,
        }


@dataclass
class CachedSplit:
    """A memory-mapped cached split (``numpy`` format) and what was skipped building it."""

    data: datasets.Dataset
    report: SkipReport
    key: str
    path: Path
    reused: bool

    def __len__(self) -> int:
        return len(self.data)

    def torch(self) -> datasets.Dataset:
        """The same memory-mapped rows as torch tensors, ready for a ``torch.utils.data.DataLoader``."""
        return self.data.with_format("torch", columns=["positions", "mask", "label"])

    def arrays(self, index: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Positions (float32), mask (bool) and label of one row, read from the memory map."""
        row = self.data[index]
        return row["positions"].astype(np.float32, copy=False), row["mask"].astype(bool), int(row["label"])


def _features(shape: tuple[int, int, int, int]) -> datasets.Features:
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "label": datasets.Value("int64"),
            "text": datasets.Value("string"),
            "num_frames": datasets.Value("int32"),
            "positions": datasets.Array4D(shape=shape, dtype="float32"),
            "mask": datasets.Array3D(shape=shape[:3], dtype="uint8"),
            "error": datasets.Value("string"),
        }
    )


def cached_split(
    dataset: Dataset,
    split: str,
    cfg: PreprocessConfig | None = None,
    *,
    classes: set[int] | None = None,
    cache_dir: Path | None = None,
    num_proc: int | None = None,
) -> CachedSplit:
    """Build (or reuse) the cache of ``dataset.samples(split, classes)`` preprocessed by ``cfg``."""
    cfg = cfg or PreprocessConfig()
    key = cache_key(dataset, split, cfg, classes)
    root = Path(cache_dir or default_cache_dir()) / f"{dataset.name}-{key}"
    done = root / "report.json"
    if done.is_file():
        info = json.loads(done.read_text(encoding="utf-8"))
        report = SkipReport(what="samples", total=info["total"], skipped=[tuple(x) for x in info["skipped"]])
        data = datasets.load_from_disk(str(root / "data")).with_format("numpy")
        return CachedSplit(data, report, key, root, reused=True)
    samples = list(dataset.samples(split, classes))
    if not samples:
        raise SkeletonLLMError(f"{dataset.name}: split {split!r} has no samples to cache")
    first = samples[0].load()
    shape = (cfg.max_persons, cfg.frames, first.num_joints, first.dims)
    build = root / "build"
    workers = max(1, min(num_proc or 1, len(samples)))
    built = datasets.Dataset.from_generator(
        _rows,
        features=_features(shape),
        cache_dir=str(build),
        gen_kwargs={"samples": samples, "cfg": cfg.model_dump(), "shape": shape},
        num_proc=workers if workers > 1 else None,
        fingerprint=key,
    )
    errors = built["error"]
    report = SkipReport(what="samples", total=len(samples))
    for sid, err in zip(built["id"], errors):
        if err:
            report.add(sid, err)
    valid = [i for i, e in enumerate(errors) if not e]
    built.select(valid).remove_columns("error").save_to_disk(str(root / "data"))
    del built
    shutil.rmtree(build, ignore_errors=True)
    done.write_text(json.dumps({"total": report.total, "skipped": report.skipped, "split": split}), encoding="utf-8")
    report.print()
    data = datasets.load_from_disk(str(root / "data")).with_format("numpy")
    return CachedSplit(data, report, key, root, reused=False)
