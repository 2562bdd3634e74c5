"""Caption references and label facts from real datasets' labels (data/captions_*.yaml), on fixture trees."""

from __future__ import annotations

import re

import numpy as np
import pytest
from kinect_v1_fixtures import msrc12_tagstream, msrc12_text
from test_mocap_datasets import bandai_tree

from skeletonllm.errors import SkeletonDataError
from skeletonllm.registry import get_registry
from skeletonllm_datasets.label_captions import CaptionRules, caption_rules, times
from skeletonllm_datasets.msrc12 import group_sizes
from skeletonllm_datasets.protocol_data import benchmark

STYLED = ("bandai1", "bandai2")
PLAIN = ("sbu", "msrc12")
FACT_WORDS = {
    "part": {"arm", "leg", "body"},
    "side": {"left", "right", "both"},
    "hand": {"left", "right", "both"},
    "turn": {"left", "right", "straight"},
    "direction": {"left", "right", "forward", "backward", "up", "down", "closer", "apart"},
    "distance": {"closer", "apart"},
}


def pairs(name: str):
    data = benchmark(name)
    styles = [s["name"] for s in data.raw.get("styles") or ()] or [None]
    return [(c, s) for c in data.class_names for s in styles]


@pytest.mark.parametrize("name", STYLED + PLAIN)
def test_every_class_and_style_gets_three_distinct_sentences(name: str) -> None:
    rules = caption_rules(name)
    seen = set()
    for content, style in pairs(name):
        made = rules.captions(content, style)
        assert len(made.references) == 3 and len(set(made.references)) == 3, (content, style, made.references)
        for sentence in made.references:
            assert re.fullmatch(r"[A-Z][^{}]*[a-z)]\.", sentence) and "  " not in sentence, sentence
        seen.add(made.references)
        for key, value in made.facts.items():
            if key in FACT_WORDS:
                assert value in FACT_WORDS[key], (content, key, value)
        if style is not None:
            assert made.facts["style"] == style and style in made.facts["styles"]
    assert len(seen) == len(pairs(name)), "two (class, style) pairs read the same three sentences"


@pytest.mark.parametrize("name", STYLED)
def test_styled_sentences_name_the_style_and_only_the_labelled_side(name: str) -> None:
    rules = caption_rules(name)
    for content, style in pairs(name):
        made = rules.captions(content, style)
        plain = rules.captions(content, "normal").references
        if style == "normal":  # said once, so that a plain sentence is not taken as naming no style
            assert sum("normal" in s for s in made.references) == 1, made.references
        else:
            assert all(s != p for s, p in zip(made.references, plain, strict=True)), (content, style)
        for sentence in made.references:
            words = set(re.findall(r"[a-z]+", sentence.lower()))
            sides = words & {"left", "right"}
            expected = {made.facts.get("side"), made.facts.get("direction")} & {"left", "right"}
            assert sides <= expected, (content, sentence)


def test_bandai_side_and_turn_facts_follow_the_content_name() -> None:
    rules = caption_rules("bandai2")
    for content in benchmark("bandai2").class_names:
        facts = rules.captions(content, "normal").facts
        if content.endswith("-hand") or content.endswith("-hands"):
            assert facts["hand"] == content.split("-")[-2] and facts["part"] == "arm"
        elif content.startswith("walk-turn-"):
            assert facts["turn"] == content.rsplit("-", 1)[1]
        else:
            assert facts["turn"] == "straight" and "hand" not in facts


def test_counts_are_words_and_unknown_labels_are_refused() -> None:
    assert [times(n) for n in (None, 1, 2, 3, 12)] == ["", " once", " twice", " three times", " 12 times"]
    made = caption_rules("msrc12").captions("duck", count=2)
    assert made.references[0] == "A person ducks twice." and made.facts["instances"] == 2
    with pytest.raises(SkeletonDataError, match="no caption rule for class 'swim'"):
        caption_rules("sbu").captions("swim")
    with pytest.raises(SkeletonDataError, match="no caption rule for style 'sleepy'"):
        caption_rules("bandai2").captions("walk", "sleepy")
    with pytest.raises(SkeletonDataError, match="no caption rules for 'ntu60'"):
        CaptionRules("ntu60")


def test_bandai_samples_carry_text_references_and_facts(tmp_path) -> None:
    ds = get_registry().create("dataset", "bandai", {"root": str(bandai_tree(tmp_path)), "set": 2})
    for sample in ds.index:
        made = caption_rules("bandai2").captions(ds.class_names[sample.label], sample.meta["style"])
        assert sample.text == made.references[0] and sample.meta["references"] == made.references
        assert sample.meta["facts"] == made.facts


def test_msrc12_clips_of_several_tags_hold_exactly_their_action_points(tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "P1_1_2_p01.csv").write_text(msrc12_text(frames=80, seed=3))
    stamps = np.loadtxt(data / "P1_1_2_p01.csv")[:, 0].astype(np.int64)
    tag_frames = [10, 20, 32, 45, 60, 70]
    (data / "P1_1_2_p01.tagstream").write_text(msrc12_tagstream([stamps[f] for f in tag_frames], "G2  Duck"))
    ds = get_registry().create(
        "dataset", "msrc12", {"root": str(tmp_path), "window_frames": 10, "tags_per_clip": [1, 2, 3]}
    )
    samples = list(ds.samples("xsub/train"))
    sizes = group_sizes(6, [1, 2, 3], "p1_1_2_p01")
    assert [s.meta["instances"] for s in samples] == sizes and sum(sizes) == 6
    first = 0
    for sample, size in zip(samples, sizes, strict=True):
        seq = sample.load()
        points = [f - int(seq.meta["action_points"][0]) for f in seq.meta["action_points"]]
        assert len(seq.meta["action_points"]) == size == sample.meta["facts"]["instances"]
        assert points == [f - tag_frames[first] for f in tag_frames[first : first + size]]
        before = tag_frames[first - 1] if first else None
        after = tag_frames[first + size] if first + size < 6 else None
        start = int(tag_frames[first] - seq.meta["action_points"][0])  # the clip's first frame in the file
        end = start + seq.num_frames - 1
        assert before is None or start > (before + tag_frames[first]) / 2 - 1  # past half-way from the tag before
        assert after is None or end < (tag_frames[first + size - 1] + after) / 2 + 1
        assert sample.text.endswith(("once.", "twice.", "three times."))
        first += size
