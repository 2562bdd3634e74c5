"""The extension points. A plugin implements any of these with ``@hookimpl``.

Callback style (as in simonw/llm): each hook receives a ``register`` function
and calls it once per class it provides, so one plugin module can provide
many components and the registry knows exactly which plugin gave which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT = "skeletonllm"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Register = Callable[[type], None]


@hookspec
def register_formats(register: Register) -> None:
    """Register SkeletonFormat subclasses (file readers/writers)."""


@hookspec
def register_datasets(register: Register) -> None:
    """Register Dataset subclasses (benchmarks and their split protocols)."""


@hookspec
def register_renderers(register: Register) -> None:
    """Register Renderer subclasses (skeleton batch -> frames)."""


@hookspec
def register_backbones(register: Register) -> None:
    """Register Backbone subclasses (multimodal LLMs)."""


@hookspec
def register_stages(register: Register) -> None:
    """Register Stage subclasses (training phases)."""


@hookspec
def register_teachers(register: Register) -> None:
    """Register Teacher subclasses (rationale sources for CR-Distill)."""


@hookspec
def register_metrics(register: Register) -> None:
    """Register Metric subclasses (evaluation)."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add click commands to the ``skeletonllm`` command group."""


#: component kind -> the hook that provides it
KIND_HOOKS = {
    "format": "register_formats",
    "dataset": "register_datasets",
    "renderer": "register_renderers",
    "backbone": "register_backbones",
    "stage": "register_stages",
    "teacher": "register_teachers",
    "metric": "register_metrics",
}
