"""One trainer loop for every stage: AdamW, warm-up + cosine, accumulation, atomic checkpoints, resume.

Resume is exact, not approximate: the batch order of every step is a pure
function of ``(seed, stage, epoch)`` and the optimiser moments are saved with
the weights, so a run killed at step k and resumed produces the same
parameters as one that never stopped. Checkpoints hold only what trains
(renderer, and the backbone groups any stage unfroze) in safetensors.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from .checkpoint import load_checkpoint, save_checkpoint
from .errors import CheckpointError, SkeletonLLMError
from .interfaces import Sample
from .interfaces.renderer import CHECKPOINT_PREFIX as RENDERER_PREFIX
from .pipeline import Pipeline

LAST = "last"


def warmup_cosine(warmup: int, total: int):
    """LR multiplier: linear warm-up, then cosine decay to 10 % of the peak."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        progress = (step - warmup) / max(1, total - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


@dataclass
class StageResult:
    stage: str
    steps: int
    losses: list[float] = field(default_factory=list)


def restore_weights(pipeline: Pipeline, tensors: dict[str, torch.Tensor]) -> None:
    """Copy checkpoint tensors (``renderer.*``, ``backbone.*``) into a pipeline's components."""
    if any(k.startswith(RENDERER_PREFIX) for k in tensors):  # absent when no stage trained the renderer
        pipeline.renderer.load_trainable(tensors)
    pipeline.backbone.load_trainable_state(tensors)


def check_backbone(pipeline: Pipeline, manifest: dict, directory) -> None:
    """Refuse weights trained for another backbone (architecture, size or LoRA shape)."""
    if manifest.get("backbone") != pipeline.backbone.identity():
        raise CheckpointError(
            f"{directory} was made for backbone {manifest.get('backbone')!r}, not {pipeline.backbone.identity()!r}"
        )


def load_trained(pipeline: Pipeline, directory) -> dict:
    """Load a training checkpoint into ``pipeline`` after checking it was made for this backbone."""
    tensors, manifest = load_checkpoint(directory)
    check_backbone(pipeline, manifest, directory)
    restore_weights(pipeline, tensors)
    return manifest


class Trainer:
    def __init__(self, pipeline: Pipeline, show_progress: bool = True) -> None:
        self.p = pipeline
        self.optim_cfg = pipeline.cfg.optim
        self.show_progress = show_progress and pipeline.rank == 0
        self.digest = pipeline.cfg.digest()
        self.samples: list[Sample] = pipeline.train_samples()

    # -- what trains -------------------------------------------------------------
    def _set_trainable(self, stage) -> list[nn.Parameter]:
        groups = set(stage.groups)
        learn_renderer = "renderer" in groups and self.p.renderer.learnable
        self.p.renderer.requires_grad_(learn_renderer)
        available = self.p.backbone.parameter_groups()
        self.p.backbone.set_trainable([g for g in groups if g != "renderer" and available.get(g)])
        params = [q for q in chain(self.p.renderer.parameters(), self.p.backbone.parameters()) if q.requires_grad]
        if not params:
            raise SkeletonLLMError(
                f"stage {stage.name!r} trains {sorted(groups)}, but with renderer {self.p.renderer.name!r} and "
                f"backbone {self.p.backbone.name!r} none of those groups has parameters"
            )
        return params

    def _trained_tensors(self, optimizer: torch.optim.Optimizer) -> dict[str, torch.Tensor]:
        """Weights of every group any stage trains, plus the optimiser moments."""
        groups = {g for s in self.p.stages for g in s.groups}
        tensors: dict[str, torch.Tensor] = {}
        if "renderer" in groups and self.p.renderer.learnable:
            tensors.update(self.p.renderer.trainable_state())
        tensors.update(self.p.backbone.trainable_state(sorted(groups - {"renderer"})))
        for idx, state in optimizer.state_dict()["state"].items():
            for key, value in state.items():
                tensors[f"optim.{idx}.{key}"] = torch.as_tensor(value)
        return tensors

    def _restore(self, tensors: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer | None) -> None:
        restore_weights(self.p, tensors)
        if optimizer is not None:
            state = optimizer.state_dict()
            restored: dict[int, dict[str, torch.Tensor]] = {}
            for key, value in tensors.items():
                if key.startswith("optim."):
                    _, idx, name = key.split(".", 2)
                    restored.setdefault(int(idx), {})[name] = value
            state["state"] = restored
            optimizer.load_state_dict(state)

    def _manifest(self, stage: int, step: int, done: bool, history: list[dict]) -> dict:
        return {
            "spec": self.digest,
            "backbone": self.p.backbone.identity(),
            "renderer": self.p.renderer.name,
            "stage": stage,
            "step": step,
            "stage_done": done,
            "history": history,
        }

    def _load_last(self) -> tuple[dict[str, torch.Tensor], dict] | None:
        path = self.p.output_dir / LAST
        try:
            tensors, manifest = load_checkpoint(path)
        except CheckpointError:
            if path.exists() or path.with_name(f".{LAST}.old").exists():
                raise
            return None
        if manifest.get("spec") != self.digest:
            raise CheckpointError(
                f"{path} was written by a different spec (hash {manifest.get('spec')} vs {self.digest}); "
                "use another output_dir or --no-resume"
            )
        check_backbone(self.p, manifest, path)
        return tensors, manifest

    # -- the loop ---------------------------------------------------------------
    def _steps(self, stage) -> int:
        if stage.options.max_steps:
            return int(stage.options.max_steps)
        per_step = self.optim_cfg.batch_size * self.optim_cfg.grad_accum * self.p.world_size
        return max(1, math.ceil(stage.options.epochs * len(self.samples) / per_step)) if stage.options.epochs else 0

    def _micro_batches(self, stage_idx: int, step: int) -> list[list[Sample]]:
        """The samples of optimiser step ``step``: deterministic, so resume replays exactly."""
        bs, accum = self.optim_cfg.batch_size, self.optim_cfg.grad_accum
        per_step = bs * accum * self.p.world_size
        n = len(self.samples)
        start = step * per_step
        picked: list[int] = []
        while len(picked) < per_step:
            epoch, offset = divmod(start + len(picked), n)
            order = np.random.default_rng([self.optim_cfg.seed, stage_idx, epoch]).permutation(n)
            picked += order[offset : offset + per_step - len(picked)].tolist()
        mine = picked[self.p.rank :: self.p.world_size]
        return [[self.samples[i] for i in mine[k * bs : (k + 1) * bs]] for k in range(accum)]

    def _loss(self, stage, stage_idx: int, step: int, micro: list[Sample], k: int) -> torch.Tensor:
        rng = np.random.default_rng([self.optim_cfg.seed, stage_idx, step, k, self.p.rank])
        sequences = [sample.load() for sample in micro]
        frames = self.p.render_sequences(sequences, train=True, rng=rng)
        examples, owner = [], []
        for i, (sample, sequence) in enumerate(zip(micro, sequences, strict=True)):
            for example in stage.examples(self.p.clip_context(sample, sequence), rng):
                examples.append(example)
                owner.append(i)
        frames = frames[torch.as_tensor(owner, device=frames.device)]
        use_bf16 = self.p.device.type == "cuda" and self.optim_cfg.precision in ("auto", "bf16")
        with torch.autocast(self.p.device.type, dtype=torch.bfloat16, enabled=use_bf16):
            return self.p.backbone.loss(frames, examples)

    def _prepare(self, stage) -> None:
        """Let the stage look at the seen training clips once (e.g. Disc-FT's motion profiles)."""
        stage.prepare(self.p.clip_context(sample, sample.load()) for sample in self.samples)

    def fit(self, resume: bool = True) -> list[dict]:
        from .progress import progress

        last = self._load_last() if resume else None
        start_stage, start_step, history = 0, 0, []
        if last is not None:
            _, manifest = last
            history = list(manifest.get("history", []))
            start_stage = manifest["stage"] + (1 if manifest["stage_done"] else 0)
            start_step = 0 if manifest["stage_done"] else manifest["step"]
            self._restore(last[0], None)
        for si, stage in enumerate(self.p.stages):
            if si < start_stage:
                continue
            total = self._steps(stage)
            if total == 0:
                continue
            params = self._set_trainable(stage)
            self._prepare(stage)
            lr = stage.options.lr or self.optim_cfg.lr
            optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=self.optim_cfg.weight_decay)
            scheduler = torch.optim.lr_scheduler.LambdaLR(
                optimizer, warmup_cosine(self.optim_cfg.warmup_for(total), total)
            )
            first = start_step if si == start_stage else 0
            if first:
                self._restore(last[0], optimizer)
                with warnings.catch_warnings():  # fast-forwarding the schedule, no step is skipped
                    warnings.simplefilter("ignore", UserWarning)
                    for _ in range(first):
                        scheduler.step()
            self.p.renderer.train()
            self.p.backbone.train()
            losses: list[float] = []
            steps = range(first, total)
            bar = (
                progress(steps, desc=f"stage {si + 1}/{len(self.p.stages)} {stage.name}", unit="step", total=len(steps))
                if self.show_progress
                else iter(steps)
            )
            for step in bar:
                losses.append(self._optimizer_step(stage, si, step, params, optimizer))
                scheduler.step()
                done = step + 1 == total
                if self.p.rank == 0 and ((step + 1) % self.optim_cfg.save_every == 0 or done):
                    record = history + ([_stage_record(stage.name, total, losses)] if done else [])
                    save_checkpoint(
                        self.p.output_dir / LAST,
                        self._trained_tensors(optimizer),
                        self._manifest(si, step + 1, done, record),
                    )
            history.append(_stage_record(stage.name, total, losses))
        return history

    def _optimizer_step(self, stage, si: int, step: int, params, optimizer: torch.optim.Optimizer) -> float:
        """Accumulate the micro-batches of ``step``, average gradients across ranks, clip, step."""
        optimizer.zero_grad(set_to_none=True)
        value = 0.0
        for k, micro in enumerate(self._micro_batches(si, step)):
            loss = self._loss(stage, si, step, micro, k) / self.optim_cfg.grad_accum
            if not torch.isfinite(loss):
                raise SkeletonLLMError(f"stage {stage.name!r} step {step}: loss is {loss.item()} (lower optim.lr?)")
            loss.backward()
            value += loss.item()
        if self.p.world_size > 1:
            for q in params:
                if q.grad is not None:
                    dist.all_reduce(q.grad)
                    q.grad /= self.p.world_size
        if self.optim_cfg.max_grad_norm:
            torch.nn.utils.clip_grad_norm_(params, self.optim_cfg.max_grad_norm)
        optimizer.step()
        return value


def _stage_record(name: str, steps: int, losses: list[float]) -> dict:
    """One line of the training history kept in the manifest (losses of this run's steps)."""
    return {
        "stage": name,
        "steps": steps,
        "loss_first": losses[0] if losses else None,
        "loss_last": losses[-1] if losses else None,
    }
