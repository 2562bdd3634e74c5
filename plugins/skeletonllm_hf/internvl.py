"""InternVL3 on ``transformers.InternVLForConditionalGeneration``."""

from __future__ import annotations

import inspect
from typing import ClassVar

import torch

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.tasks import TaskExample

from .chat import IGNORE, ImageRun, Piece, sequence_log_likelihoods, templated_pieces
from .hf_backbone import HFBackbone
from .options import HFBackboneOptions, InternVLOptions
from .pixels import IMAGENET_MEAN, IMAGENET_STD, internvl_pixel_values

#: the tiny preset's own ("toy") vision tower
TINY_TOWER = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}


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
            vision_config={**self.options.tower(TINY_TOWER), "image_size": image_size, "patch_size": 14},
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
        tower = opts.tower(smol.VISION)
        return smol.build(self.special_tokens, side, opts.seed, opts.attn_implementation, opts.cache_dir, tower)

    def frame_tokens(self, frames: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` in [0, 1] -> ``(N, P, D)`` patch tokens of the ViT (class token dropped), as the projector gets them."""
        pixels = internvl_pixel_values(
            frames.unsqueeze(1), size=self.image_size, mean=self.image_mean, std=self.image_std
        )
        cfg = self.model.config
        layer = cfg.vision_feature_layer if isinstance(cfg.vision_feature_layer, int) else -1
        out = self.model.model.vision_tower(pixel_values=pixels, output_hidden_states=layer != -1, return_dict=True)
        hidden = out.last_hidden_state if layer == -1 else out.hidden_states[layer]
        return hidden[:, 1:] if cfg.vision_feature_select_strategy == "default" else hidden

    def configure_image_size(self, opts: HFBackboneOptions) -> None:
        # a built model takes tiles of its vision encoder's size; frames of any other size
        # (opts.image_size, the renderer's) are resized to it, as the InternVL processor does
        vc = self.model.config.vision_config
        side, patch = vc.image_size[0], vc.patch_size[0]
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

    @torch.no_grad()
    def answer_log_likelihoods(self, frames: torch.Tensor, example: TaskExample, answers: list[str]) -> torch.Tensor:
        """As the general path, but the prompt (frames included) runs once per clip and the answers continue it.

        InternVL's positions are 1-D, so a continuation from the cached keys and
        values sees exactly the positions a full sequence would; with 21 candidates
        and a prompt of ~80 tokens this is an order of magnitude cheaper.
        """
        b, n_frames = frames.shape[:2]
        self._check_frames(frames, b)
        prompt_ids = self._encode_prompt(self.prompt(example), n_frames).ids
        answer_ids = [self.tokenizer(a + self.end_token, add_special_tokens=False)["input_ids"] for a in answers]
        k, longest = len(answers), max(len(a) for a in answer_ids)
        cont = torch.full((k, longest), self.pad_token_id, dtype=torch.long)
        labels = torch.full((k, longest), IGNORE, dtype=torch.long)
        for row, ids in enumerate(answer_ids):
            cont[row, : len(ids)] = torch.tensor(ids)
            labels[row, : len(ids)] = torch.tensor(ids)
        cont, labels = cont.to(self.device), labels.to(self.device)
        mask = torch.ones(k, len(prompt_ids) + longest, dtype=torch.long, device=self.device)
        mask[:, len(prompt_ids) :] = (labels != IGNORE).long()
        scores = torch.empty(b, k)
        # transformers renamed ``past_key_values`` to ``cache`` within 5.x; use whichever this one takes
        cache_arg = "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"
        was_training = self.model.training
        self.model.eval()
        try:
            for i in range(b):
                ids = torch.tensor([prompt_ids], device=self.device)
                out = self.model(input_ids=ids, **self.image_inputs(frames[i : i + 1]), use_cache=True)
                cache = out.cache if hasattr(out, "cache") else out.past_key_values
                cache.batch_repeat_interleave(k)
                rest = self.model(input_ids=cont, attention_mask=mask, use_cache=True, **{cache_arg: cache}).logits
                logits = torch.cat([out.logits[:, -1:].expand(k, 1, -1), rest[:, :-1]], dim=1)
                scores[i] = sequence_log_likelihoods(logits, labels).cpu()
        finally:
            self.model.train(was_training)
        return scores
