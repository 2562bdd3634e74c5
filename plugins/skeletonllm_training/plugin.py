"""Entry point of the training plugin: stages, teachers, metrics, the joint-reading zero-shot baselines and
the text-motion evaluator command.

Classes are imported inside the hooks, so loading the entry point (``skeletonllm --help``)
costs nothing until a component is looked up; the two metrics that need torch (MiniLM,
the evaluator) register lazily, so ``skeletonllm plugins`` never imports it.
"""

from skeletonllm import LazyComponent, hookimpl


@hookimpl
def register_stages(register):  # noqa: ANN001, ANN201 - the registry's callback
    from .motion_qa_stage import MotionQAStage
    from .stages import CaptionStage, CRDistillStage, DiscFTStage, RefineStage, WarmupStage

    for stage in (WarmupStage, DiscFTStage, CRDistillStage, RefineStage, CaptionStage, MotionQAStage):
        register(stage)
    register(
        LazyComponent(
            "skeletonllm_training.tower.stage:VisionPretrainStage",
            name="vision_pretrain",
            summary="Vision pretraining: the tower learns landmarks, motion and kinematic facts from renders (no labels)",
        )
    )


@hookimpl
def register_teachers(register):  # noqa: ANN001, ANN201
    from .file_teacher import FileTeacher
    from .kinematic_teacher import KinematicTeacher
    from .teacher import TemplateTeacher

    for teacher in (TemplateTeacher, KinematicTeacher, FileTeacher):
        register(teacher)


@hookimpl
def register_metrics(register):  # noqa: ANN001, ANN201
    from .metrics import AccuracyMetric
    from .motion_qa_stage import MotionQAMetric

    for metric in (AccuracyMetric, MotionQAMetric):
        register(metric)
    register(
        LazyComponent(
            "skeletonllm_training.caption_metric:CaptioningMetric",
            name="captioning",
            summary="BLEU@4, ROUGE-L, CIDEr-D and BERTScore (MiniLM) of generated captions",
        )
    )
    register(
        LazyComponent(
            "skeletonllm_training.text_motion.metric:TextMotionMetric",
            name="text_motion",
            summary="R@1, R@3 and MM-Dist of generated captions under a trained text-motion evaluator",
        )
    )


@hookimpl
def register_backbones(register):  # noqa: ANN001, ANN201
    """The joint-reading zero-shot baselines (torch and MiniLM: registered lazily)."""
    register(
        LazyComponent(
            "skeletonllm_training.zeroshot.skeleton_align:SkeletonAlignBackbone",
            name="skeleton_align",
            summary="Skeleton-text alignment (SMIE/PURLS family): joint encoder vs MiniLM class texts",
        )
    )
    register(
        LazyComponent(
            "skeletonllm_training.zeroshot.describe_match:DescribeMatchBackbone",
            name="describe_match",
            summary="Describe-then-match: the kinematic teacher's text vs class descriptions (MiniLM, no training)",
        )
    )


@hookimpl
def register_commands(cli):  # noqa: ANN001, ANN201 - the skeletonllm click group
    """``skeletonllm text-motion-evaluator train|evaluate`` and ``skeletonllm pretrain-vision``."""
    from .text_motion.cli import text_motion_evaluator
    from .tower.cli import pretrain_vision

    cli.add_command(text_motion_evaluator)
    cli.add_command(pretrain_vision)
