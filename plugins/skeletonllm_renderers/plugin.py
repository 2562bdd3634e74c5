"""Entry point of the baseline renderers plugin: four non-learnable renderers."""

from skeletonllm import hookimpl


@hookimpl
def register_renderers(register) -> None:  # noqa: ANN001 - pluggy passes the registry's callback
    from .jtm import JtmRenderer
    from .projection2d import Projection2dRenderer
    from .stick import StickRenderer
    from .velocity3d import Velocity3dRenderer

    for cls in (StickRenderer, Projection2dRenderer, Velocity3dRenderer, JtmRenderer):
        register(cls)
