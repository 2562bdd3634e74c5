"""Small scenes and batches shared by the DrAction tests."""

from __future__ import annotations

import numpy as np
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology
from skeletonllm_draction.rasterize import GaussianScene


def random_scene(images: int, gaussians: int, seed: int = 0, sigma: float = 0.05) -> GaussianScene:
    """Anisotropic Gaussians in front of the camera, overlapping enough to exercise ordering."""
    gen = torch.Generator().manual_seed(seed)
    means = torch.randn(images, gaussians, 3, generator=gen) * torch.tensor([0.4, 0.4, 0.3]) + torch.tensor([0, 0, 2.0])
    scales = sigma * (0.5 + torch.rand(images, gaussians, 3, generator=gen))
    rot, _ = torch.linalg.qr(torch.randn(images, gaussians, 3, 3, generator=gen))
    cov = rot @ torch.diag_embed(scales**2) @ rot.transpose(-1, -2)
    colours = torch.rand(images, gaussians, 3, generator=gen)
    opac = 0.2 + 0.8 * torch.rand(images, gaussians, generator=gen)
    return GaussianScene(means, cov, colours, opac)


def with_grad(scene: GaussianScene) -> GaussianScene:
    return GaussianScene(*(x.detach().clone().requires_grad_() for x in vars(scene).values()))


LINE = Topology(name="line3", joint_names=("a", "b", "c"), edges=((0, 1), (1, 2)), dims=3)


def batch_of(positions: np.ndarray, topology: Topology, mask: np.ndarray | None = None) -> SkeletonBatch:
    """Batch of one clip ``(M, T, V, C)``, every frame kept."""
    seq = SkeletonSequence(positions=positions.astype(np.float32), topology=topology, mask=mask)
    return SkeletonBatch.from_sequences([seq], frames=None)
