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
from skeletonllm.interfaces.backbone import CHECKPOINT_PREFIX

PREFIX = CHECKPOINT_PREFIX
FORMAT_VERSION = 1


class TrainableCheckpointMixin:
    """Adds ``save_trainable`` / ``load_trainable`` (files + manifest) to a Backbone's trainable-state methods."""

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
        self.load_trainable_state(tensors, directory)
        extra = {k: v for k, v in tensors.items() if not k.startswith(PREFIX)}
        return extra, meta
