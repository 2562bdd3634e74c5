"""Pipeline specs: every problem reported with its YAML path and plugin, before anything is built."""

from __future__ import annotations

import types

import pytest
from click.testing import CliRunner
from pydantic import Field

from skeletonllm import SpecError, hookimpl
from skeletonllm.cli import cli
from skeletonllm.interfaces import Dataset, PluginOptions, Renderer, RendererOptions, Stage, StageOptions
from skeletonllm.registry import Registry
from skeletonllm.spec import load_spec, validate_spec


class ToyDatasetOptions(PluginOptions):
    root: str = "."
    classes: int = Field(4, ge=2)


class ToyDataset(Dataset):
    name = "toy"
    summary = "toy"
    Options = ToyDatasetOptions
    class_names = ["a", "b"]

    def protocols(self):
        return ["all"]

    def samples(self, split, classes=None):
        return iter(())


class ToyRendererOptions(RendererOptions):
    line_width: float = Field(2.0, gt=0)


class ToyRenderer(Renderer):
    name = "toy_renderer"
    summary = "toy"
    Options = ToyRendererOptions

    def forward(self, batch):
        raise NotImplementedError  # validation never renders


class ToyStage(Stage):
    name = "toy_stage"
    summary = "toy"
    Options = StageOptions

    def examples(self, label, class_names, seen, rng):
        return []

    def question(self, candidates):
        from skeletonllm.tasks import TaskExample, TaskKind

        return TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=candidates)


class ToyBackboneOptions(PluginOptions):
    preset: str = "tiny"


def _registry() -> Registry:
    from skeletonllm.interfaces import Backbone, Metric, MetricResult

    class ToyBackbone(Backbone):
        name = "toy_backbone"
        summary = "toy"
        Options = ToyBackboneOptions

        def parameter_groups(self):
            return {}

        def loss(self, frames, prompts, targets):
            raise NotImplementedError

        def generate(self, frames, prompts, max_new_tokens=32):
            return []

    class Acc(Metric):
        name = "accuracy"
        summary = "toy"
        default_for = ("recognition",)  # what a spec without eval.metrics gets

        def reset(self):
            pass

        def update(self, predictions):
            pass

        def compute(self):
            return MetricResult()

    plugin = types.SimpleNamespace(
        register_datasets=hookimpl(lambda register: register(ToyDataset)),
        register_renderers=hookimpl(lambda register: register(ToyRenderer)),
        register_stages=hookimpl(lambda register: register(ToyStage)),
        register_backbones=hookimpl(lambda register: register(ToyBackbone)),
        register_metrics=hookimpl(lambda register: register(Acc)),
    )
    for name in (
        "register_datasets",
        "register_renderers",
        "register_stages",
        "register_backbones",
        "register_metrics",
    ):
        getattr(plugin, name).__name__ = name
    reg = Registry(load_entry_points=False)
    reg.add_plugin(plugin, "toys")
    return reg


GOOD = {
    "data": {"name": "toy", "classes": 5},
    "renderer": {"name": "toy_renderer", "size": 64},
    "backbone": "toy_backbone",
    "stages": [{"name": "toy_stage", "epochs": 1}, {"name": "toy_stage", "epochs": 0.5}],
    "optim": {"lr": 1e-4},
}


def test_a_good_spec_validates_and_builds_components():
    spec = validate_spec(GOOD, _registry())
    assert spec.options["data"].classes == 5
    assert spec.options["renderer"].size == 64
    assert spec.spec.backbone.name == "toy_backbone"
    renderer = spec.build("renderer")
    assert renderer.options.line_width == 2.0
    assert spec.build("stages", 1).options.epochs == 0.5
    assert len(spec.spec.digest()) == 16


def test_every_problem_is_reported_with_its_path_and_plugin():
    bad = {
        **GOOD,
        "renderer": {"name": "toy_renderer", "line_width": -1, "colour": "red"},
        "stages": [{"name": "toy_stage"}, {"name": "toy_stage"}, {"name": "toy_stage", "epochs": -2}],
        "backbone": {"name": "toy_backbon"},
    }
    with pytest.raises(SpecError) as err:
        validate_spec(bad, _registry())
    problems = err.value.problems
    assert "stages[2].epochs: Input should be greater than or equal to 0 (stage 'toy_stage')" in problems
    assert any(
        p.startswith("renderer.line_width: Input should be greater than 0 (renderer 'toy_renderer')") for p in problems
    )
    assert any(p.startswith("renderer.colour: Extra inputs are not permitted") for p in problems)
    assert any(
        p.startswith("backbone.name: unknown backbone 'toy_backbon'; did you mean 'toy_backbone'") for p in problems
    )
    assert len(problems) == 4


def test_structural_errors_name_the_section():
    with pytest.raises(SpecError) as err:
        validate_spec({"data": "toy", "renderer": "toy_renderer", "optim": {"lr": 0}, "extra": 1}, _registry())
    problems = err.value.problems
    assert "backbone: Field required" in problems
    assert "optim.lr: Input should be greater than 0" in problems
    assert "extra: Extra inputs are not permitted" in problems


def test_yaml_is_read_safely_and_errors_give_the_line(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("data: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(SpecError, match="invalid YAML"):
        load_spec(path, _registry())
    path.write_text("data: {name: toy\nrenderer: x\n")
    with pytest.raises(SpecError, match="line"):
        load_spec(path, _registry())
    path.write_text("- just\n- a list\n")
    with pytest.raises(SpecError, match="must be a mapping"):
        load_spec(path, _registry())
    with pytest.raises(SpecError, match="cannot read spec"):
        load_spec(tmp_path / "missing.yaml", _registry())


def test_validate_command_prints_every_error_and_exits_1(tmp_path, monkeypatch):
    import skeletonllm.registry as registry_module

    monkeypatch.setattr(registry_module, "_REGISTRY", _registry())
    good = tmp_path / "good.yaml"
    good.write_text("data: toy\nrenderer: toy_renderer\nbackbone: toy_backbone\nstages: [{name: toy_stage}]\n")
    result = CliRunner().invoke(cli, ["validate", "--no-data", str(good)])  # the toy dataset has no clips
    assert result.exit_code == 0 and result.output.strip() == "OK (data not read: --no-data)"
    result = CliRunner().invoke(cli, ["validate", str(good)])
    assert result.exit_code == 1 and "split 'train' of dataset 'toy' has no samples" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "data: toy\nrenderer: {name: toy_renderer, size: 0}\nbackbone: toy_backbone\n"
        "stages: [{name: toy_stage}, {name: toy_stage}, {name: toy_stage, epochs: -1}]\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert f"error: {bad}: stages[2].epochs: Input should be greater than or equal to 0 (stage 'toy_stage')" in lines
    assert f"error: {bad}: renderer.size: Input should be greater than or equal to 8 (renderer 'toy_renderer')" in lines
    assert len(lines) == 2
    assert "Traceback" not in result.output


def test_missing_sections_unknown_names_and_bad_options_come_together():
    bad = {"renderer": {"name": "toy_rendrer"}, "stages": [{"name": "toy_stage", "epoks": 2}]}
    with pytest.raises(SpecError) as err:
        validate_spec(bad, _registry())
    problems = err.value.problems
    assert "data: Field required" in problems and "backbone: Field required" in problems
    assert any(
        p.startswith("renderer.name: unknown renderer 'toy_rendrer'; did you mean 'toy_renderer'") for p in problems
    )
    assert "stages[0].epoks: Extra inputs are not permitted; did you mean 'epochs'? (stage 'toy_stage')" in problems
    assert len(problems) == 4


def test_cross_section_checks_run_on_an_otherwise_valid_spec():
    with pytest.raises(SpecError) as err:
        validate_spec({**GOOD, "eval": {"candidates": "unseen"}}, _registry())
    assert err.value.problems == ["eval.candidates: 'unseen' needs split.class_split to name a seen/unseen class split"]


def test_every_section_builds_through_the_same_path():
    spec = validate_spec({**GOOD, "eval": {"metrics": ["accuracy", "accuracy"]}}, _registry())
    assert spec.paths("stages") == ["stages[0]", "stages[1]"]
    assert spec.build("eval.metrics", 1).name == "accuracy"
    assert spec.build("eval.metrics[0]").name == "accuracy"
    assert spec.build("stages[1]").options.epochs == 0.5
    with pytest.raises(SpecError, match="teacher: the spec names no component there"):
        spec.build("teacher")
    assert spec.records()["renderer"] == {
        "name": "toy_renderer",
        "options": {"frames": 12, "size": 64, "line_width": 2.0},
    }


def test_the_eval_section_is_not_part_of_what_a_spec_trains(tmp_path):
    """Testing a trained model on other data (your own folder of clips) keeps its checkpoint."""
    import yaml as _yaml

    from skeletonllm.spec import load_spec

    base = {"data": {"name": "synthetic"}, "renderer": "stick", "backbone": "clip_align", "output_dir": str(tmp_path)}
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(_yaml.safe_dump(base))
    second.write_text(_yaml.safe_dump({**base, "eval": {"split": "xsub/train", "max_new_tokens": 5}}))
    a, b = load_spec(first).spec, load_spec(second).spec
    assert a.digest() == b.digest() and a.digests()[1] != b.digests()[1]
    changed = {**base, "optim": {"lr": 0.1}}
    second.write_text(_yaml.safe_dump(changed))
    assert load_spec(second).spec.digest() != a.digest()
