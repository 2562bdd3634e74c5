"""The four training stages of the paper, as data about *what* trains on *which* prompts.

A stage never touches a model: it names the parameter groups that learn
(``trainable``) and turns one labelled clip into prompt/target pairs. The
trainer does the rest, so a new stage (a new prompt type, a new schedule) is
a small class. Every stage refuses a label outside the seen classes: that is
where an unseen class would otherwise leak into training.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import PromptExample, Stage, StageOptions
from skeletonllm.registry import get_registry
from skeletonllm_hf import prompts

from .negatives import confusion_similarity, mine_hard_negatives, name_similarity


def _check_seen(label: int, class_names: list[str], seen: list[int]) -> None:
    if not 0 <= label < len(class_names):
        raise SkeletonLLMError(f"label {label} is outside the {len(class_names)} classes")
    if label not in seen:
        raise SkeletonLLMError(
            f"class {label} ({class_names[label]!r}) is not a seen class: it must not appear in a training prompt"
        )


def _choices(label: int, seen: list[int], k: int, rng: np.random.Generator) -> list[int]:
    """``label`` plus ``k - 1`` distinct seen distractors, shuffled."""
    others = [c for c in seen if c != label]
    picked = list(rng.choice(others, size=min(k - 1, len(others)), replace=False)) if others else []
    options = [label, *map(int, picked)]
    rng.shuffle(options)
    return options


class MultipleChoiceOptions(StageOptions):
    num_choices: int = Field(4, ge=2, description="candidate class names per question")


class _MultipleChoiceStage(Stage):
    """Shared by warm-up and refinement: pick the label among seen distractors."""

    Options = MultipleChoiceOptions

    def examples(self, label, class_names, seen, rng) -> list[PromptExample]:
        _check_seen(label, class_names, seen)
        options = [class_names[c] for c in _choices(label, seen, self.options.num_choices, rng)]
        name = class_names[label]
        return [PromptExample(prompts.mqa_prompt(options), prompts.label_answer(name), name.lower(), "mqa")]

    def question(self, candidates: list[str]) -> str:
        return prompts.mqa_prompt(candidates)


class WarmupStage(_MultipleChoiceStage):
    """Only the renderer learns, so it adapts to a frozen MLLM before anything else moves."""

    name = "warmup"
    summary = "Stage 1: render warm-up on multiple-choice QA, renderer only"
    trainable: ClassVar[tuple[str, ...]] = ("renderer",)


class DiscFTOptions(StageOptions):
    top_k: int = Field(3, ge=1, description="hard negatives kept per class")
    mining: Literal["names", "confusion"] = "names"
    confusion: list[list[float]] | None = Field(None, description="C x C confusion counts when mining='confusion'")


class DiscFTStage(Stage):
    """YES/NO over mined hard-negative pairs, exactly one YES and one NO per clip (1:1)."""

    name = "disc_ft"
    summary = "Stage 2: Disc-FT, YES/NO on mined hard-negative seen-class pairs"
    Options = DiscFTOptions
    trainable: ClassVar[tuple[str, ...]] = ("renderer", "projector")

    def __init__(self, options: DiscFTOptions | None = None) -> None:
        super().__init__(options)
        self._cache: tuple[tuple, dict[int, list[int]]] | None = None
        if self.options.mining == "confusion" and self.options.confusion is None:
            raise SkeletonLLMError("disc_ft: mining='confusion' needs a 'confusion' matrix")

    def hard_negatives(self, class_names: list[str], seen: list[int]) -> dict[int, list[int]]:
        key = (tuple(class_names), tuple(sorted(seen)))
        if self._cache is None or self._cache[0] != key:
            if self.options.mining == "confusion":
                sim = confusion_similarity(np.asarray(self.options.confusion))
            else:
                sim = name_similarity(class_names)
            self._cache = (key, mine_hard_negatives(sim, list(seen), self.options.top_k))
        return self._cache[1]

    def examples(self, label, class_names, seen, rng) -> list[PromptExample]:
        _check_seen(label, class_names, seen)
        negative = int(rng.choice(self.hard_negatives(class_names, seen)[label]))
        yes = prompts.yes_no_answer(True)
        no = prompts.yes_no_answer(False)
        return [
            PromptExample(prompts.yes_no_prompt(class_names[label]), yes, yes.lower(), "yes_no"),
            PromptExample(prompts.yes_no_prompt(class_names[negative]), no, no.lower(), "yes_no"),
        ]


class CRDistillOptions(MultipleChoiceOptions):
    teacher: str = Field("template", description="teacher plugin that writes the rationales")


class CRDistillStage(Stage):
    """The student reproduces the teacher's rationale, ending in ``Label: <action>``."""

    name = "cr_distill"
    summary = "Stage 3: CR-Distill, reproduce a teacher's causal rationale"
    Options = CRDistillOptions
    trainable: ClassVar[tuple[str, ...]] = ("renderer", "projector", "lora")

    def __init__(self, options: CRDistillOptions | None = None) -> None:
        super().__init__(options)
        self.teacher = get_registry().create("teacher", self.options.teacher)

    def examples(self, label, class_names, seen, rng, description: str | None = None) -> list[PromptExample]:
        _check_seen(label, class_names, seen)
        options = [class_names[c] for c in _choices(label, seen, self.options.num_choices, rng)]
        name = class_names[label]
        target = self.teacher.rationale(name, description)
        return [PromptExample(prompts.rationale_prompt(options), target, name.lower(), "rationale")]

    def question(self, candidates: list[str]) -> str:
        return prompts.rationale_prompt(candidates)


class RefineStage(_MultipleChoiceStage):
    """Recognition refinement with the renderer frozen: projector and LoRA only."""

    name = "refine"
    summary = "Stage 4: recognition refinement, renderer frozen"
    trainable: ClassVar[tuple[str, ...]] = ("projector", "lora")
