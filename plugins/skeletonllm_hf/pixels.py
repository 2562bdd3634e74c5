"""Rendered frames -> ``pixel_values`` with torch ops only, so gradients reach the renderer.

The Hugging Face image processors go through numpy/PIL, which would cut the
autograd graph between the renderer and the vision encoder. These functions
reproduce what the processors do (resize, rescale-free normalisation, and for
Qwen2.5-VL the patch layout) as differentiable tensor operations. Frames
arrive in [0, 1], so the processors' ``rescale`` (x / 255) step is already done.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from skeletonllm.errors import SkeletonLLMError

#: The processors' defaults: Qwen2-VL and GOT-OCR2 (InternVL) ship OpenAI CLIP statistics;
#: the InternVL3 "-hf" checkpoints override them with ImageNet ones in preprocessor_config.json.
OPENAI_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def check_frames(frames: torch.Tensor, batch: int) -> None:
    """Refuse anything but ``(B, F, 3, H, W)`` with ``B == batch``, naming what came instead."""
    if frames.dim() != 5 or frames.shape[2] != 3:
        raise SkeletonLLMError(f"frames: expected a (B, F, 3, H, W) tensor, got shape {tuple(frames.shape)}")
    if frames.shape[0] != batch:
        raise SkeletonLLMError(f"frames: batch of {frames.shape[0]} clips but {batch} prompts; they must match")


def normalise(images: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """``(x - mean) / std`` per channel of an ``(N, 3, H, W)`` tensor."""
    m = torch.tensor(mean, dtype=images.dtype, device=images.device).view(1, 3, 1, 1)
    s = torch.tensor(std, dtype=images.dtype, device=images.device).view(1, 3, 1, 1)
    return (images - m) / s


def resize(images: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Bicubic resize (the processors' resample), skipped when the size already matches."""
    if images.shape[-2:] == (height, width):
        return images
    return F.interpolate(images, size=(height, width), mode="bicubic", align_corners=False, antialias=True)


def qwen_grid_size(height: int, width: int, patch_size: int, merge_size: int) -> tuple[int, int]:
    """Frame size rounded to a multiple of ``patch * merge`` (at least one merged patch)."""
    factor = patch_size * merge_size
    return max(factor, round(height / factor) * factor), max(factor, round(width / factor) * factor)


def qwen_pixel_values(
    frames: torch.Tensor,
    *,
    size: tuple[int, int],
    patch_size: int,
    merge_size: int,
    temporal_patch_size: int,
    mean: Sequence[float] = OPENAI_CLIP_MEAN,
    std: Sequence[float] = OPENAI_CLIP_STD,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each frame as one Qwen2.5-VL image: ``(sum of patches, C*T*P*P)`` and ``image_grid_thw``.

    The layout is ``Qwen2VLImageProcessor.patchify``: patches ordered by merge
    window, each flattened channel-major with the still image repeated over
    the temporal patch.
    """
    b, f = frames.shape[:2]
    height, width = size
    if height % (patch_size * merge_size) or width % (patch_size * merge_size):
        raise SkeletonLLMError(f"image size {size} must be a multiple of patch*merge = {patch_size * merge_size}")
    images = normalise(resize(frames.flatten(0, 1), height, width), mean, std)
    n, c = images.shape[:2]
    gh, gw = height // patch_size, width // patch_size
    patches = images.reshape(n, c, gh // merge_size, merge_size, patch_size, gw // merge_size, merge_size, patch_size)
    patches = patches.permute(0, 2, 5, 3, 6, 1, 4, 7)
    flat = patches.unsqueeze(6).expand(-1, -1, -1, -1, -1, -1, temporal_patch_size, -1, -1)
    flat = flat.reshape(n * gh * gw, c * temporal_patch_size * patch_size * patch_size)
    grid = torch.tensor([[1, gh, gw]], dtype=torch.long, device=frames.device).expand(b * f, 3).contiguous()
    return flat, grid


def internvl_pixel_values(
    frames: torch.Tensor,
    *,
    size: tuple[int, int],
    mean: Sequence[float] = IMAGENET_MEAN,
    std: Sequence[float] = IMAGENET_STD,
) -> torch.Tensor:
    """Each frame as one InternVL tile: a normalised ``(B*F, 3, H, W)`` tensor at the encoder's size."""
    return normalise(resize(frames.flatten(0, 1), *size), mean, std)
