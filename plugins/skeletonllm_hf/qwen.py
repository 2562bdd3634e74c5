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
#: the tiny preset's own ("toy") vision tower
TINY_TOWER = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}


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
                **self._tower(),
                "out_hidden_size": 64,
                "patch_size": 14,
                "spatial_merge_size": 2,
                "temporal_patch_size": 2,
            },
            image_token_id=ids("<|image_pad|>"),
            video_token_id=ids("<|video_pad|>"),
            vision_start_token_id=ids("<|vision_start|>"),
            vision_end_token_id=ids("<|vision_end|>"),
        )

    def _tower(self) -> dict:
        """Qwen's names for the tower of ``tower_size`` (full attention in every second block, as the toy one)."""
        t = self.options.tower(TINY_TOWER)
        depth = t["num_hidden_layers"]
        return {
            "depth": depth,
            "hidden_size": t["hidden_size"],
            "intermediate_size": t["intermediate_size"],
            "num_heads": t["num_attention_heads"],
            "window_size": 28 if self.options.tower_size in (None, "toy") else 56,
            "fullatt_block_indexes": list(range(1, depth, 2)),
        }

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

    def frame_tokens(self, frames: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` in [0, 1] -> ``(N, P, D)``: the blocks' output before the merger, in raster order.

        The tower runs its patches in merge-window order (and permutes those for window
        attention); both are undone here so that token ``i`` is patch row ``i // w``, column ``i % w``.
        """
        from transformers.vision_utils import get_vision_window_index

        inputs = self.image_inputs(frames.unsqueeze(1))
        visual = self.model.model.visual
        hidden = visual(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"]).last_hidden_state
        grid = inputs["image_grid_thw"]
        window_index, _ = get_vision_window_index(grid, self.merge_size, visual.window_size, self.patch_size)
        unit = self.merge_size**2
        units = hidden.reshape(-1, unit, hidden.shape[-1])[torch.argsort(window_index.to(hidden.device))]
        n, gh, gw, m = (
            frames.shape[0],
            self.image_size[0] // self.patch_size,
            self.image_size[1] // self.patch_size,
            self.merge_size,
        )
        units = units.reshape(n, gh // m, gw // m, m, m, -1).permute(0, 1, 3, 2, 4, 5)
        return units.reshape(n, gh * gw, -1)

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
