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


def test_validating_an_example_on_another_machine_says_its_paths_are_placeholders(tmp_path):
    """Issue 23: "data.root: /data/... does not exist" alone reads like a broken spec."""
    from click.testing import CliRunner

    from skeletonllm.cli import cli
    from skeletonllm.cli.hints import placeholder_note

    example = Path(__file__).resolve().parents[2] / "docs" / "specs" / "ntu60_55_5_internvl3_8b.yaml"
    if Path("/data").exists() or Path("/models").exists():
        pytest.skip("this machine has /data or /models: the example's paths may be real here")
    result = CliRunner().invoke(cli, ["validate", str(example)])
    assert result.exit_code == 1 and "data.root: /data/nturgbd/nturgb+d_skeletons does not exist" in result.output
    assert "note: /data, /models do not exist on this machine: data.root, backbone.path" in result.output
    assert "placeholder paths" in result.output
    # a path under a folder this machine has is a plain mistake, not a placeholder
    assert placeholder_note([f"data.root: {tmp_path / 'missing'} does not exist"]) is None
    assert placeholder_note(["stages[0].epochs: Input should be greater than or equal to 0"]) is None
