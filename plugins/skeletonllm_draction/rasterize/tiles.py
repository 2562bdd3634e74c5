"""The ``torch`` backend: tile-culled, sort-light, differentiable splatting in pure PyTorch.

Why this layout: each (Gaussian, tile) intersection (8x8 tiles by default)
becomes one row of ``tile*tile`` pixels. Rows are sorted once by (image,
tile, depth) - a sort of ~1e5 keys, not of the millions of pixel-Gaussian
pairs - and within a tile all rows share the same pixel columns, so
front-to-back compositing is a segmented scan of log(1 - alpha) down the rows
of a tile (see ``composite``): no per-pixel sort, no gather of pixel ids,
every step a dense vectorised kernel. The cost grows with the tiles the
figure covers, not with pixels x Gaussians.
"""

from __future__ import annotations

import math

import torch

from ..camera import PinholeCamera
from .base import ALPHA_THRESHOLD, GaussianScene, Projected, Rasteriser, project
from .composite import TileComposite, pad_rows


def tile_intersections(
    proj: Projected, opacities: torch.Tensor, tiles_x: int, tiles_y: int, tile: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows as ``(gaussian flat index (K*N), tile flat index (K*tiles))``, sorted by tile then depth."""
    k, n = proj.depths.shape
    device = proj.depths.device
    mx, my = proj.means2d.detach().unbind(-1)
    rx, ry = proj.radii.unbind(-1)
    visible = (rx > 0) | (ry > 0)
    tx0 = torch.floor((mx - rx) / tile).clamp(0, tiles_x).long()
    tx1 = torch.ceil((mx + rx) / tile).clamp(0, tiles_x).long()
    ty0 = torch.floor((my - ry) / tile).clamp(0, tiles_y).long()
    ty1 = torch.ceil((my + ry) / tile).clamp(0, tiles_y).long()
    width = (tx1 - tx0).where(visible, torch.zeros_like(tx0))
    counts = (width * (ty1 - ty0)).clamp_min(0).reshape(-1)
    total = int(counts.sum())
    if total == 0:
        empty = torch.zeros(0, dtype=torch.long, device=device)
        return empty, empty
    gid = torch.repeat_interleave(torch.arange(k * n, device=device), counts, output_size=total)
    first = torch.cumsum(counts, 0) - counts
    local = torch.arange(total, device=device) - first[gid]
    w = width.reshape(-1)[gid]
    tx = tx0.reshape(-1)[gid] + local % w
    ty = ty0.reshape(-1)[gid] + torch.div(local, w, rounding_mode="floor")
    image = torch.div(gid, n, rounding_mode="floor")
    hits = _touches_tile(proj, opacities, gid, tx, ty, tile)
    gid, tx, ty, image = gid[hits], tx[hits], ty[hits], image[hits]
    tile_id = image * (tiles_x * tiles_y) + ty * tiles_x + tx
    depth_rank = torch.empty_like(proj.depths, dtype=torch.long)
    order = torch.argsort(proj.depths.detach(), dim=1)
    depth_rank.scatter_(1, order, torch.arange(n, device=device).expand(k, n).contiguous())
    key = tile_id * n + depth_rank.reshape(-1)[gid]
    perm = torch.argsort(key)
    return gid[perm], tile_id[perm]


def _touches_tile(
    proj: Projected, opacities: torch.Tensor, gid: torch.Tensor, tx: torch.Tensor, ty: torch.Tensor, tile: int
) -> torch.Tensor:
    """(I,) bool: the Gaussian reaches alpha >= 1/255 at some pixel centre of the tile.

    The opacity-aware box is a square around an ellipse, so it also lists
    tiles that only its corners touch (about a quarter of the rows, more for
    elongated Gaussians). Here the exact test: the smallest Mahalanobis
    distance ``sigma`` over the rectangle of the tile's pixel centres (zero if
    the mean is inside, else the minimum over its four edges, where the
    quadratic has a closed-form minimum) against ``log(opacity / (1/255))``.
    A dropped row would only have composited alphas below the threshold,
    which the compositor zeroes anyway, so the picture is unchanged.
    """
    with torch.no_grad():
        mx, my = proj.means2d.detach().reshape(-1, 2)[gid].unbind(-1)
        a, b, c = proj.conics.detach().reshape(-1, 3)[gid].unbind(-1)
        opac = opacities.detach().reshape(-1)[gid]
        x0, y0 = tx.to(mx.dtype) * tile + 0.5 - mx, ty.to(my.dtype) * tile + 0.5 - my  # pixel centre - mean
        x1, y1 = x0 + (tile - 1), y0 + (tile - 1)

        def quad(dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
            return 0.5 * a * dx * dx + b * dx * dy + 0.5 * c * dy * dy

        best = torch.minimum(
            torch.minimum(quad(x0, (-b * x0 / c).clamp(y0, y1)), quad(x1, (-b * x1 / c).clamp(y0, y1))),
            torch.minimum(quad((-b * y0 / a).clamp(x0, x1), y0), quad((-b * y1 / a).clamp(x0, x1), y1)),
        )
        inside = (x0 <= 0) & (x1 >= 0) & (y0 <= 0) & (y1 >= 0)
        best = torch.where(inside, torch.zeros_like(best), best)
        # a little slack so rounding never drops a row whose best pixel is right at the threshold
        return best <= torch.log(opac.clamp_min(ALPHA_THRESHOLD) / ALPHA_THRESHOLD) + 1e-3


#: bytes of one (rows x pixels) float tensor per compositing call; see ``image_groups``
ENTRY_BUDGET = 16 * 2**20


def image_groups(tiles: torch.Tensor, images: int, per_image: int, max_rows: int) -> list[tuple[int, int, int, int]]:
    """Consecutive images cut into groups of at most ``max_rows`` rows: ``(row0, row1, image0, image1)`` each.

    Why: the compositor's temporaries are (rows x pixels) tensors. glibc
    serves allocations above its mmap threshold (at most 32 MB) with fresh
    pages, so each such tensor pays its page faults again on every use: on
    this CPU a fresh 44 MB tensor costs about 18 ms to fill against 2 ms for
    a recycled one, which made two persons cost three times one. Images are
    independent, so compositing a few whole images at a time keeps every
    temporary under ``ENTRY_BUDGET`` (16 MB) and on the heap, with the same
    result. ``tiles`` is sorted (rows of image ``i`` are contiguous); a
    single image larger than the budget is a group of its own.
    """
    starts = torch.searchsorted(tiles, torch.arange(images + 1, device=tiles.device) * per_image).tolist()
    groups, first = [], 0
    for i in range(1, images + 1):
        if i == images or starts[i + 1] - starts[first] > max_rows:
            groups.append((starts[first], starts[i], first, i))
            first = i
    return groups


class TileRasteriser(Rasteriser):
    """Pure-PyTorch, any device, differentiable: the default backend."""

    name = "torch"

    def __init__(self, tile_size: int = 16) -> None:
        self.tile = tile_size

    def __call__(self, scene: GaussianScene, camera: PinholeCamera, background: torch.Tensor) -> torch.Tensor:
        k, n = scene.opacities.shape
        h, w, t = camera.height, camera.width, self.tile
        tiles_x, tiles_y = math.ceil(w / t), math.ceil(h / t)
        proj = project(scene, camera)
        rows, tiles = tile_intersections(proj, scene.opacities, tiles_x, tiles_y, t)
        dtype, device = scene.means.dtype, scene.means.device

        # pixel centres of each row's tile: (I, t*t)
        inner = torch.arange(t, device=device, dtype=dtype)
        tile_in_image = tiles % (tiles_x * tiles_y)
        ox = ((tile_in_image % tiles_x) * t).to(dtype)
        oy = (torch.div(tile_in_image, tiles_x, rounding_mode="floor") * t).to(dtype)
        means2d = proj.means2d.reshape(-1, 2)[rows]
        conics = proj.conics.reshape(-1, 3)[rows]
        params = (
            scene.opacities.reshape(-1)[rows],
            means2d[:, 0] - ox,  # mean relative to the tile's corner
            means2d[:, 1] - oy,
            conics[:, 0],
            conics[:, 1],
            conics[:, 2],
            scene.colours.reshape(-1, 3)[rows],
        )
        local_x = inner.repeat(t) + 0.5  # pixel centres inside a tile, row-major
        local_y = inner.repeat_interleave(t) + 0.5
        per_image = tiles_x * tiles_y
        parts = []
        for r0, r1, k0, k1 in image_groups(tiles, k, per_image, ENTRY_BUDGET // (t * t * scene.means.element_size())):
            group_tiles, opac, rel_x, rel_y, ca, cb, cc, colours = pad_rows(
                tiles[r0:r1] - k0 * per_image, *(x[r0:r1] for x in params)
            )
            parts.append(
                TileComposite.apply(
                    rel_x, rel_y, ca, cb, cc, opac, colours, local_x, local_y, group_tiles, (k1 - k0) * per_image
                )
            )
        rgb = torch.cat([part[0] for part in parts])
        log_final = torch.cat([part[1] for part in parts])
        image = rgb + torch.exp(log_final).unsqueeze(-1) * background.to(dtype).reshape(1, 1, 3)
        image = image.reshape(k, tiles_y, tiles_x, t, t, 3).permute(0, 5, 1, 3, 2, 4)
        return image.reshape(k, 3, tiles_y * t, tiles_x * t)[:, :, :h, :w]
