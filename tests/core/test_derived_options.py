"""Frames, size and seed are stated once: the backbone takes them from renderer and optim."""

from __future__ import annotations

import pytest

from skeletonllm.errors import SpecError
from skeletonllm.spec import validate_spec


def spec(backbone: dict, optim: dict | None = None) -> dict:
    return {
        "data": {"name": "synthetic", "actions": ["jump up", "hand waving"], "samples_per_class": 2},
        "renderer": {"name": "stick", "frames": 3, "size": 56},
        "backbone": backbone,
        "stages": [{"name": "refine"}],  # a spec that teaches its eval task (validate refuses one that does not)
        "optim": optim or {"seed": 7},
        "output_dir": "runs/derived",
    }


def test_the_backbone_reads_the_renderer_s_frames_and_size_and_the_spec_s_seed():
    validated = validate_spec(spec({"name": "qwen2_5_vl", "preset": "tiny"}), check_files=False)
    options = validated.options["backbone"]
    assert (options.frames, options.image_size, options.seed) == (3, 56, 7)
    assert validated.derived == {
        "backbone.frames": "renderer.frames",
        "backbone.image_size": "renderer.size",
        "backbone.seed": "optim.seed",
    }
    assert validated.record("backbone")["options"]["frames"] == 3  # the manifest rebuilds what trained


def test_a_spec_without_optim_takes_the_default_seed():
    data = spec({"name": "qwen2_5_vl"})
    del data["optim"]
    assert validate_spec(data, check_files=False).options["backbone"].seed == 0


def test_old_specs_that_state_the_same_values_twice_still_validate():
    backbone = {"name": "qwen2_5_vl", "preset": "tiny", "frames": 3, "image_size": 56, "seed": 7}
    validated = validate_spec(spec(backbone), check_files=False)
    assert validated.options["backbone"].frames == 3 and validated.derived == {}


@pytest.mark.parametrize(
    ("backbone", "message"),
    [
        ({"frames": 8}, "backbone.frames: 8 differs from renderer.frames: 3"),
        ({"image_size": 28}, "backbone.image_size: 28 differs from renderer.size: 56"),
        ({"seed": 1}, "backbone.seed: 1 differs from optim.seed: 7; backbone.seed follows optim.seed"),
    ],
)
def test_a_value_stated_twice_that_differs_is_refused_naming_both_places(backbone, message):
    with pytest.raises(SpecError) as caught:
        validate_spec(spec({"name": "qwen2_5_vl", **backbone}), check_files=False)
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems


def test_clip_align_keeps_its_own_encoder_size():
    validated = validate_spec(spec({"name": "clip_align"}), check_files=False)
    options = validated.options["backbone"]
    assert options.frames == 3 and options.image_size == 224 and options.seed == 7
