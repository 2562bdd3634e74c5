"""Entry point of the training plugin: stages, teachers, metrics, question kinds, the joint-reading
zero-shot baselines and the evaluator and pretrain-vision commands.

Every component registers by import path: its name and summary are read from its class, and
its module (MiniLM and the text-motion evaluator import torch) loads when it is first used.
"""

from skeletonllm import hookimpl

STAGES = (
    "skeletonllm_training.stages:WarmupStage",
    "skeletonllm_training.stages:DiscFTStage",
    "skeletonllm_training.stages:CRDistillStage",
    "skeletonllm_training.stages:RefineStage",
    "skeletonllm_training.stages:CaptionStage",
    "skeletonllm_training.motion_qa_stage:MotionQAStage",
    "skeletonllm_training.tower.stage:VisionPretrainStage",
)
TEACHERS = (
    "skeletonllm_training.teacher:TemplateTeacher",
    "skeletonllm_training.kinematic_teacher:KinematicTeacher",
    "skeletonllm_training.file_teacher:FileTeacher",
)
METRICS = (
    "skeletonllm_training.metrics:AccuracyMetric",
    "skeletonllm_training.motion_qa_stage:MotionQAMetric",
    "skeletonllm_training.caption_metric:CaptioningMetric",
    "skeletonllm_training.text_motion.metric:TextMotionMetric",
)
#: the joint-reading zero-shot baselines (torch and MiniLM load when first used)
BACKBONES = (
    "skeletonllm_training.zeroshot.skeleton_align:SkeletonAlignBackbone",
    "skeletonllm_training.zeroshot.describe_match:DescribeMatchBackbone",
)
QUESTIONS = (
    "skeletonllm_training.motion_questions:TemporalQuestion",
    "skeletonllm_training.motion_questions:CausalQuestion",
    "skeletonllm_training.motion_questions:FineGrainedQuestion",
    "skeletonllm_training.motion_questions:ContrastiveQuestion",
    "skeletonllm_training.label_questions:WhichHandQuestion",
    "skeletonllm_training.label_questions:TurnQuestion",
    "skeletonllm_training.label_questions:StyleQuestion",
    "skeletonllm_training.label_questions:DistanceQuestion",
    "skeletonllm_training.label_questions:GestureCountQuestion",
)


@hookimpl
def register_stages(register):  # noqa: ANN001, ANN201 - the registry's callback
    for target in STAGES:
        register(target)


@hookimpl
def register_teachers(register):  # noqa: ANN001, ANN201
    for target in TEACHERS:
        register(target)


@hookimpl
def register_metrics(register):  # noqa: ANN001, ANN201
    for target in METRICS:
        register(target)


@hookimpl
def register_questions(register):  # noqa: ANN001, ANN201
    for target in QUESTIONS:
        register(target)


@hookimpl
def register_backbones(register):  # noqa: ANN001, ANN201
    for target in BACKBONES:
        register(target)


@hookimpl
def register_commands(cli):  # noqa: ANN001, ANN201 - the skeletonllm click group
    """``skeletonllm text-motion-evaluator train|evaluate`` and ``skeletonllm pretrain-vision``."""
    from .text_motion.cli import text_motion_evaluator
    from .tower.cli import pretrain_vision

    cli.add_command(text_motion_evaluator)
    cli.add_command(pretrain_vision)
