"""The ``motion_qa`` stage and the ``motion_qa`` metric: train on and score Motion QA.

The stage asks each training clip questions of the registered ``Question``
kinds its ``kinds`` option names (by default every registered kind; this
plugin registers the paper's four in :mod:`.motion_questions`); ``prepare``
hands the training clips to the kinds that need statistics, e.g. the
contrastive kind averages the seen classes' kinematic profiles once so it can
name another class and say how this clip differs from its typical motion. Evaluation asks
:meth:`MotionQAStage.questions` of each test clip (every kind the clip
supports, with options, seeded by its sample id, so every run asks the same
questions); :meth:`MotionQAStage.question` only says that the stage teaches
the ``qa`` task.

The metric reports four-option accuracy per kind and overall. Open answers
(examples without candidates) are scored against their reference sentences
with the captioning metrics' ROUGE-L (``qa_open_rouge_l``) and, when asked,
BERTScore with the local MiniLM encoder (``qa_open_bertscore_minilm``: not the
paper's encoder, so not comparable with its figure);
:meth:`MotionQAMetric.score_open` takes any other ``(outputs, references) ->
dict`` scorer.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

import numpy as np
from pydantic import Field, ValidationError, field_validator

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Metric, MetricResult, PluginOptions, Question, Stage, StageOptions
from skeletonllm.registry import get_registry
from skeletonllm.stats import proportion
from skeletonllm.tasks import ClipContext, Prediction, TaskExample, TaskKind, normalise

from .motion_qa import QA_KINDS

#: the kind asked when a clip supports none of the chosen ones (every clip supports it)
FALLBACK_KIND = "fine_grained"


def _entry(entry: str | dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``"temporal"`` or ``{name: contrastive, profile_clips: 10}`` -> ``(name, options)``."""
    if isinstance(entry, str):
        return entry, {}
    return str(entry.get("name", "")), {k: v for k, v in entry.items() if k != "name"}


class MotionQAOptions(StageOptions):
    kinds: list[str | dict[str, Any]] | None = Field(
        None,
        min_length=1,
        description="question kinds: registered Question names, or {name: ..., <its options>}; "
        "default: every registered kind (the paper's four first)",
    )
    per_clip: int = Field(2, ge=1, le=32, description="questions asked of each clip per step (distinct kinds)")
    open_share: float = Field(
        0.0, ge=0, le=1, description="share of questions asked without options (answer: the reference sentence)"
    )

    @field_validator("kinds")
    @classmethod
    def _registered(cls, kinds: list[str | dict[str, Any]] | None) -> list[str | dict[str, Any]] | None:
        """Each kind is a registered question whose options validate; named once."""
        if kinds is None:
            return None
        registry, names = get_registry(), []
        for entry in kinds:
            name, options = _entry(entry)
            try:
                registry.options("question", name, options)
            except SkeletonLLMError as exc:  # unknown name: the registry's message has the close matches
                raise ValueError(str(exc)) from None
            except ValidationError as exc:
                raise ValueError(f"question {name!r}: {exc.errors()[0]['msg']} ({exc.errors()[0]['loc']})") from None
            names.append(name)
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"question kinds named twice: {twice}")
        return kinds


class MotionQAStage(Stage):
    """Question answering about the motion itself; renderer frozen, like refinement.

    The questions come from the registered ``Question`` kinds the ``kinds`` option names.
    """

    name = "motion_qa"
    summary = "Motion QA: temporal, causal, fine-grained and contrastive questions answered from the clip's kinematics"
    Options = MotionQAOptions
    trainable: ClassVar[tuple[str, ...]] = ("projector", "lora")

    def __init__(self, options: MotionQAOptions | None = None) -> None:
        super().__init__(options)
        registry = get_registry()
        entries = self.options.kinds or [*QA_KINDS, *(n for n in registry.names("question") if n not in QA_KINDS)]
        self.kinds: dict[str, Question] = {}
        for entry in entries:
            name, options = _entry(entry)
            self.kinds[name] = registry.create("question", name, options)
        self._fallback = self.kinds.get(FALLBACK_KIND) or registry.create("question", FALLBACK_KIND)

    def prepare(self, clips: Iterable[ClipContext]) -> None:
        """Give the training clips to the kinds that need statistics (read once, even for several)."""
        needing = [q for q in self.kinds.values() if q.needs_preparation]
        if len(needing) > 1:
            clips = list(clips)
        for question in needing:
            question.prepare(clips)

    def _examples(self, clip: ClipContext, rng, kinds: Sequence[str]) -> list[TaskExample]:
        if clip.sequence is None:
            raise SkeletonLLMError(f"motion_qa: clip {clip.sample_id!r} came without its skeleton sequence")
        out = []
        for kind in kinds:
            example = self.kinds[kind].ask(clip, rng)
            if example is not None:
                out.append(example)
        return out

    def examples(self, clip: ClipContext, rng) -> list[TaskExample]:
        kinds = list(self.kinds)
        order = [kinds[i] for i in rng.permutation(len(kinds))]
        out = self._examples(clip, rng, order)[: self.options.per_clip]
        if not out:  # every clip supports a fine-grained question; never return nothing
            example = self._fallback.ask(clip, rng)
            out = [example] if example is not None else []
        return [_open(e) if rng.uniform() < self.options.open_share else e for e in out]

    def test_examples(self, clip: ClipContext) -> list[TaskExample]:
        """Evaluation asks every kind this clip supports (see :meth:`questions`)."""
        return self.questions(clip)

    def questions(self, clip: ClipContext) -> list[TaskExample]:
        """Every kind this clip supports, with options, seeded by the sample id (evaluation)."""
        rng = np.random.default_rng(zlib.crc32(clip.sample_id.encode()))
        return self._examples(clip, rng, list(self.kinds))

    def question(self, candidates: list[str]) -> TaskExample:
        """The QA template that tells evaluation this stage teaches Motion QA.

        Its questions depend on each clip, so evaluation asks the stage per clip
        (:meth:`questions`, or :meth:`examples` with a seeded rng) and only the
        kind of this template matters; ``candidates`` (class names) are not used.
        """
        return TaskExample(TaskKind.QA, question="Questions about this clip's motion", meta={"qa_kind": "template"})


def _open(example: TaskExample) -> TaskExample:
    """The same question without options; the target is the reference sentence."""
    sentence = example.references[0]
    return TaskExample(
        TaskKind.QA,
        target=sentence,
        question=example.question,
        references=example.references,
        meta=dict(example.meta, open=True),
    )


class MotionQAMetricOptions(PluginOptions):
    open_bertscore: bool = Field(
        False, description="also score open answers with BERTScore (local MiniLM encoder; loads torch and weights)"
    )


class MotionQAMetric(Metric):
    """Four-option accuracy per Motion QA kind and overall; ROUGE-L (and BERTScore) of open answers."""

    name = "motion_qa"
    tasks = ("qa",)
    summary = "Motion QA: four-option accuracy per kind (temporal, causal, fine-grained, contrastive) and overall"
    Options = MotionQAMetricOptions
    default_for = ("qa",)

    def reset(self) -> None:
        self._hits: dict[str, list[bool]] = {}  # question kind -> hit per four-option question
        self._chance: list[float] = []
        self.open_outputs: list[str] = []
        self.open_references: list[tuple[str, ...]] = []

    def update(self, predictions: list[Prediction]) -> None:
        for prediction in predictions:
            example = prediction.example
            kind = example.meta.get("qa_kind")
            if example.kind is not TaskKind.QA or not kind:
                continue
            if not example.candidates:
                self.open_outputs.append(prediction.output.strip())
                self.open_references.append(example.references)
                continue
            self._hits.setdefault(str(kind), []).append(prediction.parsed == normalise(example.answer or ""))
            self._chance.append(1.0 / len(example.candidates))

    def compute(self) -> MetricResult:
        result = MetricResult()
        every = [hit for hits in self._hits.values() for hit in hits]
        if every:
            figures = {f"qa_accuracy_{k}": proportion(self._hits[k]) for k in sorted(self._hits)}
            figures["qa_accuracy"] = proportion(every)
            chance = float(np.mean(self._chance))
            result.values.update({k: iv.value for k, iv in figures.items()})
            result.intervals.update(figures)
            result.chance.update(dict.fromkeys(figures, chance))
            result.notes["qa_accuracy"] = (
                f"accuracy over {len(every)} multiple-choice questions (chance {chance:.3f}); Wilson 95 % intervals "
                "treat questions as independent, though one clip is asked several"
            )
        if self.open_outputs:
            from .caption_metrics import bertscore_f1, rouge_l  # imported on use: it needs torch

            result.values.update(self.score_open(lambda hyps, refs: {"rouge_l": rouge_l(hyps, refs)}))
            if self.options.open_bertscore:
                result.values["qa_open_bertscore_minilm"] = bertscore_f1(self.open_outputs, self.open_references)
                result.notes["qa_open_bertscore_minilm"] = (
                    "BERTScore F1 with the local all-MiniLM-L6-v2, not the paper's encoder: not comparable with it"
                )
            result.notes["qa_open_rouge_l"] = f"ROUGE-L of {len(self.open_outputs)} open answers against their sentence"
        if not result.values:
            result.notes[""] = "no Motion QA answers to score (is eval.task qa?)"
        return result

    def score_open(self, scorer: Callable[[list[str], list[tuple[str, ...]]], dict[str, float]]) -> dict[str, float]:
        """Score the open answers with ``scorer`` (e.g. ROUGE-L, BERTScore); keys become ``qa_open_<key>``."""
        if not self.open_outputs:
            return {}
        return {f"qa_open_{k}": float(v) for k, v in scorer(self.open_outputs, self.open_references).items()}
