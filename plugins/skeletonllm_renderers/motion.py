"""Per-joint velocity over the sampled frames, honest about missing joints."""

from __future__ import annotations

import torch

#: slowest speed (normalised units per sampled frame) shown at full brightness, so jitter in a still clip stays dim
MIN_REFERENCE = 0.02


def joint_velocity(xyz: torch.Tensor, mask: torch.Tensor, frame_dim: int = 2) -> torch.Tensor:
    """Finite-difference velocity along ``frame_dim`` (per sampled frame), zero where unknown.

    Central difference where both neighbours are valid, one-sided where only
    one is, zero where neither is or the joint itself is missing: a joint
    that blinks out must not produce a spurious jump. ``xyz`` ``(..., F, V, 3)``
    with the frame axis at ``frame_dim``; ``mask`` is ``xyz`` without the last axis.
    """
    f = xyz.shape[frame_dim]
    if f < 2:
        return torch.zeros_like(xyz)
    x = xyz.movedim(frame_dim, 0)
    ok = mask.movedim(frame_dim, 0).to(torch.bool)
    prev_ok = torch.zeros_like(ok)
    prev_ok[1:] = ok[1:] & ok[:-1]
    next_ok = torch.zeros_like(ok)
    next_ok[:-1] = ok[:-1] & ok[1:]
    back = torch.zeros_like(x)
    back[1:] = x[1:] - x[:-1]
    fwd = torch.zeros_like(x)
    fwd[:-1] = x[1:] - x[:-1]
    both = (prev_ok & next_ok).unsqueeze(-1)
    vel = torch.where(both, (back + fwd) / 2, torch.where(prev_ok.unsqueeze(-1), back, fwd))
    vel = torch.where((prev_ok | next_ok).unsqueeze(-1), vel, torch.zeros_like(vel))
    return vel.movedim(0, frame_dim)


def reference_speed(speed: torch.Tensor, mask: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    """Largest valid speed over ``dims`` (kept), floored so a still clip does not divide by zero."""
    s = torch.where(mask.to(torch.bool), speed, torch.zeros_like(speed))
    return s.amax(dim=dims, keepdim=True).clamp_min(MIN_REFERENCE)
