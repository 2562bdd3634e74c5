"""Evaluation follows eval.task / eval.question / eval.data: the test set and question come from the spec."""

from __future__ import annotations

import pytest
from toy_components import CLASSES, toy_registry

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.tasks import TaskKind
from skeletonllm.training import Trainer


def _spec(tmp_path, stages=None, **eval_over):
    data = {
        "data": {"name": "toy_data", "per_class": 8},
        "renderer": {"name": "toy_renderer", "frames": 3, "size": 8},
        "backbone": "toy_backbone",
        "stages": stages or [{"name": "refine", "max_steps": 25}],
        "optim": {"lr": 0.1, "batch_size": 6, "save_every": 50, "seed": 1},
        "split": {"class_split": "3/1"},
        "eval": eval_over,
        "output_dir": str(tmp_path / "run"),
    }
    return validate_spec(data, toy_registry())


def test_the_test_question_is_the_last_recognition_stages(tmp_path):
    pipeline = Pipeline(_spec(tmp_path))
    stage, example = pipeline.test_question()
    assert stage.name == "refine" and example.kind is TaskKind.MULTIPLE_CHOICE
    assert list(example.candidates) == CLASSES  # eval.candidates: all


def test_a_fixed_question_kind_needs_no_recognition_stage(tmp_path):
    pipeline = Pipeline(_spec(tmp_path, stages=[{"name": "warmup", "max_steps": 1}], question="open_recognition"))
    stage, example = pipeline.test_question()
    assert stage is None and example.kind is TaskKind.OPEN and not example.candidates


def test_a_task_no_stage_teaches_is_a_clear_error(tmp_path):
    with pytest.raises(SkeletonLLMError, match="caption"):
        Pipeline(_spec(tmp_path, task="caption", metrics=["accuracy"])).test_question()


def test_evaluation_on_another_dataset_marks_classes_the_training_never_had(tmp_path):
    spec = _spec(tmp_path, data={"name": "toy_data", "per_class": 3}, split="test")
    pipeline = Pipeline(spec)
    assert pipeline.test_dataset is not pipeline.dataset
    Trainer(pipeline, show_progress=False).fit()
    predictions = pipeline.predict(show_progress=False)
    assert len(predictions) == 3 * len(CLASSES)
    unseen = {p.example.answer for p in predictions if p.example.meta["unseen"]}
    assert unseen == {CLASSES[3]}  # the class split held class 3 out of training
    metrics = pipeline.score(predictions)
    assert {"accuracy", "seen_accuracy", "unseen_accuracy", "harmonic_mean"} <= set(metrics)
    assert metrics["seen_accuracy"] > 0.6


def test_motion_qa_evaluation_asks_each_clip_about_its_own_motion(tmp_path):
    """eval.task: qa — the stage is prepared on the training clips, then asks every kind per test clip."""
    data = {
        "data": {"name": "synthetic", "actions": ["hand waving", "jump up"], "samples_per_class": 6, "frames": 24},
        "renderer": {"name": "stick", "frames": 2, "size": 28},
        "backbone": {"name": "qwen2_5_vl", "frames": 2, "image_size": 28},
        "stages": [{"name": "motion_qa", "max_steps": 1}],
        "optim": {"batch_size": 2, "save_every": 50},
        "split": {"train": "xsub/train", "test": "xsub/test"},
        "eval": {"task": "qa", "limit": 2, "max_new_tokens": 4},
        "output_dir": str(tmp_path / "run"),
    }
    pipeline = Pipeline(validate_spec(data))
    Trainer(pipeline, show_progress=False).fit()
    predictions = pipeline.predict(show_progress=False)
    kinds = {p.example.meta.get("qa_kind") for p in predictions}
    assert len({p.sample_id for p in predictions}) == 2 and len(predictions) > 2
    assert {"temporal", "fine_grained"} <= kinds
    assert all(p.example.kind is TaskKind.QA and p.example.answer for p in predictions)
    metrics = pipeline.score(predictions)
    assert 0.0 <= metrics["qa_accuracy"] <= 1.0
