"""Entry point of the baseline renderers plugin: four non-learnable renderers, by import path.

Names and summaries are read from the classes without importing them (each module imports torch).
"""

from skeletonllm import hookimpl

RENDERERS = (
    "skeletonllm_renderers.stick:StickRenderer",
    "skeletonllm_renderers.projection2d:Projection2dRenderer",
    "skeletonllm_renderers.velocity3d:Velocity3dRenderer",
    "skeletonllm_renderers.jtm:JtmRenderer",
)


@hookimpl
def register_renderers(register) -> None:  # noqa: ANN001 - pluggy passes the registry's callback
    for target in RENDERERS:
        register(target)
