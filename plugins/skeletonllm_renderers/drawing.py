"""Turn posed joints into the bone and joint primitives the rasteriser draws.

Shared by the per-frame baselines so "a missing joint is not drawn, and
neither is any bone touching it" is written once.
"""

from __future__ import annotations

import torch

from .raster import Primitives

#: a joint's dot sits this much nearer than the joint itself, so it covers the ends of its own bones
DOT_LIFT = 1e-3


def skeleton_primitives(
    pix: torch.Tensor,
    depth: torch.Tensor,
    mask: torch.Tensor,
    edges: torch.Tensor,
    bone_colour: torch.Tensor,
    joint_colour: torch.Tensor,
    bone_radius: torch.Tensor | float,
    joint_radius: torch.Tensor | float,
) -> Primitives:
    """Bones and dots of ``I`` images of ``M`` persons.

    ``pix`` ``(I, M, V, 2)`` pixel coordinates, ``depth`` and ``mask``
    ``(I, M, V)``, ``edges`` ``(E, 2)`` long, ``bone_colour`` broadcastable to
    ``(I, M, E, 3)``, ``joint_colour`` to ``(I, M, V, 3)``; radii are pixels,
    a float or broadcastable to ``(I, M, E)`` / ``(I, M, V)``.
    """
    i, m, v, _ = pix.shape
    device = pix.device
    image = torch.arange(i, device=device).view(i, 1, 1)
    joint_r = torch.as_tensor(joint_radius, dtype=torch.float32, device=device).expand(i, m, v)
    dots = Primitives(
        image=image.expand(i, m, v).reshape(-1),
        start=pix.reshape(-1, 2),
        end=pix.reshape(-1, 2),
        radius=joint_r.reshape(-1),
        colour=joint_colour.expand(i, m, v, 3).reshape(-1, 3),
        depth=(depth - DOT_LIFT).reshape(-1),
    ).select(mask.reshape(-1))
    if edges.numel() == 0:
        return dots
    a, b = edges[:, 0], edges[:, 1]
    e = edges.shape[0]
    bone_ok = mask[:, :, a] & mask[:, :, b]
    bone_r = torch.as_tensor(bone_radius, dtype=torch.float32, device=device).expand(i, m, e)
    bones = Primitives(
        image=image.expand(i, m, e).reshape(-1),
        start=pix[:, :, a].reshape(-1, 2),
        end=pix[:, :, b].reshape(-1, 2),
        radius=bone_r.reshape(-1),
        colour=bone_colour.expand(i, m, e, 3).reshape(-1, 3),
        depth=((depth[:, :, a] + depth[:, :, b]) / 2).reshape(-1),
    ).select(bone_ok.reshape(-1))
    return Primitives.concat([dots, bones])


def edge_index(edges: tuple[tuple[int, int], ...], device: torch.device) -> torch.Tensor:
    """Topology edges as an ``(E, 2)`` long tensor (``(0, 2)`` for a skeleton without bones)."""
    return torch.tensor(edges, dtype=torch.long, device=device).view(-1, 2)
