"""Framing read off rendered frames: foreground share, border contact, figure height.

Used by the framing tests and by ``benchmarks/render_gallery.py`` (which
picks the default camera by these numbers), so both measure the same thing.
A pixel is foreground when any channel differs from the background by at
least one 8-bit step: what a saved image would show.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

FOREGROUND_STEP = 1.0 / 255.0


@dataclass
class FramingStats:
    """Per frame of one clip: ``foreground`` share of pixels, ``border`` foreground on the edge, ``height`` rows."""

    foreground: list[float]
    border: list[bool]
    height: list[int]

    @property
    def height_ratio(self) -> float:
        """Tallest over shortest figure within the clip (inf when some frame shows nothing)."""
        shown = [h for h in self.height if h > 0]
        if len(shown) < len(self.height) or not shown:
            return float("inf")
        return max(shown) / min(shown)


def foreground(frames: torch.Tensor, background: torch.Tensor | None = None) -> torch.Tensor:
    """``(F, 3, H, W)`` -> ``(F, H, W)`` bool."""
    bg = torch.zeros(3) if background is None else background
    return (frames - bg.to(frames).reshape(1, 3, 1, 1)).abs().amax(1) >= FOREGROUND_STEP


def framing_stats(frames: torch.Tensor, background: torch.Tensor | None = None) -> FramingStats:
    """Statistics of one clip's ``(F, 3, H, W)`` frames."""
    fg = foreground(frames, background)
    edge = torch.zeros_like(fg[0])
    edge[0, :], edge[-1, :], edge[:, 0], edge[:, -1] = True, True, True, True
    rows = fg.any(-1)  # (F, H)
    heights = []
    for r in rows:
        idx = r.nonzero().flatten()
        heights.append(int(idx[-1] - idx[0]) + 1 if len(idx) else 0)
    return FramingStats(
        foreground=fg.float().mean(dim=(1, 2)).tolist(),
        border=(fg & edge).any(-1).any(-1).tolist(),
        height=heights,
    )
