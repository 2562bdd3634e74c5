"""Load a real checkpoint from a local directory: offline, safetensors only, one clear error.

Everything goes through ``local_files_only=True`` so a typo in ``path`` can
never turn into a hub download; what is missing is named together with the
layout that was expected, in a single :class:`BackboneLoadError`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

from skeletonllm.errors import SkeletonLLMError

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")


class BackboneLoadError(SkeletonLLMError):
    """A backbone checkpoint directory is missing, incomplete or of another family."""


def expected_layout(model_type: str) -> str:
    """One line describing the directory ``path:`` must point at."""
    return (
        f"a local Hugging Face '{model_type}' checkpoint directory holding config.json (model_type "
        f"'{model_type}'), model.safetensors or model-0000N-of-0000M.safetensors + model.safetensors.index.json, "
        "tokenizer.json or tokenizer_config.json, and optionally preprocessor_config.json"
    )


def check_layout(path: Path, model_type: str) -> dict[str, Any]:
    """Return the parsed config.json after checking every file the loader will need."""
    layout = expected_layout(model_type)
    if not path.is_dir():
        raise BackboneLoadError(f"backbone.path {path}: no such directory; expected {layout}")
    problems = []
    config: dict[str, Any] = {}
    if not (path / "config.json").is_file():
        problems.append("config.json is missing")
    else:
        try:
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"config.json is unreadable ({exc})")
    if config and config.get("model_type") != model_type:
        problems.append(f"config.json has model_type {config.get('model_type')!r}, not {model_type!r}")
    if not any(path.glob("*.safetensors")):
        problems.append("no *.safetensors weights (pytorch_model.bin is not loaded: it would need unpickling)")
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        problems.append("no tokenizer.json / tokenizer_config.json")
    if problems:
        raise BackboneLoadError(f"backbone.path {path}: {'; '.join(problems)}; expected {layout}")
    return config


def image_statistics(path: Path, default_mean, default_std) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``image_mean`` / ``image_std`` from preprocessor_config.json, else the family defaults."""
    file = path / "preprocessor_config.json"
    if not file.is_file():
        return tuple(default_mean), tuple(default_std)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackboneLoadError(f"{file}: unreadable ({exc})") from None
    mean, std = data.get("image_mean", default_mean), data.get("image_std", default_std)
    if len(mean) != 3 or len(std) != 3:
        raise BackboneLoadError(f"{file}: image_mean and image_std must have 3 values, got {mean} and {std}")
    return tuple(float(v) for v in mean), tuple(float(v) for v in std)


def load_local(
    path: str | Path, model_cls: type[PreTrainedModel], model_type: str, dtype: torch.dtype, attn: str
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Model + tokenizer from ``path`` (checked first, so the error is about the layout, not a stack trace)."""
    path = Path(path).expanduser()
    check_layout(path, model_type)
    try:
        from transformers import AutoConfig, AutoTokenizer

        config = AutoConfig.from_pretrained(path, local_files_only=True)
        model = model_cls.from_pretrained(
            path, config=config, dtype=dtype, local_files_only=True, use_safetensors=True, attn_implementation=attn
        )
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise BackboneLoadError(
            f"backbone.path {path}: could not load ({exc}); expected {expected_layout(model_type)}"
        ) from None
    return model, tokenizer
