"""The rasteriser interface and the EWA projection the pure-PyTorch backends share.

The projection mirrors gsplat's classic 3DGS path (pinhole Jacobian with the
same off-screen clamp, a 0.3 px^2 low-pass blur, opacity-aware tight boxes,
alpha clamped to 0.999 and dropped below 1/255, a pixel done once its
transmittance would fall to 1e-4), so that every backend draws the same
picture and the agreement tests can be tight.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch

from ..camera import PinholeCamera

ALPHA_THRESHOLD = 1.0 / 255.0
ALPHA_MAX = 0.999
TRANSMITTANCE_MIN = 1e-4
EPS2D = 0.3
NEAR_PLANE = 0.01
EXTEND_MAX = 3.33


@dataclass
class GaussianScene:
    """``K`` images' worth of Gaussians in camera space, ``N`` per image.

    ``means`` (K,N,3), ``covariances`` (K,N,3,3), ``colours`` (K,N,3),
    ``opacities`` (K,N). Absent Gaussians have opacity 0 and are culled.
    """

    means: torch.Tensor
    covariances: torch.Tensor
    colours: torch.Tensor
    opacities: torch.Tensor


@dataclass
class Projected:
    """Screen-space Gaussians: ``means2d`` (K,N,2), ``conics`` (K,N,3) = (a, b, c) of the
    inverse 2D covariance, ``radii`` (K,N,2) int (0 = culled), ``depths`` (K,N)."""

    means2d: torch.Tensor
    conics: torch.Tensor
    radii: torch.Tensor
    depths: torch.Tensor


class Rasteriser(ABC):
    """``scene, camera, background (3,) -> images (K, 3, H, W)``, differentiable where the backend allows."""

    name: str = ""

    @abstractmethod
    def __call__(self, scene: GaussianScene, camera: PinholeCamera, background: torch.Tensor) -> torch.Tensor: ...


def project(scene: GaussianScene, camera: PinholeCamera) -> Projected:
    """EWA splatting: 3D Gaussians in camera space to 2D means, conics and culling radii."""
    means, cov = scene.means, scene.covariances
    x, y, z = means.unbind(-1)
    fx, fy, cx, cy = camera.fx, camera.fy, camera.cx, camera.cy
    w, h = camera.width, camera.height
    in_front = z > NEAR_PLANE
    zs = torch.where(in_front, z, torch.ones_like(z))
    rz = 1.0 / zs
    tan_x, tan_y = 0.5 * w / fx, 0.5 * h / fy
    tx = zs * (x * rz).clamp(-(cx / fx + 0.3 * tan_x), (w - cx) / fx + 0.3 * tan_x)
    ty = zs * (y * rz).clamp(-(cy / fy + 0.3 * tan_y), (h - cy) / fy + 0.3 * tan_y)
    zero = torch.zeros_like(z)
    jac = torch.stack(
        [
            torch.stack([fx * rz, zero, -fx * tx * rz * rz], -1),
            torch.stack([zero, fy * rz, -fy * ty * rz * rz], -1),
        ],
        -2,
    )  # (K,N,2,3)
    cov2d = jac @ cov @ jac.transpose(-1, -2)
    a = cov2d[..., 0, 0] + EPS2D
    b = cov2d[..., 0, 1]
    c = cov2d[..., 1, 1] + EPS2D
    det = a * c - b * b
    ok = in_front & (det > 0)
    det_safe = torch.where(ok, det, torch.ones_like(det))
    conics = torch.stack([c / det_safe, -b / det_safe, a / det_safe], -1)
    means2d = torch.stack([fx * x * rz + cx, fy * y * rz + cy], -1)
    with torch.no_grad():
        opac = scene.opacities
        ok = ok & (opac >= ALPHA_THRESHOLD)
        extend = torch.sqrt(2.0 * torch.log(opac.clamp_min(ALPHA_THRESHOLD) / ALPHA_THRESHOLD)).clamp(max=EXTEND_MAX)
        rx = torch.ceil(extend * a.clamp_min(0).sqrt())
        ry = torch.ceil(extend * c.clamp_min(0).sqrt())
        mx, my = means2d[..., 0], means2d[..., 1]
        on_screen = (mx + rx > 0) & (mx - rx < w) & (my + ry > 0) & (my - ry < h)
        ok = ok & on_screen & torch.isfinite(mx) & torch.isfinite(my)
        radii = torch.stack([rx, ry], -1).where(ok.unsqueeze(-1), torch.zeros_like(means2d)).long()
    return Projected(means2d=means2d, conics=conics, radii=radii, depths=z)


def gaussian_alpha(dx: torch.Tensor, dy: torch.Tensor, conics: torch.Tensor, opacities: torch.Tensor) -> torch.Tensor:
    """Per pixel-Gaussian alpha with gsplat's clamp and threshold (0 where it would be skipped).

    ``dx``/``dy`` are mean minus pixel centre; ``conics`` (..., 3) and
    ``opacities`` broadcast against them.
    """
    a, b, c = conics.unbind(-1)
    sigma = 0.5 * (a * dx * dx + c * dy * dy) + b * dx * dy
    alpha = (opacities * torch.exp(-sigma)).clamp(max=ALPHA_MAX)
    keep = (sigma >= 0) & (alpha >= ALPHA_THRESHOLD)
    return torch.where(keep, alpha, torch.zeros_like(alpha))
