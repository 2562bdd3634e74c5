"""Where the camera stands: a clip of any unit and any travel, always in front of the lens and inside the image.

Two cameras, both fitted per clip in 3D (all persons and frames together, so
the persons' relative placement survives), both detached from the gradient
(they act as a camera fit: a gradient with respect to a joint describes moving
that joint, not re-fitting the camera):

``fixed``
    One camera for the whole clip, as in the paper. The clip is centred on
    the box of its valid joints (median depth for z) and scaled so that the
    larger image-plane half-extent is 1; the camera then backs away until
    every valid joint, grown by the Gaussians' footprint, projects inside
    ``fill`` of the half-field of view and lies in front of the near plane.
    A performer walking towards the camera therefore shrinks as they recede,
    but never floods the image or passes behind the lens.
``follow``
    The camera tracks the centroid of the valid joints across the ground
    plane (camera x and z; the vertical stays fixed, so a jump still rises),
    smoothed over the sampled frames by a local linear fit (a straight walk
    is followed exactly, step-to-step sway is not). The scale comes from the
    followed figure, so it keeps its size however far it walks. The travel
    taken out of depth is returned so that the depth colour map can show it.

In both, the distance is computed from the points themselves, so no unit, no
origin and no amount of travel can put a joint behind the camera or off the
image: ``distance = max(d0, max_i (r_i + pad) / (tan * fill) - z_i)``, with
``r_i`` a joint's image-plane offset, ``z_i`` its depth relative to the
figure and ``pad`` the Gaussians' largest 3D footprint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch

from .camera import PinholeCamera

Framing = Literal["fixed", "follow"]

#: width (in sampled frames) of the Gaussian weights of the follow camera's local linear fit: the nearest
#: neighbours weigh exp(-2) = 0.14, so the camera stays on each frame's centroid but one-frame jitter is damped
FOLLOW_SIGMA = 0.5
#: the closest a Gaussian's footprint may come to the camera, in figure half-extents
NEAR_GAP = 0.5


@dataclass
class FramedClip:
    """``scene`` (B,M,F,V,3) centred and scaled in camera axes (depth relative to the figure, no camera
    distance yet); ``travel`` (B,F,3) what the follow camera took out per frame (zeros for ``fixed``)."""

    scene: torch.Tensor
    travel: torch.Tensor


def centre_and_scale(axes: torch.Tensor, mask: torch.Tensor, framing: Framing) -> FramedClip:
    """Centre ``axes`` (B,M,F,V,3, camera axes) per clip and scale its image-plane half-extent to 1."""
    b, _m, f = axes.shape[:3]
    valid = mask.unsqueeze(-1)
    with torch.no_grad():
        centre = _box_centre(axes, mask)  # (B,3): box centre in x, y; median depth in z
        travel = torch.zeros(b, f, 3, dtype=axes.dtype, device=axes.device)
        if framing == "follow":
            track = _smoothed_track(axes, mask) - centre.unsqueeze(1)  # (B,F,3)
            travel = track * torch.tensor([1.0, 0.0, 1.0], dtype=axes.dtype, device=axes.device)
        offset = centre.reshape(b, 1, 1, 1, 3) + travel.reshape(b, 1, f, 1, 3)
        centred = torch.where(valid, axes - offset, torch.zeros_like(axes))
        half = centred[..., :2].abs().amax(-1).reshape(b, -1).amax(-1)  # (B,)
        half = torch.where(half > 1e-9, half, torch.ones_like(half))  # a single point keeps its size
        scale = (1.0 / half).reshape(b, 1, 1, 1, 1)
    scene = torch.where(valid, (axes - offset) * scale, torch.zeros_like(axes))
    return FramedClip(scene=scene, travel=travel * scale.reshape(b, 1, 1))


def camera_distance(scene: torch.Tensor, mask: torch.Tensor, camera: PinholeCamera, fill: float, pad: torch.Tensor):
    """(B,) distance putting every valid point of ``scene`` (grown by ``pad`` (B,)) inside ``fill`` of the view.

    Never closer than ``camera.subject_distance(fill)``, the distance at which
    a flat figure of half-extent 1 fills ``fill`` of the view, so a compact
    clip is framed as before and only a deep or travelling one moves back.
    """
    b = scene.shape[0]
    with torch.no_grad():
        tan_x = fill * camera.cx / camera.fx
        tan_y = fill * camera.cy / camera.fy
        p = pad.reshape(b, 1, 1, 1).to(scene.dtype)
        x, y, z = scene.unbind(-1)
        need = torch.maximum((x.abs() + p) / tan_x, (y.abs() + p) / tan_y) - z
        need = torch.maximum(need, p + NEAR_GAP - z)
        need = torch.where(mask, need, torch.full_like(need, -math.inf)).reshape(b, -1).amax(-1)
        return need.clamp_min(camera.subject_distance(fill))


def _box_centre(axes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B,3): centre of the valid joints' box in x and y, their median in z (0 for a clip with none)."""
    b = axes.shape[0]
    flat = axes.reshape(b, -1, 3)
    valid = mask.reshape(b, -1, 1)
    inf = torch.tensor(math.inf, dtype=axes.dtype, device=axes.device)
    lo = torch.where(valid, flat, inf).amin(1)
    hi = torch.where(valid, flat, -inf).amax(1)
    has = valid.any(1)
    centre = torch.where(has, 0.5 * (lo + hi), torch.zeros_like(lo))
    z = torch.where(valid[..., 0], flat[..., 2], torch.full_like(flat[..., 2], math.nan))
    centre[:, 2] = torch.nanmedian(z, dim=1).values.nan_to_num(0.0)
    return centre


def _smoothed_track(axes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B,F,3): each person's centroid track, smoothed by a Gaussian-weighted local linear fit, averaged over persons.

    A local *linear* fit (not a moving average) follows a steady walk without
    lag, also at the clip's ends. Each person is fitted alone and frames where
    they are absent take the fit of their neighbours, so a person dropping out
    of a frame (a tracking loss) does not make the camera jump; the average
    runs over the persons seen anywhere in the clip.
    """
    b, m, f = axes.shape[:3]
    count = mask.to(axes.dtype).sum(-1)  # (B,M,F) valid joints
    centroid = (axes * mask.unsqueeze(-1)).sum(-2) / count.clamp_min(1.0).unsqueeze(-1)  # (B,M,F,3)
    frames = torch.arange(f, dtype=axes.dtype, device=axes.device)
    d = frames.unsqueeze(0) - frames.unsqueeze(1)  # (target, source): source - target
    gauss = torch.exp(-0.5 * (d / FOLLOW_SIGMA) ** 2)
    kernel = gauss * (count > 0).to(axes.dtype).unsqueeze(-2)  # (B,M,F,F)
    s0, s1, s2 = kernel.sum(-1), (kernel * d).sum(-1), (kernel * d * d).sum(-1)  # (B,M,F)
    t0, t1 = kernel @ centroid, (kernel * d) @ centroid  # (B,M,F,3)
    det = s0 * s2 - s1 * s1
    linear = (s2.unsqueeze(-1) * t0 - s1.unsqueeze(-1) * t1) / det.clamp_min(1e-12).unsqueeze(-1)
    average = t0 / s0.clamp_min(1e-12).unsqueeze(-1)
    track = torch.where((det > 1e-6 * s0.clamp_min(1e-12) ** 2).unsqueeze(-1), linear, average)
    # a frame far (in frames) from every frame a person was seen gets almost no weight: use the nearest fit
    seen = (count > 0).any(-1)  # (B,M)
    track = torch.where(s0.unsqueeze(-1) > 1e-6, track, _nearest_seen(track, s0 > 1e-6))
    weight = seen.to(axes.dtype).unsqueeze(-1).unsqueeze(-1)  # (B,M,1,1)
    return (track * weight).sum(1) / weight.sum(1).clamp_min(1.0)


def _nearest_seen(track: torch.Tensor, ok: torch.Tensor) -> torch.Tensor:
    """(B,M,F,3): for each frame, ``track`` at the nearest frame where ``ok`` (B,M,F) holds."""
    f = ok.shape[-1]
    frames = torch.arange(f, device=track.device)
    dist = (frames.unsqueeze(0) - frames.unsqueeze(1)).abs()  # (F,F)
    dist = torch.where(ok.unsqueeze(-2), dist, f + 1)  # (B,M,F,F)
    idx = dist.argmin(-1)  # (B,M,F)
    return torch.gather(track, 2, idx.unsqueeze(-1).expand_as(track))
