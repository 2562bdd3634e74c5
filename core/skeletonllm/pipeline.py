"""Build an experiment from a validated spec: components, class split, samples, rendering.

The pipeline owns everything a trainer and an evaluator share, so the two
cannot disagree about which classes are seen or how a clip becomes frames.
Unseen classes are removed from the training samples *here*, once; stages
check again when they build prompts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from . import distributed
from .batch import MixedBatch
from .devices import check_device
from .errors import SkeletonDataError, SkeletonLLMError, SpecError
from .interfaces import MetricResult, Sample
from .io import read_sequences
from .sequence import SkeletonSequence
from .spec import ValidatedSpec
from .tasks import EVAL_TASK_KINDS, ClipContext, Prediction, TaskExample, TaskKind, normalise


def _teaches(stage, task: str, candidates: list[str]) -> TaskExample | None:
    """The test question ``stage`` asks for ``task``, or None when it teaches another task."""
    try:
        example = stage.question(candidates)
    except NotImplementedError:
        return None
    if example.kind in EVAL_TASK_KINDS[task] and (task != "recognition" or example.is_recognition):
        return example
    return None


def _registered_stage_teaches(registry, name: str, task: str) -> bool:
    """Whether stage ``name`` with its default options teaches ``task`` (for the hint of an error)."""
    try:
        return _teaches(registry.create("stage", name), task, ["a", "b"]) is not None
    except Exception:  # noqa: BLE001 - a stage that needs options to be built is simply not suggested
        return False


def pick_device(name: str | None = None) -> torch.device:
    """``auto``/None: cuda when available, else cpu; any other name must exist on this machine.

    Under torchrun each process takes the GPU of its local rank.
    """
    if name and name != "auto":
        device = check_device(name)
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
            self.teacher = spec.build("teacher") if self.cfg.teacher is not None else None
            self._give_teacher()
        self.class_names: list[str] = list(self.dataset.class_names)
        # the test set: the training dataset's test split, or another dataset (cross-format transfer)
        self.test_dataset = spec.build("eval.data") if self.cfg.eval.data is not None else self.dataset
        self.test_class_names: list[str] = list(self.test_dataset.class_names)
        # the test dataset's words win where both name a class
        self.backbone.describe_classes({**self.dataset.class_descriptions(), **self.test_dataset.class_descriptions()})
        self.seen, self.unseen = self._class_split()
        self.output_dir = Path(self.cfg.output_dir)
        self.rank = distributed.rank()
        self.world_size = distributed.world_size()

    def _give_teacher(self) -> None:
        """Hand the spec's teacher to every stage that needs one (else the stage's default teacher)."""
        for stage in self.stages:
            if stage.default_teacher is None:
                continue
            if self.teacher is None:
                self.teacher = self.spec.registry.create("teacher", stage.default_teacher)
            stage.use_teacher(self.teacher)

    def clip_context(self, sample: Sample, sequence: SkeletonSequence | None = None, test: bool = False) -> ClipContext:
        """What a stage, teacher or metric may know about ``sample`` (its text and facts included)."""
        references = tuple(sample.meta.get("references") or ((sample.text,) if sample.text else ()))
        names = self.test_class_names if test else self.class_names
        return ClipContext(sample.id, sample.label, names, self.seen, sample.text, references, sequence, sample.meta)

    def training_clips(self, samples: list[Sample] | None = None) -> Iterator[ClipContext]:
        """The seen training clips as contexts, each loaded only when a stage's ``prepare`` asks for it."""
        return (self.clip_context(s, s.load()) for s in (self.train_samples() if samples is None else samples))

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

    def _listed(self, samples: Iterator[Sample], what: str) -> list[Sample]:
        """The samples a dataset yields, with a progress line when listing takes over a second."""
        from .progress import progress

        return list(progress(samples, desc=f"listing {what}", unit="clip") if self.rank == 0 else samples)

    def train_samples(self) -> list[Sample]:
        samples = self._listed(self.dataset.samples(self.cfg.split.train, classes=set(self.seen)), "training clips")
        leaked = {s.label for s in samples} - set(self.seen)
        if leaked:  # a dataset plugin that ignores ``classes`` must not leak unseen classes
            raise SkeletonLLMError(
                f"dataset {self.dataset.name!r} returned unseen classes {sorted(leaked)} for training"
            )
        if not samples:
            raise SkeletonLLMError(f"split {self.cfg.split.train!r} of dataset {self.dataset.name!r} has no samples")
        return samples

    def candidates(self) -> list[int]:
        """Test-set class indices offered as candidates (another dataset's: all of its classes)."""
        if self.test_dataset is not self.dataset:
            return list(range(len(self.test_class_names)))
        which = self.cfg.eval.candidates
        if which == "unseen" and not self.unseen:
            raise SpecError(["eval.candidates: 'unseen' needs split.class_split to name a seen/unseen split"])
        return {"all": list(range(len(self.class_names))), "seen": self.seen, "unseen": self.unseen}[which]

    def test_samples(self) -> list[Sample]:
        split = self.cfg.eval.split or self.cfg.split.test
        samples = self._listed(self.test_dataset.samples(split, classes=set(self.candidates())), "test clips")
        if self.cfg.eval.limit:
            samples = samples[: self.cfg.eval.limit]
        return samples

    def render(self, samples: list[Sample], train: bool, rng: np.random.Generator | None = None) -> torch.Tensor:
        """Frames ``(B, F, 3, H, W)`` for ``samples`` (train: random segment offsets)."""
        sequences = [s.load() for s in samples]
        return self.render_sequences(sequences, train, rng)

    def render_sequences(self, sequences, train: bool, rng: np.random.Generator | None = None) -> torch.Tensor:
        """The backbone's input for ``sequences`` (any mix of topologies): frames, or its own reading of the joints."""
        batch = MixedBatch.from_sequences(sequences, frames=self.renderer.options.frames, train=train, rng=rng)
        return batch.to(self.device).apply(lambda part: self.backbone.model_input(self.renderer, part))

    def test_question(self, task: str | None = None, candidates: list[str] | None = None):
        """``(stage, example)``: the last stage whose test question suits ``task``, and that question.

        The test question is always the one a stage trained the model to answer,
        so the prompt format at test time matches training.
        """
        task = task or self.cfg.eval.task
        names = candidates if candidates is not None else [self.test_class_names[c] for c in self.candidates()]
        fixed = self.cfg.eval.question
        if task == "recognition" and fixed != "stage":
            kind = TaskKind(fixed)
            return None, TaskExample(kind, candidates=() if kind is TaskKind.OPEN else names)
        for stage in reversed(self.stages):
            example = _teaches(stage, task, names)
            if example is not None:
                return stage, example
        teachers = [
            n for n in self.spec.registry.names("stage") if _registered_stage_teaches(self.spec.registry, n, task)
        ]
        hint = f" (add a stage that does: {', '.join(repr(n) for n in teachers)})" if teachers else ""
        raise SkeletonLLMError(f"no stage in this spec teaches the {task!r} task at test time{hint}")

    def _test_examples(self, stage, template: TaskExample, sample: Sample, sequence, index: int) -> list[TaskExample]:
        """The evaluation examples of one test clip: the template filled with this clip's answer."""
        clip = self.clip_context(sample, sequence, test=True)
        if template.kind is TaskKind.QA and stage is not None:  # questions depend on the clip: ask the stage
            asked = stage.test_examples(clip)
            if not asked:
                asked = stage.examples(clip, np.random.default_rng([self.cfg.optim.seed, index]))
            return [replace(ex, target="", meta={**ex.meta, "sequence": sequence}) for ex in asked]
        name = self.test_class_names[sample.label]
        meta = {"label": sample.label, "class_name": name, "sequence": sequence}
        if sample.meta.get("facts"):  # what the label fixes (hand, turn, style, ...), for a caption fact check
            meta["facts"] = sample.meta["facts"]
        if self.test_dataset is not self.dataset:  # unseen = a class name the training data never had
            trained = {normalise(self.class_names[c]) for c in self.seen}
            meta["unseen"] = normalise(name) not in trained
        elif self.unseen:
            meta["unseen"] = sample.label in self.unseen
        answer = name if template.is_recognition else None
        return [replace(template, answer=answer, references=clip.references, meta=meta)]

    # -- evaluation and inference ----------------------------------------------
    @torch.no_grad()
    def predict(self, batch_size: int | None = None, show_progress: bool = True) -> list[Prediction]:
        """The model's answer to every test example of ``eval.task``, typed for the metrics."""
        from .progress import progress

        stage, template = self.test_question()
        if template.kind is TaskKind.QA and stage is not None:
            # clip-dependent questions may need the training statistics (e.g. Motion QA's class
            # profiles for contrastive questions): the same preparation training gave the stage
            stage.prepare(self.training_clips())
        samples = self.test_samples()
        if not samples:  # an accuracy of 0.0 over 0 clips would look like a result
            split = self.cfg.eval.split or self.cfg.split.test
            raise SkeletonLLMError(
                f"test split {split!r} of dataset {self.test_dataset.name!r} has no samples among the "
                f"{len(self.candidates())} candidate classes (eval.candidates: {self.cfg.eval.candidates}); "
                "nothing to evaluate"
            )
        bs = batch_size or self.cfg.optim.batch_size
        self.renderer.eval()
        self.backbone.eval()
        chunks = [samples[i : i + bs] for i in range(0, len(samples), bs)]
        predictions: list[Prediction] = []
        offset = 0
        for chunk in progress(chunks, desc="evaluating", unit="batch") if show_progress else chunks:
            sequences = [s.load() for s in chunk]
            frames = self.render_sequences(sequences, train=False)
            examples, owner = [], []
            for i, (sample, sequence) in enumerate(zip(chunk, sequences, strict=True)):
                for example in self._test_examples(stage, template, sample, sequence, offset + i):
                    examples.append(example)
                    owner.append(i)
            offset += len(chunk)
            if not examples:
                continue
            frames = frames[torch.as_tensor(owner, device=frames.device)]
            outputs = self.backbone.generate(frames, examples, self.cfg.eval.max_new_tokens)
            predictions += [
                Prediction(example, output, chunk[i].id) for example, output, i in zip(examples, outputs, owner)
            ]
        return predictions

    def results(self, predictions: list[Prediction]) -> dict[str, MetricResult]:
        """Every metric of the spec over ``predictions``: its figures, intervals, tables, pictures and notes."""
        out: dict[str, MetricResult] = {}
        for metric in self.metrics():
            metric.update(predictions)
            key = metric.name if metric.name not in out else f"{metric.name} ({len(out) + 1})"
            out[key] = metric.compute()
        return out

    def score(self, predictions: list[Prediction]) -> dict[str, float]:
        """The values of every metric over ``predictions``, in one mapping (see :meth:`results` for the rest)."""
        return {k: v for result in self.results(predictions).values() for k, v in result.values.items()}

    def evaluate(self, batch_size: int | None = None, show_progress: bool = True) -> dict[str, float]:
        return self.score(self.predict(batch_size, show_progress))

    def metrics(self) -> list:
        """Fresh metric components, built from the spec's ``eval.metrics`` like every other section."""
        return [self.spec.build("eval.metrics", i) for i in range(len(self.cfg.eval.metrics))]

    @torch.no_grad()
    def infer(
        self, files: list[str], question: str | None = None, candidates: list[str] | None = None
    ) -> Iterator[Answer]:
        """One :class:`Answer` per sequence of each file (``file#k`` when a file holds several).

        The default question offers every class the model was trained on; ``candidates``
        offers those names instead (a zero-shot question, or your own classes), asked the
        way the spec's last recognition stage asks. A file or clip that cannot be read or
        drawn gives an answer with its ``error``, and the next one is asked all the same.
        """
        if question and candidates:
            raise SkeletonLLMError("ask either a free question or a choice among candidates, not both")
        if question:
            example = TaskExample(TaskKind.QA, question=question)
        else:
            example = self.test_question("recognition", list(candidates or self.class_names))[1]
            if candidates and not example.candidates:
                raise SkeletonLLMError(
                    f"this spec asks {example.kind.value} questions, which offer no names, so candidates "
                    "cannot be offered; use a spec whose last recognition stage asks multiple-choice questions"
                )
        self.renderer.eval()
        self.backbone.eval()
        for path in files:
            try:
                sequences = read_sequences(path)
            except SkeletonDataError as exc:
                yield Answer(str(path), example, "", exc)
                continue
            for k, seq in enumerate(sequences):
                clip = str(path) if len(sequences) == 1 else f"{path}#{k}"
                try:
                    frames = self.render_sequences([seq], train=False)
                except SkeletonDataError as exc:
                    yield Answer(clip, example, "", exc)
                    continue
                yield Answer(clip, example, self.backbone.generate(frames, [example], self.cfg.eval.max_new_tokens)[0])


class Answer(NamedTuple):
    """What :meth:`Pipeline.infer` says about one clip: the question, the output, or why there is none."""

    clip: str
    example: TaskExample
    output: str
    error: SkeletonDataError | None = None
