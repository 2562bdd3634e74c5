"""Accuracy of parsed ``Label:`` answers, split into seen and unseen classes.

Zero-shot papers report seen accuracy, unseen accuracy and their harmonic
mean (the GZSL "H"); computing all three from the same predictions keeps
them comparable.
"""

from __future__ import annotations

from skeletonllm.interfaces import Metric
from skeletonllm.tasks import Prediction


class AccuracyMetric(Metric):
    """Top-1 accuracy of recognition answers; seen/unseen/H when the test set has both.

    Whether a clip's class is unseen is a fact the pipeline records on each
    test example (``meta['unseen']``), so the metric needs no class list of its own.
    """

    name = "accuracy"
    tasks = ("recognition",)
    summary = "Top-1 accuracy of parsed Label answers (overall, seen, unseen, harmonic mean)"

    def reset(self) -> None:
        self._hits = {"all": 0, "seen": 0, "unseen": 0}
        self._count = {"all": 0, "seen": 0, "unseen": 0}
        self._split = False

    def update(self, predictions: list[Prediction]) -> None:
        for prediction in predictions:
            example = prediction.example
            if not example.is_recognition or example.answer is None:
                continue
            hit = bool(prediction.correct)
            unseen = example.meta.get("unseen")
            self._split = self._split or unseen is not None
            group = "unseen" if unseen else "seen"
            for key in ("all", group):
                self._count[key] += 1
                self._hits[key] += int(hit)

    def compute(self) -> dict[str, float]:
        acc = {k: self._hits[k] / self._count[k] for k in self._count if self._count[k]}
        out = {"accuracy": acc.get("all", 0.0)}
        if self._split:  # a class split exists: report each group that was tested
            if self._count["seen"]:
                out["seen_accuracy"] = acc["seen"]
            if self._count["unseen"]:
                out["unseen_accuracy"] = acc["unseen"]
            if self._count["seen"] and self._count["unseen"]:
                seen, unseen = acc["seen"], acc["unseen"]
                out["harmonic_mean"] = 2 * seen * unseen / (seen + unseen) if seen + unseen else 0.0
        return out
