"""One small interface per plugin kind; start reading here to write a plugin."""

# Imported lazily: formats, datasets and specs must not pay for importing torch
# (``skeletonllm info`` on a text file should start in well under a second).
from importlib import import_module
from typing import Any

from ..kinds import KINDS

#: public names that are not a kind's interface class -> the module defining them
_HELPERS = {
    "PARAMETER_GROUPS": "backbone",
    "Component": "base",
    "MetricResult": "metric",
    "Picture": "metric",
    "Table": "metric",
    "NoOptions": "base",
    "PluginOptions": "base",
    "BODY_PARTS": "dataset",
    "ClassDescription": "dataset",
    "ClassSplit": "dataset",
    "Sample": "dataset",
    "RendererOptions": "renderer",
    "StageOptions": "stage",
}
_WHERE = {**{k.interface: k.module for k in KINDS.values()}, **_HELPERS}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BODY_PARTS",
    "PARAMETER_GROUPS",
    "Backbone",
    "ClassDescription",
    "ClassSplit",
    "Component",
    "Dataset",
    "Metric",
    "MetricResult",
    "NoOptions",
    "Picture",
    "PluginOptions",
    "Question",
    "Renderer",
    "RendererOptions",
    "Sample",
    "SkeletonFormat",
    "Stage",
    "StageOptions",
    "Table",
    "Teacher",
]
