"""Train a text-motion evaluator on any captioned dataset, and measure its own retrieval accuracy.

Contrastive training as in HumanML3D's evaluator, with a symmetric InfoNCE
loss (CLIP's) instead of its margin loss: in a batch, each motion must pick
its caption among the batch's captions and vice versa. Captions identical
to the true one (two clips described by the same sentence) are not counted
as negatives. Each epoch draws one of a clip's references at random, so
all of HumanML3D's three captions (or SynthAct's three) are used.

Everything random (initialisation, order, reference choice) comes from
``seed``; the result is reported on a held-out split with
:func:`~.retrieval.retrieval_scores`, so a user sees how far above chance
(1/32 for R@1, 3/32 for R@3) it is before trusting numbers it produces.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from skeletonllm.errors import SkeletonLLMError

from .features import motion_features
from .model import EvaluatorConfig, TextMotionEvaluator
from .retrieval import retrieval_scores


@dataclass
class CaptionedClips:
    """Motion features ``(N, frames, channels)`` with each clip's references (the first is its text)."""

    ids: list[str]
    features: np.ndarray
    references: list[list[str]]

    def __post_init__(self) -> None:
        if not (len(self.ids) == len(self.features) == len(self.references)):
            raise SkeletonLLMError("ids, features and references must have one entry per clip")


@dataclass
class TrainSettings:
    epochs: int = 60
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0
    progress: bool = True
    history: list[float] = field(default_factory=list)


def _bar(items: Iterable, show: bool, **kwargs) -> Iterable:
    return tqdm(items, disable=not show, file=sys.stderr, dynamic_ncols=True, leave=False, **kwargs)


def clip_references(sample) -> list[str]:
    """A sample's captions: ``meta['references']`` when the dataset gives several, else its ``text``."""
    refs = [r for r in sample.meta.get("references") or [] if isinstance(r, str) and r.strip()]
    if not refs and sample.text:
        refs = [sample.text]
    return refs


def collect_clips(
    samples: Iterable, frames: int | None = None, progress: bool = True, what: str = ""
) -> CaptionedClips:
    """Load and featurise captioned samples; a sample without any caption is an error naming it."""
    ids, feats, refs = [], [], []
    for sample in _bar(list(samples), progress, desc=f"featurising {what}".strip(), unit="clip"):
        captions = clip_references(sample)
        if not captions:
            raise SkeletonLLMError(f"sample {sample.id} has no caption (text or meta['references']) to train on")
        feats.append(motion_features(sample.load(), frames) if frames else motion_features(sample.load()))
        ids.append(sample.id)
        refs.append(captions)
    if not ids:
        raise SkeletonLLMError(f"no samples in {what or 'the split'}")
    return CaptionedClips(ids, np.stack(feats), refs)


def _loss(model: TextMotionEvaluator, motion: torch.Tensor, text: torch.Tensor, texts: list[str]) -> torch.Tensor:
    logits = model.logit_scale.exp().clamp(max=100.0) * motion @ text.T
    same = torch.tensor([[a == b for b in texts] for a in texts])
    logits = logits.masked_fill(same & ~torch.eye(len(texts), dtype=torch.bool), float("-inf"))
    target = torch.arange(len(texts))
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))


def train_evaluator(
    clips: CaptionedClips, settings: TrainSettings | None = None, config: EvaluatorConfig | None = None
) -> TextMotionEvaluator:
    """A new evaluator trained on ``clips``; per-epoch mean losses go to ``settings.history``."""
    s = settings or TrainSettings()
    if not (np.isfinite(s.lr) and 0 < s.lr <= 1):
        raise SkeletonLLMError(f"learning rate {s.lr} is not in (0, 1]")
    if len(clips.ids) < 2:
        raise SkeletonLLMError("contrastive training needs at least two captioned clips")
    torch.manual_seed(s.seed)
    rng = np.random.default_rng(s.seed)
    cfg = config or EvaluatorConfig(frames=clips.features.shape[1], channels=clips.features.shape[2])
    model = TextMotionEvaluator(cfg)
    unique = sorted({r for refs in clips.references for r in refs})
    vectors = model.sentence_vectors(unique)
    row = {text: i for i, text in enumerate(unique)}
    features = torch.as_tensor(clips.features)
    optim = torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(optim, T_max=max(s.epochs, 1))
    n, batch = len(clips.ids), min(s.batch_size, len(clips.ids))
    model.train()
    bar = _bar(range(s.epochs), s.progress, desc="training text-motion evaluator", unit="epoch")
    for epoch in bar:
        order, total = rng.permutation(n), 0.0
        steps = max(n // batch, 1)
        for step in range(steps):
            idx = order[step * batch : (step + 1) * batch]
            texts = [clips.references[i][rng.integers(len(clips.references[i]))] for i in idx]
            motion = model.motion(features[idx])
            text = model.text(vectors[[row[t] for t in texts]])
            loss = _loss(model, motion, text, texts)
            if not torch.isfinite(loss):
                raise SkeletonLLMError(
                    f"text-motion evaluator diverged at epoch {epoch + 1}, step {step + 1}: loss {loss.item()} "
                    f"(lr {s.lr:g}; try a lower --lr); nothing was saved"
                )
            optim.zero_grad()
            loss.backward()
            optim.step()
            total += float(loss.detach())
        sched.step()
        if not all(torch.isfinite(p).all() for p in model.parameters()):
            raise SkeletonLLMError(
                f"text-motion evaluator diverged at epoch {epoch + 1}: its weights hold NaN or infinite values "
                f"(lr {s.lr:g}; try a lower --lr); nothing was saved"
            )
        s.history.append(total / steps)
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{s.history[-1]:.3f}")
    return model.eval()


@torch.no_grad()
def measure(model: TextMotionEvaluator, clips: CaptionedClips, seed: int = 0) -> dict[str, float]:
    """The evaluator's own R@1, R@3 and MM-Dist on ``clips``, each clip against its first caption."""
    motion = model.encode_features(clips.features)
    text = model.encode_texts([refs[0] for refs in clips.references])
    out = retrieval_scores(motion, text, seed=seed)
    out["clips"] = float(len(clips.ids))
    return out


__all__ = ["CaptionedClips", "TrainSettings", "clip_references", "collect_clips", "measure", "train_evaluator"]
