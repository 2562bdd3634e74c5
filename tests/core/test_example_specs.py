"""Every example spec in docs/specs validates against the installed plugins."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skeletonllm.spec import load_spec

SPECS = sorted((Path(__file__).resolve().parents[2] / "docs" / "specs").glob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_example_spec_validates(path):
    spec = load_spec(path, check_files=False)  # data roots and model folders live on the user's machine
    assert spec.spec.stages, "an example spec should train something"


def test_swapping_the_backbone_is_a_one_word_change():
    qwen = yaml.safe_load((SPECS[0].parent / "demo_tiny_qwen.yaml").read_text())
    internvl = yaml.safe_load((SPECS[0].parent / "demo_tiny_internvl.yaml").read_text())
    qwen["backbone"]["name"] = "internvl3"
    qwen["output_dir"] = internvl["output_dir"]
    assert qwen == internvl
