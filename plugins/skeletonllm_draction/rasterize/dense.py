"""The ``dense`` reference: every pixel against every Gaussian, depth-sorted, no culling tricks.

Deliberately simple and slow (pixels x Gaussians memory): it exists so tests
and the speed benchmark have an independent answer to compare the tiled
backend with. Same alpha rules as gsplat (see ``base``).
"""

from __future__ import annotations

import math

import torch

from ..camera import PinholeCamera
from .base import TRANSMITTANCE_MIN, GaussianScene, Rasteriser, gaussian_alpha, project


class DenseRasteriser(Rasteriser):
    """Reference backend for tests and benchmarks; not for real use at 448 px."""

    name = "dense"

    def __call__(self, scene: GaussianScene, camera: PinholeCamera, background: torch.Tensor) -> torch.Tensor:
        k, n = scene.opacities.shape
        h, w = camera.height, camera.width
        proj = project(scene, camera)
        order = torch.argsort(proj.depths.detach(), dim=1)  # (K,N) front to back

        def take(x: torch.Tensor) -> torch.Tensor:
            idx = order.reshape(k, n, *([1] * (x.dim() - 2))).expand(k, n, *x.shape[2:])
            return torch.gather(x, 1, idx)

        means2d, conics = take(proj.means2d), take(proj.conics)
        visible = take(proj.radii).amax(-1) > 0
        opac = torch.where(visible, take(scene.opacities), torch.zeros_like(scene.opacities))
        colours = take(scene.colours)
        ys, xs = torch.meshgrid(
            torch.arange(h, dtype=means2d.dtype, device=means2d.device) + 0.5,
            torch.arange(w, dtype=means2d.dtype, device=means2d.device) + 0.5,
            indexing="ij",
        )
        dx = means2d[:, None, :, 0] - xs.reshape(1, -1, 1)  # (K, HW, N)
        dy = means2d[:, None, :, 1] - ys.reshape(1, -1, 1)
        alpha = gaussian_alpha(dx, dy, conics[:, None], opac[:, None])
        log_t = torch.log1p(-alpha)
        inclusive = torch.cumsum(log_t, -1)
        alive = (inclusive > math.log(TRANSMITTANCE_MIN)).detach()
        weight = torch.where(alive, alpha * torch.exp(inclusive - log_t), torch.zeros_like(alpha))
        rgb = weight @ colours  # (K, HW, 3)
        final = torch.exp(torch.where(alive, log_t, torch.zeros_like(log_t)).sum(-1, keepdim=True))
        image = rgb + final * background.to(rgb.dtype).reshape(1, 1, 3)
        return image.transpose(1, 2).reshape(k, 3, h, w)
