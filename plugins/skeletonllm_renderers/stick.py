"""``stick``: the classic stick figure, limbs coloured by body part, front view."""

from __future__ import annotations

from typing import ClassVar

import torch
from pydantic import Field

from skeletonllm.interfaces import RendererOptions
from skeletonllm.normalise import to_pixels

from .baseline import BaselineRenderer, View
from .colours import part_colours, person_shade
from .drawing import skeleton_primitives


class StickOptions(RendererOptions):
    """Widths are fractions of the image side, so a figure looks the same at 224 and 448."""

    line_width: float = Field(0.014, gt=0, le=0.2, description="bone thickness / image side")
    joint_radius: float = Field(0.012, gt=0, le=0.2, description="joint dot radius / image side")


class StickRenderer(BaselineRenderer):
    """Orthographic front view (x right, y up); nearer limbs are drawn over farther ones.

    Left limbs are blue/cyan and right limbs red/orange so a mirrored pose looks
    different; joints are lighter dots of their limb's colour. Further persons
    are drawn darker.
    """

    name: ClassVar[str] = "stick"
    summary: ClassVar[str] = "Stick figure with limbs coloured by body part"
    Options: ClassVar[type[RendererOptions]] = StickOptions

    def draw(self, view: View) -> torch.Tensor:
        opts: StickOptions = self.options  # type: ignore[assignment]
        size = opts.size
        _, m, _, v = view.shape
        xyz = view.xyz
        joint_rgb, bone_rgb = part_colours(view.batch.topology, view.device)
        shade = person_shade(m, view.device).view(1, m, 1, 1)
        prims = skeleton_primitives(
            pix=to_pixels(xyz[..., :2], size, size),
            depth=xyz[..., 2],
            mask=view.mask,
            edges=view.edges,
            bone_colour=bone_rgb.view(1, 1, -1, 3) * shade,
            joint_colour=(0.5 + 0.5 * joint_rgb).view(1, 1, v, 3) * shade,
            bone_radius=opts.line_width * size / 2,
            joint_radius=opts.joint_radius * size,
        )
        return view.canvas(prims)
