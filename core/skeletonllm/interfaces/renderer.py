"""Renderer: skeleton batch -> frames an MLLM can read."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import torch
from pydantic import Field
from torch import nn

from ..batch import SkeletonBatch
from ..errors import CheckpointError
from ..legend import ColourLegend
from .base import Component, PluginOptions


class RendererOptions(PluginOptions):
    """Settings every renderer shares; plugins subclass to add their own."""

    frames: int = Field(12, ge=1, description="frames per clip (uniform segment sampling)")
    size: int = Field(448, ge=8, le=4096, description="square output size in pixels")


#: Key prefix of a renderer's tensors in checkpoints (the backbone's use ``backbone.``).
CHECKPOINT_PREFIX = "renderer."


class Renderer(Component, nn.Module, ABC):
    """``forward(batch) -> (B, F, 3, H, W)`` float in [0, 1].

    ``learnable`` renderers are differentiable with respect to their
    parameters *and* to ``batch.positions``; stages train them by the
    parameter-group name ``renderer``. Non-learnable baselines still return
    tensors on the batch's device so the pipeline never branches on kind.
    An abstract base (``nn.Module`` with ``ABCMeta``): a class without ``forward``
    cannot be instantiated. Put the clip into the shared viewing frame with
    :mod:`skeletonllm.normalise` (the up axis turned up, units and placement fitted).
    """

    learnable: ClassVar[bool] = False
    Options: ClassVar[type[PluginOptions]] = RendererOptions

    def __init__(self, options: RendererOptions | None = None) -> None:
        nn.Module.__init__(self)
        self.options = options if options is not None else self.Options()

    @abstractmethod
    def forward(self, batch: SkeletonBatch) -> torch.Tensor:
        """``(B, F, 3, H, W)`` float in [0, 1] on the batch's device, ``H = W = options.size``."""

    def colour_legend(self) -> ColourLegend | None:
        """What this renderer's colours encode, for the key drawn under contact sheets; None: nothing to explain.

        A renderer whose hue carries information (DrAction's depth) returns a
        :class:`~skeletonllm.legend.ColourLegend`; body-part colours that a glance explains need none.
        """
        return None

    def project(self, batch: SkeletonBatch) -> torch.Tensor:
        """Optional: where every joint lands in the frames ``forward`` draws, ``(B, M, F, V, 3)``.

        The last axis is ``(u, v, depth)``: ``u`` and ``v`` in pixels of the rendered frame
        (``0`` is the left/top edge, ``size`` the right/bottom one; pixel ``i`` covers
        ``[i, i + 1)``), ``depth`` the distance along the optical axis in the renderer's own
        scene units (larger is farther). Joints that are masked in ``batch`` are NaN. Vision
        pretraining uses it to tell the vision tower where each body part is drawn; a renderer
        without a camera model may leave it unimplemented.
        """
        raise NotImplementedError(f"renderer {self.name!r} does not project joints into its frames")

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """The renderer's tensors under the shared checkpoint prefix ``renderer.``."""
        return {CHECKPOINT_PREFIX + k: v for k, v in self.state_dict().items()}

    def load_trainable(self, tensors: dict[str, torch.Tensor], source: object = "checkpoint") -> int:
        """Load the ``renderer.*`` tensors (other prefixes ignored); any missing, extra or misshapen one is an error.

        Strict on purpose: a renderer built with other options (another NFM, feature size) must
        not silently keep half of its random initialisation. Returns how many tensors loaded.
        """
        mine = {k[len(CHECKPOINT_PREFIX) :]: t for k, t in tensors.items() if k.startswith(CHECKPOINT_PREFIX)}
        own = self.state_dict()
        missing = sorted(set(own) - set(mine))
        unexpected = sorted(set(mine) - set(own))
        wrong = sorted(k for k in set(own) & set(mine) if own[k].shape != mine[k].shape)
        if missing or unexpected or wrong:
            raise CheckpointError(
                f"{source}: renderer tensors do not fit renderer {self.name!r}: missing {missing}, "
                f"unexpected {unexpected}, wrong shape {wrong} (were the renderer's options changed?)"
            )
        self.load_state_dict(mine)
        return len(mine)
