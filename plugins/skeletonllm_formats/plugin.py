"""Entry point of the formats plugin."""

from skeletonllm import hookimpl  # noqa: F401
