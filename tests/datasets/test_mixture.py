"""``mixture``: several datasets as one spec's data, each with its own splits, performers kept apart."""

from __future__ import annotations

import pytest

from skeletonllm.errors import SkeletonDataError
from skeletonllm.registry import get_registry

SYNTH = {"name": "synthetic", "samples_per_class": 4, "actions": ["hand waving", "clapping", "jump up"]}


def _mixture(classes="merged", second=None):
    second = second or {**SYNTH, "topology": "smpl22", "actions": ["clapping", "salute"]}
    parts = [
        {"data": SYNTH, "train": "xsub/train", "test": "xsub/test", "label": "kinect"},
        {"data": second, "train": "xsub/train", "test": "xsub/test", "label": "smpl"},
    ]
    return get_registry().create("dataset", "mixture", {"parts": parts, "classes": classes})


def test_merged_names_share_a_label():
    mix = _mixture()
    assert mix.class_names == ["hand waving", "clapping", "jump up", "salute"]
    clapping = {s.meta["dataset"] for s in mix.samples("mixed/train") if s.label == 1}
    assert clapping == {"kinect", "smpl"}


def test_separate_classes_name_the_part_where_names_collide():
    mix = _mixture("separate")
    assert mix.class_names == ["hand waving", "kinect: clapping", "jump up", "smpl: clapping", "salute"]


def test_splits_follow_each_part_and_performers_stay_distinct():
    mix = _mixture()
    train, test = list(mix.samples("mixed/train")), list(mix.samples("mixed/test"))
    assert {s.id for s in train}.isdisjoint({s.id for s in test})
    assert all(s.id.startswith(("kinect/", "smpl/")) for s in train)
    subjects = {s.meta["subject"] for s in train}
    assert {x.split(":")[0] for x in subjects} == {"kinect", "smpl"}
    assert len(subjects) == len({s.meta["subject"] for s in train if s.meta["dataset"] == "kinect"}) * 2
    assert all(s.load().num_frames > 0 for s in test[:2])


def test_leave_one_dataset_out():
    mix = _mixture()
    train = list(mix.samples("without_smpl/train"))
    test = list(mix.samples("without_smpl/test"))
    assert {s.meta["dataset"] for s in train} == {"kinect"} and {s.meta["dataset"] for s in test} == {"smpl"}
    assert {s.meta["dataset"] for s in mix.samples("only_kinect/test")} == {"kinect"}
    assert {s.label for s in mix.samples("mixed/test", classes={3})} == {3}


def test_bad_parts_are_refused():
    with pytest.raises(Exception, match="appear twice"):
        get_registry().create(
            "dataset", "mixture",
            {"parts": [{"data": SYNTH, "train": "xsub/train", "test": "xsub/test"}] * 2},
        )  # fmt: skip
    with pytest.raises(SkeletonDataError, match="splits"):
        list(_mixture().samples("xsub/train"))


def test_a_parts_options_are_checked_with_the_spec():
    part = {"data": {"name": "synthetic", "topology": "nope"}, "train": "xsub/train", "test": "xsub/test"}
    with pytest.raises(Exception, match="topology"):
        get_registry().options("dataset", "mixture", {"parts": [part]})
    part = {"data": {"name": "synthetc"}, "train": "xsub/train", "test": "xsub/test"}
    with pytest.raises(Exception, match="synthetic"):
        get_registry().options("dataset", "mixture", {"parts": [part]})
