"""Both transformers families on tiny presets: gradients, LoRA, groups, answers, checkpoints."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.checkpoint import load_checkpoint, save_checkpoint
from skeletonllm.errors import CheckpointError, SkeletonLLMError
from skeletonllm.manifest import component_record, rebuild_component
from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskExample, TaskKind, label_line, parse_label, phrase

FAMILIES = ["internvl3", "qwen2_5_vl"]
CLASSES = ["drink water", "jump up", "salute"]


def mc(label: str | None = None, target: str | None = None) -> TaskExample:
    """A multiple-choice example over CLASSES, trained towards ``Label: <label>`` (or ``target``)."""
    text = target if target is not None else (label_line(label) if label else "")
    return TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=CLASSES, target=text, answer=label)


def build(name: str, **options):
    return get_registry().create("backbone", name, {"frames": 2, **options})


def frames(batch: int = 2, seed: int = 0, requires_grad: bool = False) -> torch.Tensor:
    x = torch.rand(batch, 2, 3, 48, 48, generator=torch.Generator().manual_seed(seed))
    return x.requires_grad_(requires_grad)


def batch_loss(backbone, clip: torch.Tensor) -> torch.Tensor:
    return backbone.loss(clip, [mc(CLASSES[i % 3]) for i in range(clip.shape[0])])


@pytest.mark.parametrize("name", FAMILIES)
def test_gradient_reaches_frames(name):
    backbone = build(name)
    clip = frames(requires_grad=True)
    loss = batch_loss(backbone, clip)
    assert loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    assert clip.grad is not None and clip.grad.abs().sum() > 0


@pytest.mark.parametrize("name", FAMILIES)
def test_groups_partition_parameters_and_lora_is_llm_only(name):
    backbone = build(name)
    groups = backbone.parameter_groups()
    ids = [id(p) for ps in groups.values() for p in ps]
    assert len(ids) == len(set(ids)) == len({id(p) for p in backbone.parameters()})
    assert all(groups[g] for g in ("vision", "projector", "llm", "lora"))
    lora_names = [n for n, _ in backbone.model.named_parameters() if "lora_" in n]
    assert lora_names and all("language_model" in n for n in lora_names)
    # default trainable groups: projector + lora
    assert sorted(backbone.trainable_groups()) == ["lora", "projector"]
    backbone.set_trainable(["vision"])
    assert backbone.trainable_groups() == ["vision"]
    with pytest.raises(KeyError):
        backbone.set_trainable(["decoder"])


@pytest.mark.parametrize("name", FAMILIES)
def test_lora_step_changes_lora_but_not_base(name):
    backbone = build(name, trainable=["lora"])
    groups = backbone.parameter_groups()
    before = {k: [p.detach().clone() for p in ps] for k, ps in groups.items()}
    opt = torch.optim.AdamW([p for p in backbone.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(2):  # LoRA B starts at zero, so A gets gradient only from the second step on
        opt.zero_grad()
        batch_loss(backbone, frames()).backward()
        opt.step()
    for group in ("vision", "projector", "llm"):
        assert all(torch.equal(a, p) for a, p in zip(before[group], groups[group], strict=True)), group
    changed = [not torch.equal(a, p) for a, p in zip(before["lora"], groups["lora"], strict=True)]
    assert all(changed)


@pytest.mark.parametrize("name", FAMILIES)
def test_generate_is_greedy_and_parsable(name):
    backbone = build(name, lora={"enabled": False})
    clip = frames(batch=2)
    examples = [mc(), TaskExample(TaskKind.QA, question="Say something.")]
    out = backbone.generate(clip, examples, max_new_tokens=4)
    assert len(out) == 2 and all(isinstance(t, str) for t in out)
    assert out == backbone.generate(clip, examples, max_new_tokens=4)  # deterministic
    # Greedy + cache equals a cache-free argmax loop over the full sequence.
    from skeletonllm_hf import chat

    enc = backbone._encode_prompt(phrase(examples[0]), 2)
    ids, is_image = list(enc.ids), list(enc.is_image)
    new = []
    for _ in range(4):
        batch = chat.collate([chat.Encoded(ids, ids, is_image)], backbone.pad_token_id, True, 10_000)
        logits = backbone.model(**backbone.model_inputs(batch), **backbone.image_inputs(clip[:1])).logits
        token = int(logits[0, -1].argmax())
        if token == backbone.end_token_id:
            break
        new.append(token)
        ids, is_image = [*ids, token], [*is_image, 0]
    assert out[0] == backbone.tokenizer.decode(new, skip_special_tokens=True).strip()


@pytest.mark.parametrize("name", FAMILIES)
def test_trained_backbone_answers_with_a_label(name):
    backbone = build(name, lora={"enabled": False}, trainable=["vision", "projector", "llm"])
    opt = torch.optim.AdamW([p for p in backbone.parameters() if p.requires_grad], lr=5e-3)
    clip, example = frames(batch=1), [mc("jump up")]
    losses = []
    for _ in range(25):
        opt.zero_grad()
        loss = backbone.loss(clip, example)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert min(losses[-5:]) < losses[0] / 5
    assert parse_label(backbone.generate(clip, [mc()], max_new_tokens=8)[0]) == "jump up"


@pytest.mark.parametrize("name", FAMILIES)
def test_label_line_loss_scores_only_the_label_line(name):
    from skeletonllm_hf import chat

    rationale = "The right arm rises to the brow and stays there.\n" + label_line("salute")
    full, label_only = build(name).eval(), build(name, loss_on="label_line").eval()
    prompt = full._encode_prompt(phrase(mc()), 2)
    assert all(label == chat.IGNORE for label in prompt.labels)
    scored = chat.append_scored(full.tokenizer, prompt, rationale, full.end_token, label_line_only=True)
    kept = [t for t in scored.labels if t != chat.IGNORE]
    assert full.tokenizer.decode(kept) == "Label: salute<|im_end|>"
    everything = chat.append_scored(full.tokenizer, prompt, rationale, full.end_token, label_line_only=False)
    assert full.tokenizer.decode([t for t in everything.labels if t != chat.IGNORE]) == rationale + "<|im_end|>"
    clip = frames(batch=1)
    example = TaskExample(TaskKind.RATIONALE, candidates=CLASSES, target=rationale, answer="salute")
    a = full.loss(clip, [example])
    b = label_only.loss(clip, [example])
    assert torch.isfinite(a) and torch.isfinite(b) and not torch.isclose(a, b)


@pytest.mark.parametrize("name", FAMILIES)
def test_frame_count_mismatch_is_one_clear_error(name):
    backbone = build(name)
    with pytest.raises(SkeletonLLMError, match="expects 2"):
        backbone.loss(torch.rand(1, 3, 3, 48, 48), [mc("salute")])


@pytest.mark.parametrize("name", FAMILIES)
def test_checkpoint_round_trip_of_trained_parts(name, tmp_path):
    backbone = build(name, seed=1)
    with torch.no_grad():
        for p in backbone.parameter_groups()["lora"]:
            p.normal_()
    renderer = {"renderer.scales": torch.arange(6.0)}
    manifest = {"backbone": backbone.identity(), "components": {"backbone": component_record(name, backbone.options)}}
    save_checkpoint(tmp_path / "ck", {**backbone.trainable_state(), **renderer}, manifest)
    fresh = build(name, seed=1)
    backbone.eval(), fresh.eval()  # LoRA dropout off, so losses compare exactly
    clip = frames(batch=1)
    example = [mc("salute")]
    assert not torch.isclose(fresh.loss(clip, example), backbone.loss(clip, example))
    tensors, manifest = load_checkpoint(tmp_path / "ck")
    assert fresh.load_trainable(tensors, tmp_path / "ck") == len(backbone.trainable_state())
    assert torch.equal(tensors["renderer.scales"], renderer["renderer.scales"])
    assert manifest["backbone"] == fresh.identity()
    assert torch.isclose(fresh.loss(clip, example), backbone.loss(clip, example))
    rebuilt = rebuild_component(get_registry(), "backbone", manifest["components"]["backbone"])
    assert rebuilt.identity() == backbone.identity()
    # only trained parts were written: no vision or llm base weights
    keys = tensors.keys()
    assert all("lora_" in k or "projector" in k or "merger" in k or k.startswith("renderer.") for k in keys)


def test_checkpoint_of_another_backbone_is_refused(tmp_path):
    tensors = build("qwen2_5_vl").trainable_state()
    with pytest.raises(CheckpointError, match="has no matching parameter in internvl3/"):
        build("internvl3").load_trainable(tensors, "q")
    with pytest.raises(CheckpointError, match="has shape"):
        build("qwen2_5_vl", lora={"r": 8}).load_trainable(tensors, "q")


@pytest.mark.parametrize("name", FAMILIES)
def test_gradient_checkpointing_keeps_gradients_equal(name):
    plain = build(name, lora={"enabled": False}, trainable=["vision", "projector", "llm"])
    ckpt = build(name, lora={"enabled": False}, trainable=["vision", "projector", "llm"], gradient_checkpointing=True)
    assert ckpt.model.is_activation_checkpointing and not plain.model.is_activation_checkpointing
    grads = []
    for backbone in (plain, ckpt):
        clip = frames(batch=1, requires_grad=True)
        batch_loss(backbone, clip).backward()
        grads.append(clip.grad)
    assert grads[1].abs().sum() > 0
    assert torch.allclose(grads[0], grads[1], atol=1e-5, rtol=1e-3)
