"""Entry point named in pyproject.toml: one hook, one ``register`` call per component."""

from skeletonllm import hookimpl

from .format import OpenPoseFormat


@hookimpl
def register_formats(register):
    register(OpenPoseFormat)
