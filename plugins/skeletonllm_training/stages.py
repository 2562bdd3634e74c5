"""The four training stages of the paper, as data about *what* trains on *which* prompts.

A stage never touches a model: it names the parameter groups that learn
(``trainable``) and turns one labelled clip into prompt/target pairs. The
trainer does the rest, so a new stage (a new prompt type, a new schedule) is
a small class. Every stage refuses a label outside the seen classes: that is
where an unseen class would otherwise leak into training.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Stage, StageOptions
from skeletonllm.tasks import ClipContext, TaskExample, TaskKind, label_line, yes_no_line

from .motion_negatives import NegativeMiningOptions, build_negatives


def _check_seen(clip: ClipContext) -> None:
    label, class_names, seen = clip.label, clip.class_names, clip.seen
    if not 0 <= label < len(class_names):
        raise SkeletonLLMError(f"label {label} is outside the {len(class_names)} classes")
    if label not in seen:
        raise SkeletonLLMError(
            f"class {label} ({class_names[label]!r}) is not a seen class: it must not appear in a training prompt"
        )


def _choices(label: int, seen: list[int], k: int | None, rng: np.random.Generator) -> list[int]:
    """``label`` plus ``k - 1`` distinct seen distractors (every seen class when ``k`` is None), shuffled."""
    others = [c for c in seen if c != label]
    size = len(others) if k is None else min(k - 1, len(others))
    picked = list(rng.choice(others, size=size, replace=False)) if others else []
    options = [label, *map(int, picked)]
    rng.shuffle(options)
    return options


class MultipleChoiceOptions(StageOptions):
    num_choices: int | None = Field(
        4, ge=2, description="candidate class names per question; null: every seen class (the paper's MQA)"
    )


class _MultipleChoiceStage(Stage):
    """Shared by warm-up and refinement: pick the label among seen distractors."""

    Options = MultipleChoiceOptions

    def examples(self, clip: ClipContext, rng) -> list[TaskExample]:
        _check_seen(clip)
        options = [clip.class_names[c] for c in _choices(clip.label, list(clip.seen), self.options.num_choices, rng)]
        name = clip.class_name
        return [TaskExample(TaskKind.MULTIPLE_CHOICE, target=label_line(name), answer=name, candidates=options)]

    def question(self, candidates: list[str]) -> TaskExample:
        return TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=candidates)


class WarmupStage(_MultipleChoiceStage):
    """Only the renderer learns, so it adapts to a frozen MLLM before anything else moves."""

    name = "warmup"
    summary = "Stage 1: render warm-up on multiple-choice QA, renderer only"
    trainable: ClassVar[tuple[str, ...]] = ("renderer",)


class DiscFTOptions(StageOptions, NegativeMiningOptions):
    mining: Literal["motion", "file", "confusion", "names"] = Field(
        "motion",
        description="hard negatives from the seen clips' motion (default), a ranked neighbour file, a confusion "
        "matrix, or class-name similarity; names also fill in what the others lack",
    )


class DiscFTStage(Stage):
    """YES/NO over mined hard-negative pairs, exactly one YES and one NO per clip (1:1).

    The negatives of a class are the seen classes that *move* most like it (per-class
    kinematic profiles averaged over the seen training clips, see ``motion_negatives``),
    or come from a ranked neighbour file or an earlier confusion matrix.
    """

    name = "disc_ft"
    summary = "Stage 2: Disc-FT, YES/NO on mined hard-negative seen-class pairs"
    Options = DiscFTOptions
    trainable: ClassVar[tuple[str, ...]] = ("renderer", "projector")

    def __init__(self, options: DiscFTOptions | None = None) -> None:
        super().__init__(options)
        self._negatives: tuple[tuple, dict[int, list[int]]] | None = None

    def prepare(self, clips: Iterable[ClipContext]) -> None:
        """Mine the negatives once from the seen training clips (only ``motion`` reads them)."""
        iterator = iter(clips)
        first = next(iterator, None)
        if first is None:
            return
        self._mine(list(first.class_names), list(first.seen), chain([first], iterator))

    def _mine(self, class_names: list[str], seen: list[int], clips: Iterable[ClipContext] | None) -> None:
        key = (tuple(class_names), tuple(sorted(seen)))
        self._negatives = (key, build_negatives(self.options, clips, class_names, seen))

    def hard_negatives(self, class_names: list[str], seen: list[int]) -> dict[int, list[int]]:
        """Each seen class's negatives; ``motion`` mining needs :meth:`prepare` to have run first."""
        key = (tuple(class_names), tuple(sorted(seen)))
        if self._negatives is None or self._negatives[0] != key:
            self._mine(class_names, seen, None)  # 'motion' without clips raises a clear error here
        return self._negatives[1]

    def examples(self, clip: ClipContext, rng) -> list[TaskExample]:
        _check_seen(clip)
        negative = int(rng.choice(self.hard_negatives(list(clip.class_names), list(clip.seen))[clip.label]))
        return [
            TaskExample(TaskKind.YES_NO, target=yes_no_line(True), answer="yes", subject=clip.class_name),
            TaskExample(TaskKind.YES_NO, target=yes_no_line(False), answer="no", subject=clip.class_names[negative]),
        ]


class CRDistillOptions(MultipleChoiceOptions):
    tell_teacher_label: bool = Field(
        True, description="False: the teacher is not told the class (the paper's Table 8 'label-blind' variant)"
    )
    label_line: bool = Field(
        True, description="False: the target ends without 'Label: <action>' (the paper's Table 8 variant)"
    )


class CRDistillStage(Stage):
    """The student reproduces the teacher's rationale for *this* clip, ending in ``Label: <action>``.

    The teacher comes from the spec's ``teacher:`` section (the pipeline hands
    it over with :meth:`use_teacher`), so one spec names one teacher for every
    stage that needs one.
    """

    name = "cr_distill"
    summary = "Stage 3: CR-Distill, reproduce a teacher's causal rationale"
    Options = CRDistillOptions
    trainable: ClassVar[tuple[str, ...]] = ("renderer", "projector", "lora")
    #: the teacher used when the spec has no ``teacher:`` section (offline, per clip)
    default_teacher: ClassVar[str | None] = "kinematic"

    def check_teacher(self, sample_ids: list[str]) -> None:
        """The teacher has this stage's variant of the rationale (told the label or not) for every clip."""
        if self.teacher is not None:
            self.teacher.require(sample_ids, know_label=self.options.tell_teacher_label)

    def examples(self, clip: ClipContext, rng) -> list[TaskExample]:
        _check_seen(clip)
        if self.teacher is None:
            raise SkeletonLLMError("cr_distill has no teacher: build it through a spec (teacher: section)")
        options = [clip.class_names[c] for c in _choices(clip.label, list(clip.seen), self.options.num_choices, rng)]
        body = self.teacher.rationale(clip, know_label=self.options.tell_teacher_label).strip()
        target = f"{body}\n{label_line(clip.class_name)}" if self.options.label_line else body
        kind_options = options if self.options.label_line else []
        return [
            TaskExample(
                TaskKind.RATIONALE,
                target=target,
                answer=clip.class_name if self.options.label_line else None,
                candidates=kind_options,
                label_line=self.options.label_line,
            )
        ]

    def question(self, candidates: list[str]) -> TaskExample:
        if not self.options.label_line:
            raise NotImplementedError("cr_distill without the label line does not teach a recognition answer")
        return TaskExample(TaskKind.RATIONALE, candidates=candidates)


class RefineStage(_MultipleChoiceStage):
    """Recognition refinement with the renderer frozen: projector and LoRA only."""

    name = "refine"
    summary = "Stage 4: recognition refinement, renderer frozen"
    trainable: ClassVar[tuple[str, ...]] = ("projector", "lora")


class CaptionStage(Stage):
    """Captioning: the model describes the clip; targets are the dataset's own captions of it.

    Each step draws one of the clip's references (HumanML3D has up to three),
    so the model sees the variety a reference set is scored against.
    """

    name = "caption"
    summary = "Captioning: describe the motion in a sentence (targets: the dataset's captions)"
    trainable: ClassVar[tuple[str, ...]] = ("projector", "lora")

    def examples(self, clip: ClipContext, rng) -> list[TaskExample]:
        references = clip.references or ((clip.text,) if clip.text else ())
        if not references:
            raise SkeletonLLMError(
                f"sample {clip.sample_id!r}: the caption stage needs the clip's caption, and its dataset gives none"
            )
        target = references[int(rng.integers(len(references)))]
        return [TaskExample(TaskKind.CAPTION, target=target, references=references)]

    def question(self, candidates: list[str]) -> TaskExample:
        return TaskExample(TaskKind.CAPTION)
