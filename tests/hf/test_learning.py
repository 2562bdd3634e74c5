"""A tiny randomly initialised Qwen2.5-VL learns to tell synthetic actions apart from pixels alone.

Each class is a coloured blob moving along its own path; the answer must be
read off the frames (the prompt is identical for every class), so held-out
accuracy above chance means the gradient really flows image -> vision
encoder -> projector -> language model -> answer tokens.
"""

from __future__ import annotations

import time

import pytest
import torch

from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskExample, TaskKind, label_line, parse_label

CLASSES = ["hand waving", "jump up", "kicking something"]
COLOURS = torch.tensor([[1.0, 0.2, 0.2], [0.2, 1.0, 0.2], [0.2, 0.3, 1.0]])
SIZE, FRAMES = 56, 2


#: Open recognition (no candidate list) on purpose: the learning signal is in the frames, and fewer
#: tokens make each step cheaper.
def example(label: str | None = None) -> TaskExample:
    return TaskExample(TaskKind.OPEN, target=label_line(label) if label else "", answer=label)


def synthetic_clips(labels: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """``(N, FRAMES, 3, SIZE, SIZE)``: noise background plus a Gaussian blob whose colour and path follow the class."""
    n = labels.shape[0]
    ys, xs = torch.meshgrid(torch.arange(SIZE).float(), torch.arange(SIZE).float(), indexing="ij")
    clips = torch.rand(n, FRAMES, 3, SIZE, SIZE, generator=gen) * 0.2
    jitter = torch.rand(n, 2, generator=gen) * 8 - 4
    for f in range(FRAMES):
        t = f / max(FRAMES - 1, 1)
        # class 0 moves left->right, class 1 bottom->top, class 2 stays low and kicks right
        cx = torch.tensor([12 + 32 * t, 28.0, 14 + 24 * t])[labels] + jitter[:, 0]
        cy = torch.tensor([28.0, 44 - 32 * t, 44.0])[labels] + jitter[:, 1]
        blob = torch.exp(-((xs - cx[:, None, None]) ** 2 + (ys - cy[:, None, None]) ** 2) / (2 * 5.0**2))
        clips[:, f] += blob[:, None] * COLOURS[labels][:, :, None, None]
    return clips.clamp(0, 1)


def held_out_accuracy(backbone, gen: torch.Generator, n: int = 24) -> float:
    labels = torch.arange(n) % len(CLASSES)
    answers = backbone.generate(synthetic_clips(labels, gen), [example()] * n, max_new_tokens=8)
    return sum(parse_label(a) == CLASSES[int(y)] for a, y in zip(answers, labels, strict=True)) / n


@pytest.mark.slow
def test_tiny_qwen_learns_synthetic_actions():
    torch.manual_seed(0)
    backbone = get_registry().create(
        "backbone",
        "qwen2_5_vl",
        {
            "frames": FRAMES,
            "image_size": SIZE,
            "system_prompt": "Answer from the frames.",
            "lora": {"enabled": False},
            "trainable": ["vision", "projector", "llm"],
        },
    )
    train_gen, eval_gen = torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)
    opt = torch.optim.AdamW([p for p in backbone.parameters() if p.requires_grad], lr=5e-4)
    start, losses, accuracy = time.time(), [], 0.0
    for step in range(1, 601):
        labels = torch.randint(0, len(CLASSES), (12,), generator=train_gen)
        loss = backbone.loss(synthetic_clips(labels, train_gen), [example(CLASSES[int(y)]) for y in labels])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % 50 == 0:
            accuracy = held_out_accuracy(backbone, eval_gen)
            if accuracy >= 0.9:
                break
    assert sum(losses[-10:]) / 10 < sum(losses[:10]) / 10 / 4, losses[::25]
    assert accuracy >= 0.75, (
        f"held-out accuracy {accuracy:.2f} after {step} steps ({time.time() - start:.0f} s); chance is 0.33"
    )
