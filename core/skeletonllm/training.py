"""One trainer loop for every stage: AdamW, warm-up + cosine, accumulation, atomic checkpoints, resume.

Resume is bitwise exact on CPU, not approximate. Every random draw of a step
is a pure function of the spec's seed and the step's coordinates
(:mod:`.sampling`), so the random state a checkpoint needs is its
``(stage, step)``, already in the manifest, and no generator state has to be
saved or gathered from every rank. The optimiser moments are saved with the
weights. A run killed at step k (even while a checkpoint is written) and
resumed produces the same parameters as one that never stopped.

Under torchrun the trainable modules run inside DistributedDataParallel
(:mod:`.distributed`); rank 0 logs and writes checkpoints. Checkpoints hold
only what trains (renderer, and the backbone groups any stage unfroze) in
safetensors.
"""

from __future__ import annotations

import json
import math
import shutil
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from itertools import chain

import torch
from torch import nn

from . import distributed
from .batch import MixedBatch, SkeletonBatch, segment_indices
from .checkpoint import LAST, MANIFEST, load_checkpoint, save_checkpoint
from .checkpoint_checks import check_optimizer_state, check_restorable
from .errors import CheckpointError, SkeletonLLMError
from .interfaces import Sample
from .interfaces.renderer import CHECKPOINT_PREFIX as RENDERER_PREFIX
from .manifest import TASKS, trained_tasks
from .pipeline import Pipeline
from .runlock import RunLock
from .sampling import global_batch, rank_share, sample_generator, step_seed
from .stop_signals import TrainingStopped, stop_on_signals
from .tasks import TaskExample


def warmup_cosine(warmup: int, total: int):
    """LR multiplier: linear warm-up, then cosine decay to 10 % of the peak."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        progress = (step - warmup) / max(1, total - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


def restore_weights(pipeline: Pipeline, tensors: dict[str, torch.Tensor]) -> None:
    """Copy checkpoint tensors (``renderer.*``, ``backbone.*``) into a pipeline's components."""
    if any(k.startswith(RENDERER_PREFIX) for k in tensors):  # absent when no stage trained the renderer
        pipeline.renderer.load_trainable(tensors)
    pipeline.backbone.load_trainable(tensors)


def check_backbone(pipeline: Pipeline, manifest: dict, directory) -> None:
    """Refuse weights trained for another backbone (architecture, size or LoRA shape)."""
    if manifest.get("backbone") != pipeline.backbone.identity():
        raise CheckpointError(
            f"{directory} was made for backbone {manifest.get('backbone')!r}, not {pipeline.backbone.identity()!r}"
        )


def load_trained(pipeline: Pipeline, directory, allow_unverified: bool = False, warn: bool = True) -> dict:
    """Load a training checkpoint into ``pipeline`` after checking it was made for this backbone.

    ``allow_unverified``: accept one without an integrity record; ``warn``: say so on stderr (false
    when :func:`~skeletonllm.checkpoint_checks.accept_checkpoint` already put it among its notes).
    """
    tensors, manifest = load_checkpoint(directory, allow_unverified, warn)
    check_backbone(pipeline, manifest, directory)
    check_restorable(pipeline, tensors, manifest, directory)  # stage/step in range, no tensor missing
    restore_weights(pipeline, tensors)
    return manifest


def component_records(pipeline: Pipeline) -> dict:
    """``{section: {"name", "options"}}`` of every component, options as validated JSON.

    Data, renderer, backbone and teacher come from the spec's own records (the reading side,
    ``render --checkpoint``, rebuilds them); the stages are listed for the history.
    """
    spec = pipeline.spec
    records = spec.records()
    records["stages"] = [spec.record("stages", i) for i in range(len(pipeline.cfg.stages))]
    return records


class TrainingModel(nn.Module):
    """Renderer and backbone as one module whose forward is the training loss.

    DistributedDataParallel synchronises the gradients of the parameters its
    module's ``forward`` used, so the whole differentiable path (skeleton ->
    frames -> loss) has to be one forward.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__()
        self.renderer = pipeline.renderer
        self.backbone = pipeline.backbone
        self.bf16 = pipeline.device.type == "cuda" and pipeline.cfg.optim.precision in ("auto", "bf16")

    def forward(
        self, batch: SkeletonBatch | MixedBatch, owner: torch.Tensor, examples: list[TaskExample]
    ) -> torch.Tensor:
        frames = batch.apply(lambda part: self.backbone.model_input(self.renderer, part))[owner]
        with torch.autocast(frames.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            return self.backbone.loss(frames, examples)


class Trainer:
    def __init__(self, pipeline: Pipeline, show_progress: bool = True) -> None:
        self.pipeline = pipeline
        self.optim_cfg = pipeline.cfg.optim
        self.show_progress = show_progress and pipeline.rank == 0
        self.digest = pipeline.cfg.digest()
        self.tasks: set[str] = set()  # the kinds of question asked so far (the manifest's ``tasks``)
        self.samples: list[Sample] = pipeline.train_samples()
        self._tick: Callable[[], object] | None = None  # called after each micro-batch (the progress bar)
        ids = [s.id for s in self.samples]
        for stage in pipeline.stages:  # a teacher missing some clips fails now, naming them, not at step 1000
            stage.check_teacher(ids)
        distributed.init_process_group(pipeline.device)

    # -- what trains -------------------------------------------------------------
    def _set_trainable(self, stage) -> list[nn.Parameter]:
        pipeline = self.pipeline
        groups = set(stage.groups)
        learn_renderer = "renderer" in groups and pipeline.renderer.learnable
        pipeline.renderer.requires_grad_(learn_renderer)
        available = pipeline.backbone.parameter_groups()
        pipeline.backbone.set_trainable([g for g in groups if g != "renderer" and available.get(g)])
        params = [q for q in chain(pipeline.renderer.parameters(), pipeline.backbone.parameters()) if q.requires_grad]
        if not params:
            raise SkeletonLLMError(
                f"stage {stage.name!r} trains {sorted(groups)}, but with renderer {pipeline.renderer.name!r} and "
                f"backbone {pipeline.backbone.name!r} none of those groups has parameters"
            )
        return params

    def _trained_tensors(self, optimizer: torch.optim.Optimizer | None) -> dict[str, torch.Tensor]:
        """Weights of every group any stage trains, plus the optimiser moments (none after a self-trained stage)."""
        pipeline = self.pipeline
        groups = {g for s in pipeline.stages for g in s.groups}
        tensors: dict[str, torch.Tensor] = {}
        if "renderer" in groups and pipeline.renderer.learnable:
            tensors.update(pipeline.renderer.trainable_state())
        tensors.update(pipeline.backbone.trainable_state(sorted(groups - {"renderer"})))
        for idx, state in (optimizer.state_dict()["state"] if optimizer is not None else {}).items():
            for key, value in state.items():
                tensors[f"optim.{idx}.{key}"] = torch.as_tensor(value)
        return tensors

    def _restore(self, tensors: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer | None) -> None:
        restore_weights(self.pipeline, tensors)
        if optimizer is not None:
            state = optimizer.state_dict()
            restored: dict[int, dict[str, torch.Tensor]] = {}
            for key, value in tensors.items():
                if key.startswith("optim."):
                    _, idx, name = key.split(".", 2)
                    restored.setdefault(int(idx), {})[name] = value
            state["state"] = restored
            optimizer.load_state_dict(state)

    def _manifest(self, stage_index: int, step: int, done: bool, history: list[dict], losses: list[float]) -> dict:
        return {
            "spec": self.digest,
            "backbone": self.pipeline.backbone.identity(),
            "renderer": self.pipeline.renderer.name,
            "components": component_records(self.pipeline),
            TASKS: sorted(self.tasks),
            "stage": stage_index,
            "step": step,
            "stage_done": done,
            "history": history,
            "losses": losses,  # every step's loss of the stage in progress, kept across resumes
            "world_size": self.pipeline.world_size,
        }

    def _load_last(self) -> tuple[dict[str, torch.Tensor], dict] | None:
        path = self.pipeline.output_dir / LAST
        try:
            tensors, manifest = load_checkpoint(path)
        except CheckpointError:
            if path.exists() or path.with_name(f".{LAST}.old").exists():
                raise
            return None
        if manifest.get("spec") not in self.pipeline.cfg.digests():
            raise CheckpointError(
                f"{path} was written by a different spec (hash {manifest.get('spec')} vs {self.digest}); "
                "use another output_dir or --no-resume"
            )
        check_backbone(self.pipeline, manifest, path)
        check_restorable(self.pipeline, tensors, manifest, path, lambda i: self._steps(self.pipeline.stages[i]))
        return tensors, manifest

    # -- the loop ---------------------------------------------------------------
    def _global_batch(self) -> int:
        return self.optim_cfg.batch_size * self.optim_cfg.grad_accum * self.pipeline.world_size

    def _steps(self, stage) -> int:
        if stage.options.max_steps:
            return int(stage.options.max_steps)
        epochs = stage.options.epochs
        return max(1, math.ceil(epochs * len(self.samples) / self._global_batch())) if epochs else 0

    def _micro_batches(self, stage_index: int, step: int) -> list[list[tuple[int, Sample]]]:
        """This rank's ``(position in the global batch, sample)`` pairs of step ``step``, per micro-batch."""
        cfg, pipeline = self.optim_cfg, self.pipeline
        picked = global_batch(cfg.seed, stage_index, step, self._global_batch(), len(self.samples))
        shares = rank_share(picked, pipeline.rank, pipeline.world_size, cfg.batch_size, cfg.grad_accum)
        return [[(position, self.samples[i]) for position, i in micro] for micro in shares]

    def _inputs(self, stage, stage_index: int, step: int, micro: list[tuple[int, Sample]]):
        """Renderer batch and task examples of one micro-batch; each sample draws from its own generator.

        The stage sees the whole clip (a teacher analyses all of its motion); the renderer
        sees the training segment sampled from it.
        """
        pipeline = self.pipeline
        frames = pipeline.renderer.options.frames
        sequences, examples, owner = [], [], []
        for i, (position, sample) in enumerate(micro):
            rng = sample_generator(self.optim_cfg.seed, stage_index, step, position)
            whole = sample.load()
            sequence = whole
            if frames is not None:  # the training segment offsets, drawn here so they follow the sample
                sequence = whole.select_frames(segment_indices(whole.num_frames, frames, True, rng))
            sequences.append(sequence)
            for example in stage.examples(pipeline.clip_context(sample, whole), rng):
                self.tasks.add(example.kind.value)
                examples.append(example)
                owner.append(i)
        batch = MixedBatch.from_sequences(sequences, frames=frames, train=False).to(pipeline.device)
        return batch, torch.as_tensor(owner, device=pipeline.device), examples

    def _prepare(self, stage) -> None:
        """Let the stage look at the seen training clips once (e.g. Disc-FT's motion profiles)."""
        from .progress import progress

        clips = self.pipeline.training_clips(self.samples)
        if self.show_progress:  # long clips make this minutes of reading: say so after a second
            clips = progress(clips, desc=f"preparing {stage.name}", unit="clip", total=len(self.samples))
        stage.prepare(clips)

    def fit(self, resume: bool = True) -> list[dict]:
        """Train every stage (resuming from ``output_dir/last``); returns one record per stage."""
        lock = RunLock(self.pipeline.output_dir) if self.pipeline.rank == 0 else nullcontext()
        devices = [self.pipeline.device] if self.pipeline.device.type == "cuda" else []
        try:
            # SIGINT/SIGTERM unwind through the lock's ``with``: it is released, and the user is told what is kept
            with stop_on_signals(), lock, torch.random.fork_rng(devices=devices):  # the caller's generator is kept
                if self.pipeline.rank == 0:
                    self._remove_partial_writes()
                history = self._fit(resume)
        except TrainingStopped as exc:
            raise TrainingStopped(exc.signum, self._kept()) from None
        distributed.barrier()  # every rank returns once rank 0 has written the last checkpoint
        return history

    def _kept(self) -> str:
        """What a stopped run leaves: the last checkpoint's stage and step, and how to go on."""
        path = self.pipeline.output_dir / LAST
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            where = f"stage {manifest['stage'] + 1} ({self.pipeline.stages[manifest['stage']].name}) step {manifest['step']}"
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            return f"no checkpoint was written yet; the lock is released ({path.parent} can be trained into again)"
        return (
            f"the lock is released and the last checkpoint, {path} at {where}, is kept; run the same command to resume"
        )

    def _remove_partial_writes(self) -> None:
        """Delete temporary checkpoint folders a killed writer left (safe: we hold the run's lock)."""
        for path in self.pipeline.output_dir.glob(f".{LAST}.*"):
            if path.name != f".{LAST}.old" and path.is_dir():  # ``.last.old`` may be the only checkpoint
                shutil.rmtree(path, ignore_errors=True)

    def _fit(self, resume: bool) -> list[dict]:
        from .progress import progress_bar

        pipeline = self.pipeline
        resumed = self._load_last() if resume else None
        start_stage, start_step, history, resumed_losses = 0, 0, [], []
        if resumed is not None:
            resumed_tensors, manifest = resumed
            history = list(manifest.get("history", []))
            self.tasks.update(k.value for k in trained_tasks(manifest, self.pipeline.output_dir / LAST) or ())
            if manifest["stage_done"]:
                start_stage = manifest["stage"] + 1
            else:
                start_stage, start_step = manifest["stage"], manifest["step"]
                resumed_losses = list(manifest.get("losses", []))
            self._restore(resumed_tensors, None)
        for stage_index, stage in enumerate(pipeline.stages):
            if stage_index < start_stage:
                continue
            total = self._steps(stage)
            if total == 0:
                continue
            params = self._set_trainable(stage)
            if stage.trains_itself:
                history.append(self._fit_alone(stage, stage_index, total, history))
                continue
            self._prepare(stage)
            lr = stage.options.lr or self.optim_cfg.lr
            optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=self.optim_cfg.weight_decay)
            scheduler = torch.optim.lr_scheduler.LambdaLR(
                optimizer, warmup_cosine(self.optim_cfg.warmup_for(total), total)
            )
            first = start_step if stage_index == start_stage else 0
            losses: list[float] = resumed_losses[:first] if first else []
            if first:
                check_optimizer_state(resumed_tensors, optimizer, self.pipeline.output_dir / LAST)
                self._restore(resumed_tensors, optimizer)
                with warnings.catch_warnings():  # fast-forwarding the schedule, no step is skipped
                    warnings.simplefilter("ignore", UserWarning)
                    for _ in range(first):
                        scheduler.step()
            model = distributed.wrap(TrainingModel(pipeline))
            model.train()
            steps = range(first, total)
            desc = f"stage {stage_index + 1}/{len(pipeline.stages)} {stage.name}"
            # counted in micro-batches, so a step of grad_accum: 1024 shows progress inside the step
            accum = self.optim_cfg.grad_accum
            bar = (
                progress_bar(len(steps) * accum, desc, "step" if accum == 1 else "batch")
                if self.show_progress
                else None
            )
            for step in steps:
                if bar is not None and accum > 1:
                    bar.set_postfix_str(f"step {step + 1}/{total}", refresh=False)
                self._tick = bar.update if bar is not None else None
                losses.append(self._optimizer_step(model, stage, stage_index, step, params, optimizer))
                scheduler.step()
                done = step + 1 == total
                if pipeline.rank == 0 and ((step + 1) % self.optim_cfg.save_every == 0 or done):
                    record = history + ([_stage_record(stage.name, total, losses)] if done else [])
                    save_checkpoint(
                        pipeline.output_dir / LAST,
                        self._trained_tensors(optimizer),
                        self._manifest(stage_index, step + 1, done, record, [] if done else losses),
                    )
            if bar is not None:
                bar.close()
            history.append(_stage_record(stage.name, total, losses))
        return history

    def _fit_alone(self, stage, stage_index: int, total: int, history: list[dict]) -> dict:
        """Run a stage that trains itself (:attr:`Stage.trains_itself`), then checkpoint as after any stage."""
        found = stage.fit(self.pipeline, self.show_progress)
        losses = list(found.get("losses", []))
        record = {**found, **_stage_record(stage.name, total, losses)}
        if self.pipeline.rank == 0:
            save_checkpoint(
                self.pipeline.output_dir / LAST,
                self._trained_tensors(None),
                self._manifest(stage_index, total, True, [*history, record], []),
            )
        return record

    def _optimizer_step(
        self, model: nn.Module, stage, stage_index: int, step: int, params, optimizer: torch.optim.Optimizer
    ) -> float:
        """Accumulate the micro-batches of ``step`` (DDP averages gradients across ranks), clip, step.

        Returns the step's loss averaged over the global batch (all ranks).
        """
        pipeline = self.pipeline
        torch.manual_seed(step_seed(self.optim_cfg.seed, stage_index, step, pipeline.rank))
        optimizer.zero_grad(set_to_none=True)
        micro_batches = self._micro_batches(stage_index, step)
        value = 0.0
        for k, micro in enumerate(micro_batches):
            batch, owner, examples = self._inputs(stage, stage_index, step, micro)
            with distributed.no_sync(model, skip=k < len(micro_batches) - 1):
                loss = model(batch, owner, examples) / self.optim_cfg.grad_accum
                if not torch.isfinite(loss):
                    raise SkeletonLLMError(f"stage {stage.name!r} step {step}: loss is {loss.item()} (lower optim.lr?)")
                loss.backward()
            value += loss.item()
            if self._tick is not None:  # the progress bar counts micro-batches
                self._tick()
        if self.optim_cfg.max_grad_norm:
            torch.nn.utils.clip_grad_norm_(params, self.optim_cfg.max_grad_norm)
        optimizer.step()
        if not all(bool(torch.isfinite(p).all()) for p in params):  # a finite loss can still step to NaN
            raise SkeletonLLMError(
                f"stage {stage.name!r} step {step}: the weights became NaN or infinite in this step (lower "
                f"optim.lr or set optim.max_grad_norm?); nothing from this step is saved, the last checkpoint is kept"
            )
        return distributed.mean(value, pipeline.device)


def _stage_record(name: str, steps: int, losses: list[float]) -> dict:
    """One stage of the training history kept in the manifest: every step's loss, first and last."""
    return {
        "stage": name,
        "steps": steps,
        "loss_first": losses[0] if losses else None,
        "loss_last": losses[-1] if losses else None,
        "losses": list(losses),
    }
