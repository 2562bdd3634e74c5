"""``skeleton_align``: the skeleton-text alignment baseline of zero-shot skeleton papers (SMIE, PURLS).

A joint encoder maps a clip into the space of a frozen sentence encoder
(all-MiniLM-L6-v2), where each class is the embedding of its name and of its
description (``Dataset.class_descriptions``: the whole-movement sentence, the
body-part sentences); a clip is scored against the candidate classes by
scaled cosine similarity and trained with cross-entropy over the seen
candidates. Unseen classes are scored by their texts alone, which is the
zero-shot mechanism of SMIE (Zhou et al., 2023) and PURLS (Zhu et al., 2024).

The encoder reads joints, not frames (``reads = "skeleton"``): the
topology-agnostic body-part features of the text-motion evaluator (centroid
and tip of head, torso, both arms and both legs, in a body frame estimated
from the clip, divided by body size; up to two performers) and its temporal
convolution network. So one encoder reads Kinect 20/25 joints, SMPL-22,
BVH/ASF hierarchies and 2D keypoints alike.

``blind: true`` replaces the clip by one learned vector: the same model and
training that cannot see the motion, i.e. the text-only prior of the names.
"""

from __future__ import annotations

import math
from typing import ClassVar, Literal

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import Field
from torch import nn

from skeletonllm.batch import SkeletonBatch
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import PluginOptions
from skeletonllm.tasks import TaskExample

from ..text_motion.features import CHANNELS, motion_features
from ..text_motion.model import EvaluatorConfig, MotionEncoder
from .scoring import JointScorer, TextKind, _check_count, answer_index, clip_sequences, question


class SkeletonAlignOptions(PluginOptions):
    text: list[TextKind] = Field(
        default_factory=lambda: ["name", "whole"],
        min_length=1,
        description="class texts embedded and averaged: name, whole (the description's sentence), parts",
    )
    steps: int = Field(32, ge=4, description="time steps the clip's body-part features are resampled to")
    hidden: int = Field(192, ge=8, description="width of the temporal convolution network")
    temperature: float = Field(0.07, gt=0, description="initial softmax temperature (learned afterwards)")
    blind: bool = Field(False, description="replace the clip by one learned vector: the text-only prior")
    class_names: list[str] = Field(default_factory=list, description="candidates when an example lists none")
    trainable: list[Literal["vision", "projector", "llm", "lora"]] = Field(
        default_factory=lambda: ["vision", "projector"]
    )
    seed: int = 0


class SkeletonAlignBackbone(JointScorer):
    """Joint encoder aligned to MiniLM embeddings of class names and descriptions."""

    name: ClassVar[str] = "skeleton_align"
    summary: ClassVar[str] = "Skeleton-text alignment (SMIE/PURLS family): joint encoder vs MiniLM class texts"
    Options = SkeletonAlignOptions

    def __init__(self, options: SkeletonAlignOptions | None = None) -> None:
        super().__init__(options)
        from ..minilm import load_minilm  # imported on build: the plugin registers without torch

        opts: SkeletonAlignOptions = self.options
        self.minilm = load_minilm()
        dim = self.minilm.dim
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(opts.seed)
            config = EvaluatorConfig(channels=CHANNELS, frames=opts.steps, hidden=opts.hidden, dim=dim)
            self.encoder = MotionEncoder(config)
            self.constant = nn.Parameter(F.normalize(torch.randn(dim), dim=0))
            self.projection = nn.Linear(dim, dim)
            nn.init.eye_(self.projection.weight)
            nn.init.zeros_(self.projection.bias)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / opts.temperature)))
        self.yes_no_bias = nn.Parameter(torch.zeros(()))
        self._text_cache: dict[str, torch.Tensor] = {}
        self.set_trainable(opts.trainable)

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        vision = [self.constant] if self.options.blind else list(self.encoder.parameters())
        return {
            "vision": vision,
            "projector": [*self.projection.parameters(), self.logit_scale, self.yes_no_bias],
            "llm": [],  # MiniLM stays frozen
            "lora": [],
        }

    def identity(self) -> str:
        o = self.options
        seeing = "blind" if o.blind else f"tcn{o.hidden}x{o.steps}"
        return f"{self.name}/{seeing}/text-{'+'.join(o.text)}-{self.minilm.dim}d"

    # ---- embeddings -------------------------------------------------------------------------
    def model_input(self, renderer, batch: SkeletonBatch) -> torch.Tensor:
        """``(B, steps, channels)`` topology-agnostic body-part features of each clip (the renderer is not used)."""
        features = np.stack([motion_features(s, self.options.steps) for s in clip_sequences(batch)])
        return torch.as_tensor(features, device=batch.positions.device)

    def clip_embeddings(self, features: torch.Tensor) -> torch.Tensor:
        """``(B, D)`` unit vectors: features -> temporal convolutions -> projection (blind: one learned vector)."""
        if self.options.blind:
            return F.normalize(self.projection(self.constant), dim=-1).expand(features.shape[0], -1)
        encoded = self.encoder(features.to(self.logit_scale.device, torch.float32))
        return F.normalize(self.projection(encoded), dim=-1)

    def class_embeddings(self, names: list[str]) -> torch.Tensor:
        """``(K, D)`` unit vectors: the mean of the MiniLM embeddings of each class's chosen texts."""
        missing = [n for n in dict.fromkeys(names) if n not in self._text_cache]
        if missing:
            texts = [self.texts.get(n, kind) for n in missing for kind in self.options.text]
            vectors = self.minilm.sentences(texts).view(len(missing), len(self.options.text), -1)
            for name, vec in zip(missing, F.normalize(vectors.mean(1), dim=-1)):
                self._text_cache[name] = vec
        return torch.stack([self._text_cache[n] for n in names]).to(self.logit_scale.device)

    def scores(self, inputs: torch.Tensor, examples: list[TaskExample]) -> list[tuple[str, list[str], torch.Tensor]]:
        clips = self.clip_embeddings(inputs)
        scale = self.logit_scale.exp().clamp(max=100)
        out = []
        for clip, example in zip(clips, examples, strict=True):
            kind, names = question(example, self.options.class_names, self.name)
            out.append((kind, names, scale * (self.class_embeddings(names) @ clip)))
        return out

    def yes_bias(self) -> float:
        return float(self.yes_no_bias)

    def loss(self, frames: torch.Tensor, examples: list[TaskExample]) -> torch.Tensor:
        """Cross-entropy over each example's candidates, or binary cross-entropy for YES/NO, averaged."""
        _check_count(frames, examples)
        losses = []
        for example, (kind, names, logits) in zip(examples, self.scores(frames, examples)):
            if kind == "yes_no":
                if example.answer not in ("yes", "no"):
                    raise SkeletonLLMError(f"a YES/NO example needs answer 'yes' or 'no', got {example.answer!r}")
                target = torch.tensor(float(example.answer == "yes"), device=logits.device)
                losses.append(F.binary_cross_entropy_with_logits(logits[0] + self.yes_no_bias, target))
            else:
                target = torch.tensor([answer_index(example, names)], device=logits.device)
                losses.append(F.cross_entropy(logits[None], target))
        return torch.stack(losses).mean()
