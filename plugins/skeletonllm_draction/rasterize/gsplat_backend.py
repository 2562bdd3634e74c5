"""The ``gsplat`` backend: the gsplat CUDA rasteriser, for training on GPUs.

gsplat imports on a CPU machine but its ``rasterization`` needs CUDA, so this
backend refuses to run without it, with a message that names the fix
(``backend: torch``), rather than failing deep inside a kernel launch.
"""

from __future__ import annotations

import torch

from skeletonllm.errors import SkeletonLLMError

from ..camera import PinholeCamera
from .base import EPS2D, NEAR_PLANE, GaussianScene, Rasteriser


class GsplatRasteriser(Rasteriser):
    """Thin adapter: our scene (camera space, full covariances) to ``gsplat.rasterization``."""

    name = "gsplat"

    def __call__(self, scene: GaussianScene, camera: PinholeCamera, background: torch.Tensor) -> torch.Tensor:
        if not scene.means.is_cuda:
            raise SkeletonLLMError(
                "the gsplat rasteriser needs CUDA tensors (no GPU here?); use the renderer option backend: torch"
            )
        from gsplat import rasterization

        k, n = scene.opacities.shape
        device = scene.means.device
        viewmats = torch.eye(4, device=device).expand(k, 1, 4, 4)
        ks = camera.intrinsics(device).expand(k, 1, 3, 3)
        images, _alphas, _meta = rasterization(
            means=scene.means,
            quats=None,
            scales=None,
            covars=scene.covariances,
            opacities=scene.opacities,
            colors=scene.colours,
            viewmats=viewmats,
            Ks=ks,
            width=camera.width,
            height=camera.height,
            near_plane=NEAR_PLANE,
            eps2d=EPS2D,
            packed=False,
            backgrounds=background.to(scene.means.dtype).expand(k, 1, 3),
            rasterize_mode="classic",
        )
        return images[:, 0].permute(0, 3, 1, 2)
