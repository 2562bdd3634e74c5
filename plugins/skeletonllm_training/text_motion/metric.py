"""The ``text_motion`` metric: R@1, R@3 and MM-Dist of generated captions against their clips.

A trained :class:`~.model.TextMotionEvaluator` (``evaluator: <folder>``)
embeds each clip's motion and the caption the model generated for it; the
generated caption must be found among 31 others of its batch (R@k) and
lie close to its motion (MM-Dist), as in HumanML3D's motion-to-text tables.
The same figures for the clip's first reference caption are reported with
the suffix ``_references``: they are the ceiling the evaluator allows, and
read beside its own held-out accuracy (in its manifest), they say how far
the numbers can be trusted.

The motion comes from ``prediction.example.meta["sequence"]`` (the
evaluation loop puts the clip's ``SkeletonSequence`` there); features are
computed on update, so sequences are not kept.
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Metric, MetricResult, PluginOptions
from skeletonllm.tasks import Prediction, TaskKind

from .features import motion_features
from .retrieval import BATCH, retrieval_scores


class TextMotionOptions(PluginOptions):
    evaluator: str = Field(description="folder of a trained text-motion evaluator (skeletonllm text-motion-evaluator)")
    batch_size: int = Field(BATCH, ge=2, description="clips per retrieval batch (HumanML3D: 32)")
    seed: int = Field(0, description="seeds the shuffling into batches")
    allow_unverified: bool = Field(
        False, description="use an evaluator whose manifest has no integrity record (cannot be verified)"
    )


class TextMotionMetric(Metric):
    name = "text_motion"
    tasks = ("caption",)
    summary = "R@1, R@3 and MM-Dist of generated captions under a trained text-motion evaluator"
    Options = TextMotionOptions

    def evaluator_notes(self) -> dict[str, str]:
        """The evaluator's own held-out accuracy (from its manifest), printed beside the figures."""
        info = getattr(self.model, "info", {}) or {}
        held = info.get("held_out") or {}
        where = self.options.evaluator
        notes = {"mm_dist": "Euclidean distance between unit embeddings (0..2), not HumanML3D's scale"}
        if not {"r1", "r3"} <= set(held):
            notes["r_at_1"] = f"evaluator {where}: no held-out accuracy recorded in its manifest; measure it first"
            return notes
        size = held.get("batch_size", 32)
        trained = " ".join(str(info[k]) for k in ("dataset", "train_split") if info.get(k))
        clips = f" on {int(held['clips'])} clips" if held.get("clips") else ""
        split = f" of {info['test_split']}" if info.get("test_split") else ""
        notes["r_at_1"] = (
            f"evaluator {where}{f' (trained on {trained})' if trained else ''}: own held-out R@1 "
            f"{held['r1']:.3f}, R@3 {held['r3']:.3f} (chance {1 / size:.3f}, {3 / size:.3f}){clips}{split}"
        )
        return notes

    def reset(self) -> None:
        self._features: list[np.ndarray] = []
        self._generated: list[str] = []
        self._references: list[str] = []
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from .model import TextMotionEvaluator

            self._model = TextMotionEvaluator.load(self.options.evaluator, self.options.allow_unverified)
        return self._model

    def update(self, predictions: list[Prediction]) -> None:
        for prediction in predictions:
            example = prediction.example
            if example.kind is not TaskKind.CAPTION:
                continue
            sequence = example.meta.get("sequence")
            if sequence is None:
                raise SkeletonLLMError(
                    f"text_motion: sample {prediction.sample_id or '?'} carries no motion "
                    "(expected the clip's SkeletonSequence in example.meta['sequence'])"
                )
            if not example.references:
                raise SkeletonLLMError(f"text_motion: sample {prediction.sample_id or '?'} has no reference caption")
            self._features.append(motion_features(sequence, self.model.config.frames))
            self._generated.append(prediction.output.strip())
            self._references.append(example.references[0])

    @torch.no_grad()
    def compute(self) -> MetricResult:
        if not self._features:
            raise SkeletonLLMError("text_motion: no caption predictions were scored")
        model, o = self.model, self.options
        motion = model.encode_features(np.stack(self._features))
        values: dict[str, float] = {}
        for suffix, texts in (("", self._generated), ("_references", self._references)):
            scores = retrieval_scores(motion, model.encode_texts(texts), batch_size=o.batch_size, seed=o.seed)
            values[f"r_at_1{suffix}"], values[f"r_at_3{suffix}"] = scores["r1"], scores["r3"]
            values[f"mm_dist{suffix}"] = scores["mm_dist"]
        chance = {}
        for suffix in ("", "_references"):
            chance[f"r_at_1{suffix}"] = 1.0 / o.batch_size
            chance[f"r_at_3{suffix}"] = min(1.0, 3.0 / o.batch_size)
        notes = self.evaluator_notes()
        notes["r_at_1_references"] = "the same figures for each clip's first reference caption: the evaluator's ceiling"
        return MetricResult(values=values, chance=chance, notes=notes)


__all__ = ["TextMotionMetric"]
