"""Entry point of the training plugin: stages, the offline teacher and the accuracy metric."""

from skeletonllm import hookimpl

from .file_teacher import FileTeacher
from .kinematic_teacher import KinematicTeacher
from .metrics import AccuracyMetric
from .motion_qa_stage import MotionQAMetric, MotionQAStage
from .stages import CaptionStage, CRDistillStage, DiscFTStage, RefineStage, WarmupStage
from .teacher import TemplateTeacher


@hookimpl
def register_stages(register):
    for stage in (WarmupStage, DiscFTStage, CRDistillStage, RefineStage, CaptionStage, MotionQAStage):
        register(stage)


@hookimpl
def register_teachers(register):
    register(TemplateTeacher)
    register(KinematicTeacher)
    register(FileTeacher)


@hookimpl
def register_metrics(register):
    register(AccuracyMetric)
    register(MotionQAMetric)
