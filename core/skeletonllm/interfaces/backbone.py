"""Backbone: a multimodal LLM that turns frames and a prompt into loss or text."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

import torch
from torch import nn

from ..errors import CheckpointError, UnknownGroupError
from ..tasks import TaskExample, phrase
from .base import Component

if TYPE_CHECKING:
    from ..batch import SkeletonBatch
    from .dataset import ClassDescription
    from .renderer import Renderer

#: Key prefix of backbone tensors in checkpoints (the renderer's use ``renderer.``).
CHECKPOINT_PREFIX = "backbone."

#: Parameter-group names stages train and freeze by.
PARAMETER_GROUPS = ("vision", "projector", "llm", "lora")


class Backbone(Component, nn.Module, ABC):
    """Wraps a transformers MLLM.

    Images arrive as a differentiable ``(B, F, 3, H, W)`` tensor in [0, 1];
    the backbone builds ``pixel_values`` with torch ops so gradients reach the
    renderer. ``parameter_groups`` names parameters so a stage can say
    "train projector + lora" without knowing the architecture. An abstract
    base (``nn.Module`` with ``ABCMeta``): a class missing ``parameter_groups``,
    ``loss`` or ``generate`` cannot be instantiated.
    """

    #: what ``loss`` and ``generate`` receive (see :meth:`model_input`): ``"frames"``, the renderer's
    #: images (every MLLM), or ``"skeleton"``, the backbone's own reading of the joints (a model that
    #: reads skeletons overrides ``model_input``; the spec's renderer then only sets how many frames
    #: are sampled and draws nothing)
    reads: ClassVar[Literal["frames", "skeleton"]] = "frames"

    def __init__(self, options=None) -> None:
        nn.Module.__init__(self)
        self.options = options if options is not None else self.Options()

    def model_input(self, renderer: Renderer, batch: SkeletonBatch) -> torch.Tensor:
        """What ``loss``/``generate`` get for ``batch``: the renderer's frames ``(B, F, 3, H, W)`` by default.

        A backbone that reads joints (``reads = "skeleton"``) overrides this to turn the
        batch into its own tensor, one row per clip (e.g. topology-agnostic body-part
        features), so clips of several topologies can be concatenated like frames. The
        pipeline and the trainer call it, so training, evaluation and inference agree.
        """
        return renderer(batch)

    def describe_classes(self, descriptions: Mapping[str, ClassDescription]) -> None:
        """The classes' descriptions by name (training and test datasets), handed over once by the pipeline.

        A backbone that scores class names by their meaning (an alignment baseline,
        describe-then-match) keeps them; the default ignores them.
        """

    @abstractmethod
    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        """Group name (one of PARAMETER_GROUPS) -> parameters."""

    @abstractmethod
    def loss(self, frames: torch.Tensor, examples: list[TaskExample]) -> torch.Tensor:
        """Mean loss of each example's ``target`` given its clip's frames (an MLLM: token cross-entropy)."""

    @abstractmethod
    def generate(self, frames: torch.Tensor, examples: list[TaskExample], max_new_tokens: int = 32) -> list[str]:
        """Greedy answers, one per example, in the answer format of ``skeletonllm.tasks``."""

    def encode_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """Optional: ``(B, F, 3, H, W)`` frames in [0, 1] -> ``(B, F, N, D)`` tokens of the vision tower alone.

        The tower's output before anything that belongs to another parameter group (InternVL:
        the ViT's patch tokens without the class token, before pixel shuffle and projector;
        Qwen2.5-VL: the blocks' output before the merger; a timm encoder: its patch tokens), in
        raster order of the patch grid, differentiable with respect to ``frames`` and to the
        ``vision`` group. Vision pretraining (``skeletonllm pretrain-vision``) trains the tower
        through this call with heads of its own, so a backbone that implements it can start
        from a pretrained tower (``skeletonllm.towers``). The default refuses.
        """
        raise NotImplementedError(f"backbone {self.name!r} does not expose its vision tower (encode_frames)")

    def prompt(self, example: TaskExample) -> str:
        """How this backbone words ``example``; the default is the project's English template.

        Override it to phrase tasks for another model family or language; the
        example stays typed until here, so nothing downstream parses prompts.
        """
        return phrase(example)

    def set_trainable(self, groups: list[str] | tuple[str, ...]) -> None:
        """Freeze everything, then unfreeze the named groups."""
        named = self.parameter_groups()
        unknown = set(groups) - set(named)
        if unknown:
            raise UnknownGroupError(
                f"backbone {self.name!r} has no parameter groups {sorted(unknown)}; it has {sorted(named)}"
            )
        for p in self.parameters():
            p.requires_grad_(False)
        for g in groups:
            for p in named[g]:
                p.requires_grad_(True)

    def trainable_groups(self) -> list[str]:
        """Groups with at least one parameter that currently requires grad."""
        return [g for g, ps in self.parameter_groups().items() if any(p.requires_grad for p in ps)]

    def trainable_state(self, groups: list[str] | None = None) -> dict[str, torch.Tensor]:
        """``backbone.<parameter name>`` -> tensor for ``groups`` (default: the trained ones).

        Only these go into checkpoints: an 8B model's frozen weights are never rewritten.
        """
        groups = self.trainable_groups() if groups is None else groups
        named = self.parameter_groups()
        chosen = {id(p) for g in groups for p in named.get(g, [])}
        return {CHECKPOINT_PREFIX + n: p.detach() for n, p in self.named_parameters() if id(p) in chosen}

    def load_trainable(self, tensors: dict[str, torch.Tensor], source: object = "checkpoint") -> int:
        """Copy the ``backbone.*`` tensors in (others are ignored), refusing unknown names and wrong shapes.

        The same call as ``Renderer.load_trainable``: both take the checkpoint's tensors, so one
        ``load_checkpoint`` feeds both. Not every parameter need be present (a checkpoint holds only
        the groups that trained). Returns how many tensors loaded.
        """
        own = dict(self.named_parameters())
        loaded = 0
        with torch.no_grad():
            for key, value in tensors.items():
                if not key.startswith(CHECKPOINT_PREFIX):
                    continue
                name = key[len(CHECKPOINT_PREFIX) :]
                if name not in own:
                    raise CheckpointError(f"{source}: tensor {key} has no matching parameter in {self.identity()}")
                if tuple(own[name].shape) != tuple(value.shape):
                    raise CheckpointError(
                        f"{source}: tensor {key} has shape {tuple(value.shape)}, parameter has {tuple(own[name].shape)}"
                    )
                own[name].copy_(value.to(own[name].device, own[name].dtype))
                loaded += 1
        return loaded

    def identity(self) -> str:
        """A string that identifies the architecture and size, stored in checkpoints."""
        return self.name
