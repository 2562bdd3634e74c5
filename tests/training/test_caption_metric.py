"""The ``captioning`` metric plugin reads typed caption predictions and reports the corpus scores."""

from __future__ import annotations

import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.tasks import Prediction, TaskExample, TaskKind
from skeletonllm_training import caption_metrics as cm
from skeletonllm_training.caption_metric import CaptioningMetric


def _caption(output: str, refs: list[str], sample_id: str) -> Prediction:
    return Prediction(TaskExample(TaskKind.CAPTION, references=tuple(refs)), output, sample_id)


PREDICTIONS = [
    _caption("a person waves the left hand", ["a person waves the left hand twice", "someone waves"], "c0"),
    _caption("a person jumps", ["a person jumps up high"], "c1"),
    _caption("someone sits down", ["a person sits down slowly"], "c2"),
]


def test_reports_the_four_scores_over_all_updates_and_ignores_other_tasks():
    metric = CaptioningMetric(CaptioningMetric.Options(bertscore=False))
    metric.update(PREDICTIONS[:2])
    other = Prediction(TaskExample(TaskKind.MULTIPLE_CHOICE, answer="jump up", candidates=("jump up",)), "Label: x")
    metric.update([other, PREDICTIONS[2]])
    result = metric.compute()
    out = result.values
    hyps = [p.output for p in PREDICTIONS]
    refs = [list(p.example.references) for p in PREDICTIONS]
    assert out == {
        "bleu_4": pytest.approx(cm.bleu(hyps, refs)[3]),
        "rouge_l": pytest.approx(cm.rouge_l(hyps, refs)),
        "cider": pytest.approx(cm.cider_d(hyps, refs)),
        "distinct_captions": 3.0,
    }
    assert [c.sample_id for c in metric.captions] == ["c0", "c1", "c2"]
    (examples,) = result.tables
    assert examples.rows[1] == ("c1", "a person jumps", "a person jumps up high")
    assert "Python tokenisation" in result.notes["bleu_4"] and "bertscore_f1_minilm" not in result.notes
    metric.reset()
    with pytest.raises(SkeletonLLMError, match="no caption predictions"):
        metric.compute()


def test_better_captions_score_higher_on_every_figure():
    good, bad = CaptioningMetric(), CaptioningMetric()
    good.update(PREDICTIONS)
    bad.update([_caption("a person stands still", list(p.example.references), p.sample_id) for p in PREDICTIONS])
    high_result, low_result = good.compute(), bad.compute()
    high, low = high_result.values, low_result.values
    assert set(high) == {"bleu_4", "rouge_l", "cider", "bertscore_f1_minilm", "distinct_captions"}
    for key in high:
        assert high[key] > low[key], key
    assert "MiniLM" in high_result.notes["bertscore_f1_minilm"]


def test_a_caption_without_references_is_a_clear_error():
    metric = CaptioningMetric()
    with pytest.raises(SkeletonLLMError, match="sample c9 has no reference captions"):
        metric.update([_caption("a person walks", [], "c9")])
