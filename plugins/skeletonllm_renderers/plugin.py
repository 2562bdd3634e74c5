"""Entry point of the baseline renderers plugin: four non-learnable renderers.

Registered lazily (each module imports torch): listing them imports nothing.
"""

from skeletonllm import LazyComponent, hookimpl

RENDERERS = (
    LazyComponent(
        "skeletonllm_renderers.stick:StickRenderer", "stick", "Stick figure with limbs coloured by body part"
    ),
    LazyComponent(
        "skeletonllm_renderers.projection2d:Projection2dRenderer",
        "projection2d",
        "2D projection of joints and bones on a fixed camera",
    ),
    LazyComponent(
        "skeletonllm_renderers.velocity3d:Velocity3dRenderer", "velocity3d", "3D positions with velocity colour coding"
    ),
    LazyComponent("skeletonllm_renderers.jtm:JtmRenderer", "jtm", "Joint trajectory maps, three orthogonal views"),
)


@hookimpl
def register_renderers(register) -> None:  # noqa: ANN001 - pluggy passes the registry's callback
    for component in RENDERERS:
        register(component)
