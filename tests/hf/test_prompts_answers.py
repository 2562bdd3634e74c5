"""Prompt templates fill their fields and the parsers read answers back."""

from __future__ import annotations

import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm_hf.answers import parse_label, parse_yes_no
from skeletonllm_hf.prompts import (
    caption_prompt,
    label_answer,
    mqa_prompt,
    prompt_corpus,
    rationale_answer,
    rationale_prompt,
    yes_no_answer,
    yes_no_prompt,
)


def test_mqa_lists_every_option_once():
    text = mqa_prompt(["drink water", "jump up", "salute"])
    for name in ("drink water", "jump up", "salute"):
        assert text.count(f"- {name}") == 1
    assert "Label: <action>" in text
    assert "{" not in text


def test_prompts_without_options_are_refused():
    with pytest.raises(SkeletonLLMError, match="at least one"):
        mqa_prompt([])


def test_yes_no_rationale_caption_fill_fields():
    assert '"jump up"' in yes_no_prompt("jump up")
    assert "- salute" in rationale_prompt(["salute", "clapping"])
    assert "{" not in caption_prompt() and caption_prompt().strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Label: Drink Water", "drink water"),
        ("  label:   jump up.  ", "jump up"),
        ('The arm rises.\nAnswer format "Label: <action>".\nLabel: "Salute"\nthanks', "salute"),
        ("no label here", None),
        ("Label:   ", None),
        ("LABEL:pickup", "pickup"),
    ],
)
def test_parse_label(text, expected):
    assert parse_label(text) == expected


def test_label_answer_round_trips_through_parser():
    assert parse_label(label_answer("Wear a Shoe")) == "wear a shoe"
    assert parse_label(rationale_answer("The foot lifts. Label: x is not it", "wear a shoe")) == "wear a shoe"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("YES", True), ("no.", False), ("Yes, it is.", True), ("I think NO", False), ("maybe", None), ("yesterday", None)],
)
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected


def test_yes_no_answers_parse_back():
    assert parse_yes_no(yes_no_answer(True)) is True
    assert parse_yes_no(yes_no_answer(False)) is False


def test_corpus_covers_class_names():
    corpus = "\n".join(prompt_corpus(["tennis bat swing", "yawn"]))
    assert "tennis bat swing" in corpus and "Label: yawn" in corpus
