"""Entry point of the hf plugin."""

from skeletonllm import hookimpl  # noqa: F401
