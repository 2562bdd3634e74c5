"""Checkpoints of the trained parts only (projector, LoRA, ... plus the caller's renderer tensors).

A full 8B model is never rewritten: only parameters of the groups being
trained go to safetensors, under ``backbone.``; the caller adds its own
tensors (the renderer's, under ``renderer.``). The manifest records the
backbone identity, and loading refuses a checkpoint made for another
architecture or LoRA shape instead of silently loading half of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from skeletonllm.checkpoint import load_checkpoint, save_checkpoint
from skeletonllm.errors import CheckpointError

PREFIX = "backbone."
FORMAT_VERSION = 1


class TrainableCheckpointMixin:
    """Adds ``save_trainable`` / ``load_trainable`` to a Backbone (needs ``parameter_groups`` and ``identity``)."""

    def trainable_groups(self) -> list[str]:
        """Groups with at least one parameter that currently requires grad."""
        return [g for g, ps in self.parameter_groups().items() if any(p.requires_grad for p in ps)]

    def trainable_state(self, groups: list[str] | None = None) -> dict[str, torch.Tensor]:
        """``backbone.<parameter name>`` -> tensor, for the parameters of ``groups`` (default: the trained ones)."""
        groups = self.trainable_groups() if groups is None else groups
        named = self.parameter_groups()
        chosen = {id(p) for g in groups for p in named[g]}
        return {PREFIX + n: p.detach() for n, p in self.named_parameters() if id(p) in chosen}

    def save_trainable(
        self,
        directory: str | Path,
        extra_tensors: dict[str, torch.Tensor] | None = None,
        manifest: dict[str, Any] | None = None,
        *,
        groups: list[str] | None = None,
        step: int | None = None,
        spec_hash: str | None = None,
    ) -> Path:
        """Atomically write the trained groups + ``extra_tensors`` with a manifest naming this backbone."""
        groups = self.trainable_groups() if groups is None else list(groups)
        tensors = self.trainable_state(groups)
        for key, value in (extra_tensors or {}).items():
            if key.startswith(PREFIX):
                raise CheckpointError(f"extra tensor {key!r}: the prefix {PREFIX!r} is reserved for the backbone")
            tensors[key] = value
        meta = dict(manifest or {})
        meta.update(backbone=self.identity(), backbone_groups=groups, format=FORMAT_VERSION)
        if step is not None:
            meta["step"] = step
        if spec_hash is not None:
            meta["spec_hash"] = spec_hash
        return save_checkpoint(directory, tensors, meta)

    def load_trainable(self, directory: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        """Copy the backbone tensors in; return the other tensors (e.g. ``renderer.*``) and the manifest."""
        tensors, meta = load_checkpoint(directory)
        made_for = meta.get("backbone")
        if made_for != self.identity():
            raise CheckpointError(
                f"{directory}: checkpoint was made for backbone {made_for!r}, but this backbone is "
                f"{self.identity()!r}; build the backbone the checkpoint was trained with (same name, size and LoRA)"
            )
        own = dict(self.named_parameters())
        extra: dict[str, torch.Tensor] = {}
        with torch.no_grad():
            for key, value in tensors.items():
                if not key.startswith(PREFIX):
                    extra[key] = value
                    continue
                name = key[len(PREFIX) :]
                if name not in own:
                    raise CheckpointError(f"{directory}: tensor {key} has no matching parameter in {self.identity()}")
                if tuple(own[name].shape) != tuple(value.shape):
                    raise CheckpointError(
                        f"{directory}: tensor {key} has shape {tuple(value.shape)}, parameter has {tuple(own[name].shape)}"
                    )
                own[name].copy_(value.to(own[name].dtype))
        return extra, meta
