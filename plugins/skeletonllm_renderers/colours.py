"""Colour tables and colour-space conversion shared by the baseline renderers."""

from __future__ import annotations

import math

import torch

from skeletonllm.topology import Topology

from .body_parts import edge_parts, joint_parts

#: body part -> RGB on a black background: left limbs cool, right limbs warm, so mirror poses differ
PART_RGB: dict[str, tuple[float, float, float]] = {
    "torso": (0.85, 0.85, 0.85),
    "head": (1.00, 0.85, 0.20),
    "left_arm": (0.20, 0.55, 1.00),
    "right_arm": (1.00, 0.25, 0.25),
    "left_leg": (0.15, 0.85, 0.85),
    "right_leg": (1.00, 0.55, 0.10),
}

#: brightness of each further person, so two people of one skeleton stay apart
PERSON_SHADE = (1.0, 0.7, 0.5)


def part_colours(topology: Topology, device: torch.device | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(joint RGB (V, 3), bone RGB (E, 3))`` from the body-part palette."""
    joints = torch.tensor([PART_RGB[p] for p in joint_parts(topology)], device=device)
    bones = torch.tensor([PART_RGB[p] for p in edge_parts(topology)], device=device).view(-1, 3)
    return joints, bones


def person_shade(persons: int, device: torch.device | None = None) -> torch.Tensor:
    """``(M,)`` brightness factor per person (the last one repeats for crowds)."""
    shades = [PERSON_SHADE[min(m, len(PERSON_SHADE) - 1)] for m in range(persons)]
    return torch.tensor(shades, device=device)


def hsv_to_rgb(h: torch.Tensor, s: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """HSV (each in [0, 1], hue wrapping) -> RGB ``(..., 3)``, elementwise with torch ops."""
    h = torch.remainder(h, 1.0) * 6.0
    k = torch.stack([torch.remainder(h + n, 6.0) for n in (5.0, 3.0, 1.0)], dim=-1)
    ramp = torch.clamp(torch.minimum(k, 4.0 - k), 0.0, 1.0)
    return v.unsqueeze(-1) - (v * s).unsqueeze(-1) * ramp


def direction_hue(dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """Hue in [0, 1) from a 2D direction: right = red, up = green-yellow, left = cyan, down = violet."""
    return torch.remainder(torch.atan2(dy, dx) / (2 * math.pi), 1.0)
