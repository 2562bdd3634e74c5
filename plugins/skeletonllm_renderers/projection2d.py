"""``projection2d``: joints and bones seen through a fixed pinhole camera, in grey levels.

The "just project it" baseline of skeleton-to-image work: no body-part colour,
no motion cue, one grey level per person, thin bones and brighter joint points.
The camera is fixed for the whole clip (60 degree field of view, looking along
+z at the clip's centre, at least as far as the figure's size and three times
as far as the clip reaches in depth, so a subject walking towards the camera
grows at most twofold; the projected clip is then framed like every other
renderer's), so 3D clips show perspective: nearer joints spread apart. 2D clips lie on one depth
plane, where the projection is a plain scale.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch
from pydantic import Field

from skeletonllm.interfaces import RendererOptions
from skeletonllm.normalise import fit_box, to_pixels

from .baseline import BaselineRenderer, View
from .colours import person_shade
from .drawing import skeleton_primitives

#: nearest allowed distance in front of the camera (normalised units); closer joints are clamped
NEAR = 0.2


class Projection2dOptions(RendererOptions):
    fov_degrees: float = Field(60.0, gt=5, lt=170, description="field of view, horizontal and vertical")
    line_width: float = Field(0.005, gt=0, le=0.2, description="bone thickness / image side")
    point_radius: float = Field(0.009, gt=0, le=0.2, description="joint point radius / image side")


def pinhole(xyz: torch.Tensor, fov_degrees: float, distance: torch.Tensor | float | None = None):
    """Project normalised points seen from ``distance`` in front of the z=0 plane.

    The default distance maps the z=0 square [-1, 1] onto [-1, 1] in the
    image. Returns ``(xy (..., 2), depth from the camera (...))``.
    """
    focal = 1.0 / math.tan(math.radians(fov_degrees) / 2.0)
    if distance is None:
        distance = focal  # a point at x=1, z=0 lands at focal * 1 / distance = 1
    z = (xyz[..., 2] + distance).clamp_min(NEAR)
    return focal * xyz[..., :2] / z.unsqueeze(-1), z


def camera_distance(z: torch.Tensor, mask: torch.Tensor, fov_degrees: float) -> torch.Tensor:
    """Per clip ``(B,)``: far enough that the nearest and farthest joints differ at most 2x in scale.

    A clip that walks towards the camera (CMU BVH) would otherwise pass through
    it; ``z`` ``(B, ...)`` normalised depths, ``mask`` their validity.
    """
    focal = 1.0 / math.tan(math.radians(fov_degrees) / 2.0)
    reach = torch.where(mask, z.abs(), torch.zeros_like(z)).flatten(1).amax(1)
    return torch.clamp(3.0 * reach, min=focal)


class Projection2dRenderer(BaselineRenderer):
    """Grey-level points and thin lines on a fixed perspective camera."""

    name: ClassVar[str] = "projection2d"
    summary: ClassVar[str] = "2D projection of joints and bones on a fixed camera"
    Options: ClassVar[type[RendererOptions]] = Projection2dOptions

    def draw(self, view: View) -> torch.Tensor:
        opts: Projection2dOptions = self.options  # type: ignore[assignment]
        size = opts.size
        b, m, f, v = view.shape
        mask = view.mask
        dist = camera_distance(view.clip.xyz[..., 2], view.clip.mask, opts.fov_degrees)
        xy, distance = pinhole(view.xyz, opts.fov_degrees, dist.repeat_interleave(f).view(b * f, 1, 1))
        # Frame the projected clip like the other renderers: perspective can push near joints off-screen.
        xy = fit_box(xy.view(b, f, m, v, 2), mask.view(b, f, m, v), (0, 1)).view(b * f, m, v, 2)
        grey = person_shade(m, view.device).view(1, m, 1, 1).expand(1, m, 1, 3)
        prims = skeleton_primitives(
            pix=to_pixels(xy, size, size),
            depth=distance,
            mask=mask,
            edges=view.edges,
            bone_colour=0.6 * grey,
            joint_colour=grey,
            bone_radius=opts.line_width * size / 2,
            joint_radius=opts.point_radius * size,
        )
        return view.canvas(prims)
