"""The ``motion_qa`` stage and the ``motion_qa`` metric: train on and score Motion QA.

The stage asks each training clip questions of the four kinds in
:mod:`.motion_qa`; ``prepare`` averages the seen classes' kinematic profiles
once so contrastive questions can name another class and say how this clip
differs from its typical motion (the class contrasted is one of the clip's
motion-nearest seen classes, so the contrast is a fine one). Evaluation asks
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
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Metric, PluginOptions, Stage, StageOptions
from skeletonllm.tasks import ClipContext, Prediction, TaskExample, TaskKind, normalise

from .kinematics import analyse
from .motion_negatives import class_profiles, motion_profile, motion_similarity
from .motion_qa import QA_KINDS, causal, contrastive, fine_grained, temporal

QAKind = Literal["temporal", "causal", "fine_grained", "contrastive"]


class MotionQAOptions(StageOptions):
    kinds: list[QAKind] = Field(default_factory=lambda: list(QA_KINDS), min_length=1, description="question kinds")
    per_clip: int = Field(2, ge=1, le=4, description="questions asked of each clip per step (distinct kinds)")
    open_share: float = Field(
        0.0, ge=0, le=1, description="share of questions asked without options (answer: the reference sentence)"
    )
    profile_clips: int = Field(20, ge=1, description="training clips per class in its profile (contrastive questions)")


class MotionQAStage(Stage):
    """Question answering about the motion itself; renderer frozen, like refinement."""

    name = "motion_qa"
    summary = "Motion QA: temporal, causal, fine-grained and contrastive questions answered from the clip's kinematics"
    Options = MotionQAOptions
    trainable: ClassVar[tuple[str, ...]] = ("projector", "lora")

    def __init__(self, options: MotionQAOptions | None = None) -> None:
        super().__init__(options)
        self._profiles: np.ndarray | None = None

    def prepare(self, clips: Iterable[ClipContext]) -> None:
        if "contrastive" not in self.options.kinds:
            return
        clips = iter(clips)
        first = next(clips, None)
        if first is None:
            return
        self._profiles = class_profiles(_chain(first, clips), len(first.class_names), self.options.profile_clips)

    def _ask(self, clip: ClipContext, kind: str, facts, rng) -> TaskExample | None:
        if kind == "temporal":
            return temporal(facts, rng)
        if kind == "causal":
            return causal(facts, rng)
        if kind == "fine_grained":
            synth = clip.sequence.meta.get("synth") if clip.sequence is not None else None
            return fine_grained(facts, rng, synth)
        return self._contrast(clip, facts, rng)

    def _contrast(self, clip: ClipContext, facts, rng) -> TaskExample | None:
        profiles = self._profiles
        if profiles is None:
            return None
        known = [c for c in clip.seen if c != clip.label and not np.isnan(profiles[c]).any()]
        if not known:
            return None
        similarity = motion_similarity(profiles)
        row = similarity[clip.label] if not np.isnan(similarity[clip.label]).any() else np.zeros(len(profiles))
        nearest = sorted(known, key=lambda c: -row[c])[:3]
        other = int(nearest[int(rng.integers(len(nearest)))])
        spread = np.nanstd(profiles[list(clip.seen)], axis=0)
        mine = motion_profile(facts)
        return contrastive(facts, mine, profiles[other], clip.class_names[other], spread, rng)

    def _examples(self, clip: ClipContext, rng, kinds: Sequence[str]) -> list[TaskExample]:
        if clip.sequence is None:
            raise SkeletonLLMError(f"motion_qa: clip {clip.sample_id!r} came without its skeleton sequence")
        facts = analyse(clip.sequence)
        out = []
        for kind in kinds:
            example = self._ask(clip, kind, facts, rng)
            if example is not None:
                out.append(example)
        return out

    def examples(self, clip: ClipContext, rng) -> list[TaskExample]:
        kinds = list(self.options.kinds)
        order = [kinds[i] for i in rng.permutation(len(kinds))]
        out = self._examples(clip, rng, order)[: self.options.per_clip]
        if not out:  # every clip supports a fine-grained question; never return nothing
            out = self._examples(clip, rng, ["fine_grained"])
        return [_open(e) if rng.uniform() < self.options.open_share else e for e in out]

    def test_examples(self, clip: ClipContext) -> list[TaskExample]:
        """Evaluation asks every kind this clip supports (see :meth:`questions`)."""
        return self.questions(clip)

    def questions(self, clip: ClipContext) -> list[TaskExample]:
        """Every kind this clip supports, with options, seeded by the sample id (evaluation)."""
        rng = np.random.default_rng(zlib.crc32(clip.sample_id.encode()))
        return self._examples(clip, rng, list(self.options.kinds))

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


def _chain(first: ClipContext, rest: Iterable[ClipContext]) -> Iterable[ClipContext]:
    yield first
    yield from rest


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

    def reset(self) -> None:
        self._hits = dict.fromkeys(QA_KINDS, 0)
        self._count = dict.fromkeys(QA_KINDS, 0)
        self.open_outputs: list[str] = []
        self.open_references: list[tuple[str, ...]] = []

    def update(self, predictions: list[Prediction]) -> None:
        for prediction in predictions:
            example = prediction.example
            kind = example.meta.get("qa_kind")
            if example.kind is not TaskKind.QA or kind not in self._count:
                continue
            if not example.candidates:
                self.open_outputs.append(prediction.output.strip())
                self.open_references.append(example.references)
                continue
            self._count[kind] += 1
            self._hits[kind] += int(prediction.parsed == normalise(example.answer or ""))

    def compute(self) -> dict[str, float]:
        out = {f"qa_accuracy_{k}": self._hits[k] / self._count[k] for k in QA_KINDS if self._count[k]}
        total = sum(self._count.values())
        if total:
            out["qa_accuracy"] = sum(self._hits.values()) / total
        if self.open_outputs:
            from .caption_metrics import bertscore_f1, rouge_l  # imported on use: it needs torch

            out.update(self.score_open(lambda hyps, refs: {"rouge_l": rouge_l(hyps, refs)}))
            if self.options.open_bertscore:
                out["qa_open_bertscore_minilm"] = bertscore_f1(self.open_outputs, self.open_references)
        return out

    def score_open(self, scorer: Callable[[list[str], list[tuple[str, ...]]], dict[str, float]]) -> dict[str, float]:
        """Score the open answers with ``scorer`` (e.g. ROUGE-L, BERTScore); keys become ``qa_open_<key>``."""
        if not self.open_outputs:
            return {}
        return {f"qa_open_{k}": float(v) for k, v in scorer(self.open_outputs, self.open_references).items()}
