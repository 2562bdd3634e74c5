"""The core names no plugin component: defaults come from what plugins declare (``default_for``)."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest
import yaml

from skeletonllm import hookimpl
from skeletonllm.errors import SpecError, UnknownPluginError
from skeletonllm.interfaces import Metric, MetricResult
from skeletonllm.registry import Registry, get_registry
from skeletonllm.spec import validate_spec
from skeletonllm.tasks import TaskKind

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = yaml.safe_load((ROOT / "registry.yaml").read_text(encoding="utf-8"))["plugins"]
#: component names that are also ordinary words of the core's own vocabulary (a task, a JSON key)
WORDS = {k.value for k in TaskKind} | {"recognition", "qa", "file"}


def core_string_constants() -> list[tuple[Path, int, str]]:
    """Every string literal of the core's code that is not a docstring (the web app leaves the core)."""
    found = []
    for path in sorted((ROOT / "core" / "skeletonllm").rglob("*.py")):
        if "app" in path.relative_to(ROOT).parts or path.name == "app_cmd.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        found += [
            (path, node.lineno, node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
        ]
    return found


def test_no_core_code_names_a_built_in_component():
    names = {p["name"] for p in CATALOGUE if p["kind"] != "format"} - WORDS
    named = [
        f"{path.relative_to(ROOT)}:{line} {text!r}" for path, line, text in core_string_constants() if text in names
    ]
    assert not named, named


@pytest.mark.parametrize(
    ("task", "metric"), [("recognition", "accuracy"), ("caption", "captioning"), ("qa", "motion_qa")]
)
def test_the_default_metric_of_each_task_is_declared_by_its_plugin(task: str, metric: str):
    assert get_registry().default("metric", task) == metric
    data = {
        "data": {"name": "synthetic"},
        "renderer": "stick",
        "backbone": "qwen2_5_vl",
        "stages": [{"name": {"recognition": "refine", "caption": "caption", "qa": "motion_qa"}[task]}],
        "eval": {"task": task},
    }
    validated = validate_spec(data, check_files=False)
    assert [m.name for m in validated.spec.eval.metrics] == [metric]


def test_the_default_renderer_is_declared_by_its_plugin():
    assert get_registry().default("renderer", "render") == "draction"


class LoudMetric(Metric):
    name = "loud"
    summary = "claims to be the default"
    default_for = ("recognition", "nothing_else")

    def reset(self) -> None: ...

    def update(self, predictions) -> None: ...

    def compute(self) -> MetricResult:
        return MetricResult()


def _with_loud(registry: Registry) -> Registry:
    plugin = types.SimpleNamespace(register_metrics=hookimpl(lambda register: register(LoudMetric)))
    plugin.register_metrics.__name__ = "register_metrics"
    registry.add_plugin(plugin, "loud", "loud-dist")
    return registry


def test_a_third_party_default_serves_new_purposes_but_never_displaces_a_built_in():
    registry = _with_loud(Registry())
    assert registry.default("metric", "recognition") == "accuracy"
    assert registry.default("metric", "nothing_else") == "loud"


def test_no_default_is_a_clear_error():
    registry = Registry(load_entry_points=False)
    with pytest.raises(UnknownPluginError, match="no installed metric declares itself the default for 'caption'"):
        registry.default("metric", "caption")
    with pytest.raises(SpecError, match="eval.metrics: no installed metric declares"):
        validate_spec({"data": "x", "renderer": "y", "backbone": "z", "eval": {"task": "caption"}}, registry)
