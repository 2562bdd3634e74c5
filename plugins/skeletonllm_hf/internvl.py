"""InternVL3 on ``transformers.InternVLForConditionalGeneration``."""

from __future__ import annotations

from typing import ClassVar

import torch

from skeletonllm.errors import SkeletonLLMError

from .chat import ImageRun, Piece, templated_pieces
from .hf_backbone import HFBackbone
from .options import HFBackboneOptions, InternVLOptions
from .pixels import IMAGENET_MEAN, IMAGENET_STD, internvl_pixel_values


class InternVL3Backbone(HFBackbone):
    """Each frame is one 448-style tile: ``FrameN: <img><IMG_CONTEXT>*n</img>`` as InternVL's video prompt."""

    name: ClassVar[str] = "internvl3"
    summary: ClassVar[str] = "InternVL3 through transformers (local path, tiny preset or SmolLM2-135M smol preset)"
    Options = InternVLOptions
    model_type: ClassVar[str] = "internvl"
    model_class_name = "InternVLForConditionalGeneration"
    special_tokens: ClassVar[list[str]] = ["<img>", "</img>", "<IMG_CONTEXT>"]
    image_token: ClassVar[str] = "<IMG_CONTEXT>"
    default_mean = IMAGENET_MEAN
    default_std = IMAGENET_STD
    group_prefixes: ClassVar[dict[str, tuple[str, ...]]] = {
        "projector": ("model.multi_modal_projector.",),
        "vision": ("model.vision_tower.",),
        "llm": ("model.language_model.", "lm_head."),
    }

    def tiny_config(self, tokenizer, image_size: int):
        from transformers import InternVLConfig

        ids = tokenizer.convert_tokens_to_ids
        tokens = (image_size // 14) ** 2 // 4
        return InternVLConfig(
            text_config=self.tiny_text_config(tokenizer, model_type="qwen2", tie_word_embeddings=True),
            vision_config={
                "hidden_size": 32,
                "num_hidden_layers": 2,
                "num_attention_heads": 2,
                "intermediate_size": 64,
                "image_size": image_size,
                "patch_size": 14,
            },
            image_token_id=ids("<IMG_CONTEXT>"),
            image_seq_length=tokens,
            downsample_ratio=0.5,
        )

    def build_preset(self, opts: HFBackboneOptions):
        """``smol``: SmolLM2-135M-Instruct in InternVL (``smol.py``); ``tiny`` as every family."""
        if opts.preset != "smol":
            return super().build_preset(opts)
        from . import smol

        side = opts.image_size or self.tiny_image_size
        return smol.build(self.special_tokens, side, opts.seed, opts.attn_implementation, opts.cache_dir)

    def configure_image_size(self, opts: HFBackboneOptions) -> None:
        vc = self.model.config.vision_config
        side, patch = vc.image_size[0], vc.patch_size[0]
        if opts.image_size is not None and opts.image_size != side:
            raise SkeletonLLMError(
                f"backbone.image_size {opts.image_size}: this InternVL vision encoder takes {side}px tiles "
                "(leave image_size unset; frames are resized to it)"
            )
        if side % (2 * patch):
            raise SkeletonLLMError(f"backbone.image_size {side}: InternVL needs a multiple of 2*patch = {2 * patch}")
        self.image_size = (side, side)
        ratio = self.model.config.downsample_ratio
        self.tokens_per_frame = int((side // patch) ** 2 * ratio**2)

    def image_inputs(self, frames: torch.Tensor) -> dict[str, torch.Tensor]:
        pixels = internvl_pixel_values(
            frames.to(self.device, self.dtype), size=self.image_size, mean=self.image_mean, std=self.image_std
        )
        return {"pixel_values": pixels}

    def prompt_pieces(self, prompt: str, n_frames: int) -> list[Piece]:
        frames: list[Piece] = []
        for i in range(n_frames):
            frames += [f"Frame{i + 1}: <img>", ImageRun(self.tokens_per_frame), "</img>\n"]
        if self.options.preset == "smol":  # a pretrained chat model: its own template, its own default system turn
            return templated_pieces(self.tokenizer, self.options.system_prompt, [*frames, prompt])
        pieces: list[Piece] = []
        if self.options.system_prompt:
            pieces.append(f"<|im_start|>system\n{self.options.system_prompt}<|im_end|>\n")
        pieces.append("<|im_start|>user\n")
        pieces += frames
        pieces.append(f"{prompt}<|im_end|>\n<|im_start|>assistant\n")
        return pieces
