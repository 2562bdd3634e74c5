"""Vision pretraining: the tower learns to read renders (slow test), the stage runs in the trainer and caches."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from skeletonllm.cli import cli
from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.towers import candidates, load_tower, tower_identity
from skeletonllm.training import Trainer
from skeletonllm_training.tower.probe import probe_accuracy, tower_features
from skeletonllm_training.tower.rendered import render_set

ACTIONS = ["hand waving", "jump up", "squat down"]


def _spec(tmp_path, steps: int, per_class: int = 8, extra_stages=()) -> dict:
    return {
        "data": {"name": "synthetic", "actions": ACTIONS, "samples_per_class": per_class, "frames": 24},
        "renderer": {"name": "draction", "frames": 4, "size": 56},
        "backbone": {"name": "internvl3", "frames": 4, "image_size": 56},
        "stages": [{"name": "vision_pretrain", "max_steps": steps, "batch_clips": 8, "lr": 3e-3, "warmup": 5},
                   *extra_stages],
        "split": {"train": "xsub/train", "test": "xsub/test"},
        "eval": {"question": "multiple_choice"},  # no stage of a pretraining spec asks a test question
        "optim": {"batch_size": 2, "save_every": 100},
        "output_dir": str(tmp_path / "run"),
    }  # fmt: skip


@pytest.mark.slow
def test_the_tower_learns_to_read_poses(tmp_path, monkeypatch):
    """The loss falls, held-out landmarks beat the mean pose, and a linear probe on the tower beats chance."""
    monkeypatch.setenv("SKELETONLLM_CACHE", str(tmp_path / "cache"))
    pipeline = Pipeline(validate_spec(_spec(tmp_path, steps=150, per_class=12)))
    stage = pipeline.stages[0]
    result, figures = stage.train(pipeline, show_progress=False)
    first, last = np.mean(result.losses[:10]), np.mean(result.losses[-10:])
    print(f"loss {first:.3f} -> {last:.3f}; held out {figures}")
    assert last < 0.7 * first
    held = figures["synthetic"]
    assert held["part_error_heights"] < 0.8 * held["mean_pose_error_heights"]
    renderer = pipeline.renderer.eval()
    train = render_set(renderer, pipeline.train_samples(), 4)
    test = render_set(renderer, list(pipeline.dataset.samples("xsub/test")), 4)
    accuracy = probe_accuracy(
        tower_features(pipeline.backbone, train), train.labels.numpy(),
        tower_features(pipeline.backbone, test), test.labels.numpy(),
    )  # fmt: skip
    print(f"probe {accuracy:.3f} on {len(test)} held-out clips (chance {1 / len(ACTIONS):.3f})")
    assert accuracy > 1 / len(ACTIONS) + 0.25


def test_the_stage_trains_in_the_trainer_and_caches_its_tower(tmp_path, monkeypatch):
    monkeypatch.setenv("SKELETONLLM_CACHE", str(tmp_path / "cache"))
    refine = {"name": "refine", "max_steps": 1, "train": ["projector"]}
    spec = _spec(tmp_path, steps=2, per_class=4, extra_stages=[refine])
    pipeline = Pipeline(validate_spec(spec))
    history = Trainer(pipeline, show_progress=False).fit()
    assert [h["stage"] for h in history] == ["vision_pretrain", "refine"] and len(history[0]["losses"]) == 2
    folders = candidates(tower_identity(pipeline.backbone), tmp_path / "cache")
    assert len(folders) == 1
    # a new backbone starts from it, and the same recipe run again loads it instead of training
    again = Pipeline(validate_spec({**spec, "output_dir": str(tmp_path / "run2")}))
    assert again.stages[0].fit(again, show_progress=False)["cached"] is True
    fresh = Pipeline(validate_spec({**spec, "backbone": {**spec["backbone"], "vision_init": "pretrained"}}))
    assert fresh.backbone.vision_manifest["recipe"] == load_tower(again.backbone, "pretrained", quiet=True)["recipe"]


def test_pretrain_vision_command(tmp_path, monkeypatch):
    monkeypatch.setenv("SKELETONLLM_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(_spec(tmp_path, steps=2, per_class=4)), encoding="utf-8")
    result = CliRunner().invoke(cli, ["pretrain-vision", str(path), "--steps", "3", "-o", str(tmp_path / "tower")])
    assert result.exit_code == 0, result.output
    assert "3 steps" in result.output and "landmark error" in result.output
    assert (tmp_path / "tower" / "manifest.json").is_file()
    again = CliRunner().invoke(cli, ["pretrain-vision", str(path), "--steps", "3"])
    assert again.exit_code == 0 and "already holds" in again.output


@pytest.mark.slow
def test_heads_refitted_on_a_frozen_tower_learn_and_leave_the_tower_alone():
    """What ``benchmarks/vision_pretrain.py --evaluate-towers`` does with a saved tower (its heads are not kept)."""
    import torch

    from skeletonllm.registry import get_registry
    from skeletonllm_datasets.synthetic import generate
    from skeletonllm_draction.options import DrActionOptions
    from skeletonllm_draction.renderer import DrActionRenderer
    from skeletonllm_training.tower.pretrain import Recipe, encode_set, evaluate, fit_heads

    class _Sample:
        def __init__(self, sequence, label, sid):
            self.sequence, self.label, self.id, self.meta = sequence, label, sid, {}

        def load(self):
            return self.sequence

    clips = [
        _Sample(generate(action, "kinect_v2", seed), label, f"{action}-{seed}")
        for label, action in enumerate(ACTIONS)
        for seed in range(3)
    ]
    data = render_set(DrActionRenderer(DrActionOptions(frames=4, size=56)).eval(), clips, 4)
    backbone = get_registry().create("backbone", "internvl3", {"frames": 4, "image_size": 56})
    before = {k: v.clone() for k, v in backbone.trainable_state(["vision"]).items()}
    tokens = encode_set(backbone, data, batch=4)
    assert tokens.shape[:2] == (len(data), 4)
    result = fit_heads(tokens, data, Recipe(steps=300, batch_clips=4, lr=3e-3, warmup=5, hidden=32))
    assert np.mean(result.losses[-5:]) < 0.8 * np.mean(result.losses[:5])
    after = backbone.trainable_state(["vision"])
    assert all(torch.equal(before[k], after[k]) for k in before), "the tower moved"
    (figures,) = evaluate(backbone, result.heads, data, data).values()  # the training clips: the heads fit them
    assert figures["part_error_heights"] < figures["mean_pose_error_heights"]
