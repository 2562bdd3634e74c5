"""Two runs of one spec give identical weights, with the real random sources in play.

DrAction's NFM and appearance start random, the tiny InternVL3 has LoRA with
dropout, SynthAct clips are sampled at random offsets: every draw follows the
spec's seed, so two runs agree bit for bit, and a run resumed after a crash
agrees with both (the dropout masks of the resumed steps are those of the
uninterrupted run).
"""

from __future__ import annotations

import pytest
import torch

from skeletonllm.pipeline import Pipeline
from skeletonllm.registry import get_registry
from skeletonllm.spec import validate_spec
from skeletonllm.training import Trainer


def _spec(run_dir, seed: int = 5):
    data = {
        "data": {"name": "synthetic", "actions": ["hand waving", "jump up"], "samples_per_class": 4, "frames": 8},
        "renderer": {"name": "draction", "frames": 2, "size": 28},
        "backbone": {"name": "internvl3", "frames": 2, "image_size": 28, "lora": {"r": 2, "dropout": 0.5}},
        "stages": [{"name": "cr_distill", "max_steps": 4, "num_choices": 2}],
        "split": {"train": "xsub/train", "test": "xsub/test"},
        "optim": {"lr": 1e-3, "batch_size": 2, "save_every": 1, "seed": seed},
        "output_dir": str(run_dir),
    }
    return validate_spec(data, get_registry())


def _trained(pipeline: Pipeline) -> dict[str, torch.Tensor]:
    state = pipeline.renderer.trainable_state() | pipeline.backbone.trainable_state(["projector", "lora"])
    return {k: v.detach().clone() for k, v in state.items()}


def _assert_equal(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert torch.equal(got[key], value), key


@pytest.mark.slow
def test_two_runs_of_one_spec_give_identical_weights_and_a_crash_changes_nothing(tmp_path, monkeypatch):
    first, second = Pipeline(_spec(tmp_path / "a")), Pipeline(_spec(tmp_path / "b"))
    _assert_equal(_trained(second), _trained(first))  # the random initialisations follow the seed
    other_seed = Pipeline(_spec(tmp_path / "c", seed=6))
    nfm = [k for k in _trained(first) if ".nfm." in k]
    assert nfm and any(not torch.equal(_trained(other_seed)[k], _trained(first)[k]) for k in nfm)

    history = Trainer(first, show_progress=False).fit()
    Trainer(second, show_progress=False).fit()
    expected = _trained(first)
    _assert_equal(_trained(second), expected)

    real_step = Trainer._optimizer_step

    def crash_at_step_2(self, model, stage, stage_index, step, params, optimizer):
        if step == 2:
            raise KeyboardInterrupt
        return real_step(self, model, stage, stage_index, step, params, optimizer)

    monkeypatch.setattr(Trainer, "_optimizer_step", crash_at_step_2)
    with pytest.raises(KeyboardInterrupt):
        Trainer(Pipeline(_spec(tmp_path / "d")), show_progress=False).fit()
    monkeypatch.setattr(Trainer, "_optimizer_step", real_step)
    resumed = Pipeline(_spec(tmp_path / "d"))
    assert Trainer(resumed, show_progress=False).fit() == history  # the loss of every step, the first included
    _assert_equal(_trained(resumed), expected)
