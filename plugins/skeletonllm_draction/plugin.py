"""Entry point of the draction plugin."""

from skeletonllm import hookimpl  # noqa: F401
