"""Write rendered frames as pictures: PNG contact sheets, animated GIFs and MP4 videos.

Renderers return float tensors ``(F, 3, H, W)`` in [0, 1]; people want files.
Kept in the core (not in a renderer plugin) so the CLI, benchmarks and docs
scripts write images the same way whatever renderer produced them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .errors import SkeletonLLMError
from .legend import ColourLegend, with_legend

#: suffix -> what is written; the CLI lists these in its errors
IMAGE_SUFFIXES = {".png": "contact sheet", ".gif": "animated GIF", ".mp4": "MP4 video"}


def frames_to_uint8(frames: torch.Tensor) -> np.ndarray:
    """``(F, 3, H, W)`` float in [0, 1] -> ``(F, H, W, 3)`` uint8 (NaN becomes black, not garbage)."""
    if frames.dim() != 4 or frames.shape[1] != 3:
        raise SkeletonLLMError(f"expected frames of shape (F, 3, H, W), got {tuple(frames.shape)}")
    arr = torch.nan_to_num(frames.detach().float(), nan=0.0).clamp(0, 1).mul(255).round().to(torch.uint8)
    return arr.permute(0, 2, 3, 1).cpu().numpy()


def contact_sheet(frames: torch.Tensor, columns: int | None = None, gap: int = 2, gap_value: int = 64) -> Image.Image:
    """All frames in one grid image, row by row; ``columns`` defaults to a near-square layout."""
    pics = frames_to_uint8(frames)
    n, h, w, _ = pics.shape
    cols = columns or math.ceil(math.sqrt(n))
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    sheet = np.full((rows * h + (rows - 1) * gap, cols * w + (cols - 1) * gap, 3), gap_value, np.uint8)
    for i, pic in enumerate(pics):
        r, c = divmod(i, cols)
        sheet[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = pic
    return Image.fromarray(sheet)


def write_png(
    frames: torch.Tensor, path: str | Path, columns: int | None = None, legend: ColourLegend | None = None
) -> Path:
    """A contact sheet, with ``legend`` (what the colours mean) drawn under it when given."""
    path = Path(path)
    with_legend(contact_sheet(frames, columns), legend).save(path, optimize=True)
    return path


def legend_frames(frames: torch.Tensor, legend: ColourLegend | None) -> list[Image.Image]:
    """Each frame as a picture, with ``legend`` under every one (for animations) when given."""
    return [with_legend(Image.fromarray(p), legend) for p in frames_to_uint8(frames)]


def write_gif(frames: torch.Tensor, path: str | Path, fps: float = 4.0, legend: ColourLegend | None = None) -> Path:
    """Looping animated GIF, one frame per rendered frame (each with ``legend`` under it when given).

    Pillow merges identical consecutive frames into one longer frame (a
    one-frame clip sampled 12 times becomes a still GIF), which looks the same.
    """
    path = Path(path)
    pics = legend_frames(frames, legend)
    pics[0].save(path, save_all=True, append_images=pics[1:], duration=int(round(1000 / fps)), loop=0, optimize=False)
    return path


def write_mp4(frames: torch.Tensor, path: str | Path, fps: float = 4.0, legend: ColourLegend | None = None) -> Path:
    """H.264 MP4 through imageio's ffmpeg plugin; a clear error (suggesting GIF) when ffmpeg is unavailable."""
    path = Path(path)
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401 - only to fail early with a clear message
    except ImportError as exc:
        raise SkeletonLLMError(
            f"{path}: writing .mp4 needs imageio and imageio-ffmpeg ({exc}); install them or write a .gif instead"
        ) from None
    pics = np.stack([np.asarray(p) for p in legend_frames(frames, legend)])
    # H.264 with yuv420p needs even sides; pad with black rather than resample.
    h, w = pics.shape[1:3]
    pics = np.pad(pics, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)))
    try:
        with imageio.get_writer(path, format="FFMPEG", mode="I", fps=fps, codec="libx264", macro_block_size=1) as out:
            for pic in pics:
                out.append_data(pic)
    except (RuntimeError, OSError) as exc:
        raise SkeletonLLMError(f"{path}: ffmpeg could not write the video ({exc}); try a .gif instead") from None
    return path


def write_frames(frames: torch.Tensor, path: str | Path, fps: float = 4.0, legend: ColourLegend | None = None) -> Path:
    """Write by suffix: ``.png`` contact sheet, ``.gif`` animation, ``.mp4`` video; ``legend`` under the pictures."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        known = ", ".join(f"{s} ({what})" for s, what in IMAGE_SUFFIXES.items())
        raise SkeletonLLMError(f"{path}: cannot write {suffix or 'a file without suffix'!r}; use one of {known}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        return write_png(frames, path, legend=legend)
    if suffix == ".gif":
        return write_gif(frames, path, fps, legend=legend)
    return write_mp4(frames, path, fps, legend=legend)
