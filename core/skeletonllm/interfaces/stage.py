"""Stage: one phase of training (which groups learn, on which prompts, how long)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import Field

from .base import Component, PluginOptions


class StageOptions(PluginOptions):
    epochs: float = Field(1.0, ge=0)
    lr: float | None = Field(None, gt=0, description="overrides optim.lr for this stage")
    max_steps: int | None = Field(None, ge=1)
    train: list[Literal["renderer", "vision", "projector", "llm", "lora"]] | None = Field(
        None,
        description="override the stage's parameter groups; e.g. tiny random-init presets must also train "
        "'llm', since the paper's groups assume a pretrained language model",
    )


@dataclass
class PromptExample:
    """A prompt/target pair for one clip; ``answer`` is what the parser should recover."""

    prompt: str
    target: str
    answer: str
    kind: str = "mqa"


class Stage(Component, ABC):
    Options: ClassVar[type[PluginOptions]] = StageOptions
    #: parameter groups trained in this stage (``renderer`` plus backbone groups).
    trainable: ClassVar[tuple[str, ...]] = ()

    def __init__(self, options=None) -> None:
        self.options = options if options is not None else self.Options()

    @property
    def groups(self) -> tuple[str, ...]:
        """The parameter groups that learn in this stage: ``options.train`` or the stage's own."""
        return tuple(self.options.train) if self.options.train else self.trainable

    @abstractmethod
    def examples(self, label: int, class_names: list[str], seen: list[int], rng) -> list[PromptExample]:
        """Prompt/target pairs for one clip of class ``label``; ``seen`` limits negatives."""

    def question(self, candidates: list[str]) -> str:
        """The test-time prompt over ``candidates`` that this stage trained the model to answer.

        Recognition stages implement it; evaluation asks the last stage that does, so the
        test prompt always matches the training prompt format.
        """
        raise NotImplementedError(f"stage {self.name!r} does not define a test-time question")
