"""The SynthAct benchmark definition: deterministic, held-out performers, disjoint class splits."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.registry import get_registry


def make(**options):
    return get_registry().create("dataset", "synthetic", options)


def test_xsub_holds_out_whole_performers():
    ds = make(samples_per_class=8, subjects=8)
    train, test = list(ds.samples("xsub/train")), list(ds.samples("xsub/test"))
    assert len(train) + len(test) == 8 * len(ds.class_names)
    assert {s.meta["subject"] for s in test} == {4, 8}
    assert not {s.meta["subject"] for s in train} & {4, 8}
    a, b = test[0].load(), test[0].load()
    np.testing.assert_array_equal(a.positions, b.positions)
    assert a.meta["label"] == test[0].label and a.meta["action"] == ds.class_names[test[0].label]


def test_class_splits_are_disjoint_with_confusable_partners_seen():
    ds = make(samples_per_class=2)
    for cs in ds.class_splits().values():
        assert not set(cs.seen) & set(cs.unseen) and len(cs.seen) + len(cs.unseen) == len(ds.class_names)
        assert {s.label for s in ds.samples(f"{cs.name}/train")} == set(cs.seen)
        assert {s.label for s in ds.samples(f"{cs.name}/test")} == set(cs.unseen)
        leaked = {s.label for s in ds.samples("xsub/train", set(cs.seen))} & set(cs.unseen)
        assert not leaked
    names = ds.class_names
    unseen5 = {names[i] for i in ds.class_splits()["16/5"].unseen}
    assert "salute" in unseen5 and "hand waving" not in unseen5


def test_topology_option_and_validation():
    seq = next(make(samples_per_class=1, topology="coco17", frames=12).samples("xsub/train")).load()
    assert seq.dims == 2 and seq.num_frames == 12
    with pytest.raises((ValidationError, SkeletonLLMError), match="unknown topology"):  # the registry may wrap it
        make(topology="openpose")


def test_action_subset_relabels_and_keeps_the_same_clips():
    reg = get_registry()
    full = reg.create("dataset", "synthetic", {"samples_per_class": 2, "frames": 8})
    sub = reg.create("dataset", "synthetic", {"samples_per_class": 2, "frames": 8, "actions": ["jump up", "clapping"]})
    assert sub.class_names == ["jump up", "clapping"]
    assert sub.class_splits() == {}
    by_id = {s.id: s for s in full.all_samples()}
    picked = list(sub.all_samples())
    assert [s.label for s in picked] == [0, 0, 1, 1]
    for s in picked:
        assert np.array_equal(s.load().positions, by_id[s.id].load().positions)
        assert sub.class_names[s.label] == full.class_names[by_id[s.id].label]
    with pytest.raises(Exception, match="unknown actions"):
        reg.create("dataset", "synthetic", {"actions": ["moonwalk", "clapping"]})
