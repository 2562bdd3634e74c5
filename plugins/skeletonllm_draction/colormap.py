"""Triangular ("jet") depth colour map and its learnable blend with the NFM colour.

The colour map is what makes an untrained DrAction legible: near limbs and
far limbs get different hues from the first step, before any learning.
"""

from __future__ import annotations

import math

import torch
from torch import nn

# hue centres of the triangles on the 4*d axis: blue peaks at d=0.25, green 0.5, red 0.75
_CENTRES = (3.0, 2.0, 1.0)


def triangular_colormap(depth01: torch.Tensor) -> torch.Tensor:
    """``d`` in [0, 1] (...,) -> RGB (..., 3): ``clamp(1.5 - |4d - c|, 0, 1)`` for c = 3, 2, 1.

    Near (d=0) is dark blue, the middle green, far (d=1) dark red.
    """
    d = depth01.clamp(0.0, 1.0).unsqueeze(-1) * 4.0
    centres = torch.tensor(_CENTRES, dtype=d.dtype, device=d.device)
    return (1.5 - (d - centres).abs()).clamp(0.0, 1.0)


def normalised_depth(depth: torch.Tensor, centre: float, depth_range: float) -> torch.Tensor:
    """Depth to [0, 1] around ``centre`` (the figure), so the map means the same in every clip.

    A fixed window (not per-clip min/max) keeps a flat 2D pose and a frontal
    3D pose the same colour, which matters for format agnosticism.
    """
    return 0.5 + (depth - centre) / depth_range


def travel_depth(travel: torch.Tensor, depth_range: float) -> torch.Tensor:
    """Depth offset for the colour map from the depth a follow camera took out, squashed into a quarter window.

    Why squashed: a performer walking 5 m towards the camera travels several
    figure heights; added in full it would push every limb to the ends of the
    map and erase the limbs' own depth cues. ``tanh`` keeps the direction and
    the rough amount (hue drifts towards blue as they approach, red as they
    recede) within ``depth_range / 4``, leaving the limbs readable.
    """
    return 0.25 * depth_range * torch.tanh(travel / depth_range)


class DepthColourBlend(nn.Module):
    """``c = w * colormap(depth) + (1 - w) * c_nfm`` with ``w = sigmoid(logit)`` learnable."""

    def __init__(self, initial_weight: float) -> None:
        super().__init__()
        if not 0.0 < initial_weight < 1.0:
            raise ValueError(f"initial depth-colour weight must be in (0, 1), got {initial_weight}")
        self.logit = nn.Parameter(torch.tensor(math.log(initial_weight / (1 - initial_weight))))

    @property
    def weight(self) -> torch.Tensor:
        return torch.sigmoid(self.logit)

    def forward(self, nfm_colour: torch.Tensor, depth01: torch.Tensor) -> torch.Tensor:
        w = self.weight
        return w * triangular_colormap(depth01) + (1 - w) * nfm_colour
