"""Entry point of the renderers plugin."""

from skeletonllm import hookimpl  # noqa: F401
