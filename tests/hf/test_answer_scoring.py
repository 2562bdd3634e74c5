"""Ranking candidate answers by likelihood: equal to the training loss, and the cached path equals the general one."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskExample, TaskKind
from skeletonllm_hf.hf_backbone import HFBackbone

ANSWERS = ["drink water", "salute", "hopping (one foot jumping)"]
PROMPT = TaskExample(TaskKind.QA, question="Which action is it?")


def build(name: str):
    backbone = get_registry().create("backbone", name, {"frames": 2, "image_size": 56, "seed": 3})
    backbone.model.eval()  # no LoRA dropout: the loss must be deterministic to compare
    return backbone


@pytest.mark.parametrize("name", ["internvl3", "qwen2_5_vl"])
def test_scores_are_the_summed_log_likelihood_the_loss_averages(name):
    backbone = build(name)
    frames = torch.rand(2, 2, 3, 56, 56, generator=torch.Generator().manual_seed(0))
    scores = backbone.answer_log_likelihoods(frames, PROMPT, ANSWERS)
    assert scores.shape == (2, 3)
    for i in range(2):
        for k, answer in enumerate(ANSWERS):
            tokens = len(backbone.tokenizer(answer + backbone.end_token, add_special_tokens=False)["input_ids"])
            with torch.no_grad():
                mean_nll = backbone.loss(frames[i : i + 1], [PROMPT.with_target(answer)]).item()
            assert scores[i, k].item() == pytest.approx(-mean_nll * tokens, rel=1e-4, abs=1e-4)


def test_internvl_continuing_from_the_prompt_cache_equals_scoring_each_sequence():
    backbone = build("internvl3")
    frames = torch.rand(3, 2, 3, 56, 56, generator=torch.Generator().manual_seed(1))
    cached = backbone.answer_log_likelihoods(frames, PROMPT, ANSWERS)
    general = HFBackbone.answer_log_likelihoods(backbone, frames, PROMPT, ANSWERS)
    torch.testing.assert_close(cached, general, rtol=1e-4, atol=1e-4)
    assert not torch.equal(cached[0], cached[1])  # the frames matter
