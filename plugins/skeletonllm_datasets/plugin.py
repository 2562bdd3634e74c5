"""Entry point of the datasets plugin."""

from skeletonllm import hookimpl  # noqa: F401
