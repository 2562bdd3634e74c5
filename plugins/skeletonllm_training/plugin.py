"""Entry point of the training plugin: stages, the offline teacher, metrics and the text-motion evaluator command."""

from skeletonllm import hookimpl

from .caption_metric import CaptioningMetric
from .file_teacher import FileTeacher
from .kinematic_teacher import KinematicTeacher
from .metrics import AccuracyMetric
from .motion_qa_stage import MotionQAMetric, MotionQAStage
from .stages import CaptionStage, CRDistillStage, DiscFTStage, RefineStage, WarmupStage
from .teacher import TemplateTeacher
from .text_motion.cli import text_motion_evaluator
from .text_motion.metric import TextMotionMetric


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
    register(CaptioningMetric)
    register(TextMotionMetric)
    register(MotionQAMetric)


@hookimpl
def register_commands(cli):
    cli.add_command(text_motion_evaluator)
