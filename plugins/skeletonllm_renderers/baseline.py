"""What every baseline renderer's ``forward`` starts and ends with, written once.

Each baseline normalises the clip into the core's viewing frame
(:mod:`skeletonllm.normalise`), flattens ``(clip, frame)`` into images, builds
primitives and rasterises them onto a black canvas of ``size`` pixels. A
subclass says only how it draws: :meth:`BaselineRenderer.draw` gets the
normalised :class:`View` and returns the ``(B, F, 3, H, W)`` frames, usually
through :meth:`View.canvas`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.interfaces import Renderer
from skeletonllm.normalise import NormalisedClip, frames_first, normalise

from .drawing import edge_index
from .raster import Primitives, rasterise


@dataclass
class View:
    """One batch in the viewing frame, with the sizes and flattened arrays every baseline uses."""

    batch: SkeletonBatch
    clip: NormalisedClip
    size: int

    @property
    def device(self) -> torch.device:
        return self.batch.positions.device

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """``(B, M, F, V)``: clips, persons, frames, joints."""
        b, m, f, v, _ = self.clip.xyz.shape
        return b, m, f, v

    @property
    def images(self) -> int:
        b, _, f, _ = self.shape
        return b * f

    @property
    def xyz(self) -> torch.Tensor:
        """``(B*F, M, V, 3)``: one image per (clip, frame)."""
        return frames_first(self.clip.xyz)

    @property
    def mask(self) -> torch.Tensor:
        return frames_first(self.clip.mask)

    @property
    def edges(self) -> torch.Tensor:
        return edge_index(self.batch.topology.edges, self.device)

    def canvas(self, prims: Primitives) -> torch.Tensor:
        """``prims`` rasterised on black, as ``(B, F, 3, size, size)``."""
        b, _, f, _ = self.shape
        frames = rasterise(prims, b * f, self.size, self.size, torch.zeros(3, device=self.device))
        return frames.view(b, f, 3, self.size, self.size)


class BaselineRenderer(Renderer):
    """A non-learnable renderer that draws the normalised clip with the shared rasteriser."""

    learnable: ClassVar[bool] = False

    def forward(self, batch: SkeletonBatch) -> torch.Tensor:
        return self.draw(View(batch, normalise(batch, self.axes_to_fit(batch)), self.options.size))

    def axes_to_fit(self, batch: SkeletonBatch) -> Sequence[int]:
        """Axes whose largest extent is scaled to [-1, 1]: x and y (a view that shows depth adds z)."""
        return (0, 1)

    @abstractmethod
    def draw(self, view: View) -> torch.Tensor:
        """``(B, F, 3, H, W)`` in [0, 1] from the clip in the viewing frame."""
