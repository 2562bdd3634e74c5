"""Clip normalisation: put any skeleton into one viewing frame, so every format fills the picture alike.

Shared by every renderer (the built-in baselines, DrAction's camera and third-party
renderers), so it lives in the core: a renderer imports this module, never another
renderer's plugin.

Formats disagree on units (metres, centimetres, pixels, inches) and on where
the subject stands; a renderer that drew raw coordinates would show a Kinect
clip as a dot and a COCO clip off-screen. Each clip is therefore centred on the
bounding box of its valid joints (all persons, all frames) and scaled so that
box spans [-1, 1] on its larger side. The normalisation is per clip, not per
frame: motion across the scene stays visible, and persons keep their relative
places. Masked joints take no part (their coordinates may be anything, even
NaN).

Axes after normalisation: ``x`` to the right of the picture, ``y`` up, ``z``
depth (larger is farther from the viewer). First the topology's ``up_axis``
(set by each reader: z for AMASS, sniffed per file for BVH) is turned to +y
with a rotation (``Topology.up_rotation``), so a z-up clip stands upright.
3D inputs are then read as camera space in the Kinect convention (the camera at the origin looks along +z, y up, so
+x is on the camera's *left*): ``x`` is negated, so a Kinect clip looks as its
camera saw it and matches 2D keypoints from a camera at the same place. 2D
inputs are image coordinates (x right, y down), so ``y`` is negated and ``z``
is 0. World-frame formats whose subjects face +z (HumanML3D) are therefore
seen from behind; every renderer shares this one convention, so at least they
all agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .batch import SkeletonBatch
from .topology import Topology

#: fraction of the half-width left empty around the figure
MARGIN = 0.08


@dataclass
class NormalisedClip:
    """``xyz`` ``(B, M, F, V, 3)`` in the common frame (zero where masked); ``mask`` ``(B, M, F, V)``."""

    xyz: torch.Tensor
    mask: torch.Tensor
    is_2d: bool


def frames_first(t: torch.Tensor) -> torch.Tensor:
    """``(B, M, F, ...)`` -> ``(B*F, M, ...)``: the drawing code makes one image per (clip, frame)."""
    b, m, f = t.shape[:3]
    return t.transpose(1, 2).reshape(b * f, m, *t.shape[3:])


def normalise(batch: SkeletonBatch, fit_axes: Sequence[int] = (0, 1)) -> NormalisedClip:
    """Centre each clip on its valid joints and scale the largest extent over ``fit_axes`` to [-1, 1]."""
    pos = batch.positions.to(torch.float32)
    mask = batch.mask.to(torch.bool) & torch.isfinite(pos).all(-1)
    pos = torch.where(mask.unsqueeze(-1), viewer_axes(pos, batch.topology), torch.zeros(()))
    xyz = fit_box(pos, mask, fit_axes)
    return NormalisedClip(xyz=xyz, mask=mask, is_2d=batch.positions.shape[-1] == 2)


def viewer_rotation(
    topology: Topology, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """The 3x3 rotation from the file's axes to the viewer's: x right, y up, z away from the viewer.

    First ``Topology.up_rotation`` turns the file's up axis to +y (a rotation, never a mirror).
    A 3D file is then read in the Kinect convention (the viewer looks along +z, so +x is on
    the viewer's left): x is negated, so the clip looks as its camera saw it. A 2D file
    (lifted with z = 0) is image-like; its default up axis ``-y`` already flipped its rows.
    A camera with y down (DrAction's) flips y once more.
    """
    up = torch.tensor(topology.up_rotation(), dtype=dtype, device=device)
    x_sign = -1.0 if topology.dims == 3 else 1.0
    return torch.diag(torch.tensor([x_sign, 1.0, 1.0], dtype=dtype, device=device)) @ up


def viewer_axes(points: torch.Tensor, topology: Topology) -> torch.Tensor:
    """``(..., C)`` file coordinates -> ``(..., 3)`` in the viewer's axes (2D lifted with z = 0; NaN -> 0)."""
    if points.shape[-1] == 2:
        points = torch.cat([points, torch.zeros_like(points[..., :1])], dim=-1)
    points = torch.where(torch.isfinite(points), points, torch.zeros_like(points))
    return points @ viewer_rotation(topology, points.dtype, points.device).T


def fit_box(points: torch.Tensor, mask: torch.Tensor, fit_axes: Sequence[int]) -> torch.Tensor:
    """Centre ``points`` ``(B, ..., D)`` per clip on the box of its valid points; scale ``fit_axes`` into [-1, 1].

    Invalid points (``mask`` False) are ignored and come back as zeros.
    """
    b, d = points.shape[0], points.shape[-1]
    flat = points.reshape(b, -1, d)
    valid = mask.reshape(b, -1, 1)
    inf = torch.tensor(float("inf"), device=points.device)
    lo = torch.where(valid, flat, inf).amin(1)  # (B, D)
    hi = torch.where(valid, flat, -inf).amax(1)
    any_valid = valid.any(1)  # (B, 1)
    lo = torch.where(any_valid, lo, torch.zeros_like(lo))
    hi = torch.where(any_valid, hi, torch.zeros_like(hi))
    centre = (lo + hi) / 2
    half = ((hi - lo) / 2)[:, list(fit_axes)].amax(1)
    # A single joint (or a clip where every joint coincides) has no extent: leave its scale alone.
    half = torch.where(half > 1e-9, half, torch.ones_like(half))
    shape = (b,) + (1,) * (points.dim() - 2)
    out = (points - centre.view(shape + (d,))) / half.view(shape + (1,))
    return torch.where(mask.unsqueeze(-1), out, torch.zeros_like(out))


def to_pixels(xy: torch.Tensor, width: float, height: float, left: float = 0.0, top: float = 0.0) -> torch.Tensor:
    """Map normalised ``(..., 2)`` (x right, y up, [-1, 1]) into a ``width x height`` box at ``(left, top)``."""
    side = min(width, height) * (1.0 - MARGIN) / 2.0
    px = left + width / 2.0 + xy[..., 0] * side
    py = top + height / 2.0 - xy[..., 1] * side
    return torch.stack([px, py], dim=-1)
