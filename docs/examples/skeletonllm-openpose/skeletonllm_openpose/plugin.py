"""Entry point named in pyproject.toml: one hook per kind, one ``register`` call per component."""

from skeletonllm import hookimpl

from .format import OpenPoseFormat
from .metric import LabelledAnswersMetric


@hookimpl
def register_formats(register):
    register(OpenPoseFormat)


@hookimpl
def register_metrics(register):
    register(LabelledAnswersMetric)
