"""The kit's stage, teacher and metric contracts, run over every registered one (built-ins included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skeletonllm.registry import get_registry
from skeletonllm.testing import (
    MetricContract,
    QuestionContract,
    StageContract,
    TeacherContract,
    check_metric_on_nothing,
    check_metric_result,
    kit_predictions,
)


class TestEveryStage(StageContract):
    pass


class TestEveryQuestion(QuestionContract):
    pass


class TestEveryTeacher(TeacherContract):
    def options(self, name: str, folder: Path) -> dict | None:
        if name != "file":
            return {}
        path = folder / "rationales.jsonl"  # the kit asks about clip kit_2_7 (class 2)
        record = {"id": "kit_2_7", "rationale": "Step 1: the right leg swings forward.", "rationale_unlabelled": "x"}
        path.write_text(json.dumps(record) + "\n")
        return {"path": str(path)}


class TestEveryMetric(MetricContract):
    def options(self, name: str, folder: Path) -> dict | None:
        if name == "captioning":
            return {"bertscore": False}  # the MiniLM BERTScore is checked in test_caption_metric.py
        if name == "text_motion":
            return None  # loads MiniLM for every build (about 20 s): test_text_motion_keeps_the_metric_contract
        return {}


@pytest.mark.slow
def test_text_motion_keeps_the_metric_contract(tmp_path: Path):
    """An untrained evaluator: the contract is about the result (finite, batch-independent), not the score."""
    from skeletonllm_training.text_motion.model import EvaluatorConfig, TextMotionEvaluator

    TextMotionEvaluator(EvaluatorConfig(hidden=16, dim=8)).save(tmp_path / "evaluator")

    def make():
        return get_registry().create(
            "metric", "text_motion", {"evaluator": str(tmp_path / "evaluator"), "batch_size": 4}
        )

    check_metric_on_nothing(make)
    result = check_metric_result(make, kit_predictions(), tmp_path)
    assert result is not None and "r_at_1" in result.values and result.chance["r_at_1"] == 0.25
