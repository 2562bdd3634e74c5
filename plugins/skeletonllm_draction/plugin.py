"""Entry point of the draction plugin: registers the DrAction renderer."""

from __future__ import annotations

from skeletonllm import hookimpl

from .renderer import DrActionRenderer


@hookimpl
def register_renderers(register) -> None:
    """DrAction, learnable, any topology."""
    register(DrActionRenderer)
