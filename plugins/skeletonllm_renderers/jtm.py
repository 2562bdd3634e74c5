"""``jtm``: joint trajectory maps (Wang et al. 2016), three orthogonal views.

A JTM draws where every joint travels over the clip, projected on the front
(x-y), top (x-z) and side (z-y) planes. Hue encodes time (red at the start of
the clip through yellow and green to blue at the end); saturation and
brightness encode how far the joint moved between the two sampled frames
(relative to the fastest move in the clip), so fast strokes are vivid and
slow drift is pale.

How the ``F`` output frames are filled: a JTM summarises a clip, but the
pipeline wants ``F`` frames, and a model reading frames in order benefits from
seeing the map being written. Frame ``i`` therefore shows the trajectories
from frame 0 up to frame ``i`` (the last frame is the complete JTM) and marks
the joints' current places with white dots. For 3D input each image is a 2x2
tile: front view (top left), side view (top right, depth to the right), top
view (bottom left, depth upwards) and the current pose in grey (bottom right).
For 2D input only the front view exists; it fills the image, with the current
pose drawn thinly over it. A person absent from frame ``i`` (no valid joint)
is left out of that image entirely, trajectory included, so the "absent
persons disappear" contract of every renderer holds.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from pydantic import Field

from skeletonllm.batch import SkeletonBatch
from skeletonllm.interfaces import RendererOptions
from skeletonllm.normalise import to_pixels

from .baseline import BaselineRenderer, View
from .colours import hsv_to_rgb
from .drawing import skeleton_primitives
from .raster import Primitives, rasterise

#: hue range used for time: 0 (red) at the first frame to this at the last (blue), never wrapping back to red
LAST_HUE = 0.7
POSE_GREY = 0.6


class JtmOptions(RendererOptions):
    line_width: float = Field(0.008, gt=0, le=0.2, description="trajectory thickness / image side")
    dot_radius: float = Field(0.006, gt=0, le=0.2, description="current-joint dot radius / image side")


def _views(xyz: torch.Tensor) -> list[torch.Tensor]:
    """Front (x, y), side (z, y) and top (x, z) coordinates of normalised points."""
    x, y, z = xyz.unbind(-1)
    return [torch.stack(p, -1) for p in ((x, y), (z, y), (x, z))]


def trajectory_primitives(
    pix: torch.Tensor, mask: torch.Tensor, present: torch.Tensor, colour: torch.Tensor, radius: float
) -> Primitives:
    """Segments joint-by-joint between consecutive sampled frames, cumulated per output frame.

    ``pix`` ``(B, M, F, V, 2)``, ``mask`` ``(B, M, F, V)``, ``present``
    ``(B, M, F)``, ``colour`` ``(B, M, F-1, V, 3)``. Output image ``b*F + i``
    holds the segments ending at or before frame ``i`` of persons present at ``i``.
    """
    b, m, f, v, _ = pix.shape
    device = pix.device
    if f < 2:
        empty = torch.zeros(0, device=device)
        return Primitives(empty.long(), empty.view(0, 2), empty.view(0, 2), empty, empty.view(0, 3), empty)
    seg_ok = mask[:, :, :-1] & mask[:, :, 1:]  # (B, M, F-1, V)
    t = torch.arange(f - 1, device=device)
    i = torch.arange(f, device=device)
    upto = (t.view(1, -1) + 1) <= i.view(-1, 1)  # (F_img, F-1)
    keep = seg_ok.unsqueeze(1) & upto.view(1, f, 1, f - 1, 1) & present.permute(0, 2, 1).reshape(b, f, m, 1, 1)
    shape = (b, f, m, f - 1, v)
    image = (torch.arange(b, device=device).view(b, 1) * f + i.view(1, f)).view(b, f, 1, 1, 1).expand(shape)
    start = pix[:, :, :-1].unsqueeze(1).expand(b, f, m, f - 1, v, 2)
    end = pix[:, :, 1:].unsqueeze(1).expand(b, f, m, f - 1, v, 2)
    depth = (-t.to(torch.float32)).view(1, 1, 1, f - 1, 1).expand(shape)  # later strokes on top
    prims = Primitives(
        image=image.reshape(-1),
        start=start.reshape(-1, 2),
        end=end.reshape(-1, 2),
        radius=torch.full((keep.numel(),), radius, device=device),
        colour=colour.unsqueeze(1).expand(b, f, m, f - 1, v, 3).reshape(-1, 3),
        depth=depth.reshape(-1),
    )
    return prims.select(keep.reshape(-1))


def segment_colours(xyz: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``(B, M, F-1, V, 3)``: hue from time, saturation and value from the step length."""
    b, m, f, v, _ = xyz.shape
    step = (xyz[:, :, 1:] - xyz[:, :, :-1]).norm(dim=-1)
    ok = mask[:, :, 1:] & mask[:, :, :-1]
    ref = torch.where(ok, step, torch.zeros_like(step)).amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-6)
    rel = (step / ref).clamp(0, 1)
    hue = (torch.arange(f - 1, device=xyz.device, dtype=torch.float32) / max(f - 2, 1) * LAST_HUE).view(1, 1, -1, 1)
    return hsv_to_rgb(hue.expand_as(rel), 0.35 + 0.65 * rel, 0.45 + 0.55 * rel)


class JtmRenderer(BaselineRenderer):
    """Joint trajectory maps on three orthogonal views, written up frame by frame."""

    name: ClassVar[str] = "jtm"
    summary: ClassVar[str] = "Joint trajectory maps, three orthogonal views"
    Options: ClassVar[type[RendererOptions]] = JtmOptions

    def axes_to_fit(self, batch: SkeletonBatch) -> tuple[int, ...]:
        """All three axes for 3D input: the side and top views show depth at the same scale."""
        return (0, 1) if batch.positions.shape[-1] == 2 else (0, 1, 2)

    def draw(self, view: View) -> torch.Tensor:
        opts: JtmOptions = self.options  # type: ignore[assignment]
        size, device, clip = opts.size, view.device, view.clip
        xyz, mask = clip.xyz, clip.mask
        b, m, f, v = view.shape
        present = mask.any(-1)  # (B, M, F)
        colour = segment_colours(xyz, mask) if f > 1 else None
        now_mask = (mask & present.unsqueeze(-1)).permute(0, 2, 1, 3).reshape(b * f, m, v)
        white = torch.ones(3, device=device)

        # Each view is rasterised as an image of its own (index view * B*F + frame) and the tiles are
        # assembled afterwards, so a thick stroke near a tile's edge cannot bleed into the next view.
        tiles = 1 if clip.is_2d else 4
        side = size if clip.is_2d else (size + 1) // 2
        planes = _views(xyz)[: 1 if clip.is_2d else 3]
        parts: list[Primitives] = []
        for k, plane in enumerate(planes):
            pix = to_pixels(plane, side, side)
            now = pix.permute(0, 2, 1, 3, 4).reshape(b * f, m, v, 2)
            no_edges = torch.zeros(0, 2, dtype=torch.long, device=device)
            dots = skeleton_primitives(
                now, torch.full_like(now[..., 0], -1e6), now_mask, no_edges, white, white, 0.0, opts.dot_radius * size
            )
            parts.append(_shift_images(dots, k * b * f))
            if colour is not None:
                trails = trajectory_primitives(pix, mask, present, colour, opts.line_width * size / 2)
                parts.append(_shift_images(trails, k * b * f))

        front = xyz[..., :2].permute(0, 2, 1, 3, 4).reshape(b * f, m, v, 2)
        grey = torch.full((3,), POSE_GREY, device=device)
        thin = 0.5 if clip.is_2d else 1.0
        pose = skeleton_primitives(
            to_pixels(front, side, side),
            torch.full_like(front[..., 0], -1e5 if clip.is_2d else 0.0),
            now_mask,
            view.edges,
            grey,
            grey,
            thin * opts.line_width * size / 2,
            thin * opts.dot_radius * size,
        )
        parts.append(_shift_images(pose, (tiles - 1) * b * f))
        views_out = rasterise(Primitives.concat(parts), tiles * b * f, side, side, torch.zeros(3, device=device))
        if clip.is_2d:
            return views_out.view(b, f, 3, size, size)
        t = views_out.view(2, 2, b * f, 3, side, side)  # [row][column]: front, side / top, pose
        grid = torch.cat([torch.cat([t[0, 0], t[0, 1]], -1), torch.cat([t[1, 0], t[1, 1]], -1)], -2)
        return grid[..., :size, :size].reshape(b, f, 3, size, size)


def _shift_images(prims: Primitives, offset: int) -> Primitives:
    """The same primitives drawn into images ``offset`` further on (another view's tile)."""
    return Primitives(prims.image + offset, prims.start, prims.end, prims.radius, prims.colour, prims.depth)
