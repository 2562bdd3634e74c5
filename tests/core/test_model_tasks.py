"""Issue 23, say what a model can do: the manifest records the tasks training asked, and ``infer``
warns when it asks a model something it was never taught, listing the names its answer is chosen among."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from toy_components import CLASSES, toy_registry

import skeletonllm.registry as registry_module
from skeletonllm.checkpoint import INTEGRITY, load_checkpoint, manifest_sha256
from skeletonllm.cli import cli
from skeletonllm.errors import CheckpointError
from skeletonllm.manifest import describe_tasks, question_warning, trained_tasks
from skeletonllm.tasks import TaskKind

SPEC = {
    "data": {"name": "toy_data", "per_class": 4},
    "renderer": {"name": "toy_renderer", "frames": 3, "size": 8},
    "backbone": "toy_backbone",
    "stages": [{"name": "warmup", "max_steps": 2, "num_choices": 2}, {"name": "refine", "max_steps": 2}],
    "optim": {"lr": 0.1, "batch_size": 4, "save_every": 100, "seed": 3},
}


@pytest.fixture
def trained(tmp_path, monkeypatch) -> tuple[Path, Path, Path]:
    """(spec, checkpoint, a clip) of a toy model taught only to name actions."""
    monkeypatch.setattr(registry_module, "_REGISTRY", toy_registry())
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({**SPEC, "output_dir": str(tmp_path / "run")}))
    assert CliRunner().invoke(cli, ["train", str(spec)]).exit_code == 0
    clip = tmp_path / "clip.toy"
    clip.write_text(json.dumps({"toy_xy": [1.0, 0.0]}))
    return spec, tmp_path / "run" / "last", clip


def test_the_manifest_records_the_tasks_the_stages_asked(trained):
    _spec, checkpoint, _clip = trained
    manifest = load_checkpoint(checkpoint)[1]
    assert manifest["tasks"] == ["multiple_choice"]
    assert trained_tasks(manifest) == {TaskKind.MULTIPLE_CHOICE}


def test_a_free_question_to_a_recognition_model_warns_and_lists_the_names(trained):
    spec, checkpoint, clip = trained
    result = CliRunner().invoke(cli, ["infer", str(spec), str(clip), "--question", "Describe the motion."])
    assert result.exit_code == 0, result.output
    assert f"warning: {checkpoint} was trained on recognition (multiple choice), never on questions" in result.stderr
    assert "a choice among the class names it learned: " + ", ".join(CLASSES) in result.stderr
    assert f"{clip}\tLabel: " in result.stdout  # answered anyway, and the answer is a class name
    plain = CliRunner().invoke(cli, ["infer", str(spec), str(clip)])
    assert plain.exit_code == 0 and "warning" not in plain.stderr
    assert "the answer is a choice among 4 class names: " + ", ".join(CLASSES) in plain.stderr


def test_an_old_manifest_without_tasks_says_unknown(trained):
    spec, checkpoint, clip = trained
    manifest_file = checkpoint / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    del manifest["tasks"]  # as written before tasks were recorded (and hashed as such)
    manifest[INTEGRITY]["manifest_sha256"] = manifest_sha256(manifest)
    manifest_file.write_text(json.dumps(manifest))
    result = CliRunner().invoke(cli, ["infer", str(spec), str(clip), "--question", "Which leg moves first?"])
    assert result.exit_code == 0, result.output
    assert "does not record the tasks it was trained on" in result.stderr and "unknown" in result.stderr


def test_a_model_taught_the_kind_asked_gets_no_warning_and_bad_records_are_refused():
    taught = frozenset({TaskKind.MULTIPLE_CHOICE, TaskKind.QA})
    assert question_warning(taught, TaskKind.QA, ["a"], "ckpt") is None
    assert question_warning(taught, TaskKind.OPEN, ["a"], "ckpt") is None  # any recognition kind names actions
    assert "never on captions" in question_warning(taught, TaskKind.CAPTION, ["a", "b"], "ckpt")
    assert describe_tasks(frozenset()) == "nothing (no stage trained)"
    with pytest.raises(CheckpointError, match="manifest tasks"):
        trained_tasks({"tasks": ["poetry"]})
