"""Rough memory needed to train a backbone, from its config alone (no weights touched).

The parameter count comes from building the model on the ``meta`` device,
which allocates nothing; the rest is arithmetic, printed before a real
checkpoint loads so an out-of-memory surprise is seen in the first second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel

GIB = 1024**3


@dataclass(frozen=True)
class MemoryEstimate:
    params: int
    lora_params: int
    weights_gib: float
    lora_train_gib: float
    activations_gib: float

    @property
    def total_gib(self) -> float:
        return self.weights_gib + self.lora_train_gib + self.activations_gib

    def line(self, what: str) -> str:
        return (
            f"{what}: {_count(self.params)} parameters -> weights {self.weights_gib:.1f} GiB, "
            f"LoRA ({_count(self.lora_params)}) with grads + AdamW {self.lora_train_gib:.2f} GiB, "
            f"activations ~{self.activations_gib:.1f} GiB; about {self.total_gib:.1f} GiB per GPU at batch 1"
        )


def _count(n: int) -> str:
    return f"{n / 1e9:.2f} B" if n >= 1e9 else f"{n / 1e6:.2f} M"


def count_parameters(model_cls: type[PreTrainedModel], config: PretrainedConfig) -> int:
    """Parameter count of ``model_cls(config)`` built on the meta device (no memory, milliseconds)."""
    with torch.device("meta"):
        model = model_cls(config)
    return sum(p.numel() for p in model.parameters())


def lora_parameter_count(text_config: PretrainedConfig, r: int, targets: list[str]) -> int:
    """``r * (in + out)`` per wrapped projection per layer of a Qwen2-style decoder."""
    h = text_config.hidden_size
    kv = text_config.num_key_value_heads * (h // text_config.num_attention_heads)
    inter = text_config.intermediate_size
    shapes = {
        "q_proj": (h, h),
        "k_proj": (h, kv),
        "v_proj": (h, kv),
        "o_proj": (h, h),
        "gate_proj": (h, inter),
        "up_proj": (h, inter),
        "down_proj": (inter, h),
    }
    per_layer = sum(r * (i + o) for name, (i, o) in shapes.items() if name in targets)
    return per_layer * text_config.num_hidden_layers


def estimate(
    params: int,
    lora_params: int,
    text_config: PretrainedConfig,
    tokens: int,
    bytes_per_param: int = 2,
    gradient_checkpointing: bool = True,
    vision_config: PretrainedConfig | None = None,
    vision_tokens: int = 0,
) -> MemoryEstimate:
    """Weights at ``bytes_per_param``; LoRA in fp32 with grad and two Adam moments (16 B each);
    activations ~ ``tokens * hidden * layers * bytes`` times 2 kept per layer with checkpointing,
    times ~34 without (attention + MLP intermediates of a Llama-style block), for the language
    model and, since the renderer needs gradients through it, for the vision encoder's
    ``vision_tokens`` patches too."""
    per_layer = 2 if gradient_checkpointing else 34
    act = tokens * text_config.hidden_size * text_config.num_hidden_layers * bytes_per_param * per_layer
    if vision_config is not None and vision_tokens:
        depth = getattr(vision_config, "depth", None) or vision_config.num_hidden_layers
        act += vision_tokens * vision_config.hidden_size * depth * bytes_per_param * per_layer
    logits = tokens * text_config.vocab_size * 4  # fp32 logits for the loss
    return MemoryEstimate(
        params=params,
        lora_params=lora_params,
        weights_gib=params * bytes_per_param / GIB,
        lora_train_gib=lora_params * 16 / GIB,
        activations_gib=(act + logits) / GIB,
    )
