"""What the two transformers backbones share: build, LoRA, groups, loss, greedy answers.

A family subclass (``internvl.py``, ``qwen.py``) says only what differs: the
model class and its tiny config, the special tokens, how frames become
``pixel_values`` and how the chat template places one image per frame.
"""

from __future__ import annotations

import hashlib
import sys
from abc import abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from torch import nn

if TYPE_CHECKING:  # transformers and peft load when a backbone is built, not when it is registered
    from transformers import PretrainedConfig, PreTrainedModel, PreTrainedTokenizerBase

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Backbone
from skeletonllm.tasks import TaskExample

from . import chat, memory
from .loading import check_layout, image_statistics, load_local
from .options import HFBackboneOptions
from .tokenizer import IM_END, build_bpe_tokenizer


class HFBackbone(Backbone):
    """A transformers MLLM behind the project's Backbone interface."""

    Options = HFBackboneOptions
    #: one image placeholder per rendered frame, at the renderer's size; initialised from optim.seed
    derived: ClassVar[dict[str, str]] = {
        "frames": "renderer.frames",
        "image_size": "renderer.size",
        "seed": "optim.seed",
    }
    model_type: ClassVar[str]
    model_class_name: ClassVar[str]

    @property
    def model_class(self) -> type[PreTrainedModel]:
        import transformers

        return getattr(transformers, self.model_class_name)

    special_tokens: ClassVar[list[str]]
    image_token: ClassVar[str]
    default_mean: ClassVar[tuple[float, ...]]
    default_std: ClassVar[tuple[float, ...]]
    #: group name -> module path prefixes (as in ``named_parameters`` of the transformers model)
    group_prefixes: ClassVar[dict[str, tuple[str, ...]]]
    tiny_image_size: ClassVar[int] = 56
    #: a frame side must be a multiple of this (Qwen2.5-VL: patch 14 x spatial merge 2); 1: any
    image_multiple: ClassVar[int] = 1

    @classmethod
    def validate_options(cls, options: HFBackboneOptions, check_files: bool = True) -> list[str]:
        """Image size, LoRA targets, prompt length and model folder, checked without loading anything."""
        from .option_checks import backbone_problems

        return backbone_problems(options, cls.model_type, cls.image_multiple, check_files)

    def __init__(self, options: HFBackboneOptions | None = None) -> None:
        super().__init__(options)
        opts: HFBackboneOptions = self.options
        dtype = opts.torch_dtype()
        if opts.path is not None:
            self.print_memory_estimate(Path(opts.path))
            model, tokenizer = load_local(opts.path, self.model_class, self.model_type, dtype, opts.attn_implementation)
            self.image_mean, self.image_std = image_statistics(Path(opts.path), self.default_mean, self.default_std)
        else:
            model, tokenizer = self.build_preset(opts)
            model = model.to(dtype)
            self.image_mean, self.image_std = self.default_mean, self.default_std
        self.model: PreTrainedModel = model
        self.tokenizer: PreTrainedTokenizerBase = tokenizer
        self.image_token_id = int(tokenizer.convert_tokens_to_ids(self.image_token))
        self.end_token = IM_END
        self.end_token_id = int(tokenizer.convert_tokens_to_ids(IM_END))
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.end_token_id
        self.configure_image_size(opts)
        self._architecture = self._architecture_hash()
        if opts.lora.enabled:
            self._inject_lora()
        if opts.gradient_checkpointing:
            self.model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        self.set_trainable(opts.trainable)
        #: the manifest of the pretrained tower loaded by ``vision_init`` (None: the preset's or checkpoint's own)
        self.vision_manifest: dict | None = None
        if opts.vision_init != "random":
            from skeletonllm.towers import load_tower

            self.vision_manifest = load_tower(self, opts.vision_init)

    @staticmethod
    def tiny_text_config(tokenizer: PreTrainedTokenizerBase, **extra) -> dict:
        """The language model of every tiny preset: one definition, so the families differ only in vision."""
        return {
            "vocab_size": len(tokenizer),
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "max_position_embeddings": 4096,
            "bos_token_id": None,
            "eos_token_id": tokenizer.convert_tokens_to_ids("<|im_end|>"),
            "pad_token_id": tokenizer.pad_token_id,
            **extra,
        }

    def build_preset(self, opts: HFBackboneOptions) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
        """Model and tokenizer of ``opts.preset``; here ``tiny`` (a family adds others by overriding)."""
        tokenizer = build_bpe_tokenizer(self.special_tokens, opts.class_names)
        config = self.tiny_config(tokenizer, opts.image_size or self.tiny_image_size)
        config._attn_implementation = opts.attn_implementation
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(opts.seed)
            model = self.model_class(config)
        return model, tokenizer

    # ---- what each family provides -------------------------------------------------
    @abstractmethod
    def tiny_config(self, tokenizer: PreTrainedTokenizerBase, image_size: int) -> PretrainedConfig:
        """The family's config at toy sizes, token ids taken from ``tokenizer``."""

    @abstractmethod
    def configure_image_size(self, opts: HFBackboneOptions) -> None:
        """Fix the frame size fed to the vision encoder and the visual tokens per frame."""

    @abstractmethod
    def image_inputs(self, frames: torch.Tensor) -> dict[str, torch.Tensor]:
        """``(B, F, 3, H, W)`` in [0, 1] -> the model's image keyword arguments (differentiable)."""

    @abstractmethod
    def prompt_pieces(self, prompt: str, n_frames: int) -> list[chat.Piece]:
        """The chat-templated user turn with one image per frame, ending where the answer starts."""

    @abstractmethod
    def frame_tokens(self, frames: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` frames in [0, 1] -> ``(N, P, D)`` vision-tower tokens in raster order of the patches."""

    def encode_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, F, 3, H, W)`` in [0, 1] -> ``(B, F, P, D)``: the vision tower alone (see ``Backbone.encode_frames``)."""
        from .pixels import check_frames

        check_frames(frames, frames.shape[0])
        b, f = frames.shape[:2]
        tokens = self.frame_tokens(frames.flatten(0, 1).to(self.device, self.dtype))
        return tokens.reshape(b, f, *tokens.shape[1:])

    def model_inputs(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Token-side keyword arguments; Qwen adds ``mm_token_type_ids``."""
        return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}

    # ---- building ----------------------------------------------------------------
    def print_memory_estimate(self, path: Path) -> None:
        """Printed before a real checkpoint loads (config only), so an OOM is foreseen, not met."""
        check_layout(path, self.model_type)
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(path, local_files_only=True)
        opts: HFBackboneOptions = self.options
        params = memory.count_parameters(self.model_class, config)
        lora = memory.lora_parameter_count(config.text_config, opts.lora.r, opts.lora.target_modules)
        vc = config.vision_config
        side = opts.image_size or (
            vc.image_size[0] if isinstance(getattr(vc, "image_size", None), (list, tuple)) else 448
        )
        patch = vc.patch_size[0] if isinstance(vc.patch_size, (list, tuple)) else vc.patch_size
        patches = opts.frames * (side // patch) ** 2
        est = memory.estimate(
            params,
            lora if opts.lora.enabled else 0,
            config.text_config,
            tokens=patches // 4 + 256,  # both families merge 2x2 patches into one LLM token
            bytes_per_param=2 if opts.torch_dtype() != torch.float32 else 4,
            gradient_checkpointing=opts.gradient_checkpointing,
            vision_config=vc,
            vision_tokens=patches,
        )
        print(est.line(f"{self.name} {path.name}"), file=sys.stderr)

    def _inject_lora(self) -> None:
        """LoRA on the language model only: a regex on the module path keeps the vision tower out."""
        lo = self.options.lora
        llm = "|".join(p.replace(".", r"\.") for p in self.group_prefixes["llm"])
        targets = "|".join(lo.target_modules)
        from peft import LoraConfig, inject_adapter_in_model

        config = LoraConfig(
            r=lo.r, lora_alpha=lo.alpha, lora_dropout=lo.dropout, target_modules=rf"({llm}).*\.({targets})"
        )
        inject_adapter_in_model(config, self.model)

    def _architecture_hash(self) -> str:
        shapes = sorted((n, tuple(p.shape)) for n, p in self.model.named_parameters())
        return hashlib.sha256(repr(shapes).encode()).hexdigest()[:12]

    def identity(self) -> str:
        """Family, architecture (hash of parameter shapes) and LoRA shape: what a checkpoint must match."""
        lo = self.options.lora
        lora = f"lora-r{lo.r}-{'+'.join(sorted(lo.target_modules))}" if lo.enabled else "no-lora"
        return f"{self.name}/arch-{self._architecture}/{lora}"

    # ---- parameter groups ------------------------------------------------------------
    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        groups: dict[str, list[nn.Parameter]] = {"vision": [], "projector": [], "llm": [], "lora": []}
        for name, param in self.model.named_parameters():
            if "lora_" in name:
                groups["lora"].append(param)
                continue
            for group in ("projector", "vision", "llm"):  # projector first: it may sit inside the vision tower
                if name.startswith(self.group_prefixes[group]):
                    groups[group].append(param)
                    break
            else:
                raise SkeletonLLMError(f"{self.name}: parameter {name} belongs to no group; update group_prefixes")
        return groups

    # ---- loss and answers ----------------------------------------------------------
    def _check_frames(self, frames: torch.Tensor, n: int) -> None:
        from .pixels import check_frames

        check_frames(frames, n)
        if frames.shape[1] != self.options.frames:
            raise SkeletonLLMError(
                f"frames: got {frames.shape[1]} frames per clip, backbone {self.name} expects "
                f"{self.options.frames} (set backbone.frames to the renderer's frame count)"
            )

    def _encode_prompt(self, prompt: str, n_frames: int) -> chat.Encoded:
        return chat.encode_pieces(self.tokenizer, self.prompt_pieces(prompt, n_frames), self.image_token_id)

    def loss(self, frames: torch.Tensor, examples: list[TaskExample]) -> torch.Tensor:
        self._check_frames(frames, len(examples))
        if not examples:
            raise SkeletonLLMError("loss: no examples to learn from (an empty batch has no mean loss)")
        empty = [i for i, ex in enumerate(examples) if not ex.target]
        if empty:
            raise SkeletonLLMError(f"loss: examples {empty[:5]} have no target text to learn")
        label_only = self.options.loss_on == "label_line"
        items = [
            chat.append_scored(
                self.tokenizer,
                self._encode_prompt(self.prompt(ex), frames.shape[1]),
                ex.target,
                self.end_token,
                label_only and ex.is_recognition,
            )
            for ex in examples
        ]
        batch = {
            k: v.to(self.device)
            for k, v in chat.collate(items, self.pad_token_id, False, self.options.max_length).items()
        }
        out = self.model(
            **self.model_inputs(batch), **self.image_inputs(frames), labels=batch["labels"], use_cache=False
        )
        return out.loss

    @torch.no_grad()
    def generate(self, frames: torch.Tensor, examples: list[TaskExample], max_new_tokens: int = 32) -> list[str]:
        self._check_frames(frames, len(examples))
        if not examples:
            return []
        items = [self._encode_prompt(self.prompt(ex), frames.shape[1]) for ex in examples]
        batch = {
            k: v.to(self.device)
            for k, v in chat.collate(items, self.pad_token_id, True, self.options.max_length).items()
        }
        was_training = self.model.training
        self.model.eval()
        try:
            out = self.model.generate(
                **self.model_inputs(batch),
                **self.image_inputs(frames),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                eos_token_id=self.end_token_id,
                pad_token_id=self.pad_token_id,
            )
        finally:
            self.model.train(was_training)
        new = out[:, batch["input_ids"].shape[1] :]
        return [text.strip() for text in self.tokenizer.batch_decode(new, skip_special_tokens=True)]

    @torch.no_grad()
    def answer_log_likelihoods(self, frames: torch.Tensor, example: TaskExample, answers: list[str]) -> torch.Tensor:
        """``(B, K)``: summed log-probability of each answer (+ end token) after ``example``'s prompt, per clip.

        Ranking a fixed set of answers by likelihood makes the generative model a
        classifier over any candidate set, unseen class names included, without
        counting a free-generation misspelling as a wrong class. This general path
        scores every (clip, answer) pair as its own sequence; a family whose
        positions allow it may continue the answers from the prompt's cache instead.
        """
        b, n_frames = frames.shape[:2]
        self._check_frames(frames, b)
        prompt_ids = self._encode_prompt(self.prompt(example), n_frames)
        items = [chat.append_scored(self.tokenizer, prompt_ids, a, self.end_token, False) for a in answers]
        batch = {k: v.to(self.device) for k, v in chat.collate(items, self.pad_token_id, False, 10**9).items()}
        scores = torch.empty(b, len(answers))
        was_training = self.model.training
        self.model.eval()
        try:
            for i in range(b):
                clip = frames[i : i + 1].expand(len(answers), *frames.shape[1:])
                logits = self.model(**self.model_inputs(batch), **self.image_inputs(clip), use_cache=False).logits
                scores[i] = chat.sequence_log_likelihoods(logits[:, :-1], batch["labels"][:, 1:]).cpu()
        finally:
            self.model.train(was_training)
        return scores

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    # ---- saving a whole tiny model (so ``path:`` can be tested offline) -----------------
    def save_pretrained(self, directory: str | Path) -> Path:
        """Base weights (LoRA merged out, not in), config, tokenizer and image statistics in HF layout."""
        import json

        directory = Path(directory)
        state: dict[str, Any] = {}
        for name, tensor in self.model.state_dict().items():
            if "lora_" in name:
                continue
            state[name.replace(".base_layer.", ".")] = tensor
        self.model.save_pretrained(directory, state_dict=state, safe_serialization=True)
        self.tokenizer.save_pretrained(directory)
        stats = {"image_mean": list(self.image_mean), "image_std": list(self.image_std)}
        (directory / "preprocessor_config.json").write_text(json.dumps(stats, indent=2), encoding="utf-8")
        return directory
