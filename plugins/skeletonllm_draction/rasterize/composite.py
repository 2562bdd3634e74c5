"""Front-to-back compositing of tile rows with a hand-written backward pass.

A row is one (Gaussian, tile) intersection: ``P = tile*tile`` pixels. Rows
arrive sorted by tile, then depth, so a tile's rows form one contiguous
segment and a pixel's front-to-back order is its column read downwards.

Why a custom ``autograd.Function``: letting autograd record the ~30
elementwise steps over millions of row-pixel entries stores every
intermediate and replays each one backwards. Here the forward keeps only the
per-row parameters plus, per entry, the transmittance in front, the blending
weight and alpha where it has a gradient, and the backward applies the
standard 3DGS gradient (colour, alpha, and through alpha the opacity, conic and
2D mean), which is several times faster and lighter. The tests compare it with
autograd through the dense reference.

Why so few passes over the (rows x pixels) entries: that is where all the
time goes on a CPU. A row's exponent is a quadratic in the pixel position,
so it is one matrix product with a fixed basis (``pixel_basis``), and so are
the sums its gradient needs; early-terminated entries and clamped alphas are
folded into one stored tensor, so the backward needs no masks.

Segmented cumulative sums (see ``segmented_inclusive_cumsum``) give each
entry the log-transmittance in front of it.
"""

from __future__ import annotations

import math

import torch

from .base import ALPHA_MAX, ALPHA_THRESHOLD, TRANSMITTANCE_MIN

_LOG_T_MIN = math.log(TRANSMITTANCE_MIN)


CHUNK = 32


def segment_ids(tiles: torch.Tensor) -> torch.Tensor:
    """For rows sorted by tile: 0, 0, 1, 1, 1, 2, ... (one id per run of equal tiles)."""
    starts = torch.ones_like(tiles, dtype=torch.bool)
    starts[1:] = tiles[1:] != tiles[:-1]
    return torch.cumsum(starts.long(), 0) - 1


def segmented_inclusive_cumsum(x: torch.Tensor, seg: torch.Tensor) -> torch.Tensor:
    """Cumulative sum of ``x`` (I, P) down the rows, restarting wherever ``seg`` changes.

    Why not ``torch.cumsum``: a float32 running sum over millions of entries
    loses the precision a transmittance needs, float64 doubles the traffic,
    and a cumsum along dim 0 is slow on CPU. Instead rows are cut into chunks
    of 32: inside a chunk a masked lower-triangular matmul (BLAS, exact
    enough for 32 terms) gives the segmented sums; a float64 cumsum over the
    32x fewer chunk tails carries a segment across chunk borders.
    """
    i, p = x.shape
    pad = (-i) % CHUNK
    if pad:  # TileComposite pads its rows already; this keeps the function general
        x = torch.cat([x, x.new_zeros(pad, p)])
        seg = torch.cat([seg, seg.new_full((pad,), -1)])
    k = x.shape[0] // CHUNK
    xc = x.reshape(k, CHUNK, p)
    sc = seg.reshape(k, CHUNK)
    first_seg, last_seg = sc[:, 0], sc[:, -1]
    # each chunk's part of its last segment, then the carry a segment brings in from earlier chunks
    in_last = (sc == last_seg.unsqueeze(1)).to(x.dtype).unsqueeze(1)  # (k, 1, CHUNK)
    tail = torch.bmm(in_last, xc).squeeze(1)  # (k, P)
    continues = torch.zeros(k, dtype=torch.bool, device=x.device)
    continues[1:] = last_seg[:-1] == first_seg[1:]
    contrib = torch.cat([tail.new_zeros(1, p), tail[:-1]])
    contrib = torch.where(continues.unsqueeze(1), contrib, 0.0)
    # carry_j = contrib_j + carry_{j-1} when chunk j-1 was all one segment going on into j:
    # a sum over runs of linked chunks, done as one float64 cumsum minus each run's base
    whole_before = torch.zeros(k, dtype=torch.bool, device=x.device)
    whole_before[1:] = first_seg[:-1] == last_seg[:-1]
    run_start = ~(continues & whole_before)
    first_of_run = run_start.nonzero().flatten()[torch.cumsum(run_start.long(), 0) - 1]
    csum = torch.cumsum(contrib.double(), 0)
    carry = (csum - csum[first_of_run] + contrib.double()[first_of_run]).to(x.dtype)
    # within a chunk: a masked lower-triangular matmul; then the carry onto the chunk's first segment
    same = (sc.unsqueeze(2) == sc.unsqueeze(1)) & _tril(x.device)  # (k, row, col): col <= row, same segment
    out = torch.bmm(same.to(x.dtype), xc)
    out.addcmul_((sc == first_seg.unsqueeze(1)).to(x.dtype).unsqueeze(2), carry.unsqueeze(1))
    out = out.reshape(-1, p)
    return out[:i] if pad else out


def _tril(device: torch.device) -> torch.Tensor:
    return torch.ones(CHUNK, CHUNK, dtype=torch.bool, device=device).tril()


def pixel_basis(local_x: torch.Tensor, local_y: torch.Tensor) -> torch.Tensor:
    """(P, 6) monomials ``1, x, y, x^2, y^2, xy`` of the pixel centres, taken about the tile's centre.

    Why: a row's exponent ``sigma - log(o)`` is a quadratic in the pixel
    position, so over all rows and pixels it is one matrix product
    ``coefficients (I, 6) @ basis.T (6, P)`` instead of a dozen elementwise
    passes over (I, P); in the backward pass the five sums the conic and mean
    gradients need are likewise one product ``grad (I, P) @ basis (P, 6)``.
    Centring keeps the monomials small, so float32 cancellation stays far
    below the agreement tolerance with the dense reference.
    """
    cx, cy = local_x.mean(), local_y.mean()
    x, y = local_x - cx, local_y - cy
    return torch.stack([torch.ones_like(x), x, y, x * x, y * y, x * y], -1)


def _exponent_coefficients(rows: tuple[torch.Tensor, ...], centre: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """(I, 6) coefficients of ``sigma - log(o)`` on ``pixel_basis``; ``rows`` = (mean x, mean y, a, b, c, opacity)."""
    rel_x, rel_y, ca, cb, cc, opac = rows
    mx, my = rel_x - centre[0], rel_y - centre[1]
    const = 0.5 * ca * mx * mx + cb * mx * my + 0.5 * cc * my * my - torch.log(opac.clamp_min(1e-30))
    return torch.stack([const, -(ca * mx + cb * my), -(cb * mx + cc * my), 0.5 * ca, 0.5 * cc, cb], -1)


def _alpha(rows: tuple[torch.Tensor, ...], local_x: torch.Tensor, local_y: torch.Tensor) -> torch.Tensor:
    """Alpha per entry as composited (clamped to 0.999, 0 below 1/255): ``exp(-(sigma - log o))``.

    ``rows``: per row mean relative to its tile origin, conic (a, b, c), opacity; ``local_*`` (P,)
    pixel centres inside a tile. The conic is positive definite (det > 0 after the blur), so
    sigma >= 0 and gsplat's ``sigma < 0`` test cannot fire.
    """
    basis = pixel_basis(local_x, local_y)
    coef = _exponent_coefficients(rows, (local_x.mean(), local_y.mean()))
    alpha = (coef @ basis.T).neg_().exp_().clamp_(max=ALPHA_MAX)
    return alpha.masked_fill_(alpha < ALPHA_THRESHOLD, 0.0)


def pad_rows(tiles: torch.Tensor, *rows: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Pad row tensors to a multiple of ``CHUNK`` with invisible rows (opacity 0) in the last tile.

    Done once on the (I,) row parameters, so no (I, P) tensor is ever copied for padding.
    The first of ``rows`` must be the opacities.
    """
    pad = (-tiles.shape[0]) % CHUNK
    if pad == 0:
        return (tiles, *rows)
    last = tiles[-1:].expand(pad) if tiles.numel() else tiles.new_zeros(pad)
    out = [torch.cat([tiles, last])]
    for r in rows:
        out.append(torch.cat([r, r.new_zeros((pad, *r.shape[1:]))]))
    return tuple(out)


class TileComposite(torch.autograd.Function):
    """rows -> (rgb (T, P, 3), log final transmittance (T, P)) for ``T`` tiles."""

    @staticmethod
    def forward(ctx, mx, my, ca, cb, cc, opac, colour, local_x, local_y, tiles, num_tiles):  # type: ignore[override]
        seg_start = segment_ids(tiles)
        alpha = _alpha((mx, my, ca, cb, cc, opac), local_x, local_y)
        log_t = torch.log1p(alpha.neg())
        incl = segmented_inclusive_cumsum(log_t, seg_start)
        dead = incl <= _LOG_T_MIN  # the pixel was finished before this entry (gsplat's early stop)
        log_t.masked_fill_(dead, 0.0)
        before = incl.sub_(log_t).exp_()  # transmittance in front of each entry
        weight = before * alpha
        weight.masked_fill_(dead, 0.0)
        p = local_x.shape[-1]
        rgb = torch.zeros(num_tiles, p, 3, dtype=alpha.dtype, device=alpha.device)
        for ch in range(3):
            rgb[..., ch].index_add_(0, tiles, weight * colour[:, ch : ch + 1])
        log_final = torch.zeros(num_tiles, p, dtype=alpha.dtype, device=alpha.device)
        log_final.index_add_(0, tiles, log_t)
        if any(ctx.needs_input_grad):
            # keep T, the weights and alpha where it has a gradient (live and not clamped, else 0):
            # cheaper to store than to recompute, and the backward needs no mask of its own
            live_alpha = alpha.masked_fill_(dead | (alpha >= ALPHA_MAX), 0.0)
            ctx.save_for_backward(mx, ca, cb, cc, my, opac, colour, local_x, local_y, tiles, seg_start)
            ctx.entries = (live_alpha, before, weight)
        return rgb, log_final

    @staticmethod
    def backward(ctx, grad_rgb, grad_log_final):  # type: ignore[override]
        mx, ca, cb, cc, my, opac, colour, local_x, local_y, tiles, seg_start = ctx.saved_tensors
        if not hasattr(ctx, "entries"):
            raise RuntimeError("the torch rasteriser's backward runs once per forward (retain_graph is not supported)")
        live_alpha, before, weight = ctx.entries
        del ctx.entries  # free the (I, P) tensors as soon as they are used up (they are overwritten below)
        # c . g per entry and d/dcolour, a channel at a time (no (I, P, 3) temporaries)
        cg = torch.zeros_like(weight)
        grad_colour = torch.empty_like(colour)
        for ch in range(3):
            g_ch = grad_rgb[..., ch].index_select(0, tiles)
            cg.addcmul_(g_ch, colour[:, ch : ch + 1])
            grad_colour[:, ch] = g_ch.mul_(weight).sum(1)
        # suffix sums of weight * (c . g) behind each entry, within its tile segment:
        # the segment's total (its last row's inclusive sum) minus the inclusive sum so far
        incl_contrib = segmented_inclusive_cumsum(weight.mul_(cg), seg_start)
        ends = torch.ones_like(seg_start, dtype=torch.bool)
        ends[:-1] = seg_start[1:] != seg_start[:-1]
        last_row = ends.nonzero().flatten()[seg_start]
        behind = incl_contrib.index_select(0, last_row).sub_(incl_contrib)
        behind.add_(grad_log_final.index_select(0, tiles))
        # dL/dalpha = T c.g - (light behind + dL/dlog T_final) / (1 - alpha) where alpha is live (0 elsewhere);
        # alpha = exp(-e) with e = sigma - log(o) = coef . basis, so de = -alpha dalpha
        grad_e = before.mul_(cg).sub_(behind.div_(torch.rsub(live_alpha, 1.0))).mul_(live_alpha).neg_()
        s = grad_e @ pixel_basis(local_x, local_y)  # (I, 6): the sums onto the coefficients
        s0, s1, s2, s3, s4, s5 = s.unbind(-1)
        x, y = mx - local_x.mean(), my - local_y.mean()
        grad_ca = 0.5 * (s0 * x * x + s3) - s1 * x
        grad_cc = 0.5 * (s0 * y * y + s4) - s2 * y
        grad_cb = s0 * x * y - s1 * y - s2 * x + s5
        grad_mx = s0 * (ca * x + cb * y) - s1 * ca - s2 * cb
        grad_my = s0 * (cb * x + cc * y) - s1 * cb - s2 * cc
        grad_opac = -s0 / opac
        return grad_mx, grad_my, grad_ca, grad_cb, grad_cc, grad_opac, grad_colour, None, None, None, None
