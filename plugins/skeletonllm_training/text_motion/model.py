"""The text-motion evaluator: a motion encoder and a text encoder in one embedding space.

HumanML3D's protocol (Guo et al., 2022) scores generated text or motion with
a pair of encoders trained contrastively: R-precision (is the true caption
among the k nearest of 32?) and MM-Dist (distance between a motion and its
caption). Here:

- motion encoder: a small temporal convolution network over the
  topology-agnostic body-part features of :mod:`.features`, mean- and
  max-pooled over time;
- text encoder: the frozen all-MiniLM-L6-v2 sentence embedding followed by
  a *trained* two-layer projection. Only the projection is learnt (and
  saved); MiniLM comes from its package at load time.

Both embeddings are L2-normalised, so Euclidean distances lie in [0, 2]
(HumanML3D's unnormalised evaluator gives MM-Dist around 3: the scales are
not comparable). Weights are a safetensors file beside a JSON manifest with
the config (``skeletonllm.checkpoint``); nothing is unpickled.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skeletonllm.checkpoint import load_checkpoint, save_checkpoint
from skeletonllm.errors import CheckpointError

from .features import CHANNELS, FRAMES, motion_features

KIND = "skeletonllm.text_motion_evaluator"
VERSION = 1


@dataclass(frozen=True)
class EvaluatorConfig:
    """Architecture of an evaluator; saved in its manifest so loading rebuilds the same modules."""

    channels: int = CHANNELS
    frames: int = FRAMES
    hidden: int = 192
    dim: int = 128
    text_dim: int = 384  # all-MiniLM-L6-v2

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluatorConfig:
        if not isinstance(data, dict):
            raise CheckpointError(f"text-motion evaluator config is {type(data).__name__}, expected a mapping")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise CheckpointError(f"text-motion evaluator config has unknown fields {sorted(unknown)}")
        bad = [f"{k}: {v!r}" for k, v in data.items() if isinstance(v, bool) or not isinstance(v, int) or v < 1]
        if bad:
            raise CheckpointError(f"text-motion evaluator config values must be whole numbers >= 1: {', '.join(bad)}")
        return cls(**data)


class MotionEncoder(nn.Module):
    """``(B, frames, channels)`` features -> ``(B, dim)`` unit vectors."""

    def __init__(self, cfg: EvaluatorConfig) -> None:
        super().__init__()
        h = cfg.hidden
        self.norm = nn.LayerNorm(cfg.channels)
        self.convs = nn.Sequential(
            nn.Conv1d(cfg.channels, h, 5, padding=2),
            nn.GELU(),
            nn.Conv1d(h, h, 5, padding=2, stride=2),
            nn.GELU(),
            nn.Conv1d(h, h, 5, padding=2, stride=2),
            nn.GELU(),
        )
        self.head = nn.Sequential(nn.Linear(2 * h, h), nn.GELU(), nn.Linear(h, cfg.dim))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = self.convs(self.norm(features).transpose(1, 2))  # (B, h, T')
        pooled = torch.cat([x.mean(-1), x.amax(-1)], dim=-1)
        return F.normalize(self.head(pooled), dim=-1)


class TextProjection(nn.Module):
    """MiniLM sentence vectors ``(B, 384)`` -> ``(B, dim)`` unit vectors."""

    def __init__(self, cfg: EvaluatorConfig) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(cfg.text_dim, cfg.hidden), nn.GELU(), nn.Linear(cfg.hidden, cfg.dim))

    def forward(self, sentence_vectors: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.net(sentence_vectors), dim=-1)


class TextMotionEvaluator(nn.Module):
    """Motion encoder + text projection + a learnt temperature (``logit_scale``) for the contrastive loss."""

    def __init__(self, cfg: EvaluatorConfig | None = None) -> None:
        super().__init__()
        self.config = cfg or EvaluatorConfig()
        self.motion = MotionEncoder(self.config)
        self.text = TextProjection(self.config)
        self.logit_scale = nn.Parameter(torch.tensor(float(np.log(1 / 0.07))))
        self._minilm = None

    # ---- embeddings ---------------------------------------------------------------------------
    def encode_features(self, features: torch.Tensor | np.ndarray) -> torch.Tensor:
        features = torch.as_tensor(np.asarray(features), dtype=torch.float32)
        return self.motion(features)

    def encode_sequences(self, sequences: list) -> torch.Tensor:
        """Unit motion embeddings of ``SkeletonSequence`` objects (any topology with body-part groups)."""
        return self.encode_features(np.stack([motion_features(s, self.config.frames) for s in sequences]))

    def sentence_vectors(self, texts: list[str]) -> torch.Tensor:
        if self._minilm is None:
            from ..minilm import load_minilm

            self._minilm = load_minilm()
        return self._minilm.sentences(list(texts))

    def encode_texts(self, texts: list[str]) -> torch.Tensor:
        """Unit text embeddings: frozen MiniLM, then the trained projection."""
        return self.text(self.sentence_vectors(texts))

    # ---- files --------------------------------------------------------------------------------
    def save(self, directory: str | Path, info: dict[str, Any] | None = None) -> Path:
        """Atomically write ``model.safetensors`` + ``manifest.json`` (config and ``info``, e.g. measured accuracy)."""
        manifest = {"kind": KIND, "version": VERSION, "config": asdict(self.config), "info": info or {}}
        return save_checkpoint(directory, dict(self.state_dict()), manifest)

    @classmethod
    def load(cls, directory: str | Path, allow_unverified: bool = False) -> TextMotionEvaluator:
        """Rebuild from a folder written by :meth:`save`; a wrong, partial or edited file is a clear error.

        The checkpoint's integrity record covers the manifest, so an edited config (``frames: 0``)
        is refused like edited weights; the config's values are checked as well.
        """
        tensors, manifest = load_checkpoint(directory, allow_unverified)
        if manifest.get("kind") != KIND:
            raise CheckpointError(f"{directory}: not a text-motion evaluator (manifest kind {manifest.get('kind')!r})")
        if manifest.get("version") != VERSION:
            raise CheckpointError(f"{directory}: evaluator version {manifest.get('version')}, expected {VERSION}")
        model = cls(EvaluatorConfig.from_dict(manifest.get("config", {})))
        try:
            missing, unexpected = model.load_state_dict(tensors, strict=False)
        except RuntimeError as exc:  # a shape mismatch
            detail = [ln.strip() for ln in str(exc).splitlines() if "size mismatch" in ln][:1] or [str(exc)]
            raise CheckpointError(f"{directory}: weights do not match the config: {detail[0]}") from None
        if missing or unexpected:
            raise CheckpointError(
                f"{directory}: weights do not match the config: missing {missing}, extra {unexpected}"
            )
        model.info = manifest.get("info", {})
        return model.eval()


__all__ = ["EvaluatorConfig", "MotionEncoder", "TextMotionEvaluator", "TextProjection"]
