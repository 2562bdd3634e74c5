"""Entry point of the draction plugin: registers the DrAction renderer.

Registered lazily: importing this module (``skeletonllm --help``, ``skeletonllm
plugins``) does not import torch; the renderer module loads when DrAction is used.
"""

from __future__ import annotations

from skeletonllm import LazyComponent, hookimpl


@hookimpl
def register_renderers(register) -> None:  # noqa: ANN001 - the registry's callback
    """DrAction, learnable, any topology."""
    register(
        LazyComponent(
            "skeletonllm_draction.renderer:DrActionRenderer",
            name="draction",
            summary="DrAction: differentiable Gaussian-splatting renderer for any topology",
        )
    )
