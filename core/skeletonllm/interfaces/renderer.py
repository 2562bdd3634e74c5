"""Renderer: skeleton batch -> frames an MLLM can read."""

from __future__ import annotations

from typing import ClassVar

import torch
from pydantic import Field
from torch import nn

from ..batch import SkeletonBatch
from .base import Component, PluginOptions


class RendererOptions(PluginOptions):
    """Settings every renderer shares; plugins subclass to add their own."""

    frames: int = Field(12, ge=1, description="frames per clip (uniform segment sampling)")
    size: int = Field(448, ge=8, le=4096, description="square output size in pixels")


class Renderer(Component, nn.Module):
    """``forward(batch) -> (B, F, 3, H, W)`` float in [0, 1].

    ``learnable`` renderers are differentiable with respect to their
    parameters *and* to ``batch.positions``; stages train them by the
    parameter-group name ``renderer``. Non-learnable baselines still return
    tensors on the batch's device so the pipeline never branches on kind.
    """

    kind: ClassVar[str] = "renderer"
    learnable: ClassVar[bool] = False
    Options: ClassVar[type[PluginOptions]] = RendererOptions

    def __init__(self, options: RendererOptions | None = None) -> None:
        nn.Module.__init__(self)
        self.options = options if options is not None else self.Options()

    def forward(self, batch: SkeletonBatch) -> torch.Tensor:  # pragma: no cover - interface
        raise NotImplementedError
