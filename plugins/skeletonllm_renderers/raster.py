"""Anti-aliased thick lines and dots, rasterised with torch ops in time proportional to the ink.

Every baseline draws the same two things: round-capped line segments (bones,
trajectories) and discs (joints; a disc is a segment of length zero). A dense
distance field over all pixels times all primitives costs ``H * W * N`` work
(about 10 M evaluations per 448x448 frame for a stick figure), almost all of
it on empty background. Instead each segment is cut into pieces no longer than
``PIECE`` pixels and only the pixels in a fixed window around each piece are
evaluated, so the cost grows with the length of what is drawn, not with the
image area. Everything stays vectorised: there is no Python loop over
primitives or frames.

Overlaps are resolved by depth: per pixel, the nearest primitive that covers it
gives the colour, and the largest coverage gives the opacity, so edges are
anti-aliased against the background.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

#: longest piece a segment is cut into (pixels); the window per piece is PIECE + 2 * radius + 3 wide
PIECE = 8.0
#: upper bounds (pixels) of the short-segment classes that get smaller windows than a full piece
LENGTH_CLASSES = torch.tensor([1.0, 2.0, 4.0])


@dataclass
class Primitives:
    """Flat list of round-capped segments over many images (a dot has ``start == end``).

    ``image`` ``(N,)`` long: which output image; ``start``/``end`` ``(N, 2)``
    pixel coordinates ``(x, y)`` with ``(0, 0)`` the top-left corner of the
    top-left pixel; ``radius`` ``(N,)`` pixels (half the line width);
    ``colour`` ``(N, 3)`` in [0, 1]; ``depth`` ``(N,)``, smaller is nearer
    and is drawn on top.
    """

    image: torch.Tensor
    start: torch.Tensor
    end: torch.Tensor
    radius: torch.Tensor
    colour: torch.Tensor
    depth: torch.Tensor

    @staticmethod
    def concat(parts: list[Primitives]) -> Primitives:
        """Join primitive lists; at equal depth the earlier list is drawn on top (list dots first)."""
        return Primitives(*(torch.cat([getattr(p, f) for p in parts]) for f in Primitives.__dataclass_fields__))

    def select(self, keep: torch.Tensor) -> Primitives:
        """Only the primitives where ``keep`` is True (e.g. both joints of a bone present)."""
        return Primitives(*(getattr(self, f)[keep] for f in Primitives.__dataclass_fields__))


def rasterise(prims: Primitives, images: int, height: int, width: int, background: torch.Tensor) -> torch.Tensor:
    """Draw ``prims`` onto ``images`` canvases of ``background`` colour -> ``(images, 3, H, W)`` in [0, 1]."""
    device = background.device
    bg = background.to(torch.float32).view(1, 3, 1, 1)
    out = bg.expand(images, 3, height, width).clone()
    if prims.image.numel() == 0:
        return out
    ok = torch.isfinite(prims.start).all(1) & torch.isfinite(prims.end).all(1) & (prims.radius > 0)
    prims = prims.select(ok)
    n = prims.image.numel()
    if n == 0:
        return out

    # Global drawing order: by image, then depth, then list position (stable), so a smaller
    # priority number means "in front"; the per-pixel minimum picks the visible primitive.
    order = torch.arange(n, device=device)
    key_depth = torch.argsort(prims.depth, stable=True)
    by_image = torch.argsort(prims.image[key_depth], stable=True)
    sorted_idx = key_depth[by_image]
    priority = torch.empty_like(order)
    priority[sorted_idx] = order

    # Pixels are enumerated per (radius, length) class, so thin lines do not pay for the window of
    # big dots and the many near-still strokes of a trajectory map not for that of a long bone.
    # Length class 0 holds strokes up to LENGTH_CLASSES[0] px long, the last class everything longer.
    radius_class = torch.ceil(prims.radius).long()
    length = (prims.end - prims.start).norm(dim=1)
    length_class = torch.bucketize(length, LENGTH_CLASSES.to(length.device))
    reach = torch.cat([LENGTH_CLASSES, torch.tensor([PIECE])]).tolist()
    key = radius_class * (len(LENGTH_CLASSES) + 1) + length_class
    flats, covs, pris = [], [], []
    for k in torch.unique(key).tolist():
        members = (key == k).nonzero().squeeze(1)
        r_cls, l_cls = divmod(k, len(LENGTH_CLASSES) + 1)
        flat, cov, who = _covered_pixels(prims.select(members), float(r_cls), reach[l_cls], height, width)
        flats.append(flat)
        covs.append(cov)
        pris.append(priority[members][who])
    flat, cov, pri = torch.cat(flats), torch.cat(covs), torch.cat(pris)

    total = images * height * width
    alpha = torch.zeros(total, device=device).scatter_reduce(0, flat, cov, reduce="amax", include_self=True)
    front = torch.full((total,), n, dtype=torch.long, device=device)
    front = front.scatter_reduce(0, flat, pri, reduce="amin", include_self=True)
    # Blend only the touched pixels: the rest of the canvas is background already.
    touched = (alpha > 0).nonzero().squeeze(1)
    a = alpha[touched].unsqueeze(1)
    colour = prims.colour[sorted_idx].to(torch.float32)[front[touched]]
    blended = (bg.view(1, 3) * (1.0 - a) + colour * a).clamp(0.0, 1.0)
    img = torch.div(touched, height * width, rounding_mode="floor")
    out.view(images, 3, height * width)[img, :, touched % (height * width)] = blended
    return out


def _covered_pixels(
    prims: Primitives, max_radius: float, max_piece: float, height: int, width: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(flat pixel index, coverage, primitive index)`` of every pixel a primitive covers (any amount).

    Pixels are candidates when they lie in the square window around a piece of
    at most ``max_piece`` (<= ``PIECE``) pixels of their segment; the coverage is computed from
    the exact distance to the whole segment, so pieces overlap harmlessly
    (the reductions downstream are max/min).
    """
    device = prims.start.device
    n = prims.image.numel()
    seg = prims.end - prims.start
    pieces = torch.clamp(torch.ceil(seg.norm(dim=1) / PIECE), min=1).long()
    owner = torch.repeat_interleave(torch.arange(n, device=device), pieces)
    first = torch.cumsum(pieces, 0) - pieces
    k = torch.arange(owner.numel(), device=device) - first[owner]
    t0 = (k / pieces[owner]).unsqueeze(1)
    t1 = ((k + 1) / pieces[owner]).unsqueeze(1)
    a = prims.start[owner] + seg[owner] * t0
    b = prims.start[owner] + seg[owner] * t1
    lo = torch.floor(torch.minimum(a, b) - max_radius - 1.0)  # (P, 2) window corner, whole pixels

    span = int(math.ceil(max_piece + 2.0 * max_radius + 3.0))
    step = torch.arange(span, device=device, dtype=torch.float32)
    px = lo[:, 0].view(-1, 1, 1) + step.view(1, span, 1)  # (P, S, 1): window columns
    py = lo[:, 1].view(-1, 1, 1) + step.view(1, 1, span)  # (P, 1, S): window rows
    x0 = prims.start[owner, 0].view(-1, 1, 1)
    y0 = prims.start[owner, 1].view(-1, 1, 1)
    ux = seg[owner, 0].view(-1, 1, 1)
    uy = seg[owner, 1].view(-1, 1, 1)
    dx = px + 0.5 - x0  # pixel centres relative to the segment start
    dy = py + 0.5 - y0
    denom = (ux * ux + uy * uy).clamp_min(1e-12)
    t = ((dx * ux + dy * uy) / denom).clamp(0.0, 1.0)
    ex = dx - t * ux
    ey = dy - t * uy
    coverage = prims.radius[owner].view(-1, 1, 1) + 0.5 - torch.sqrt(ex * ex + ey * ey)
    inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    hit = (inside & (coverage > 0)).view(-1).nonzero().squeeze(1)
    cov = coverage.view(-1).take(hit).clamp(max=1.0)
    piece = torch.div(hit, span * span, rounding_mode="floor")
    col = torch.div(hit, span, rounding_mode="floor") % span
    row = hit % span
    x = (lo[:, 0].take(piece) + col).long()
    y = (lo[:, 1].take(piece) + row).long()
    who = owner.take(piece)
    flat = prims.image.take(who) * (height * width) + y * width + x
    return flat, cov, who
