"""Entry point of the draction plugin: registers the DrAction renderer by import path.

Importing this module (``skeletonllm --help``, ``skeletonllm plugins``) does not import
torch: the renderer's name and summary are read from its class, which loads on first use.
"""

from __future__ import annotations

from skeletonllm import hookimpl


@hookimpl
def register_renderers(register) -> None:  # noqa: ANN001 - the registry's callback
    """DrAction, learnable, any topology."""
    register("skeletonllm_draction.renderer:DrActionRenderer")
