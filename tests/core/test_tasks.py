"""The typed task protocol: examples check themselves, wording fills every field, parsers read answers back."""

from __future__ import annotations

import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.tasks import (
    ClipContext,
    Prediction,
    TaskExample,
    TaskKind,
    choice_line,
    label_line,
    parse_answer,
    parse_choice,
    parse_label,
    parse_yes_no,
    phrase,
    template_corpus,
    yes_no_line,
)


def mc(candidates):
    return TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=candidates)


def test_multiple_choice_lists_every_option_once():
    text = phrase(mc(["drink water", "jump up", "salute"]))
    for name in ("drink water", "jump up", "salute"):
        assert text.count(f"- {name}") == 1
    assert "Label: <action>" in text
    assert "{" not in text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": TaskKind.MULTIPLE_CHOICE}, "at least one candidate"),
        ({"kind": TaskKind.RATIONALE}, "at least one candidate"),
        ({"kind": TaskKind.YES_NO}, "subject"),
        ({"kind": TaskKind.QA}, "question"),
        ({"kind": "no such kind"}, "no such kind"),
    ],
)
def test_incomplete_examples_are_refused_where_they_are_made(kwargs, match):
    with pytest.raises((SkeletonLLMError, ValueError), match=match):
        TaskExample(**kwargs)


def test_every_kind_is_phrased_without_unfilled_fields():
    examples = [
        mc(["salute"]),
        TaskExample(TaskKind.YES_NO, subject="jump up"),
        TaskExample(TaskKind.OPEN),
        TaskExample(TaskKind.RATIONALE, candidates=["salute", "clapping"]),
        TaskExample(TaskKind.RATIONALE, label_line=False),
        TaskExample(TaskKind.CAPTION),
        TaskExample(TaskKind.QA, question="Which hand moves?"),
        TaskExample(TaskKind.QA, question="Which hand moves?", candidates=["left", "right"]),
    ]
    texts = [phrase(ex) for ex in examples]
    assert all(t.strip() and "{" not in t for t in texts)
    assert '"jump up"' in texts[1]
    assert "- salute" in texts[3] and "- clapping" in texts[3]
    assert "Which hand moves?" in texts[6] and "- right" in texts[7]
    assert len(set(texts)) == len(texts)  # no two kinds share a wording


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [("YES", True), ("no.", False), ("Yes, it is.", True), ("I think NO", False), ("maybe", None), ("yesterday", None)],
)
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected


def test_answer_lines_round_trip_through_their_parsers():
    assert parse_label(label_line("Wear a Shoe")) == "wear a shoe"
    assert parse_label("The foot lifts. Label: x is not it\n" + label_line("wear a shoe")) == "wear a shoe"
    assert parse_yes_no(yes_no_line(True)) is True and parse_yes_no(yes_no_line(False)) is False
    assert parse_choice(choice_line("The Left Hand")) == "the left hand"
    assert parse_choice("right") == "right"  # a bare one-line answer counts
    assert parse_choice("first this\nthen that") is None


def test_predictions_are_scored_by_kind():
    yes_no = TaskExample(TaskKind.YES_NO, subject="salute", answer="no")
    assert Prediction(yes_no, "NO").correct is True
    assert Prediction(yes_no, "yes").correct is False
    rec = TaskExample(TaskKind.RATIONALE, candidates=["salute", "jump up"], answer="Jump Up")
    assert Prediction(rec, "The knees bend.\nLabel: jump up").correct is True
    assert Prediction(TaskExample(TaskKind.CAPTION), "a person waves").correct is None
    qa = TaskExample(TaskKind.QA, question="Which hand?", candidates=["left", "right"], answer="right")
    assert parse_answer(qa, "Answer: Right.") == "right"


def test_clip_context_names_its_class():
    clip = ClipContext("s1", 1, ["salute", "jump up"], [0, 1], text="a person jumps")
    assert clip.class_name == "jump up" and clip.references == ()


def test_corpus_covers_class_names():
    corpus = "\n".join(template_corpus(["tennis bat swing", "yawn"]))
    assert "tennis bat swing" in corpus and "Label: yawn" in corpus
