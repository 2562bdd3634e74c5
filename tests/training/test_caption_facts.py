"""Caption fact check: side, moving part and repetitions a caption states, against the clip's joints."""

from __future__ import annotations

import math

import pytest

from skeletonllm.tasks import Prediction, TaskExample, TaskKind
from skeletonllm_datasets.synthetic import generate
from skeletonllm_training.caption_facts import agreement, check, stated_part, stated_repetitions, stated_side
from skeletonllm_training.caption_metric import CaptioningMetric
from skeletonllm_training.kinematics import analyse


def test_reading_the_caption():
    assert stated_side("Someone waves the left hand twice.") == "left"
    assert stated_side("a person raises both hands") == "both"
    assert stated_side("a person sits down") is None
    assert stated_part("someone kicks with the right foot") == "leg"
    assert stated_part("the person waves the left hand three times") == "arm"
    assert stated_part("someone sits down") is None
    assert stated_repetitions("claps the hands five times") == 5
    assert stated_repetitions("waves twice") == 2 and stated_repetitions("kicks once") == 1
    assert stated_repetitions("waves") is None


def _wave():
    """A SynthAct wave whose drawn side and count the generator knows (seed chosen for a one-handed wave)."""
    for seed in range(20):
        seq = generate("hand waving", "kinect_v2", seed)
        facts = analyse(seq)
        if facts.main.side in ("left", "right") and facts.main.main.repetitions >= 2:
            return seq, facts
    pytest.skip("no one-sided wave among the first seeds")


def test_a_caption_agrees_or_contradicts_the_joints():
    _, facts = _wave()
    side, other = facts.main.side, {"left": "right", "right": "left"}[facts.main.side]
    reps = facts.main.main.repetitions
    right = check(f"someone waves the {side} hand {reps} times", facts)
    assert right == {"side": True, "part": True, "repetitions": True}
    wrong = check(f"someone kicks with the {other} foot once", facts)
    assert wrong["side"] is False and wrong["part"] is False
    assert check("a person moves", facts) == {"side": None, "part": None, "repetitions": None}
    summary = agreement([right, wrong, check("a person moves", facts)])
    assert summary["fact_agreement"] == 0.5 and math.isclose(summary["facts_stated"], 2 / 3)


def test_the_metric_reports_distinct_captions_and_agreement():
    sequence, facts = _wave()
    side = facts.main.side
    refs = (f"a person waves the {side} hand {facts.main.main.repetitions} times",)
    example = TaskExample(TaskKind.CAPTION, references=refs, meta={"sequence": sequence})
    metric = CaptioningMetric(CaptioningMetric.Options(bertscore=False))
    metric.update([Prediction(example, refs[0], "a"), Prediction(example, "someone sits down", "b")])
    result = metric.compute()
    out = result.values
    assert out["distinct_captions"] == 2.0
    assert out["fact_agreement"] == 1.0 and out["facts_stated"] == 0.5
    assert out["fact_agreement_references"] == 1.0
    assert "kinematic facts" in result.notes["fact_agreement"]
