"""Spec options of the Hugging Face backbones (validated before any weight loads)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from skeletonllm.interfaces import PluginOptions

#: The language model's attention and MLP projections (Qwen2 naming, shared by both families).
DEFAULT_LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


#: Vision-tower sizes of the CPU presets (``tower_size``): width, depth, heads and MLP width of the ViT.
#: ``toy`` is each preset's historical tower (InternVL tiny: 32 wide, smol: 64 wide; both 2 layers);
#: the larger ones are what vision pretraining measured (docs/vision_pretraining.md).
TOWER_SIZES: dict[str, dict[str, int]] = {
    "mini": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128},
    "small": {"hidden_size": 128, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 512},
    "base": {"hidden_size": 192, "num_hidden_layers": 6, "num_attention_heads": 6, "intermediate_size": 768},
}
TowerSize = Literal["toy", "mini", "small", "base"]


class LoraOptions(PluginOptions):
    """LoRA on the language model only (the vision tower and projector are never wrapped)."""

    enabled: bool = True
    r: int = Field(32, ge=1, le=1024)
    alpha: float = Field(64, gt=0)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: list(DEFAULT_LORA_TARGETS), min_length=1)


class HFBackboneOptions(PluginOptions):
    """``path`` (a local checkpoint directory) or ``preset: tiny``; the rest tunes either."""

    path: str | None = None
    preset: Literal["tiny"] | None = None
    image_size: int | None = Field(
        None,
        ge=14,
        le=4096,
        description="frame side in pixels (default: the checkpoint's); in a spec it follows renderer.size",
    )
    frames: int = Field(12, ge=1, description="frames per clip, one image placeholder each; follows renderer.frames")
    lora: LoraOptions = Field(default_factory=LoraOptions)
    trainable: list[Literal["vision", "projector", "llm", "lora"]] = Field(
        default_factory=lambda: ["projector", "lora"], description="groups trainable after construction"
    )
    gradient_checkpointing: bool = False
    dtype: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    max_length: int = Field(8192, ge=16, description="longest token sequence accepted (prompt + answer)")
    loss_on: Literal["answer", "label_line"] = Field(
        "answer", description="'label_line': only the final 'Label: ...' line of the answer is scored"
    )
    system_prompt: str | None = None
    class_names: list[str] = Field(
        default_factory=list, description="extra words for the tiny preset's tokenizer (NTU-120 names always in)"
    )
    seed: int = Field(0, description="initialisation seed of presets and LoRA; in a spec it follows optim.seed")
    attn_implementation: Literal["sdpa", "eager"] = "sdpa"
    tower_size: TowerSize | None = Field(
        None,
        description="presets only: the vision tower's size, toy (default: the preset's own 2-layer tower), mini "
        "(2 layers, 64 wide: the smol preset's own), small (4 layers, 128 wide) or base (6 layers, 192 wide); "
        "a checkpoint's tower is the checkpoint's",
    )
    vision_init: str = Field(
        "random",
        description="random (the preset's initialisation, or the checkpoint's own encoder), pretrained (the cached "
        "tower of this architecture, made by 'skeletonllm pretrain-vision'), or a tower folder",
    )

    @model_validator(mode="after")
    def _one_source(self) -> HFBackboneOptions:
        if self.path is not None and self.preset is not None:
            raise ValueError("give either 'path' (a local checkpoint directory) or 'preset', not both")
        if self.path is not None and self.tower_size is not None:
            raise ValueError("'tower_size' sizes a preset's tower; a checkpoint ('path') brings its own")
        if self.path is None and self.preset is None:
            self.preset = "tiny"
        return self

    def tower(self, toy: dict[str, int]) -> dict[str, int]:
        """The preset's vision config fields for ``tower_size`` (``toy``: the preset's own)."""
        return dict(toy) if self.tower_size in (None, "toy") else dict(TOWER_SIZES[self.tower_size])

    def torch_dtype(self):
        """fp32 on CPU, bf16 on GPU unless the spec says otherwise."""
        import torch

        if self.dtype == "auto":
            return torch.bfloat16 if torch.cuda.is_available() else torch.float32
        return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[self.dtype]


class InternVLOptions(HFBackboneOptions):
    """InternVL3 adds ``preset: smol`` (pretrained SmolLM2-135M-Instruct language model, see ``smol.py``)."""

    preset: Literal["tiny", "smol"] | None = None
    cache_dir: str | None = Field(
        None,
        description="preset smol: folder for the converted weights; default $SKELETONLLM_CACHE/backbones, "
        "else $XDG_CACHE_HOME/skeletonllm/backbones, else ~/.cache/skeletonllm/backbones",
    )

    @model_validator(mode="after")
    def _cache_only_for_smol(self) -> InternVLOptions:
        if self.cache_dir is not None and self.preset != "smol":
            raise ValueError("'cache_dir' is used by 'preset: smol' only")
        return self
