"""NW-UCLA's class splits are the published PURLS files, and the cross-view protocol reads the real files."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import shared_file
from skeletonllm.registry import get_registry


@pytest.mark.parametrize("key,unseen_file,seen_file", [("8/2", "ru2.npy", "rs8.npy"), ("5/5", "ru5.npy", "rs5.npy")])
def test_class_splits_are_the_purls_files(key, unseen_file, seen_file):
    unseen = np.load(shared_file(f"splits/purls/nw-ucla/{unseen_file}")).tolist()
    seen = np.load(shared_file(f"splits/purls/nw-ucla/{seen_file}")).tolist()
    names = shared_file("splits/class_names/nw-ucla.txt").read_text().split("\n")
    ds = get_registry().create("dataset", "nw_ucla", {"root": "."})
    split = ds.class_splits()[key]
    assert list(split.unseen) == sorted(unseen) and list(split.seen) == sorted(seen)
    assert ds.class_names == names[: len(ds.class_names)]  # PURLS indexes the same class order


def test_real_files_give_each_class_once_and_view_one_trains():
    folder = shared_file("nw_ucla/all_sqe")
    ds = get_registry().create("dataset", "nw_ucla", {"root": str(folder)})
    train = list(ds.samples("xview/train"))
    assert sorted(s.label for s in train) == list(range(10)) and not list(ds.samples("xview/test"))
    unseen = list(ds.samples("8/2/test"))
    assert [ds.class_names[s.label] for s in unseen] == ["pick up with two hands", "sit down"]
    seq = unseen[1].load()
    assert seq.num_joints == 20 and seq.meta["label"] == 4
