"""Stage: one phase of training (which groups learn, on which prompts, how long)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar, Literal

from pydantic import Field

from ..tasks import ClipContext, TaskExample
from .base import Component, PluginOptions
from .teacher import Teacher


class StageOptions(PluginOptions):
    epochs: float = Field(1.0, ge=0)
    lr: float | None = Field(None, gt=0, description="overrides optim.lr for this stage")
    max_steps: int | None = Field(None, ge=1)
    train: list[Literal["renderer", "vision", "projector", "llm", "lora"]] | None = Field(
        None,
        description="override the stage's parameter groups; e.g. tiny random-init presets must also train "
        "'llm', since the paper's groups assume a pretrained language model",
    )


class Stage(Component, ABC):
    Options: ClassVar[type[PluginOptions]] = StageOptions
    #: parameter groups trained in this stage (``renderer`` plus backbone groups).
    trainable: ClassVar[tuple[str, ...]] = ()
    #: a stage that needs a teacher names the one to use when the spec has no ``teacher:``
    #: section; the pipeline hands it the spec's (or this) teacher with :meth:`use_teacher`
    default_teacher: ClassVar[str | None] = None
    #: a stage with an objective of its own (not the backbone's text loss, e.g. vision pretraining with
    #: heads that are not part of the model) trains itself: the trainer calls :meth:`fit` instead of its
    #: loop, then checkpoints the groups the stage names, as after any other stage
    trains_itself: ClassVar[bool] = False

    def __init__(self, options=None) -> None:
        self.options = options if options is not None else self.Options()
        self.teacher: Teacher | None = None

    def use_teacher(self, teacher: Teacher) -> None:
        """Receive the spec's teacher (called only for stages that set ``default_teacher``)."""
        self.teacher = teacher

    def check_teacher(self, sample_ids: list[str]) -> None:
        """Before training: the teacher (if this stage has one) covers every training clip."""
        if self.teacher is not None:
            self.teacher.require(sample_ids)

    @property
    def groups(self) -> tuple[str, ...]:
        """The parameter groups that learn in this stage: ``options.train`` or the stage's own."""
        return tuple(self.options.train) if self.options.train else self.trainable

    def prepare(self, clips: Iterable[ClipContext]) -> None:
        """Called once before the stage trains, with the seen training clips (loaded lazily).

        A stage that needs statistics over the training data (e.g. Disc-FT's
        per-class motion profiles for hard negatives) consumes as many as it
        needs; the default needs none.
        """

    @abstractmethod
    def examples(self, clip: ClipContext, rng) -> list[TaskExample]:
        """Typed examples (with targets) for one training clip; ``clip.seen`` limits negatives.

        ``rng`` is a ``numpy.random.Generator`` seeded per step, so a resumed run asks the
        same questions as an uninterrupted one.
        """

    def test_examples(self, clip: ClipContext) -> list[TaskExample]:
        """The evaluation questions of one test clip, for stages whose questions depend on the clip.

        Motion QA asks each clip about its own motion; the default (recognition, captions)
        asks every clip the same :meth:`question`, filled in by the pipeline, and returns [].
        Deterministic per clip, so two evaluations ask the same questions.
        """
        return []

    def fit(self, pipeline, show_progress: bool = True) -> dict:
        """Train ``pipeline``'s components with the stage's own loop (only when :attr:`trains_itself`).

        Returns the stage's history record: at least ``losses`` (one value per step). It
        starts from the weights the earlier stages left and leaves its result in the
        pipeline's components. It is not resumed step by step: a run killed inside it
        starts the stage again (a stage may keep its own cache to make that cheap).
        """
        raise NotImplementedError(f"stage {self.name!r} is trained by the trainer's loop, not by itself")

    def question(self, candidates: list[str]) -> TaskExample:
        """The test-time example over ``candidates`` that this stage trained the model to answer.

        Stages that teach a task at test time implement it (recognition stages, ``caption``);
        evaluation asks the last stage whose question suits the evaluated task, so the
        test question always matches the training format.
        """
        raise NotImplementedError(f"stage {self.name!r} does not define a test-time question")
