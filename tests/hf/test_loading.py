"""Loading from ``path:``: one clear error for a bad directory, and a real round trip of a saved tiny model."""

from __future__ import annotations

import json

import pytest
import torch

from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskExample, TaskKind, label_line
from skeletonllm_hf.loading import BackboneLoadError


@pytest.mark.parametrize("name", ["internvl3", "qwen2_5_vl"])
def test_missing_path_is_one_clear_error(name, tmp_path):
    missing = tmp_path / "InternVL3-8B-hf"
    with pytest.raises(BackboneLoadError) as info:
        get_registry().create("backbone", name, {"path": str(missing)})
    message = str(info.value)
    assert str(missing) in message and "no such directory" in message
    assert "config.json" in message and "safetensors" in message  # the expected layout is spelled out


def test_incomplete_directory_names_every_missing_file(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    (tmp_path / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(BackboneLoadError, match=r"no \*\.safetensors weights.*no tokenizer\.json"):
        get_registry().create("backbone", "qwen2_5_vl", {"path": str(tmp_path)})


def test_other_family_directory_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    with pytest.raises(BackboneLoadError, match="model_type 'qwen2_5_vl', not 'internvl'"):
        get_registry().create("backbone", "internvl3", {"path": str(tmp_path)})


def test_path_and_preset_together_are_a_spec_error():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="either 'path'"):
        get_registry().options("backbone", "qwen2_5_vl", {"path": "/x", "preset": "tiny"})


@pytest.mark.parametrize("name", ["internvl3", "qwen2_5_vl"])
def test_saved_tiny_model_loads_back_from_path(name, tmp_path, capsys):
    options = {"frames": 2, "image_size": 56, "lora": {"enabled": False}}
    tiny = get_registry().create("backbone", name, options).eval()
    tiny.save_pretrained(tmp_path / "ckpt")
    assert (tmp_path / "ckpt" / "model.safetensors").is_file()
    loaded = get_registry().create("backbone", name, {**options, "path": str(tmp_path / "ckpt")}).eval()
    assert "parameters" in capsys.readouterr().err  # the memory estimate printed before loading
    assert loaded.identity() == tiny.identity()
    clip = torch.rand(1, 2, 3, 56, 56)
    example = [TaskExample(TaskKind.MULTIPLE_CHOICE, label_line("yawn"), "yawn", candidates=["jump up", "yawn"])]
    assert torch.allclose(loaded.loss(clip, example), tiny.loss(clip, example), atol=1e-5)
    assert loaded.generate(clip, example, 4) == tiny.generate(clip, example, 4)


def test_memory_estimate_counts_parameters_without_allocating():
    from skeletonllm_hf import memory

    tiny = get_registry().create("backbone", "internvl3", {"frames": 2, "lora": {"enabled": False}})
    config = tiny.model.config
    assert memory.count_parameters(type(tiny.model), config) == sum(p.numel() for p in tiny.model.parameters())
    lora = memory.lora_parameter_count(config.text_config, 4, ["q_proj", "down_proj"])
    h, inter = config.text_config.hidden_size, config.text_config.intermediate_size
    assert lora == config.text_config.num_hidden_layers * 4 * ((h + h) + (inter + h))
    est = memory.estimate(8_000_000_000, lora, config.text_config, tokens=100)
    assert abs(est.weights_gib - 8e9 * 2 / 2**30) < 1e-6 and est.total_gib > est.weights_gib
    assert "8.00 B parameters" in est.line("x")
