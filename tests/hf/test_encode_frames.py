"""``encode_frames``: the vision tower alone, in raster order, differentiable; ``tower_size`` and ``vision_init``."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.registry import get_registry
from skeletonllm.towers import TowerNotFound, save_tower, tower_folder


def _backbone(name: str, **options):
    return get_registry().create("backbone", name, {"frames": 2, **options})


@pytest.mark.parametrize(
    ("name", "options", "tokens", "width"),
    [
        ("internvl3", {}, 16, 32),
        ("internvl3", {"tower_size": "small", "image_size": 112}, 64, 128),
        ("qwen2_5_vl", {}, 16, 32),
        ("qwen2_5_vl", {"tower_size": "small", "image_size": 112}, 64, 128),
        ("clip_align", {"encoder": "vit_tiny_patch16_224", "image_size": 64}, 16, 192),
    ],
)
def test_shapes_and_gradient(name, options, tokens, width):
    backbone = _backbone(name, **options)
    frames = torch.rand(2, 2, 3, 56, 56, requires_grad=True)
    out = backbone.encode_frames(frames)
    assert out.shape == (2, 2, tokens, width)
    out.square().mean().backward()
    assert frames.grad is not None and frames.grad.abs().sum() > 0  # the renderer can learn through it
    vision = backbone.parameter_groups()["vision"]
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in vision if p.requires_grad) or not any(
        p.requires_grad for p in vision
    )


def test_internvl_tokens_are_what_the_projector_receives():
    backbone = _backbone("internvl3")
    frames = torch.rand(1, 2, 3, 56, 56)
    tokens = backbone.encode_frames(frames).flatten(0, 1)  # (2, 16, 32)
    model = backbone.model.model
    shuffled = model.pixel_shuffle(tokens.reshape(2, 4, 4, -1), scale_factor=model.config.downsample_ratio)
    projected = model.multi_modal_projector(shuffled.reshape(2, -1, shuffled.shape[-1]))
    expected = model.get_image_features(backbone.image_inputs(frames)["pixel_values"]).pooler_output
    assert torch.allclose(projected, expected, atol=1e-5)


def test_qwen_tokens_are_in_raster_order():
    """Regrouped into 2x2 merge windows, the raster tokens give exactly the merger's (ordered) output."""
    backbone = _backbone("qwen2_5_vl", tower_size="small", image_size=112)
    frames = torch.rand(1, 1, 3, 112, 112)
    tokens = backbone.encode_frames(frames)[0, 0]  # (64, 128), raster over 8x8 patches
    units = tokens.reshape(4, 2, 4, 2, -1).permute(0, 2, 1, 3, 4).reshape(16 * 4, -1)
    visual = backbone.model.model.visual
    merged = visual.merger(units)
    inputs = backbone.image_inputs(frames)
    expected = visual(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"]).pooler_output
    assert torch.allclose(merged, expected, atol=1e-5)


def test_tower_size_is_shared_by_tiny_and_smol_shapes():
    small = _backbone("internvl3", tower_size="small", image_size=112)
    toy = _backbone("internvl3")
    assert sum(p.numel() for p in small.parameter_groups()["vision"]) > 5 * sum(
        p.numel() for p in toy.parameter_groups()["vision"]
    )
    with pytest.raises(Exception, match="tower_size"):
        get_registry().create("backbone", "internvl3", {"path": "/nowhere", "tower_size": "small"})


def test_vision_init_pretrained_loads_and_says_how_when_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("SKELETONLLM_CACHE", str(tmp_path))
    with pytest.raises(TowerNotFound, match="pretrain-vision"):
        _backbone("internvl3", vision_init="pretrained")
    trained = _backbone("internvl3", seed=7)
    save_tower(tower_folder(trained, {"name": "draction", "options": {"size": 56}}), trained, {})
    loaded = _backbone("internvl3", vision_init="pretrained")  # seed 0, then the tower of seed 7
    assert loaded.vision_manifest is not None
    for a, b in zip(loaded.parameter_groups()["vision"], trained.parameter_groups()["vision"]):
        assert torch.equal(a, b)
    other = _backbone("internvl3", seed=3)
    assert not all(
        torch.equal(a, b) for a, b in zip(other.parameter_groups()["vision"], loaded.parameter_groups()["vision"])
    )
