"""Every example spec (docs/specs and the specs bundled in the package) validates against the installed plugins."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skeletonllm import SpecError
from skeletonllm.spec import load_spec
from skeletonllm.specs import bundled_spec, bundled_specs

SPECS = sorted((Path(__file__).resolve().parents[2] / "docs" / "specs").glob("*.yaml")) + [
    bundled_spec(name) for name in bundled_specs()
]


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_example_spec_validates(path):
    spec = load_spec(path, check_files=False)  # data roots and model folders live on the user's machine
    assert spec.spec.stages, "an example spec should train something"


def test_swapping_the_backbone_is_a_one_word_change():
    qwen = yaml.safe_load(bundled_spec("demo_tiny_qwen").read_text())
    internvl = yaml.safe_load(bundled_spec("demo_tiny_internvl").read_text())
    qwen["backbone"]["name"] = "internvl3"
    qwen["output_dir"] = internvl["output_dir"]
    assert qwen == internvl


def test_the_demo_spec_is_package_data_not_a_repository_path():
    assert bundled_specs() == ["demo_tiny_internvl", "demo_tiny_qwen"]
    assert bundled_spec("demo_tiny_qwen").parent.parent.name == "skeletonllm"
    with pytest.raises(SpecError, match="no bundled spec 'demo'; bundled: demo_tiny_internvl, demo_tiny_qwen"):
        bundled_spec("demo")
