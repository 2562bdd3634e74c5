"""One small interface per plugin kind; start reading here to write a plugin."""

# Imported lazily: formats, datasets and specs must not pay for importing torch
# (``skeletonllm info`` on a text file should start in well under a second).
from importlib import import_module
from typing import Any

_WHERE = {
    "PARAMETER_GROUPS": "backbone",
    "Backbone": "backbone",
    "Component": "base",
    "NoOptions": "base",
    "PluginOptions": "base",
    "ClassSplit": "dataset",
    "Dataset": "dataset",
    "Sample": "dataset",
    "SkeletonFormat": "format",
    "Metric": "metric",
    "Renderer": "renderer",
    "RendererOptions": "renderer",
    "Stage": "stage",
    "StageOptions": "stage",
    "Teacher": "teacher",
}

#: kind name -> (module, interface class name); the registry checks registrations against it.
KINDS: dict[str, tuple[str, str]] = {
    "format": ("format", "SkeletonFormat"),
    "dataset": ("dataset", "Dataset"),
    "renderer": ("renderer", "Renderer"),
    "backbone": ("backbone", "Backbone"),
    "stage": ("stage", "Stage"),
    "teacher": ("teacher", "Teacher"),
    "metric": ("metric", "Metric"),
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def interface_for(kind: str) -> type:
    module, cls = KINDS[kind]
    return getattr(import_module(f".{module}", __name__), cls)


__all__ = [
    "KINDS",
    "PARAMETER_GROUPS",
    "Backbone",
    "ClassSplit",
    "Component",
    "Dataset",
    "Metric",
    "NoOptions",
    "PluginOptions",
    "Renderer",
    "RendererOptions",
    "Sample",
    "SkeletonFormat",
    "Stage",
    "StageOptions",
    "Teacher",
]
