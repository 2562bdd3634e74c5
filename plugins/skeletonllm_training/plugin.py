"""Entry point of the training plugin: stages, the offline teacher and the accuracy metric."""

from skeletonllm import hookimpl

from .caption_metric import CaptioningMetric
from .metrics import AccuracyMetric
from .stages import CRDistillStage, DiscFTStage, RefineStage, WarmupStage
from .teacher import TemplateTeacher


@hookimpl
def register_stages(register):
    for stage in (WarmupStage, DiscFTStage, CRDistillStage, RefineStage):
        register(stage)


@hookimpl
def register_teachers(register):
    register(TemplateTeacher)


@hookimpl
def register_metrics(register):
    register(AccuracyMetric)
    register(CaptioningMetric)
