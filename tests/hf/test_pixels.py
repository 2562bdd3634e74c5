"""The torch-only pixel path equals the Hugging Face processors' output and keeps gradients."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.errors import SkeletonLLMError
from skeletonllm_hf.pixels import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    check_frames,
    internvl_pixel_values,
    qwen_grid_size,
    qwen_pixel_values,
)

pytest.importorskip("torchvision", reason="the HF fast image processors need torchvision")


def _uint8_image(h: int, w: int) -> torch.Tensor:
    return (torch.rand(3, h, w, generator=torch.Generator().manual_seed(h * w)) * 255).round().to(torch.uint8)


def test_qwen_patch_layout_matches_processor_exactly():
    from transformers import Qwen2VLImageProcessor

    image = _uint8_image(56, 84)
    proc = Qwen2VLImageProcessor(min_pixels=56 * 56, max_pixels=56 * 84)
    expected = proc(images=[image], return_tensors="pt")
    frames = (image.float() / 255)[None, None]
    mine, grid = qwen_pixel_values(frames, size=(56, 84), patch_size=14, merge_size=2, temporal_patch_size=2)
    assert torch.equal(grid, expected["image_grid_thw"])
    assert mine.shape == expected["pixel_values"].shape
    assert torch.allclose(mine, expected["pixel_values"], atol=1e-5)


def test_internvl_tile_matches_processor_normalisation():
    from transformers import GotOcr2ImageProcessor

    image = _uint8_image(56, 56)
    proc = GotOcr2ImageProcessor(
        size={"height": 56, "width": 56}, crop_to_patches=False, image_mean=IMAGENET_MEAN, image_std=IMAGENET_STD
    )
    expected = proc(images=[image], return_tensors="pt")["pixel_values"]
    mine = internvl_pixel_values((image.float() / 255)[None, None], size=(56, 56))
    assert torch.allclose(mine, expected, atol=1e-5)


def test_resize_keeps_gradient():
    frames = torch.rand(1, 2, 3, 30, 30, requires_grad=True)
    pixels, grid = qwen_pixel_values(frames, size=(28, 28), patch_size=14, merge_size=2, temporal_patch_size=2)
    assert pixels.shape == (2 * 4, 3 * 2 * 14 * 14) and grid.tolist() == [[1, 2, 2], [1, 2, 2]]
    pixels.square().sum().backward()
    assert frames.grad is not None and frames.grad.abs().sum() > 0


def test_grid_size_rounds_to_merge_window():
    assert qwen_grid_size(50, 90, 14, 2) == (56, 84)
    assert qwen_grid_size(3, 3, 14, 2) == (28, 28)


@pytest.mark.parametrize("shape", [(2, 3, 28, 28), (2, 1, 1, 28, 28)])
def test_bad_frame_shapes_are_named(shape):
    with pytest.raises(SkeletonLLMError, match=r"\(B, F, 3, H, W\)"):
        check_frames(torch.zeros(shape), 2)


def test_batch_mismatch_is_named():
    with pytest.raises(SkeletonLLMError, match="3 clips but 2 prompts"):
        check_frames(torch.zeros(3, 1, 3, 28, 28), 2)
