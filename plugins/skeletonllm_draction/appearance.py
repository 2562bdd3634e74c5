"""Per-Gaussian appearance features that do not depend on the number of Gaussians.

A per-Gaussian table (as in scene-fitting 3DGS) would tie the renderer to one
joint count. Instead each Gaussian's feature is a shared learnable base
vector plus a learned linear embedding of a topology-free descriptor:
(is joint, is bone, interpolation t, |t - 1/2|, scale relative to the figure,
canonical position in the normalised scene x, y, z). Any skeleton, seen in
training or not, yields descriptors in the same space, so the same parameters
apply; base and embedding start from a narrow normal (std ``init_std``), which
makes the initial features a narrow normal around zero as in the paper.
"""

from __future__ import annotations

import torch
from torch import nn

from .gaussians import BONE, JOINT, GaussianTemplate

DESCRIPTOR_DIM = 8


def gaussian_descriptors(
    template: GaussianTemplate, canonical_means: torch.Tensor, scales: torch.Tensor
) -> torch.Tensor:
    """(B,M,N,DESCRIPTOR_DIM): topology-independent facts about each Gaussian.

    ``canonical_means`` are in the normalised camera space (figure half-extent
    1 at a fixed distance); the depth is taken relative to the figure's mean.
    """
    lead = canonical_means.shape[:-1]
    kind = template.kind
    t = template.t.to(canonical_means.dtype)
    fixed = torch.stack([(kind == JOINT).to(t.dtype), (kind == BONE).to(t.dtype), t, (t - 0.5).abs()], -1)
    centred = canonical_means - canonical_means.mean(dim=-2, keepdim=True)
    return torch.cat([fixed.expand(*lead, 4), (scales * 10.0).unsqueeze(-1), centred], dim=-1)


class AppearanceFeatures(nn.Module):
    """Shared base + linear embedding of the descriptor -> (B,M,N,dim)."""

    def __init__(self, dim: int, init_std: float) -> None:
        super().__init__()
        self.base = nn.Parameter(torch.randn(dim) * init_std)
        self.embed = nn.Linear(DESCRIPTOR_DIM, dim, bias=False)
        nn.init.normal_(self.embed.weight, std=init_std)

    def forward(self, descriptors: torch.Tensor) -> torch.Tensor:
        return self.base + self.embed(descriptors)
