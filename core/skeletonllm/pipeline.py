"""Build an experiment from a validated spec: components, class split, samples, rendering.

The pipeline owns everything a trainer and an evaluator share, so the two
cannot disagree about which classes are seen or how a clip becomes frames.
Unseen classes are removed from the training samples *here*, once; stages
check again when they build prompts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from . import distributed
from .batch import SkeletonBatch
from .errors import SkeletonLLMError, SpecError
from .interfaces import Sample
from .io import read_sequences
from .spec import ValidatedSpec


def pick_device(name: str | None = None) -> torch.device:
    """``name``, else CUDA when available; under torchrun each process takes the GPU of its local rank."""
    if name and name != "auto":
        device = torch.device(name)
    else:
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda" and device.index is None and distributed.is_distributed():
        device = torch.device("cuda", distributed.local_rank())
    return device


class Pipeline:
    """Components of one spec plus the seen/unseen split they are trained and tested on."""

    def __init__(self, spec: ValidatedSpec, device: str | None = None) -> None:
        self.spec = spec
        self.cfg = spec.spec
        self.device = pick_device(device)
        # every component's random initialisation (e.g. DrAction's NFM, LoRA matrices) follows
        # the spec's seed; forked so building a pipeline leaves the caller's generator alone
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.cfg.optim.seed)
            self.dataset = spec.build("data")
            self.renderer = spec.build("renderer").to(self.device)
            self.backbone = spec.build("backbone").to(self.device)
            self.stages = [spec.build("stages", i) for i in range(len(self.cfg.stages))]
        self.class_names: list[str] = list(self.dataset.class_names)
        self.seen, self.unseen = self._class_split()
        self.output_dir = Path(self.cfg.output_dir)
        self.rank = distributed.rank()
        self.world_size = distributed.world_size()

    def _class_split(self) -> tuple[list[int], list[int]]:
        name = self.cfg.split.class_split
        everything = list(range(len(self.class_names)))
        if name is None:
            return everything, []
        splits = self.dataset.class_splits()
        if name not in splits:
            raise SpecError(
                [f"split.class_split: dataset {self.dataset.name!r} has no class split {name!r}; "
                 f"available: {', '.join(sorted(splits)) or 'none'}"]
            )  # fmt: skip
        split = splits[name]
        return sorted(split.seen), sorted(split.unseen)

    def train_samples(self) -> list[Sample]:
        samples = list(self.dataset.samples(self.cfg.split.train, classes=set(self.seen)))
        leaked = {s.label for s in samples} - set(self.seen)
        if leaked:  # a dataset plugin that ignores ``classes`` must not leak unseen classes
            raise SkeletonLLMError(
                f"dataset {self.dataset.name!r} returned unseen classes {sorted(leaked)} for training"
            )
        if not samples:
            raise SkeletonLLMError(f"split {self.cfg.split.train!r} of dataset {self.dataset.name!r} has no samples")
        return samples

    def candidates(self) -> list[int]:
        which = self.cfg.eval.candidates
        if which == "unseen" and not self.unseen:
            raise SpecError(["eval.candidates: 'unseen' needs split.class_split to name a seen/unseen split"])
        return {"all": list(range(len(self.class_names))), "seen": self.seen, "unseen": self.unseen}[which]

    def test_samples(self) -> list[Sample]:
        samples = list(self.dataset.samples(self.cfg.split.test, classes=set(self.candidates())))
        if self.cfg.eval.limit:
            samples = samples[: self.cfg.eval.limit]
        return samples

    def render(self, samples: list[Sample], train: bool, rng: np.random.Generator | None = None) -> torch.Tensor:
        """Frames ``(B, F, 3, H, W)`` for ``samples`` (train: random segment offsets)."""
        sequences = [s.load() for s in samples]
        return self.render_sequences(sequences, train, rng)

    def render_sequences(self, sequences, train: bool, rng: np.random.Generator | None = None) -> torch.Tensor:
        batch = SkeletonBatch.from_sequences(sequences, frames=self.renderer.options.frames, train=train, rng=rng)
        return self.renderer(batch.to(self.device))

    def question_stage(self):
        for stage in reversed(self.stages):
            if _defines_question(stage):
                return stage
        raise SkeletonLLMError("no stage in this spec defines a test-time question (e.g. add a 'refine' stage)")

    # -- evaluation and inference ----------------------------------------------
    @torch.no_grad()
    def evaluate(self, batch_size: int | None = None, show_progress: bool = True) -> dict[str, float]:
        from .cli.progress import progress

        candidates = self.candidates()
        names = [self.class_names[c] for c in candidates]
        question = self.question_stage().question(names)
        metrics = self._metrics()
        samples = self.test_samples()
        bs = batch_size or self.cfg.optim.batch_size
        self.renderer.eval()
        self.backbone.eval()
        chunks = [samples[i : i + bs] for i in range(0, len(samples), bs)]
        for chunk in progress(chunks, desc="evaluating", unit="batch") if show_progress else chunks:
            frames = self.render(chunk, train=False)
            answers = self.backbone.generate(frames, [question] * len(chunk), self.cfg.eval.max_new_tokens)
            targets = [self.class_names[s.label] for s in chunk]
            for metric in metrics:
                metric.update(answers, targets)
        out: dict[str, float] = {"samples": float(len(samples))}
        for metric in metrics:
            out.update(metric.compute())
        return out

    def _metrics(self) -> list:
        metrics = []
        for i, comp in enumerate(self.cfg.eval.metrics):
            options = self.spec.options[f"eval.metrics[{i}]"].model_copy()
            if "unseen" in type(options).model_fields and not options.unseen:
                options.unseen = [self.class_names[c] for c in self.unseen]
            metrics.append(self.spec.registry.create("metric", comp.name, options))
        return metrics

    @torch.no_grad()
    def infer(self, files: list[str], question: str | None = None) -> list[tuple[str, str]]:
        """``(file, answer)`` for each file; the default question offers every class."""
        question = question or self.question_stage().question(self.class_names)
        self.renderer.eval()
        self.backbone.eval()
        answers = []
        for path in files:
            seq = read_sequences(path)[0]
            frames = self.render_sequences([seq], train=False)
            answers.append((path, self.backbone.generate(frames, [question], self.cfg.eval.max_new_tokens)[0]))
        return answers


def _defines_question(stage) -> bool:
    from .interfaces.stage import Stage

    return type(stage).question is not Stage.question
