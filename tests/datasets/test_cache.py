"""The Arrow cache: built with workers, reused on the second run, keyed by config, skips bad files."""

from __future__ import annotations

import numpy as np
import torch

from skeletonllm.registry import get_registry
from skeletonllm_datasets.cache import cached_split
from skeletonllm_datasets.preprocess import PreprocessConfig, preprocess
from skeletonllm_datasets.synthetic import generate


def test_build_then_reuse_and_key_changes(tmp_path):
    ds = get_registry().create("dataset", "synthetic", {"samples_per_class": 4, "subjects": 4})
    cfg = PreprocessConfig(frames=8)
    first = cached_split(ds, "xsub/test", cfg, cache_dir=tmp_path, num_proc=2)
    assert not first.reused and len(first) == 21 and first.report.skipped == []
    positions, mask, label = first.arrays(0)
    assert positions.shape == (2, 8, 25, 3) and mask.dtype == bool
    sample = next(ds.samples("xsub/test"))
    want_pos, want_mask = preprocess(sample.load(), cfg)
    np.testing.assert_allclose(positions, want_pos)
    np.testing.assert_array_equal(mask, want_mask)
    assert first.data[0]["id"] == sample.id and label == sample.label
    again = cached_split(ds, "xsub/test", cfg, cache_dir=tmp_path, num_proc=2)
    assert again.reused and again.key == first.key and len(again) == len(first)
    assert again.data.cache_files  # memory-mapped Arrow files, not an in-memory table
    batch = next(iter(torch.utils.data.DataLoader(again.torch(), batch_size=4)))
    assert batch["positions"].shape == (4, 2, 8, 25, 3) and batch["label"].dtype == torch.int64
    other = cached_split(ds, "xsub/test", PreprocessConfig(frames=4), cache_dir=tmp_path)
    assert not other.reused and other.key != first.key


def test_corrupt_and_empty_files_are_skipped_with_one_summary_line(tmp_path, capsys):
    root = tmp_path / "skel"
    root.mkdir()
    writer = get_registry().create("format", "ntu_skeleton")
    for i, name in enumerate(["S001C001P001R001A010", "S001C002P002R001A023", "S001C003P004R001A038"]):
        writer.write(generate("clapping", "kinect_v2", i), root / f"{name}.skeleton")
    (root / "S001C002P003R001A001.skeleton").write_text("3\r\n1\r\nnot a body line\r\n")
    (root / "S001C001P007R001A002.skeleton").write_bytes(b"")
    ds = get_registry().create("dataset", "ntu60", {"root": str(root)})
    cached = cached_split(ds, "xview/train", PreprocessConfig(frames=6), cache_dir=tmp_path / "cache")
    err = capsys.readouterr().err
    assert "skipped 1 of 5 samples: S001C001P007R001A002.skeleton (empty file)" in err  # found while listing
    assert "skipped 1 of 3 samples: S001C002P003R001A001" in err  # corrupt: found while loading
    assert sorted(cached.data["id"]) == ["S001C002P002R001A023", "S001C003P004R001A038"]
    assert cached.report.skipped[0][0] == "S001C002P003R001A001"
