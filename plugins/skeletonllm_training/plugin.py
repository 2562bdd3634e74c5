"""Entry point of the training plugin: stages, the offline teacher and the accuracy metric.

Classes are imported inside the hooks, so loading the entry point (``skeletonllm --help``)
costs nothing until a component is looked up.
"""

from skeletonllm import hookimpl


@hookimpl
def register_stages(register):  # noqa: ANN001, ANN201 - the registry's callback
    from .stages import CRDistillStage, DiscFTStage, RefineStage, WarmupStage

    for stage in (WarmupStage, DiscFTStage, CRDistillStage, RefineStage):
        register(stage)


@hookimpl
def register_teachers(register):  # noqa: ANN001, ANN201
    from .teacher import TemplateTeacher

    register(TemplateTeacher)


@hookimpl
def register_metrics(register):  # noqa: ANN001, ANN201
    from .metrics import AccuracyMetric

    register(AccuracyMetric)
