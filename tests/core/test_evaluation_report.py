"""``skeletonllm evaluate`` writes every metric's notes into report.md and metrics.json (none is dropped)."""

from __future__ import annotations

import json
import types

import yaml
from click.testing import CliRunner
from toy_components import toy_registry
from toy_specs import toy_spec_data

import skeletonllm.registry as registry_module
from skeletonllm import hookimpl
from skeletonllm.cli import cli
from skeletonllm.interfaces import Metric, MetricResult, Table
from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec


class AnswerLengthMetric(Metric):
    """A third-party metric with its own caveat and table: both must reach the report."""

    name = "answer_length"
    summary = "Mean length of the answers in characters"

    def reset(self) -> None:
        self.lengths: list[int] = []

    def update(self, predictions) -> None:
        self.lengths += [len(p.output) for p in predictions]

    def compute(self) -> MetricResult:
        if not self.lengths:
            return MetricResult(notes={"": "no answers"})
        return MetricResult(
            values={"answer_chars": sum(self.lengths) / len(self.lengths)},
            notes={"answer_chars": "counted in characters, whitespace included"},
            tables=[Table("Longest answer", ("chars",), ((max(self.lengths),),))],
        )


def registry_with_metric():
    registry = toy_registry()
    plugin = types.SimpleNamespace(register_metrics=hookimpl(lambda register: register(AnswerLengthMetric)))
    plugin.register_metrics.__name__ = "register_metrics"
    registry.add_plugin(plugin, "answer_length_plugin")
    return registry


def test_the_report_of_evaluate_holds_every_metric_s_notes(tmp_path, monkeypatch):
    data = toy_spec_data(tmp_path / "run", eval={"metrics": ["accuracy", "answer_length"]})
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(data))
    monkeypatch.setattr(registry_module, "_REGISTRY", registry_with_metric())
    result = CliRunner().invoke(cli, ["evaluate", str(spec), "--untrained", "--out", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert "samples" not in printed and {"accuracy", "answer_chars"} <= set(printed)

    pipeline = Pipeline(validate_spec(data, registry_with_metric()))  # the same untrained model, seeded
    expected = pipeline.results(pipeline.predict(show_progress=False))
    assert set(expected) == {"accuracy", "answer_length"}
    report = (tmp_path / "report" / "report.md").read_text()
    saved = json.loads((tmp_path / "report" / "metrics.json").read_text())
    for metric, metric_result in expected.items():
        assert metric_result.notes, f"{metric} returned no notes to look for"
        assert saved["results"][metric]["notes"] == metric_result.notes
        for text in metric_result.notes.values():
            assert text in report, f"{metric}'s note {text!r} is missing from report.md"
        for table in metric_result.tables:
            assert f"### {table.title}" in report
    assert "## accuracy" in report and "## answer_length" in report
    assert "| figure | value |" in report and "Wilson score 95 %" in report


def test_the_provenance_explains_the_split_and_lists_no_samples_figure(tmp_path, monkeypatch):
    monkeypatch.setattr(registry_module, "_REGISTRY", toy_registry())
    for split, wanted in ((None, "no class split: every class is seen in training"), ("3/1", "class split '3/1'")):
        data = toy_spec_data(tmp_path / "run", split={"class_split": split})
        spec = tmp_path / "spec.yaml"
        spec.write_text(yaml.safe_dump(data))
        result = CliRunner().invoke(cli, ["evaluate", str(spec), "--untrained", "--out", str(tmp_path / "r")])
        assert result.exit_code == 0, result.output
        report = (tmp_path / "r" / "report.md").read_text()
        assert wanted in report and "None" not in report
        assert "| samples |" not in report
