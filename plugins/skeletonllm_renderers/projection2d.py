"""``projection2d``: joints and bones seen through a fixed pinhole camera, in grey levels.

The "just project it" baseline of skeleton-to-image work: no body-part colour,
no motion cue, one grey level per person, thin bones and brighter joint points.
The camera is fixed (60 degree field of view, looking along +z at the clip's
centre from the distance where the normalised figure fills the frame, the
projected clip then framed like every other renderer's), so 3D clips show
perspective: nearer joints spread apart. 2D clips lie on one depth
plane, where the projection is a plain scale.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch
from pydantic import Field

from skeletonllm.batch import SkeletonBatch
from skeletonllm.interfaces import Renderer, RendererOptions

from .colours import person_shade
from .drawing import edge_index, skeleton_primitives
from .normalise import fit_box, normalise, to_pixels
from .raster import rasterise

#: nearest allowed distance in front of the camera (normalised units); closer joints are clamped
NEAR = 0.2


class Projection2dOptions(RendererOptions):
    fov_degrees: float = Field(60.0, gt=5, lt=170, description="field of view, horizontal and vertical")
    line_width: float = Field(0.005, gt=0, le=0.2, description="bone thickness / image side")
    point_radius: float = Field(0.009, gt=0, le=0.2, description="joint point radius / image side")


def pinhole(xyz: torch.Tensor, fov_degrees: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Project normalised points; the camera distance maps the z=0 square [-1, 1] to [-1, 1] in the image.

    Returns ``(xy (..., 2), distance (...))``.
    """
    focal = 1.0 / math.tan(math.radians(fov_degrees) / 2.0)
    distance = focal  # a point at x=1, z=0 lands at focal * 1 / distance = 1
    z = (xyz[..., 2] + distance).clamp_min(NEAR)
    return focal * xyz[..., :2] / z.unsqueeze(-1), z


class Projection2dRenderer(Renderer):
    """Grey-level points and thin lines on a fixed perspective camera."""

    name: ClassVar[str] = "projection2d"
    summary: ClassVar[str] = "2D projection of joints and bones on a fixed camera"
    learnable: ClassVar[bool] = False
    Options: ClassVar[type[RendererOptions]] = Projection2dOptions

    def forward(self, batch: SkeletonBatch) -> torch.Tensor:
        opts: Projection2dOptions = self.options  # type: ignore[assignment]
        size = opts.size
        device = batch.positions.device
        clip = normalise(batch)
        b, m, f, v, _ = clip.xyz.shape
        xyz = clip.xyz.permute(0, 2, 1, 3, 4).reshape(b * f, m, v, 3)
        mask = clip.mask.permute(0, 2, 1, 3).reshape(b * f, m, v)
        xy, distance = pinhole(xyz, opts.fov_degrees)
        # Frame the projected clip like the other renderers: perspective can push near joints off-screen.
        xy = fit_box(xy.view(b, f, m, v, 2), mask.view(b, f, m, v), (0, 1)).view(b * f, m, v, 2)
        grey = person_shade(m, device).view(1, m, 1, 1).expand(1, m, 1, 3)
        prims = skeleton_primitives(
            pix=to_pixels(xy, size, size),
            depth=distance,
            mask=mask,
            edges=edge_index(batch.topology.edges, device),
            bone_colour=0.6 * grey,
            joint_colour=grey,
            bone_radius=opts.line_width * size / 2,
            joint_radius=opts.point_radius * size,
        )
        frames = rasterise(prims, b * f, size, size, torch.zeros(3, device=device))
        return frames.view(b, f, 3, size, size)
