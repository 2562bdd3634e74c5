"""Entry point of the training plugin."""

from skeletonllm import hookimpl  # noqa: F401
