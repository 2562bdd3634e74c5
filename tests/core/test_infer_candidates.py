"""``skeletonllm infer --candidates``: the model chooses among the names given, checked before loading."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from toy_components import toy_registry
from toy_specs import toy_spec_data

import skeletonllm.registry as registry_module
from skeletonllm.cli import cli
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.tasks import parse_candidates


def test_candidates_are_stripped_and_keep_their_order():
    assert parse_candidates(" walk,sit down , wave") == ["walk", "sit down", "wave"]
    assert parse_candidates("jump") == ["jump"]


@pytest.mark.parametrize(
    "text,match",
    [
        ("walk,,sit", "name 2 of 3 is empty"),
        ("walk, sit,", "name 3 of 3 is empty"),
        (" , ", "no class names given"),
        ("", "no class names given"),
        ("walk, sit, Walk.", "'Walk.' is given twice \\(as 'walk' before\\)"),
        ("walk,'',sit", "is not a class name"),
    ],
)
def test_empty_and_repeated_candidates_are_refused(text, match):
    with pytest.raises(SkeletonLLMError, match=match):
        parse_candidates(text)


@pytest.fixture
def trained(tmp_path, monkeypatch):
    """The toy model trained by ``train``; its classes are left, right, up, down."""
    monkeypatch.setattr(registry_module, "_REGISTRY", toy_registry())
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(toy_spec_data(tmp_path / "run")))
    result = CliRunner().invoke(cli, ["train", str(path)])
    assert result.exit_code == 0, result.output
    clip = tmp_path / "clip.toy"
    clip.write_text('{"toy_xy": [1.1, 0.05]}')  # stands to the right
    yield path, clip
    monkeypatch.setattr(registry_module, "_REGISTRY", None)


def test_infer_offers_only_the_candidates_given(trained, tmp_path):
    path, clip = trained
    runner = CliRunner()
    result = runner.invoke(cli, ["infer", str(path), str(clip)])
    assert result.exit_code == 0 and result.stdout.strip() == f"{clip}\tLabel: right"
    result = runner.invoke(cli, ["infer", str(path), str(clip), "--candidates", " up , down"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{clip}\tLabel: up"  # "right" was not offered
    missing = tmp_path / "gone.toy"
    result = runner.invoke(cli, ["infer", str(path), str(missing), str(clip), "--candidates", "up,down"])
    assert result.exit_code == 1 and result.stdout.strip() == f"{clip}\tLabel: up"  # the other file is answered
    assert f"error: {missing}: no such file" in result.stderr


def test_bad_candidates_fail_before_the_model_loads(trained):
    path, clip = trained
    result = CliRunner().invoke(cli, ["infer", str(path), str(clip), "--candidates", "up,,down"])
    assert (
        result.exit_code == 1
        and result.stderr.strip()
        == "error: candidates: name 2 of 3 is empty (two commas in a row, or a comma at an end)"
    )
    assert "threads:" not in result.stderr  # refused before anything was built
    result = CliRunner().invoke(cli, ["infer", str(path), str(clip), "--candidates", "up", "--question", "why?"])
    assert result.exit_code == 2 and "give --question or --candidates, not both" in result.stderr
