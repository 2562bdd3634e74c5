"""Backbone: a multimodal LLM that turns frames and a prompt into loss or text."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import torch
from torch import nn

from ..errors import UnknownGroupError
from .base import Component

#: Parameter-group names stages train and freeze by.
PARAMETER_GROUPS = ("vision", "projector", "llm", "lora")


class Backbone(Component, nn.Module):
    """Wraps a transformers MLLM.

    Images arrive as a differentiable ``(B, F, 3, H, W)`` tensor in [0, 1];
    the backbone builds ``pixel_values`` with torch ops so gradients reach the
    renderer. ``parameter_groups`` names parameters so a stage can say
    "train projector + lora" without knowing the architecture.
    """

    kind: ClassVar[str] = "backbone"

    def __init__(self, options=None) -> None:
        nn.Module.__init__(self)
        self.options = options if options is not None else self.Options()

    @abstractmethod
    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        """Group name (one of PARAMETER_GROUPS) -> parameters."""

    @abstractmethod
    def loss(self, frames: torch.Tensor, prompts: list[str], targets: list[str]) -> torch.Tensor:
        """Mean token cross-entropy of ``targets`` given frames and prompts (prompt tokens masked)."""

    @abstractmethod
    def generate(self, frames: torch.Tensor, prompts: list[str], max_new_tokens: int = 32) -> list[str]:
        """Greedy answers, one per batch item."""

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

    def identity(self) -> str:
        """A string that identifies the architecture and size, stored in checkpoints."""
        return self.name
