"""Qwen2.5-VL on ``transformers.Qwen2_5_VLForConditionalGeneration``."""

from __future__ import annotations

from typing import ClassVar

import torch

from skeletonllm.errors import SkeletonLLMError

from .chat import ImageRun, Piece
from .hf_backbone import HFBackbone
from .options import HFBackboneOptions
from .pixels import OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, qwen_grid_size, qwen_pixel_values

DEFAULT_SYSTEM = "You are a helpful assistant."


class Qwen25VLBackbone(HFBackbone):
    """Each frame is one image (``<|vision_start|><|image_pad|>*n<|vision_end|>``), 3-D rotary positions."""

    name: ClassVar[str] = "qwen2_5_vl"
    summary: ClassVar[str] = "Qwen2.5-VL through transformers (local path or tiny preset)"
    model_type: ClassVar[str] = "qwen2_5_vl"
    model_class_name = "Qwen2_5_VLForConditionalGeneration"
    image_multiple: ClassVar[int] = 28
    special_tokens: ClassVar[list[str]] = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]
    image_token: ClassVar[str] = "<|image_pad|>"
    default_mean = OPENAI_CLIP_MEAN
    default_std = OPENAI_CLIP_STD
    group_prefixes: ClassVar[dict[str, tuple[str, ...]]] = {
        "projector": ("model.visual.merger.",),
        "vision": ("model.visual.",),
        "llm": ("model.language_model.", "lm_head."),
    }

    def tiny_config(self, tokenizer, image_size: int):
        from transformers import Qwen2_5_VLConfig

        ids = tokenizer.convert_tokens_to_ids
        return Qwen2_5_VLConfig(
            text_config=self.tiny_text_config(
                tokenizer,
                rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]},
            ),
            vision_config={
                "depth": 2,
                "hidden_size": 32,
                "intermediate_size": 64,
                "num_heads": 2,
                "out_hidden_size": 64,
                "patch_size": 14,
                "spatial_merge_size": 2,
                "temporal_patch_size": 2,
                "window_size": 28,
                "fullatt_block_indexes": [1],
            },
            image_token_id=ids("<|image_pad|>"),
            video_token_id=ids("<|video_pad|>"),
            vision_start_token_id=ids("<|vision_start|>"),
            vision_end_token_id=ids("<|vision_end|>"),
        )

    def configure_image_size(self, opts: HFBackboneOptions) -> None:
        vc = self.model.config.vision_config
        self.patch_size, self.merge_size, self.temporal_patch = (
            vc.patch_size,
            vc.spatial_merge_size,
            vc.temporal_patch_size,
        )
        side = opts.image_size or (self.tiny_image_size if opts.path is None else 448)
        self.image_size = qwen_grid_size(side, side, self.patch_size, self.merge_size)
        if self.image_size != (side, side):
            raise SkeletonLLMError(
                f"backbone.image_size {side}: Qwen2.5-VL needs a multiple of patch*merge = "
                f"{self.patch_size * self.merge_size} (e.g. {self.image_size[0]})"
            )
        self.tokens_per_frame = (side // self.patch_size) ** 2 // self.merge_size**2

    def image_inputs(self, frames: torch.Tensor) -> dict[str, torch.Tensor]:
        pixels, grid = qwen_pixel_values(
            frames.to(self.device, self.dtype),
            size=self.image_size,
            patch_size=self.patch_size,
            merge_size=self.merge_size,
            temporal_patch_size=self.temporal_patch,
            mean=self.image_mean,
            std=self.image_std,
        )
        return {"pixel_values": pixels, "image_grid_thw": grid}

    def prompt_pieces(self, prompt: str, n_frames: int) -> list[Piece]:
        system = self.options.system_prompt or DEFAULT_SYSTEM
        pieces: list[Piece] = [f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n"]
        for _ in range(n_frames):
            pieces += ["<|vision_start|>", ImageRun(self.tokens_per_frame), "<|vision_end|>"]
        pieces.append(f"{prompt}<|im_end|>\n<|im_start|>assistant\n")
        return pieces

    def model_inputs(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        # Without mm_token_type_ids Qwen2.5-VL silently falls back to 1-D positions.
        return {**super().model_inputs(batch), "mm_token_type_ids": batch["mm_token_type_ids"]}
