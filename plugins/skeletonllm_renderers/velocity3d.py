"""``velocity3d``: the 3D pose with every joint and bone coloured by how it moves.

Colour is the motion, not the body part: hue from the direction of the joint's
velocity in the image plane (right red, up yellow-green, left cyan, down
violet), saturation and brightness from its speed relative to the fastest
joint of the clip. A still joint is a dim grey, a fast one a bright saturated
colour, so one frame already shows which limbs move and where to. Depth is
kept as size: nearer joints get larger dots, and nearer bones are drawn over
farther ones. Velocities are finite differences between the sampled frames
(what the model sees), so they do not depend on the file's frame rate.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from pydantic import Field

from skeletonllm.interfaces import RendererOptions
from skeletonllm.normalise import frames_first, to_pixels

from .baseline import BaselineRenderer, View
from .colours import direction_hue, hsv_to_rgb
from .drawing import skeleton_primitives
from .motion import joint_velocity, reference_speed

#: brightness of a joint that does not move (so still limbs stay visible)
STILL_VALUE = 0.4


class Velocity3dOptions(RendererOptions):
    line_width: float = Field(0.012, gt=0, le=0.2, description="bone thickness / image side")
    joint_radius: float = Field(
        0.012, gt=0, le=0.2, description="joint dot radius at the clip's mean depth / image side"
    )
    depth_size: float = Field(0.5, ge=0, lt=1, description="how much depth changes dot size (0 = not at all)")


def velocity_colours(xyz: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """RGB ``(B, M, F, V, 3)`` from velocities of normalised ``xyz`` ``(B, M, F, V, 3)``."""
    vel = joint_velocity(xyz, mask, frame_dim=2)
    speed = vel.norm(dim=-1)
    rel = (speed / reference_speed(speed, mask, dims=(1, 2, 3))).clamp(0, 1)
    hue = direction_hue(vel[..., 0], vel[..., 1])
    return hsv_to_rgb(hue, rel, STILL_VALUE + (1 - STILL_VALUE) * rel)


class Velocity3dRenderer(BaselineRenderer):
    """Front view, joints and bones coloured by velocity direction (hue) and speed (saturation, value)."""

    name: ClassVar[str] = "velocity3d"
    summary: ClassVar[str] = "3D positions with velocity colour coding"
    Options: ClassVar[type[RendererOptions]] = Velocity3dOptions

    def draw(self, view: View) -> torch.Tensor:
        opts: Velocity3dOptions = self.options  # type: ignore[assignment]
        size = opts.size
        xyz, edges = view.xyz, view.edges
        rgb = frames_first(velocity_colours(view.clip.xyz, view.clip.mask))
        bone_rgb = (rgb[:, :, edges[:, 0]] + rgb[:, :, edges[:, 1]]) / 2
        # Nearer (smaller z) -> larger dot; z is in half-extents of the figure, so +-1 is the body's reach.
        grow = (1.0 - opts.depth_size * xyz[..., 2]).clamp(0.4, 2.0)
        prims = skeleton_primitives(
            pix=to_pixels(xyz[..., :2], size, size),
            depth=xyz[..., 2],
            mask=view.mask,
            edges=edges,
            bone_colour=bone_rgb,
            joint_colour=rgb,
            bone_radius=opts.line_width * size / 2,
            joint_radius=opts.joint_radius * size * grow,
        )
        return view.canvas(prims)
