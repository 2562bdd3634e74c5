"""The vision-pretraining loop: a backbone's tower (and optionally the renderer) learns to read rendered poses.

Only the backbone's ``vision`` group and the heads learn (plus the renderer with
``train_renderer``); the language model is never run. Frames come from a
:class:`.rendered.RenderedSet` (renderer frozen) or are drawn at every step
(renderer learning, targets unchanged because they come from the joints). The
schedule is the trainer's: AdamW, linear warm-up then cosine to 10 %. Every
random draw follows ``seed``, so a run is repeatable.
"""

from __future__ import annotations

import math
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from skeletonllm.interfaces import Sample
from skeletonllm.progress import progress
from skeletonllm.training import warmup_cosine

from ..landmarks import LANDMARKS
from .heads import (
    PretrainHeads,
    fact_hits,
    majority_hits,
    part_error,
    part_error_unsided,
    pose_error,
    pretrain_loss,
)
from .rendered import RenderedSet, render_sequences
from .targets import clip_facts, stack_facts


@dataclass
class Recipe:
    """How long and how hard the tower trains (the stage's options, as plain values)."""

    steps: int = 600
    batch_clips: int = 8
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: int = 30
    hidden: int = 256
    motion_weight: float = 4.0
    pose_weight: float = 1.0
    fact_weight: float = 0.5
    max_grad_norm: float = 1.0
    seed: int = 0


@dataclass
class PretrainResult:
    losses: list[float]
    parts: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mib: float = 0.0
    #: the heads :func:`fit_heads` trained (``pretrain`` trains the caller's)
    heads: PretrainHeads | None = None


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def build_heads(backbone, frames: int, recipe: Recipe, image: torch.Tensor) -> PretrainHeads:
    """Heads sized from one encoded frame batch (token count and width are the tower's)."""
    with torch.no_grad():
        tokens = backbone.encode_frames(image[:1, :1].to(_device(backbone)))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(recipe.seed)
        return PretrainHeads(tokens.shape[-1], tokens.shape[-2], frames, recipe.hidden)


class CachedBatches:
    """Random clips of a rendered set per step (a generator seeded by the step)."""

    def __init__(self, data: RenderedSet, batch: int, seed: int) -> None:
        self.data, self.batch, self.seed = data, batch, seed

    def __call__(self, step: int):
        rng = np.random.default_rng([self.seed, step])
        idx = torch.as_tensor(rng.choice(len(self.data), size=min(self.batch, len(self.data)), replace=False))
        facts = {k: v[idx] for k, v in self.data.facts.items()}
        return self.data.images(idx), self.data.points[idx], self.data.pose[idx], facts


class LiveBatches:
    """Clips drawn by the (learning) renderer at every step, with random segment offsets; one topology per step."""

    def __init__(self, renderer, samples: list[Sample], frames: int, batch: int, seed: int) -> None:
        self.renderer, self.frames, self.batch, self.seed = renderer, frames, batch, seed
        self.samples = samples
        self.by_topology: dict[object, list[int]] = {}
        self.facts: dict[str, dict] = {}
        for i, sample in enumerate(samples):
            sequence = sample.load()
            self.by_topology.setdefault(sequence.topology, []).append(i)
            self.facts[sample.id] = clip_facts(sequence)
        self.groups = list(self.by_topology.values())

    def __call__(self, step: int):
        rng = np.random.default_rng([self.seed, step])
        weights = np.array([len(g) for g in self.groups], dtype=float)
        group = self.groups[int(rng.choice(len(self.groups), p=weights / weights.sum()))]
        picked = [self.samples[int(i)] for i in rng.choice(group, size=min(self.batch, len(group)), replace=False)]
        # with gradient: the renderer learns too
        images, points, pose = render_sequences(self.renderer, [s.load() for s in picked], self.frames, rng, grad=True)
        return images, points, pose, stack_facts([self.facts[s.id] for s in picked])


def pretrain(
    backbone,
    heads: PretrainHeads,
    batches: Callable[[int], tuple],
    recipe: Recipe,
    renderer=None,
    show_progress: bool = True,
    on_step: Callable[[int, float], None] | None = None,
) -> PretrainResult:
    """Train the tower (and ``renderer``'s parameters, when given) and the heads for ``recipe.steps`` steps."""
    backbone.set_trainable(["vision"])
    params = [p for p in backbone.parameters() if p.requires_grad] + list(heads.parameters())
    if renderer is not None:
        renderer.requires_grad_(True)
        params += list(renderer.parameters())
    optimizer = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=recipe.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(recipe.warmup, recipe.steps))
    device = _device(backbone)
    heads.to(device)
    backbone.train()
    heads.train()
    result = PretrainResult(losses=[])
    start = time.perf_counter()
    steps = range(recipe.steps)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(recipe.seed)
        for step in progress(steps, desc="vision pretraining", unit="step") if show_progress else steps:
            images, points, pose, facts = batches(step)
            points, pose, facts = points.to(device), pose.to(device), {k: v.to(device) for k, v in facts.items()}
            out = heads(backbone.encode_frames(images.to(device)))
            loss, parts = pretrain_loss(out, points, pose, facts, recipe)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, recipe.max_grad_norm)
            optimizer.step()
            scheduler.step()
            result.losses.append(float(loss.item()))
            result.parts.append(parts)
            if on_step is not None:
                on_step(step, result.losses[-1])
    result.seconds = time.perf_counter() - start
    result.peak_rss_mib = peak_rss_mib()
    backbone.eval()
    return result


@torch.no_grad()
def encode_set(backbone, data: RenderedSet, batch: int = 16, show_progress: bool = False) -> torch.Tensor:
    """``(N, F, T, D)``: the (frozen) tower's tokens of every clip of ``data``, on the CPU."""
    backbone.eval()
    starts = range(0, len(data), batch)
    out = []
    for start in progress(starts, desc="encoding", unit="batch") if show_progress else starts:
        idx = torch.arange(start, min(start + batch, len(data)))
        out.append(backbone.encode_frames(data.images(idx).to(_device(backbone))).float().cpu())
    return torch.cat(out)


def fit_heads(tokens: torch.Tensor, data: RenderedSet, recipe: Recipe, show_progress: bool = False) -> PretrainResult:
    """Fresh heads read a frozen tower: trained on its cached ``tokens`` of ``data`` with ``recipe``'s loss.

    What a tower whose heads were not kept (or a random tower) can be read for: the same
    heads, loss, schedule and batches as :func:`pretrain`, with the tower fixed. Returns the
    result with the heads in ``result.heads``.
    """
    n, frames, count, dim = tokens.shape
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(recipe.seed)
        heads = PretrainHeads(dim, count, frames, recipe.hidden)
        optimizer = torch.optim.AdamW(heads.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(recipe.warmup, recipe.steps))
        result = PretrainResult(losses=[])
        start = time.perf_counter()
        heads.train()
        steps = range(recipe.steps)
        for step in progress(steps, desc="fitting heads", unit="step") if show_progress else steps:
            rng = np.random.default_rng([recipe.seed, step])
            idx = torch.as_tensor(rng.choice(n, size=min(recipe.batch_clips, n), replace=False))
            facts = {k: v[idx] for k, v in data.facts.items()}
            loss, parts = pretrain_loss(heads(tokens[idx]), data.points[idx], data.pose[idx], facts, recipe)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(heads.parameters(), recipe.max_grad_norm)
            optimizer.step()
            scheduler.step()
            result.losses.append(float(loss.item()))
    result.seconds = time.perf_counter() - start
    result.heads = heads.eval()
    return result


@torch.no_grad()
def predict(backbone, heads: PretrainHeads, data: RenderedSet, batch: int = 16) -> dict[str, torch.Tensor]:
    """Head outputs for every clip of ``data`` (the tower and heads in eval mode)."""
    backbone.eval()
    heads.eval()
    outs: list[dict[str, torch.Tensor]] = []
    for start in range(0, len(data), batch):
        idx = torch.arange(start, min(start + batch, len(data)))
        out = heads(backbone.encode_frames(data.images(idx).to(_device(backbone))))
        outs.append({k: v.float().cpu() for k, v in out.items()})
    return {k: torch.cat([o[k] for o in outs]) for k in outs[0]}


def mean_body_pose(train: RenderedSet, n: int) -> torch.Tensor:
    """The training clips' mean body pose, repeated for ``n`` clips (the blind guess of the pose head)."""
    mean = torch.nanmean(train.pose.transpose(1, 2).flatten(0, 1), dim=0).nan_to_num(0.0)  # (P, POSE)
    return mean.reshape(1, mean.shape[0], 1, -1).expand(n, -1, train.pose.shape[2], -1)


def mean_pose(train: RenderedSet) -> torch.Tensor:
    """``(P, L, 3)``: every landmark's mean over the training clips and frames (the blind guess)."""
    return torch.nanmean(train.points.transpose(1, 2).flatten(0, 1), dim=0).nan_to_num(0.0)


def evaluate(backbone, heads: PretrainHeads, data: RenderedSet, train: RenderedSet) -> dict:
    """Landmark error (body heights) and fact accuracy per group of clips, each beside its blind bar.

    The bars: the training set's mean pose for the landmarks, the training set's most
    frequent value for each fact; a tower that does not read the frames gets exactly these.
    """
    out = predict(backbone, heads, data)
    errors = part_error(out["points"], data.points, data.scale)
    pose_errors = pose_error(out["pose"], data.pose)
    unsided = part_error_unsided(out["points"], data.points, data.scale)
    per_landmark = (out["points"][..., :2] - data.points[..., :2]).norm(dim=-1) / data.scale.reshape(-1, 1, 1, 1)
    blind = mean_pose(train).reshape(1, *data.points.shape[1:2], 1, *data.points.shape[3:]).expand_as(data.points)
    blind_errors = part_error(blind, data.points, data.scale)
    hits = fact_hits(out, data.facts)
    report: dict[str, dict] = {}
    for group in sorted(set(data.groups)):
        idx = torch.tensor([i for i, g in enumerate(data.groups) if g == group])
        sub = {k: v[idx] for k, v in data.facts.items()}
        err = errors[idx]
        report[group] = {
            "clips": len(idx),
            "part_error_heights": _nanmean(err),
            "mean_pose_error_heights": _nanmean(blind_errors[idx]),
            "part_error_unsided_heights": _nanmean(unsided[idx]),
            "part_error_by_landmark": {name: _nanmean(per_landmark[idx][..., i]) for i, name in enumerate(LANDMARKS)},
            "body_pose_error_heights": _nanmean(pose_errors[idx]),
            "body_pose_blind_heights": _nanmean(pose_error(mean_body_pose(train, len(data)), data.pose)[idx]),
            "facts": {k: _nanmean(v[idx]) for k, v in hits.items()},
            "majority": majority_hits(train.facts, sub),
        }
    return report


def _device(module) -> torch.device:
    return next(module.parameters()).device


def _nanmean(values: torch.Tensor) -> float:
    ok = values[torch.isfinite(values)]
    return float(ok.mean()) if len(ok) else math.nan


__all__ = [
    "CachedBatches", "LiveBatches", "PretrainResult", "Recipe", "build_heads", "encode_set", "evaluate", "fit_heads",
    "pretrain",
]  # fmt: skip
