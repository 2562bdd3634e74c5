"""The fixed pinhole camera and the scene normalisation that makes every format look alike.

Skeleton formats disagree on units (metres, pixels), origin (camera, pelvis,
image corner) and the direction of "up". The renderer therefore never trusts
the file's frame: each sequence is centred and scaled (sequence-level, so the
motion itself is kept) to fill a fixed fraction of a fixed 60-degree camera,
its median depth is shifted to a fixed distance, and 2D poses are lifted to
that distance. Camera space is OpenCV's: x right, y down, z forward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class PinholeCamera:
    """Square-pixel pinhole with the principal point at the image centre; world-to-camera is identity."""

    width: int
    height: int
    fov_degrees: float = 60.0

    @property
    def fx(self) -> float:
        return 0.5 * self.width / math.tan(math.radians(self.fov_degrees) / 2)

    @property
    def fy(self) -> float:
        return 0.5 * self.height / math.tan(math.radians(self.fov_degrees) / 2)

    @property
    def cx(self) -> float:
        return 0.5 * self.width

    @property
    def cy(self) -> float:
        return 0.5 * self.height

    def intrinsics(self, device: torch.device | str = "cpu") -> torch.Tensor:
        """The 3x3 matrix K (what gsplat takes)."""
        return torch.tensor(
            [[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]], dtype=torch.float32, device=device
        )

    def subject_distance(self, fill: float) -> float:
        """Depth at which a figure of half-extent 1 fills ``fill`` of the narrower half-field of view."""
        return 1.0 / (fill * math.tan(math.radians(self.fov_degrees) / 2))


def normalise_scene(positions: torch.Tensor, mask: torch.Tensor, dims: int, distance: float) -> torch.Tensor:
    """Map ``(B, M, F, V, C)`` skeleton coordinates to camera space ``(B, M, F, V, 3)``.

    Per clip (all persons and frames together, so relative motion and the
    persons' relative placement survive): the bounding box of valid joints is
    centred on the optical axis and its larger image-plane half-extent scaled
    to 1; the median depth is moved to ``distance``. 3D formats are taken as
    y-up (NTU, SMPL, BVH) and turned 180 degrees about the optical axis into the
    camera's y-down (a rotation, not a mirror, so left stays left); 2D formats
    are image coordinates (y already down) lifted to the constant depth.
    The statistics are detached: they act as a fixed camera fit, so gradients
    with respect to positions describe moving a joint, not re-fitting the camera.
    """
    b = positions.shape[0]
    valid = mask.unsqueeze(-1)  # (B,M,F,V,1)
    flat = positions.reshape(b, -1, positions.shape[-1])
    vflat = valid.reshape(b, -1, 1)
    with torch.no_grad():
        big = torch.finfo(positions.dtype).max
        lo = torch.where(vflat, flat, torch.full_like(flat, big)).amin(dim=1)  # (B,C)
        hi = torch.where(vflat, flat, torch.full_like(flat, -big)).amax(dim=1)
        has = vflat.any(dim=1)  # (B,1)
        lo = torch.where(has, lo, torch.zeros_like(lo))
        hi = torch.where(has, hi, torch.zeros_like(hi))
        centre = 0.5 * (lo + hi)
        half = (0.5 * (hi - lo)[:, :2]).amax(dim=1).clamp_min(1e-6)  # (B,)
        scale = 1.0 / half
    shape = (b,) + (1,) * (positions.dim() - 2) + (positions.shape[-1],)
    xyz = (positions - centre.reshape(shape)) * scale.reshape(shape[:-1] + (1,))
    x, y = xyz[..., 0], xyz[..., 1]
    if dims == 3:
        x, y = -x, -y
        z = xyz[..., 2]
        with torch.no_grad():
            zs = torch.where(mask, z, torch.full_like(z, float("nan"))).reshape(b, -1)
            med = torch.nanmedian(zs, dim=1).values.nan_to_num(0.0)
        z = z - med.reshape((b,) + (1,) * (z.dim() - 1)) + distance
    else:
        z = torch.full_like(x, distance)
    out = torch.stack([x, y, z], dim=-1)
    return torch.where(valid, out, torch.zeros_like(out))
