"""Contract tests any plugin package runs against its own components, with one class per kind.

In a plugin's test suite (pytest)::

    from skeletonllm.testing import ComponentContract, FormatContract, MetricContract, RendererContract

    class TestMyFormats(FormatContract):
        plugin = "myplugin"  # the entry-point name in your pyproject; None tests every installed one

        def samples(self, folder):  # optional: a file each format reads, for the read/sniff/round-trip tests
            return {"my_format": write_a_small_file(folder)}

    class TestMyRenderers(RendererContract):
        plugin = "myplugin"

    class TestMyComponents(ComponentContract):
        plugin = "myplugin"

    class TestMyMetrics(MetricContract):  # likewise BackboneContract, StageContract, TeacherContract
        plugin = "myplugin"

        def options(self, name, folder):  # optional: options for components that require some
            return {}

Each test is parametrised over the registry (as timm's tests are over ``list_models()``),
so a component registered tomorrow is tested without a new line of test code. SkeletonLLM's
own suite runs the same classes over the built-in plugins. Needs pytest (a dev dependency).
"""

from .backbones import BackboneContract
from .cases import batch_of, clip_context, kit_topologies, moving_positions, occupancy, sequence, turned_up
from .components import ComponentContract, KindContract, component_names
from .formats import FormatContract, check_consistent
from .metrics import MetricContract, check_metric_on_nothing, check_metric_result, check_metric_tasks, kit_predictions
from .renderers import RendererContract, check_colour_legend, check_up_axis
from .training import QuestionContract, StageContract, TeacherContract, check_question, check_stage, check_teacher

__all__ = [
    "BackboneContract",
    "ComponentContract",
    "FormatContract",
    "KindContract",
    "MetricContract",
    "QuestionContract",
    "RendererContract",
    "StageContract",
    "TeacherContract",
    "batch_of",
    "check_colour_legend",
    "check_consistent",
    "check_metric_on_nothing",
    "check_metric_result",
    "check_metric_tasks",
    "check_question",
    "check_stage",
    "check_teacher",
    "check_up_axis",
    "clip_context",
    "component_names",
    "kit_predictions",
    "kit_topologies",
    "moving_positions",
    "occupancy",
    "sequence",
    "turned_up",
]
