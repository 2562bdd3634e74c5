"""The conformance kit fails broken components: each fixture here breaks one duty, and the kit must say so.

timm's habit of parametrising over the registry is only as good as the checks it runs; these
components are written wrong on purpose (a metric that divides by zero on no predictions, a
renderer that draws a z-up clip lying down, a stage that leaks an unseen class, a teacher that
writes the label line, a backbone without ``generate``) and each is put through the kit.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch

import skeletonllm.registry as registry_module
from skeletonllm import hookimpl
from skeletonllm.errors import PluginError, SkeletonLLMError
from skeletonllm.interfaces import Backbone, Metric, MetricResult, Renderer, Stage, Teacher
from skeletonllm.registry import Registry
from skeletonllm.tasks import TaskExample, TaskKind, label_line
from skeletonllm.testing import (
    MetricContract,
    RendererContract,
    check_colour_legend,
    check_metric_on_nothing,
    check_metric_tasks,
    check_stage,
    check_teacher,
    check_up_axis,
)


class DividingMetric(Metric):
    """Accuracy as hits / count: a ZeroDivisionError when nothing was scored."""

    name = "dividing"
    summary = "divides by zero on no predictions"

    def reset(self) -> None:
        self.hits, self.count = 0, 0

    def update(self, predictions) -> None:
        for p in predictions:
            self.count += 1
            self.hits += int(bool(p.correct))

    def compute(self) -> MetricResult:
        return MetricResult(values={"rate": self.hits / self.count})


class GuardedMetric(DividingMetric):
    name = "guarded"

    def compute(self) -> MetricResult:
        if not self.count:
            return MetricResult(notes={"": "nothing to score"})
        return super().compute()


class LyingRenderer(Renderer):
    """Draws the file's x and y as they are, ignoring ``Topology.up_axis``: a z-up clip lies down."""

    name = "lying"
    summary = "ignores the up axis"

    def forward(self, batch):
        size = self.options.size
        b, m, f, v, _ = batch.positions.shape
        xy = batch.positions[..., :2]
        valid = batch.mask.unsqueeze(-1)
        lo = torch.where(valid, xy, torch.inf).amin(dim=(1, 2, 3), keepdim=True)
        hi = torch.where(valid, xy, -torch.inf).amax(dim=(1, 2, 3), keepdim=True)
        span = (hi - lo).amax(-1, keepdim=True).clamp_min(1e-6)
        pix = ((xy - lo) / span * (size - 3)).round().long().clamp(0, size - 3)
        out = torch.zeros(b, f, 3, size, size)
        for i, m_, t, j in batch.mask.nonzero().tolist():
            x, y = pix[i, m_, t, j].tolist()
            out[i, t, :, size - 3 - y : size - y, x : x + 3] = 1.0
        return out


def registry_with(**components) -> Registry:
    """The toy plugin registering ``components`` by kind (``metric=[...]``), on an empty registry."""
    hooks = {}
    for kind, classes in components.items():
        hook = f"register_{kind}s"

        def register_all(register, classes=classes):
            for cls in classes:
                register(cls)

        register_all.__name__ = hook
        hooks[hook] = hookimpl(register_all)
    registry = Registry(load_entry_points=False)
    registry.add_plugin(types.SimpleNamespace(**hooks), "broken")
    return registry


def test_the_kit_fails_a_metric_that_divides_by_zero_on_an_empty_input(monkeypatch):
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        check_metric_on_nothing(DividingMetric)
    check_metric_on_nothing(GuardedMetric)  # the same metric with the guard passes
    monkeypatch.setattr(registry_module, "_REGISTRY", registry_with(metric=[DividingMetric]))
    with pytest.raises(AssertionError, match="divides|ZeroDivisionError"):
        MetricContract().test_no_predictions_is_a_clear_answer_not_a_crash("dividing", tmp_path=None)


def test_the_kit_fails_a_metric_that_is_the_default_for_a_task_it_does_not_score():
    """``tasks`` (what validate checks a metric against) and ``default_for`` must not disagree."""
    wrong = type("WrongDefault", (GuardedMetric,), {"name": "wrong", "tasks": ("caption",), "default_for": ("qa",)})
    with pytest.raises(AssertionError, match=r"default for \['qa'\] but scores only \['caption'\]"):
        check_metric_tasks(wrong)
    typo = type("Typo", (GuardedMetric,), {"name": "typo", "tasks": ("captions",)})
    with pytest.raises(AssertionError, match="not evaluation tasks"):
        check_metric_tasks(typo)
    check_metric_tasks(type("Any", (GuardedMetric,), {"name": "any", "default_for": ("recognition",)}))


def test_the_kit_fails_a_renderer_that_draws_a_z_up_clip_lying_down(monkeypatch):
    with pytest.raises(AssertionError, match="up is 'z'"):
        check_up_axis(LyingRenderer(LyingRenderer.Options(frames=3, size=32)).eval())
    monkeypatch.setattr(registry_module, "_REGISTRY", registry_with(renderer=[LyingRenderer]))
    with pytest.raises(AssertionError, match="draws the clip differently"):
        RendererContract().test_up_axis_is_honoured("lying")


class KeyedRenderer(LyingRenderer):
    """Explains its colours with a dict instead of a ColourLegend."""

    name = "keyed"

    def colour_legend(self):
        return {"red": "near", "blue": "far"}


def test_colour_legend_is_optional_and_the_kit_fails_one_that_is_not_a_legend():
    plain = LyingRenderer(LyingRenderer.Options(frames=2, size=16))
    assert "colour_legend" not in Renderer.__abstractmethods__ and plain.colour_legend() is None
    check_colour_legend(plain)  # no legend is a legend's absence, not a fault
    with pytest.raises(AssertionError, match="not a skeletonllm.legend.ColourLegend"):
        check_colour_legend(KeyedRenderer(KeyedRenderer.Options(frames=2, size=16)))


def test_the_kit_fails_a_stage_that_puts_an_unseen_class_into_a_target():
    class LeakyStage(Stage):
        name = "leaky"
        summary = "names every class as a candidate"

        def examples(self, clip, rng):
            name = clip.class_name
            candidates = tuple(clip.class_names)  # unseen classes included: the leak
            return [TaskExample(TaskKind.MULTIPLE_CHOICE, target=label_line(name), answer=name, candidates=candidates)]

    with pytest.raises(AssertionError, match="unseen"):
        check_stage(LeakyStage())


def test_the_kit_fails_a_self_trained_stage_without_its_own_loop():
    class Loopless(Stage):
        name = "loopless"
        summary = "says it trains itself but keeps the interface's fit"
        trains_itself = True

        def examples(self, clip, rng):
            raise SkeletonLLMError("loopless asks no questions")

    class Looped(Loopless):
        def fit(self, pipeline, show_progress: bool = True) -> dict:
            return {"losses": []}

    check_stage(Looped())  # refusing examples is allowed when the stage has its own loop
    with pytest.raises(AssertionError, match="does not override fit"):
        check_stage(Loopless())


def test_the_kit_fails_a_teacher_that_writes_the_label_line_or_ignores_the_up_axis():
    class LabellingTeacher(Teacher):
        name = "labelling"
        summary = "ends with the label"

        def rationale(self, clip, *, know_label=True):
            return f"Step 1: something moves.\n{label_line(clip.class_name)}"

    class AxisTeacher(Teacher):
        name = "axis"
        summary = "reports raw y as height"

        def rationale(self, clip, *, know_label=True):
            height = float(np.ptp(clip.sequence.positions[..., 1]))
            return f"Step 1: the body spans {height:.2f} units vertically."

    with pytest.raises(AssertionError, match="Label: line"):
        check_teacher(LabellingTeacher())
    with pytest.raises(AssertionError, match="z-up"):
        check_teacher(AxisTeacher())


def test_a_backbone_without_loss_or_generate_cannot_be_built_or_registered():
    class Mute(Backbone):
        name = "mute"
        summary = "cannot answer"

        def parameter_groups(self):
            return {}

        def loss(self, frames, examples):
            return frames.mean()

    with pytest.raises(TypeError, match="abstract method generate"):
        Mute()
    registry = Registry(load_entry_points=False, strict=True)
    plugin = types.SimpleNamespace(register_backbones=hookimpl(lambda register: register(Mute)))
    plugin.register_backbones.__name__ = "register_backbones"
    with pytest.raises(PluginError, match="does not implement generate"):
        registry.add_plugin(plugin, "mute_plugin")
