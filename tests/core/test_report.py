"""The evaluation report's statistics, checked against hand-computed values."""

from __future__ import annotations

import math

import pytest

from skeletonllm.report import bootstrap_interval, mean_interval, render_markdown, summarise_recognition
from skeletonllm.tasks import Prediction, TaskExample, TaskKind


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_more_clips():
    small = bootstrap_interval([1, 0] * 10, seed=0)
    large = bootstrap_interval([1, 0] * 200, seed=0)
    assert small.value == large.value == 0.5
    assert small.low < 0.5 < small.high and large.low < 0.5 < large.high
    assert (large.high - large.low) < (small.high - small.low) / 3  # ~ 1/sqrt(20) vs 1/sqrt(400)
    # the normal approximation of a proportion: 1.96 * sqrt(p(1-p)/n) = 0.049 for n = 400
    assert (large.high - large.low) / 2 == pytest.approx(1.96 * math.sqrt(0.25 / 400), abs=0.01)
    assert bootstrap_interval([1, 0, 1], seed=3) == bootstrap_interval([1, 0, 1], seed=3)  # seeded
    assert bootstrap_interval([1.0]).low == 1.0 and math.isnan(bootstrap_interval([]).value)


def test_mean_interval_over_seeds_uses_student_t():
    # three seeds: mean 0.5, sd 0.1, half width t(0.975, 2) * 0.1 / sqrt(3) = 4.303 * 0.05774 = 0.2484
    interval = mean_interval([0.4, 0.5, 0.6])
    assert interval.value == pytest.approx(0.5)
    assert interval.high - interval.value == pytest.approx(0.2484, abs=1e-3)
    assert mean_interval([0.7]).low == 0.7


def rec(answer: str, output: str, unseen: bool) -> Prediction:
    example = TaskExample(
        TaskKind.MULTIPLE_CHOICE, candidates=["a", "b", "c", "d"], answer=answer, meta={"unseen": unseen}
    )
    return Prediction(example, output)


def test_recognition_summary_counts_per_class_confusion_and_chance():
    predictions = [
        rec("a", "Label: a", False),
        rec("a", "Label: b", False),
        rec("c", "Label: c", True),
        rec("c", "?", True),
    ]
    summary = summarise_recognition(predictions)
    assert summary.overall.value == 0.5 and summary.chance == 0.25
    assert summary.seen.value == 0.5 and summary.unseen.value == 0.5
    assert summary.per_class["a"].value == 0.5 and summary.per_class["c"].value == 0.5
    assert summary.unparsed == 1
    a, c = summary.labels.index("a"), summary.labels.index("c")
    assert summary.confusion[a, summary.predicted.index("b")] == 1
    assert summary.confusion[c, summary.predicted.index("(no label)")] == 1
    assert summary.confusion.sum() == 4
    text = render_markdown(predictions, {"accuracy": 0.5}, {"seed": 0}, summary)
    assert "| chance (1 / candidates) | 0.250 |" in text and "| a | 0.500 |" in text


def test_caption_predictions_are_listed_beside_their_references():
    caption = TaskExample(TaskKind.CAPTION, references=("a person waves", "someone waves"))
    notes = {"bleu4": "computed on our own tokenisation"}
    text = render_markdown([Prediction(caption, "a man waves", "clip1")], {"bleu4": 0.3}, {"seed": 1}, None, notes)
    assert "| clip1 | a man waves | a person waves / someone waves |" in text
    assert "- `bleu4`: computed on our own tokenisation" in text
    assert summarise_recognition([Prediction(caption, "x")]) is None
    assert "bleu4" in text
