"""``stick``: the classic stick figure, limbs coloured by body part, front view."""

from __future__ import annotations

from typing import ClassVar

import torch
from pydantic import Field

from skeletonllm.batch import SkeletonBatch
from skeletonllm.interfaces import Renderer, RendererOptions

from .colours import part_colours, person_shade
from .drawing import edge_index, skeleton_primitives
from .normalise import frames_first, normalise, to_pixels
from .raster import rasterise


class StickOptions(RendererOptions):
    """Widths are fractions of the image side, so a figure looks the same at 224 and 448."""

    line_width: float = Field(0.014, gt=0, le=0.2, description="bone thickness / image side")
    joint_radius: float = Field(0.012, gt=0, le=0.2, description="joint dot radius / image side")


class StickRenderer(Renderer):
    """Orthographic front view (x right, y up); nearer limbs are drawn over farther ones.

    Left limbs are blue/cyan and right limbs red/orange so a mirrored pose looks
    different; joints are lighter dots of their limb's colour. Further persons
    are drawn darker.
    """

    name: ClassVar[str] = "stick"
    summary: ClassVar[str] = "Stick figure with limbs coloured by body part"
    learnable: ClassVar[bool] = False
    Options: ClassVar[type[RendererOptions]] = StickOptions

    def forward(self, batch: SkeletonBatch) -> torch.Tensor:
        opts: StickOptions = self.options  # type: ignore[assignment]
        size = opts.size
        device = batch.positions.device
        clip = normalise(batch)
        b, m, f, v, _ = clip.xyz.shape
        xyz = frames_first(clip.xyz)
        mask = frames_first(clip.mask)
        joint_rgb, bone_rgb = part_colours(batch.topology, device)
        shade = person_shade(m, device).view(1, m, 1, 1)
        prims = skeleton_primitives(
            pix=to_pixels(xyz[..., :2], size, size),
            depth=xyz[..., 2],
            mask=mask,
            edges=edge_index(batch.topology.edges, device),
            bone_colour=bone_rgb.view(1, 1, -1, 3) * shade,
            joint_colour=(0.5 + 0.5 * joint_rgb).view(1, 1, v, 3) * shade,
            bone_radius=opts.line_width * size / 2,
            joint_radius=opts.joint_radius * size,
        )
        frames = rasterise(prims, b * f, size, size, torch.zeros(3, device=device))
        return frames.view(b, f, 3, size, size)
