"""The trainer: losses fall, held-out accuracy beats chance, the commands train and answer."""

from __future__ import annotations

import pytest
from toy_components import toy_registry
from toy_specs import toy_spec_data

from skeletonllm.errors import CheckpointError
from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.training import Trainer, warmup_cosine


def _spec(tmp_path, **over):
    return validate_spec(toy_spec_data(tmp_path / "run", **over), toy_registry())


def test_schedule_warms_up_then_decays():
    f = warmup_cosine(4, 20)
    assert f(0) == pytest.approx(0.25) and f(3) == pytest.approx(1.0)
    assert f(19) < f(10) < f(4) and f(19) >= 0.1


def test_training_learns_and_evaluation_beats_chance(tmp_path):
    pipeline = Pipeline(_spec(tmp_path))
    before = pipeline.evaluate(show_progress=False)
    history = Trainer(pipeline, show_progress=False).fit()
    assert [h["stage"] for h in history] == ["warmup", "refine"]
    refine = history[1]
    assert refine["loss_last"] < refine["loss_first"]
    predictions = pipeline.predict(show_progress=False)
    after = pipeline.score(predictions)
    assert len({p.sample_id for p in predictions}) == 12 * 4 and "samples" not in after
    assert after["seen_accuracy"] > 0.8 > before["seen_accuracy"]  # chance over 4 candidates is 0.25
    assert (tmp_path / "run" / "last" / "model.safetensors").exists()


def test_unseen_classes_never_reach_training(tmp_path):
    pipeline = Pipeline(_spec(tmp_path))
    assert {s.label for s in Trainer(pipeline, show_progress=False).samples} == {0, 1, 2}


def test_resume_refuses_a_checkpoint_from_another_spec(tmp_path):
    Trainer(Pipeline(_spec(tmp_path)), show_progress=False).fit()
    other = _spec(tmp_path, optim={"lr": 0.05, "batch_size": 6})
    with pytest.raises(CheckpointError, match="different spec"):
        Trainer(Pipeline(other), show_progress=False).fit()


def test_train_evaluate_infer_commands(tmp_path, monkeypatch):
    import json

    import yaml
    from click.testing import CliRunner

    import skeletonllm.registry as registry_module
    from skeletonllm.cli import cli

    monkeypatch.setattr(registry_module, "_REGISTRY", toy_registry())
    spec = _spec(tmp_path).spec.model_dump(mode="json")
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    runner = CliRunner()
    result = runner.invoke(cli, ["train", str(path)])
    assert result.exit_code == 0, result.output
    assert "refine: 30 steps" in result.stdout
    assert result.stderr.startswith("threads: ")  # every training command says how many threads it uses
    manifest = json.loads((tmp_path / "run" / "last" / "manifest.json").read_text())
    assert manifest["components"]["renderer"] == {"name": "toy_renderer", "options": {"frames": 3, "size": 8}}
    assert [s["name"] for s in manifest["components"]["stages"]] == ["warmup", "refine"]
    assert manifest["components"]["data"]["options"] == {"per_class": 12}
    metrics = json.loads(result.stdout.splitlines()[-2])
    assert metrics["seen_accuracy"] > 0.8

    result = runner.invoke(cli, ["evaluate", str(path), "--out", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["seen_accuracy"] == metrics["seen_accuracy"]
    report = (tmp_path / "report" / "report.md").read_text()
    assert "95 % interval" in report and "chance" in report and "### Per class" in report
    assert "| seed | `" in report and "checkpoint" in report
    saved = json.loads((tmp_path / "report" / "metrics.json").read_text())
    accuracy = saved["results"]["accuracy"]
    low, high = accuracy["intervals"]["accuracy"]["low"], accuracy["intervals"]["accuracy"]["high"]
    assert low <= saved["metrics"]["accuracy"] <= high
    assert (tmp_path / "report" / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    clips = saved["provenance"]["test clips"]
    assert len((tmp_path / "report" / "predictions.jsonl").read_text().splitlines()) == clips

    clip = tmp_path / "clip.toy"
    clip.write_text('{"toy_xy": [1.1, 0.05]}')
    result = runner.invoke(cli, ["infer", str(path), str(clip)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{clip}\tLabel: right"

    result = runner.invoke(cli, ["evaluate", str(path), "--checkpoint", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "no checkpoint here" in result.stderr
    monkeypatch.setattr(registry_module, "_REGISTRY", None)
